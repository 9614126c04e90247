/* stp-server-store-snapshots.c: the center snapshots in the server's
 * database: creating one, its chunks, committing and pruning, reading the
 * latest.  The store, devices, push and pull are in stp-server-store.c. */
#define G_LOG_DOMAIN "stp-server-store"

#include "config.h"

#include "stp-server-store-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Snapshots */

void
stp_server_snapshot_clear (StpServerSnapshot *snapshot)
{
  g_clear_pointer (&snapshot->id, g_free);
  g_clear_pointer (&snapshot->device, g_free);
  g_clear_pointer (&snapshot->manifest, g_free);
  snapshot->seq = snapshot->chunks = snapshot->bytes = 0;
  snapshot->created_at = snapshot->committed_at = 0;
}

static gint64
result_int (StpServerResult *result,
            guint            row,
            guint            col)
{
  const char *text = stp_server_result_get (result, row, col);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

/* Locks the center's counter row until _stp_server_store_commit, as a push does (a row lock
 * in PostgreSQL, the write lock in SQLite), and returns the center's
 * highest seq.  Snapshot creations and commits of one center take it first,
 * so they are serialized with each other and with pushes, and pruning in
 * two commits at once cannot deadlock. */
static gboolean
lock_center (StpServerStore  *store,
             const char      *center,
             gint64          *head_out,
             GError         **error)
{
  g_autoptr(StpServerResult) counter = NULL;
  const char *params[] = { center };

  counter = _stp_server_store_query (store,
                                     "UPDATE center_counters SET next_seq = next_seq WHERE center = $1 "
                                     "RETURNING next_seq", params, 1, error);
  if (counter == NULL)
    return FALSE;
  if (counter->n_rows == 0)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                           _("No such center"));
      return FALSE;
    }
  *head_out = result_int (counter, 0, 0) - 1;
  return TRUE;
}

gboolean
stp_server_store_create_snapshot (StpServerStore           *store,
                                  const char               *center,
                                  const StpServerSnapshot  *snapshot,
                                  gint64                    now,
                                  StpServerSnapshotStatus  *status,
                                  GError                  **error)
{
  g_autoptr(StpServerResult) existing = NULL;
  g_autofree char *seq = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->seq);
  g_autofree char *chunks = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->chunks);
  g_autofree char *bytes = g_strdup_printf ("%" G_GINT64_FORMAT, snapshot->bytes);
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  const char *key_params[] = { center, snapshot->id };
  gint64 head;

  g_return_val_if_fail (snapshot->id != NULL && snapshot->device != NULL &&
                        snapshot->manifest != NULL, FALSE);

  if (!_stp_server_store_begin (store, error))
    return FALSE;

  /* With the center locked the head cannot move under the check, and two
   * creations of one id are serialized. */
  if (!lock_center (store, center, &head, error))
    goto fail;

  existing = _stp_server_store_query (store,
                                      "SELECT device, seq, chunks, bytes, manifest FROM snapshots "
                                      "WHERE center = $1 AND id = $2", key_params, 2, error);
  if (existing == NULL)
    goto fail;
  if (existing->n_rows > 0)
    {
      gboolean same = g_strcmp0 (stp_server_result_get (existing, 0, 0), snapshot->device) == 0 &&
                      result_int (existing, 0, 1) == snapshot->seq &&
                      result_int (existing, 0, 2) == snapshot->chunks &&
                      result_int (existing, 0, 3) == snapshot->bytes &&
                      g_strcmp0 (stp_server_result_get (existing, 0, 4), snapshot->manifest) == 0;

      *status = same ? STP_SERVER_SNAPSHOT_OK : STP_SERVER_SNAPSHOT_CONFLICT;
      _stp_server_store_rollback (store);
      return TRUE;
    }

  if (snapshot->seq > head)
    {
      *status = STP_SERVER_SNAPSHOT_SEQ_BEYOND_HEAD;
      _stp_server_store_rollback (store);
      return TRUE;
    }

  {
    const char *params[] = { center, snapshot->id, snapshot->device, seq, chunks, bytes,
                             snapshot->manifest, now_text };

    if (!_stp_server_store_exec (store,
                                 "INSERT INTO snapshots (center, id, device, seq, chunks, bytes, manifest, "
                                 "created_at, committed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)",
                                 params, 8, error))
      goto fail;
  }

  if (!_stp_server_store_commit (store, error))
    goto fail;
  *status = STP_SERVER_SNAPSHOT_CREATED;
  return TRUE;

