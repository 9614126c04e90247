/* stp-sync-engine-exchange.c: syncing through a file (stp-sync-exchange.h).
 *
 * Writing a file is a push into a file: the outbox, batch by batch,
 * encoded and sealed as stp-sync-engine-push.c does, without removing a
 * row (the server has not got them).  Reading one is a pull from a file:
 * the whole file is checked first (stp_exchange_file_read(): its hash, its
 * center, and here every batch decrypted and read), then each batch is
 * applied as stp-sync-engine-pull.c applies a page.  Both run on a worker
 * thread with the engine's own connections, and not beside a sync run. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-exchange.h"
#include "stp-sync-engine-private.h"
#include "stp-sync-batch.h"
#include "stp-sync-store.h"
#include "stp-exchange-file.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

/* A batch of the file stays within what a push may send and a pull
 * returns (docs/PROTOCOL.md, "Limits"). */
#define EXCHANGE_BODY_BYTES  DEFAULT_BATCH_BYTES
#define EXCHANGE_RAW_BYTES   (4 * EXCHANGE_BODY_BYTES)

typedef struct
{
  StpStore *store;          /* the reader (export) or the worker connection */
  char     *path;
  char     *center;
  char     *device;
  char     *key_id;
  guint8    key[STP_CENTER_KEY_BYTES];

  /* Outputs. */
  guint     changes;
  guint64   max_hlc;
  gint64    cursor;
} ExchangeJob;

static void
exchange_job_free (ExchangeJob *job)
{
  g_clear_object (&job->store);
  g_free (job->path);
  g_free (job->center);
  g_free (job->device);
  g_free (job->key_id);
  sodium_memzero (job->key, sizeof job->key);
  g_free (job);
}

/* NULL (with the task answered) when the engine cannot start a job now. */
static ExchangeJob *
exchange_job_new (StpSyncEngine *self,
                  const char    *path,
                  gboolean       for_import,
                  GTask         *task)
{
  ExchangeJob *job;
  StpStore *store;
  GError *error = NULL;

  if (self->running)
    {
      g_task_return_new_error (task, STP_SYNC_ERROR, STP_SYNC_ERROR_BUSY,
                               _("A synchronization is already running"));
      return NULL;
    }
  if (!stp_sync_engine_is_enrolled (self) || !self->have_key)
    {
      g_task_return_new_error (task, STP_SYNC_ERROR, STP_SYNC_ERROR_NOT_ENROLLED,
                               _("This computer is not connected to a center yet: "
                                 "an exchange file needs the center key"));
      return NULL;
    }
  store = for_import ? _stp_sync_engine_get_secondary (self, &error)
                     : _stp_sync_engine_get_reader (self, &error);
  if (store == NULL)
    {
      g_task_return_error (task, error);
      return NULL;
    }
  job = g_new0 (ExchangeJob, 1);
  job->store = g_object_ref (store);
  job->path = g_strdup (path);
  job->center = g_strdup (self->center);
  job->device = g_strdup (self->device);
  job->key_id = g_strdup (self->key_id);
  memcpy (job->key, self->key, sizeof job->key);
  return job;
}

/* --- Writing a file ----------------------------------------------------------- */

/* Seals the next outbox rows after *@after into @writer; FALSE with no
 * error when nothing is left. */
static gboolean
export_batch (ExchangeJob        *job,
              StpExchangeWriter  *writer,
              gint64             *after,
              GError            **error)
{
  guint max_rows = MAX_BATCH_ROWS;

  for (;;)
    {
      g_autoptr(GPtrArray) changes = NULL;
      g_autoptr(GBytes) plaintext = NULL;
      g_autoptr(StpEnvelope) envelope = NULL;
      g_autofree char *msg_id = NULL;
      g_autofree char *json = NULL;
      guint64 max_hlc = 0;

      changes = stp_sync_store_peek_outbox_after (job->store, *after, EXCHANGE_RAW_BYTES,
                                                  max_rows, error);
      if (changes == NULL || changes->len == 0)
        return FALSE;
      plaintext = stp_sync_batch_encode (changes, &max_hlc);
      if (plaintext != NULL)
        {
          msg_id = stp_sync_batch_msg_id (job->device, plaintext);
          envelope = stp_envelope_new (job->center, job->device, msg_id, max_hlc,
                                       STP_SCHEMA_VERSION, job->key_id);
          if (!stp_envelope_seal (envelope, job->key, g_bytes_get_data (plaintext, NULL),
                                  g_bytes_get_size (plaintext), error))
            return FALSE;
          json = stp_envelope_to_json (envelope);
        }
      if (json == NULL || (strlen (json) > EXCHANGE_BODY_BYTES && changes->len > 1))
        {
          if (changes->len == 1)
            {
              g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                                   _("One change is too large to send"));
              return FALSE;
            }
          max_rows = changes->len / 2;
          continue;
        }
      if (!stp_exchange_writer_add_json (writer, json, 0, error))
        return FALSE;
      *after = ((StpChange *) changes->pdata[changes->len - 1])->outbox_id;
      job->changes += changes->len;
      return TRUE;
    }
}

