#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-engine.h"
#include "stp-sync-batch.h"
#include "stp-sync-store.h"
#include "stp-sync-snapshot.h"
#include "stp-snapshot.h"
#include "stp-envelope.h"
#include "stp-wrapped-key.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

/* Local settings (stp_store_set_setting).  The unwrapped center key is kept
 * there too (base64): the same file already holds every resident's data in
 * plaintext, so the key adds nothing an attacker with the file lacks; the
 * key protects the copy on the server.  Keeping it only in memory would
 * make staff type the center passphrase after every start. */
#define SETTING_URL          "sync.server_url"
#define SETTING_CENTER       "sync.center"
#define SETTING_CENTER_NAME  "sync.center_name"
#define SETTING_DEVICE       "sync.device"
#define SETTING_DEVICE_NUMBER "sync.device_number"
#define SETTING_TOKEN        "sync.token"
#define SETTING_WRAPPED_KEY  "sync.wrapped_key"
#define SETTING_KEY          "sync.center_key"
#define SETTING_KEY_ID       "sync.key_id"
#define SETTING_FINGERPRINT  "sync.fingerprint"
#define SETTING_LAST_SYNC    "sync.last_sync"
#define CURSOR_KEY           "sync.cursor"

/* Changes applied per transaction: bounds how long the worker holds the
 * database write lock (about 0.2 s here for 10000 new fields), while
 * keeping the commits (each an fsync of the WAL with synchronous=FULL)
 * few: 2000 made the first sync of 100k residents commit 600 times. */
#define APPLY_CHUNK          10000
#define MAX_BATCH_ROWS       50000
/* Batches are bounded by the size of the sealed push body: the server's
 * max_body_bytes, and never more than lets the ciphertext stay under
 * STP_ENVELOPE_MAX_CT_BYTES once base64'd; this when the server names no
 * limit. */
#define DEFAULT_BATCH_BYTES  (4 * 1024 * 1024)
#define MAX_BODY_BYTES       (STP_ENVELOPE_MAX_CT_BYTES / 3 * 4)
/* The outbox is peeked by the store's estimate of a change (about its
 * size in format 1), which is several times its share of a compressed
 * body; a body found too large after sealing is made again of fewer
 * changes.  The estimate also bounds what a batch inflates to. */
#define RAW_BYTES_PER_BODY_BYTE 4
#define BATCH_MAX_RAW_BYTES  (16 * 1024 * 1024)
#define MIN_BATCH_BYTES      512
#define BACKOFF_MAX_SECONDS  600
/* How often the window learns how many changes went each way. */
#define PROGRESS_INTERVAL_MS 250
/* Snapshots: sealed chunks of at most this much, and a new snapshot once
 * the log since the newest one is at least this long (and half the
 * snapshot's size). */
#define SNAPSHOT_CHUNK_BYTES (4 * 1024 * 1024)
#define SNAPSHOT_MIN_BYTES   (1024 * 1024)

struct _StpSyncEngine
{
  GObject          parent_instance;

  StpStore        *store;          /* weak */
  StpStore        *secondary;      /* worker connection; used by one job at a time */
  StpStore        *reader;         /* a second one, reading the outbox while a push
                                    * removes rows on the first */

  char            *url;
  char            *center;
  char            *center_name;
  char            *device;
  char            *token;
  char            *key_id;
  char            *fingerprint;
  guint8           key[STP_CENTER_KEY_BYTES];
  gboolean         have_key;

  StpSyncState     state;
  guint            pending;
  gint64           last_sync;
  char            *last_error;
  gint64           clock_skew;

  gboolean         running;
  struct _Job     *job;            /* the running job (owned by its task) */
  guint            progress_id;    /* reads the job's counts while it runs */
  guint            sent;           /* changes of the current or last run */
  guint            received;
  gboolean         revoked;
  guint            failures;
  guint            retry_id;
  guint            periodic_id;
  gboolean         auto_sync;
  guint            interval;
  GNetworkMonitor *monitor;
  gulong           monitor_id;
  gboolean         network_up;

  gsize            batch_bytes;    /* 0: from the server's limit */
  gsize            snapshot_min_bytes;
  guint            pull_limit;
  gboolean         fast_kdf;
  StpSyncPageHook  hook;
  gpointer         hook_data;
  GTlsDatabase    *tls_database;   /* owned; NULL: the system's */
};

G_DEFINE_TYPE (StpSyncEngine, stp_sync_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (stp-sync-error-quark, stp_sync_error)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PENDING,
  PROP_LAST_SYNC,
  PROP_LAST_ERROR,
  PROP_CLOCK_SKEW,
  PROP_ENROLLED,
  PROP_SENT,
  PROP_RECEIVED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
stp_sync_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { STP_SYNC_STATE_IDLE, "STP_SYNC_STATE_IDLE", "idle" },
        { STP_SYNC_STATE_SYNCING, "STP_SYNC_STATE_SYNCING", "syncing" },
        { STP_SYNC_STATE_OFFLINE, "STP_SYNC_STATE_OFFLINE", "offline" },
        { STP_SYNC_STATE_ERROR, "STP_SYNC_STATE_ERROR", "error" },
        { 0, NULL, NULL }
      };
      GType id = g_enum_register_static ("StpSyncState", values);
      g_once_init_leave (&type_id, id);
    }
  return type_id;
}

/* --- The worker's job ----------------------------------------------------- */

typedef struct _Job
{
  /* Inputs, copied on the main thread. */
  StpStore        *secondary;
  StpStore        *reader;           /* sync jobs only */
  char            *url;
  char            *center;
  char            *device;
  char            *token;
  char            *key_id;
  char            *fingerprint;      /* NULL: trust on first use */
  guint8           key[STP_CENTER_KEY_BYTES];
  gsize            batch_bytes;
  gsize            max_body;         /* the server's limit, 0 unknown */
  gsize            snapshot_min_bytes;  /* 0: make no snapshots */
  guint            pull_limit;
  gint64           clock_offset;     /* store clock minus real time, usec */
  StpSyncPageHook  hook;
  gpointer         hook_data;
  GTlsDatabase    *tls_database;
  /* Enrollment inputs. */
  char            *code;
  char            *passphrase;
  gboolean         fast_kdf;
  /* Aggregates input. */
  char            *aggregates_body;

  /* Outputs. */
  char            *seen_fingerprint;
  gboolean         fingerprint_mismatch;
  gboolean         have_skew;
  gint64           skew;
  char            *clock_error;
  guint            pending;
  char            *center_name;
  gint64           device_number;   /* from enrollment; 0 from an older server */
  char            *wrapped_json;
  guint64          max_remote_hlc;  /* newest change pulled */
  guint            pushed;          /* changes the server stored */
  guint            pulled;          /* changes from other devices */
  guint            conflicts;       /* conflict rows written */
  gboolean         snapshot_in;     /* started from a snapshot */
  gboolean         snapshot_out;    /* sent one */
  gint64           usec_http;       /* time spent, for the debug log */
  gint64           usec_apply;
  gint64           usec_decode;     /* decrypting and reading batches */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->secondary);
  g_clear_object (&job->reader);
  g_free (job->url);
  g_free (job->center);
  g_free (job->device);
  g_free (job->token);
  g_free (job->key_id);
  g_free (job->fingerprint);
  g_clear_object (&job->tls_database);
  sodium_memzero (job->key, sizeof job->key);
  g_free (job->code);
  if (job->passphrase != NULL)
    sodium_memzero (job->passphrase, strlen (job->passphrase));
  g_free (job->passphrase);
  g_free (job->aggregates_body);
  g_free (job->seen_fingerprint);
  g_free (job->clock_error);
  g_free (job->center_name);
  g_free (job->wrapped_json);
  g_free (job);
}

static gint64
job_now_millis (Job *job)
{
  return (g_get_real_time () + job->clock_offset) / 1000;
}

static char *
normalize_fingerprint (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

static char *
certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  return normalize_fingerprint (g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                             der->data, der->len));
}

/* Compares @peer with the pinned fingerprint.  Without a pin (enrollment
 * that trusts the certificate seen now), remembers the first one and
 * refuses a different one later in the same job. */
static gboolean
peer_is_pinned (Job             *job,
                GTlsCertificate *peer)
{
  g_autofree char *seen = peer != NULL ? certificate_fingerprint (peer) : NULL;
  g_autofree char *expected = NULL;

  if (seen == NULL)
    {
      job->fingerprint_mismatch = TRUE;
      return FALSE;
    }
  if (job->fingerprint == NULL)
    {
      if (job->seen_fingerprint == NULL)
        job->seen_fingerprint = g_strdup (seen);
      if (g_str_equal (job->seen_fingerprint, seen))
        return TRUE;
      job->fingerprint_mismatch = TRUE;
      return FALSE;
    }
  expected = normalize_fingerprint (job->fingerprint);
  if (g_str_equal (expected, seen))
    return TRUE;
  job->fingerprint_mismatch = TRUE;
  return FALSE;
}

/* Runs only for certificates the system does not trust. */
static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Job *job = user_data;

  return peer_is_pinned (job, peer);
}

typedef struct
{
  Job          *job;
  GCancellable *request_cancellable;
} PinCheck;

/* Runs after every TLS handshake, also for certificates the system trusts
 * (a CA the system knows may have signed one for an impostor): the pin is
 * compared before the request, and its token, is written. */
static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  PinCheck *check = user_data;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED || !G_IS_TLS_CONNECTION (connection))
    return;
  if (!peer_is_pinned (check->job, g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (connection))))
    g_cancellable_cancel (check->request_cancellable);
}

static void
on_outer_cancelled (GCancellable *cancellable,
                    gpointer      request_cancellable)
{
  g_cancellable_cancel (request_cancellable);
}

static SoupSession *
make_session (Job *job)
{
  SoupSession *session = soup_session_new_with_options ("timeout", 120,
                                                        "idle-timeout", 60,
                                                        "user-agent", "stupeni/" PACKAGE_VERSION,
                                                        NULL);

  if (job->tls_database != NULL)
    soup_session_set_tls_database (session, job->tls_database);
  return session;
}

typedef struct
{
  guint      status;
  GBytes    *body;
  JsonNode  *json;         /* when the body parsed as JSON */
  char      *error_code;   /* "error" of an error answer */
  char      *message;      /* "message" of an error answer */
} Reply;

static void
reply_clear (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->error_code, g_free);
  g_clear_pointer (&reply->message, g_free);
}

