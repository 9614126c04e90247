#define G_LOG_DOMAIN "stp-store"

#include "config.h"

#include "stp-store.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <fcntl.h>

#ifdef G_OS_WIN32
# include <windows.h>
# include <io.h>
#else
# include <sys/file.h>
# include <unistd.h>
# include <errno.h>
#endif

#include "stp-core-resources.h"
#include "stp-error.h"
#include "stp-query.h"
#include "stp-store-private.h"
#include "stp-uuid.h"

/* The lock file held for a store's lifetime; shared with secondary
 * connections, released when the last one goes. */
typedef struct
{
  char *path;
#ifdef G_OS_WIN32
  HANDLE handle;
#else
  int fd;
#endif
} StoreLock;

struct _StpStore
{
  GObject        parent_instance;

  char          *path;
  sqlite3       *db;
  StoreLock     *lock;
  GHashTable    *statements;   /* SQL text -> sqlite3_stmt */
  int            depth;
  StpHlc         hlc;
  guint64        hlc_saved;
  char          *device_id;
  char          *device_code;
  StpClockFunc   clock;
  gpointer       clock_data;

  /* The full check of a big file runs beside the start-up; the first
   * commit waits for it and is refused if it failed. */
  GThread       *check_thread;
  GError        *check_error;
  gboolean       check_failed;
};

G_DEFINE_FINAL_TYPE (StpStore, stp_store, G_TYPE_OBJECT)

static void
store_lock_clear (StoreLock *lock)
{
#ifdef G_OS_WIN32
  if (lock->handle != INVALID_HANDLE_VALUE)
    {
      OVERLAPPED ov = { 0 };
      UnlockFileEx (lock->handle, 0, 1, 0, &ov);
      CloseHandle (lock->handle);
    }
#else
  if (lock->fd >= 0)
    close (lock->fd);   /* closing releases the flock */
#endif
  g_free (lock->path);
}

static void
store_lock_unref (StoreLock *lock)
{
  g_atomic_rc_box_release_full (lock, (GDestroyNotify) store_lock_clear);
}

static StoreLock *
store_lock_acquire (const char  *db_path,
                    GError     **error)
{
  StoreLock *lock = g_atomic_rc_box_new0 (StoreLock);

  lock->path = g_strconcat (db_path, ".lock", NULL);
#ifdef G_OS_WIN32
  {
    g_autofree gunichar2 *wpath = g_utf8_to_utf16 (lock->path, -1, NULL, NULL, NULL);
    OVERLAPPED ov = { 0 };

    lock->handle = CreateFileW ((LPCWSTR) wpath, GENERIC_READ | GENERIC_WRITE,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (lock->handle == INVALID_HANDLE_VALUE ||
        !LockFileEx (lock->handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
                     0, 1, 0, &ov))
      {
        g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED,
                     _("The database %s is already open in another window of the program. "
                       "Close it there first."), db_path);
        store_lock_unref (lock);
        return NULL;
      }
  }
#else
  lock->fd = g_open (lock->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock->fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the lock file %s: %s"), lock->path, g_strerror (saved));
      store_lock_unref (lock);
      return NULL;
    }
  /* flock locks belong to the open file, so even a second open in this
   * process is refused. */
  if (flock (lock->fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED,
                   _("The database %s is already open in another window of the program. "
                     "Close it there first."), db_path);
      store_lock_unref (lock);
      return NULL;
    }
  {
    g_autofree char *pid = g_strdup_printf ("%ld\n", (long) getpid ());
    if (ftruncate (lock->fd, 0) == 0 && write (lock->fd, pid, strlen (pid)) < 0)
      g_debug ("Could not write the pid into %s", lock->path);
  }
#endif
  return lock;
}

static void
stp_store_finalize (GObject *object)
{
  StpStore *self = STP_STORE (object);

  if (self->check_thread != NULL)
    g_thread_join (g_steal_pointer (&self->check_thread));
  g_clear_error (&self->check_error);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_clear_pointer (&self->lock, store_lock_unref);
  g_free (self->path);
  g_free (self->device_id);
  g_free (self->device_code);

  G_OBJECT_CLASS (stp_store_parent_class)->finalize (object);
}

static void
stp_store_class_init (StpStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_store_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
stp_store_init (StpStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            finalize_statement);
}

/* --- SQL helpers --------------------------------------------------------- */

sqlite3 *
stp_store_get_db (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  return self->db;
}