fail:
  _stp_server_store_rollback (store);
  return FALSE;
}

/* Locks the snapshot's row until _stp_server_store_commit (a row lock in PostgreSQL; SQLite
 * holds its write lock already) and returns device, seq, chunks, bytes,
 * committed_at, so that concurrent uploads and a _stp_server_store_commit of one snapshot
 * see each other's chunks. */
static StpServerResult *
lock_snapshot (StpServerStore  *store,
               const char      *center,
               const char      *id,
               GError         **error)
{
  const char *params[] = { center, id };

  return _stp_server_store_query (store,
                                  "UPDATE snapshots SET chunks = chunks WHERE center = $1 AND id = $2 "
                                  "RETURNING device, seq, chunks, bytes, committed_at", params, 2, error);
}

gboolean
stp_server_store_put_snapshot_chunk (StpServerStore           *store,
                                     const char               *center,
                                     const char               *id,
                                     const char               *device,
                                     gint64                    n,
                                     gint64                    size,
                                     const char               *body,
                                     StpServerSnapshotStatus  *status,
                                     GError                  **error)
{
  g_autoptr(StpServerResult) snapshot = NULL;
  g_autoptr(StpServerResult) others = NULL;
  g_autofree char *n_text = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  g_autofree char *size_text = g_strdup_printf ("%" G_GINT64_FORMAT, size);
  const char *params[] = { center, id, n_text, size_text, body };

  if (!_stp_server_store_begin (store, error))
    return FALSE;

  if (!(snapshot = lock_snapshot (store, center, id, error)))
    goto fail;

  if (snapshot->n_rows == 0)
    *status = STP_SERVER_SNAPSHOT_NOT_FOUND;
  else if (g_strcmp0 (stp_server_result_get (snapshot, 0, 0), device) != 0)
    *status = STP_SERVER_SNAPSHOT_OTHER_DEVICE;
  else if (stp_server_result_get (snapshot, 0, 4) != NULL)
    *status = STP_SERVER_SNAPSHOT_COMMITTED;
  else if (n < 0 || n >= result_int (snapshot, 0, 2))
    *status = STP_SERVER_SNAPSHOT_BAD_INDEX;
  else
    *status = STP_SERVER_SNAPSHOT_OK;
  if (*status != STP_SERVER_SNAPSHOT_OK)
    {
      _stp_server_store_rollback (store);
      return TRUE;
    }

  /* A chunk sent again replaces the earlier one, so it is left out of the sum. */
  others = _stp_server_store_query (store,
                                    "SELECT COALESCE(SUM(size), 0) FROM snapshot_chunks "
                                    "WHERE center = $1 AND snapshot = $2 AND n <> $3", params, 3, error);
  if (others == NULL)
    goto fail;
  if (result_int (others, 0, 0) + size > result_int (snapshot, 0, 3))
    {
      *status = STP_SERVER_SNAPSHOT_TOO_LARGE;
      _stp_server_store_rollback (store);
      return TRUE;
    }

  if (!_stp_server_store_exec (store,
                               "INSERT INTO snapshot_chunks (center, snapshot, n, size, body) "
                               "VALUES ($1, $2, $3, $4, $5) "
                               "ON CONFLICT (center, snapshot, n) DO UPDATE "
                               "SET size = excluded.size, body = excluded.body", params, 5, error) ||
      !_stp_server_store_commit (store, error))
    goto fail;
  return TRUE;

fail:
  _stp_server_store_rollback (store);
  return FALSE;
}

