/* stp-sync-engine-pull.c: receiving other devices' changes and applying
 * them (one step of a sync run, on its worker thread).
 *
 * The pull is a pipeline: this thread downloads, decrypts and reads the
 * batches (fetch_page()) while an applier thread writes them
 * (PullApplier), so that the network, the decryption and the database
 * overlap instead of taking turns.  The applier makes the same
 * transactions, with the same cursors, as a single thread would. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-engine-private.h"
#include "stp-sync-batch.h"
#include "stp-sync-store.h"
#include "stp-sync-replies.h"
#include "stp-envelope.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

/* Changes applied per transaction: bounds how long the worker holds the
 * database write lock (about 0.2 s here for 10000 new fields), while
 * keeping the commits (each an fsync of the WAL with synchronous=FULL)
 * few: 2000 made the first sync of 100k residents commit 600 times. */
#define APPLY_CHUNK          10000
#define PULL_QUEUE_MAX 4   /* batches read ahead of the applier */
/* And at most this many changes (but always one batch): a batch holds up
 * to MAX_BATCH_ROWS changes, some 15 MB once read. */
#define PULL_QUEUE_MAX_CHANGES (2 * MAX_BATCH_ROWS)
/* Pages are sized to about this many bytes from the size of the envelopes
 * seen so far: small enough that the next page downloads while the
 * applier works on the last one (and that a page of 4 MiB batches is not
 * held whole in memory), large enough that small batches still come in
 * few requests. */
#define PULL_PAGE_BYTES (8 * 1024 * 1024)
#define PULL_FIRST_LIMIT 2

/* Collects changes into transactions of APPLY_CHUNK. */
typedef struct
{
  StpSyncRun *run;
  GPtrArray  *pending;     /* StpChange, owned */
  guint       chunks;
} PullApplier;

/* One read batch (or the end of a page) on its way to the applier. */
typedef struct
{
  GPtrArray *changes;      /* StpChange, owned; NULL: nothing to apply */
  gint64     seq;          /* the batch's seq, or the page's last seq */
  gboolean   page_end;     /* moves the cursor to @seq */
  gboolean   own;          /* a batch this device pushed */
  /* An authentic batch that could not be read: parked, not applied. */
  char      *park_envelope; /* the envelope, JSON, still sealed */
  char      *park_device;
  char      *park_key_id;
  char      *park_reason;
} PullItem;

typedef struct
{
  GMutex       lock;
  GCond        cond;
  GQueue       items;      /* PullItem, owned */
  guint        queued;     /* changes in @items */
  gboolean     done;       /* no more items will come */
  gboolean     failed;     /* the applier stopped on @error */
  GError      *error;
  PullApplier  applier;
} PullPipe;

static gboolean fetch_page     (StpSyncRun    *run,
                                PullPipe      *pipe,
                                gint64        *cursor,
                                guint         *limit,
                                gboolean      *more,
                                GCancellable  *cancellable,
                                GError       **error);
static gboolean read_envelope  (StpSyncRun    *run,
                                PullPipe      *pipe,
                                JsonObject    *item,
                                GError       **error);
static gboolean pull_pipe_push (PullPipe      *pipe,
                                GPtrArray     *changes,
                                gint64         seq,
                                gboolean       page_end,
                                gboolean       own);
static gboolean pull_pipe_push_item (PullPipe *pipe,
                                     PullItem *item);
static gpointer applier_thread (gpointer       data);
static void     pull_item_free (PullItem      *item);

/* --- Pages ----------------------------------------------------------------- */

gboolean
_stp_sync_run_pull (StpSyncRun    *run,
                    GCancellable  *cancellable,
                    GError       **error)
{
  PullPipe pipe = { 0, };
  GThread *thread;
  gint64 cursor = stp_sync_store_get_cursor (run->secondary, CURSOR_KEY);
  guint limit = MIN (run->pull_limit, PULL_FIRST_LIMIT);
  gboolean more = TRUE;
  gboolean ok = TRUE;
  g_autoptr(GError) fetch_error = NULL;

  g_mutex_init (&pipe.lock);
  g_cond_init (&pipe.cond);
  g_queue_init (&pipe.items);
  pipe.applier.run = run;
  pipe.applier.pending = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  thread = g_thread_new ("stp-sync-apply", applier_thread, &pipe);

  while (ok && more)
    ok = fetch_page (run, &pipe, &cursor, &limit, &more, cancellable, &fetch_error);

  g_mutex_lock (&pipe.lock);
  pipe.done = TRUE;
  /* On a download error the batches already read are still applied, as
   * they were when one thread did both. */
  g_cond_broadcast (&pipe.cond);
  g_mutex_unlock (&pipe.lock);
  g_thread_join (thread);

  if (pipe.error != NULL)
    {
      g_propagate_error (error, pipe.error);
      ok = FALSE;
    }
  else if (fetch_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&fetch_error));
      ok = FALSE;
    }
  if (ok)
    g_debug ("pull: %.2f s waiting for the server, %.2f s decrypting and reading batches, "
             "%.2f s applying (beside the others)",
             run->usec_http / 1e6, run->usec_decode / 1e6, run->usec_apply / 1e6);

  g_ptr_array_unref (pipe.applier.pending);
  g_queue_clear_full (&pipe.items, (GDestroyNotify) pull_item_free);
  g_mutex_clear (&pipe.lock);
  g_cond_clear (&pipe.cond);
  return ok;
}