/* Sends one request; FALSE only when no HTTP answer came (network, TLS). */
static gboolean
http (SoupSession   *session,
      Job           *job,
      const char    *method,
      const char    *path,
      const char    *body,
      gsize          body_len,
      Reply         *reply,
      GCancellable  *cancellable,
      GError       **error)
{
  g_autofree char *uri = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GCancellable) request_cancellable = g_cancellable_new ();
  PinCheck check = { job, request_cancellable };
  gulong outer_handler = 0;
  GTlsCertificate *peer;
  const char *data;
  gsize len = 0;

  memset (reply, 0, sizeof *reply);
  uri = g_strconcat (job->url, path, NULL);
  msg = soup_message_new (method, uri);
  if (msg == NULL)
    {
      g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                   _("The server address “%s” is not valid"), job->url);
      return FALSE;
    }
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), job);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), &check);
  if (job->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", job->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  if (cancellable != NULL)
    outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                           request_cancellable, NULL);
  reply->body = soup_session_send_and_read (session, msg, request_cancellable, &local_error);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, outer_handler);
  g_signal_handlers_disconnect_by_data (msg, &check);
  /* A second guard, should a connection ever skip the handshake event. */
  peer = soup_message_get_tls_peer_certificate (msg);
  if (reply->body != NULL && !job->fingerprint_mismatch
      && (peer != NULL || g_str_has_prefix (job->url, "https:")))
    peer_is_pinned (job, peer);
  if (job->fingerprint_mismatch)
    g_clear_pointer (&reply->body, g_bytes_unref);
  if (reply->body == NULL)
    {
      if (job->fingerprint_mismatch)
        g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_CERTIFICATE,
                     _("The server presented a different certificate than the one this "
                       "computer trusts; ask the administrator"));
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK,
                     _("The server cannot be reached: %s"), local_error->message);
      return FALSE;
    }
  reply->status = soup_message_get_status (msg);
  data = g_bytes_get_data (reply->body, &len);
  if (len > 0)
    reply->json = stp_json_parse (data, len, NULL);
  if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json))
    {
      JsonObject *object = json_node_get_object (reply->json);

      if (reply->status >= 300)
        {
          reply->error_code = g_strdup (json_object_get_string_member_with_default (object, "error", ""));
          reply->message = g_strdup (json_object_get_string_member_with_default (object, "message", ""));
        }
    }
  return TRUE;
}

/* Turns an error answer into a GError. */
static void
set_reply_error (Reply       *reply,
                 GError     **error)
{
  if (g_strcmp0 (reply->error_code, "device_revoked") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED,
                         _("This computer was disconnected from the server by the administrator; "
                           "its unsent changes are kept. Enroll it again to continue."));
  else if (reply->status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED,
                         _("The server does not accept this computer any more; enroll it again"));
  else if (g_strcmp0 (reply->error_code, "invalid_code") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("The enrollment code is not known; check it or ask the administrator for a new one"));
  else if (g_strcmp0 (reply->error_code, "code_used") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("The enrollment code was already used; ask the administrator for a new one"));
  else if (g_strcmp0 (reply->error_code, "code_expired") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("The enrollment code has expired; ask the administrator for a new one"));
  else if (reply->status == 429)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("Too many attempts; wait a minute and try again"));
  else if (reply->status >= 500)
    g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK,
                 _("The server could not complete the request (HTTP %u); it will be retried"),
                 reply->status);
  else
    g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                 _("The server refused the request (HTTP %u): %s"), reply->status,
                 reply->message != NULL ? reply->message : "");
}

static gboolean
fetch_info (SoupSession   *session,
            Job           *job,
            gsize         *max_body,
            GCancellable  *cancellable,
            GError       **error)
{
  Reply reply;
  JsonObject *object;
  gint64 before = job_now_millis (job);
  gint64 after;
  gint64 server_millis;

  if (!http (session, job, SOUP_METHOD_GET, "/v1/info", NULL, 0, &reply, cancellable, error))
    return FALSE;
  after = job_now_millis (job);
  if (reply.status != SOUP_STATUS_OK || reply.json == NULL || !JSON_NODE_HOLDS_OBJECT (reply.json))
    {
      if (reply.status == SOUP_STATUS_OK)
        g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                             _("The address does not answer like a Stupeni server"));
      else
        set_reply_error (&reply, error);
      reply_clear (&reply);
      return FALSE;
    }
  object = json_node_get_object (reply.json);
  if (json_object_get_int_member_with_default (object, "protocol", 0) != STP_PROTOCOL_VERSION)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The server speaks another protocol version; update the program or the server"));
      reply_clear (&reply);
      return FALSE;
    }
  server_millis = json_object_get_int_member_with_default (object, "server_millis", 0);
  if (server_millis > 0)
    {
      /* The server read its clock somewhere between before and after. */
      job->skew = (before + after) / 2 - server_millis;
      job->have_skew = TRUE;
    }
  if (max_body != NULL)
    *max_body = (gsize) json_object_get_int_member_with_default (object, "max_body_bytes", 0);
  reply_clear (&reply);
  return TRUE;
}

/* --- Push ----------------------------------------------------------------- */

/* Sending, sealing and acknowledging overlap: while one batch is on its
 * way to the server, a helper thread peeks and seals the next one on the
 * reader connection, and the acker thread removes the rows of the batches
 * the server already gave a seq on the worker connection.  Each
 * connection is used by one thread at a time. */

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

typedef struct
{
  Job          *job;
  GAsyncQueue  *queue;     /* PendingAck, in seq order */
  GThread      *thread;
  gint          failed;    /* atomic: @error is set, later acks are dropped */
  GError       *error;     /* read after the thread ended */
  gint64        usec;      /* time spent, for the debug log */
} Acker;

/* Removes the rows of each batch in turn, and moves the cursor with them.
 * The rows are removed only once they have a seq, in order; a crash
 * before leaves them to be pushed again under the same msg_id, which the
 * server answers with the seq they have. */
static gpointer
acker_thread (gpointer data)
{
  Acker *acker = data;

  for (;;)
    {
      PendingAck *ack = g_async_queue_pop (acker->queue);
      gint64 t0 = g_get_monotonic_time ();

      if (ack->ids == NULL)
        {
          pending_ack_free (ack);
          break;
        }
      if (acker->error == NULL
          && !stp_sync_store_ack_outbox_at (acker->job->secondary,
                                            (const gint64 *) (gpointer) ack->ids->data,
                                            ack->ids->len, ack->move_cursor ? CURSOR_KEY : NULL,
                                            ack->seq, &acker->error))
        g_atomic_int_set (&acker->failed, TRUE);
      acker->usec += g_get_monotonic_time () - t0;
      pending_ack_free (ack);
    }
  return NULL;
}

static void
acker_start (Acker *acker,
             Job   *job)
{
  acker->job = job;
  acker->queue = g_async_queue_new ();
  acker->thread = g_thread_new ("stp-sync-ack", acker_thread, acker);
}

/* Waits until every queued acknowledgement is done. */
static void
acker_finish (Acker *acker)
{
  g_async_queue_push (acker->queue, g_new0 (PendingAck, 1));
  g_thread_join (acker->thread);
  g_async_queue_unref (acker->queue);
}

/* One batch ready to send: the next rows of the outbox, sealed. */
typedef struct
{
  Job        *job;         /* input */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PushBatch, push_batch_free)

/* Peeks and seals, on the reader connection; a body over the limit is
 * made again of half the rows.  The same rows and limits give the same
 * batch, so a run repeated after a lost reply makes the same batches
 * with the same msg_ids. */
