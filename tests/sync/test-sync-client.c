/* The sync client against an endpoint on loopback that answers with more
 * than the client accepts: the client refuses while the body arrives,
 * before parsing any of it, and stops reading (the endpoint cannot write
 * the rest).  A reply within the bound still comes through. */
#include "config.h"

#include "stp-sync-client.h"
#include "stp-sync-engine.h"

#include <gio/gio.h>
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync-client/reply-too-large/content-length", test_refused_with_length);
  g_test_add_func ("/sync-client/reply-too-large/until-eof", test_refused_at_eof);
  g_test_add_func ("/sync-client/reply-within-bound", test_within_bound);
  return g_test_run ();
}
