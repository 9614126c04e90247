#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Concurrency (docs/ARCHITECTURE.md, "Server"): SoupServer reads requests
 * on the main loop; each complete request is paused and handed to a
 * bounded pool of worker threads, each with its own database connection;
 * the worker builds the answer and the main loop sends it
 * (stp-server-http.c).  A slow or large request therefore holds one
 * worker, never the loop.  Each request is one or more database
 * transactions, and several processes may serve one database (the
 * per-center counter row keeps seq order equal to commit order). */

const StpJsonLimits stp_server_enroll_limits = {
  .max_bytes = 4096, .max_depth = 2, .max_string = 1024, .max_elements = 8, .max_values = 16,
};
const StpJsonLimits stp_server_key_limits = {
  .max_bytes = 16384, .max_depth = 3, .max_string = 4096, .max_elements = 32, .max_values = 64,
};
const StpJsonLimits stp_server_aggregate_limits = {
  .max_bytes = 1024 * 1024, .max_depth = 3, .max_string = 4096,
  .max_elements = 2 * MAX_AGGREGATE_COUNTS, .max_values = 4 * MAX_AGGREGATE_COUNTS,
};
const StpJsonLimits stp_server_push_limits = {
  .max_bytes = G_MAXSIZE, .max_depth = 4, .max_string = G_MAXSIZE,
  .max_elements = 4 * MAX_ENVELOPES_PER_PUSH, .max_values = 16 * MAX_ENVELOPES_PER_PUSH,
};
const StpJsonLimits stp_server_snapshot_limits = {
  .max_bytes = G_MAXSIZE, .max_depth = 2, .max_string = G_MAXSIZE, .max_elements = 16, .max_values = 32,
};

/* Requests */

StpRequest *
stp_request_new (const char         *method,
                 const char         *path,
                 GHashTable         *query,
                 SoupMessageHeaders *headers,
                 GBytes             *body,
                 const char         *remote_host)
{
  StpRequest *request = g_new0 (StpRequest, 1);

  request->method = g_strdup (method);
  request->path = g_strdup (path);
  request->query = query != NULL ? g_hash_table_ref (query) : NULL;
  request->request_headers = headers != NULL ? soup_message_headers_ref (headers)
                                             : soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  request->body = body != NULL ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
  request->remote_host = g_strdup (remote_host != NULL ? remote_host : "");
  request->response_headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  /* Answered whole where it is dispatched (the fuzzer); the worker pools
   * set it for the lane they put the request in. */
  request->bulk_lane = TRUE;
  return request;
}

void
stp_request_free (StpRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->query, g_hash_table_unref);
  g_clear_pointer (&request->request_headers, soup_message_headers_unref);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request->remote_host);
  g_free (request->content_type);
  g_clear_pointer (&request->response, g_bytes_unref);
  g_clear_pointer (&request->pieces, g_ptr_array_unref);
  g_clear_pointer (&request->response_headers, soup_message_headers_unref);
  g_free (request->center);
  g_free (request);
}

guint
stp_request_get_status (StpRequest *request)
{
  return request->status;
}

GBytes *
stp_request_get_response (StpRequest  *request,
                          const char **content_type)
{
  if (content_type != NULL)
    *content_type = request->content_type;
  if (request->response == NULL && request->pieces != NULL)
    {
      GByteArray *all = g_byte_array_new ();

      for (guint i = 0; i < request->pieces->len; i++)
        {
          gsize len = 0;
          const guint8 *data = g_bytes_get_data (request->pieces->pdata[i], &len);

          g_byte_array_append (all, data, (guint) len);
        }
      request->response = g_byte_array_free_to_bytes (all);
    }
  return request->response;
}

/* Responses */

void
stp_server_respond_text (StpRequest        *msg,
                         guint              status,
                         const char        *content_type,
                         char              *text)
{
  msg->status = status;
  g_free (msg->content_type);
  msg->content_type = g_strdup (content_type);
  g_clear_pointer (&msg->response, g_bytes_unref);
  g_clear_pointer (&msg->pieces, g_ptr_array_unref);
  msg->response = g_bytes_new_take (text, strlen (text));
}

void
stp_server_respond_pieces (StpRequest *msg,
                           guint       status,
                           const char *content_type,
                           GPtrArray  *pieces)
{
  msg->status = status;
  g_free (msg->content_type);
  msg->content_type = g_strdup (content_type);
  g_clear_pointer (&msg->response, g_bytes_unref);
  g_clear_pointer (&msg->pieces, g_ptr_array_unref);
  msg->pieces = pieces;
}

void
stp_server_respond_node (StpRequest        *msg,
                         guint              status,
                         JsonNode          *node)
{
  respond_text (msg, status, "application/json", stp_json_canonicalize (node));
}

