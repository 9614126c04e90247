/* stp-store.c: the StpStore object and what every other store file
 * builds on: the statement cache and SQLite errors, transactions, meta
 * and settings, the clock and the HLC, and writing one synced field with
 * its version and outbox row.  Opening is in stp-store-open.c, the lock
 * file in stp-store-lock.c, the SQL functions in stp-store-functions.c,
 * the audit log in stp-store-audit.c; records, programs and users in
 * stp-store-records.c, stp-store-program.c and stp-store-users.c. */
#define G_LOG_DOMAIN "stp-store"

#include "config.h"

#include "stp-store.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "stp-error.h"
#include "stp-store-private.h"

G_DEFINE_FINAL_TYPE (StpStore, stp_store, G_TYPE_OBJECT)


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
  g_clear_pointer (&self->lock, stp_store_lock_unref);
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

static int
cancelled_progress (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

void
stp_store_set_cancellable (StpStore     *self,
                           GCancellable *cancellable)
{
  g_return_if_fail (STP_IS_STORE (self));

  /* Every 1000 virtual machine steps: some microseconds. */
  if (cancellable != NULL)
    sqlite3_progress_handler (self->db, 1000, cancelled_progress, cancellable);
  else
    sqlite3_progress_handler (self->db, 0, NULL, NULL);
}

void
stp_store_set_sqlite_error (StpStore  *self,
                            GError   **error)
{
  int code = sqlite3_extended_errcode (self->db);

  if (code == SQLITE_CONSTRAINT_COMMITHOOK && self->check_blocks_commits
      && self->check_error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->check_error));
      return;
    }
  if (code == SQLITE_CONSTRAINT_COMMITHOOK && self->lock != NULL
      && stp_store_lock_is_damaged (self->lock))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                   _("The database file %s is damaged. Restore it from a backup."), self->path);
      return;
    }

  if ((code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB)
    {
      /* Damage met while reading: no write from now on, and no
       * clean-close marker, so the next open checks the whole file. */
      if (self->lock != NULL)
        stp_store_lock_mark_damaged (self->lock);
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                   _("The database file %s is damaged (%s). Restore it from a backup."),
                   self->path, sqlite3_errmsg (self->db));
    }
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

gint64
stp_store_query_int (StpStore   *self,
                     const char *sql,
                     gint64      fallback)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, sql, NULL);
  gint64 value = fallback;

  if (stmt == NULL)
    return fallback;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

char *
stp_store_query_text (StpStore   *self,
                      const char *sql)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, sql, NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

/* --- Transactions -------------------------------------------------------- */

void
stp_store_load_hlc (StpStore *self)
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
      stp_store_load_hlc (self);
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

gboolean
stp_store_transaction_begin (StpStoreTransaction  *tx,
                             StpStore             *store,
                             GError              **error)
{
  g_return_val_if_fail (tx != NULL && tx->store == NULL, FALSE);

  if (!stp_store_begin (store, error))
    return FALSE;
  tx->store = store;
  tx->depth = store->depth;
  return TRUE;
}

gboolean
stp_store_transaction_commit (StpStoreTransaction  *tx,
                              GError              **error)
{
  g_return_val_if_fail (tx != NULL && tx->store != NULL, FALSE);

  if (!stp_store_commit (tx->store, error))
    return FALSE;
  tx->store = NULL;
  return TRUE;
}

void
stp_store_transaction_end (StpStoreTransaction *tx)
{
  /* A failed outermost COMMIT has already rolled back (the depth fell
   * below ours); a failed RELEASE left the savepoint open. */
  if (tx->store != NULL && tx->store->depth >= tx->depth)
    stp_store_rollback (tx->store);
  tx->store = NULL;
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
    stp_store_load_hlc (self);
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
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
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
  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;

  now = stp_format_moment (stp_store_now (self));
  insert_sql = g_strdup_printf ("INSERT OR IGNORE INTO %s (id, created_at, updated_at) "
                                "VALUES (?1, ?2, ?2)", table);
  stmt = stp_store_prepare (self, insert_sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  if (!stp_store_step_done (self, stmt, error))
    return FALSE;

  update_sql = g_strdup_printf ("UPDATE %s SET %s = ?1, updated_at = ?2 WHERE id = ?3",
                                table, field);
  stmt = stp_store_prepare (self, update_sql, error);
  if (stmt == NULL)
    return FALSE;
  if (value != NULL)
    sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
  else if (g_str_equal (field, "deleted"))
    sqlite3_bind_int (stmt, 1, 0);
  sqlite3_bind_text (stmt, 2, now, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, row_id, -1, SQLITE_STATIC);
  if (!stp_store_step_done (self, stmt, error))
    return FALSE;

  if (!stp_store_record_version (self, table, row_id, field, value, FALSE, error))
    return FALSE;

  return stp_store_transaction_commit (&tx, error);
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