static gpointer
push_batch_prepare (gpointer data)
{
  PushBatch *pb = data;
  Job *job = pb->job;
  gint64 t_begin = g_get_monotonic_time ();

  pb->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  for (;;)
    {
      g_autoptr(StpEnvelope) envelope = NULL;
      g_autoptr(GBytes) plaintext = NULL;
      /* Freed here, beside the send, by the thread that made them: only
       * the ids go on. */
      g_autoptr(GPtrArray) changes = NULL;
      g_autofree char *msg_id = NULL;
      g_autofree char *env_json = NULL;
      GString *body;
      gint64 t0 = g_get_monotonic_time ();

      g_array_set_size (pb->ids, 0);
      g_clear_pointer (&pb->body, g_free);
      changes = stp_sync_store_peek_outbox_after (job->reader, pb->after_id, pb->raw_bytes,
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
      msg_id = stp_sync_batch_msg_id (job->device, plaintext);
      envelope = stp_envelope_new (job->center, job->device, msg_id, pb->max_hlc,
                                   STP_SCHEMA_VERSION, job->key_id);
      if (!stp_envelope_seal (envelope, job->key, g_bytes_get_data (plaintext, NULL),
                              g_bytes_get_size (plaintext), &pb->error))
        break;
      env_json = stp_envelope_to_json (envelope);
      body = g_string_sized_new (strlen (env_json) + 32);
      g_string_append (body, "{\"envelopes\":[");
      g_string_append (body, env_json);
      g_string_append (body, "]}");
      pb->body_len = body->len;
      pb->body = g_string_free (body, FALSE);
      if (pb->ids->len == 1 || pb->body_len <= pb->body_limit)
        break;
      pb->max_rows = pb->ids->len / 2;
      g_debug ("push: a body of %" G_GSIZE_FORMAT " bytes is over %" G_GSIZE_FORMAT
               ": at most %u changes per batch", pb->body_len, pb->body_limit, pb->max_rows);
    }
  pb->usec = g_get_monotonic_time () - t_begin;
  return pb;
}

static PushBatch *
push_batch_new (Job    *job,
                gint64  after_id,
                gsize   raw_bytes,
                guint   max_rows,
                gsize   body_limit)
{
  PushBatch *pb = g_new0 (PushBatch, 1);

  pb->job = job;
  pb->after_id = after_id;
  pb->raw_bytes = raw_bytes;
  pb->max_rows = max_rows;
  pb->body_limit = body_limit;
  return pb;
}

static gint64
push_batch_last_id (PushBatch *pb)
{
  return g_array_index (pb->ids, gint64, pb->ids->len - 1);
}

/* Sends the outbox batch by batch.  The batch sealed beside a send starts
 * after the rows in flight, which are a prefix of the outbox (ids only
 * grow), so it is the batch the next round would have peeked once these
 * were acknowledged, with the same msg_id. */
static gboolean
push_outbox (SoupSession   *session,
             Job           *job,
             GCancellable  *cancellable,
             GError       **error)
{
  /* An explicit batch size (tests) may be over the server's limit, to
   * see 413s, but not over what an envelope can carry. */
  gsize body_limit = MIN (job->batch_bytes, MAX_BODY_BYTES);
  /* The store estimates a change at about its format 1 size, several
   * times its share of a sealed format 2 body. */
  gsize raw_bytes = MIN (BATCH_MAX_RAW_BYTES, body_limit * RAW_BYTES_PER_BODY_BYTE);
  guint max_rows = MAX_BATCH_ROWS;
  g_autofree char *push_path = g_strdup_printf ("/v1/centers/%s/push", job->center);
  /* Seqs are gapless per center: while each pushed batch gets the seq right
   * after the pull cursor, nothing else lies between, and the cursor moves
   * past our own batches instead of downloading them again to skip them. */
  gint64 own_cursor = stp_sync_store_get_cursor (job->secondary, CURSOR_KEY);
  g_autoptr(PushBatch) next = NULL;
  Acker acker = { 0, };
  gint64 usec_seal = 0, usec_peek = 0, usec_server = 0, usec_wait = 0;
  gint64 t_begin = g_get_monotonic_time ();
  guint64 bytes_sent = 0;
  guint batches = 0;
  gboolean ok = FALSE;

  acker_start (&acker, job);
  next = push_batch_prepare (push_batch_new (job, 0, raw_bytes, max_rows, body_limit));
  for (;;)
    {
      g_autoptr(PushBatch) current = g_steal_pointer (&next);
      GArray *ids;
      GThread *helper;
      PendingAck *ack;
      Reply reply;
      JsonObject *object;
      JsonArray *results;
      JsonObject *result;
      gint64 seq;
      gboolean sent;
      gint64 t_start = g_get_monotonic_time (), t_sent, t_joined;

      if (current->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&current->error));
          goto out;
        }
      usec_seal += current->usec;
      usec_peek += current->usec_peek;
      max_rows = current->max_rows;
      ids = current->ids;
      if (ids->len == 0)
        {
          ok = TRUE;
          goto out;
        }
      if (g_atomic_int_get (&acker.failed))
        goto out;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;

      next = push_batch_new (job, push_batch_last_id (current), raw_bytes, max_rows, body_limit);
      helper = g_thread_new ("stp-sync-seal", push_batch_prepare, next);
      sent = http (session, job, SOUP_METHOD_POST, push_path,
                   current->body, current->body_len, &reply, cancellable, error);
      t_sent = g_get_monotonic_time ();
      g_thread_join (helper);
      t_joined = g_get_monotonic_time ();
      usec_server += t_sent - t_start;
      usec_wait += t_joined - t_sent;
      if (!sent)
        goto out;

      if (reply.status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE)
        {
          reply_clear (&reply);
          if (ids->len == 1)
            {
              g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                                   _("One change is larger than the server accepts"));
              goto out;
            }
          body_limit = MAX (MIN_BATCH_BYTES, MIN (body_limit, current->body_len) / 2);
          max_rows = MAX (1, ids->len / 2);
          g_debug ("413: at most %" G_GSIZE_FORMAT " bytes and %u changes per batch",
                   body_limit, max_rows);
          push_batch_free (next);
          next = push_batch_prepare (push_batch_new (job, current->after_id, raw_bytes,
                                                     max_rows, body_limit));
          continue;
        }
      if (reply.status != SOUP_STATUS_OK || reply.json == NULL || !JSON_NODE_HOLDS_OBJECT (reply.json))
        {
          set_reply_error (&reply, error);
          reply_clear (&reply);
          goto out;
        }
      object = json_node_get_object (reply.json);
      results = json_object_has_member (object, "results")
                ? json_object_get_array_member (object, "results") : NULL;
      if (results == NULL || json_array_get_length (results) != 1
          || !JSON_NODE_HOLDS_OBJECT (json_array_get_element (results, 0)))
        {
          g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                               _("The server answered the push in an unexpected form"));
          reply_clear (&reply);
          goto out;
        }
      result = json_array_get_object_element (results, 0);
      if (json_object_has_member (result, "error"))
        {
          const char *code = json_object_get_string_member_with_default (result, "error", "");

          if (g_str_equal (code, "hlc_in_future"))
            {
              gint64 server_now = job_now_millis (job) - (job->have_skew ? job->skew : 0);
              double ahead_hours = ((double) STP_HLC_MILLIS (current->max_hlc) - (double) server_now) / 3600000.0;

              /* The rest of the sync (pulling) goes on; these stay queued. */
              job->clock_error = g_strdup_printf (_("The server refused changes dated %.1f hours in the "
                                                    "future: this computer's clock was wrong when they "
                                                    "were made. Correct the clock; the changes are kept "
                                                    "and other changes still sync."),
                                                  MAX (ahead_hours, 0.0));
              reply_clear (&reply);
              ok = TRUE;
              goto out;
            }
          g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                       _("The server refused a batch of changes: %s"), code);
          reply_clear (&reply);
          goto out;
        }
      if (!json_object_has_member (result, "seq"))
        {
          g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                               _("The server did not confirm the changes"));
          reply_clear (&reply);
          goto out;
        }
      seq = json_object_get_int_member_with_default (result, "seq", 0);
      reply_clear (&reply);

      /* Stored with a seq: only now may the rows be removed. */
      ack = g_new0 (PendingAck, 1);
      ack->ids = g_array_ref (ids);
      ack->move_cursor = seq == own_cursor + 1;
      ack->seq = seq;
      if (ack->move_cursor)
        own_cursor = seq;
      g_async_queue_push (acker.queue, ack);
      g_atomic_int_add ((gint *) &job->pushed, (gint) ids->len);
      bytes_sent += current->body_len;
      batches++;
      g_debug ("push: %u changes, %" G_GSIZE_FORMAT " bytes (%.1f per change), "
               "server %.0f ms, then the next batch %.0f ms",
               ids->len, current->body_len, (double) current->body_len / ids->len,
               (t_sent - t_start) / 1e3, (t_joined - t_sent) / 1e3);
    }

out:
  /* Even after an error, the batches that have a seq lose their rows. */
  {
    gint64 t_acks = g_get_monotonic_time ();

    acker_finish (&acker);
    /* (A failed acknowledgement may also be what stopped the loop.) */
    if (acker.error != NULL && (ok || error == NULL || *error == NULL))
      {
        g_propagate_error (error, g_steal_pointer (&acker.error));
        ok = FALSE;
      }
    else if (acker.error != NULL)
      g_debug ("push: removing acknowledged rows failed too: %s", acker.error->message);
    g_clear_error (&acker.error);
    if (batches > 0)
      g_debug ("push: %u batches, %" G_GUINT64_FORMAT " bytes in %.2f s: waiting for the "
               "server %.2f s, then for the next batch %.2f s, then for the last "
               "acknowledgements %.2f s; beside the sends, sealing %.2f s (of which "
               "reading %.2f s) and removing acknowledged rows %.2f s",
               batches, bytes_sent, (g_get_monotonic_time () - t_begin) / 1e6,
               usec_server / 1e6, usec_wait / 1e6, (g_get_monotonic_time () - t_acks) / 1e6,
               usec_seal / 1e6, usec_peek / 1e6, acker.usec / 1e6);
  }
  return ok;
}

/* --- Pull ----------------------------------------------------------------- */

typedef struct
{
  Job        *job;
  GPtrArray  *pending;     /* StpChange, owned */
  guint       chunks;
} Applier;

static gboolean
applier_flush (Applier  *applier,
               gboolean  with_cursor,
               gint64    cursor,
               GError  **error)
{
  StpApplyStats stats;

  if (applier->pending->len == 0 && !with_cursor)
    return TRUE;
  gint64 t0 = g_get_monotonic_time ();

  if (!stp_sync_store_apply_page (applier->job->secondary, applier->pending,
                                  with_cursor ? CURSOR_KEY : NULL, cursor, &stats, error))
    return FALSE;
  applier->job->usec_apply += g_get_monotonic_time () - t0;
  applier->job->conflicts += stats.conflicts;
  g_ptr_array_set_size (applier->pending, 0);
  applier->chunks++;
  if (applier->job->hook != NULL)
    applier->job->hook (applier->chunks, applier->job->hook_data);
  return TRUE;
}

/* The pull is a pipeline: this thread downloads, decrypts and reads the
 * batches while an applier thread writes them, so that the network, the
 * decryption and the database overlap instead of taking turns.  The
 * applier makes the same transactions, with the same cursors, as a single
 * thread would. */

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

typedef struct
{
  GPtrArray *changes;      /* StpChange, owned; NULL: nothing to apply */
  gint64     seq;          /* the batch's seq, or the page's last seq */
  gboolean   page_end;     /* moves the cursor to @seq */
  gboolean   own;          /* a batch this device pushed */
} PullItem;

typedef struct
{
  GMutex    lock;
  GCond     cond;
  GQueue    items;         /* PullItem, owned */
  guint     queued;        /* changes in @items */
  gboolean  done;          /* no more items will come */
  gboolean  failed;        /* the applier stopped on @error */
  GError   *error;
  Applier   applier;
} PullPipe;

static void
pull_item_free (PullItem *item)
{
  g_clear_pointer (&item->changes, g_ptr_array_unref);
  g_free (item);
}

