#define G_LOG_DOMAIN "test-server"

#include "config.h"

#include "stp-envelope.h"
#include "stp-wrapped-key.h"
#include "stp-test-helpers.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG_BIN PG_BINDIR  /* config.h: pg_config --bindir */
#define ADMIN_PASSWORD "региональный-admin"
#define PASSPHRASE "пароль центра"

static char *server_binary;
static char *cert_dir;
static char *cert_path;
static char *key_path;
static GTlsCertificate *certificate;

typedef struct
{
  const char  *backend;        /* "sqlite" or "postgresql" */
  char        *dir;
  char        *pg_dir;
  char        *config_path;
  GSubprocess *process;
  GTlsCertificate *cert;       /* what the client accepts */
  guint        port;
  gboolean     failed_to_start;
} Server;

static Server sqlite_server = { "sqlite" };
static Server pg_server = { "postgresql" };

static guint8 center_key[32];

/* Processes */

static char *
run_admin (Server     *server,
           const char *first,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, server_binary);
  g_ptr_array_add (argv, (char *) "--config");
  g_ptr_array_add (argv, server->config_path);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return stp_test_run ((const char * const *) argv->pdata, NULL);
}

static void
remove_tree (const char *path)
{
  const char *argv[] = { "rm", "-rf", path, NULL };

  if (path != NULL)
    g_free (stp_test_run (argv, NULL));
}

/* The throwaway PostgreSQL cluster, shared with the sync tests. */
static gboolean
start_postgres (Server *server)
{
  server->pg_dir = stp_test_postgres_start ();
  return TRUE;
}

static void
stop_postgres (Server *server)
{
  stp_test_postgres_stop (server->pg_dir);
  g_clear_pointer (&server->pg_dir, g_free);
}

static void
write_config (Server     *server,
              gboolean    with_tls,
              const char *extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;
  g_autofree char *text = NULL;

  if (server->pg_dir != NULL)
    database = g_strdup_printf ("host=%s dbname=postgres user=postgres", server->pg_dir);
  else
    database = g_strdup_printf ("sqlite:%s/state/server.db", server->dir);

  text = g_strdup_printf ("[server]\n"
                          "listen=127.0.0.1\n"
                          "port=0\n"
                          "state_dir=%s/state\n"
                          "database=%s\n"
                          "%s%s%s%s%s"
                          "max_body_bytes=65536\n"
                          "max_pull_limit=50\n"
                          "%s",
                          server->dir, database,
                          with_tls ? "tls_certificate=" : "", with_tls ? cert_path : "",
                          with_tls ? "\ntls_key=" : "", with_tls ? key_path : "",
                          with_tls ? "\n" : "",
                          extra != NULL ? extra : "");
  if (with_tls)
    g_set_object (&server->cert, certificate);
  server->config_path = g_build_filename (server->dir, "server.conf", NULL);
  g_file_set_contents (server->config_path, text, -1, &error);
  g_assert_no_error (error);
}

/* A server outlives a test that aborts on a failed assertion unless it is
 * told to die with its parent. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Starts `stupeni-server serve --port 0` and reads the port it prints. */
static void
start_process (Server      *server,
               const char  *extra_arg,
               const char  *crash_after,
               char       **first_line)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;

  if (crash_after != NULL)
    g_subprocess_launcher_setenv (launcher, "STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT", crash_after, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT");
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server->port = 0;
  server->process = g_subprocess_launcher_spawn (launcher, &error, server_binary,
                                                 "--config", server->config_path,
                                                 "serve", "--port", "0", extra_arg, NULL);
  g_assert_no_error (error);

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);     /* the server died before listening */
      if (first_line != NULL && *first_line == NULL)
        *first_line = g_strdup (line);
      if (g_str_has_prefix (line, "listening on https://127.0.0.1:"))
        {
          server->port = (guint) g_ascii_strtoull (line + strlen ("listening on https://127.0.0.1:"),
                                                   NULL, 10);
          break;
        }
    }
  g_assert_cmpuint (server->port, >, 0);
}

static void
stop_process (Server *server)
{
  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

static gboolean
ensure_server (Server *server)
{
  g_autoptr(GError) error = NULL;

  if (server->process != NULL)
    return TRUE;
  if (server->failed_to_start)
    {
      g_test_fail_printf ("the %s server did not start", server->backend);
      return FALSE;
    }
  server->failed_to_start = TRUE;

  if (g_str_equal (server->backend, "postgresql"))
    {
      if (!g_file_test (PG_BIN "/initdb", G_FILE_TEST_IS_EXECUTABLE))
        {
          g_test_skip ("PostgreSQL server binaries (initdb, pg_ctl) were not found at configure time");
          return FALSE;
        }
      start_postgres (server);
    }

  server->dir = g_dir_make_tmp ("stupeni-server-XXXXXX", &error);
  g_assert_no_error (error);
  write_config (server, TRUE, "enroll_attempts_per_minute=100000\n"
                              "max_snapshot_bytes=1000000\n");
  {
    g_autofree char *output = run_admin (server, "init", "--admin-password", ADMIN_PASSWORD, NULL);
    g_autofree char *expected = g_strdup_printf ("initialized %s store", server->backend);

    g_assert_nonnull (strstr (output, expected));
    /* All numbered migrations applied, and again (a no-op) on the next start. */
    g_assert_nonnull (strstr (output, "schema version 2 of 2\n"));
  }
  start_process (server, NULL, NULL, NULL);
  server->failed_to_start = FALSE;
  return TRUE;
}

static void
destroy_server (Server *server)
{
  stop_process (server);
  stop_postgres (server);
  remove_tree (server->dir);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->config_path, g_free);
  g_clear_object (&server->cert);
}

/* HTTP */

static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Server *server = user_data;

  return g_tls_certificate_is_same (peer, server->cert);
}

static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", 60, "max-conns-per-host", 4, NULL);
}

static guint
request_try (Server       *server,
             SoupSession  *session,
             const char   *method,
             const char   *path,
             const char   *authorization,
             const char   *body,
             gssize        body_len,
             JsonNode    **json_out,
             GBytes      **raw_out,
             char        **content_type_out,
             GError      **error_out)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u%s", server->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(SoupSession) own_session = NULL;
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  const char *content_type;

  g_assert_nonnull (msg);
  if (session == NULL)
    session = own_session = new_session ();
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", authorization);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len < 0 ? strlen (body) : (gsize) body_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), server);

  response = soup_session_send_and_read (session, msg, NULL, &error);
  if (error_out != NULL && error != NULL)
    {
      g_propagate_error (error_out, g_steal_pointer (&error));
      return 0;
    }
  g_assert_no_error (error);

  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (content_type_out != NULL)
    *content_type_out = g_strdup (content_type);
  if (json_out != NULL)
    {
      gsize len = 0;
      const char *data = g_bytes_get_data (response, &len);

      g_assert_cmpstr (content_type, ==, "application/json");
      *json_out = stp_json_parse (data, len, &error);
      g_assert_no_error (error);
    }
  if (raw_out != NULL)
    *raw_out = g_bytes_ref (response);
  return soup_message_get_status (msg);
}

static guint
request_full (Server       *server,
              SoupSession  *session,
              const char   *method,
              const char   *path,
              const char   *authorization,
              const char   *body,
              gssize        body_len,
              JsonNode    **json_out,
              GBytes      **raw_out,
              char        **content_type_out)
{
  return request_try (server, session, method, path, authorization, body, body_len,
                      json_out, raw_out, content_type_out, NULL);
}

static guint
request (Server      *server,
         const char  *method,
         const char  *path,
         const char  *token,
         const char  *body,
         JsonNode   **json_out)
{
  g_autofree char *authorization = token != NULL ? g_strdup_printf ("Bearer %s", token) : NULL;
  g_autoptr(JsonNode) json = NULL;
  guint status;

  status = request_full (server, NULL, method, path, authorization, body, -1, &json, NULL, NULL);
  if (json_out != NULL)
    *json_out = g_steal_pointer (&json);
  return status;
}

static const char *
get_str (JsonNode   *node,
         const char *member)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_true (json_object_has_member (json_node_get_object (node), member));
  return json_object_get_string_member (json_node_get_object (node), member);
}

static gint64
get_int (JsonNode   *node,
         const char *member)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_true (json_object_has_member (json_node_get_object (node), member));
  return json_object_get_int_member (json_node_get_object (node), member);
}

static void
assert_error (JsonNode   *node,
              const char *code)
{
  g_assert_cmpstr (get_str (node, "error"), ==, code);
  g_assert_nonnull (get_str (node, "message"));
}

/* Centers and devices */

typedef struct
{
  char *center;
  char *device;
  char *token;
} Device;

static void
device_clear (Device *device)
{
  g_free (device->center);
  g_free (device->device);
  g_free (device->token);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Device, device_clear)

static char *
add_center (Server      *server,
            const char  *name,
            char       **code_out)
{
  g_autofree char *output = run_admin (server, "center", "add", name, NULL);

  *code_out = stp_test_field (output, "enrollment_code");
  return stp_test_field (output, "center_id");
}

static char *
new_code (Server     *server,
          const char *center,
          const char *minutes)
{
  g_autofree char *output = run_admin (server, "center", "code", center,
                                       "--valid-minutes", minutes, NULL);

  return stp_test_field (output, "enrollment_code");
}

static JsonNode *
enroll (Server     *server,
        const char *code,
        Device     *device)
{
  g_autofree char *body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"Ноутбук\"}", code);
  JsonNode *json = NULL;

  g_assert_cmpuint (request (server, "POST", "/v1/enroll", NULL, body, &json), ==, 200);
  device->center = g_strdup (get_str (json, "center"));
  device->device = g_strdup (get_str (json, "device"));
  device->token = g_strdup (get_str (json, "token"));
  g_assert_cmpuint (strlen (device->token), >=, 40);
  return json;
}

static void
enroll_new_center (Server     *server,
                   const char *name,
                   Device     *device)
{
  g_autofree char *code = NULL;
  g_autofree char *center = add_center (server, name, &code);
  g_autoptr(JsonNode) json = enroll (server, code, device);

  g_assert_cmpstr (device->center, ==, center);
}

static char *
make_envelope (const Device *device,
               const char   *msg_id,
               guint64       hlc,
               const char   *plaintext)
{
  g_autoptr(StpEnvelope) envelope = stp_envelope_new (device->center, device->device, msg_id,
                                                      hlc, 1, "key-1");
  g_autoptr(GError) error = NULL;

  stp_envelope_seal (envelope, center_key, (const guint8 *) plaintext, strlen (plaintext), &error);
  g_assert_no_error (error);
  return stp_envelope_to_json (envelope);
}

static guint64
now_hlc (void)
{
  return STP_HLC_MAKE (g_get_real_time () / 1000, 0);
}

static JsonArray *
results_of (JsonNode *json)
{
  return json_object_get_array_member (json_node_get_object (json), "results");
}

/* The contract, run against each backend */

static void
test_info (gconstpointer data)
{
  Server *server = (Server *) data;
  g_autoptr(JsonNode) json = NULL;
  gint64 millis;

  if (!ensure_server (server))
    return;

  g_assert_cmpuint (request (server, "GET", "/v1/info", NULL, NULL, &json), ==, 200);
  g_assert_cmpint (get_int (json, "protocol"), ==, 1);
  g_assert_cmpint (get_int (json, "max_body_bytes"), ==, 65536);
  g_assert_cmpint (get_int (json, "max_pull_limit"), ==, 50);
  millis = get_int (json, "server_millis");
  g_assert_cmpint (ABS (millis - g_get_real_time () / 1000), <, 60000);
  g_assert_true (g_str_has_suffix (get_str (json, "server_time"), "Z"));
  g_assert_cmpuint (strlen (get_str (json, "server_time")), ==, strlen ("2024-01-01T00:00:00.000Z"));
}

