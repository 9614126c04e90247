/* The sync client against an endpoint on loopback that answers with more
 * than the client accepts: the client refuses while the body arrives,
 * before parsing any of it, and stops reading (the endpoint cannot write
 * the rest).  A reply within the bound still comes through.  And its
 * requests, POSTs too, share one kept-alive connection. */
#include "config.h"

#include "stp-sync-client.h"
#include "stp-sync-engine.h"

#include <gio/gio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define CAP        (1024 * 1024)
#define HUGE_BODY  ((guint64) 256 * 1024 * 1024)

typedef struct
{
  GSocketListener *listener;
  guint16          port;
  gboolean         content_length;   /* announce the size, or end at EOF */
  guint64          body_bytes;       /* what the endpoint tries to send */
  guint64          sent;             /* what it could send */
  gboolean         write_failed;
  GThread         *thread;
} Endpoint;

static gpointer
endpoint_thread (gpointer data)
{
  Endpoint *endpoint = data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) request = g_string_new (NULL);
  g_autofree char *head = NULL;
  g_autofree char *block = g_malloc (64 * 1024);
  GInputStream *in;
  GOutputStream *out;
  char c;

  connection = g_socket_listener_accept (endpoint->listener, NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  /* The request's head, byte by byte (there is no body: a GET). */
  while (!g_str_has_suffix (request->str, "\r\n\r\n") &&
         g_input_stream_read (in, &c, 1, NULL, NULL) == 1)
    g_string_append_c (request, c);

  if (endpoint->content_length)
    head = g_strdup_printf ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: %" G_GUINT64_FORMAT "\r\n\r\n", endpoint->body_bytes);
  else
    head = g_strdup ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n");
  g_assert_true (g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL));

  /* {"x":"aaaa…"}: valid JSON of the announced size. */
  while (endpoint->sent < endpoint->body_bytes)
    {
      gsize n = (gsize) MIN ((guint64) 64 * 1024, endpoint->body_bytes - endpoint->sent);
      gsize written = 0;

      memset (block, 'a', n);
      if (endpoint->sent == 0)
        memcpy (block, "{\"x\":\"", 6);
      if (endpoint->sent + n == endpoint->body_bytes)
        memcpy (block + n - 2, "\"}", 2);
      if (!g_output_stream_write_all (out, block, n, &written, NULL, NULL))
        {
          endpoint->sent += written;
          endpoint->write_failed = TRUE;
          break;
        }
      endpoint->sent += written;
    }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return NULL;
}

static void
endpoint_start (Endpoint *endpoint,
                gboolean  content_length,
                guint64   body_bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  memset (endpoint, 0, sizeof *endpoint);
  endpoint->listener = g_socket_listener_new ();
  g_socket_listener_add_address (endpoint->listener, address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  endpoint->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  endpoint->content_length = content_length;
  endpoint->body_bytes = body_bytes;
  endpoint->thread = g_thread_new ("endpoint", endpoint_thread, endpoint);
}

static void
endpoint_stop (Endpoint *endpoint)
{
  g_thread_join (endpoint->thread);
  g_socket_listener_close (endpoint->listener);
  g_clear_object (&endpoint->listener);
}

static StpSyncClient *
new_client (Endpoint *endpoint)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", endpoint->port);
  StpSyncClient *client = stp_sync_client_new (url, "token", NULL, NULL, 0);

  stp_sync_client_set_max_reply_bytes (client, CAP);
  return client;
}

static void
check_refused (gboolean content_length)
{
  Endpoint endpoint;
  g_autoptr(StpSyncClient) client = NULL;
  g_autoptr(GError) error = NULL;
  StpSyncReply reply;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  endpoint_start (&endpoint, content_length, HUGE_BODY);
  client = new_client (&endpoint);
  ok = stp_sync_client_request (client, "GET", "/v1/centers/x/pull", NULL, 0, &reply, NULL, &error);
  g_assert_false (ok);
  g_assert_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "1.0"));   /* g_format_size: "1.0\u00a0MB" */
  g_assert_null (reply.body);
  g_assert_null (reply.json);
  g_test_message ("refused after %.1f ms: %s", (g_get_monotonic_time () - start) / 1000.0, error->message);
  endpoint_stop (&endpoint);
  /* The client stopped reading: the endpoint could not write the rest
   * (socket buffers hold a few MB at most, not 256 MiB). */
  g_test_message ("the endpoint wrote %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes",
                  endpoint.sent, endpoint.body_bytes);
  g_assert_true (endpoint.write_failed);
  g_assert_cmpuint (endpoint.sent, <, 64 * 1024 * 1024);
}

static void
test_refused_with_length (void)
{
  check_refused (TRUE);
}

static void
test_refused_at_eof (void)
{
  check_refused (FALSE);
}