/* FALSE when the applier failed: the item is dropped and the pull stops. */
static gboolean
pull_pipe_push (PullPipe  *pipe,
                GPtrArray *changes,
                gint64     seq,
                gboolean   page_end,
                gboolean   own)
{
  PullItem *item = g_new0 (PullItem, 1);
  gboolean ok;

  item->changes = changes;
  item->seq = seq;
  item->page_end = page_end;
  item->own = own;
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

static gboolean
apply_item (Applier   *applier,
            PullItem  *item,
            GError   **error)
{
  Job *job = applier->job;

  if (item->page_end)
    return applier_flush (applier, TRUE, item->seq, error);
  if (item->changes == NULL)
    return TRUE;
  /* Received from the others; this device's own batches come back only
   * when others' lie between them, or after its file was restored. */
  if (!item->own)
    g_atomic_int_add ((gint *) &job->pulled, (gint) item->changes->len);
  for (guint c = 0; c < item->changes->len; c++)
    {
      job->max_remote_hlc = MAX (job->max_remote_hlc,
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

/* Downloads, decrypts and reads one page; FALSE on error, or (with no
 * error set) when the applier failed. */
static gboolean
fetch_page (SoupSession   *session,
            Job           *job,
            PullPipe      *pipe,
            gint64        *cursor,
            guint         *limit,
            gboolean      *more,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *path = NULL;
  Reply reply;
  JsonObject *object;
  JsonArray *envelopes;
  gint64 last_seq;
  gint64 t_http;
  gboolean ok = FALSE;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  path = g_strdup_printf ("/v1/centers/%s/pull?after=%" G_GINT64_FORMAT "&limit=%u",
                          job->center, *cursor, *limit);
  t_http = g_get_monotonic_time ();
  if (!http (session, job, SOUP_METHOD_GET, path, NULL, 0, &reply, cancellable, error))
    return FALSE;
  job->usec_http += g_get_monotonic_time () - t_http;
  if (reply.status != SOUP_STATUS_OK || reply.json == NULL || !JSON_NODE_HOLDS_OBJECT (reply.json))
    {
      set_reply_error (&reply, error);
      goto out;
    }
  object = json_node_get_object (reply.json);
  envelopes = json_object_has_member (object, "envelopes")
              ? json_object_get_array_member (object, "envelopes") : NULL;
  last_seq = json_object_get_int_member_with_default (object, "last_seq", *cursor);
  *more = json_object_get_boolean_member_with_default (object, "more", FALSE);
  if (envelopes == NULL)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The server answered the pull in an unexpected form"));
      goto out;
    }
  if (json_array_get_length (envelopes) > 0)
    {
      gsize per_envelope = g_bytes_get_size (reply.body) / json_array_get_length (envelopes);

      *limit = (guint) CLAMP (PULL_PAGE_BYTES / MAX (per_envelope, 1), 1, job->pull_limit);
    }

  for (guint i = 0; i < json_array_get_length (envelopes); i++)
    {
      JsonObject *item = json_array_get_object_element (envelopes, i);
      g_autoptr(StpEnvelope) envelope = NULL;
      g_autoptr(GBytes) plaintext = NULL;
      GPtrArray *changes = NULL;
      gboolean own;
      gint64 seq, t0;

      if (item == NULL)
        continue;
      seq = json_object_get_int_member_with_default (item, "seq", 0);
      envelope = stp_envelope_from_json_node (json_object_get_member (item, "envelope"), error);
      if (envelope == NULL)
        goto out;
      /* This device's own batches are applied like the others: they
       * change nothing where its file already has them, and bring them
       * back where it does not (a file restored from a backup).  The
       * cursor skips those that directly follow it (push_outbox()). */
      own = g_strcmp0 (envelope->device, job->device) == 0;
      t0 = g_get_monotonic_time ();
      plaintext = stp_envelope_open (envelope, job->key, error);
      if (plaintext == NULL)
        {
          g_prefix_error (error, _("A change batch could not be decrypted: "));
          goto out;
        }
      changes = stp_sync_batch_decode (g_bytes_get_data (plaintext, NULL),
                                       g_bytes_get_size (plaintext), error);
      if (changes == NULL)
        goto out;
      job->usec_decode += g_get_monotonic_time () - t0;
      if (!pull_pipe_push (pipe, changes, seq, FALSE, own))
        goto out;
    }
  if (last_seq != *cursor && !pull_pipe_push (pipe, NULL, last_seq, TRUE, FALSE))
    goto out;
  if (last_seq == *cursor)
    *more = FALSE;
  *cursor = last_seq;
  ok = TRUE;

out:
  reply_clear (&reply);
  return ok;
}

static gboolean
pull_pages (SoupSession   *session,
            Job           *job,
            GCancellable  *cancellable,
            GError       **error)
{
  PullPipe pipe = { 0, };
  GThread *thread;
  gint64 cursor = stp_sync_store_get_cursor (job->secondary, CURSOR_KEY);
  guint limit = MIN (job->pull_limit, PULL_FIRST_LIMIT);
  gboolean more = TRUE;
  gboolean ok = TRUE;
  g_autoptr(GError) fetch_error = NULL;

  g_mutex_init (&pipe.lock);
  g_cond_init (&pipe.cond);
  g_queue_init (&pipe.items);
  pipe.applier.job = job;
  pipe.applier.pending = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  thread = g_thread_new ("stp-sync-apply", applier_thread, &pipe);

  while (ok && more)
    ok = fetch_page (session, job, &pipe, &cursor, &limit, &more, cancellable, &fetch_error);

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
             job->usec_http / 1e6, job->usec_decode / 1e6, job->usec_apply / 1e6);

  g_ptr_array_unref (pipe.applier.pending);
  g_queue_clear_full (&pipe.items, (GDestroyNotify) pull_item_free);
  g_mutex_clear (&pipe.lock);
  g_cond_clear (&pipe.cond);
  return ok;
}

/* --- Snapshots -------------------------------------------------------------- */

/* A computer that has pulled nothing yet starts from the newest snapshot
 * instead of replaying the whole log, then pulls what came after it.  A
 * computer that is up to date makes a new snapshot when the log since the
 * newest one has grown to half its size (and at least the minimum). */

typedef struct
{
  gboolean  supported;     /* the server knows snapshots */
  gboolean  have;
  char     *id;
  gint64    seq;
  gint64    chunks;
  gint64    bytes;
  char     *manifest;      /* base64 of the sealed manifest */
  gint64    head;
  gint64    log_bytes_after;
} Latest;

static void
latest_clear (Latest *latest)
{
  g_clear_pointer (&latest->id, g_free);
  g_clear_pointer (&latest->manifest, g_free);
  memset (latest, 0, sizeof *latest);
}

/* FALSE only for network errors and cancelling. */
static gboolean
fetch_latest (SoupSession   *session,
              Job           *job,
              Latest        *latest,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *path = g_strdup_printf ("/v1/centers/%s/snapshots/latest", job->center);
  Reply reply;
  JsonObject *object;
  JsonNode *snapshot;

  memset (latest, 0, sizeof *latest);
  if (!http (session, job, SOUP_METHOD_GET, path, NULL, 0, &reply, cancellable, error))
    return FALSE;
  if (reply.status != SOUP_STATUS_OK || reply.json == NULL || !JSON_NODE_HOLDS_OBJECT (reply.json))
    {
      /* An older server: replay the log as before. */
      g_debug ("No snapshots on this server (HTTP %u)", reply.status);
      reply_clear (&reply);
      return TRUE;
    }
  object = json_node_get_object (reply.json);
  latest->supported = TRUE;
  latest->head = json_object_get_int_member_with_default (object, "head", 0);
  latest->log_bytes_after = json_object_get_int_member_with_default (object, "log_bytes_after", 0);
  snapshot = json_object_get_member (object, "snapshot");
  if (snapshot != NULL && JSON_NODE_HOLDS_OBJECT (snapshot))
    {
      JsonObject *s = json_node_get_object (snapshot);
      g_autoptr(GError) local_error = NULL;
      const char *id = stp_json_get_string (s, "id", 64, &local_error);
      const char *manifest = stp_json_get_string (s, "manifest", 65536, &local_error);

      if (id != NULL && manifest != NULL && stp_is_valid_id (id) &&
          stp_json_get_int (s, "seq", 0, G_MAXINT64, &latest->seq, &local_error) &&
          stp_json_get_int (s, "chunks", 1, STP_SNAPSHOT_MAX_CHUNKS, &latest->chunks, &local_error) &&
          stp_json_get_int (s, "bytes", 1, G_MAXINT64, &latest->bytes, &local_error))
        {
          latest->have = TRUE;
          latest->id = g_strdup (id);
          latest->manifest = g_strdup (manifest);
        }
      else
        g_warning ("The server described its snapshot in an unexpected form");
    }
  reply_clear (&reply);
  return TRUE;
}

static char *
snapshot_temp_path (Job        *job,
                    const char *suffix)
{
  return g_strconcat (stp_store_get_path (job->secondary), suffix, NULL);
}

static void
remove_snapshot_files (const char *path)
{
  static const char * const suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_remove (name);
    }
}

/* Downloads, checks and installs @latest.  FALSE for network errors and
 * cancelling (the sync fails and is retried); any other problem is
 * logged and the log is replayed instead. */
static gboolean
install_snapshot (SoupSession   *session,
                  Job           *job,
                  const Latest  *latest,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *path = snapshot_temp_path (job, ".snapshot-in");
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(StpSnapshotWriter) writer = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(StpSnapshotManifest) manifest = { 0, };
  guint8 hash[32];
  gint64 raw_bytes = 0;
  gint64 seq = -1;
  guint64 hlc = 0;
  gint64 t_start = g_get_monotonic_time ();
  gint64 t_download;
  gint64 usec_http = 0;
  gboolean ok = TRUE;

  if (!(sealed = stp_base64_decode (latest->manifest, 65536, &local_error)) ||
      !(plain = stp_snapshot_open (job->key, job->center, latest->id, STP_SNAPSHOT_MANIFEST,
                                   latest->chunks, g_bytes_get_data (sealed, NULL),
                                   g_bytes_get_size (sealed), &local_error)) ||
      !stp_snapshot_manifest_from_json (&manifest, g_bytes_get_data (plain, NULL),
                                        g_bytes_get_size (plain), &local_error))
    goto skip;
  if (manifest.seq != latest->seq || manifest.chunks != latest->chunks ||
      g_strcmp0 (manifest.format, STP_SNAPSHOT_FORMAT) != 0)
    {
      g_set_error_literal (&local_error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The snapshot does not match its description"));
      goto skip;
    }
  if (manifest.schema != STP_SCHEMA_VERSION)
    {
      g_debug ("The snapshot has schema %" G_GINT64_FORMAT ", this program %d: replaying the log",
               manifest.schema, STP_SCHEMA_VERSION);
      return TRUE;
    }

  remove_snapshot_files (path);
  if (!(writer = stp_snapshot_writer_new (path, manifest.raw_bytes, &local_error)))
    goto skip;
  for (gint64 n = 0; n < latest->chunks; n++)
    {
      g_autofree char *chunk_path = g_strdup_printf ("/v1/centers/%s/snapshots/%s/chunks/%" G_GINT64_FORMAT,
                                                     job->center, latest->id, n);
      g_autoptr(GBytes) ct = NULL;
      g_autoptr(GBytes) chunk = NULL;
      const char *text;
      Reply reply;
      gint64 t0 = g_get_monotonic_time ();

      if (!http (session, job, SOUP_METHOD_GET, chunk_path, NULL, 0, &reply, cancellable, error))
        {
          ok = FALSE;
          goto out;
        }
      usec_http += g_get_monotonic_time () - t0;
      if (reply.status != SOUP_STATUS_OK || reply.json == NULL || !JSON_NODE_HOLDS_OBJECT (reply.json) ||
          !(text = stp_json_get_string (json_node_get_object (reply.json), "ct", G_MAXSIZE, &local_error)) ||
          !(ct = stp_base64_decode (text, (gsize) latest->bytes, &local_error)) ||
          !(chunk = stp_snapshot_open (job->key, job->center, latest->id, n, latest->chunks,
                                       g_bytes_get_data (ct, NULL), g_bytes_get_size (ct),
                                       &local_error)) ||
          !stp_snapshot_writer_feed (writer, g_bytes_get_data (chunk, NULL),
                                     g_bytes_get_size (chunk), &local_error))
        {
          if (local_error == NULL)
            set_reply_error (&reply, &local_error);
          reply_clear (&reply);
          goto skip;
        }
      reply_clear (&reply);
    }
  if (!stp_snapshot_writer_finish (writer, hash, &raw_bytes, &local_error))
    goto skip;
  if (raw_bytes != manifest.raw_bytes || sodium_memcmp (hash, manifest.hash, sizeof hash) != 0)
    {
      g_set_error_literal (&local_error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The snapshot does not match its description"));
      goto skip;
    }
  t_download = g_get_monotonic_time ();
  if (!stp_sync_store_install_snapshot (job->secondary, path, CURSOR_KEY, &seq, &hlc, &local_error))
    goto skip;
  if (seq >= 0)
    {
      job->max_remote_hlc = MAX (job->max_remote_hlc, hlc);
      stp_sync_store_observe_hlc (job->secondary, hlc);
      job->snapshot_in = TRUE;
      g_debug ("snapshot in: %" G_GINT64_FORMAT " bytes, seq %" G_GINT64_FORMAT
               ", %.2f s downloading and unpacking (%.2f s of it waiting for the server), "
               "%.2f s installing",
               raw_bytes, seq, (t_download - t_start) / 1e6, usec_http / 1e6,
               (g_get_monotonic_time () - t_download) / 1e6);
    }
  goto out;

skip:
  g_message ("The snapshot from the server was not used (%s); the changes are read one by one",
             local_error != NULL ? local_error->message : "?");
out:
  remove_snapshot_files (path);
  return ok;
}

/* Makes and sends a snapshot when the log has grown enough since the
 * newest one.  Failures are only logged: the sync itself succeeded. */
static void
make_snapshot (SoupSession   *session,
               Job           *job,
               GCancellable  *cancellable)
{
  g_autofree char *db_path = snapshot_temp_path (job, ".snapshot-out");
  g_autofree char *packed_path = snapshot_temp_path (job, ".snapshot-out.zst");
  g_autofree char *id = NULL;
  g_autofree char *manifest_json = NULL;
  g_autofree char *manifest_b64 = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autofree guint8 *buf = NULL;
  g_autoptr(GBytes) sealed = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(StpSnapshotManifest) manifest = { 0, };
  Latest latest = { 0, };
  FILE *file = NULL;
  Reply reply = { 0, };
  gint64 seq = -1;
  guint64 hlc = 0;
  gint64 raw_bytes = 0, packed_bytes = 0;
  gsize chunk_bytes;
  gint64 n_chunks;
  gint64 threshold;
  gint64 t_start = g_get_monotonic_time ();
  gint64 t_packed;

  if (job->snapshot_min_bytes == 0)
    return;
  if (!fetch_latest (session, job, &latest, cancellable, &error) || !latest.supported)
    goto out;
  threshold = MAX ((gint64) job->snapshot_min_bytes, latest.have ? latest.bytes / 2 : 0);
  if (latest.log_bytes_after < threshold)
    goto out;

  if (!stp_sync_store_write_snapshot (job->secondary, db_path, CURSOR_KEY, &seq, &hlc, &error))
    goto out;
  if (seq <= 0 || (latest.have && seq <= latest.seq))
    goto out;
  if (!stp_sync_snapshot_compress (db_path, packed_path, manifest.hash, &raw_bytes,
                                   &packed_bytes, &error))
    goto out;
  remove_snapshot_files (db_path);
  t_packed = g_get_monotonic_time ();

  /* Each sealed chunk, base64'd in its JSON body, fits the body limit. */
  chunk_bytes = MIN (job->max_body > 1024 ? (job->max_body - 256) / 4 * 3 : DEFAULT_BATCH_BYTES,
                     SNAPSHOT_CHUNK_BYTES) - STP_SNAPSHOT_SEAL_OVERHEAD;
  n_chunks = MAX (1, (packed_bytes + (gint64) chunk_bytes - 1) / (gint64) chunk_bytes);
  if (n_chunks > STP_SNAPSHOT_MAX_CHUNKS)
    {
      g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, "too many chunks");
      goto out;
    }
  id = g_uuid_string_random ();
  manifest.format = g_strdup (STP_SNAPSHOT_FORMAT);
  manifest.schema = STP_SCHEMA_VERSION;
  manifest.seq = seq;
  manifest.chunks = n_chunks;
  manifest.raw_bytes = raw_bytes;
  manifest.device = g_strdup (job->device);
  manifest.hlc = hlc;
  manifest_json = stp_snapshot_manifest_to_json (&manifest);
  if (!(sealed = stp_snapshot_seal (job->key, job->center, id, STP_SNAPSHOT_MANIFEST, n_chunks,
                                    (const guint8 *) manifest_json, strlen (manifest_json), &error)))
    goto out;
  manifest_b64 = stp_base64_encode (g_bytes_get_data (sealed, NULL), g_bytes_get_size (sealed));
  body = g_strdup_printf ("{\"id\":\"%s\",\"seq\":%" G_GINT64_FORMAT ",\"chunks\":%" G_GINT64_FORMAT
                          ",\"bytes\":%" G_GINT64_FORMAT ",\"manifest\":\"%s\"}",
                          id, seq, n_chunks, packed_bytes + n_chunks * STP_SNAPSHOT_SEAL_OVERHEAD,
                          manifest_b64);
  path = g_strdup_printf ("/v1/centers/%s/snapshots", job->center);
  if (!http (session, job, SOUP_METHOD_POST, path, body, strlen (body), &reply, cancellable, &error))
    goto out;
  if (reply.status != SOUP_STATUS_CREATED && reply.status != SOUP_STATUS_OK)
    {
      set_reply_error (&reply, &error);
      goto out;
    }
  reply_clear (&reply);

  if (!(file = g_fopen (packed_path, "rb")))
    {
      g_set_error (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, "%s: %s", packed_path,
                   g_strerror (errno));
      goto out;
    }
  buf = g_malloc (chunk_bytes);
  for (gint64 n = 0; n < n_chunks; n++)
    {
      gsize len = fread (buf, 1, chunk_bytes, file);
      g_autoptr(GBytes) ct = NULL;
      g_autofree char *b64 = NULL;
      g_autofree char *chunk_body = NULL;
      g_autofree char *chunk_path = NULL;

      if (!(ct = stp_snapshot_seal (job->key, job->center, id, n, n_chunks, buf, len, &error)))
        goto out;
      b64 = stp_base64_encode (g_bytes_get_data (ct, NULL), g_bytes_get_size (ct));
      chunk_body = g_strconcat ("{\"ct\":\"", b64, "\"}", NULL);
      g_clear_pointer (&b64, g_free);
      chunk_path = g_strdup_printf ("/v1/centers/%s/snapshots/%s/chunks/%" G_GINT64_FORMAT,
                                    job->center, id, n);
      if (!http (session, job, SOUP_METHOD_POST, chunk_path, chunk_body, strlen (chunk_body),
                 &reply, cancellable, &error))
        goto out;
      if (reply.status != SOUP_STATUS_OK)
        {
          set_reply_error (&reply, &error);
          goto out;
        }
      reply_clear (&reply);
    }
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/v1/centers/%s/snapshots/%s/commit", job->center, id);
  if (!http (session, job, SOUP_METHOD_POST, path, "{}", 2, &reply, cancellable, &error))
    goto out;
  if (reply.status != SOUP_STATUS_OK)
    {
      set_reply_error (&reply, &error);
      goto out;
    }
  job->snapshot_out = TRUE;
  g_debug ("snapshot out: %" G_GINT64_FORMAT " bytes packed to %" G_GINT64_FORMAT
           " in %" G_GINT64_FORMAT " chunks, seq %" G_GINT64_FORMAT
           "; %.2f s copying and packing, %.2f s sending",
           raw_bytes, packed_bytes, n_chunks, seq, (t_packed - t_start) / 1e6,
           (g_get_monotonic_time () - t_packed) / 1e6);

out:
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("No snapshot was sent to the server: %s", error->message);
  reply_clear (&reply);
  if (file != NULL)
    fclose (file);
  remove_snapshot_files (db_path);
  g_remove (packed_path);
  latest_clear (&latest);
}

/* One audit event per run (DOMAIN.md: synchronization is audited):
 * counts, or the error's domain and code; never values or names. */
static void
audit_run (Job          *job,
           const GError *failure)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;

  if (failure == NULL)
    detail = g_strdup_printf ("pushed %u, pulled %u, conflicts %u%s%s",
                              job->pushed, job->pulled, job->conflicts,
                              job->snapshot_in ? ", started from a snapshot" : "",
                              job->snapshot_out ? ", snapshot sent" : "");
  else
    detail = g_strdup_printf ("failed: %s %d; pushed %u, pulled %u, conflicts %u",
                              g_quark_to_string (failure->domain), failure->code,
                              job->pushed, job->pulled, job->conflicts);
  if (!stp_sync_store_audit_run (job->secondary, detail, &error))
    g_warning ("The sync audit event could not be written: %s", error->message);
}

static void
sync_thread (GTask         *task,
             gpointer       source,
             gpointer       task_data,
             GCancellable  *cancellable)
{
  Job *job = task_data;
  g_autoptr(SoupSession) session = make_session (job);
  g_autoptr(GError) error = NULL;
  gsize max_body = 0;

  /* What a crash in the middle of a snapshot left behind (a copy of the
   * data beside the database file). */
  {
    static const char * const leftovers[] = { ".snapshot-in", ".snapshot-out" };

    for (guint i = 0; i < G_N_ELEMENTS (leftovers); i++)
      {
        g_autofree char *path = snapshot_temp_path (job, leftovers[i]);
        g_autofree char *packed = g_strconcat (path, ".zst", NULL);

        remove_snapshot_files (path);
        g_remove (packed);
      }
  }
  if (!fetch_info (session, job, &max_body, cancellable, &error))
    goto fail;
  job->max_body = max_body;
  if (job->batch_bytes == 0)
    job->batch_bytes = max_body > 0 ? MIN (max_body, MAX_BODY_BYTES) : DEFAULT_BATCH_BYTES;
  if (!push_outbox (session, job, cancellable, &error))
    goto fail;
  if (stp_sync_store_get_cursor (job->secondary, CURSOR_KEY) == 0)
    {
      Latest latest;

      if (!fetch_latest (session, job, &latest, cancellable, &error))
        goto fail;
      if (latest.have && latest.seq > 0 &&
          !install_snapshot (session, job, &latest, cancellable, &error))
        {
          latest_clear (&latest);
          goto fail;
        }
      latest_clear (&latest);
    }
  if (!pull_pages (session, job, cancellable, &error))
    goto fail;
  if (!stp_sync_store_retry_parked (job->secondary, &error))
    goto fail;
  make_snapshot (session, job, cancellable);
  job->pending = (guint) stp_sync_store_count_pending (job->secondary);
  if (job->clock_error != NULL)
    {
      g_set_error (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_CLOCK, "%s", job->clock_error);
      audit_run (job, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  audit_run (job, NULL);
  g_task_return_boolean (task, TRUE);
  return;

fail:
  job->pending = (guint) stp_sync_store_count_pending (job->secondary);
  audit_run (job, error);
  g_task_return_error (task, g_steal_pointer (&error));
}

/* --- Engine ---------------------------------------------------------------- */

static void schedule_next (StpSyncEngine *self, gboolean failed, const GError *error);

static void
set_state (StpSyncEngine *self,
           StpSyncState   state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_last_error (StpSyncEngine *self,
                const char    *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

static void
set_pending (StpSyncEngine *self,
             guint          pending)
{
  if (self->pending == pending)
    return;
  self->pending = pending;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PENDING]);
}

static char *
get_setting (StpSyncEngine *self,
             const char    *key)
{
  char *value = stp_store_get_setting (self->store, key);

  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static void
load_settings (StpSyncEngine *self)
{
  g_autofree char *key = NULL;
  g_autofree char *last = NULL;

  g_clear_pointer (&self->url, g_free);
  g_clear_pointer (&self->center, g_free);
  g_clear_pointer (&self->center_name, g_free);
  g_clear_pointer (&self->device, g_free);
  g_clear_pointer (&self->token, g_free);
  g_clear_pointer (&self->key_id, g_free);
  g_clear_pointer (&self->fingerprint, g_free);
  self->have_key = FALSE;

  self->url = get_setting (self, SETTING_URL);
  self->center = get_setting (self, SETTING_CENTER);
  self->center_name = get_setting (self, SETTING_CENTER_NAME);
  self->device = get_setting (self, SETTING_DEVICE);
  self->token = get_setting (self, SETTING_TOKEN);
  self->key_id = get_setting (self, SETTING_KEY_ID);
  self->fingerprint = get_setting (self, SETTING_FINGERPRINT);
  key = get_setting (self, SETTING_KEY);
  if (key != NULL)
    {
      g_autoptr(GBytes) bytes = stp_base64_decode (key, STP_CENTER_KEY_BYTES, NULL);

      if (bytes != NULL && g_bytes_get_size (bytes) == STP_CENTER_KEY_BYTES)
        {
          memcpy (self->key, g_bytes_get_data (bytes, NULL), STP_CENTER_KEY_BYTES);
          self->have_key = TRUE;
        }
      sodium_memzero (key, strlen (key));
    }
  last = get_setting (self, SETTING_LAST_SYNC);
  self->last_sync = last ? g_ascii_strtoll (last, NULL, 10) : 0;
}

gboolean
stp_sync_engine_is_enrolled (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), FALSE);

  return self->url != NULL && self->center != NULL && self->device != NULL
         && self->token != NULL && self->have_key && self->key_id != NULL;
}

gboolean
stp_sync_engine_needs_enrollment (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), TRUE);

  return self->revoked || !stp_sync_engine_is_enrolled (self);
}