void
stp_store_set_sqlite_error (StpStore  *self,
                            GError   **error)
{
  int code = sqlite3_extended_errcode (self->db);

  if (code == SQLITE_CONSTRAINT_COMMITHOOK && self->check_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->check_error));
      return;
    }

  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                 _("The database file %s is damaged (%s). Restore it from a backup."),
                 self->path, sqlite3_errmsg (self->db));
  else if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED,
                 _("The database is busy (%s). Try again."), sqlite3_errmsg (self->db));
  else
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                 _("Database error: %s"), sqlite3_errmsg (self->db));
}

gboolean
stp_store_exec (StpStore    *self,
                const char  *sql,
                GError     **error)
{
  char *message = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);

  if (sqlite3_exec (self->db, sql, NULL, NULL, &message) != SQLITE_OK)
    {
      stp_store_set_sqlite_error (self, error);
      sqlite3_free (message);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
stp_store_prepare (StpStore    *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      stp_store_set_sqlite_error (self, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
stp_store_step_done (StpStore      *self,
                     sqlite3_stmt  *stmt,
                     GError       **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* --- Transactions -------------------------------------------------------- */

static void
load_hlc (StpStore *self)
{
  g_autofree char *value = stp_store_get_meta (self, "hlc_last");

  if (value != NULL)
    {
      guint64 stored = g_ascii_strtoull (value, NULL, 10);
      if (stored > self->hlc.last)
        self->hlc.last = stored;
      self->hlc_saved = stored;
    }
}

static gboolean
save_hlc (StpStore  *self,
          GError   **error)
{
  char buffer[32];

  if (self->hlc.last == self->hlc_saved)
    return TRUE;
  g_snprintf (buffer, sizeof buffer, "%" G_GUINT64_FORMAT, self->hlc.last);
  if (!stp_store_set_meta (self, "hlc_last", buffer, error))
    return FALSE;
  self->hlc_saved = self->hlc.last;
  return TRUE;
}

gboolean
stp_store_begin (StpStore  *self,
                 GError   **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);

  if (self->depth == 0)
    {
      if (!stp_store_wait_for_check (self, error))
        return FALSE;
      if (!stp_store_exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      self->depth = 1;
      /* Another connection to the file (a worker) may have moved the
       * clock: we hold the write lock now, so the stored value is final. */
      load_hlc (self);
      return TRUE;
    }
  else
    {
      g_autofree char *sql = g_strdup_printf ("SAVEPOINT stp%d", self->depth);
      if (!stp_store_exec (self, sql, error))
        return FALSE;
      self->depth++;
      return TRUE;
    }
}

gboolean
stp_store_in_transaction (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  return self->depth > 0;
}

gboolean
stp_store_commit (StpStore  *self,
                  GError   **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->depth > 0, FALSE);

  if (self->depth == 1)
    {
      if (!save_hlc (self, error) || !stp_store_exec (self, "COMMIT", error))
        {
          stp_store_rollback (self);
          return FALSE;
        }
      self->depth = 0;
      return TRUE;
    }
  else
    {
      g_autofree char *sql = g_strdup_printf ("RELEASE stp%d", self->depth - 1);
      if (!stp_store_exec (self, sql, error))
        return FALSE;
      self->depth--;
      return TRUE;
    }
}

void
stp_store_rollback (StpStore *self)
{
  g_return_if_fail (STP_IS_STORE (self));

  if (self->depth == 0)
    return;
  if (self->depth == 1)
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      self->depth = 0;
      /* The clock value may not have been stored: reread it next time. */
      self->hlc_saved = 0;
    }
  else
    {
      g_autofree char *sql = g_strdup_printf ("ROLLBACK TO stp%d; RELEASE stp%d",
                                              self->depth - 1, self->depth - 1);
      sqlite3_exec (self->db, sql, NULL, NULL, NULL);
      self->depth--;
    }
}

/* --- Meta and settings --------------------------------------------------- */

static char *
get_key_value (StpStore   *self,
               const char *sql,
               const char *key)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, sql, NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

static gboolean
set_key_value (StpStore    *self,
               const char  *sql,
               const char  *key,
               const char  *value,
               GError     **error)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
  return stp_store_step_done (self, stmt, error);
}

char *
stp_store_get_meta (StpStore   *self,
                    const char *key)
{
  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  return get_key_value (self, "SELECT value FROM meta WHERE key = ?1", key);
}

gboolean
stp_store_set_meta (StpStore    *self,
                    const char  *key,
                    const char  *value,
                    GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  return set_key_value (self, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",
                        key, value, error);
}

char *
stp_store_get_setting (StpStore   *self,
                       const char *key)
{
  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);
  return get_key_value (self, "SELECT value FROM settings WHERE key = ?1", key);
}