static void
test_enroll (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) error_json = NULL;
  g_autofree char *code = NULL;
  g_autofree char *center = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *body = NULL;
  g_autofree char *list = NULL;

  if (!ensure_server (server))
    return;

  center = add_center (server, "Центр «Ступени» Пермь", &code);
  json = enroll (server, code, &device);
  g_assert_cmpstr (device.center, ==, center);
  g_assert_cmpstr (get_str (json, "center_name"), ==, "Центр «Ступени» Пермь");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (json), "key")));

  /* A code is single-use. */
  body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"second\"}", code);
  g_assert_cmpuint (request (server, "POST", "/v1/enroll", NULL, body, &error_json), ==, 403);
  assert_error (error_json, "code_used");
  g_clear_pointer (&error_json, json_node_unref);
  g_free (body);

  /* A code valid for 0 minutes has expired by the time it is used. */
  expired = new_code (server, center, "0");
  body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"late\"}", expired);
  g_assert_cmpuint (request (server, "POST", "/v1/enroll", NULL, body, &error_json), ==, 403);
  assert_error (error_json, "code_expired");
  g_clear_pointer (&error_json, json_node_unref);

  g_assert_cmpuint (request (server, "POST", "/v1/enroll", NULL,
                             "{\"code\":\"AAAA-BBBB-CCCC-DDDD\",\"device_name\":\"x\"}", &error_json),
                    ==, 403);
  assert_error (error_json, "invalid_code");
  g_clear_pointer (&error_json, json_node_unref);

  g_assert_cmpuint (request (server, "POST", "/v1/enroll", NULL,
                             "{\"code\":5,\"device_name\":\"x\"}", &error_json), ==, 400);
  assert_error (error_json, "invalid");
  g_clear_pointer (&error_json, json_node_unref);

  /* The administrator sees the device, and the token is never stored. */
  list = run_admin (server, "device", "list", NULL);
  g_assert_nonnull (strstr (list, device.device));
  g_assert_null (strstr (list, device.token));
}

/* Each device of a center gets the next device number at enrollment (the
 * device code of its file numbers); numbers are per center and never given
 * twice, not even after a revocation. */
static void
test_device_numbers (gconstpointer data)
{
  Server *server = (Server *) data;
  g_autofree char *code = NULL;
  g_autofree char *other_code = NULL;
  g_autofree char *center = NULL;
  g_autofree char *other = NULL;
  Device devices[3] = { { 0 } };

  if (!ensure_server (server))
    return;

  center = add_center (server, "Центр номеров", &code);
  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    {
      g_autofree char *next = i == 0 ? g_strdup (code) : new_code (server, center, "60");
      g_autoptr(JsonNode) json = enroll (server, next, &devices[i]);

      g_assert_cmpint (get_int (json, "device_number"), ==, i + 1);
    }

  /* Another center counts from 1. */
  other = add_center (server, "Другой центр", &other_code);
  {
    g_auto(Device) device = { 0 };
    g_autoptr(JsonNode) json = enroll (server, other_code, &device);

    g_assert_cmpint (get_int (json, "device_number"), ==, 1);
  }

  /* A revoked device's number stays used. */
  g_free (run_admin (server, "device", "revoke", devices[2].device, NULL));
  {
    g_autofree char *next = new_code (server, center, "60");
    g_auto(Device) device = { 0 };
    g_autoptr(JsonNode) json = enroll (server, next, &device);

    g_assert_cmpint (get_int (json, "device_number"), ==, 4);
  }
  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    device_clear (&devices[i]);
}

static void
test_key (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) first = { 0 };
  g_auto(Device) second = { 0 };
  g_autoptr(StpWrappedKey) wrapped = NULL;
  g_autoptr(StpWrappedKey) received = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(JsonNode) second_json = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *wrapped_json = NULL;
  g_autofree char *path = NULL;
  g_autofree char *code = NULL;
  guint8 unwrapped[32];

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр ключей", &first);
  path = g_strdup_printf ("/v1/centers/%s/key", first.center);

  wrapped = stp_wrapped_key_wrap ("key-1", center_key, PASSPHRASE, stp_wrapped_key_min_ops (),
                                  stp_wrapped_key_min_mem (), &error);
  g_assert_no_error (error);
  wrapped_json = stp_wrapped_key_to_json (wrapped);

  g_assert_cmpuint (request (server, "PUT", path, first.token, "{\"key_id\":1}", &json), ==, 400);
  assert_error (json, "invalid");
  g_clear_pointer (&json, json_node_unref);

  g_assert_cmpuint (request (server, "PUT", path, first.token, wrapped_json, &json), ==, 200);
  g_assert_cmpstr (get_str (json, "key_id"), ==, "key-1");
  g_clear_pointer (&json, json_node_unref);

  /* The first device creates the center key; nobody replaces it. */
  g_assert_cmpuint (request (server, "PUT", path, first.token, wrapped_json, &json), ==, 409);
  assert_error (json, "key_exists");
  g_clear_pointer (&json, json_node_unref);

  g_assert_cmpuint (request (server, "GET", path, first.token, NULL, &json), ==, 200);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (json), "key")));
  g_clear_pointer (&json, json_node_unref);

  /* A new device gets the wrapped key at enrollment and opens it. */
  code = new_code (server, first.center, "60");
  second_json = enroll (server, code, &second);
  received = stp_wrapped_key_from_json_node (json_object_get_member (json_node_get_object (second_json),
                                                                     "key"), &error);
  g_assert_no_error (error);
  g_assert_true (stp_wrapped_key_unwrap (received, PASSPHRASE, unwrapped, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (unwrapped, 32, center_key, 32);
  g_assert_false (stp_wrapped_key_unwrap (received, "не тот пароль", unwrapped, &error));
  g_assert_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_WRONG_PASSPHRASE);
}

static void
test_push_pull (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_auto(Device) other = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GString) batch = g_string_new ("{\"envelopes\":[");
  g_autofree char *push = NULL;
  g_autofree char *pull = NULL;
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autofree char *future = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *valid = NULL;
  JsonArray *results, *envelopes;
  gint64 seqs[3];
  guint64 hlc = now_hlc ();

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр обмена", &device);
  push = g_strdup_printf ("/v1/centers/%s/push", device.center);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("msg-%u", i);
      g_autofree char *plain = g_strdup_printf ("batch %u", i);
      g_autofree char *envelope = make_envelope (&device, msg_id, hlc + i, plain);

      g_string_append_printf (batch, "%s%s", i > 0 ? "," : "", envelope);
    }
  g_string_append (batch, "]}");

  g_assert_cmpuint (request (server, "POST", push, device.token, batch->str, &json), ==, 200);
  results = results_of (json);
  g_assert_cmpuint (json_array_get_length (results), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      g_autofree char *msg_id = g_strdup_printf ("msg-%u", i);

      g_assert_cmpstr (json_object_get_string_member (result, "msg_id"), ==, msg_id);
      g_assert_false (json_object_has_member (result, "error"));
      seqs[i] = json_object_get_int_member (result, "seq");
      if (i > 0)
        g_assert_cmpint (seqs[i], ==, seqs[i - 1] + 1);
    }
  g_assert_cmpint (seqs[0], ==, 1);
  g_clear_pointer (&json, json_node_unref);

  /* Pushing the same batch again is harmless: same seqs, nothing new. */
  g_assert_cmpuint (request (server, "POST", push, device.token, batch->str, &json), ==, 200);
  results = results_of (json);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, i), "seq"),
                     ==, seqs[i]);
  g_clear_pointer (&json, json_node_unref);

  /* One bad envelope never fails the others. */
  future = make_envelope (&device, "msg-future",
                          STP_HLC_MAKE (g_get_real_time () / 1000 + 25 * 3600 * 1000, 0), "later");
  code = new_code (server, device.center, "60");
  {
    g_autoptr(JsonNode) other_json = enroll (server, code, &other);
  }
  foreign = make_envelope (&other, "msg-foreign", hlc, "not mine");
  valid = make_envelope (&device, "msg-3", hlc + 3, "batch 3");
  body = g_strdup_printf ("{\"envelopes\":[%s,{\"v\":1,\"msg_id\":\"broken\"},%s,%s,17]}",
                          future, foreign, valid);
  g_assert_cmpuint (request (server, "POST", push, device.token, body, &json), ==, 200);
  results = results_of (json);
  g_assert_cmpuint (json_array_get_length (results), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "error"),
                   ==, "hlc_in_future");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "msg_id"),
                   ==, "msg-future");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 1), "error"),
                   ==, "invalid");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 1), "msg_id"),
                   ==, "broken");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 2), "error"),
                   ==, "device_mismatch");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results, 3), "seq"),
                   ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 4), "error"),
                   ==, "invalid");
  g_clear_pointer (&json, json_node_unref);

  /* Pull in pages of two, from another device of the center. */
  pull = g_strdup_printf ("/v1/centers/%s/pull?after=0&limit=2", device.center);
  g_assert_cmpuint (request (server, "GET", pull, other.token, NULL, &json), ==, 200);
  envelopes = json_object_get_array_member (json_node_get_object (json), "envelopes");
  g_assert_cmpuint (json_array_get_length (envelopes), ==, 2);
  g_assert_cmpint (get_int (json, "last_seq"), ==, 2);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "more"));
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *item = json_array_get_object_element (envelopes, i);
      g_autoptr(StpEnvelope) envelope = NULL;
      g_autoptr(GBytes) plain = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *expected = g_strdup_printf ("batch %u", i);

      g_assert_cmpint (json_object_get_int_member (item, "seq"), ==, (gint64) i + 1);
      envelope = stp_envelope_from_json_node (json_object_get_member (item, "envelope"), &error);
      g_assert_no_error (error);
      plain = stp_envelope_open (envelope, center_key, &error);
      g_assert_no_error (error);
      g_assert_cmpmem (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain),
                       expected, strlen (expected));
    }
  g_clear_pointer (&json, json_node_unref);
  g_free (pull);

  pull = g_strdup_printf ("/v1/centers/%s/pull?after=2&limit=100", device.center);
  g_assert_cmpuint (request (server, "GET", pull, device.token, NULL, &json), ==, 200);
  envelopes = json_object_get_array_member (json_node_get_object (json), "envelopes");
  g_assert_cmpuint (json_array_get_length (envelopes), ==, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (envelopes, 1), "seq"),
                   ==, 4);
  g_assert_cmpint (get_int (json, "last_seq"), ==, 4);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (json), "more"));
  g_clear_pointer (&json, json_node_unref);
  g_free (pull);

  /* Nothing after the end: last_seq stays where the client is. */
  pull = g_strdup_printf ("/v1/centers/%s/pull?after=4", device.center);
  g_assert_cmpuint (request (server, "GET", pull, device.token, NULL, &json), ==, 200);
  g_assert_cmpint (get_int (json, "last_seq"), ==, 4);
  g_clear_pointer (&json, json_node_unref);
  g_free (pull);

  pull = g_strdup_printf ("/v1/centers/%s/pull?after=-1", device.center);
  g_assert_cmpuint (request (server, "GET", pull, device.token, NULL, &json), ==, 400);
  assert_error (json, "invalid");
  g_clear_pointer (&json, json_node_unref);
  g_free (pull);

  pull = g_strdup_printf ("/v1/centers/%s/pull?limit=0", device.center);
  g_assert_cmpuint (request (server, "GET", pull, device.token, NULL, &json), ==, 400);
  g_clear_pointer (&json, json_node_unref);
}