static Job *
job_new (StpSyncEngine  *self,
         GError        **error)
{
  Job *job = g_new0 (Job, 1);

  if (self->store == NULL)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, _("The database is closed"));
      job_free (job);
      return NULL;
    }
  if (self->secondary == NULL)
    {
      self->secondary = stp_store_open_secondary (self->store, error);
      if (self->secondary == NULL)
        {
          job_free (job);
          return NULL;
        }
    }
  job->secondary = g_object_ref (self->secondary);
  job->url = g_strdup (self->url);
  job->center = g_strdup (self->center);
  job->device = g_strdup (self->device);
  job->token = g_strdup (self->token);
  job->key_id = g_strdup (self->key_id);
  job->fingerprint = g_strdup (self->fingerprint);
  memcpy (job->key, self->key, sizeof job->key);
  job->batch_bytes = self->batch_bytes;
  job->snapshot_min_bytes = self->snapshot_min_bytes;
  job->pull_limit = self->pull_limit;
  job->clock_offset = stp_store_now (self->store) - g_get_real_time ();
  job->hook = self->hook;
  job->hook_data = self->hook_data;
  job->fast_kdf = self->fast_kdf;
  g_set_object (&job->tls_database, self->tls_database);
  return job;
}

static void
apply_skew (StpSyncEngine *self,
            Job           *job)
{
  if (job->have_skew && job->skew != self->clock_skew)
    {
      self->clock_skew = job->skew;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOCK_SKEW]);
    }
}