gboolean
stp_store_set_setting (StpStore    *self,
                       const char  *key,
                       const char  *value,
                       GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  return set_key_value (self, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
                        key, value, error);
}

/* --- Clock and HLC ------------------------------------------------------- */

void
stp_store_set_clock (StpStore     *self,
                     StpClockFunc  func,
                     gpointer      user_data)
{
  g_return_if_fail (STP_IS_STORE (self));
  self->clock = func;
  self->clock_data = user_data;
}

gint64
stp_store_now (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), 0);
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time ();
}

char *
stp_store_today (StpStore *self)
{
  g_autoptr(GDateTime) dt = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  dt = g_date_time_new_from_unix_local (stp_store_now (self) / G_USEC_PER_SEC);
  return g_date_time_format (dt, "%Y-%m-%d");
}

char *
stp_format_moment (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *base = NULL;

  if (dt == NULL)
    return NULL;
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", base, (int) ((usec % G_USEC_PER_SEC) / 1000));
}

guint64
stp_store_tick_hlc (StpStore *self)
{
  guint64 value;

  g_return_val_if_fail (STP_IS_STORE (self), 0);

  if (self->depth == 0)
    load_hlc (self);
  value = stp_hlc_tick (&self->hlc, stp_store_now (self) / 1000);
  /* Inside a transaction the value is stored at commit. */
  if (self->depth == 0)
    save_hlc (self, NULL);
  return value;
}

void
stp_store_observe_hlc (StpStore *self,
                       guint64   remote)
{
  g_return_if_fail (STP_IS_STORE (self));

  stp_hlc_observe (&self->hlc, remote, stp_store_now (self) / 1000);
  if (self->depth == 0)
    save_hlc (self, NULL);
}

/* --- Field writes -------------------------------------------------------- */

static gboolean
known_column (const char *table,
              const char *field)
{
  const StpKindInfo *info = stp_kind_info_for_table (table);

  if (info == NULL)
    return FALSE;
  return g_strcmp0 (field, "deleted") == 0 ||
         g_strcmp0 (field, "created_at") == 0 ||
         stp_kind_info_find_field (info, field) != NULL;
}

gboolean
stp_store_record_version (StpStore    *self,
                          const char  *table,
                          const char  *row_id,
                          const char  *field,
                          const char  *value,
                          gboolean     new_row,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 base_hlc = 0;
  g_autofree char *base_device = NULL;
  guint64 hlc;

  if (!new_row)
    {
      stmt = stp_store_prepare (self,
                                "SELECT hlc, device FROM field_versions "
                                "WHERE tbl = ?1 AND row_id = ?2 AND field = ?3", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          base_hlc = sqlite3_column_int64 (stmt, 0);
          base_device = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
        }
      sqlite3_reset (stmt);
    }

  hlc = stp_store_tick_hlc (self);

  stmt = stp_store_prepare (self,
                            "INSERT OR REPLACE INTO field_versions (tbl, row_id, field, hlc, device) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, (gint64) hlc);
  sqlite3_bind_text (stmt, 5, self->device_id, -1, SQLITE_STATIC);
  if (!stp_store_step_done (self, stmt, error))
    return FALSE;

  stmt = stp_store_prepare (self,
                            "INSERT INTO outbox (tbl, row_id, field, value, hlc, device, base_hlc, base_device) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_STATIC);
  if (value != NULL)
    sqlite3_bind_text (stmt, 4, value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 5, (gint64) hlc);
  sqlite3_bind_text (stmt, 6, self->device_id, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, base_hlc);
  if (base_device != NULL)
    sqlite3_bind_text (stmt, 8, base_device, -1, SQLITE_STATIC);
  return stp_store_step_done (self, stmt, error);
}

gboolean
stp_store_write_field (StpStore    *self,
                       const char  *table,
                       const char  *row_id,
                       const char  *field,
                       const char  *value,
                       GError     **error)
{
  g_autofree char *insert_sql = NULL;
  g_autofree char *update_sql = NULL;
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (row_id != NULL, FALSE);

  /* Names go into SQL text: only known tables and columns. */
  if (!known_column (table, field))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   "Unknown field %s.%s", table, field);
      return FALSE;
    }
  if (!stp_store_begin (self, error))
    return FALSE;

  now = stp_format_moment (stp_store_now (self));
  insert_sql = g_strdup_printf ("INSERT OR IGNORE INTO %s (id, created_at, updated_at) "
                                "VALUES (?1, ?2, ?2)", table);
  stmt = stp_store_prepare (self, insert_sql, error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  if (!stp_store_step_done (self, stmt, error))
    goto fail;

  update_sql = g_strdup_printf ("UPDATE %s SET %s = ?1, updated_at = ?2 WHERE id = ?3",
                                table, field);
  stmt = stp_store_prepare (self, update_sql, error);
  if (stmt == NULL)
    goto fail;
  if (value != NULL)
    sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
  else if (g_str_equal (field, "deleted"))
    sqlite3_bind_int (stmt, 1, 0);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row_id, -1, SQLITE_STATIC);
  if (!stp_store_step_done (self, stmt, error))
    goto fail;

  if (!stp_store_record_version (self, table, row_id, field, value, FALSE, error))
    goto fail;

  return stp_store_commit (self, error);

fail:
  stp_store_rollback (self);
  return FALSE;
}

