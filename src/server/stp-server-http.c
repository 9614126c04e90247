/* stp-server-http.c: between SoupServer and the handlers: the two worker
 * pools, the request log, and replies sent in slices
 * (docs/ARCHITECTURE.md, "Server"). */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#ifdef G_OS_UNIX
#include <netinet/in.h>
#include <netinet/tcp.h>
#endif
#ifdef __linux__
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

static const char *too_large_key = "stp-too-large";

/* The worker pools and SoupServer
 *
 * Two lanes: pulls and snapshot chunk downloads (large replies, read-only)
 * go to the bulk pool, whose threads run at a lower CPU priority; every
 * other request goes to the small pool.  A client pulling 14 MB pages then
 * neither takes the workers small pushes need nor their CPU.  A large
 * reply is handed to SoupServer in slices of SEND_SLICE bytes, the next
 * one only once the last is written and the main loop has had a turn:
 * encrypting and writing 14 MB no longer holds the loop for one stretch. */

#define SEND_SLICE  (256 * 1024)
#define BULK_NICE   10

typedef struct
{
  SoupServerMessage *msg;           /* owned until finish_job */
  StpRequest        *request;
  GMainContext      *context;       /* unowned, the server's */
  GPtrArray         *slices;        /* GBytes not yet given to SoupServer */
  guint              next_slice;
  gboolean           finished;
  /* Monotonic µs: the request's headers read, its body read (queued for
   * a worker), a worker took it, the worker answered, and the main loop
   * handed the answer to SoupServer.  The log line is written once the
   * answer is sent, with the time spent in each step. */
  gint64             headers_read;
  gint64             queued;
  gint64             work_started;
  gint64             work_done;
  gint64             answered;
  gsize              bytes;
} Job;

static const char *headers_read_key = "stp-headers-read";

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  soup_message_headers_append (user_data, name, value);
}

/* One line per request; never a token, a body or a query value beyond
 * the path (which holds only ids). */
static void
log_request (const char *method,
             const char *path,
             guint       status,
             gsize       bytes,
             gint64      usec,
             const char *center,
             const char *steps)
{
  const char *format = "%s %s %u %" G_GSIZE_FORMAT " B %.1f ms center=%s%s";

  if (status >= 500)
    g_warning (format, method, path, status, bytes, usec / 1000.0, center != NULL ? center : "-",
               steps != NULL ? steps : "");
  else
    g_message (format, method, path, status, bytes, usec / 1000.0, center != NULL ? center : "-",
               steps != NULL ? steps : "");
}

static gint64
headers_read_at (SoupServerMessage *msg)
{
  gint64 *at = g_object_get_data (G_OBJECT (msg), headers_read_key);

  return at != NULL ? *at : g_get_monotonic_time ();
}

static void
job_free (Job *job)
{
  g_clear_object (&job->msg);
  g_clear_pointer (&job->slices, g_ptr_array_unref);
  stp_request_free (job->request);
  g_free (job);
}

/* The answer is sent (or the client went away): the log line, with where
 * the time went, "read" the body, "wait" for a free worker, "work" in the
 * handler, "loop" until the main loop took the answer, "send" it. */
static void
on_job_finished (SoupServerMessage *msg,
                 Job               *job)
{
  StpRequest *request = job->request;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *steps = NULL;

  job->finished = TRUE;
  steps = g_strdup_printf (" (read %.1f wait %.1f work %.1f loop %.1f send %.1f)",
                           (job->queued - job->headers_read) / 1000.0,
                           (job->work_started - job->queued) / 1000.0,
                           (job->work_done - job->work_started) / 1000.0,
                           (job->answered - job->work_done) / 1000.0,
                           (now - job->answered) / 1000.0);
  log_request (request->method, request->path, request->status, job->bytes,
               now - job->headers_read, request->center, steps);
}

