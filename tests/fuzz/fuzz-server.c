/* fuzz-server: whole requests through the server's router, in-process and
 * without sockets, against an in-memory SQLite store that holds one center
 * with one enrolled device.
 *
 * Input: "METHOD PATH[?QUERY]\n", header lines "Name: value\n", an empty
 * line, then the body.  "{C}" in the path stands for the center's id and
 * "{T}" in a header for the device's token, so that the corpus reaches the
 * handlers behind authentication. */
#include "config.h"

#include "fuzz-common.h"

#include "stp-protocol.h"
#include "stp-server.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define TOKEN "fuzz-device-token"

static StpServerConfig config;
static StpServerStore *store;
static StpServer *server;
static char *center;
static guint runs;

static void
set_up (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code_hash = stp_server_hash_secret ("FUZZ-CODE");
  g_autofree char *token_hash = stp_server_hash_secret (TOKEN);
  g_autofree char *enrolled = NULL;
  StpServerEnrollStatus status;
  gint64 number;

  /* A critical is a bug, as in the server built with G_DEBUG=fatal-criticals. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  g_log_set_writer_func (g_log_writer_default, NULL, NULL);
  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  if (!stp_protocol_init (&error))
    g_error ("%s", error->message);

  if (config.listen == NULL)
    {
      config.listen = g_strdup ("127.0.0.1");
      config.state_dir = g_strdup ("/nonexistent");
      config.database = g_strdup ("sqlite::memory:");
      config.max_body_bytes = 256 * 1024;
      config.max_snapshot_bytes = 1024 * 1024;
      config.max_pull_limit = 50;
      config.max_pull_bytes = 64 * 1024;
      config.enroll_attempts_per_minute = G_MAXUINT;
      config.workers = 1;
      config.admin_password_hash = g_strdup ("");   /* no admin: hashing is slow */
    }

  store = stp_server_store_open (config.database, config.state_dir, &error);
  if (store == NULL ||
      !stp_server_store_add_center (store, "Fuzz", &center, &error) ||
      !stp_server_store_add_code (store, center, code_hash, G_MAXINT64, &error) ||
      !stp_server_store_enroll (store, code_hash, stp_server_now_millis (), "fuzz-device",
                                "Fuzz", token_hash, &status, &enrolled, &number, &error))
    g_error ("set-up failed: %s", error != NULL ? error->message : "?");
  server = stp_server_new (&config, store, NULL);
}

static char *
substitute (const char *text,
            const char *placeholder,
            const char *value)
{
  g_auto(GStrv) parts = g_strsplit (text, placeholder, -1);

  return g_strjoinv (value, parts);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  const char *text = (const char *) data;
  const char *end = text + size;
  const char *line_end, *body;
  g_autofree char *request_line = NULL;
  g_autofree char *method = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) query = NULL;
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(StpRequest) request = NULL;
  char *space, *mark;

  /* A fresh database now and then, so that what the inputs store does
   * not grow without end. */
  if (server != NULL && ++runs % 20000 == 0)
    {
      g_clear_pointer (&server, stp_server_free);
      g_clear_pointer (&store, stp_server_store_free);
      g_clear_pointer (&center, g_free);
    }
  if (server == NULL)
    set_up ();

  line_end = memchr (text, '\n', size);
  if (line_end == NULL)
    return 0;
  request_line = g_strndup (text, (gsize) (line_end - text));
  if (strlen (request_line) != (gsize) (line_end - text) ||
      !(space = strchr (request_line, ' ')))
    return 0;
  *space = '\0';
  method = g_strdup (request_line);
  path = substitute (space + 1, "{C}", center);
  if ((mark = strchr (path, '?')) != NULL)
    {
      *mark = '\0';
      query = soup_form_decode (mark + 1);
    }
  /* SoupServer hands over decoded, absolute paths only. */
  if (path[0] != '/')
    return 0;

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  body = line_end + 1;
  while (body < end)
    {
      const char *eol = memchr (body, '\n', (gsize) (end - body));
      g_autofree char *header = NULL;
      char *colon;

      if (eol == NULL || eol == body)
        {
          body = eol == NULL ? end : eol + 1;
          break;
        }
      header = g_strndup (body, (gsize) (eol - body));
      body = eol + 1;
      if ((colon = strchr (header, ':')) != NULL && g_utf8_validate (header, -1, NULL))
        {
          g_autofree char *value = NULL;

          *colon = '\0';
          value = substitute (g_strstrip (colon + 1), "{T}", TOKEN);
          /* SoupServer parses headers itself; names and values such as
           * it hands over only. */
          if (header[0] != '\0' && strpbrk (header, " \t\r\n") == NULL &&
              strpbrk (value, "\r\n") == NULL)
            soup_message_headers_append (headers, header, value);
        }
    }

  bytes = g_bytes_new (body, (gsize) (end - body));
  if (g_bytes_get_size (bytes) > config.max_body_bytes)
    return 0;    /* SoupServer answers 413 before the router sees it */
  request = stp_request_new (method, path, query, headers, bytes, "127.0.0.1");
  stp_server_dispatch (server, request, store);
  if (stp_request_get_status (request) < 200 || stp_request_get_status (request) >= 600)
    __builtin_trap ();
  if (stp_request_get_status (request) >= 500)
    __builtin_trap ();    /* a handler failed on input alone */
  return 0;
}