static void
test_auth (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) a = { 0 };
  g_auto(Device) b = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *push_b = NULL;
  g_autofree char *pull_a = NULL;
  g_autofree char *pull_b = NULL;
  g_autofree char *envelope = NULL;
  g_autofree char *body = NULL;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр А", &a);
  enroll_new_center (server, "Центр Б", &b);
  push_b = g_strdup_printf ("/v1/centers/%s/push", b.center);
  pull_a = g_strdup_printf ("/v1/centers/%s/pull", a.center);
  pull_b = g_strdup_printf ("/v1/centers/%s/pull", b.center);

  /* A token of center A is refused on center B. */
  envelope = make_envelope (&a, "m1", now_hlc (), "x");
  body = g_strdup_printf ("{\"envelopes\":[%s]}", envelope);
  g_assert_cmpuint (request (server, "POST", push_b, a.token, body, &json), ==, 403);
  assert_error (json, "forbidden");
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (request (server, "GET", pull_b, a.token, NULL, &json), ==, 403);
  g_clear_pointer (&json, json_node_unref);

  g_assert_cmpuint (request (server, "GET", pull_a, NULL, NULL, &json), ==, 401);
  assert_error (json, "unauthorized");
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (request (server, "GET", pull_a, "not-a-token", NULL, &json), ==, 401);
  assert_error (json, "unauthorized");
  g_clear_pointer (&json, json_node_unref);

  g_assert_cmpuint (request (server, "GET", pull_a, a.token, NULL, &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);

  g_free (run_admin (server, "device", "revoke", a.device, NULL));
  g_assert_cmpuint (request (server, "GET", pull_a, a.token, NULL, &json), ==, 401);
  assert_error (json, "device_revoked");
  g_clear_pointer (&json, json_node_unref);

  /* Other devices are untouched. */
  g_assert_cmpuint (request (server, "GET", pull_b, b.token, NULL, &json), ==, 200);
}

static void
test_malformed (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *push = NULL;
  g_autofree char *big = NULL;
  g_autofree char *authorization = NULL;
  const char *bodies[] = { "", "{", "[1,2]", "{\"envelopes\":5}", "{\"envelopes\":{}}",
                           "{\"envelopes\":[],\"extra\":1}", "\xff\xfe{}", "null", NULL };

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр проверок", &device);
  push = g_strdup_printf ("/v1/centers/%s/push", device.center);

  for (guint i = 0; bodies[i] != NULL; i++)
    {
      g_autofree char *escaped = g_strescape (bodies[i], NULL);

      g_test_message ("body: %s", escaped);
      g_assert_cmpuint (request (server, "POST", push, device.token, bodies[i], &json), ==, 400);
      assert_error (json, "invalid");
      g_clear_pointer (&json, json_node_unref);
    }

  /* Over max_body_bytes (64 KiB in the test configuration). */
  big = g_strnfill (70000, ' ');
  memcpy (big, "{\"envelopes\":[]}", strlen ("{\"envelopes\":[]}"));
  authorization = g_strdup_printf ("Bearer %s", device.token);
  g_assert_cmpuint (request_full (server, NULL, "POST", push, authorization, big, -1, &json, NULL, NULL),
                    ==, 413);
  assert_error (json, "too_large");
  g_clear_pointer (&json, json_node_unref);

  /* The same without a Content-Length: a chunked body is cut off at the limit. */
  {
    g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u%s", server->port, push);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    g_autoptr(SoupSession) session = new_session ();
    g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_data (big, 70000, NULL);
    g_autoptr(GBytes) response = NULL;
    g_autoptr(GError) error = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg),
                                  "Authorization", authorization);
    soup_message_set_request_body (msg, "application/json", stream, -1);
    g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), server);
    response = soup_session_send_and_read (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 413);
    g_assert_cmpint (soup_message_headers_get_encoding (soup_message_get_request_headers (msg)),
                     ==, SOUP_ENCODING_CHUNKED);
  }

  g_assert_cmpuint (request (server, "GET", "/v1/nothing", NULL, NULL, &json), ==, 404);
  assert_error (json, "not_found");
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (request (server, "GET", "/v1/centers/x/y/z/w", NULL, NULL, &json), ==, 404);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (request (server, "GET", push, device.token, NULL, &json), ==, 405);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (request (server, "POST", "/v1/info", NULL, "{}", &json), ==, 405);
  g_clear_pointer (&json, json_node_unref);

  /* And the server is still there. */
  g_assert_cmpuint (request (server, "GET", "/v1/info", NULL, NULL, &json), ==, 200);
  g_assert_cmpint (get_int (json, "protocol"), ==, 1);
}

static guint
post_aggregate (Server     *server,
                Device     *device,
                const char *body)
{
  g_autofree char *path = g_strdup_printf ("/v1/centers/%s/aggregates", device->center);
  g_autoptr(JsonNode) json = NULL;
  guint status = request (server, "POST", path, device->token, body, &json);

  if (status == 200)
    g_assert_true (json_object_get_boolean_member (json_node_get_object (json), "stored"));
  else
    assert_error (json, "invalid");
  return status;
}

static void
test_aggregates (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) north = { 0 };
  g_auto(Device) south = { 0 };
  g_autoptr(GBytes) html = NULL;
  g_autoptr(GBytes) csv = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *basic_credentials = g_strdup ("admin:" ADMIN_PASSWORD);
  g_autofree char *basic = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *html_text = NULL;
  const char *csv_data;
  gsize csv_len;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр Север", &north);
  enroll_new_center (server, "Центр Юг; филиал", &south);

  g_assert_cmpuint (post_aggregate (server, &north,
                                    "{\"period_from\":\"2025-01-01\",\"period_to\":\"2025-03-31\","
                                    "\"generated_at\":\"2025-04-01T10:00:00Z\","
                                    "\"counts\":{\"admitted_by_source.total\":12,\"outcomes.total\":3,"
                                    "\"sex.female\":0,\"in_program_by_stage.s1\":7}}"),
                    ==, 200);
  /* An older report of the south center is replaced by the newer one. */
  g_assert_cmpuint (post_aggregate (server, &south,
                                    "{\"period_from\":\"2024-01-01\",\"period_to\":\"2024-12-31\","
                                    "\"generated_at\":\"2025-01-02T10:00:00Z\","
                                    "\"counts\":{\"admitted_by_source.total\":100}}"), ==, 200);
  g_usleep (20000);
  g_assert_cmpuint (post_aggregate (server, &south,
                                    "{\"period_from\":\"2025-01-01\",\"period_to\":\"2025-03-31\","
                                    "\"generated_at\":\"2025-04-01T11:00:00Z\","
                                    "\"counts\":{\"admitted_by_source.total\":2,\"outcomes.total\":1}}"), ==, 200);

  /* Refused: wrong types, bad dates, names that are not short codes. */
  g_assert_cmpuint (post_aggregate (server, &south,
                                    "{\"period_from\":\"2025-01-01\",\"period_to\":\"2025-03-31\","
                                    "\"generated_at\":\"x\",\"counts\":{\"admitted\":\"2\"}}"), ==, 400);
  g_assert_cmpuint (post_aggregate (server, &south,
                                    "{\"period_from\":\"2025-13-01\",\"period_to\":\"2025-03-31\","
                                    "\"generated_at\":\"x\",\"counts\":{}}"), ==, 400);
  g_assert_cmpuint (post_aggregate (server, &south,
                                    "{\"period_from\":\"2025-01-01\",\"period_to\":\"2025-03-31\","
                                    "\"generated_at\":\"x\",\"counts\":{\"Иванов\":1}}"), ==, 400);
  g_assert_cmpuint (post_aggregate (server, &south,
                                    "{\"period_from\":\"2025-01-01\",\"period_to\":\"2025-03-31\","
                                    "\"generated_at\":\"x\",\"counts\":{\"a\":-1}}"), ==, 400);
  g_assert_cmpuint (post_aggregate (server, &south, "{\"counts\":[]}"), ==, 400);

  /* The summary needs the administrator password. */
  g_assert_cmpuint (request_full (server, NULL, "GET", "/admin/summary", NULL, NULL, -1,
                                  &json, NULL, NULL), ==, 401);
  assert_error (json, "unauthorized");
  g_clear_pointer (&json, json_node_unref);
  encoded = g_base64_encode ((const guchar *) "admin:wrong", strlen ("admin:wrong"));
  basic = g_strdup_printf ("Basic %s", encoded);
  g_assert_cmpuint (request_full (server, NULL, "GET", "/admin/summary.csv", basic, NULL, -1,
                                  &json, NULL, NULL), ==, 401);
  g_clear_pointer (&json, json_node_unref);
  g_free (encoded);
  g_free (basic);
  g_assert_cmpuint (request_full (server, NULL, "GET", "/admin/summary", north.token, NULL, -1,
                                  &json, NULL, NULL), ==, 401);
  g_clear_pointer (&json, json_node_unref);

  encoded = g_base64_encode ((const guchar *) basic_credentials, strlen (basic_credentials));
  basic = g_strdup_printf ("Basic %s", encoded);
  g_assert_cmpuint (request_full (server, NULL, "GET", "/admin/summary", basic, NULL, -1,
                                  NULL, &html, &content_type), ==, 200);
  g_assert_cmpstr (content_type, ==, "text/html");
  html_text = g_strndup (g_bytes_get_data (html, NULL), g_bytes_get_size (html));
  g_test_message ("%s", html_text);
  g_assert_nonnull (strstr (html_text, "Центр Север"));
  g_assert_nonnull (strstr (html_text, "Центр Юг; филиал"));
  /* The catalogue is not installed here: the page is in English.
   * test-summary (tests/sync) reads it in Russian. */
  /* North's 12 is hidden beside south's «<5» (the true total 14 minus 12
   * would give the 2 away); 14 only says their sum. */
  g_assert_null (strstr (html_text, ">12<"));          /* north admitted, hidden: «…» */
  g_assert_nonnull (strstr (html_text, ">…<"));
  g_assert_nonnull (strstr (html_text, ">14<"));       /* the true total */
  g_assert_nonnull (strstr (html_text, ">&lt;5<"));
  g_assert_null (strstr (html_text, "*<"));
  g_assert_nonnull (strstr (html_text, ">0<"));        /* a true zero is shown */
  g_assert_null (strstr (html_text, ">3<"));           /* north discharged, suppressed */
  g_assert_null (strstr (html_text, ">2<"));           /* south admitted, suppressed */
  g_assert_null (strstr (html_text, ">4<"));           /* discharged in all: a total under 5 */
  g_assert_null (strstr (html_text, ">100<"));         /* the older report */
  g_assert_null (strstr (html_text, ">7<"));           /* a center's own stage: not shown */
  g_assert_null (strstr (html_text, "admitted_by_source"));

  g_clear_pointer (&content_type, g_free);
  g_assert_cmpuint (request_full (server, NULL, "GET", "/admin/summary.csv", basic, NULL, -1,
                                  NULL, &csv, &content_type), ==, 200);
  g_assert_cmpstr (content_type, ==, "text/csv");
  csv_data = g_bytes_get_data (csv, &csv_len);
  {
    g_autofree char *text = g_strndup (csv_data, csv_len);
    g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 5);
    g_assert_cmpstr (lines[0], ==, "\xEF\xBB\xBF" "Center;Period from;Period to;Statistics sent;"
                     "Admitted by referral source: Total;Discharge outcomes: Total;Sex of admitted: Female");
    g_assert_true (g_str_has_prefix (lines[1], "Центр Север;01.01.2025;31.03.2025;"));
    g_assert_true (g_str_has_suffix (lines[1], ";…;<5;0"));
    g_assert_true (g_str_has_prefix (lines[2], "\"Центр Юг; филиал\";01.01.2025;31.03.2025;"));
    g_assert_true (g_str_has_suffix (lines[2], ";<5;<5;"));
    g_assert_cmpstr (lines[3], ==, "Total;01.01.2025;31.03.2025;;14;<5;0");
    g_assert_cmpstr (lines[4], ==, "");
  }
}