/* The answer in slices of at most SEND_SLICE bytes (no copies). */
static GPtrArray *
slice_answer (StpRequest *request,
              gsize      *total)
{
  GPtrArray *slices = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) whole = g_ptr_array_new ();

  *total = 0;
  if (request->response != NULL)
    g_ptr_array_add (whole, request->response);
  else if (request->pieces != NULL)
    for (guint i = 0; i < request->pieces->len; i++)
      g_ptr_array_add (whole, request->pieces->pdata[i]);
  for (guint i = 0; i < whole->len; i++)
    {
      GBytes *piece = whole->pdata[i];
      gsize size = g_bytes_get_size (piece);

      for (gsize at = 0; at < size; at += SEND_SLICE)
        g_ptr_array_add (slices, g_bytes_new_from_bytes (piece, at, MIN (SEND_SLICE, size - at)));
      *total += size;
    }
  return slices;
}

static gboolean
send_next_slice (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  Job *job = g_object_get_data (G_OBJECT (msg), "stp-job");

  if (job == NULL || job->finished || job->next_slice >= job->slices->len)
    return G_SOURCE_REMOVE;
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg),
                                  job->slices->pdata[job->next_slice]);
  g_clear_pointer (&job->slices->pdata[job->next_slice], g_bytes_unref);
  job->next_slice++;
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

/* A slice is written: the next one after the loop's other work. */
static void
on_wrote_chunk (SoupServerMessage *msg,
                Job               *job)
{
  GSource *source;

  if (job->finished || job->next_slice >= job->slices->len)
    return;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT_IDLE);
  g_source_set_callback (source, send_next_slice, g_object_ref (msg), g_object_unref);
  g_source_attach (source, job->context);
  g_source_unref (source);
}

/* Back on the main loop: hand the answer to SoupServer. */
static gboolean
finish_job (gpointer user_data)
{
  Job *job = user_data;
  StpRequest *request = job->request;
  SoupServerMessage *msg = job->msg;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  job->answered = g_get_monotonic_time ();
  soup_message_headers_foreach (request->response_headers, copy_header, headers);
  soup_server_message_set_status (msg, request->status, NULL);
  if (request->response != NULL || request->pieces != NULL)
    soup_message_headers_set_content_type (headers, request->content_type, NULL);
  job->slices = slice_answer (request, &job->bytes);
  g_clear_pointer (&request->response, g_bytes_unref);
  g_clear_pointer (&request->pieces, g_ptr_array_unref);

  /* From here the message owns the job: "finished" logs it, and it is
   * freed with the message (also when the client went away and
   * "finished" came already). */
  job->msg = NULL;
  g_object_set_data_full (G_OBJECT (msg), "stp-job", job, (GDestroyNotify) job_free);
  g_signal_connect (msg, "finished", G_CALLBACK (on_job_finished), job);
  if (job->slices->len <= 1)
    {
      if (job->slices->len == 1)
        soup_message_body_append_bytes (body, job->slices->pdata[0]);
      job->next_slice = job->slices->len;
    }
  else
    {
      /* Written slice by slice; SoupServer keeps none once written. */
      soup_message_headers_set_content_length (headers, (goffset) job->bytes);
      soup_message_body_set_accumulate (body, FALSE);
      g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), job);
      send_next_slice (msg);
    }
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

void
stp_server_run_job (gpointer data,
         gpointer user_data)
{
  Job *job = data;
  StpServer *self = user_data;
  StpServerStore *store = g_async_queue_pop (self->idle_stores);

  job->work_started = g_get_monotonic_time ();
  stp_server_dispatch (self, job->request, store);
  g_async_queue_push (self->idle_stores, store);
  if (job->request->wants_bulk_lane && job->request->status == 0)
    {
      /* A pull whose page turned out large: again, in the bulk lane. */
      job->request->wants_bulk_lane = FALSE;
      job->request->bulk_lane = TRUE;
      g_thread_pool_push (self->bulk_workers, job, NULL);
      return;
    }
  if (job->request->status == 0)
    {
      g_warning ("%s %s: the handler gave no answer", job->request->method, job->request->path);
      respond_error (job->request, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                     _("The server could not complete the request; try again later"));
    }
  job->work_done = g_get_monotonic_time ();
  g_main_context_invoke (self->context, finish_job, job);
}

/* The bulk lane's threads (an exclusive pool: they serve no other pool)
 * lower their own CPU priority once; Linux applies nice per thread. */