/* --- SQL functions ------------------------------------------------------- */

static void
sql_norm (sqlite3_context  *context,
          int               argc,
          sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  char *result;

  if (text == NULL)
    {
      sqlite3_result_null (context);
      return;
    }
  result = stp_normalize_text (text);
  if (result == NULL)
    sqlite3_result_text (context, "", 0, SQLITE_STATIC);
  else
    sqlite3_result_text (context, result, -1, g_free);
}

static void
sql_phonetic (sqlite3_context  *context,
              int               argc,
              sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  char *result;

  if (text == NULL)
    {
      sqlite3_result_null (context);
      return;
    }
  result = stp_phonetic_key (text);
  if (result == NULL)
    sqlite3_result_text (context, "", 0, SQLITE_STATIC);
  else
    sqlite3_result_text (context, result, -1, g_free);
}

/* stp_name_prefixes(full_key): a JSON array of the distinct first one, two
 * and three letters of every space-separated word, for json_each() in the
 * triggers of schema/003-prefixes.sql. */
static void
sql_name_prefixes (sqlite3_context  *context,
                   int               argc,
                   sqlite3_value   **argv)
{
  const char *text = (const char *) sqlite3_value_text (argv[0]);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) words = NULL;
  GString *json = g_string_new ("[");

  words = g_strsplit (text != NULL ? text : "", " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (!g_utf8_validate (words[i], -1, NULL))
        continue;
      for (glong n = 1; n <= 3 && n <= g_utf8_strlen (words[i], -1); n++)
        {
          char *prefix = g_utf8_substring (words[i], 0, n);

          if (!g_hash_table_add (seen, prefix))
            continue;
          if (json->len > 1)
            g_string_append_c (json, ',');
          g_string_append_c (json, '"');
          for (const char *c = prefix; *c != '\0'; c++)
            if (*c == '"' || *c == '\\')
              g_string_append_printf (json, "\\%c", *c);
            else if ((guchar) *c < 0x20)
              g_string_append_printf (json, "\\u%04x", (guchar) *c);
            else
              g_string_append_c (json, *c);
          g_string_append_c (json, '"');
        }
    }
  g_string_append_c (json, ']');
  sqlite3_result_text (context, g_string_free (json, FALSE), -1, g_free);
}

/* The text of @n values joined by spaces, as SQL's coalesce (v, '') || ' '
 * || … would make it, then normalized. */
static char *
joined_normalized (sqlite3_value **argv,
                   int             n)
{
  g_autoptr(GString) joined = g_string_new (NULL);

  for (int i = 0; i < n; i++)
    {
      const char *text = (const char *) sqlite3_value_text (argv[i]);

      if (i > 0)
        g_string_append_c (joined, ' ');
      if (text != NULL)
        g_string_append (joined, text);
    }
  return stp_normalize_text (joined->str);
}

/* stp_full_key(surname, name, patronymic): the normalized full name that
 * orders the list and keys duplicates and prefixes. */
static void
sql_full_key (sqlite3_context  *context,
              int               argc,
              sqlite3_value   **argv)
{
  sqlite3_result_text (context, joined_normalized (argv, 3), -1, g_free);
}

