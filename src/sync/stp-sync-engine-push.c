/* stp-sync-engine-push.c: sending the outbox to the server, batch by batch
 * (one step of a sync run, on its worker thread).
 *
 * Read top-down: _stp_sync_run_push() loops over batches; push_send()
 * sends one while the next is sealed beside it; read_push_result() reads
 * the server's answer; the batches themselves (PushBatch) and the thread
 * that removes acknowledged rows (Acker) come last.
 *
 * Sending, sealing and acknowledging overlap: while one batch is on its
 * way to the server, a helper thread peeks and seals the next one on the
 * reader connection, and the acker thread removes the rows of the batches
 * the server already gave a seq on the worker connection.  Each
 * connection is used by one thread at a time. */
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
#include <string.h>

/* The outbox is peeked by the store's estimate of a change (about its
 * size in format 1), which is several times its share of a compressed
 * body; a body found too large after sealing is made again of fewer
 * changes.  The estimate also bounds what a batch inflates to. */
#define RAW_BYTES_PER_BODY_BYTE 4
#define BATCH_MAX_RAW_BYTES  (16 * 1024 * 1024)
#define MIN_BATCH_BYTES      512

/* One batch ready to send: the next rows of the outbox, sealed. */
typedef struct
{
  StpSyncRun *run;         /* input */
  gint64      after_id;    /* input: the rows after this outbox id */
  gsize       raw_bytes;   /* input: peek budget, in the store's size estimate */
  guint       max_rows;    /* input and output: lowered while the body is too large */
  gsize       body_limit;  /* input: the largest body to send */
  GArray     *ids;         /* gint64 outbox ids of the changes; empty: nothing left */
  char       *body;        /* the push request */
  gsize       body_len;
  guint64     max_hlc;
  GError     *error;
  gint64      usec;        /* time spent, for the debug log */
  gint64      usec_peek;   /* of @usec, reading the outbox */
} PushBatch;

/* Removes the rows of acknowledged batches, in order, on its own thread. */
typedef struct
{
  StpSyncRun   *run;
  GAsyncQueue  *queue;     /* PendingAck, in seq order */
  GThread      *thread;
  gint          failed;    /* atomic: @error is set, later acks are dropped */
  GError       *error;     /* read after the thread ended */
  gint64        usec;      /* time spent, for the debug log */
} Acker;

/* The state of one push, from batch to batch. */
typedef struct
{
  StpSyncRun *run;
  char       *path;        /* /v1/centers/<center>/push */
  gsize       body_limit;
  gsize       raw_bytes;
  guint       max_rows;
  /* Seqs are gapless per center: while each pushed batch gets the seq
   * right after the pull cursor, nothing else lies between, and the
   * cursor moves past our own batches instead of downloading them again
   * to skip them. */
  gint64      own_cursor;
  Acker       acker;
  /* For the debug log. */
  gint64      t_begin;
  gint64      usec_seal, usec_peek, usec_server, usec_wait;
  guint64     bytes_sent;
  guint       batches;
} Pusher;

typedef enum
{
  PUSH_STEP_NEXT,          /* go on with the next batch */
  PUSH_STEP_STOP,          /* stop, successfully (the rest stays queued) */
  PUSH_STEP_FAILED,        /* stop on the error */
} PushStep;

static PushStep   push_send          (Pusher        *pusher,
                                      PushBatch     *current,
                                      PushBatch    **next,
                                      GCancellable  *cancellable,
                                      GError       **error);
static PushStep   read_push_result   (Pusher        *pusher,
                                      PushBatch     *current,
                                      StpSyncReply  *reply,
                                      gint64        *seq,
                                      GError       **error);
static PushBatch *push_batch_new     (StpSyncRun    *run,
                                      gint64         after_id,
                                      gsize          raw_bytes,
                                      guint          max_rows,
                                      gsize          body_limit);
static void       push_batch_free    (PushBatch     *pb);
static gpointer   push_batch_prepare (gpointer       data);
static gint64     push_batch_last_id (PushBatch     *pb);
static void       acker_start        (Acker         *acker,
                                      StpSyncRun    *run);
static void       acker_queue        (Acker         *acker,
                                      GArray        *ids,
                                      gboolean       move_cursor,
                                      gint64         seq);
static void       acker_finish       (Acker         *acker);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PushBatch, push_batch_free)

/* --- The push, batch by batch ------------------------------------------------ */

