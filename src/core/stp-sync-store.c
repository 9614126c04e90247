#define G_LOG_DOMAIN "stp-sync-store"

#include "config.h"

#include "stp-sync-store.h"
#include "stp-store-private.h"
#include "stp-sync-store-private.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define ACKED_THROUGH \
  "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = '" META_OUTBOX_ACKED "'), 0)"
/* More rows saved during a push than this: removed row by row instead. */
#define OUTBOX_KEEP_MAX 20000

/* Rough wire size of a change beyond its strings (JSON keys, numbers). */
#define CHANGE_OVERHEAD 96

void
stp_conflict_free (StpConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->table);
  g_free (conflict->row_id);
  g_free (conflict->field);
  g_free (conflict->field_label);
  g_free (conflict->winner_value);
  g_free (conflict->winner_device);
  g_free (conflict->loser_value);
  g_free (conflict->loser_device);
  g_free (conflict->detected_at);
  g_free (conflict->resident_id);
  g_free (conflict->resident_name);
  g_free (conflict->resolved_at);
  g_free (conflict->resolved_by);
  g_free (conflict->current_value);
  g_free (conflict);
}

char *
_stp_sync_store_column_text (sqlite3_stmt *stmt,
                             int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

void
_stp_sync_store_bind_text (sqlite3_stmt *stmt,
                           int           idx,
                           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
}

/* The column a change names, validated against the descriptors; NULL when
 * this version does not know it.  Only names returned here are put into
 * SQL text. */
const char *
_stp_sync_store_known_column (const StpKindInfo *info,
                              const char        *field)
{
  const StpFieldInfo *fi;

  if (info == NULL || field == NULL)
    return NULL;
  if (g_str_equal (field, "deleted"))
    return "deleted";
  if (g_str_equal (field, "created_at"))
    return "created_at";
  fi = stp_kind_info_find_field (info, field);
  return fi ? fi->name : NULL;
}

gboolean
_stp_sync_store_step (StpStore      *store,
                      sqlite3_stmt  *stmt,
                      GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      stp_store_set_sqlite_error (store, error);
      return FALSE;
    }
  return TRUE;
}

/* --- Outbox --------------------------------------------------------------- */

GPtrArray *
stp_sync_store_peek_outbox (StpStore  *store,
                            gsize      max_bytes,
                            guint      max_rows,
                            GError   **error)
{
  return stp_sync_store_peek_outbox_after (store, 0, max_bytes, max_rows, error);
}

GPtrArray *
stp_sync_store_peek_outbox_after (StpStore  *store,
                                  gint64     after_id,
                                  gsize      max_bytes,
                                  guint      max_rows,
                                  GError   **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) changes = NULL;
  gsize bytes = 0;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = stp_store_prepare (store,
                            "SELECT id, tbl, row_id, field, value, hlc, device, "
                            "base_hlc, base_device FROM outbox WHERE id > max(?, " ACKED_THROUGH ") "
                            "ORDER BY id LIMIT ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int64 (stmt, 2, max_rows > 0 ? (gint64) max_rows : G_MAXINT64);

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpChange *change = stp_change_new ();
      gsize size;

      change->outbox_id = sqlite3_column_int64 (stmt, 0);
      change->table = _stp_sync_store_column_text (stmt, 1);
      change->row_id = _stp_sync_store_column_text (stmt, 2);
      change->field = _stp_sync_store_column_text (stmt, 3);
      change->value = _stp_sync_store_column_text (stmt, 4);
      change->hlc = (guint64) sqlite3_column_int64 (stmt, 5);
      change->device = _stp_sync_store_column_text (stmt, 6);
      change->base_hlc = (guint64) sqlite3_column_int64 (stmt, 7);
      change->base_device = _stp_sync_store_column_text (stmt, 8);

      size = CHANGE_OVERHEAD
             + strlen (change->table) + strlen (change->row_id)
             + strlen (change->field) + strlen (change->device)
             + (change->value ? strlen (change->value) * 2 : 0)
             + (change->base_device ? strlen (change->base_device) : 0);
      if (changes->len > 0 && max_bytes > 0 && bytes + size > max_bytes)
        {
          stp_change_free (change);
          break;
        }
      bytes += size;
      g_ptr_array_add (changes, change);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (store, error);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&changes);
}