/* Normalized with the spaces taken out: "12-34/5" -> "12345". */
static char *
squeezed (sqlite3_value *value)
{
  g_autofree char *norm = stp_normalize_text ((const char *) sqlite3_value_text (value));
  GString *out = g_string_sized_new (strlen (norm));

  for (const char *p = norm; *p != '\0'; p++)
    if (*p != ' ')
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

/* stp_search_words(surname, name, patronymic, file_number, phone): every
 * searchable word of a resident summary, each after a space so that
 * LIKE '% word%' finds word starts: the name parts and the file number,
 * the file number without separators, the phone digits, and the phone
 * without its leading 7 or 8.  The insert and the update triggers of the
 * summary (schema/005-summary-insert.sql) share this one definition. */
static void
sql_search_words (sqlite3_context  *context,
                  int               argc,
                  sqlite3_value   **argv)
{
  g_autofree char *names = joined_normalized (argv, 4);
  g_autofree char *file = squeezed (argv[3]);
  g_autofree char *phone = squeezed (argv[4]);
  GString *words = g_string_new (" ");

  g_string_append (words, names);
  g_string_append_c (words, ' ');
  g_string_append (words, file);
  g_string_append_c (words, ' ');
  g_string_append (words, phone);
  if (g_utf8_strlen (phone, -1) == 11 && (phone[0] == '7' || phone[0] == '8'))
    {
      g_string_append_c (words, ' ');
      g_string_append (words, phone + 1);
    }
  sqlite3_result_text (context, g_string_free (words, FALSE), -1, g_free);
}

void
stp_store_register_functions (sqlite3 *db)
{
  static const struct
  {
    const char *name;
    int         n_args;
    void      (*func) (sqlite3_context *, int, sqlite3_value **);
  } functions[] = {
    { "stp_full_key", 3, sql_full_key },
    { "stp_search_words", 5, sql_search_words },
    { "stp_name_prefixes", 1, sql_name_prefixes },
    { "stp_norm", 1, sql_norm },
    { "stp_phonetic", 1, sql_phonetic },
  };

  for (guint i = 0; i < G_N_ELEMENTS (functions); i++)
    sqlite3_create_function_v2 (db, functions[i].name, functions[i].n_args,
                                SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                NULL, functions[i].func, NULL, NULL, NULL);
}

/* --- Opening ------------------------------------------------------------- */

char *
stp_store_default_path (void)
{
  const char *env = g_getenv ("STUPENI_DATABASE");
  g_autofree char *dir = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  dir = g_build_filename (g_get_user_data_dir (), "stupeni", NULL);
  g_mkdir_with_parents (dir, 0700);
  return g_build_filename (dir, "center.db", NULL);
}

static char *
newest_backup (const char *path)
{
  for (int v = STP_SCHEMA_VERSION; v >= 0; v--)
    {
      g_autofree char *bak = g_strdup_printf ("%s.v%d.bak", path, v);
      if (g_file_test (bak, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&bak);
    }
  return NULL;
}

static void
set_corrupt_error (const char  *path,
                   const char  *detail,
                   GError     **error)
{
  g_autofree char *bak = newest_backup (path);

  if (bak != NULL)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                 _("The database file %s is damaged (%s). Restore it from the automatic copy %s "
                   "or from a backup."), path, detail, bak);
  else
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                 _("The database file %s is damaged or is not a Stupeni database (%s). "
                   "Restore it from a backup."), path, detail);
}

gboolean
stp_store_check_file (const char  *path,
                      int         *out_schema_version,
                      GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                   _("The database file %s does not exist."), path);
      return FALSE;
    }

  rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
  if (rc != SQLITE_OK)
    {
      set_corrupt_error (path, db != NULL ? sqlite3_errmsg (db) : "open", error);
      goto out;
    }
  sqlite3_busy_timeout (db, 5000);

  rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_corrupt_error (path, sqlite3_errmsg (db), error);
      goto out;
    }
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW || g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    {
      set_corrupt_error (path,
                         rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0)
                                          : sqlite3_errmsg (db), error);
      goto out;
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc != SQLITE_OK || sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_corrupt_error (path, sqlite3_errmsg (db), error);
      goto out;
    }
  version = sqlite3_column_int (stmt, 0);
  if (out_schema_version != NULL)
    *out_schema_version = version;
  if (version > STP_SCHEMA_VERSION)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW,
                   _("The database file %s was written by a newer version of Stupeni "
                     "(schema %d; this version knows %d). Install the newer version of the program."),
                   path, version, STP_SCHEMA_VERSION);
      goto out;
    }
  ok = TRUE;

