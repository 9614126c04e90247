#define G_LOG_DOMAIN "stp-server-sqlite"

#include "config.h"

#include "stp-server-store.h"
#include "stp-server-store-schema.h"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

typedef struct
{
  StpServerStore  parent;
  sqlite3        *db;
} StpServerStoreSqlite;

static void
set_error (StpServerStoreSqlite  *self,
           GError               **error)
{
  g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
               _("Database error: %s"), sqlite3_errmsg (self->db));
}

static void
sqlite_free (StpServerStore *store)
{
  StpServerStoreSqlite *self = (StpServerStoreSqlite *) store;

  sqlite3_close (self->db);
  g_free (self);
}

static gboolean
sqlite_exec_script (StpServerStore  *store,
                    const char      *sql,
                    GError         **error)
{
  StpServerStoreSqlite *self = (StpServerStoreSqlite *) store;

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_error (self, error);
      return FALSE;
    }
  return TRUE;
}

/* The shared SQL uses PostgreSQL's $N placeholders; SQLite spells them ?N. */
static char *
convert_placeholders (const char *sql)
{
  char *copy = g_strdup (sql);

  for (char *p = copy; *p != '\0'; p++)
    if (p[0] == '$' && g_ascii_isdigit (p[1]))
      p[0] = '?';
  return copy;
}

static StpServerResult *
sqlite_query (StpServerStore      *store,
              const char          *sql,
              const char * const  *params,
              guint                n_params,
              GError             **error)
{
  StpServerStoreSqlite *self = (StpServerStoreSqlite *) store;
  g_autofree char *converted = convert_placeholders (sql);
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();
  StpServerResult *result;
  sqlite3_stmt *stmt = NULL;
  guint n_cols, n_rows = 0;
  int rc;

  if (sqlite3_prepare_v2 (self->db, converted, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_error (self, error);
      return NULL;
    }

  for (guint i = 0; i < n_params; i++)
    sqlite3_bind_text (stmt, (int) i + 1, params[i], -1, SQLITE_TRANSIENT);

  n_cols = (guint) sqlite3_column_count (stmt);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint c = 0; c < n_cols; c++)
        g_ptr_array_add (cells, g_strdup ((const char *) sqlite3_column_text (stmt, (int) c)));
      n_rows++;
    }

  if (rc != SQLITE_DONE)
    {
      set_error (self, error);
      sqlite3_finalize (stmt);
      g_ptr_array_set_free_func (cells, g_free);
      return NULL;
    }
  sqlite3_finalize (stmt);

  result = g_new0 (StpServerResult, 1);
  result->n_rows = n_rows;
  result->n_cols = n_cols;
  result->cells = (char **) g_ptr_array_free (g_steal_pointer (&cells), FALSE);
  return result;
}

static gboolean
sqlite_query_rows (StpServerStore      *store,
                   const char          *sql,
                   const char * const  *params,
                   guint                n_params,
                   StpServerRowFunc     func,
                   gpointer             user_data,
                   GError             **error)
{
  StpServerStoreSqlite *self = (StpServerStoreSqlite *) store;
  g_autofree char *converted = convert_placeholders (sql);
  sqlite3_stmt *stmt = NULL;
  const char *values[8];
  gsize lengths[8];
  guint n_cols;
  int rc;

  if (sqlite3_prepare_v2 (self->db, converted, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_error (self, error);
      return FALSE;
    }
  for (guint i = 0; i < n_params; i++)
    sqlite3_bind_text (stmt, (int) i + 1, params[i], -1, SQLITE_TRANSIENT);

  n_cols = (guint) sqlite3_column_count (stmt);
  g_assert (n_cols <= G_N_ELEMENTS (values));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      for (guint c = 0; c < n_cols; c++)
        {
          /* Text first, then its size (SQLite's documented order). */
          values[c] = (const char *) sqlite3_column_text (stmt, (int) c);
          lengths[c] = (gsize) sqlite3_column_bytes (stmt, (int) c);
        }
      if (!func (values, lengths, user_data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  if (rc != SQLITE_DONE)
    set_error (self, error);
  sqlite3_finalize (stmt);
  return rc == SQLITE_DONE;
}

static const char *
sqlite_group_key (StpServerStore *store)
{
  StpServerStoreSqlite *self = (StpServerStoreSqlite *) store;
  const char *name = sqlite3_db_filename (self->db, "main");

  return name != NULL && name[0] != '\0' ? name : NULL;
}

static GMutex sqlite_write_lock;

static const StpServerStoreVTable sqlite_vtable = {
  .name = "sqlite",
  .begin_sql = "BEGIN IMMEDIATE",
  /* synchronous = FULL (also SQLite's default) syncs the WAL at every
   * COMMIT: a push is answered only after its COMMIT, so an acknowledged
   * push survives a power cut.  Concurrent pushes share one COMMIT
   * instead (group commit, stp-server-store-push.c). */
  .setup_sql = "PRAGMA journal_mode = WAL;"
               "PRAGMA synchronous = FULL;"
               "PRAGMA foreign_keys = ON;",
  .lock_sql = NULL,   /* BEGIN IMMEDIATE takes the write lock */
  .write_lock = &sqlite_write_lock,
  .group_key = sqlite_group_key,
  .free = sqlite_free,
  .exec_script = sqlite_exec_script,
  .query = sqlite_query,
  .query_rows = sqlite_query_rows,
  .body_size_is_cheap = FALSE,
};

StpServerStore *
stp_server_store_sqlite_open (const char  *path,
                              GError     **error)
{
  StpServerStoreSqlite *self = g_new0 (StpServerStoreSqlite, 1);

  self->parent.vtable = &sqlite_vtable;
  if (sqlite3_open_v2 (path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
                   _("Cannot open the database: %s"),
                   self->db != NULL ? sqlite3_errmsg (self->db) : "out of memory");
      sqlite_free (&self->parent);
      return NULL;
    }
  /* The admin commands may write while the server runs. */
  sqlite3_busy_timeout (self->db, 10000);
  return &self->parent;
}