/* The counts of the running job, which its threads raise atomically. */
static void
read_progress (StpSyncEngine *self)
{
  guint sent, received;

  if (self->job == NULL)
    return;
  sent = (guint) g_atomic_int_get ((gint *) &self->job->pushed);
  received = (guint) g_atomic_int_get ((gint *) &self->job->pulled);
  if (sent != self->sent)
    {
      self->sent = sent;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENT]);
    }
  if (received != self->received)
    {
      self->received = received;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
    }
}

static gboolean
on_progress (gpointer user_data)
{
  read_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (source);
  GTask *outer = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  self->running = FALSE;
  read_progress (self);
  self->job = NULL;
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->store == NULL)
    {
      /* The database was closed while the worker ran. */
      if (outer != NULL)
        {
          if (ok)
            g_task_return_boolean (outer, TRUE);
          else
            g_task_return_error (outer, g_steal_pointer (&error));
          g_object_unref (outer);
        }
      return;
    }
  apply_skew (self, job);
  /* The worker's connection saw these; the window's connection makes the
   * next local edits, which must order after what the user was shown. */
  if (self->store != NULL)
    stp_sync_store_observe_hlc (self->store, job->max_remote_hlc);
  set_pending (self, job->pending);
  if (ok || g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_CLOCK))
    {
      g_autofree char *text = NULL;

      self->last_sync = stp_store_now (self->store);
      text = g_strdup_printf ("%" G_GINT64_FORMAT, self->last_sync);
      stp_store_set_setting (self->store, SETTING_LAST_SYNC, text, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
    }
  if (ok)
    {
      if (ABS (self->clock_skew) > STP_SYNC_SKEW_WARNING_MILLIS)
        {
          g_autofree char *msg = g_strdup_printf (_("This computer's clock differs from the server's by "
                                                    "%d min; correct it"),
                                                  (int) (self->clock_skew / 60000));
          set_last_error (self, msg);
        }
      else
        set_last_error (self, NULL);
      set_state (self, STP_SYNC_STATE_IDLE);
    }
  else
    {
      if (g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED))
        self->revoked = TRUE;
      set_last_error (self, error->message);
      set_state (self, g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK)
                 ? STP_SYNC_STATE_OFFLINE : STP_SYNC_STATE_ERROR);
    }
  schedule_next (self, !ok, error);

  if (outer != NULL)
    {
      if (ok)
        g_task_return_boolean (outer, TRUE);
      else
        g_task_return_error (outer, g_steal_pointer (&error));
      g_object_unref (outer);
    }
}

static void
start_sync (StpSyncEngine *self,
            GTask         *outer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (self->running)
    {
      if (outer != NULL)
        {
          g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_BUSY,
                                   _("A synchronization is already running"));
          g_object_unref (outer);
        }
      return;
    }
  if (!stp_sync_engine_is_enrolled (self))
    {
      if (outer != NULL)
        {
          g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_NOT_ENROLLED,
                                   _("This computer is not connected to a sync server yet"));
          g_object_unref (outer);
        }
      return;
    }
  job = job_new (self, &error);
  if (job != NULL && self->reader == NULL)
    {
      self->reader = stp_store_open_secondary (self->store, &error);
      if (self->reader == NULL)
        g_clear_pointer (&job, job_free);
    }
  if (job != NULL)
    job->reader = g_object_ref (self->reader);
  if (job == NULL)
    {
      set_last_error (self, error->message);
      set_state (self, STP_SYNC_STATE_ERROR);
      if (outer != NULL)
        {
          g_task_return_error (outer, g_steal_pointer (&error));
          g_object_unref (outer);
        }
      return;
    }
  self->running = TRUE;
  self->job = job;
  set_state (self, STP_SYNC_STATE_SYNCING);
  if (self->sent != 0)
    {
      self->sent = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENT]);
    }
  if (self->received != 0)
    {
      self->received = 0;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECEIVED]);
    }
  self->progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress, self);
  task = g_task_new (self, outer ? g_task_get_cancellable (outer) : NULL, sync_done, outer);
  g_task_set_source_tag (task, start_sync);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, sync_thread);
}

static gboolean
on_timer (gpointer user_data)
{
  StpSyncEngine *self = user_data;

  self->retry_id = 0;
  start_sync (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule_next (StpSyncEngine *self,
               gboolean       failed,
               const GError  *error)
{
  guint delay;

  g_clear_handle_id (&self->retry_id, g_source_remove);
  if (!self->auto_sync)
    return;
  if (failed)
    {
      double seconds;

      /* Permanent until someone acts. */
      if (g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED)
          || g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NOT_ENROLLED))
        return;
      self->failures = MIN (self->failures + 1, 16);
      seconds = MIN ((double) BACKOFF_MAX_SECONDS, (double) (1u << MIN (self->failures - 1, 10)));
      /* Jitter so that many centers do not retry in step. */
      seconds = MAX (1.0, seconds * g_random_double_range (0.5, 1.0));
      delay = (guint) (seconds * 1000);
    }
  else
    {
      self->failures = 0;
      if (self->interval == 0)
        return;
      delay = self->interval * 1000;
    }
  self->retry_id = g_timeout_add (delay, on_timer, self);
}

static void
on_network_changed (GNetworkMonitor *monitor,
                    gboolean         available,
                    gpointer         user_data)
{
  StpSyncEngine *self = user_data;
  gboolean was_up = self->network_up;

  self->network_up = available;
  if (available && !was_up && self->auto_sync && stp_sync_engine_is_enrolled (self))
    {
      self->failures = 0;
      start_sync (self, NULL);
    }
  else if (!available && self->state == STP_SYNC_STATE_IDLE)
    set_state (self, STP_SYNC_STATE_OFFLINE);
}

void
stp_sync_engine_set_auto (StpSyncEngine *self,
                          gboolean       enabled,
                          guint          interval_seconds)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  self->auto_sync = enabled;
  self->interval = interval_seconds;
  if (enabled && self->monitor == NULL)
    {
      self->monitor = g_object_ref (g_network_monitor_get_default ());
      self->network_up = g_network_monitor_get_network_available (self->monitor);
      self->monitor_id = g_signal_connect (self->monitor, "network-changed",
                                           G_CALLBACK (on_network_changed), self);
    }
  if (enabled && !self->running && self->retry_id == 0 && stp_sync_engine_is_enrolled (self))
    self->retry_id = g_timeout_add (1000, on_timer, self);
  if (!enabled)
    g_clear_handle_id (&self->retry_id, g_source_remove);
}

void
stp_sync_engine_sync_async (StpSyncEngine       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *outer;

  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, stp_sync_engine_sync_async);
  start_sync (self, outer);
}

gboolean
stp_sync_engine_sync_finish (StpSyncEngine  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
stp_sync_engine_sync_now (StpSyncEngine *self)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  self->failures = 0;
  start_sync (self, NULL);
}

/* --- Enrollment ------------------------------------------------------------ */