/* Downloads, decrypts and reads one page; FALSE on error, or (with no
 * error set) when the applier failed. */
static gboolean
fetch_page (StpSyncRun    *run,
            PullPipe      *pipe,
            gint64        *cursor,
            guint         *limit,
            gboolean      *more,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *path = NULL;
  StpSyncReply reply;
  g_autoptr(GError) local_error = NULL;
  JsonArray *envelopes = NULL;
  gint64 last_seq = 0;
  gint64 t_http;
  gboolean ok = FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  path = g_strdup_printf ("/v1/centers/%s/pull?after=%" G_GINT64_FORMAT "&limit=%u",
                          run->center, *cursor, *limit);
  t_http = g_get_monotonic_time ();
  if (!stp_sync_client_request (run->client, SOUP_METHOD_GET, path, NULL, 0, &reply,
                                cancellable, error))
    return FALSE;
  run->usec_http += g_get_monotonic_time () - t_http;
  if (!stp_sync_reply_is_ok_object (&reply))
    {
      stp_sync_reply_set_error (&reply, error);
      goto out;
    }
  /* Every member is checked before any batch goes to the applier: a page
   * in another form moves nothing, not even the cursor. */
  if (!stp_sync_read_pull_page (json_node_get_object (reply.json), *cursor, &envelopes, &last_seq,
                                more, &local_error))
    {
      stp_sync_set_unexpected (error, _("The server answered the pull in an unexpected form"),
                               local_error);
      goto out;
    }
  if (json_array_get_length (envelopes) > 0)
    {
      gsize per_envelope = g_bytes_get_size (reply.body) / json_array_get_length (envelopes);

      *limit = (guint) CLAMP (PULL_PAGE_BYTES / MAX (per_envelope, 1), 1, run->pull_limit);
    }

  for (guint i = 0; i < json_array_get_length (envelopes); i++)
    {
      if (!read_envelope (run, pipe, json_array_get_object_element (envelopes, i), error))
        goto out;
    }
  if (last_seq != *cursor && !pull_pipe_push (pipe, NULL, last_seq, TRUE, FALSE))
    goto out;
  if (last_seq == *cursor)
    *more = FALSE;
  *cursor = last_seq;
  ok = TRUE;

out:
  stp_sync_reply_clear (&reply);
  return ok;
}

/* Decrypts and reads one batch of a page and hands it to the applier. */
static gboolean
read_envelope (StpSyncRun  *run,
               PullPipe    *pipe,
               JsonObject  *item,
               GError     **error)
{
  g_autoptr(StpEnvelope) envelope = NULL;
  g_autoptr(GBytes) plaintext = NULL;
  GPtrArray *changes;
  /* Checked by stp_sync_read_pull_page(). */
  gint64 seq = json_node_get_int (json_object_get_member (item, "seq"));
  g_autoptr(GError) local_error = NULL;
  gboolean own;
  gint64 t0;

  envelope = stp_envelope_from_json_node (json_object_get_member (item, "envelope"), error);
  if (envelope == NULL)
    return FALSE;
  /* This device's own batches are applied like the others: they change
   * nothing where its file already has them, and bring them back where it
   * does not (a file restored from a backup).  The cursor skips those that
   * directly follow it (stp-sync-engine-push.c). */
  own = g_strcmp0 (envelope->device, run->device) == 0;
  t0 = g_get_monotonic_time ();
  /* A batch that does not authenticate (altered on the way, another key)
   * is the server misbehaving, not a device of this center: the pull stops
   * before it, as for a page in an unexpected form. */
  plaintext = stp_envelope_open (envelope, run->key, error);
  if (plaintext == NULL)
    {
      g_prefix_error (error, _("A change batch could not be decrypted: "));
      return FALSE;
    }
  changes = stp_sync_batch_decode (g_bytes_get_data (plaintext, NULL),
                                   g_bytes_get_size (plaintext), &local_error);
  run->usec_decode += g_get_monotonic_time () - t0;
  if (changes == NULL)
    {
      /* Authentic, so written by a device of this center, but not
       * readable here (a newer format, or malformed): parked whole, still
       * sealed, and the pull goes on (docs/ARCHITECTURE.md, "Parking"). */
      PullItem *parked = g_new0 (PullItem, 1);

      parked->seq = seq;
      parked->park_envelope = stp_envelope_to_json (envelope);
      parked->park_device = g_strdup (envelope->device);
      parked->park_key_id = g_strdup (envelope->key_id);
      parked->park_reason = g_strdup (local_error->message);
      return pull_pipe_push_item (pipe, parked);
    }
  return pull_pipe_push (pipe, changes, seq, FALSE, own);
}