/* Complementary suppression beyond one hidden number per row: three
 * centers send hand-made counts for a quarter nobody else sent.
 *   self:      1, 1, 50 = 52   two «<5» with a known sum: 52 − 50 = 2
 *                              gives both 1, so the 50 is hidden too;
 *   completed: 4, 4, 0  = 8    8 gives both 4; no other number but the
 *                              0 (never hidden): the total is hidden;
 *   female:    2, 0, 0  = 2    a total under 5 is «<5», zeros shown. */
static void
test_aggregates_suppression (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) alpha = { 0 };
  g_auto(Device) beta = { 0 };
  g_auto(Device) gamma = { 0 };
  g_autoptr(GBytes) csv = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *encoded = g_base64_encode ((const guchar *) "admin:" ADMIN_PASSWORD,
                                              strlen ("admin:" ADMIN_PASSWORD));
  g_autofree char *basic = g_strdup_printf ("Basic %s", encoded);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  int self = -1, completed = -1, female = -1;
  const char *expected[][3] = {
    { "<5", "<5", "<5" },       /* Альфа */
    { "<5", "<5", "0" },        /* Бета */
    { "…", "0", "0" },          /* Гамма */
    { "52", "…", "<5" },        /* the total */
  };
  guint row = 0;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр Альфа", &alpha);
  enroll_new_center (server, "Центр Бета", &beta);
  enroll_new_center (server, "Центр Гамма", &gamma);
#define QUARTER "\"period_from\":\"2024-04-01\",\"period_to\":\"2024-06-30\"," \
                "\"generated_at\":\"2024-07-01T10:00:00Z\","
  g_assert_cmpuint (post_aggregate (server, &alpha, "{" QUARTER "\"counts\":{\"admitted_by_source.self\":1,"
                                    "\"outcomes.completed\":4,\"sex.female\":2}}"), ==, 200);
  g_assert_cmpuint (post_aggregate (server, &beta, "{" QUARTER "\"counts\":{\"admitted_by_source.self\":1,"
                                    "\"outcomes.completed\":4,\"sex.female\":0}}"), ==, 200);
  g_assert_cmpuint (post_aggregate (server, &gamma, "{" QUARTER "\"counts\":{\"admitted_by_source.self\":50,"
                                    "\"outcomes.completed\":0,\"sex.female\":0}}"), ==, 200);
#undef QUARTER

  g_assert_cmpuint (request_full (server, NULL, "GET", "/admin/summary.csv?from=2024-04-01&to=2024-06-30",
                                  basic, NULL, -1, NULL, &csv, &content_type), ==, 200);
  text = g_strndup (g_bytes_get_data (csv, NULL), g_bytes_get_size (csv));
  g_test_message ("%s", text);
  lines = g_strsplit (text, "\r\n", -1);
  header = g_strsplit (lines[0], ";", -1);
  for (guint i = 0; header[i] != NULL; i++)
    {
      if (g_str_equal (header[i], "Admitted by referral source: Self"))
        self = (int) i;
      if (g_str_equal (header[i], "Discharge outcomes: Completed"))
        completed = (int) i;
      if (g_str_equal (header[i], "Sex of admitted: Female"))
        female = (int) i;
    }
  g_assert_cmpint (self, >, 0);
  g_assert_cmpint (completed, >, 0);
  g_assert_cmpint (female, >, 0);
  /* The chosen quarter comes first: its three centers, then its total. */
  for (guint l = 1; l <= 4; l++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[l], ";", -1);

      g_assert_true (g_str_has_prefix (fields[1], "01.04.2024"));
      g_assert_cmpstr (fields[self], ==, expected[row][0]);
      g_assert_cmpstr (fields[completed], ==, expected[row][1]);
      g_assert_cmpstr (fields[female], ==, expected[row][2]);
      row++;
    }
  g_assert_true (g_str_has_prefix (lines[4], "Total;"));
  g_assert_null (strstr (text, ";50;"));
  g_assert_null (strstr (text, ";8;"));
}

typedef struct
{
  Server *server;
  Device *device;
  guint   index;
} PusherData;

#define N_PUSHERS    10
#define N_PER_PUSHER 15
#define N_EXTRA_SERVERS 2

static gpointer
pusher_thread (gpointer user_data)
{
  PusherData *data = user_data;
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *path = g_strdup_printf ("/v1/centers/%s/push", data->device->center);
  g_autofree char *authorization = g_strdup_printf ("Bearer %s", data->device->token);
  guint failures = 0;

  for (guint j = 0; j < N_PER_PUSHER; j++)
    {
      g_autofree char *msg_id = g_strdup_printf ("p%u-%u", data->index, j);
      g_autofree char *envelope = make_envelope (data->device, msg_id, now_hlc (), msg_id);
      g_autofree char *body = g_strdup_printf ("{\"envelopes\":[%s]}", envelope);
      g_autoptr(JsonNode) json = NULL;

      if (request_full (data->server, session, "POST", path, authorization, body, -1,
                        &json, NULL, NULL) != 200 ||
          json_object_get_int_member (json_array_get_object_element (results_of (json), 0),
                                      "seq") <= 0)
        failures++;
    }
  return GUINT_TO_POINTER (failures);
}

static void
test_concurrent (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(GArray) seqs = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *authorization = NULL;
  PusherData pushers[N_PUSHERS];
  Server extra[N_EXTRA_SERVERS];
  GThread *threads[N_PUSHERS];
  const guint total = N_PUSHERS * N_PER_PUSHER;
  gint64 last = 0;
  /* Only there to end in an assertion rather than hang: meson's timeout
   * comes first in a normal build, and a sanitizer build on a loaded
   * machine needed more than 90 s for these 150 pushes. */
  gint64 deadline = g_get_monotonic_time () + 600 * G_USEC_PER_SEC;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр нагрузки", &device);
  authorization = g_strdup_printf ("Bearer %s", device.token);
  session = new_session ();

  /* Two more server processes on the same database, so that pushes really
   * run in concurrent transactions and not one after another in one loop. */
  for (guint i = 0; i < N_EXTRA_SERVERS; i++)
    {
      extra[i] = *server;
      extra[i].process = NULL;
      start_process (&extra[i], NULL, NULL, NULL);
    }

  for (guint i = 0; i < N_PUSHERS; i++)
    {
      Server *target = i % (N_EXTRA_SERVERS + 1) == 0 ? server : &extra[i % (N_EXTRA_SERVERS + 1) - 1];

      pushers[i] = (PusherData) { target, &device, i };
      threads[i] = g_thread_new ("pusher", pusher_thread, &pushers[i]);
    }

  /* A puller reading one-row pages while the pushes commit: seq order is
   * commit order, so each page must be exactly the next seq. */
  while (seqs->len < total && g_get_monotonic_time () < deadline)
    {
      g_autofree char *path = g_strdup_printf ("/v1/centers/%s/pull?after=%" G_GINT64_FORMAT
                                               "&limit=1", device.center, last);
      g_autoptr(JsonNode) json = NULL;
      JsonArray *envelopes;

      g_assert_cmpuint (request_full (server, session, "GET", path, authorization, NULL, -1,
                                      &json, NULL, NULL), ==, 200);
      envelopes = json_object_get_array_member (json_node_get_object (json), "envelopes");
      g_assert_cmpuint (json_array_get_length (envelopes), <=, 1);
      if (json_array_get_length (envelopes) == 1)
        {
          gint64 seq = json_object_get_int_member (json_array_get_object_element (envelopes, 0),
                                                   "seq");

          g_assert_cmpint (seq, ==, last + 1);
          g_assert_false (g_hash_table_contains (seen, &seq));
          g_array_append_val (seqs, seq);
          g_hash_table_add (seen, &g_array_index (seqs, gint64, seqs->len - 1));
          last = seq;
          g_assert_cmpint (get_int (json, "last_seq"), ==, seq);
        }
      else
        g_usleep (1000);
    }

  for (guint i = 0; i < N_PUSHERS; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==, 0);
  for (guint i = 0; i < N_EXTRA_SERVERS; i++)
    stop_process (&extra[i]);

  g_assert_cmpuint (seqs->len, ==, total);
  g_assert_cmpint (last, ==, total);

  /* Nothing beyond the end, no gaps. */
  {
    g_autofree char *path = g_strdup_printf ("/v1/centers/%s/pull?after=%u&limit=10",
                                             device.center, total);
    g_autoptr(JsonNode) json = NULL;

    g_assert_cmpuint (request_full (server, session, "GET", path, authorization, NULL, -1,
                                    &json, NULL, NULL), ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (json),
                                                                           "envelopes")), ==, 0);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (json), "more"));
  }
}

/* Pushes of several centers at once to one server process: with SQLite
 * they share transactions (group commit, stp-server-store-push.c), so each
 * center's counter must still give its own pushes 1, 2, 3… with no gap. */
#define N_CENTERS 6

static void
test_many_centers (gconstpointer data)
{
  Server *server = (Server *) data;
  Device devices[N_CENTERS] = { { 0 } };
  PusherData pushers[N_CENTERS];
  GThread *threads[N_CENTERS];
  g_autoptr(SoupSession) session = NULL;

  if (!ensure_server (server))
    return;
  session = new_session ();

  for (guint i = 0; i < N_CENTERS; i++)
    {
      g_autofree char *name = g_strdup_printf ("Центр %u", i);

      enroll_new_center (server, name, &devices[i]);
    }
  for (guint i = 0; i < N_CENTERS; i++)
    {
      pushers[i] = (PusherData) { server, &devices[i], i };
      threads[i] = g_thread_new ("pusher", pusher_thread, &pushers[i]);
    }
  for (guint i = 0; i < N_CENTERS; i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==, 0);

  for (guint i = 0; i < N_CENTERS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/v1/centers/%s/pull?after=0&limit=100", devices[i].center);
      g_autofree char *authorization = g_strdup_printf ("Bearer %s", devices[i].token);
      g_autoptr(JsonNode) json = NULL;
      JsonArray *envelopes;

      g_assert_cmpuint (request_full (server, session, "GET", path, authorization, NULL, -1,
                                      &json, NULL, NULL), ==, 200);
      envelopes = json_object_get_array_member (json_node_get_object (json), "envelopes");
      g_assert_cmpuint (json_array_get_length (envelopes), ==, N_PER_PUSHER);
      for (guint j = 0; j < N_PER_PUSHER; j++)
        {
          JsonObject *row = json_array_get_object_element (envelopes, j);
          JsonObject *envelope = json_object_get_object_member (row, "envelope");
          g_autofree char *msg_id = g_strdup_printf ("p%u-%u", i, j);

          g_assert_cmpint (json_object_get_int_member (row, "seq"), ==, j + 1);
          g_assert_cmpstr (json_object_get_string_member (envelope, "msg_id"), ==, msg_id);
        }
      g_assert_cmpint (get_int (json, "last_seq"), ==, N_PER_PUSHER);
    }

  for (guint i = 0; i < N_CENTERS; i++)
    device_clear (&devices[i]);
}

