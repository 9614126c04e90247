/* stp-sync-store-batches.c: (sync store) parked batches, the change
 * batches of other devices of the center that decrypted and authenticated
 * but that this version could not read.  They are kept sealed, the pull
 * moves past them, and every sync tries them again (src/sync), so that one
 * unreadable batch never stops the devices of a center from receiving the
 * changes after it (docs/ARCHITECTURE.md, "Parking"). */
#define G_LOG_DOMAIN "stp-sync-store"

#include "config.h"

#include "stp-sync-store.h"
#include "stp-sync-store-private.h"

void
stp_parked_batch_free (StpParkedBatch *batch)
{
  if (batch == NULL)
    return;
  g_free (batch->device);
  g_free (batch->key_id);
  g_free (batch->envelope);
  g_free (batch->reason);
  g_free (batch);
}

gboolean
stp_sync_store_park_batch (StpStore    *store,
                           gint64       seq,
                           const char  *device,
                           const char  *key_id,
                           const char  *envelope_json,
                           const char  *reason,
                           const char  *cursor_key,
                           gint64       new_cursor,
                           GError     **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (device != NULL && key_id != NULL, FALSE);
  g_return_val_if_fail (envelope_json != NULL && reason != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now = stp_format_moment (stp_store_now (store));
  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  stmt = stp_store_prepare (store,
                            "INSERT INTO parked_batches (seq, device, key_id, envelope, reason, "
                            "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
                            "ON CONFLICT (seq) DO UPDATE SET reason = excluded.reason",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, seq);
  sqlite3_bind_text (stmt, 2, device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, key_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, envelope_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, now, -1, SQLITE_TRANSIENT);
  if (!_stp_sync_store_step (store, stmt, error))
    return FALSE;
  if (cursor_key != NULL && !_stp_sync_store_write_cursor (store, cursor_key, new_cursor, error))
    return FALSE;
  return stp_store_transaction_commit (&tx, error);
}

GPtrArray *
stp_sync_store_list_parked_batches (StpStore  *store,
                                    GError   **error)
{
  g_autoptr(GPtrArray) batches = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = stp_store_prepare (store,
                            "SELECT id, seq, device, key_id, envelope, reason "
                            "FROM parked_batches ORDER BY seq",
                            error);
  if (stmt == NULL)
    return NULL;
  batches = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_parked_batch_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpParkedBatch *batch = g_new0 (StpParkedBatch, 1);

      batch->id = sqlite3_column_int64 (stmt, 0);
      batch->seq = sqlite3_column_int64 (stmt, 1);
      batch->device = _stp_sync_store_column_text (stmt, 2);
      batch->key_id = _stp_sync_store_column_text (stmt, 3);
      batch->envelope = _stp_sync_store_column_text (stmt, 4);
      batch->reason = _stp_sync_store_column_text (stmt, 5);
      g_ptr_array_add (batches, batch);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (store, error);
      return NULL;
    }
  return g_steal_pointer (&batches);
}

gboolean
stp_sync_store_set_parked_batch_reason (StpStore    *store,
                                        gint64       id,
                                        const char  *reason,
                                        GError     **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (reason != NULL, FALSE);

  stmt = stp_store_prepare (store, "UPDATE parked_batches SET reason = ? WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, id);
  return _stp_sync_store_step (store, stmt, error);
}

gsize
stp_sync_store_count_parked_batches (StpStore *store)
{
  g_return_val_if_fail (STP_IS_STORE (store), 0);
  return (gsize) MAX (stp_store_query_int (store, "SELECT count(*) FROM parked_batches", 0), 0);
}