out:
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  if (db != NULL)
    sqlite3_close_v2 (db);
  return ok;
}

/* --- Background check of big files --------------------------------------- */

static gpointer
check_thread_func (gpointer data)
{
  StpStore *self = data;
  GError *local_error = NULL;

  if (!stp_store_check_file (self->path, NULL, &local_error))
    {
      self->check_error = local_error;
      self->check_failed = TRUE;
    }
  return NULL;
}

gboolean
stp_store_wait_for_check (StpStore  *self,
                          GError   **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);

  if (self->check_thread != NULL)
    g_thread_join (g_steal_pointer (&self->check_thread));
  if (self->check_failed)
    {
      if (error != NULL)
        *error = g_error_copy (self->check_error);
      return FALSE;
    }
  return TRUE;
}

static int
commit_hook (void *data)
{
  StpStore *self = data;

  /* Non-zero turns the commit into a rollback: a damaged file is never
   * written, whatever path the write took. */
  return stp_store_wait_for_check (self, NULL) ? 0 : 1;
}

/* Files above this size get the quick header check at open and the full
 * one in the background ($STUPENI_SYNC_CHECK_LIMIT, bytes, for tests). */
static gint64
sync_check_limit (void)
{
  const char *env = g_getenv ("STUPENI_SYNC_CHECK_LIMIT");

  if (env != NULL && *env != '\0')
    return g_ascii_strtoll (env, NULL, 10);
  return 64 * 1024 * 1024;
}

/* Version and schema readable: what can be learnt without reading it all. */
static gboolean
light_check (const char  *path,
             int         *out_version,
             GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int version;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      set_corrupt_error (path, db != NULL ? sqlite3_errmsg (db) : "open", error);
      goto out;
    }
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_corrupt_error (path, sqlite3_errmsg (db), error);
      goto out;
    }
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK ||
      sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_corrupt_error (path, sqlite3_errmsg (db), error);
      goto out;
    }
  version = sqlite3_column_int (stmt, 0);
  *out_version = version;
  if (version > STP_SCHEMA_VERSION)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW,
                   _("The database file %s was written by a newer version of Stupeni "
                     "(schema %d; this version knows %d). Install the newer version of the program."),
                   path, version, STP_SCHEMA_VERSION);
      goto out;
    }
  ok = TRUE;

out:
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  if (db != NULL)
    sqlite3_close_v2 (db);
  return ok;
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
apply_migration (StpStore  *self,
                 int        version,
                 GError   **error)
{
  GResource *resource = stp_core_get_resource ();
  g_auto(GStrv) names = NULL;
  g_autofree char *prefix = g_strdup_printf ("%03d-", version);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autofree char *pragma = NULL;

  names = g_resource_enumerate_children (resource, "/org/stupeni/core/schema/",
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], prefix) && g_str_has_suffix (names[i], ".sql"))
      g_ptr_array_add (chosen, names[i]);
  g_ptr_array_sort (chosen, compare_strings);

  if (!stp_store_begin (self, error))
    return FALSE;
  for (guint i = 0; i < chosen->len; i++)
    {
      g_autofree char *rpath = g_strconcat ("/org/stupeni/core/schema/",
                                            (char *) chosen->pdata[i], NULL);
      g_autoptr(GBytes) bytes = g_resource_lookup_data (resource, rpath,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      g_autofree char *sql = NULL;

      if (bytes == NULL)
        goto fail;
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (!stp_store_exec (self, sql, error))
        {
          g_prefix_error (error, "%s: ", rpath);
          goto fail;
        }
    }
  pragma = g_strdup_printf ("PRAGMA user_version = %d", version);
  if (!stp_store_exec (self, pragma, error))
    goto fail;
  return stp_store_commit (self, error);

fail:
  stp_store_rollback (self);
  return FALSE;
}

static gboolean
configure_connection (StpStore  *self,
                      GError   **error)
{
  sqlite3_busy_timeout (self->db, 10000);
  stp_store_register_functions (self->db);
  return stp_store_exec (self,
                         "PRAGMA journal_mode = WAL;"
                         "PRAGMA synchronous = FULL;"
                         "PRAGMA foreign_keys = ON;"
                         "PRAGMA cache_size = -16000;"
                         "PRAGMA temp_store = MEMORY;"
                         /* Keep the log file small once checkpointed. */
                         "PRAGMA journal_size_limit = 67108864;",
                         error);
}