gboolean
stp_sync_store_ack_outbox (StpStore      *store,
                           const gint64  *outbox_ids,
                           guint          n,
                           GError       **error)
{
  return stp_sync_store_ack_outbox_at (store, outbox_ids, n, NULL, 0, error);
}

gboolean
stp_sync_store_ack_outbox_at (StpStore      *store,
                              const gint64  *outbox_ids,
                              guint          n,
                              const char    *cursor_key,
                              gint64         new_cursor,
                              GError       **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (n == 0 || outbox_ids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n == 0 && cursor_key == NULL)
    return TRUE;
  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  if (cursor_key != NULL && !_stp_sync_store_write_cursor (store, cursor_key, new_cursor, error))
    return FALSE;
  /* A batch is a run of consecutive ids (peeked in id order), so each run
   * is one range delete instead of one statement per row. */
  stmt = stp_store_prepare (store, "DELETE FROM outbox WHERE id BETWEEN ? AND ?", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n;)
    {
      guint end = i + 1;

      while (end < n && outbox_ids[end] == outbox_ids[end - 1] + 1)
        end++;
      sqlite3_bind_int64 (stmt, 1, outbox_ids[i]);
      sqlite3_bind_int64 (stmt, 2, outbox_ids[end - 1]);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          stp_store_set_sqlite_error (store, error);
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
      i = end;
    }
  return stp_store_transaction_commit (&tx, error);
}

gboolean
stp_sync_store_ack_outbox_through (StpStore    *store,
                                   gint64       last_id,
                                   const char  *cursor_key,
                                   gint64       new_cursor,
                                   GError     **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  if (cursor_key != NULL && !_stp_sync_store_write_cursor (store, cursor_key, new_cursor, error))
    return FALSE;
  stmt = stp_store_prepare (store,
                            "INSERT INTO meta (key, value) VALUES ('" META_OUTBOX_ACKED "', ?1) "
                            "ON CONFLICT (key) DO UPDATE SET value = "
                            "max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last_id);
  if (!_stp_sync_store_step (store, stmt, error))
    return FALSE;
  return stp_store_transaction_commit (&tx, error);
}

gboolean
stp_sync_store_compact_outbox (StpStore  *store,
                               GError   **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  gint64 mark, left;
  char *sql;
  gboolean ok;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);

  /* Nothing marked (most pushes start so): no write lock taken. */
  if (stp_store_query_int (store, "SELECT " ACKED_THROUGH, 0) <= 0)
    return TRUE;
  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  mark = stp_store_query_int (store, "SELECT " ACKED_THROUGH, 0);
  left = stp_store_query_int (store, "SELECT count(*) FROM outbox WHERE id > " ACKED_THROUGH, -1);
  if (left == 0)
    /* Without a WHERE SQLite drops the table's pages at once. */
    sql = sqlite3_mprintf ("DELETE FROM outbox;");
  else if (left > 0 && left <= OUTBOX_KEEP_MAX)
    /* The few saved meanwhile are set aside, the rest dropped at once. */
    sql = sqlite3_mprintf ("CREATE TEMP TABLE stp_outbox_keep AS SELECT * FROM outbox WHERE id > %lld;"
                           "DELETE FROM outbox;"
                           "INSERT INTO outbox SELECT * FROM stp_outbox_keep;"
                           "DROP TABLE stp_outbox_keep;", (long long) mark);
  else
    sql = sqlite3_mprintf ("DELETE FROM outbox WHERE id <= %lld;", (long long) mark);
  ok = stp_store_exec (store, sql, error) &&
       stp_store_exec (store, "DELETE FROM meta WHERE key = '" META_OUTBOX_ACKED "'", error);
  sqlite3_free (sql);
  if (!ok)
    return FALSE;
  g_debug ("Outbox compacted: rows through %" G_GINT64_FORMAT " removed, %" G_GINT64_FORMAT " kept",
           mark, left);
  return stp_store_transaction_commit (&tx, error);
}

gsize
stp_sync_store_count_pending (StpStore *store)
{
  g_return_val_if_fail (STP_IS_STORE (store), 0);
  return (gsize) MAX (stp_store_query_int (store, "SELECT count(*) FROM outbox WHERE id > "
                                                  ACKED_THROUGH, 0), 0);
}