/* SQLite only: behaviour that does not depend on the backend */

static char *
fingerprint_of (GTlsCertificate *cert)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out = g_string_new (NULL);

  g_object_get (cert, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  for (guint i = 0; hex[i] != '\0'; i += 2)
    g_string_append_printf (out, "%s%c%c", i > 0 ? ":" : "",
                            g_ascii_toupper (hex[i]), g_ascii_toupper (hex[i + 1]));
  return g_string_free (out, FALSE);
}

static void
test_dev_certificate_and_rate_limit (void)
{
  Server server = { "sqlite" };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *first_line = NULL;
  g_autofree char *dev_cert = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *expected_line = NULL;
  guint limited = 0;

  server.dir = g_dir_make_tmp ("stupeni-server-XXXXXX", &error);
  g_assert_no_error (error);
  write_config (&server, FALSE, NULL);
  start_process (&server, "--dev", NULL, &first_line);

  /* --dev makes a certificate in the state directory and prints its fingerprint. */
  dev_cert = g_build_filename (server.dir, "state", "dev-certificate.pem", NULL);
  server.cert = g_tls_certificate_new_from_file (dev_cert, &error);
  g_assert_no_error (error);
  expected = fingerprint_of (server.cert);
  expected_line = g_strdup_printf ("certificate sha256 fingerprint %s", expected);
  g_assert_cmpstr (first_line, ==, expected_line);

  /* The default limit: 10 enrollment attempts a minute per address. */
  for (guint i = 0; i < 12; i++)
    {
      guint status = request (&server, "POST", "/v1/enroll", NULL,
                              "{\"code\":\"AAAA-AAAA-AAAA-AAAA\",\"device_name\":\"x\"}", &json);

      if (i < 10)
        g_assert_cmpuint (status, ==, 403);
      else
        {
          g_assert_cmpuint (status, ==, 429);
          assert_error (json, "rate_limited");
          limited++;
        }
      g_clear_pointer (&json, json_node_unref);
    }
  g_assert_cmpuint (limited, ==, 2);
  g_assert_cmpuint (request (&server, "GET", "/v1/info", NULL, NULL, &json), ==, 200);

  destroy_server (&server);
}

static void
test_crash_hook (void)
{
  Server server = { "sqlite" };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_auto(Device) device = { 0 };
  g_autofree char *authorization = NULL;
  g_autofree char *push = NULL;
  g_autofree char *pull = NULL;
  g_autofree char *body1 = NULL;
  g_autofree char *body2 = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  guint status;

  server.dir = g_dir_make_tmp ("stupeni-server-XXXXXX", &error);
  g_assert_no_error (error);
  write_config (&server, TRUE, NULL);
  start_process (&server, NULL, "2", NULL);

  enroll_new_center (&server, "Центр сбоя", &device);
  authorization = g_strdup_printf ("Bearer %s", device.token);
  push = g_strdup_printf ("/v1/centers/%s/push", device.center);
  e1 = make_envelope (&device, "m1", now_hlc (), "one");
  e2 = make_envelope (&device, "m2", now_hlc () + 1, "two");
  body1 = g_strdup_printf ("{\"envelopes\":[%s]}", e1);
  body2 = g_strdup_printf ("{\"envelopes\":[%s]}", e2);

  g_assert_cmpuint (request (&server, "POST", push, device.token, body1, NULL), ==, 200);

  /* The second push is committed, then the server dies without replying. */
  status = request_try (&server, NULL, "POST", push, authorization, body2, -1, NULL, NULL, NULL,
                        &error);
  g_assert_cmpuint (status, ==, 0);
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_subprocess_wait (server.process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server.process));
  g_assert_cmpint (g_subprocess_get_exit_status (server.process), ==, 9);
  g_clear_object (&server.process);

  /* After a restart the envelope is there, and the retry gets the same seq. */
  start_process (&server, NULL, NULL, NULL);
  pull = g_strdup_printf ("/v1/centers/%s/pull", device.center);
  g_assert_cmpuint (request (&server, "GET", pull, device.token, NULL, &json), ==, 200);
  g_assert_cmpint (get_int (json, "last_seq"), ==, 2);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (request (&server, "POST", push, device.token, body2, &json), ==, 200);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (results_of (json), 0),
                                               "seq"), ==, 2);

  destroy_server (&server);
}

static int
run_admin_status (Server     *server,
                  const char *command,
                  const char *argument,
                  const char *value)
{
  const char *argv[] = { server_binary, "--config", server->config_path, command, argument, value, NULL };
  int status = 0;

  g_free (stp_test_run (argv, &status));
  return g_spawn_check_wait_status (status, NULL) ? 0 : (WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}

static void
test_cli (void)
{
  Server *server = &sqlite_server;
  g_autofree char *code = NULL;
  g_autofree char *center = NULL;

  if (!ensure_server (server))
    return;

  g_assert_cmpint (run_admin_status (server, "frobnicate", NULL, NULL), ==, 2);
  g_assert_cmpint (run_admin_status (server, "center", "add", ""), ==, 2);
  g_assert_cmpint (run_admin_status (server, "center", "code", "no-such-center"), ==, 1);
  g_assert_cmpint (run_admin_status (server, "device", "revoke", "no-such-device"), ==, 1);
  g_assert_cmpint (run_admin_status (server, "device", "list", NULL), ==, 0);

  /* Codes are shown in groups and accepted in any case, with or without dashes. */
  center = add_center (server, "Центр кодов", &code);
  g_assert_true (g_regex_match_simple ("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", code, 0, 0));
  {
    g_auto(GStrv) groups = g_strsplit (code, "-", -1);
    g_autofree char *joined = g_strjoinv ("", groups);
    g_autofree char *lower = g_ascii_strdown (joined, -1);
    g_auto(Device) device = { 0 };
    g_autoptr(JsonNode) json = enroll (server, lower, &device);

    g_assert_cmpstr (device.center, ==, center);
  }
}

static void
make_test_certificate (void)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "openssl", "req", "-x509", "-newkey", "ec",
                         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                         "-subj", "/CN=localhost", "-keyout", NULL, "-out", NULL, NULL };

  cert_dir = g_dir_make_tmp ("stupeni-cert-XXXXXX", &error);
  g_assert_no_error (error);
  cert_path = g_build_filename (cert_dir, "cert.pem", NULL);
  key_path = g_build_filename (cert_dir, "key.pem", NULL);
  argv[13] = key_path;
  argv[15] = cert_path;
  g_free (stp_test_run (argv, NULL));
  certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_assert_no_error (error);
}

/* Snapshots */

#define SNAPSHOT_TEST_MAX_BYTES 1000000    /* max_snapshot_bytes in the test configuration */

static char *
snapshot_path (const Device *device,
               const char   *rest)
{
  return g_strdup_printf ("/v1/centers/%s/snapshots%s", device->center, rest);
}

static guint
create_snapshot (Server       *server,
                 const Device *device,
                 const char   *id,
                 gint64        seq,
                 gint64        chunks,
                 gint64        bytes,
                 const char   *manifest,
                 JsonNode    **json_out)
{
  g_autofree char *path = snapshot_path (device, "");
  g_autofree char *body = g_strdup_printf ("{\"id\":\"%s\",\"seq\":%" G_GINT64_FORMAT ","
                                           "\"chunks\":%" G_GINT64_FORMAT ","
                                           "\"bytes\":%" G_GINT64_FORMAT ",\"manifest\":\"%s\"}",
                                           id, seq, chunks, bytes, manifest);

  return request (server, "POST", path, device->token, body, json_out);
}

static guint
put_chunk (Server       *server,
           const Device *device,
           const char   *id,
           const char   *n,
           const char   *ct,
           JsonNode    **json_out)
{
  g_autofree char *rest = g_strdup_printf ("/%s/chunks/%s", id, n);
  g_autofree char *path = snapshot_path (device, rest);
  g_autofree char *body = g_strdup_printf ("{\"ct\":\"%s\"}", ct);

  return request (server, "POST", path, device->token, body, json_out);
}

static guint
get_chunk (Server       *server,
           const Device *device,
           const char   *id,
           const char   *n,
           JsonNode    **json_out)
{
  g_autofree char *rest = g_strdup_printf ("/%s/chunks/%s", id, n);
  g_autofree char *path = snapshot_path (device, rest);

  return request (server, "GET", path, device->token, NULL, json_out);
}

static guint
commit_snapshot (Server       *server,
                 const Device *device,
                 const char   *id,
                 JsonNode    **json_out)
{
  g_autofree char *rest = g_strdup_printf ("/%s/commit", id);
  g_autofree char *path = snapshot_path (device, rest);

  return request (server, "POST", path, device->token, "{}", json_out);
}

static JsonNode *
get_latest (Server       *server,
            const Device *device)
{
  g_autofree char *path = snapshot_path (device, "/latest");
  JsonNode *json = NULL;

  g_assert_cmpuint (request (server, "GET", path, device->token, NULL, &json), ==, 200);
  return json;
}

/* Base64 of @len bytes that differ with @seed, as a sealed chunk would. */
static char *
random_chunk (guint  seed,
              gsize  len)
{
  g_autofree guint8 *data = g_malloc (len);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  return g_base64_encode (data, len);
}

/* Pushes one envelope and returns the length of its stored body. */
static gsize
push_one (Server       *server,
          const Device *device,
          const char   *msg_id)
{
  g_autofree char *path = g_strdup_printf ("/v1/centers/%s/push", device->center);
  g_autofree char *envelope = make_envelope (device, msg_id, now_hlc (), msg_id);
  g_autofree char *body = g_strdup_printf ("{\"envelopes\":[%s]}", envelope);
  g_autoptr(JsonNode) json = NULL;

  g_assert_cmpuint (request (server, "POST", path, device->token, body, &json), ==, 200);
  g_assert_false (json_object_has_member (json_array_get_object_element (results_of (json), 0),
                                          "error"));
  return strlen (envelope);
}