/* Just under the bound: read whole and parsed. */
static void
test_within_bound (void)
{
  Endpoint endpoint;
  g_autoptr(StpSyncClient) client = NULL;
  g_autoptr(GError) error = NULL;
  StpSyncReply reply;

  endpoint_start (&endpoint, FALSE, CAP);
  client = new_client (&endpoint);
  g_assert_true (stp_sync_client_request (client, "GET", "/v1/centers/x/pull", NULL, 0, &reply,
                                          NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (reply.status, ==, 200);
  g_assert_cmpuint (g_bytes_get_size (reply.body), ==, CAP);
  g_assert_true (stp_sync_reply_is_ok_object (&reply));
  stp_sync_reply_clear (&reply);
  endpoint_stop (&endpoint);
  g_assert_false (endpoint.write_failed);
}

/* Connection reuse: an endpoint that serves HTTP/1.1 keep-alive requests
 * on every connection it accepts, and counts the connections.  libsoup
 * opens a new connection for a POST unless the message is flagged
 * idempotent; the client flags every request but enrollment, so a push
 * after a pull, and a second push, use the first connection. */
typedef struct
{
  GSocket *listener;
  guint16  port;
  guint    wanted;           /* requests to serve before stopping */
  guint    served;
  guint    accepted;
  GThread *thread;
} KeepAlive;

/* Reads one request (head, then a Content-Length body) and answers {}.
 * FALSE at EOF. */
static gboolean
serve_one (GSocket *socket)
{
  g_autoptr(GString) head = g_string_new (NULL);
  const char *length_at;
  gsize body = 0;
  char c;
  const char *answer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                       "Content-Length: 2\r\n\r\n{}";

  while (!g_str_has_suffix (head->str, "\r\n\r\n"))
    {
      if (g_socket_receive (socket, &c, 1, NULL, NULL) != 1)
        return FALSE;
      g_string_append_c (head, g_ascii_tolower (c));
    }
  if ((length_at = strstr (head->str, "content-length:")) != NULL)
    body = (gsize) strtoul (length_at + strlen ("content-length:"), NULL, 10);
  for (gsize i = 0; i < body; i++)
    if (g_socket_receive (socket, &c, 1, NULL, NULL) != 1)
      return FALSE;
  return g_socket_send (socket, answer, strlen (answer), NULL, NULL) == (gssize) strlen (answer);
}

static gpointer
keep_alive_thread (gpointer data)
{
  KeepAlive *endpoint = data;
  GSocket *connections[8] = { NULL };
  guint n = 0;

  while (endpoint->served < endpoint->wanted)
    {
      struct pollfd fds[9];

      fds[0] = (struct pollfd) { g_socket_get_fd (endpoint->listener), POLLIN, 0 };
      for (guint i = 0; i < n; i++)
        fds[i + 1] = (struct pollfd) { connections[i] != NULL ? g_socket_get_fd (connections[i]) : -1,
                                       POLLIN, 0 };
      if (poll (fds, n + 1, 10000) <= 0)
        break;                       /* 10 s without a request: give up */
      if ((fds[0].revents & POLLIN) && n < G_N_ELEMENTS (connections))
        {
          connections[n++] = g_socket_accept (endpoint->listener, NULL, NULL);
          endpoint->accepted++;
        }
      for (guint i = 0; i < n; i++)
        if (connections[i] != NULL && (fds[i + 1].revents & (POLLIN | POLLHUP)))
          {
            if (serve_one (connections[i]))
              endpoint->served++;
            else
              g_clear_object (&connections[i]);
          }
    }
  for (guint i = 0; i < n; i++)
    g_clear_object (&connections[i]);
  return NULL;
}

static void
keep_alive_start (KeepAlive *endpoint,
                  guint      wanted)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  memset (endpoint, 0, sizeof *endpoint);
  endpoint->listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (endpoint->listener, address, TRUE, &error));
  g_assert_true (g_socket_listen (endpoint->listener, &error));
  bound = g_socket_get_local_address (endpoint->listener, &error);
  g_assert_no_error (error);
  endpoint->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  endpoint->wanted = wanted;
  endpoint->thread = g_thread_new ("keep-alive", keep_alive_thread, endpoint);
}

static void
test_connection_reused (void)
{
  KeepAlive endpoint;
  g_autoptr(StpSyncClient) client = NULL;
  g_autofree char *url = NULL;
  const char *methods[] = { "GET", "POST", "POST", "POST" };
  const char *paths[] = { "/v1/centers/x/pull", "/v1/centers/x/push", "/v1/centers/x/push",
                          "/v1/centers/x/aggregates" };

  keep_alive_start (&endpoint, G_N_ELEMENTS (methods));
  url = g_strdup_printf ("http://127.0.0.1:%u", endpoint.port);
  client = stp_sync_client_new (url, "token", NULL, NULL, 0);
  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(GError) error = NULL;
      StpSyncReply reply;
      const char *body = g_str_equal (methods[i], "POST") ? "{\"envelopes\":[]}" : NULL;

      g_assert_true (stp_sync_client_request (client, methods[i], paths[i], body,
                                              body != NULL ? strlen (body) : 0, &reply, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (reply.status, ==, 200);
      stp_sync_reply_clear (&reply);
    }
  g_thread_join (endpoint.thread);
  g_object_unref (endpoint.listener);
  g_test_message ("%u requests over %u connection(s)", endpoint.served, endpoint.accepted);
  g_assert_cmpuint (endpoint.served, ==, G_N_ELEMENTS (methods));
  g_assert_cmpuint (endpoint.accepted, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync-client/reply-too-large/content-length", test_refused_with_length);
  g_test_add_func ("/sync-client/reply-too-large/until-eof", test_refused_at_eof);
  g_test_add_func ("/sync-client/reply-within-bound", test_within_bound);
  g_test_add_func ("/sync-client/connection-reused", test_connection_reused);
  return g_test_run ();
}