static void
pusher_init (Pusher     *pusher,
             StpSyncRun *run)
{
  memset (pusher, 0, sizeof *pusher);
  pusher->run = run;
  pusher->path = g_strdup_printf ("/v1/centers/%s/push", run->center);
  /* An explicit batch size (tests) may be over the server's limit, to
   * see 413s, but not over what an envelope can carry. */
  pusher->body_limit = MIN (run->batch_bytes, MAX_BODY_BYTES);
  /* The store estimates a change at about its format 1 size, several
   * times its share of a sealed format 2 body. */
  pusher->raw_bytes = MIN (BATCH_MAX_RAW_BYTES, pusher->body_limit * RAW_BYTES_PER_BODY_BYTE);
  pusher->max_rows = MAX_BATCH_ROWS;
  pusher->own_cursor = stp_sync_store_get_cursor (run->secondary, CURSOR_KEY);
  run->push_first_cursor = pusher->own_cursor;
  run->push_last_seq = 0;
  run->push_last_id = 0;
  run->push_gapless = TRUE;
  pusher->t_begin = g_get_monotonic_time ();
  /* Rows a push acknowledged before a crash are removed first. */
  {
    g_autoptr(GError) compact_error = NULL;

    if (!stp_sync_store_compact_outbox (run->secondary, &compact_error))
      g_debug ("push: removing acknowledged rows failed: %s", compact_error->message);
  }
  acker_start (&pusher->acker, run);
}

static gpointer
compact_thread (gpointer data)
{
  StpSyncRun *run = data;
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();

  if (!stp_sync_store_compact_outbox (run->reader, &error))
    g_debug ("push: removing acknowledged rows failed: %s", error->message);
  else
    g_debug ("push: acknowledged rows removed in %.2f s, beside the run",
             (g_get_monotonic_time () - t0) / 1e6);
  return NULL;
}

void
_stp_sync_run_join_compactor (StpSyncRun *run)
{
  if (run->compactor != NULL)
    g_thread_join (g_steal_pointer (&run->compactor));
}

/* Waits for the last acknowledgements: even after an error, the batches
 * that have a seq lose their rows. */
static gboolean
pusher_finish (Pusher   *pusher,
               gboolean  ok,
               GError  **error)
{
  Acker *acker = &pusher->acker;
  gint64 t_acks = g_get_monotonic_time ();

  acker_finish (acker);
  /* The acknowledged rows go in one statement, which zeroes their pages
   * (secure_delete) and takes a second or more for a big push: on the
   * reader connection (the push no longer uses it) beside the rest of the
   * run, which skips marked rows meanwhile; on failure they stay marked
   * (skipped, and removed at the next push). */
  _stp_sync_run_join_compactor (pusher->run);
  pusher->run->compactor = g_thread_new ("stp-outbox-compact", compact_thread, pusher->run);
  /* (A failed acknowledgement may also be what stopped the loop.) */
  if (acker->error != NULL && (ok || error == NULL || *error == NULL))
    {
      g_propagate_error (error, g_steal_pointer (&acker->error));
      ok = FALSE;
    }
  else if (acker->error != NULL)
    g_debug ("push: removing acknowledged rows failed too: %s", acker->error->message);
  g_clear_error (&acker->error);
  if (pusher->batches > 0)
    g_debug ("push: %u batches, %" G_GUINT64_FORMAT " bytes in %.2f s: waiting for the "
             "server %.2f s, then for the next batch %.2f s, then for the last "
             "acknowledgements %.2f s; beside the sends, sealing %.2f s (of which "
             "reading %.2f s) and removing acknowledged rows %.2f s",
             pusher->batches, pusher->bytes_sent, (g_get_monotonic_time () - pusher->t_begin) / 1e6,
             pusher->usec_server / 1e6, pusher->usec_wait / 1e6,
             (g_get_monotonic_time () - t_acks) / 1e6, pusher->usec_seal / 1e6,
             pusher->usec_peek / 1e6, acker->usec / 1e6);
  g_free (pusher->path);
  return ok;
}

/* Sends the outbox batch by batch.  The batch sealed beside a send starts
 * after the rows in flight, which are a prefix of the outbox (ids only
 * grow), so it is the batch the next round would have peeked once these
 * were acknowledged, with the same msg_id. */