/* Creates, uploads and commits a snapshot of one 10-byte chunk. */
static void
make_snapshot (Server       *server,
               const Device *device,
               const char   *id,
               gint64        seq,
               guint         seed)
{
  g_autofree char *ct = random_chunk (seed, 10);
  g_autoptr(JsonNode) json = NULL;

  g_assert_cmpuint (create_snapshot (server, device, id, seq, 1, 10, "bWFuaWZlc3Q=", &json), ==, 201);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (put_chunk (server, device, id, "0", ct, &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (commit_snapshot (server, device, id, &json), ==, 200);
  g_assert_cmpint (get_int (json, "seq"), ==, seq);
}

static void
test_snapshot_round_trip (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_auto(Device) other = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *code = NULL;
  g_autofree char *manifest = random_chunk (99, 200);
  char *chunks[3];
  const gsize sizes[3] = { 3000, 2999, 1 };   /* three kinds of padding */
  const char *order[3] = { "2", "0", "1" };
  gsize lengths[5];
  JsonObject *snapshot;
  gint64 created_at;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр снимков", &device);
  code = new_code (server, device.center, "60");
  {
    g_autoptr(JsonNode) other_json = enroll (server, code, &other);
  }

  /* Before any snapshot: the whole log is to be pulled. */
  json = get_latest (server, &device);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (json), "snapshot")));
  g_assert_cmpint (get_int (json, "head"), ==, 0);
  g_assert_cmpint (get_int (json, "log_bytes_after"), ==, 0);
  g_clear_pointer (&json, json_node_unref);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("snap-msg-%u", i);

      lengths[i] = push_one (server, &device, msg_id);
    }
  json = get_latest (server, &device);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (json), "snapshot")));
  g_assert_cmpint (get_int (json, "head"), ==, 3);
  g_assert_cmpint (get_int (json, "log_bytes_after"), ==, lengths[0] + lengths[1] + lengths[2]);
  g_clear_pointer (&json, json_node_unref);

  for (guint i = 0; i < 3; i++)
    chunks[i] = random_chunk (i, sizes[i]);

  g_assert_cmpuint (create_snapshot (server, &device, "snap-1", 2, 3, 6000, manifest, &json), ==, 201);
  g_assert_cmpstr (get_str (json, "id"), ==, "snap-1");
  g_assert_cmpint (get_int (json, "seq"), ==, 2);
  g_clear_pointer (&json, json_node_unref);

  /* Chunks may come in any order. */
  for (guint i = 0; i < 3; i++)
    {
      const char *n = order[i];

      g_assert_cmpuint (put_chunk (server, &device, "snap-1", n, chunks[atoi (n)], &json), ==, 200);
      g_assert_cmpint (get_int (json, "n"), ==, atoi (n));
      g_clear_pointer (&json, json_node_unref);
    }

  /* Uncommitted: neither the latest nor downloadable. */
  json = get_latest (server, &other);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (json), "snapshot")));
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (get_chunk (server, &other, "snap-1", "0", &json), ==, 404);
  assert_error (json, "not_found");
  g_clear_pointer (&json, json_node_unref);

  g_assert_cmpuint (commit_snapshot (server, &device, "snap-1", &json), ==, 200);
  g_assert_cmpstr (get_str (json, "id"), ==, "snap-1");
  g_assert_cmpint (get_int (json, "seq"), ==, 2);
  g_clear_pointer (&json, json_node_unref);
  /* A commit repeated after a lost reply gets the same answer. */
  g_assert_cmpuint (commit_snapshot (server, &device, "snap-1", &json), ==, 200);
  g_assert_cmpint (get_int (json, "seq"), ==, 2);
  g_clear_pointer (&json, json_node_unref);

  json = get_latest (server, &other);
  snapshot = json_object_get_object_member (json_node_get_object (json), "snapshot");
  g_assert_nonnull (snapshot);
  g_assert_cmpuint (json_object_get_size (snapshot), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (snapshot, "id"), ==, "snap-1");
  g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (snapshot, "chunks"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (snapshot, "bytes"), ==, 6000);
  g_assert_cmpstr (json_object_get_string_member (snapshot, "manifest"), ==, manifest);
  g_assert_cmpstr (json_object_get_string_member (snapshot, "device"), ==, device.device);
  created_at = json_object_get_int_member (snapshot, "created_at");
  g_assert_cmpint (ABS (created_at - g_get_real_time () / 1000), <, 60000);
  g_assert_cmpint (get_int (json, "head"), ==, 3);
  g_assert_cmpint (get_int (json, "log_bytes_after"), ==, lengths[2]);
  g_clear_pointer (&json, json_node_unref);

  /* The log goes on after the snapshot. */
  lengths[3] = push_one (server, &device, "snap-msg-3");
  lengths[4] = push_one (server, &other, "snap-msg-4");
  json = get_latest (server, &device);
  g_assert_cmpint (get_int (json, "head"), ==, 5);
  g_assert_cmpint (get_int (json, "log_bytes_after"), ==, lengths[2] + lengths[3] + lengths[4]);
  g_clear_pointer (&json, json_node_unref);

  /* Another device of the center downloads exactly what was uploaded. */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *n = g_strdup_printf ("%u", i);

      g_assert_cmpuint (get_chunk (server, &other, "snap-1", n, &json), ==, 200);
      g_assert_cmpstr (get_str (json, "ct"), ==, chunks[i]);
      g_clear_pointer (&json, json_node_unref);
    }
  g_assert_cmpuint (get_chunk (server, &other, "snap-1", "3", &json), ==, 404);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (get_chunk (server, &other, "snap-none", "0", &json), ==, 404);
  g_clear_pointer (&json, json_node_unref);

  /* A committed snapshot no longer changes. */
  g_assert_cmpuint (put_chunk (server, &device, "snap-1", "0", chunks[1], &json), ==, 409);
  assert_error (json, "conflict");
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (get_chunk (server, &other, "snap-1", "0", &json), ==, 200);
  g_assert_cmpstr (get_str (json, "ct"), ==, chunks[0]);
  g_clear_pointer (&json, json_node_unref);

  for (guint i = 0; i < 3; i++)
    g_free (chunks[i]);
}