void
stp_server_respond_builder (StpRequest        *msg,
                            guint              status,
                            JsonBuilder       *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);

  respond_node (msg, status, node);
}

void
stp_server_respond_error (StpRequest        *msg,
                          guint              status,
                          const char        *code,
                          const char        *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  respond_builder (msg, status, builder);
}

void
stp_server_respond_internal (StpRequest        *msg,
                             GError            *error)
{
  g_warning ("%s %s failed: %s", msg->method, msg->path, error->message);
  respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                 _("The server could not complete the request; try again later"));
}

/* Request helpers */

/* A JSON body must say so; a missing Content-Type is accepted only with no
 * body at all (which then fails as empty JSON). */
static gboolean
has_json_content_type (StpRequest *msg)
{
  const char *type = soup_message_headers_get_content_type (msg->request_headers, NULL);

  if (type == NULL)
    return g_bytes_get_size (msg->body) == 0;
  return g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Returns the parsed body, or NULL after answering 415 or 400. */
JsonNode *
stp_server_read_json_body (StpRequest          *msg,
                           const StpJsonLimits *limits)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node;
  gsize len = 0;
  const char *data;

  if (!has_json_content_type (msg))
    {
      respond_error (msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                     _("The request body must be JSON (Content-Type: application/json)"));
      return NULL;
    }
  data = g_bytes_get_data (msg->body, &len);
  if (!(node = stp_json_parse_bounded (data, len, limits, &error)))
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
  return node;
}

JsonObject *
stp_server_expect_object (StpRequest         *msg,
                          JsonNode           *node,
                          const char * const *members)
{
  g_autoptr(GError) error = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", _("The request body must be a JSON object"));
      return NULL;
    }
  if (members != NULL && !stp_json_check_members (json_node_get_object (node), members, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return NULL;
    }
  return json_node_get_object (node);
}

/* Authentication */

/* Returns TRUE with @device filled when the bearer token belongs to a live
 * device of @center; otherwise a 401 or 403 has been set on @msg. */
gboolean
stp_server_authenticate (StpServer         *self,
                         StpRequest        *msg,
                         const char        *center,
                         StpServerDevice   *device)
{
  SoupMessageHeaders *headers = msg->request_headers;
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = NULL;
  gint64 now;
  gpointer last;
  gboolean touch;

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0 || auth[7] == '\0')
    {
      soup_message_headers_replace (msg->response_headers,
                                    "WWW-Authenticate", "Bearer");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                     _("A device token is required; enroll the device first"));
      return FALSE;
    }

  token_hash = stp_server_hash_secret (auth + 7);
  if (!stp_server_store_find_device (msg->store, token_hash, device, &error))
    {
      if (g_error_matches (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND))
        respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                       _("The device token is not known; enroll the device again"));
      else
        respond_internal (msg, error);
      return FALSE;
    }

  if (device->revoked)
    {
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "device_revoked",
                     _("This device was revoked by the server administrator"));
      stp_server_device_clear (device);
      return FALSE;
    }

  if (g_strcmp0 (device->center, center) != 0)
    {
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                     _("This device does not belong to the center"));
      stp_server_device_clear (device);
      return FALSE;
    }

  /* last_seen is for the administrator; once a minute is precise enough. */
  now = stp_server_now_millis ();
  g_mutex_lock (&self->lock);
  last = g_hash_table_lookup (self->last_touch, device->id);
  touch = last == NULL || now - *(gint64 *) last > TOUCH_INTERVAL_MILLIS;
  if (touch)
    {
      gint64 *stamp = g_new (gint64, 1);

      *stamp = now;
      g_hash_table_replace (self->last_touch, g_strdup (device->id), stamp);
    }
  g_mutex_unlock (&self->lock);
  if (touch && !stp_server_store_touch_device (msg->store, device->id, now, &error))
    g_warning ("Could not record device activity: %s", error->message);

  return TRUE;
}

/* Routing
 *
 * A pattern is a path whose segments are literal or a placeholder:
 * "{id}" matches an id (stp_is_valid_id()), "{n}" any one segment (its
 * handler answers 400 when it is not a number).  The captured segments go
 * to the handler in order.  A path that matches a pattern under another
 * method is 405; one that matches none is 404. */

#define MAX_ARGS 3

typedef void (*RouteHandler) (StpServer   *self,
                              StpRequest  *msg,
                              char       **args);

typedef struct
{
  const char   *method;
  const char   *pattern;
  RouteHandler  handler;
} Route;

static void
route_info (StpServer   *s,
           StpRequest  *m,
           char       **a)
{
  stp_server_handle_info (s, m);
}