static gboolean
open_connection (StpStore  *self,
                 GError   **error)
{
  if (sqlite3_open_v2 (self->path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot open the database file %s: %s"), self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "");
      return FALSE;
    }
  sqlite3_commit_hook (self->db, commit_hook, self);
  return configure_connection (self, error);
}

static gboolean
load_identity (StpStore  *self,
               GError   **error)
{
  self->device_id = stp_store_get_meta (self, "device_id");
  if (self->device_id == NULL)
    {
      self->device_id = stp_uuid_new_v7 ();
      if (!stp_store_set_meta (self, "device_id", self->device_id, error))
        return FALSE;
    }
  self->device_code = stp_store_get_meta (self, "device_code");
  if (self->device_code == NULL)
    self->device_code = g_strdup ("00");
  load_hlc (self);
  return TRUE;
}

static gboolean
copy_if_exists (const char  *from,
                const char  *to,
                GError     **error)
{
  g_autoptr(GFile) src = g_file_new_for_path (from);
  g_autoptr(GFile) dst = g_file_new_for_path (to);

  if (!g_file_query_exists (src, NULL))
    return TRUE;
  return g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

static gboolean
backup_before_upgrade (const char  *path,
                       int          version,
                       GError     **error)
{
  g_autofree char *bak = g_strdup_printf ("%s.v%d.bak", path, version);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *bak_wal = g_strconcat (bak, "-wal", NULL);

  /* A write-ahead log left by a crash holds committed data too. */
  if (!copy_if_exists (path, bak, error) || !copy_if_exists (wal, bak_wal, error))
    {
      g_prefix_error (error, _("Could not copy the database before upgrading it: "));
      return FALSE;
    }
  return TRUE;
}

StpStore *
stp_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(StpStore) self = NULL;
  gboolean existed;
  int version = 0;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (STP_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  self->lock = store_lock_acquire (path, error);
  if (self->lock == NULL)
    return NULL;

  existed = g_stat (path, &st) == 0 && st.st_size > 0;
  if (existed)
    {
      gboolean in_background = FALSE;

      if ((gint64) st.st_size > sync_check_limit ())
        {
          if (!light_check (path, &version, error))
            return NULL;
          /* An upgrade writes at once: check fully first. */
          in_background = version == STP_SCHEMA_VERSION;
        }
      if (in_background)
        self->check_thread = g_thread_new ("stp-quick-check", check_thread_func, self);
      else if (!stp_store_check_file (path, &version, error))
        return NULL;
    }

  /* The copy is made before this program touches the file (switching to
   * WAL alone rewrites its header). */
  if (existed && version < STP_SCHEMA_VERSION && !backup_before_upgrade (path, version, error))
    return NULL;

  if (!open_connection (self, error))
    return NULL;

  for (int v = version + 1; v <= STP_SCHEMA_VERSION; v++)
    if (!apply_migration (self, v, error))
      return NULL;

  if (!load_identity (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

StpStore *
stp_store_open_secondary (StpStore  *primary,
                          GError   **error)
{
  g_autoptr(StpStore) self = NULL;

  g_return_val_if_fail (STP_IS_STORE (primary), NULL);

  if (!stp_store_wait_for_check (primary, error))
    return NULL;
  self = g_object_new (STP_TYPE_STORE, NULL);
  self->path = g_strdup (primary->path);
  self->lock = g_atomic_rc_box_acquire (primary->lock);
  self->clock = primary->clock;
  self->clock_data = primary->clock_data;
  if (!open_connection (self, error))
    return NULL;
  self->device_id = g_strdup (primary->device_id);
  self->device_code = g_strdup (primary->device_code);
  self->hlc = primary->hlc;
  load_hlc (self);
  return g_steal_pointer (&self);
}

const char *
stp_store_get_path (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  return self->path;
}

const char *
stp_store_get_device_id (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  return self->device_id;
}

const char *
stp_store_get_device_code (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  return self->device_code;
}

gboolean
stp_store_set_device_code (StpStore    *self,
                           const char  *code,
                           GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  if (strlen (code) != 2 || !g_ascii_isalnum (code[0]) || !g_ascii_isalnum (code[1]))
    {
      stp_set_field_error (error, "device_code",
                           _("The device code must be two Latin letters or digits."));
      return FALSE;
    }
  {
    g_autofree char *upper = g_ascii_strup (code, -1);
    if (!stp_store_set_meta (self, "device_code", upper, error))
      return FALSE;
    g_free (self->device_code);
    self->device_code = g_steal_pointer (&upper);
  }
  return TRUE;
}

/* --- Audit --------------------------------------------------------------- */

gboolean
stp_store_audit_login (StpStore        *self,
                       const char      *login,
                       StpAuditAction   action,
                       const char      *entity,
                       const char      *entity_id,
                       const char      *detail,
                       GError         **error)
{
  g_autofree char *at = stp_format_moment (stp_store_now (self));
  sqlite3_stmt *stmt;

  stmt = stp_store_prepare (self,
                            "INSERT INTO audit_events (at, user_login, device_id, action, entity, entity_id, detail) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, at, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, login != NULL ? login : "system", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, self->device_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, stp_enum_to_code (STP_ENUM_AUDIT_ACTION, action), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, entity_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, detail, -1, SQLITE_STATIC);
  return stp_store_step_done (self, stmt, error);
}

gboolean
stp_store_audit (StpStore        *self,
                 StpSession      *session,
                 StpAuditAction   action,
                 const char      *entity,
                 const char      *entity_id,
                 const char      *detail,
                 GError         **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);

  return stp_store_audit_login (self, stp_session_get_login (session), action,
                                entity, entity_id, detail, error);
}

void
stp_audit_event_free (StpAuditEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->at);
  g_free (event->user_login);
  g_free (event->device_id);
  g_free (event->entity);
  g_free (event->entity_id);
  g_free (event->detail);
  g_free (event->resident_name);
  g_free (event);
}

GPtrArray *
stp_store_list_audit (StpStore    *self,
                      StpSession  *session,
                      int          limit,
                      GError     **error)
{
  g_autoptr(GPtrArray) events = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  if (!stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return NULL;

  stmt = stp_store_prepare (self,
                            "SELECT a.id, a.at, a.user_login, a.device_id, a.action, a.entity,"
                            " a.entity_id, a.detail,"
                            /* Whose record it was, for the director reading the log. */
                            " (SELECT trim (coalesce (s.surname, '') || ' ' || coalesce (s.name, '') || ' '"
                            "               || coalesce (s.patronymic, ''))"
                            "  FROM resident_summaries s WHERE s.resident_id = CASE a.entity"
                            "   WHEN 'residents' THEN a.entity_id"
                            "   WHEN 'episodes' THEN (SELECT resident_id FROM episodes WHERE id = a.entity_id)"
                            "   WHEN 'relatives' THEN (SELECT resident_id FROM relatives WHERE id = a.entity_id)"
                            "   WHEN 'consents' THEN (SELECT resident_id FROM consents WHERE id = a.entity_id)"
                            "   WHEN 'journal_entries' THEN (SELECT resident_id FROM journal_entries WHERE id = a.entity_id)"
                            "   WHEN 'screenings' THEN (SELECT resident_id FROM screenings WHERE id = a.entity_id)"
                            "   WHEN 'follow_ups' THEN (SELECT resident_id FROM follow_ups WHERE id = a.entity_id)"
                            "   WHEN 'referrals' THEN (SELECT resident_id FROM referrals WHERE id = a.entity_id)"
                            "   WHEN 'court_obligations' THEN (SELECT resident_id FROM court_obligations WHERE id = a.entity_id)"
                            "   WHEN 'stage_entries' THEN (SELECT e.resident_id FROM stage_entries se"
                            "                              JOIN episodes e ON e.id = se.episode_id WHERE se.id = a.entity_id)"
                            "   END)"
                            " FROM audit_events a ORDER BY a.id DESC LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit > 0 ? limit : -1);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_audit_event_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpAuditEvent *e = g_new0 (StpAuditEvent, 1);
      int action;

      e->id = sqlite3_column_int64 (stmt, 0);
      e->at = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      e->user_login = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      e->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      action = stp_enum_from_code (STP_ENUM_AUDIT_ACTION, (const char *) sqlite3_column_text (stmt, 4));
      e->action = action < 0 ? STP_AUDIT_VIEW : action;
      e->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      e->entity_id = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      e->detail = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      if (sqlite3_column_bytes (stmt, 8) > 0)
        e->resident_name = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      g_ptr_array_add (events, e);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&events);
}