static void
test_snapshot_rules (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_auto(Device) other = { 0 };
  g_auto(Device) foreign = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *code = NULL;
  g_autofree char *eight = random_chunk (8, 8);
  g_autofree char *two = random_chunk (2, 2);
  g_autofree char *three = random_chunk (3, 3);
  const char *message;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр правил снимков", &device);
  enroll_new_center (server, "Чужой центр", &foreign);
  code = new_code (server, device.center, "60");
  {
    g_autoptr(JsonNode) other_json = enroll (server, code, &other);
  }

  /* The seq must be within the log: an empty center has only seq 0. */
  g_assert_cmpuint (create_snapshot (server, &device, "s", 1, 2, 10, "AAAA", &json), ==, 400);
  assert_error (json, "invalid");
  g_assert_nonnull (strstr (get_str (json, "message"), "seq"));
  g_clear_pointer (&json, json_node_unref);
  push_one (server, &device, "rules-1");
  g_assert_cmpuint (create_snapshot (server, &device, "s", 2, 2, 10, "AAAA", &json), ==, 400);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (create_snapshot (server, &device, "s", 1, 2, 10, "AAAA", &json), ==, 201);
  g_clear_pointer (&json, json_node_unref);

  /* Idempotent creation; another value or another device is a conflict. */
  g_assert_cmpuint (create_snapshot (server, &device, "s", 1, 2, 10, "AAAA", &json), ==, 200);
  g_assert_cmpstr (get_str (json, "id"), ==, "s");
  g_assert_cmpint (get_int (json, "seq"), ==, 1);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (create_snapshot (server, &device, "s", 1, 2, 11, "AAAA", &json), ==, 409);
  assert_error (json, "conflict");
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (create_snapshot (server, &device, "s", 1, 2, 10, "AAAB", &json), ==, 409);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (create_snapshot (server, &device, "s", 0, 2, 10, "AAAA", &json), ==, 409);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (create_snapshot (server, &other, "s", 1, 2, 10, "AAAA", &json), ==, 409);
  assert_error (json, "conflict");
  g_clear_pointer (&json, json_node_unref);

  /* Chunk numbers: below chunks, plain decimal. */
  {
    const char *bad[] = { "2", "3", "01", "-1", "+1", "1x", "x", "99999999999", NULL };

    for (guint i = 0; bad[i] != NULL; i++)
      {
        g_test_message ("chunk number %s", bad[i]);
        g_assert_cmpuint (put_chunk (server, &device, "s", bad[i], two, &json), ==, 400);
        assert_error (json, "invalid");
        g_clear_pointer (&json, json_node_unref);
      }
  }

  /* Only the creating device uploads; a token of another center is refused. */
  g_assert_cmpuint (put_chunk (server, &other, "s", "0", two, &json), ==, 403);
  assert_error (json, "forbidden");
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (put_chunk (server, &device, "nope", "0", two, &json), ==, 404);
  assert_error (json, "not_found");
  g_clear_pointer (&json, json_node_unref);
  {
    g_autofree char *path = snapshot_path (&device, "/s/chunks/0");
    g_autofree char *latest = snapshot_path (&device, "/latest");
    g_autofree char *create = snapshot_path (&device, "");

    g_assert_cmpuint (request (server, "POST", path, foreign.token, "{\"ct\":\"AAAA\"}", &json), ==, 403);
    assert_error (json, "forbidden");
    g_clear_pointer (&json, json_node_unref);
    g_assert_cmpuint (request (server, "GET", latest, foreign.token, NULL, &json), ==, 403);
    assert_error (json, "forbidden");
    g_clear_pointer (&json, json_node_unref);
    g_assert_cmpuint (request (server, "POST", create, foreign.token,
                               "{\"id\":\"f\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}",
                               &json), ==, 403);
    g_clear_pointer (&json, json_node_unref);
    g_assert_cmpuint (request (server, "GET", latest, NULL, NULL, &json), ==, 401);
    assert_error (json, "unauthorized");
    g_clear_pointer (&json, json_node_unref);
  }

  /* The chunks together may not pass bytes (10); a chunk sent again
   * replaces the earlier one. */
  g_assert_cmpuint (put_chunk (server, &device, "s", "0", eight, &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (put_chunk (server, &device, "s", "1", three, &json), ==, 400);
  assert_error (json, "invalid");
  g_clear_pointer (&json, json_node_unref);

  /* A commit with a chunk missing says how many. */
  g_assert_cmpuint (commit_snapshot (server, &device, "s", &json), ==, 409);
  assert_error (json, "conflict");
  message = get_str (json, "message");
  g_assert_nonnull (strstr (message, ": 1;"));
  g_clear_pointer (&json, json_node_unref);

  g_assert_cmpuint (put_chunk (server, &device, "s", "0", two, &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (put_chunk (server, &device, "s", "1", eight, &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (commit_snapshot (server, &other, "s", &json), ==, 403);
  assert_error (json, "forbidden");
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (commit_snapshot (server, &device, "nope", &json), ==, 404);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (commit_snapshot (server, &device, "s", &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (get_chunk (server, &other, "s", "0", &json), ==, 200);
  g_assert_cmpstr (get_str (json, "ct"), ==, two);
  g_clear_pointer (&json, json_node_unref);

  /* More chunks than declared: several missing ones are counted. */
  g_assert_cmpuint (create_snapshot (server, &device, "five", 1, 5, 100, "AAAA", &json), ==, 201);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (put_chunk (server, &device, "five", "4", two, &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (commit_snapshot (server, &device, "five", &json), ==, 409);
  g_assert_nonnull (strstr (get_str (json, "message"), ": 4;"));
  g_clear_pointer (&json, json_node_unref);
}

static void
test_snapshot_malformed (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *create = NULL;
  g_autofree char *chunk = NULL;
  g_autofree char *commit = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *big = NULL;
  const char *bad_creates[] = {
    "", "{", "[]", "null", "\xff{}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":1}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\",\"extra\":1}",
    "{\"id\":\"a b\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":5,\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":\"0\",\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":0.5,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":-1,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":0,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":100001,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":true,\"bytes\":1,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":0,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":1000001,\"manifest\":\"AAAA\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"QR==\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":\"AAA\"}",
    "{\"id\":\"a\",\"seq\":0,\"chunks\":1,\"bytes\":1,\"manifest\":null}",
    NULL
  };
  const char *bad_chunks[] = {
    "", "{}", "{\"ct\":5}", "{\"ct\":\"\"}", "{\"ct\":\"QQ=\"}", "{\"ct\":\"QR==\"}",
    "{\"ct\":\"AAAA\",\"n\":0}", "[\"AAAA\"]", NULL
  };
  const char *bad_commits[] = { "", "{\"force\":true}", "[]", NULL };

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр кривых снимков", &device);
  create = snapshot_path (&device, "");
  chunk = snapshot_path (&device, "/m/chunks/0");
  commit = snapshot_path (&device, "/m/commit");

  g_assert_cmpuint (request (server, "GET", "/v1/info", NULL, NULL, &json), ==, 200);
  g_assert_cmpint (get_int (json, "max_snapshot_bytes"), ==, SNAPSHOT_TEST_MAX_BYTES);
  g_clear_pointer (&json, json_node_unref);

  for (guint i = 0; bad_creates[i] != NULL; i++)
    {
      g_autofree char *escaped = g_strescape (bad_creates[i], NULL);

      g_test_message ("create: %s", escaped);
      g_assert_cmpuint (request (server, "POST", create, device.token, bad_creates[i], &json), ==, 400);
      assert_error (json, "invalid");
      g_clear_pointer (&json, json_node_unref);
    }
  /* None of them was stored. */
  json = get_latest (server, &device);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (json_node_get_object (json), "snapshot")));
  g_clear_pointer (&json, json_node_unref);

  /* The limits themselves are accepted. */
  g_assert_cmpuint (create_snapshot (server, &device, "m", 0, 100000, SNAPSHOT_TEST_MAX_BYTES,
                                     "AAAA", &json), ==, 201);
  g_clear_pointer (&json, json_node_unref);

  for (guint i = 0; bad_chunks[i] != NULL; i++)
    {
      g_autofree char *escaped = g_strescape (bad_chunks[i], NULL);

      g_test_message ("chunk: %s", escaped);
      g_assert_cmpuint (request (server, "POST", chunk, device.token, bad_chunks[i], &json), ==, 400);
      assert_error (json, "invalid");
      g_clear_pointer (&json, json_node_unref);
    }
  for (guint i = 0; bad_commits[i] != NULL; i++)
    {
      g_assert_cmpuint (request (server, "POST", commit, device.token, bad_commits[i], &json), ==, 400);
      assert_error (json, "invalid");
      g_clear_pointer (&json, json_node_unref);
    }

  /* A chunk over max_body_bytes (64 KiB in the test configuration). */
  big = random_chunk (1, 60000);
  {
    g_autofree char *body = g_strdup_printf ("{\"ct\":\"%s\"}", big);

    authorization = g_strdup_printf ("Bearer %s", device.token);
    g_assert_cmpuint (request_full (server, NULL, "POST", chunk, authorization, body, -1,
                                    &json, NULL, NULL), ==, 413);
    assert_error (json, "too_large");
    g_clear_pointer (&json, json_node_unref);
  }

  /* Paths and methods. */
  {
    const struct { const char *method; const char *rest; guint status; } cases[] = {
      { "GET", "", 405 },
      { "PUT", "", 405 },
      { "POST", "/latest", 405 },
      { "GET", "/m/commit", 405 },
      { "PUT", "/m/chunks/0", 405 },
      { "GET", "/", 404 },
      { "GET", "/m", 404 },
      { "GET", "/m/chunks", 404 },
      { "GET", "/m/pieces/0", 404 },
      { "GET", "/m/chunks/0/more", 404 },
      { "GET", "/latest/x", 404 },
      { "POST", "/a%20b/commit", 404 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autofree char *path = snapshot_path (&device, cases[i].rest);

        g_test_message ("%s %s", cases[i].method, path);
        g_assert_cmpuint (request (server, cases[i].method, path, device.token, "{}", &json),
                          ==, cases[i].status);
        assert_error (json, cases[i].status == 404 ? "not_found" : "method_not_allowed");
        g_clear_pointer (&json, json_node_unref);
      }
  }

  /* And the server is still there. */
  g_assert_cmpuint (put_chunk (server, &device, "m", "99999", "AAAA", &json), ==, 200);
  g_assert_cmpint (get_int (json, "n"), ==, 99999);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (request (server, "GET", "/v1/info", NULL, NULL, &json), ==, 200);
}

static void
test_snapshot_pruning (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_autoptr(JsonNode) json = NULL;
  JsonObject *snapshot;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр старых снимков", &device);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("prune-%u", i);

      push_one (server, &device, msg_id);
    }

  make_snapshot (server, &device, "p1", 1, 1);
  g_usleep (5000);
  make_snapshot (server, &device, "p2", 2, 2);
  /* Begun and left unfinished; younger than a day, so it is kept. */
  g_assert_cmpuint (create_snapshot (server, &device, "open", 3, 2, 100, "AAAA", &json), ==, 201);
  g_clear_pointer (&json, json_node_unref);
  g_usleep (5000);
  make_snapshot (server, &device, "p3", 3, 3);

  /* Only the two newest committed snapshots are left. */
  g_assert_cmpuint (get_chunk (server, &device, "p1", "0", &json), ==, 404);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (get_chunk (server, &device, "p2", "0", &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (get_chunk (server, &device, "p3", "0", &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (put_chunk (server, &device, "open", "1", "AAAA", &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  /* p1 is gone entirely, so its id can be used again. */
  g_assert_cmpuint (commit_snapshot (server, &device, "p1", &json), ==, 404);
  g_clear_pointer (&json, json_node_unref);

  json = get_latest (server, &device);
  snapshot = json_object_get_object_member (json_node_get_object (json), "snapshot");
  g_assert_cmpstr (json_object_get_string_member (snapshot, "id"), ==, "p3");
  g_clear_pointer (&json, json_node_unref);

  /* Kept by commit time, but the latest is the one with the highest seq. */
  g_usleep (5000);
  make_snapshot (server, &device, "p4", 1, 4);
  g_assert_cmpuint (get_chunk (server, &device, "p2", "0", &json), ==, 404);
  g_clear_pointer (&json, json_node_unref);
  g_assert_cmpuint (get_chunk (server, &device, "p4", "0", &json), ==, 200);
  g_clear_pointer (&json, json_node_unref);
  json = get_latest (server, &device);
  snapshot = json_object_get_object_member (json_node_get_object (json), "snapshot");
  g_assert_cmpstr (json_object_get_string_member (snapshot, "id"), ==, "p3");
  g_assert_cmpint (json_object_get_int_member (snapshot, "seq"), ==, 3);
  g_assert_cmpint (get_int (json, "log_bytes_after"), ==, 0);
  g_clear_pointer (&json, json_node_unref);
}

/* Hostile input (issue 14): each request below gets a 4xx and the server
 * goes on serving other devices.  Bodies that must reach the parser to do
 * harm are bigger than the 64 KiB of the shared test server, so a second
 * process serves the same database with max_body_bytes at 1 MiB. */

static guint
request_typed (Server       *server,
               const char   *method,
               const char   *path,
               const char   *token,
               const char   *content_type,
               const char   *body,
               gsize         body_len,
               JsonNode    **json_out)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u%s", server->port, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(SoupSession) session = new_session ();
  g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data;

  if (token != NULL)
    {
      g_autofree char *authorization = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Authorization", authorization);
    }
  soup_message_set_request_body_from_bytes (msg, content_type, bytes);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), server);
  response = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  data = g_bytes_get_data (response, &len);
  if (json_out != NULL)
    {
      *json_out = stp_json_parse (data, len, &error);
      g_assert_no_error (error);
    }
  return soup_message_get_status (msg);
}

/* The server answers /v1/info and takes a push from @device. */
static void
assert_still_serving (Server       *server,
                      const Device *device,
                      const char   *msg_id)
{
  g_autoptr(JsonNode) json = NULL;

  g_assert_cmpuint (request (server, "GET", "/v1/info", NULL, NULL, &json), ==, 200);
  g_assert_cmpint (get_int (json, "protocol"), ==, 1);
  push_one (server, device, msg_id);
}

static char *
nested (const char *open,
        guint       depth,
        const char *close)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (out, open);
  for (guint i = 0; close != NULL && i < depth; i++)
    g_string_append (out, close);
  return g_string_free (out, FALSE);
}

/* A body sent a few bytes at a time over a raw TLS connection; while it
 * trickles in, another device is served. */
static gboolean
accept_any (GTlsConnection       *conn,
            GTlsCertificate      *peer,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  return g_tls_certificate_is_same (peer, user_data);
}

static void
on_client_event (GSocketClient      *client,
                 GSocketClientEvent  event,
                 GSocketConnectable *connectable,
                 GIOStream          *connection,
                 gpointer            user_data)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_any), user_data);
}

static void
slow_body (Server       *server,
           const Device *other)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;
  g_autoptr(GError) error = NULL;
  const char *body = "{\"code\":\"AAAA-BBBB\",\"device_name\":[[[[";
  g_autofree char *head = g_strdup_printf ("POST /v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Content-Type: application/json\r\n"
                                           "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                                           strlen (body));
  GOutputStream *out;
  char reply[512] = { 0 };
  gsize got = 0;

  g_socket_client_set_tls (client, TRUE);
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), server->cert);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) server->port, NULL, &error);
  g_assert_no_error (error);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);

  for (gsize i = 0; body[i] != '\0'; i++)
    {
      g_output_stream_write_all (out, body + i, 1, NULL, NULL, &error);
      g_assert_no_error (error);
      g_output_stream_flush (out, NULL, &error);
      g_assert_no_error (error);
      if (i == 5)
        {
          g_autofree char *msg_id = g_strdup_printf ("during-slow-body-%s", server->backend);
          assert_still_serving (server, other, msg_id);
        }
      g_usleep (20000);
    }

  g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (conn)), reply,
                           sizeof reply - 1, &got, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("slow body answered: %.40s", reply);
  g_assert_true (g_str_has_prefix (reply, "HTTP/1.1 400"));
}