/* --- Parked batches ----------------------------------------------------------- */

/* The changes of a parked batch, or NULL with @error when it still cannot
 * be opened or read. */
static GPtrArray *
read_parked_batch (StpSyncRun      *run,
                   StpParkedBatch  *batch,
                   GError         **error)
{
  g_autoptr(StpEnvelope) envelope = NULL;
  g_autoptr(GBytes) plaintext = NULL;

  envelope = stp_envelope_from_json (batch->envelope, -1, error);
  if (envelope == NULL)
    return NULL;
  plaintext = stp_envelope_open (envelope, run->key, error);
  if (plaintext == NULL)
    return NULL;
  return stp_sync_batch_decode (g_bytes_get_data (plaintext, NULL),
                                g_bytes_get_size (plaintext), error);
}

gboolean
_stp_sync_run_retry_parked_batches (StpSyncRun  *run,
                                    GError     **error)
{
  g_autoptr(GPtrArray) batches = NULL;

  batches = stp_sync_store_list_parked_batches (run->secondary, error);
  if (batches == NULL)
    return FALSE;
  for (guint i = 0; i < batches->len; i++)
    {
      StpParkedBatch *batch = g_ptr_array_index (batches, i);
      g_autoptr(GPtrArray) changes = NULL;
      g_autoptr(GError) local_error = NULL;
      StpApplyStats stats = { 0, };

      changes = read_parked_batch (run, batch, &local_error);
      if (changes == NULL)
        {
          if (g_strcmp0 (local_error->message, batch->reason) != 0
              && !stp_sync_store_set_parked_batch_reason (run->secondary, batch->id,
                                                          local_error->message, error))
            return FALSE;
          continue;
        }
      if (!stp_sync_store_apply_parked_batch (run->secondary, batch->id, changes, &stats, error))
        return FALSE;
      for (guint c = 0; c < changes->len; c++)
        run->max_remote_hlc = MAX (run->max_remote_hlc,
                                   ((StpChange *) changes->pdata[c])->hlc);
      if (g_strcmp0 (batch->device, run->device) != 0)
        g_atomic_int_add ((gint *) &run->pulled, (gint) changes->len);
      run->conflicts += stats.conflicts;
      run->batches_read++;
      g_message ("The parked change batch %" G_GINT64_FORMAT " from device %s is readable "
                 "now: %u changes applied", batch->seq, batch->device, changes->len);
    }
  return TRUE;
}

/* --- The queue between the reader and the applier ------------------------ */

static void
pull_item_free (PullItem *item)
{
  g_clear_pointer (&item->changes, g_ptr_array_unref);
  g_free (item->park_envelope);
  g_free (item->park_device);
  g_free (item->park_key_id);
  g_free (item->park_reason);
  g_free (item);
}

/* Takes @changes.  FALSE when the applier failed: the item is dropped and
 * the pull stops. */
static gboolean
pull_pipe_push (PullPipe  *pipe,
                GPtrArray *changes,
                gint64     seq,
                gboolean   page_end,
                gboolean   own)
{
  PullItem *item = g_new0 (PullItem, 1);

  item->changes = changes;
  item->seq = seq;
  item->page_end = page_end;
  item->own = own;
  return pull_pipe_push_item (pipe, item);
}