gsize
stp_sync_store_count_parked (StpStore *store)
{
  g_return_val_if_fail (STP_IS_STORE (store), 0);
  return (gsize) MAX (stp_store_query_int (store, "SELECT count(*) FROM parked_changes", 0), 0);
}

gsize
stp_sync_store_count_conflicts (StpStore *store)
{
  g_return_val_if_fail (STP_IS_STORE (store), 0);
  return (gsize) MAX (stp_store_query_int (store, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL", 0), 0);
}

void
stp_sync_store_observe_hlc (StpStore *store,
                            guint64   hlc)
{
  g_return_if_fail (STP_IS_STORE (store));

  if (hlc != 0)
    stp_store_observe_hlc (store, hlc);
}

/* --- Cursor --------------------------------------------------------------- */

gint64
stp_sync_store_get_cursor (StpStore   *store,
                           const char *cursor_key)
{
  sqlite3_stmt *stmt;
  gint64 cursor = 0;

  g_return_val_if_fail (STP_IS_STORE (store), 0);
  g_return_val_if_fail (cursor_key != NULL, 0);

  stmt = stp_store_prepare (store, "SELECT value FROM meta WHERE key = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, cursor_key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    cursor = g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0), NULL, 10);
  sqlite3_reset (stmt);
  return cursor;
}

gboolean
_stp_sync_store_write_cursor (StpStore    *store,
                              const char  *cursor_key,
                              gint64       cursor,
                              GError     **error)
{
  sqlite3_stmt *stmt;
  char buf[32];

  stmt = stp_store_prepare (store,
                            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, cursor);
  sqlite3_bind_text (stmt, 1, cursor_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, buf, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (store, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
stp_sync_store_set_cursor (StpStore    *store,
                           const char  *cursor_key,
                           gint64       cursor,
                           GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (cursor_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return _stp_sync_store_write_cursor (store, cursor_key, cursor, error);
}

/* --- Canonical hash ------------------------------------------------------- */

char *
stp_sync_store_canonical_hash (StpStore *store)
{
  g_autoptr(GChecksum) sum = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  sum = g_checksum_new (G_CHECKSUM_SHA256);
  for (int kind = 0; kind < STP_N_KINDS; kind++)
    {
      const StpKindInfo *info = stp_kind_info ((StpRecordKind) kind);
      g_autoptr(GString) sql = NULL;
      sqlite3_stmt *stmt;

      if (info == NULL)
        continue;
      /* Columns in descriptor order, then the tombstone; rows by id. */
      sql = g_string_new ("SELECT id, deleted");
      for (guint f = 0; f < info->n_fields; f++)
        g_string_append_printf (sql, ", \"%s\"", info->fields[f].name);
      g_string_append_printf (sql, " FROM \"%s\" ORDER BY id", info->table);
      stmt = stp_store_prepare (store, sql->str, NULL);
      if (stmt == NULL)
        return NULL;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          int n = sqlite3_column_count (stmt);

          g_checksum_update (sum, (const guchar *) info->table, -1);
          g_checksum_update (sum, (const guchar *) "\x1e", 1);
          for (int c = 0; c < n; c++)
            {
              const char *name = sqlite3_column_name (stmt, c);
              const char *text = (const char *) sqlite3_column_text (stmt, c);

              g_checksum_update (sum, (const guchar *) name, -1);
              if (text == NULL)
                g_checksum_update (sum, (const guchar *) "\x1f\x01", 2);
              else
                {
                  g_checksum_update (sum, (const guchar *) "\x1f", 1);
                  g_checksum_update (sum, (const guchar *) text, -1);
                }
              g_checksum_update (sum, (const guchar *) "\x1d", 1);
            }
        }
      sqlite3_reset (stmt);
    }

  return g_strdup (g_checksum_get_string (sum));
}

gboolean
stp_sync_store_audit_run (StpStore    *store,
                          const char  *detail,
                          GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (detail != NULL, FALSE);

  return stp_store_audit_login (store, NULL, STP_AUDIT_SYNC, NULL, NULL, detail, error);
}