static void
test_hostile (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_auto(Device) other = { 0 };
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *push = NULL;
  g_autofree char *config = NULL;
  g_autofree char *big_config = NULL;
  g_autofree char *token_header = NULL;
  g_autoptr(GError) error = NULL;
  Server big;
  struct { const char *name; char *path; gboolean auth; char *body; gsize len; } cases[16];
  guint n_cases = 0;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр нападений", &device);
  enroll_new_center (server, "Центр соседей", &other);
  push = g_strdup_printf ("/v1/centers/%s/push", device.center);
  token_header = g_strdup_printf ("Bearer %s", device.token);

  /* The same database, bodies up to 1 MiB. */
  g_file_get_contents (server->config_path, &config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (config, "max_body_bytes=65536\n"));
  {
    g_auto(GStrv) parts = g_strsplit (config, "max_body_bytes=65536\n", 2);
    g_autofree char *text = g_strconcat (parts[0], "max_body_bytes=1048576\n", parts[1], NULL);

    big_config = g_build_filename (server->dir, "big-body.conf", NULL);
    g_file_set_contents (big_config, text, -1, &error);
    g_assert_no_error (error);
  }
  big = *server;
  big.process = NULL;
  big.config_path = big_config;
  start_process (&big, NULL, NULL, NULL);

#define ADD_CASE(n, p, a, b) \
  do { char *b_ = (b); cases[n_cases++] = (typeof (cases[0])) { n, (char *) (p), a, b_, strlen (b_) }; } while (0)

  /* The crash of the issue: 100 000 nested arrays, with and without login. */
  ADD_CASE ("deep arrays, enroll", "/v1/enroll", FALSE, nested ("[", 100000, NULL));
  ADD_CASE ("deep arrays, push", push, TRUE, nested ("[", 100000, NULL));
  ADD_CASE ("deep objects, push", push, TRUE, nested ("{\"a\":", 100000, NULL));
  ADD_CASE ("deep but closed, push", push, TRUE, nested ("[", 65, "]"));
  {
    GString *s = g_string_new ("{\"code\":\"");
    for (guint i = 0; i < 500000; i++)
      g_string_append_c (s, 'A');
    g_string_append (s, "\",\"device_name\":\"x\"}");
    ADD_CASE ("huge string, enroll", "/v1/enroll", FALSE, g_string_free (s, FALSE));
  }
  {
    GString *s = g_string_new ("{");
    for (guint i = 0; i < 60000; i++)
      g_string_append_printf (s, "%s\"k%u\":0", i > 0 ? "," : "", i);
    g_string_append (s, "}");
    ADD_CASE ("many keys, push", push, TRUE, g_string_free (s, FALSE));
  }
  {
    GString *s = g_string_new ("{\"envelopes\":[");
    for (guint i = 0; i < 150000; i++)
      g_string_append (s, i > 0 ? ",0" : "0");
    g_string_append (s, "]}");
    ADD_CASE ("many elements, push", push, TRUE, g_string_free (s, FALSE));
  }
  ADD_CASE ("many keys, enroll", "/v1/enroll", FALSE,
            g_strdup ("{\"code\":\"A\",\"device_name\":\"b\",\"c\":1,\"d\":2,\"e\":3,\"f\":4,\"g\":5,"
                      "\"h\":6,\"i\":7,\"j\":8}"));
  ADD_CASE ("bad UTF-8, enroll", "/v1/enroll", FALSE,
            g_strdup ("{\"code\":\"AAAA\",\"device_name\":\"\xc3\x28\"}"));
  ADD_CASE ("truncated, push", push, TRUE, g_strdup ("{\"envelopes\":[{\"v\":1,\"center\":"));
  /* json-glib would turn the octal escape into a byte that is not UTF-8,
   * stored as it is (SQLite) or refused by the database (PostgreSQL, 500). */
  {
    g_autofree char *aggregates = g_strdup_printf ("/v1/centers/%s/aggregates", device.center);

    ADD_CASE ("octal escape, aggregates", g_steal_pointer (&aggregates), TRUE,
              g_strdup ("{\"period_from\":\"2025-01-01\",\"period_to\":\"2025-03-31\","
                        "\"generated_at\":\"\\333\",\"counts\":{}}"));
  }
  ADD_CASE ("long number, push", push, TRUE, nested ("9", 200000, NULL));

  for (guint i = 0; i < n_cases; i++)
    {
      g_test_message ("hostile: %s (%zu bytes)", cases[i].name, cases[i].len);
      g_assert_cmpuint (request_typed (&big, "POST", cases[i].path,
                                       cases[i].auth ? device.token : NULL, "application/json",
                                       cases[i].body, cases[i].len, &json), ==, 400);
      assert_error (json, "invalid");
      g_clear_pointer (&json, json_node_unref);
      g_free (cases[i].body);
      if (cases[i].path != push && !g_str_equal (cases[i].path, "/v1/enroll"))
        g_free (cases[i].path);
      {
        g_autofree char *msg_id = g_strdup_printf ("after-hostile-%u", i);
        assert_still_serving (&big, &other, msg_id);
      }
    }

  /* Wrong content types are refused before the body is read. */
  {
    const char *types[] = { "text/plain", "application/x-www-form-urlencoded",
                            "multipart/form-data; boundary=x", "application/jsonx", NULL };

    for (guint i = 0; types[i] != NULL; i++)
      {
        g_assert_cmpuint (request_typed (server, "POST", push, device.token, types[i],
                                         "{\"envelopes\":[]}", 16, &json), ==, 415);
        assert_error (json, "unsupported_media_type");
        g_clear_pointer (&json, json_node_unref);
      }
    g_assert_cmpuint (request_typed (server, "POST", push, device.token,
                                     "application/json; charset=utf-8",
                                     "{\"envelopes\":[]}", 16, &json), ==, 200);
    g_clear_pointer (&json, json_node_unref);
  }

  /* An envelope whose ciphertext is cut in the middle of a base64 group:
   * refused on its own, nothing stored.  (One cut at a group boundary is
   * valid base64 the server cannot tell from any other ciphertext; the
   * receiving device refuses it when it fails to open.) */
  {
    g_autofree char *envelope = make_envelope (&device, "cut-short", now_hlc (), "данные");
    char *ct = strstr (envelope, "\"ct\":\"");
    g_autofree char *body = NULL;
    JsonObject *result;

    g_assert_nonnull (ct);
    memmove (ct + 6, ct + 7, strlen (ct + 7) + 1);  /* one base64 character fewer */
    body = g_strdup_printf ("{\"envelopes\":[%s]}", envelope);
    g_assert_cmpuint (request (server, "POST", push, device.token, body, &json), ==, 200);
    result = json_array_get_object_element (results_of (json), 0);
    g_assert_cmpstr (json_object_get_string_member (result, "error"), ==, "invalid");
    g_clear_pointer (&json, json_node_unref);
  }

  slow_body (&big, &other);
  stop_process (&big);
  assert_still_serving (server, &device, "after-all-hostile");
}

/* Pull replies are bounded in bytes as well as in envelopes (issue 14):
 * max_bytes (capped by the server's max_pull_bytes) stops a page early,
 * but a page always holds at least one envelope. */
static void
test_pull_bytes (gconstpointer data)
{
  Server *server = (Server *) data;
  g_auto(Device) device = { 0 };
  g_autofree char *filler = g_strnfill (9000, 'x');
  gsize envelope_len = 0;

  if (!ensure_server (server))
    return;

  enroll_new_center (server, "Центр больших пакетов", &device);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("big-%u", i);
      g_autofree char *path = g_strdup_printf ("/v1/centers/%s/push", device.center);
      g_autofree char *envelope = make_envelope (&device, msg_id, now_hlc (), filler);
      g_autofree char *body = g_strdup_printf ("{\"envelopes\":[%s]}", envelope);
      g_autoptr(JsonNode) json = NULL;

      envelope_len = strlen (envelope);
      g_assert_cmpuint (request (server, "POST", path, device.token, body, &json), ==, 200);
    }
  g_assert_cmpuint (envelope_len, >, 12000);

  {
    /* The server counts 64 bytes for the page and 40 per envelope
     * beyond its body. */
    const gsize two = 64 + 2 * (envelope_len + 40);
    const struct { gsize max_bytes; guint expected; gboolean more; } cases[] = {
      { 1, 1, TRUE },                    /* always one */
      { two - 1, 1, TRUE },
      { two, 2, TRUE },
      { 100 * 1024 * 1024, 5, FALSE },   /* capped by max_pull_bytes, 8 MiB */
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        gsize max_bytes = cases[i].max_bytes;
        g_autofree char *path = NULL;
        g_autoptr(JsonNode) json = NULL;
        g_autoptr(GBytes) raw = NULL;
        g_autofree char *authorization = g_strdup_printf ("Bearer %s", device.token);
        JsonArray *envelopes;

        path = g_strdup_printf ("/v1/centers/%s/pull?after=0&limit=50&max_bytes=%" G_GSIZE_FORMAT,
                                device.center, max_bytes);
        g_assert_cmpuint (request_full (server, NULL, "GET", path, authorization, NULL, -1,
                                        &json, &raw, NULL), ==, 200);
        envelopes = json_object_get_array_member (json_node_get_object (json), "envelopes");
        g_test_message ("max_bytes %" G_GSIZE_FORMAT ": %u envelopes, %" G_GSIZE_FORMAT " bytes",
                        max_bytes, json_array_get_length (envelopes), g_bytes_get_size (raw));
        g_assert_cmpuint (json_array_get_length (envelopes), ==, cases[i].expected);
        g_assert_cmpint (json_object_get_boolean_member (json_node_get_object (json), "more"),
                         ==, cases[i].more);
        g_assert_cmpint (get_int (json, "last_seq"), ==, cases[i].expected);
        if (cases[i].expected > 1)
          g_assert_cmpuint (g_bytes_get_size (raw), <=, max_bytes);
      }
  }
}

/* One log line per request on stderr: method, path, status, bytes, time
 * and center, and never the token. */
static void
test_request_log (void)
{
  Server *server = &sqlite_server;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *err_text = NULL;
  g_auto(Device) device = { 0 };
  Server logged;
  g_autofree char *code = NULL;
  g_autofree char *center = NULL;

  if (!ensure_server (server))
    return;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, server_binary,
                                         "--config", server->config_path,
                                         "serve", "--port", "0", NULL);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  logged = *server;
  logged.port = 0;
  while (logged.port == 0)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "listening on https://127.0.0.1:"))
        logged.port = (guint) g_ascii_strtoull (line + strlen ("listening on https://127.0.0.1:"),
                                                NULL, 10);
    }

  center = add_center (&logged, "Центр журнала", &code);
  json_node_unref (enroll (&logged, code, &device));
  push_one (&logged, &device, "logged-push");
  {
    g_autoptr(JsonNode) json = NULL;

    g_assert_cmpuint (request (&logged, "GET", "/v1/nothing", NULL, NULL, &json), ==, 404);
  }

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err_text, &error);
  g_assert_no_error (error);
  g_test_message ("%s", err_text);

  g_assert_nonnull (strstr (err_text, "POST /v1/enroll 200 "));
  {
    g_autofree char *push_line = g_strdup_printf ("POST /v1/centers/%s/push 200 ", center);
    g_autofree char *center_field = g_strdup_printf (" ms center=%s", center);

    g_assert_nonnull (strstr (err_text, push_line));
    g_assert_nonnull (strstr (err_text, center_field));
  }
  g_assert_nonnull (strstr (err_text, "GET /v1/nothing 404 "));
  g_assert_null (strstr (err_text, device.token));
  g_assert_null (strstr (err_text, code));
}

static void
add_contract (Server *server)
{
  const struct { const char *name; GTestDataFunc func; } cases[] = {
    { "info", test_info },
    { "enroll", test_enroll },
    { "device-numbers", test_device_numbers },
    { "key", test_key },
    { "push-pull", test_push_pull },
    { "auth", test_auth },
    { "malformed", test_malformed },
    { "aggregates-summary", test_aggregates },
    { "aggregates-suppression", test_aggregates_suppression },
    { "concurrent-push", test_concurrent },
    { "many-centers-push", test_many_centers },
    { "snapshot-round-trip", test_snapshot_round_trip },
    { "snapshot-rules", test_snapshot_rules },
    { "snapshot-malformed", test_snapshot_malformed },
    { "snapshot-pruning", test_snapshot_pruning },
    { "hostile-input", test_hostile },
    { "pull-bytes", test_pull_bytes },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/server/%s/%s", server->backend, cases[i].name);
      g_test_add_data_func (path, server, cases[i].func);
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  server_binary = g_strdup (argc > 1 ? argv[1] : g_getenv ("STUPENI_SERVER"));
  if (server_binary == NULL)
    g_error ("usage: test-server PATH-TO-stupeni-server");
  g_assert_true (stp_protocol_init (NULL));
  for (guint i = 0; i < sizeof center_key; i++)
    center_key[i] = (guint8) (i * 7 + 3);
  make_test_certificate ();

  add_contract (&sqlite_server);
  add_contract (&pg_server);
  g_test_add_func ("/server/cli", test_cli);
  g_test_add_func ("/server/dev-certificate-and-rate-limit", test_dev_certificate_and_rate_limit);
  g_test_add_func ("/server/crash-hook", test_crash_hook);
  g_test_add_func ("/server/request-log", test_request_log);

  status = g_test_run ();

  destroy_server (&sqlite_server);
  destroy_server (&pg_server);
  remove_tree (cert_dir);
  return status;
}