/* Takes @item; as pull_pipe_push(). */
static gboolean
pull_pipe_push_item (PullPipe *pipe,
                     PullItem *item)
{
  GPtrArray *changes = item->changes;
  gboolean ok;

  g_mutex_lock (&pipe->lock);
  while (!pipe->failed
         && (pipe->items.length >= PULL_QUEUE_MAX
             || (pipe->items.length > 0
                 && pipe->queued + (changes != NULL ? changes->len : 0) > PULL_QUEUE_MAX_CHANGES)))
    g_cond_wait (&pipe->cond, &pipe->lock);
  ok = !pipe->failed;
  if (ok)
    {
      g_queue_push_tail (&pipe->items, item);
      pipe->queued += changes != NULL ? changes->len : 0;
      g_cond_broadcast (&pipe->cond);
    }
  g_mutex_unlock (&pipe->lock);
  if (!ok)
    pull_item_free (item);
  return ok;
}

/* --- The applier ------------------------------------------------------------ */

static gboolean
applier_flush (PullApplier  *applier,
               gboolean      with_cursor,
               gint64        cursor,
               GError      **error)
{
  StpSyncRun *run = applier->run;
  StpApplyStats stats;
  gint64 t0;

  if (applier->pending->len == 0 && !with_cursor)
    return TRUE;
  t0 = g_get_monotonic_time ();
  if (!stp_sync_store_apply_page (run->secondary, applier->pending,
                                  with_cursor ? CURSOR_KEY : NULL, cursor, &stats, error))
    return FALSE;
  run->usec_apply += g_get_monotonic_time () - t0;
  run->conflicts += stats.conflicts;
  g_ptr_array_set_size (applier->pending, 0);
  applier->chunks++;
  if (run->hook != NULL)
    run->hook (applier->chunks, run->hook_data);
  return TRUE;
}

static gboolean
apply_item (PullApplier  *applier,
            PullItem     *item,
            GError      **error)
{
  StpSyncRun *run = applier->run;

  if (item->page_end)
    return applier_flush (applier, TRUE, item->seq, error);
  if (item->park_envelope != NULL)
    {
      /* The batches before it first (their cursor follows with the
       * parking: applying them again after a crash is harmless). */
      if (!applier_flush (applier, FALSE, 0, error)
          || !stp_sync_store_park_batch (run->secondary, item->seq, item->park_device,
                                         item->park_key_id, item->park_envelope,
                                         item->park_reason, CURSOR_KEY, item->seq, error))
        return FALSE;
      run->batches_parked++;
      /* Never personal data: the batch's seq, its device and the reason. */
      g_message ("The change batch %" G_GINT64_FORMAT " from device %s is not readable by "
                 "this version; parked for a newer one: %s",
                 item->seq, item->park_device, item->park_reason);
      return TRUE;
    }
  if (item->changes == NULL)
    return TRUE;
  /* Received from the others; this device's own batches come back only
   * when others' lie between them, or after its file was restored. */
  if (!item->own)
    g_atomic_int_add ((gint *) &run->pulled, (gint) item->changes->len);
  for (guint c = 0; c < item->changes->len; c++)
    {
      run->max_remote_hlc = MAX (run->max_remote_hlc,
                                 ((StpChange *) item->changes->pdata[c])->hlc);
      g_ptr_array_add (applier->pending, g_steal_pointer (&item->changes->pdata[c]));
      /* Mid-batch chunks do not move the cursor: after a crash the batch
       * is applied again, harmlessly. */
      if (applier->pending->len >= APPLY_CHUNK
          && !applier_flush (applier, c + 1 == item->changes->len, item->seq, error))
        return FALSE;
    }
  if (applier->pending->len >= APPLY_CHUNK / 2
      && !applier_flush (applier, TRUE, item->seq, error))
    return FALSE;
  return TRUE;
}

static gpointer
applier_thread (gpointer data)
{
  PullPipe *pipe = data;

  for (;;)
    {
      PullItem *item;
      GError *error = NULL;

      g_mutex_lock (&pipe->lock);
      while (pipe->items.length == 0 && !pipe->done)
        g_cond_wait (&pipe->cond, &pipe->lock);
      item = g_queue_pop_head (&pipe->items);
      if (item != NULL && item->changes != NULL)
        pipe->queued -= item->changes->len;
      g_cond_broadcast (&pipe->cond);
      g_mutex_unlock (&pipe->lock);
      if (item == NULL)
        break;
      if (!apply_item (&pipe->applier, item, &error))
        {
          g_mutex_lock (&pipe->lock);
          pipe->failed = TRUE;
          pipe->error = error;
          g_queue_clear_full (&pipe->items, (GDestroyNotify) pull_item_free);
          g_cond_broadcast (&pipe->cond);
          g_mutex_unlock (&pipe->lock);
          pull_item_free (item);
          break;
        }
      pull_item_free (item);
    }
  return NULL;
}