static void
export_thread (GTask         *task,
               gpointer       source,
               gpointer       data,
               GCancellable  *cancellable)
{
  ExchangeJob *job = data;
  g_autoptr(StpExchangeWriter) writer = NULL;
  GError *error = NULL;
  gint64 after = 0;

  if (!(writer = stp_exchange_writer_new (job->path, job->center, job->device, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  while (export_batch (job, writer, &after, &error))
    if (g_task_return_error_if_cancelled (task))
      return;
  if (error != NULL || !stp_exchange_writer_finish (writer, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* --- Reading a file ------------------------------------------------------------ */

static GPtrArray *
open_batch (ExchangeJob        *job,
            const StpEnvelope  *envelope,
            GError            **error)
{
  g_autoptr(GBytes) plaintext = stp_envelope_open (envelope, job->key, NULL);

  if (plaintext == NULL)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                           _("A change batch in the exchange file could not be decrypted: "
                             "the file is damaged or was sealed under another center key. "
                             "Nothing was applied."));
      return NULL;
    }
  return stp_sync_batch_decode (g_bytes_get_data (plaintext, NULL),
                                g_bytes_get_size (plaintext), error);
}

static gboolean
check_envelope (const StpEnvelope  *envelope,
                const char         *envelope_json,
                gint64              seq,
                gpointer            user_data,
                GError            **error)
{
  g_autoptr(GPtrArray) changes = open_batch (user_data, envelope, error);

  return changes != NULL;
}

static gboolean
apply_envelope (const StpEnvelope  *envelope,
                const char         *envelope_json,
                gint64              seq,
                gpointer            user_data,
                GError            **error)
{
  ExchangeJob *job = user_data;
  g_autoptr(GPtrArray) changes = open_batch (job, envelope, error);
  StpApplyStats stats;
  /* A batch that follows the cursor without a gap moves it, as a pull
   * would; others (a computer's file, or seqs already seen) are applied
   * without touching it. */
  gboolean next = seq > 0 && seq == job->cursor + 1;

  if (changes == NULL)
    return FALSE;
  for (guint i = 0; i < changes->len; i++)
    job->max_hlc = MAX (job->max_hlc, ((StpChange *) changes->pdata[i])->hlc);
  if (g_strcmp0 (envelope->device, job->device) != 0)
    job->changes += changes->len;
  if (!stp_sync_store_apply_page (job->store, changes, next ? CURSOR_KEY : NULL,
                                  next ? seq : 0, &stats, error))
    return FALSE;
  if (next)
    job->cursor = seq;
  return TRUE;
}

static void
import_thread (GTask         *task,
               gpointer       source,
               gpointer       data,
               GCancellable  *cancellable)
{
  ExchangeJob *job = data;
  g_autoptr(StpExchangeInfo) info = NULL;
  GError *error = NULL;

  job->cursor = stp_sync_store_get_cursor (job->store, CURSOR_KEY);
  info = stp_exchange_file_read (job->path, job->center, check_envelope, apply_envelope,
                                 job, &error);
  if (info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_debug ("exchange: read %u batches from %s, %u changes from others", info->count,
           info->from, job->changes);
  g_task_return_boolean (task, TRUE);
}

/* --- Starting and ending ----------------------------------------------------- */

static void
exchange_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (source);
  GTask *outer = user_data;
  ExchangeJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  self->running = FALSE;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* A refused file is the dialog's to show, not a sync failure. */
      _stp_sync_engine_set_state (self, STP_SYNC_STATE_IDLE);
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  /* As after a pull: later local edits order after what came in, and the
   * window reads the database again when the state goes back to idle. */
  if (self->store != NULL)
    stp_sync_store_observe_hlc (self->store, job->max_hlc);
  _stp_sync_engine_set_last_error (self, NULL);
  _stp_sync_engine_set_state (self, STP_SYNC_STATE_IDLE);
  g_task_set_task_data (outer, GUINT_TO_POINTER (job->changes), NULL);
  g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

static void
exchange_start (StpSyncEngine        *self,
                const char           *path,
                gboolean              for_import,
                gpointer              source_tag,
                GCancellable         *cancellable,
                GAsyncReadyCallback   callback,
                gpointer              user_data)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GTask) task = NULL;
  ExchangeJob *job;

  g_task_set_source_tag (outer, source_tag);
  if (!(job = exchange_job_new (self, path, for_import, outer)))
    {
      g_object_unref (outer);
      return;
    }
  self->running = TRUE;
  _stp_sync_engine_set_state (self, STP_SYNC_STATE_SYNCING);
  task = g_task_new (self, cancellable, exchange_done, outer);
  g_task_set_task_data (task, job, (GDestroyNotify) exchange_job_free);
  g_task_run_in_thread (task, for_import ? import_thread : export_thread);
}

static gboolean
exchange_finish (StpSyncEngine  *self,
                 GAsyncResult   *result,
                 guint          *out_changes,
                 GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  if (out_changes != NULL)
    *out_changes = GPOINTER_TO_UINT (g_task_get_task_data (G_TASK (result)));
  return TRUE;
}

void
stp_sync_engine_export_file_async (StpSyncEngine        *self,
                                   const char           *path,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (path != NULL);

  exchange_start (self, path, FALSE, stp_sync_engine_export_file_async,
                  cancellable, callback, user_data);
}

gboolean
stp_sync_engine_export_file_finish (StpSyncEngine  *self,
                                    GAsyncResult   *result,
                                    guint          *out_changes,
                                    GError        **error)
{
  return exchange_finish (self, result, out_changes, error);
}

void
stp_sync_engine_import_file_async (StpSyncEngine        *self,
                                   const char           *path,
                                   GCancellable         *cancellable,
                                   GAsyncReadyCallback   callback,
                                   gpointer              user_data)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (path != NULL);

  exchange_start (self, path, TRUE, stp_sync_engine_import_file_async,
                  cancellable, callback, user_data);
}

gboolean
stp_sync_engine_import_file_finish (StpSyncEngine  *self,
                                    GAsyncResult   *result,
                                    guint          *out_changes,
                                    GError        **error)
{
  return exchange_finish (self, result, out_changes, error);
}