/* Removes the center's committed snapshots but the newest few, and the
 * uncommitted ones begun before @stale_before, with their chunks. */
static gboolean
prune_snapshots (StpServerStore  *store,
                 const char      *center,
                 gint64           stale_before,
                 GError         **error)
{
  g_autoptr(StpServerResult) doomed = NULL;
  g_autofree char *stale = g_strdup_printf ("%" G_GINT64_FORMAT, stale_before);
  const char *params[] = { center, stale };

  doomed = _stp_server_store_query (store,
                                    "SELECT id FROM snapshots WHERE center = $1 AND "
                                    "((committed_at IS NULL AND created_at < $2) OR "
                                    " (committed_at IS NOT NULL AND id NOT IN "
                                    "   (SELECT id FROM snapshots WHERE center = $1 AND committed_at IS NOT NULL "
                                    "    ORDER BY committed_at DESC, seq DESC, id DESC "
                                    "    LIMIT " G_STRINGIFY (STP_SERVER_SNAPSHOTS_KEPT) ")))",
                                    params, 2, error);
  if (doomed == NULL)
    return FALSE;

  for (guint i = 0; i < doomed->n_rows; i++)
    {
      const char *key[] = { center, stp_server_result_get (doomed, i, 0) };

      if (!_stp_server_store_exec (store, "DELETE FROM snapshot_chunks WHERE center = $1 AND snapshot = $2",
                                   key, 2, error) ||
          !_stp_server_store_exec (store, "DELETE FROM snapshots WHERE center = $1 AND id = $2", key, 2, error))
        return FALSE;
    }
  if (doomed->n_rows > 0)
    g_info ("Removed %u old snapshots of center %s", doomed->n_rows, center);
  return TRUE;
}

gboolean
stp_server_store_commit_snapshot (StpServerStore           *store,
                                  const char               *center,
                                  const char               *id,
                                  const char               *device,
                                  gint64                    now,
                                  StpServerSnapshotStatus  *status,
                                  gint64                   *seq_out,
                                  gint64                   *missing_out,
                                  GError                  **error)
{
  g_autoptr(StpServerResult) snapshot = NULL;
  g_autoptr(StpServerResult) stored = NULL;
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  const char *params[] = { center, id, now_text };
  gint64 missing, head;

  *missing_out = 0;
  if (!_stp_server_store_begin (store, error))
    return FALSE;

  if (!lock_center (store, center, &head, error) ||
      !(snapshot = lock_snapshot (store, center, id, error)))
    goto fail;
  if (snapshot->n_rows == 0)
    {
      *status = STP_SERVER_SNAPSHOT_NOT_FOUND;
      _stp_server_store_rollback (store);
      return TRUE;
    }
  if (g_strcmp0 (stp_server_result_get (snapshot, 0, 0), device) != 0)
    {
      *status = STP_SERVER_SNAPSHOT_OTHER_DEVICE;
      _stp_server_store_rollback (store);
      return TRUE;
    }
  *seq_out = result_int (snapshot, 0, 1);
  if (stp_server_result_get (snapshot, 0, 4) != NULL)
    {
      /* Committed before: a retry after a lost reply. */
      *status = STP_SERVER_SNAPSHOT_OK;
      _stp_server_store_rollback (store);
      return TRUE;
    }

  /* Only chunks 0 .. chunks-1 can be stored, so the count tells what is missing. */
  stored = _stp_server_store_query (store, "SELECT COUNT(*) FROM snapshot_chunks WHERE center = $1 AND snapshot = $2",
                                    params, 2, error);
  if (stored == NULL)
    goto fail;
  missing = result_int (snapshot, 0, 2) - result_int (stored, 0, 0);
  if (missing > 0)
    {
      *status = STP_SERVER_SNAPSHOT_INCOMPLETE;
      *missing_out = missing;
      _stp_server_store_rollback (store);
      return TRUE;
    }

  if (!_stp_server_store_exec (store, "UPDATE snapshots SET committed_at = $3 WHERE center = $1 AND id = $2",
                               params, 3, error) ||
      !prune_snapshots (store, center, now - STP_SERVER_SNAPSHOT_UNCOMMITTED_MILLIS, error) ||
      !_stp_server_store_commit (store, error))
    goto fail;

  *status = STP_SERVER_SNAPSHOT_OK;
  return TRUE;

fail:
  _stp_server_store_rollback (store);
  return FALSE;
}