gboolean
_stp_sync_run_push (StpSyncRun    *run,
                    GCancellable  *cancellable,
                    GError       **error)
{
  Pusher pusher;
  g_autoptr(PushBatch) next = NULL;
  gboolean ok = FALSE;

  pusher_init (&pusher, run);
  next = push_batch_prepare (push_batch_new (run, 0, pusher.raw_bytes, pusher.max_rows,
                                             pusher.body_limit));
  for (;;)
    {
      g_autoptr(PushBatch) current = g_steal_pointer (&next);
      PushStep step;

      if (current->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&current->error));
          break;
        }
      pusher.usec_seal += current->usec;
      pusher.usec_peek += current->usec_peek;
      pusher.max_rows = current->max_rows;
      if (current->ids->len == 0)
        {
          ok = TRUE;
          break;
        }
      if (g_atomic_int_get (&pusher.acker.failed))
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      step = push_send (&pusher, current, &next, cancellable, error);
      if (step != PUSH_STEP_NEXT)
        {
          ok = step == PUSH_STEP_STOP;
          break;
        }
    }
  return pusher_finish (&pusher, ok, error);
}

/* Sends @current while a helper thread seals @next; on success, queues
 * the acknowledgement of @current's rows. */
static PushStep
push_send (Pusher        *pusher,
           PushBatch     *current,
           PushBatch    **next,
           GCancellable  *cancellable,
           GError       **error)
{
  StpSyncRun *run = pusher->run;
  GArray *ids = current->ids;
  StpSyncReply reply;
  GThread *helper;
  PushStep step;
  gint64 seq = 0;
  gboolean sent;
  gint64 t_start = g_get_monotonic_time (), t_sent, t_joined;

  *next = push_batch_new (run, push_batch_last_id (current), pusher->raw_bytes,
                          pusher->max_rows, pusher->body_limit);
  helper = g_thread_new ("stp-sync-seal", push_batch_prepare, *next);
  sent = stp_sync_client_request (run->client, SOUP_METHOD_POST, pusher->path,
                                  current->body, current->body_len, &reply, cancellable, error);
  t_sent = g_get_monotonic_time ();
  g_thread_join (helper);
  t_joined = g_get_monotonic_time ();
  pusher->usec_server += t_sent - t_start;
  pusher->usec_wait += t_joined - t_sent;
  if (!sent)
    return PUSH_STEP_FAILED;

  if (reply.status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
    {
      stp_sync_reply_clear (&reply);
      if (ids->len == 1)
        {
          g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                               _("One change is larger than the server accepts"));
          return PUSH_STEP_FAILED;
        }
      pusher->body_limit = MAX (MIN_BATCH_BYTES, MIN (pusher->body_limit, current->body_len) / 2);
      pusher->max_rows = MAX (1, ids->len / 2);
      g_debug ("413: at most %" G_GSIZE_FORMAT " bytes and %u changes per batch",
               pusher->body_limit, pusher->max_rows);
      push_batch_free (*next);
      *next = push_batch_prepare (push_batch_new (run, current->after_id, pusher->raw_bytes,
                                                  pusher->max_rows, pusher->body_limit));
      return PUSH_STEP_NEXT;
    }
  step = read_push_result (pusher, current, &reply, &seq, error);
  stp_sync_reply_clear (&reply);
  if (step != PUSH_STEP_NEXT)
    return step;

  /* Stored with a seq: only now may the rows be removed. */
  acker_queue (&pusher->acker, ids, seq == pusher->own_cursor + 1, seq);
  if (seq == pusher->own_cursor + 1)
    pusher->own_cursor = seq;
  else
    run->push_gapless = FALSE;
  run->push_last_seq = seq;
  run->push_last_id = push_batch_last_id (current);
  g_atomic_int_add ((gint *) &run->pushed, (gint) ids->len);
  pusher->bytes_sent += current->body_len;
  pusher->batches++;
  g_debug ("push: %u changes, %" G_GSIZE_FORMAT " bytes (%.1f per change), "
           "server %.0f ms, then the next batch %.0f ms",
           ids->len, current->body_len, (double) current->body_len / ids->len,
           (t_sent - t_start) / 1e3, (t_joined - t_sent) / 1e3);
  return PUSH_STEP_NEXT;
}

/* The seq the server gave the batch.  A batch refused for being dated in
 * the future stops the push without failing the run: its changes stay
 * queued and the pull goes on. */