void
stp_server_run_bulk_job (gpointer data,
              gpointer user_data)
{
#ifdef __linux__
  static GPrivate niced;

  if (g_private_get (&niced) == NULL)
    {
      id_t tid = (id_t) syscall (SYS_gettid);

      errno = 0;
      {
        int now = getpriority (PRIO_PROCESS, tid);

        if (errno == 0)
          setpriority (PRIO_PROCESS, tid, MIN (now + BULK_NICE, 19));
      }
      g_private_set (&niced, GINT_TO_POINTER (1));
    }
#endif
  stp_server_run_job (data, user_data);
}

/* Large read-only replies from the start: a snapshot chunk.  A pull starts
 * in the small lane and moves when its page passes 1 MiB
 * (stp-server-sync.c): most pulls are small. */
static gboolean
is_bulk (StpRequest *request)
{
  return g_str_equal (request->method, "GET") && strstr (request->path, "/chunks/") != NULL;
}

static void
answer_now (SoupServerMessage *msg,
            guint              status,
            const char        *code,
            const char        *message,
            gint64             started)
{
  g_autoptr(StpRequest) request = stp_request_new (soup_server_message_get_method (msg),
                                                   g_uri_get_path (soup_server_message_get_uri (msg)),
                                                   NULL, NULL, NULL, NULL);
  gsize len = 0;
  const char *data;

  respond_error (request, status, code, message);
  data = g_bytes_get_data (request->response, &len);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, request->content_type, SOUP_MEMORY_COPY, data, len);
  log_request (request->method, request->path, status, len,
               g_get_monotonic_time () - started, NULL, NULL);
}

void
stp_server_handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  StpServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) bytes = NULL;
  Job *job;

  if (g_object_get_data (G_OBJECT (msg), too_large_key) != NULL ||
      body->length > (goffset) self->config->max_body_bytes)
    {
      answer_now (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                  _("The request is larger than the server accepts; send smaller batches"),
                  headers_read_at (msg));
      return;
    }

  /* The worker gets copies: SoupServer's objects stay on this thread. */
  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), copy_header, headers);
  bytes = soup_message_body_flatten (body);

  job = g_new0 (Job, 1);
  job->headers_read = headers_read_at (msg);
  job->queued = g_get_monotonic_time ();
  job->msg = g_object_ref (msg);
  job->request = stp_request_new (soup_server_message_get_method (msg), path, query, headers,
                                  bytes, soup_server_message_get_remote_host (msg));
  job->context = self->context;
  soup_server_message_pause (msg);
  job->request->bulk_lane = self->bulk_workers == NULL || is_bulk (job->request);
  g_thread_pool_push (job->request->bulk_lane && self->bulk_workers != NULL ? self->bulk_workers
                                                                          : self->workers, job, NULL);
}

/* Body size is checked before the body is read: a Content-Length over the
 * limit is refused at once, and a chunked body stops being kept in memory
 * as soon as it passes the limit. */
static void
on_got_chunk (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  StpServer *self = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  if (body->length > (goffset) self->config->max_body_bytes &&
      g_object_get_data (G_OBJECT (msg), too_large_key) == NULL)
    {
      g_object_set_data (G_OBJECT (msg), too_large_key, GINT_TO_POINTER (1));
      soup_message_body_set_accumulate (body, FALSE);
      soup_message_body_truncate (body);
    }
}

void
stp_server_handle_early (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  StpServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  GSocket *socket = soup_server_message_get_socket (msg);

  /* SoupServer writes a reply's headers and body apart: with Nagle's
   * algorithm a small body waits for the client's delayed ACK (40 ms or
   * more) of the headers.  Replies are written whole, so no delay. */
  if (socket != NULL)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) self->config->max_body_bytes)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      answer_now (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                  _("The request is larger than the server accepts; send smaller batches"),
                  g_get_monotonic_time ());
      return;
    }

  {
    gint64 *at = g_new (gint64, 1);

    *at = g_get_monotonic_time ();
    g_object_set_data_full (G_OBJECT (msg), headers_read_key, at, g_free);
  }
  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), self);
}