static void
route_enroll (StpServer   *s,
             StpRequest  *m,
             char       **a)
{
  stp_server_handle_enroll (s, m);
}

static void
route_summary (StpServer   *s,
              StpRequest  *m,
              char       **a)
{
  stp_server_handle_summary (s, m, FALSE);
}

static void
route_summary_csv (StpServer   *s,
                  StpRequest  *m,
                  char       **a)
{
  stp_server_handle_summary (s, m, TRUE);
}

static void
route_push (StpServer   *s,
           StpRequest  *m,
           char       **a)
{
  stp_server_handle_push (s, m, a[0]);
}

static void
route_pull (StpServer   *s,
           StpRequest  *m,
           char       **a)
{
  stp_server_handle_pull (s, m, a[0], m->query);
}

static void
route_key (StpServer   *s,
          StpRequest  *m,
          char       **a)
{
  stp_server_handle_key (s, m, a[0], m->method);
}

static void
route_aggregates (StpServer   *s,
                 StpRequest  *m,
                 char       **a)
{
  stp_server_handle_aggregates (s, m, a[0]);
}

static void
route_snapshot_create (StpServer   *s,
                      StpRequest  *m,
                      char       **a)
{
  stp_server_handle_snapshot_create (s, m, a[0]);
}

static void
route_snapshot_latest (StpServer   *s,
                      StpRequest  *m,
                      char       **a)
{
  stp_server_handle_snapshot_latest (s, m, a[0]);
}

static void
route_snapshot_commit (StpServer   *s,
                      StpRequest  *m,
                      char       **a)
{
  stp_server_handle_snapshot_commit (s, m, a[0], a[1]);
}

static void
route_chunk_put (StpServer   *s,
                StpRequest  *m,
                char       **a)
{
  stp_server_handle_snapshot_put_chunk (s, m, a[0], a[1], a[2]);
}

static void
route_chunk_get (StpServer   *s,
                StpRequest  *m,
                char       **a)
{
  stp_server_handle_snapshot_get_chunk (s, m, a[0], a[1], a[2]);
}

static const Route routes[] = {
  { "GET",  "/v1/info",                                     route_info },
  { "POST", "/v1/enroll",                                   route_enroll },
  { "GET",  "/admin/summary",                               route_summary },
  { "GET",  "/admin/summary.csv",                           route_summary_csv },
  { "POST", "/v1/centers/{id}/push",                        route_push },
  { "GET",  "/v1/centers/{id}/pull",                        route_pull },
  { "GET",  "/v1/centers/{id}/key",                         route_key },
  { "PUT",  "/v1/centers/{id}/key",                         route_key },
  { "POST", "/v1/centers/{id}/aggregates",                  route_aggregates },
  { "POST", "/v1/centers/{id}/snapshots",                   route_snapshot_create },
  { "GET",  "/v1/centers/{id}/snapshots/latest",            route_snapshot_latest },
  { "POST", "/v1/centers/{id}/snapshots/{id}/commit",       route_snapshot_commit },
  { "POST", "/v1/centers/{id}/snapshots/{id}/chunks/{n}",   route_chunk_put },
  { "GET",  "/v1/centers/{id}/snapshots/{id}/chunks/{n}",   route_chunk_get },
};

/* Matches @path (split at "/") against @pattern; fills @args with
 * pointers into @parts. */
static gboolean
route_matches (const char  *pattern,
               char       **parts,
               char       **args)
{
  g_auto(GStrv) want = g_strsplit (pattern, "/", -1);
  guint n_args = 0;
  guint i;

  for (i = 0; want[i] != NULL && parts[i] != NULL; i++)
    {
      if (g_str_equal (want[i], "{id}") || g_str_equal (want[i], "{n}"))
        {
          if (g_str_equal (want[i], "{id}") && !stp_is_valid_id (parts[i]))
            return FALSE;
          if (n_args == MAX_ARGS)
            return FALSE;
          args[n_args++] = parts[i];
        }
      else if (!g_str_equal (want[i], parts[i]))
        return FALSE;
    }
  return want[i] == NULL && parts[i] == NULL;
}

/**
 * stp_server_dispatch:
 *
 * Answers @request with @store as the database connection, in the calling
 * thread.  Never touches a socket: the worker pool calls it for every
 * request, and the fuzzer calls it directly.
 */