static PushStep
read_push_result (Pusher        *pusher,
                  PushBatch     *current,
                  StpSyncReply  *reply,
                  gint64        *seq,
                  GError       **error)
{
  StpSyncRun *run = pusher->run;
  g_autoptr(GError) local_error = NULL;
  const char *code;

  if (!stp_sync_reply_is_ok_object (reply))
    {
      stp_sync_reply_set_error (reply, error);
      return PUSH_STEP_FAILED;
    }
  if (!stp_sync_read_push_result (json_node_get_object (reply->json), &code, seq, &local_error))
    {
      stp_sync_set_unexpected (error, _("The server answered the push in an unexpected form"),
                               local_error);
      return PUSH_STEP_FAILED;
    }
  if (code != NULL)
    {
      if (g_str_equal (code, "hlc_in_future"))
        {
          gint64 skew = 0;
          gint64 server_now;
          double ahead_hours;

          stp_sync_client_get_skew (run->client, &skew);
          server_now = stp_sync_client_now_millis (run->client) - skew;
          ahead_hours = ((double) STP_HLC_MILLIS (current->max_hlc) - (double) server_now) / 3600000.0;
          run->clock_error = g_strdup_printf (_("The server refused changes dated %.1f hours in the "
                                                "future: this computer's clock was wrong when they "
                                                "were made. Correct the clock; the changes are kept "
                                                "and other changes still sync."),
                                              MAX (ahead_hours, 0.0));
          return PUSH_STEP_STOP;
        }
      g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                   _("The server refused a batch of changes: %s"), code);
      return PUSH_STEP_FAILED;
    }
  if (*seq == 0)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The server did not confirm the changes"));
      return PUSH_STEP_FAILED;
    }
  return PUSH_STEP_NEXT;
}

/* --- Batches ------------------------------------------------------------------- */

static PushBatch *
push_batch_new (StpSyncRun *run,
                gint64      after_id,
                gsize       raw_bytes,
                guint       max_rows,
                gsize       body_limit)
{
  PushBatch *pb = g_new0 (PushBatch, 1);

  pb->run = run;
  pb->after_id = after_id;
  pb->raw_bytes = raw_bytes;
  pb->max_rows = max_rows;
  pb->body_limit = body_limit;
  return pb;
}

static void
push_batch_free (PushBatch *pb)
{
  if (pb == NULL)
    return;
  g_clear_pointer (&pb->ids, g_array_unref);
  g_free (pb->body);
  g_clear_error (&pb->error);
  g_free (pb);
}

static gint64
push_batch_last_id (PushBatch *pb)
{
  return g_array_index (pb->ids, gint64, pb->ids->len - 1);
}

/* Seals @changes into the push request; FALSE on error. */
static gboolean
push_batch_seal (PushBatch  *pb,
                 GBytes     *plaintext)
{
  StpSyncRun *run = pb->run;
  g_autoptr(StpEnvelope) envelope = NULL;
  g_autofree char *msg_id = stp_sync_batch_msg_id (run->device, plaintext);
  g_autofree char *env_json = NULL;
  GString *body;

  envelope = stp_envelope_new (run->center, run->device, msg_id, pb->max_hlc,
                               STP_SCHEMA_VERSION, run->key_id);
  if (!stp_envelope_seal (envelope, run->key, g_bytes_get_data (plaintext, NULL),
                          g_bytes_get_size (plaintext), &pb->error))
    return FALSE;
  env_json = stp_envelope_to_json (envelope);
  body = g_string_sized_new (strlen (env_json) + 32);
  g_string_append (body, "{\"envelopes\":[");
  g_string_append (body, env_json);
  g_string_append (body, "]}");
  pb->body_len = body->len;
  pb->body = g_string_free (body, FALSE);
  return TRUE;
}

/* Peeks and seals, on the reader connection; a body over the limit is
 * made again of half the rows.  The same rows and limits give the same
 * batch, so a run repeated after a lost reply makes the same batches
 * with the same msg_ids. */