gboolean
stp_server_store_latest_snapshot (StpServerStore     *store,
                                  const char         *center,
                                  StpServerSnapshot  *snapshot,
                                  gint64             *head_out,
                                  gint64             *log_bytes_after_out,
                                  GError            **error)
{
  g_autoptr(StpServerResult) latest = NULL;
  g_autoptr(StpServerResult) log = NULL;
  g_autofree char *after = NULL;
  const char *center_params[] = { center };

  latest = _stp_server_store_query (store,
                                    "SELECT id, device, seq, chunks, bytes, manifest, created_at, committed_at "
                                    "FROM snapshots WHERE center = $1 AND committed_at IS NOT NULL "
                                    "ORDER BY seq DESC, committed_at DESC, id DESC LIMIT 1",
                                    center_params, 1, error);
  if (latest == NULL)
    return FALSE;
  if (latest->n_rows > 0)
    {
      snapshot->id = g_strdup (stp_server_result_get (latest, 0, 0));
      snapshot->device = g_strdup (stp_server_result_get (latest, 0, 1));
      snapshot->seq = result_int (latest, 0, 2);
      snapshot->chunks = result_int (latest, 0, 3);
      snapshot->bytes = result_int (latest, 0, 4);
      snapshot->manifest = g_strdup (stp_server_result_get (latest, 0, 5));
      snapshot->created_at = result_int (latest, 0, 6);
      snapshot->committed_at = result_int (latest, 0, 7);
    }

  /* One statement, so the head and the length agree with each other even
   * while pushes _stp_server_store_commit.  The stored bodies are canonical JSON of ASCII
   * values (ids, numbers, base64), so characters are bytes. */
  after = g_strdup_printf ("%" G_GINT64_FORMAT, latest->n_rows > 0 ? snapshot->seq : 0);
  {
    const char *params[] = { center, after };

    log = _stp_server_store_query (store,
                                   "SELECT (SELECT COALESCE(MAX(seq), 0) FROM envelopes WHERE center = $1), "
                                   "(SELECT COALESCE(SUM(LENGTH(body)), 0) FROM envelopes "
                                   " WHERE center = $1 AND seq > $2)", params, 2, error);
  }
  if (log == NULL)
    {
      stp_server_snapshot_clear (snapshot);
      return FALSE;
    }
  *head_out = result_int (log, 0, 0);
  *log_bytes_after_out = result_int (log, 0, 1);
  return TRUE;
}

char *
stp_server_store_get_snapshot_chunk (StpServerStore  *store,
                                     const char      *center,
                                     const char      *id,
                                     gint64           n,
                                     GError         **error)
{
  g_autoptr(StpServerResult) result = NULL;
  g_autofree char *n_text = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  const char *params[] = { center, id, n_text };

  result = _stp_server_store_query (store,
                                    "SELECT c.body FROM snapshot_chunks c "
                                    "JOIN snapshots s ON s.center = c.center AND s.id = c.snapshot "
                                    "WHERE c.center = $1 AND c.snapshot = $2 AND c.n = $3 "
                                    "AND s.committed_at IS NOT NULL", params, 3, error);
  if (result == NULL)
    return NULL;
  if (result->n_rows == 0)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                           _("No such snapshot chunk"));
      return NULL;
    }
  return g_strdup (stp_server_result_get (result, 0, 0));
}