static void
enroll_thread (GTask         *task,
               gpointer       source,
               gpointer       task_data,
               GCancellable  *cancellable)
{
  Job *job = task_data;
  g_autoptr(SoupSession) session = make_session (job);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpWrappedKey) wrapped = NULL;
  g_autofree char *body = NULL;
  g_autofree char *device_name = NULL;
  g_autofree char *key_path = NULL;
  JsonObject *object;
  JsonNode *key_node;
  Reply reply;

  if (!fetch_info (session, job, NULL, cancellable, &error))
    goto fail;
  if (job->fingerprint == NULL && job->seen_fingerprint != NULL)
    job->fingerprint = g_strdup (job->seen_fingerprint);

  if (job->token == NULL)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      device_name = g_strdup (g_get_host_name ());
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, job->code);
      json_builder_set_member_name (builder, "device_name");
      json_builder_add_string_value (builder, device_name);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      body = json_to_string (root, FALSE);
      if (!http (session, job, SOUP_METHOD_POST, "/v1/enroll", body, strlen (body), &reply,
                 cancellable, &error))
        goto fail;
      if (reply.status != SOUP_STATUS_OK || reply.json == NULL || !JSON_NODE_HOLDS_OBJECT (reply.json))
        {
          set_reply_error (&reply, &error);
          reply_clear (&reply);
          goto fail;
        }
      object = json_node_get_object (reply.json);
      job->center = g_strdup (json_object_get_string_member_with_default (object, "center", NULL));
      job->center_name = g_strdup (json_object_get_string_member_with_default (object, "center_name", ""));
      job->device = g_strdup (json_object_get_string_member_with_default (object, "device", NULL));
      job->device_number = json_object_get_int_member_with_default (object, "device_number", 0);
      job->token = g_strdup (json_object_get_string_member_with_default (object, "token", NULL));
      key_node = json_object_get_member (object, "key");
      if (key_node != NULL && !JSON_NODE_HOLDS_NULL (key_node))
        job->wrapped_json = json_to_string (key_node, FALSE);
      reply_clear (&reply);
      if (job->center == NULL || job->device == NULL || job->token == NULL)
        {
          g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                               _("The server answered the enrollment in an unexpected form"));
          goto fail;
        }
    }
  else
    {
      /* A retry after a wrong passphrase: the code is used up, the token
       * from the first attempt is still ours. */
      key_path = g_strdup_printf ("/v1/centers/%s/key", job->center);
      if (!http (session, job, SOUP_METHOD_GET, key_path, NULL, 0, &reply, cancellable, &error))
        goto fail;
      if (reply.status != SOUP_STATUS_OK || reply.json == NULL || !JSON_NODE_HOLDS_OBJECT (reply.json))
        {
          set_reply_error (&reply, &error);
          reply_clear (&reply);
          goto fail;
        }
      key_node = json_object_get_member (json_node_get_object (reply.json), "key");
      g_clear_pointer (&job->wrapped_json, g_free);
      if (key_node != NULL && !JSON_NODE_HOLDS_NULL (key_node))
        job->wrapped_json = json_to_string (key_node, FALSE);
      reply_clear (&reply);
    }

  if (job->wrapped_json == NULL)
    {
      /* The first device of the center makes the key. */
      g_autofree char *key_id = g_uuid_string_random ();
      g_autofree char *wrapped_text = NULL;

      stp_center_key_generate (job->key);
      wrapped = stp_wrapped_key_wrap (key_id, job->key, job->passphrase,
                                      job->fast_kdf ? stp_wrapped_key_min_ops () : stp_wrapped_key_default_ops (),
                                      job->fast_kdf ? stp_wrapped_key_min_mem () : stp_wrapped_key_default_mem (),
                                      &error);
      if (wrapped == NULL)
        goto fail;
      wrapped_text = stp_wrapped_key_to_json (wrapped);
      g_free (key_path);
      key_path = g_strdup_printf ("/v1/centers/%s/key", job->center);
      if (!http (session, job, SOUP_METHOD_PUT, key_path, wrapped_text, strlen (wrapped_text),
                 &reply, cancellable, &error))
        goto fail;
      if (reply.status == SOUP_STATUS_OK)
        {
          reply_clear (&reply);
          job->wrapped_json = g_steal_pointer (&wrapped_text);
          job->key_id = g_strdup (wrapped->key_id);
          g_task_return_boolean (task, TRUE);
          return;
        }
      if (reply.status != SOUP_STATUS_CONFLICT)
        {
          set_reply_error (&reply, &error);
          reply_clear (&reply);
          goto fail;
        }
      reply_clear (&reply);
      /* Another device was first: use its key. */
      if (!http (session, job, SOUP_METHOD_GET, key_path, NULL, 0, &reply, cancellable, &error))
        goto fail;
      if (reply.status == SOUP_STATUS_OK && reply.json != NULL && JSON_NODE_HOLDS_OBJECT (reply.json))
        {
          key_node = json_object_get_member (json_node_get_object (reply.json), "key");
          if (key_node != NULL && !JSON_NODE_HOLDS_NULL (key_node))
            job->wrapped_json = json_to_string (key_node, FALSE);
        }
      reply_clear (&reply);
      g_clear_pointer (&wrapped, stp_wrapped_key_free);
      if (job->wrapped_json == NULL)
        {
          g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                               _("The server has no center key"));
          goto fail;
        }
    }

  wrapped = stp_wrapped_key_from_json (job->wrapped_json, -1, &error);
  if (wrapped == NULL)
    goto fail;
  if (!stp_wrapped_key_unwrap (wrapped, job->passphrase, job->key, &error))
    {
      if (g_error_matches (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_WRONG_PASSPHRASE))
        {
          g_clear_error (&error);
          g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_WRONG_PASSPHRASE,
                               _("The center passphrase is wrong; nothing was changed"));
        }
      goto fail;
    }
  job->key_id = g_strdup (wrapped->key_id);
  g_task_return_boolean (task, TRUE);
  return;

fail:
  g_task_return_error (task, g_steal_pointer (&error));
}

/* The device code in file numbers: from the device number the server gave
 * (unique in the center).  An older server gives none: then two characters
 * from the server's device id, which two devices may share. */
static char *
device_code_for (const char *device,
                 gint64      number)
{
  static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
  guint hash = g_str_hash (device);
  char code[3];

  if (number > 0 && number <= STP_DEVICE_NUMBER_MAX)
    return stp_device_code_for_number (number);
  if (number > STP_DEVICE_NUMBER_MAX)
    g_warning ("Device number %" G_GINT64_FORMAT " has no device code; one is made from the device id",
               number);

  code[0] = alphabet[hash % 32];
  code[1] = alphabet[(hash / 32) % 32];
  code[2] = '\0';
  return g_strdup (code);
}

typedef struct
{
  char *url;
  char *code;
  char *center;
  char *device;
  char *token;
  char *fingerprint;
  gint64 device_number;
} PendingEnroll;

static void
pending_enroll_free (PendingEnroll *p)
{
  g_free (p->url);
  g_free (p->code);
  g_free (p->center);
  g_free (p->device);
  g_free (p->token);
  g_free (p->fingerprint);
  g_free (p);
}

static void
enroll_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (source);
  GTask *outer = user_data;
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *device_code = NULL;
  g_autofree char *device_number = NULL;

  self->running = FALSE;
  apply_skew (self, job);
  if (self->store == NULL && g_task_propagate_boolean (G_TASK (result), &error))
    g_set_error_literal (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED, _("The database is closed"));
  if (error != NULL || !g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* A wrong passphrase after the code was used: keep the token in
       * memory only, so that a second try needs no new code. */
      if (job->token != NULL && job->center != NULL && job->device != NULL)
        {
          PendingEnroll *p = g_new0 (PendingEnroll, 1);

          p->url = g_strdup (job->url);
          p->code = g_strdup (job->code);
          p->center = g_strdup (job->center);
          p->device = g_strdup (job->device);
          p->token = g_strdup (job->token);
          p->fingerprint = g_strdup (job->fingerprint);
          p->device_number = job->device_number;
          g_object_set_data_full (G_OBJECT (self), "stp-pending-enroll", p,
                                  (GDestroyNotify) pending_enroll_free);
        }
      set_state (self, STP_SYNC_STATE_ERROR);
      set_last_error (self, error->message);
      g_task_return_error (outer, g_steal_pointer (&error));
      g_object_unref (outer);
      return;
    }
  g_object_set_data (G_OBJECT (self), "stp-pending-enroll", NULL);

  key_text = stp_base64_encode (job->key, sizeof job->key);
  device_code = device_code_for (job->device, job->device_number);
  device_number = job->device_number > 0
                  ? g_strdup_printf ("%" G_GINT64_FORMAT, job->device_number) : g_strdup ("");
  if (!stp_store_set_setting (self->store, SETTING_URL, job->url, &error)
      || !stp_store_set_setting (self->store, SETTING_CENTER, job->center, &error)
      || !stp_store_set_setting (self->store, SETTING_CENTER_NAME, job->center_name ? job->center_name : "", &error)
      || !stp_store_set_setting (self->store, SETTING_DEVICE, job->device, &error)
      || !stp_store_set_setting (self->store, SETTING_DEVICE_NUMBER, device_number, &error)
      || !stp_store_set_setting (self->store, SETTING_TOKEN, job->token, &error)
      || !stp_store_set_setting (self->store, SETTING_WRAPPED_KEY, job->wrapped_json, &error)
      || !stp_store_set_setting (self->store, SETTING_KEY_ID, job->key_id, &error)
      || !stp_store_set_setting (self->store, SETTING_FINGERPRINT, job->fingerprint ? job->fingerprint : "", &error)
      || !stp_store_set_setting (self->store, SETTING_KEY, key_text, &error)
      || !stp_sync_store_set_cursor (self->store, CURSOR_KEY, 0, &error)
      || !stp_store_set_device_code (self->store, device_code, &error))
    {
      sodium_memzero (key_text, strlen (key_text));
      g_task_return_error (outer, g_steal_pointer (&error));
      g_object_unref (outer);
      return;
    }
  sodium_memzero (key_text, strlen (key_text));
  load_settings (self);
  self->revoked = FALSE;
  set_last_error (self, NULL);
  set_state (self, STP_SYNC_STATE_IDLE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENROLLED]);
  g_task_return_boolean (outer, TRUE);
  g_object_unref (outer);
}