static gpointer
push_batch_prepare (gpointer data)
{
  PushBatch *pb = data;
  gint64 t_begin = g_get_monotonic_time ();

  pb->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (;;)
    {
      g_autoptr(GBytes) plaintext = NULL;
      /* Freed here, beside the send, by the thread that made them: only
       * the ids go on. */
      g_autoptr(GPtrArray) changes = NULL;
      gint64 t0 = g_get_monotonic_time ();

      g_array_set_size (pb->ids, 0);
      g_clear_pointer (&pb->body, g_free);
      changes = stp_sync_store_peek_outbox_after (pb->run->reader, pb->after_id, pb->raw_bytes,
                                                  pb->max_rows, &pb->error);
      pb->usec_peek += g_get_monotonic_time () - t0;
      if (changes == NULL || changes->len == 0)
        break;
      g_array_set_size (pb->ids, changes->len);
      for (guint i = 0; i < changes->len; i++)
        g_array_index (pb->ids, gint64, i) = ((StpChange *) changes->pdata[i])->outbox_id;
      plaintext = stp_sync_batch_encode (changes, &pb->max_hlc);
      if (plaintext == NULL)
        {
          if (changes->len == 1)
            {
              g_set_error_literal (&pb->error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                                   _("One change is too large to send"));
              break;
            }
          pb->max_rows = changes->len / 2;
          continue;
        }
      if (!push_batch_seal (pb, plaintext))
        break;
      if (pb->ids->len == 1 || pb->body_len <= pb->body_limit)
        break;
      pb->max_rows = pb->ids->len / 2;
      g_debug ("push: a body of %" G_GSIZE_FORMAT " bytes is over %" G_GSIZE_FORMAT
               ": at most %u changes per batch", pb->body_len, pb->body_limit, pb->max_rows);
    }
  pb->usec = g_get_monotonic_time () - t_begin;
  return pb;
}

/* --- Acknowledgements ---------------------------------------------------------- */

/* A batch acknowledged by the server, its outbox rows not yet removed. */
typedef struct
{
  GArray   *ids;           /* gint64 outbox ids; NULL: the acker stops */
  gboolean  move_cursor;   /* the seq follows the pull cursor */
  gint64    seq;
} PendingAck;

static void
pending_ack_free (PendingAck *ack)
{
  if (ack == NULL)
    return;
  g_clear_pointer (&ack->ids, g_array_unref);
  g_free (ack);
}

/* Marks the rows of each batch in turn as acknowledged (the outbox
 * through its last id), and moves the cursor with them; the rows
 * themselves go at the end of the push, all at once (removing a million
 * rows one by one cost ~0.9 s of CPU).  The rows are marked only once
 * they have a seq, in order; a crash before leaves them to be pushed
 * again under the same msg_id, which the server answers with the seq they
 * have.  The batches acknowledged while the previous mark was written are
 * marked together, in one transaction (one commit, so one flush). */
static gpointer
acker_thread (gpointer data)
{
  Acker *acker = data;
  gboolean stop = FALSE;

  while (!stop)
    {
      PendingAck *ack = g_async_queue_pop (acker->queue);
      g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      gboolean move_cursor = FALSE;
      gint64 cursor = 0;
      gint64 t0 = g_get_monotonic_time ();

      while (ack != NULL)
        {
          if (ack->ids == NULL)
            stop = TRUE;
          else
            {
              g_array_append_vals (ids, ack->ids->data, ack->ids->len);
              /* The batches that move the cursor come first (seqs in a
               * row from it): the cursor goes to the last of them. */
              if (ack->move_cursor)
                {
                  move_cursor = TRUE;
                  cursor = ack->seq;
                }
            }
          pending_ack_free (ack);
          ack = stop ? NULL : g_async_queue_try_pop (acker->queue);
        }
      /* The batches are the outbox from its start, in order: the rows
       * through the last id are marked, and removed all at once when the
       * push ends (pusher_finish()). */
      if (ids->len > 0 && acker->error == NULL)
        {
          gint64 last = 0;

          for (guint i = 0; i < ids->len; i++)
            last = MAX (last, g_array_index (ids, gint64, i));
          if (!stp_sync_store_ack_outbox_through (acker->run->secondary, last,
                                                  move_cursor ? CURSOR_KEY : NULL, cursor,
                                                  &acker->error))
            g_atomic_int_set (&acker->failed, TRUE);
        }
      acker->usec += g_get_monotonic_time () - t0;
    }
  return NULL;
}

static void
acker_start (Acker      *acker,
             StpSyncRun *run)
{
  acker->run = run;
  acker->queue = g_async_queue_new ();
  acker->thread = g_thread_new ("stp-sync-ack", acker_thread, acker);
}

static void
acker_queue (Acker    *acker,
             GArray   *ids,
             gboolean  move_cursor,
             gint64    seq)
{
  PendingAck *ack = g_new0 (PendingAck, 1);

  ack->ids = g_array_ref (ids);
  ack->move_cursor = move_cursor;
  ack->seq = seq;
  g_async_queue_push (acker->queue, ack);
}

/* Waits until every queued acknowledgement is done. */
static void
acker_finish (Acker *acker)
{
  g_async_queue_push (acker->queue, g_new0 (PendingAck, 1));
  g_thread_join (acker->thread);
  g_async_queue_unref (acker->queue);
}