void
stp_server_dispatch (StpServer      *self,
                     StpRequest     *request,
                     StpServerStore *store)
{
  /* The longest path has 8 segments; a 9th holds the rest of any longer one. */
  g_auto(GStrv) parts = g_strsplit (request->path, "/", 9);
  gboolean path_known = FALSE;

  request->store = store;
  for (guint r = 0; r < G_N_ELEMENTS (routes); r++)
    {
      char *args[MAX_ARGS + 1] = { NULL };

      if (!route_matches (routes[r].pattern, parts, args))
        continue;
      path_known = TRUE;
      if (!g_str_equal (routes[r].method, request->method))
        continue;
      if (g_str_has_prefix (routes[r].pattern, "/v1/centers/{id}"))
        {
          g_free (request->center);   /* a pull run again in the bulk lane */
          request->center = g_strdup (args[0]);
        }
      routes[r].handler (self, request, args);
      request->store = NULL;
      return;
    }
  request->store = NULL;

  if (path_known)
    respond_error (request, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                   _("This method is not allowed here"));
  else
    respond_error (request, SOUP_STATUS_NOT_FOUND, "not_found", _("There is no such address"));
}

/**
 * stp_server_new:
 * @store: the first database connection; the server opens
 *   `config->workers - 1` more to the same database.
 * @certificate: (nullable): none for a server that only dispatches
 *   (the fuzzer).
 */
StpServer *
stp_server_new (StpServerConfig *config,
                StpServerStore  *store,
                GTlsCertificate *certificate)
{
  StpServer *self = g_new0 (StpServer, 1);
  const char *crash = g_getenv ("STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT");
  g_autoptr(GError) error = NULL;

  self->config = config;
  self->store = store;
  g_mutex_init (&self->lock);
  self->enroll_windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->last_touch = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (crash != NULL)
    self->crash_after_push = (guint) g_ascii_strtoull (crash, NULL, 10);

  self->idle_stores = g_async_queue_new ();
  self->own_stores = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_server_store_free);
  g_async_queue_push (self->idle_stores, store);
  /* One connection per thread of both pools, so no worker waits for one. */
  self->n_workers = MAX (config->workers, 1);
  self->n_bulk_workers = MAX (config->workers / 2, 1);
  for (guint opened = 1; opened < self->n_workers + self->n_bulk_workers; opened++)
    {
      StpServerStore *more = stp_server_store_open (config->database, config->state_dir, &error);

      if (more == NULL)
        {
          g_warning ("Serving with %u database connections: another one failed: %s",
                     opened, error->message);
          g_clear_error (&error);
          break;
        }
      g_ptr_array_add (self->own_stores, more);
      g_async_queue_push (self->idle_stores, more);
    }
  self->workers = g_thread_pool_new (stp_server_run_job, self, (int) self->n_workers, FALSE, &error);
  g_assert_no_error (error);   /* only fails for exclusive pools */
  self->bulk_workers = g_thread_pool_new (stp_server_run_bulk_job, self, (int) self->n_bulk_workers, TRUE, &error);
  if (self->bulk_workers == NULL)
    {
      /* No threads to spare: the bulk lane shares the small one. */
      g_warning ("Serving without a separate lane for large replies: %s", error->message);
      g_clear_error (&error);
    }
  self->context = g_main_context_ref_thread_default ();

  self->soup = soup_server_new ("server-header", "stupeni-server/" PACKAGE_VERSION " ",
                                "tls-certificate", certificate,
                                NULL);
  soup_server_add_early_handler (self->soup, NULL, stp_server_handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, stp_server_handle_request, self, NULL);
  return self;
}

guint
stp_server_get_n_workers (StpServer *self)
{
  return self->n_workers;
}

gboolean
stp_server_listen (StpServer  *self,
                   guint       port,
                   guint      *port_out,
                   GError    **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  GSList *uris;

  address = g_inet_socket_address_new_from_string (self->config->listen, port);
  if (address == NULL)
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_CONFIG,
                   _("The listen address “%s” is not an IP address"), self->config->listen);
      return FALSE;
    }
  if (!soup_server_listen (self->soup, address, SOUP_SERVER_LISTEN_HTTPS, error))
    return FALSE;

  uris = soup_server_get_uris (self->soup);
  if (port_out != NULL)
    *port_out = uris != NULL ? (guint) g_uri_get_port (uris->data) : port;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}

void
stp_server_free (StpServer *self)
{
  if (self == NULL)
    return;
  /* Let the workers finish, then send what they answered. */
  g_thread_pool_free (self->workers, FALSE, TRUE);
  if (self->bulk_workers != NULL)
    g_thread_pool_free (self->bulk_workers, FALSE, TRUE);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_main_context_unref (self->context);
  while (g_async_queue_try_pop (self->idle_stores) != NULL)
    ;
  g_async_queue_unref (self->idle_stores);
  g_ptr_array_unref (self->own_stores);
  g_hash_table_destroy (self->enroll_windows);
  g_hash_table_destroy (self->last_touch);
  g_mutex_clear (&self->lock);
  g_free (self);
}