void
stp_sync_engine_enroll_async (StpSyncEngine       *self,
                              const char          *server_url,
                              const char          *code,
                              const char          *passphrase,
                              const char          *fingerprint,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *outer;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  PendingEnroll *pending;
  Job *job;
  g_autofree char *url = NULL;

  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (server_url != NULL && code != NULL && passphrase != NULL);

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, stp_sync_engine_enroll_async);
  if (self->running)
    {
      g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_BUSY,
                               _("A synchronization is already running"));
      g_object_unref (outer);
      return;
    }
  if (*passphrase == '\0')
    {
      g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_WRONG_PASSPHRASE,
                               _("Enter the center passphrase"));
      g_object_unref (outer);
      return;
    }
  /* A SHA-256 fingerprint is 32 bytes: a typo would otherwise show up as
   * a server with the wrong certificate. */
  if (fingerprint != NULL && *fingerprint != '\0')
    {
      g_autofree char *digits = normalize_fingerprint (fingerprint);
      gboolean only_hex = TRUE;

      for (const char *p = fingerprint; *p != '\0'; p++)
        only_hex = only_hex && (g_ascii_isxdigit (*p) || *p == ':' || *p == ' ');
      if (!only_hex || strlen (digits) != 64)
        {
          g_task_return_new_error (outer, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                                   _("The certificate fingerprint must be 64 hexadecimal digits "
                                     "(in pairs, separated by “:”), as the server printed it"));
          g_object_unref (outer);
          return;
        }
    }
  url = g_strstrip (g_strdup (server_url));
  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  if (!g_str_has_prefix (url, "https://") && !g_str_has_prefix (url, "http://"))
    {
      char *with_scheme = g_strconcat ("https://", url, NULL);
      g_free (url);
      url = with_scheme;
    }

  job = g_new0 (Job, 1);
  job->url = g_steal_pointer (&url);
  job->code = g_strstrip (g_strdup (code));
  job->passphrase = g_strdup (passphrase);
  job->fingerprint = fingerprint && *fingerprint ? normalize_fingerprint (fingerprint) : NULL;
  job->clock_offset = self->store ? stp_store_now (self->store) - g_get_real_time () : 0;
  job->fast_kdf = self->fast_kdf;
  g_set_object (&job->tls_database, self->tls_database);
  pending = g_object_get_data (G_OBJECT (self), "stp-pending-enroll");
  if (pending != NULL && g_str_equal (pending->url, job->url) && g_str_equal (pending->code, job->code))
    {
      job->center = g_strdup (pending->center);
      job->device = g_strdup (pending->device);
      job->token = g_strdup (pending->token);
      job->device_number = pending->device_number;
      if (job->fingerprint == NULL)
        job->fingerprint = g_strdup (pending->fingerprint);
    }

  self->running = TRUE;
  set_state (self, STP_SYNC_STATE_SYNCING);
  task = g_task_new (self, cancellable, enroll_done, outer);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, enroll_thread);
}

gboolean
stp_sync_engine_enroll_finish (StpSyncEngine  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- Aggregates ------------------------------------------------------------ */

static void
aggregates_thread (GTask         *task,
                   gpointer       source,
                   gpointer       task_data,
                   GCancellable  *cancellable)
{
  Job *job = task_data;
  g_autoptr(SoupSession) session = make_session (job);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("/v1/centers/%s/aggregates", job->center);
  Reply reply;

  if (!http (session, job, SOUP_METHOD_POST, path, job->aggregates_body,
             strlen (job->aggregates_body), &reply, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (reply.status != SOUP_STATUS_OK)
    {
      set_reply_error (&reply, &error);
      reply_clear (&reply);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  reply_clear (&reply);
  g_task_return_boolean (task, TRUE);
}

void
stp_sync_engine_send_aggregates_async (StpSyncEngine       *self,
                                       StpCenterStats      *stats,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *generated = NULL;
  Job *job;

  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (stats != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, stp_sync_engine_send_aggregates_async);
  if (!stp_sync_engine_is_enrolled (self))
    {
      g_task_return_new_error (task, STP_SYNC_ERROR, STP_SYNC_ERROR_NOT_ENROLLED,
                               _("This computer is not connected to a sync server yet"));
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "period_from");
  json_builder_add_string_value (builder, stats->from);
  json_builder_set_member_name (builder, "period_to");
  json_builder_add_string_value (builder, stats->to);
  now = g_date_time_new_from_unix_utc (stp_store_now (self->store) / G_USEC_PER_SEC);
  generated = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
  json_builder_set_member_name (builder, "generated_at");
  json_builder_add_string_value (builder, generated);
  json_builder_set_member_name (builder, "counts");
  json_builder_begin_object (builder);
  for (guint i = 0; stats->rows != NULL && i < stats->rows->len; i++)
    {
      StpStatRow *row = g_ptr_array_index (stats->rows, i);
      g_autofree char *name = g_strdup_printf ("%s.%s", row->section, row->key);

      /* Only numbers with a code name leave the computer; the server
       * hides small counts in the regional summary. */
      if (!stp_is_valid_id (name) || row->value < 0 || row->value > G_MAXINT32)
        continue;
      json_builder_set_member_name (builder, name);
      json_builder_add_int_value (builder, row->value);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  job = job_new (self, &error);
  if (job == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  job->aggregates_body = json_to_string (root, FALSE);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, aggregates_thread);
}

gboolean
stp_sync_engine_send_aggregates_finish (StpSyncEngine  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- GObject --------------------------------------------------------------- */

static void
stp_sync_engine_dispose (GObject *object)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (object);

  g_clear_handle_id (&self->retry_id, g_source_remove);
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->monitor != NULL)
    {
      g_clear_signal_handler (&self->monitor_id, self->monitor);
      g_clear_object (&self->monitor);
    }
  g_clear_object (&self->secondary);
  g_clear_object (&self->reader);
  g_clear_object (&self->tls_database);
  if (self->store != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->store), (gpointer *) &self->store);
      self->store = NULL;
    }
  G_OBJECT_CLASS (stp_sync_engine_parent_class)->dispose (object);
}

static void
stp_sync_engine_finalize (GObject *object)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (object);

  sodium_memzero (self->key, sizeof self->key);
  g_free (self->url);
  g_free (self->center);
  g_free (self->center_name);
  g_free (self->device);
  g_free (self->token);
  g_free (self->key_id);
  g_free (self->fingerprint);
  g_free (self->last_error);
  G_OBJECT_CLASS (stp_sync_engine_parent_class)->finalize (object);
}

static void
stp_sync_engine_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PENDING:
      g_value_set_uint (value, self->pending);
      break;
    case PROP_LAST_SYNC:
      g_value_set_int64 (value, self->last_sync);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_CLOCK_SKEW:
      g_value_set_int64 (value, self->clock_skew);
      break;
    case PROP_ENROLLED:
      g_value_set_boolean (value, stp_sync_engine_is_enrolled (self));
      break;
    case PROP_SENT:
      g_value_set_uint (value, self->sent);
      break;
    case PROP_RECEIVED:
      g_value_set_uint (value, self->received);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_sync_engine_class_init (StpSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stp_sync_engine_dispose;
  object_class->finalize = stp_sync_engine_finalize;
  object_class->get_property = stp_sync_engine_get_property;

  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, STP_TYPE_SYNC_STATE, STP_SYNC_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PENDING] =
    g_param_spec_uint ("pending", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNC] =
    g_param_spec_int64 ("last-sync", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CLOCK_SKEW] =
    g_param_spec_int64 ("clock-skew", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENROLLED] =
    g_param_spec_boolean ("enrolled", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Changes the server stored from this computer, and changes received
   * from the others, in the running (or last) synchronization. */
  properties[PROP_SENT] =
    g_param_spec_uint ("sent", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECEIVED] =
    g_param_spec_uint ("received", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
stp_sync_engine_init (StpSyncEngine *self)
{
  self->state = STP_SYNC_STATE_IDLE;
  self->pull_limit = 1000;
  self->snapshot_min_bytes = SNAPSHOT_MIN_BYTES;
  self->network_up = TRUE;
}

StpSyncEngine *
stp_sync_engine_new (StpStore *store)
{
  StpSyncEngine *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  if (sodium_init () < 0)
    g_warning ("libsodium could not be initialized");
  self = g_object_new (STP_TYPE_SYNC_ENGINE, NULL);
  self->store = store;
  g_object_add_weak_pointer (G_OBJECT (store), (gpointer *) &self->store);
  load_settings (self);
  self->pending = (guint) stp_sync_store_count_pending (store);
  return self;
}

StpSyncEngine *
stp_sync_engine_get_for_store (StpStore *store)
{
  StpSyncEngine *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_get_data (G_OBJECT (store), "stp-sync-engine");
  if (self == NULL)
    {
      self = stp_sync_engine_new (store);
      g_object_set_data_full (G_OBJECT (store), "stp-sync-engine", self, g_object_unref);
    }
  return self;
}

StpStore *
stp_sync_engine_get_store (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->store;
}

StpSyncState
stp_sync_engine_get_state (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), STP_SYNC_STATE_IDLE);
  return self->state;
}

/* Changes sent and received by the running synchronization so far (or by
 * the last one). */
void
stp_sync_engine_get_progress (StpSyncEngine *self,
                              guint         *sent,
                              guint         *received)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  if (sent != NULL)
    *sent = self->sent;
  if (received != NULL)
    *received = self->received;
}

guint
stp_sync_engine_get_pending (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), 0);
  return self->pending;
}

gint64
stp_sync_engine_get_last_sync (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), 0);
  return self->last_sync;
}

const char *
stp_sync_engine_get_last_error (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->last_error;
}

gint64
stp_sync_engine_get_clock_skew (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), 0);
  return self->clock_skew;
}

const char *
stp_sync_engine_get_server_url (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->url;
}

const char *
stp_sync_engine_get_center_name (StpSyncEngine *self)
{
  g_return_val_if_fail (STP_IS_SYNC_ENGINE (self), NULL);
  return self->center_name;
}

void
stp_sync_engine_refresh_pending (StpSyncEngine *self)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  if (self->store != NULL)
    set_pending (self, (guint) stp_sync_store_count_pending (self->store));
}

void
stp_sync_engine_set_batch_bytes (StpSyncEngine *self,
                                 gsize          bytes)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->batch_bytes = bytes;
}

void
stp_sync_engine_set_snapshot_min_bytes (StpSyncEngine *self,
                                        gsize          min_bytes)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->snapshot_min_bytes = min_bytes;
}

void
stp_sync_engine_set_pull_limit (StpSyncEngine *self,
                                guint          limit)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->pull_limit = MAX (limit, 1);
}

void
stp_sync_engine_set_fast_kdf (StpSyncEngine *self,
                              gboolean       fast)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->fast_kdf = fast;
}

void
stp_sync_engine_set_page_hook (StpSyncEngine   *self,
                               StpSyncPageHook  hook,
                               gpointer         user_data)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  self->hook = hook;
  self->hook_data = user_data;
}

void
stp_sync_engine_set_tls_database (StpSyncEngine *self,
                                  GTlsDatabase  *database)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));
  g_return_if_fail (database == NULL || G_IS_TLS_DATABASE (database));
  g_set_object (&self->tls_database, database);
}
