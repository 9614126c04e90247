#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server.h"

#include "stp-envelope.h"
#include "stp-wrapped-key.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ENVELOPES_PER_PUSH 10000
#define MAX_AGGREGATE_COUNTS   500
#define TOUCH_INTERVAL_MILLIS  60000

/* Requests are handled one at a time on the main loop, each in its own
 * database transaction; several processes may serve one database (the
 * per-center counter row keeps seq order equal to commit order). */
struct _StpServer
{
  StpServerConfig *config;        /* unowned */
  StpServerStore  *store;         /* unowned */
  SoupServer      *soup;
  GHashTable      *enroll_windows; /* remote address -> RateWindow */
  GHashTable      *last_touch;     /* device id -> gint64 millis */
  guint            crash_after_push;
  guint            pushes_committed;
};

typedef struct
{
  gint64 window_start;
  guint  count;
} RateWindow;

static const char *too_large_key = "stp-too-large";

/* Responses */

static void
respond_text (SoupServerMessage *msg,
              guint              status,
              const char        *content_type,
              char              *text)       /* (transfer full) */
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_TAKE, text, strlen (text));
}

static void
respond_node (SoupServerMessage *msg,
              guint              status,
              JsonNode          *node)
{
  respond_text (msg, status, "application/json", stp_json_canonicalize (node));
}

static void
respond_builder (SoupServerMessage *msg,
                 guint              status,
                 JsonBuilder       *builder)
{
  g_autoptr(JsonNode) node = json_builder_get_root (builder);

  respond_node (msg, status, node);
}

static void
respond_error (SoupServerMessage *msg,
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

static void
respond_internal (SoupServerMessage *msg,
                  GError            *error)
{
  g_warning ("Request failed: %s", error->message);
  respond_error (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                 _("The server could not complete the request; try again later"));
}

/* Request helpers */

/* Bounds on request bodies, one per kind of request (docs/PROTOCOL.md,
 * "Limits").  They are checked on the bytes before any JSON is built; the
 * body as a whole is already within max_body_bytes. */
static const StpJsonLimits enroll_limits = {
  .max_bytes = 4096, .max_depth = 2, .max_string = 1024, .max_elements = 8, .max_values = 16,
};
static const StpJsonLimits key_limits = {
  .max_bytes = 16384, .max_depth = 3, .max_string = 4096, .max_elements = 32, .max_values = 64,
};
static const StpJsonLimits aggregate_limits = {
  .max_bytes = 1024 * 1024, .max_depth = 3, .max_string = 4096,
  .max_elements = 2 * MAX_AGGREGATE_COUNTS, .max_values = 4 * MAX_AGGREGATE_COUNTS,
};
static const StpJsonLimits push_limits = {
  .max_bytes = G_MAXSIZE, .max_depth = 4, .max_string = G_MAXSIZE,
  .max_elements = 4 * MAX_ENVELOPES_PER_PUSH, .max_values = 16 * MAX_ENVELOPES_PER_PUSH,
};
static const StpJsonLimits snapshot_limits = {
  .max_bytes = G_MAXSIZE, .max_depth = 2, .max_string = G_MAXSIZE, .max_elements = 16, .max_values = 32,
};

/* A JSON body must say so; a missing Content-Type is accepted only with no
 * body at all (which then fails as empty JSON). */
static gboolean
has_json_content_type (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  if (type == NULL)
    return soup_server_message_get_request_body (msg)->length == 0;
  return g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Returns the parsed body, or NULL after answering 415 or 400. */
static JsonNode *
read_json_body (SoupServerMessage   *msg,
                const StpJsonLimits *limits)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = NULL;
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
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  if (!(node = stp_json_parse_bounded (data, len, limits, &error)))
    respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
  return node;
}

static JsonObject *
expect_object (SoupServerMessage  *msg,
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
static gboolean
authenticate (StpServer         *self,
              SoupServerMessage *msg,
              const char        *center,
              StpServerDevice   *device)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  g_autoptr(GError) error = NULL;
  g_autofree char *token_hash = NULL;
  gint64 now;
  gpointer last;

  if (auth == NULL || g_ascii_strncasecmp (auth, "Bearer ", 7) != 0 || auth[7] == '\0')
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                     _("A device token is required; enroll the device first"));
      return FALSE;
    }

  token_hash = stp_server_hash_secret (auth + 7);
  if (!stp_server_store_find_device (self->store, token_hash, device, &error))
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
  last = g_hash_table_lookup (self->last_touch, device->id);
  if (last == NULL || now - *(gint64 *) last > TOUCH_INTERVAL_MILLIS)
    {
      gint64 *stamp = g_new (gint64, 1);

      *stamp = now;
      g_hash_table_replace (self->last_touch, g_strdup (device->id), stamp);
      if (!stp_server_store_touch_device (self->store, device->id, now, &error))
        g_warning ("Could not record device activity: %s", error->message);
    }

  return TRUE;
}

static gboolean
check_admin (StpServer         *self,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  gboolean ok = FALSE;

  if (auth != NULL && g_ascii_strncasecmp (auth, "Basic ", 6) == 0 &&
      self->config->admin_password_hash[0] != '\0')
    {
      gsize len = 0;
      g_autofree char *decoded = (char *) g_base64_decode (auth + 6, &len);
      g_autofree char *text = g_strndup (decoded, len);
      const char *colon = strchr (text, ':');

      if (colon != NULL)
        ok = crypto_pwhash_str_verify (self->config->admin_password_hash,
                                       colon + 1, strlen (colon + 1)) == 0;
    }

  if (!ok)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Basic realm=\"Stupeni\", charset=\"UTF-8\"");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                     _("The administrator password is required"));
    }
  return ok;
}

/* GET /v1/info */

static void
handle_info (StpServer         *self,
             SoupServerMessage *msg)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *base = NULL;
  g_autofree char *stamp = NULL;
  gint64 millis = stp_server_now_millis ();

  now = g_date_time_new_from_unix_utc (millis / 1000);
  base = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  stamp = g_strdup_printf ("%s.%03dZ", base, (int) (millis % 1000));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "protocol");
  json_builder_add_int_value (builder, STP_PROTOCOL_VERSION);
  json_builder_set_member_name (builder, "server_time");
  json_builder_add_string_value (builder, stamp);
  json_builder_set_member_name (builder, "server_millis");
  json_builder_add_int_value (builder, millis);
  json_builder_set_member_name (builder, "max_body_bytes");
  json_builder_add_int_value (builder, (gint64) self->config->max_body_bytes);
  json_builder_set_member_name (builder, "max_pull_limit");
  json_builder_add_int_value (builder, self->config->max_pull_limit);
  json_builder_set_member_name (builder, "max_snapshot_bytes");
  json_builder_add_int_value (builder, self->config->max_snapshot_bytes);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* POST /v1/enroll */

static gboolean
enroll_allowed (StpServer         *self,
                SoupServerMessage *msg)
{
  const char *address = soup_server_message_get_remote_host (msg);
  gint64 now = stp_server_now_millis ();
  RateWindow *window;

  if (address == NULL)
    address = "";

  /* Forget finished windows now and then, so that many addresses cannot
   * grow the table without bound. */
  if (g_hash_table_size (self->enroll_windows) > 4096)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->enroll_windows);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        if (now - ((RateWindow *) value)->window_start >= 60000)
          g_hash_table_iter_remove (&iter);
    }

  window = g_hash_table_lookup (self->enroll_windows, address);
  if (window == NULL)
    {
      window = g_new0 (RateWindow, 1);
      g_hash_table_insert (self->enroll_windows, g_strdup (address), window);
    }
  if (now - window->window_start >= 60000)
    {
      window->window_start = now;
      window->count = 0;
    }
  window->count++;
  return window->count <= self->config->enroll_attempts_per_minute;
}

static void
handle_enroll (StpServer         *self,
               SoupServerMessage *msg)
{
  static const char * const members[] = { "code", "device_name", NULL };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *code_hash = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *token_hash = NULL;
  g_autofree char *center = NULL;
  g_autofree char *center_name = NULL;
  g_autofree char *key = NULL;
  char token[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  guint8 token_bytes[32];
  StpServerEnrollStatus status;
  gint64 device_number = 0;
  JsonObject *object;
  const char *code, *device_name;

  if (!enroll_allowed (self, msg))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "60");
      respond_error (msg, 429 /* Too Many Requests */, "rate_limited",
                     _("Too many enrollment attempts; wait a minute and try again"));
      return;
    }

  if (!(node = read_json_body (msg, &enroll_limits)))
    return;
  if (!(object = expect_object (msg, node, members)))
    return;
  if (!(code = stp_json_get_string (object, "code", 64, &error)) ||
      !(device_name = stp_json_get_string (object, "device_name", 200, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }
  if (device_name[0] == '\0')
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", _("The device name is empty"));
      return;
    }

  normalized = stp_server_normalize_code (code);
  code_hash = stp_server_hash_secret (normalized);
  device_id = g_uuid_string_random ();
  randombytes_buf (token_bytes, sizeof token_bytes);
  sodium_bin2base64 (token, sizeof token, token_bytes, sizeof token_bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  token_hash = stp_server_hash_secret (token);

  if (!stp_server_store_enroll (self->store, code_hash, stp_server_now_millis (), device_id,
                                device_name, token_hash, &status, &center, &device_number,
                                &error))
    {
      respond_internal (msg, error);
      return;
    }

  switch (status)
    {
    case STP_SERVER_ENROLL_UNKNOWN_CODE:
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "invalid_code",
                     _("The enrollment code is not known; check it or ask the administrator for a new one"));
      return;
    case STP_SERVER_ENROLL_USED_CODE:
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "code_used",
                     _("The enrollment code was already used; ask the administrator for a new one"));
      return;
    case STP_SERVER_ENROLL_EXPIRED_CODE:
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "code_expired",
                     _("The enrollment code has expired; ask the administrator for a new one"));
      return;
    case STP_SERVER_ENROLL_OK:
    default:
      break;
    }

  if (!stp_server_store_get_center (self->store, center, &center_name, &key, &error))
    {
      respond_internal (msg, error);
      return;
    }

  g_info ("Enrolled a device for center %s", center);

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "center");
  json_builder_add_string_value (builder, center);
  json_builder_set_member_name (builder, "center_name");
  json_builder_add_string_value (builder, center_name);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, device_id);
  json_builder_set_member_name (builder, "device_number");
  json_builder_add_int_value (builder, device_number);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "key");
  if (key != NULL)
    json_builder_add_value (builder, json_from_string (key, NULL));
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
  sodium_memzero (token, sizeof token);
}

/* PUT and GET /v1/centers/{c}/key */

static void
handle_key (StpServer         *self,
            SoupServerMessage *msg,
            const char        *center,
            const char        *method)
{
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpWrappedKey) wrapped = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *canonical = NULL;
  gboolean was_set = FALSE;

  if (!authenticate (self, msg, center, &device))
    return;

  if (g_str_equal (method, SOUP_METHOD_GET))
    {
      g_autofree char *key = NULL;

      if (!stp_server_store_get_center (self->store, center, NULL, &key, &error))
        {
          respond_internal (msg, error);
          return;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "key");
      if (key != NULL)
        json_builder_add_value (builder, json_from_string (key, NULL));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      respond_builder (msg, SOUP_STATUS_OK, builder);
      return;
    }

  if (!(node = read_json_body (msg, &key_limits)))
    return;
  if (!(wrapped = stp_wrapped_key_from_json_node (node, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }

  canonical = stp_wrapped_key_to_json (wrapped);
  if (!stp_server_store_set_key (self->store, center, canonical, &was_set, &error))
    {
      respond_internal (msg, error);
      return;
    }
  if (!was_set)
    {
      respond_error (msg, SOUP_STATUS_CONFLICT, "key_exists",
                     _("The center key is already set; unwrap the existing key with the center passphrase"));
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "key_id");
  json_builder_add_string_value (builder, wrapped->key_id);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* POST /v1/centers/{c}/push */

static void
add_result_error (JsonBuilder *builder,
                  const char  *msg_id,
                  const char  *code,
                  const char  *message)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "msg_id");
  if (msg_id != NULL)
    json_builder_add_string_value (builder, msg_id);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  if (message != NULL)
    {
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, message);
    }
  json_builder_end_object (builder);
}

static void
handle_push (StpServer         *self,
             SoupServerMessage *msg,
             const char        *center)
{
  static const char * const members[] = { "envelopes", NULL };
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(GPtrArray) envelopes = NULL;
  g_autoptr(GPtrArray) bodies = NULL;
  g_autoptr(GArray) items = NULL;
  g_autofree int *item_of = NULL;        /* input index -> items index, or -1 */
  g_autofree const char **codes = NULL;  /* input index -> error code */
  JsonObject *object;
  JsonNode *list;
  JsonArray *array;
  guint n;
  gint64 now = stp_server_now_millis ();

  if (!authenticate (self, msg, center, &device))
    return;

  if (!(node = read_json_body (msg, &push_limits)))
    return;
  if (!(object = expect_object (msg, node, members)))
    return;
  list = json_object_get_member (object, "envelopes");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("The field “envelopes” must be an array"));
      return;
    }
  array = json_node_get_array (list);
  n = json_array_get_length (array);
  if (n > MAX_ENVELOPES_PER_PUSH)
    {
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_many_envelopes",
                     _("Too many envelopes in one push; send smaller batches"));
      return;
    }

  envelopes = g_ptr_array_new_full (n, (GDestroyNotify) stp_envelope_free);
  bodies = g_ptr_array_new_full (n, g_free);
  items = g_array_sized_new (FALSE, TRUE, sizeof (StpServerPushItem), n);
  item_of = g_new (int, n + 1);
  codes = g_new0 (const char *, n + 1);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) local_error = NULL;
      StpEnvelope *envelope;
      StpServerPushItem item = { 0 };

      item_of[i] = -1;
      envelope = stp_envelope_from_json_node (json_array_get_element (array, i), &local_error);
      g_ptr_array_add (envelopes, envelope);
      if (envelope == NULL)
        codes[i] = "invalid";
      else if (g_strcmp0 (envelope->center, center) != 0)
        codes[i] = "center_mismatch";
      else if (g_strcmp0 (envelope->device, device.id) != 0)
        codes[i] = "device_mismatch";
      else if (STP_HLC_MILLIS (envelope->hlc) > (guint64) (now + STP_SERVER_MAX_FUTURE_MILLIS))
        codes[i] = "hlc_in_future";
      if (codes[i] != NULL)
        continue;

      item.msg_id = envelope->msg_id;
      item.device = envelope->device;
      item.hlc = (gint64) envelope->hlc;
      item.schema = envelope->schema;
      item.key_id = envelope->key_id;
      item.body = stp_envelope_to_json (envelope);
      g_ptr_array_add (bodies, (char *) item.body);
      item_of[i] = (int) items->len;
      g_array_append_val (items, item);
    }

  if (items->len > 0)
    {
      if (!stp_server_store_push (self->store, center, (StpServerPushItem *) (void *) items->data,
                                  items->len, now, &error))
        {
          respond_internal (msg, error);
          return;
        }

      /* Test hook, see docs/PROTOCOL.md: STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT=N
       * makes the server die after committing its N-th push and before
       * replying, so the sync tests can check that a lost reply is harmless. */
      self->pushes_committed++;
      if (self->crash_after_push > 0 && self->pushes_committed == self->crash_after_push)
        _exit (9);
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      StpEnvelope *envelope = g_ptr_array_index (envelopes, i);

      if (item_of[i] < 0)
        {
          const char *msg_id = envelope != NULL ? envelope->msg_id : NULL;
          JsonNode *element = json_array_get_element (array, i);

          /* An unparsable envelope still gets its msg_id echoed when readable. */
          if (msg_id == NULL && JSON_NODE_HOLDS_OBJECT (element))
            {
              JsonNode *id = json_object_get_member (json_node_get_object (element), "msg_id");

              if (id != NULL && JSON_NODE_HOLDS_VALUE (id) &&
                  json_node_get_value_type (id) == G_TYPE_STRING &&
                  strlen (json_node_get_string (id)) <= STP_ENVELOPE_MAX_ID_LEN)
                msg_id = json_node_get_string (id);
            }
          add_result_error (builder, msg_id, codes[i], NULL);
        }
      else
        {
          StpServerPushItem *item = &g_array_index (items, StpServerPushItem, item_of[i]);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "msg_id");
          json_builder_add_string_value (builder, item->msg_id);
          json_builder_set_member_name (builder, "seq");
          json_builder_add_int_value (builder, item->seq);
          json_builder_end_object (builder);
        }
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* GET /v1/centers/{c}/pull */

static gboolean
parse_query_int (GHashTable *query,
                 const char *name,
                 gint64      fallback,
                 gint64     *value)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;
  guint64 parsed;

  if (text == NULL)
    {
      *value = fallback;
      return TRUE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &parsed, NULL))
    return FALSE;
  *value = (gint64) parsed;
  return TRUE;
}

static void
handle_pull (StpServer         *self,
             SoupServerMessage *msg,
             const char        *center,
             GHashTable        *query)
{
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(StpServerResult) rows = NULL;
  g_autoptr(GError) error = NULL;
  GString *out;
  gint64 after, limit, last_seq;
  gboolean more;
  guint shown;

  if (!authenticate (self, msg, center, &device))
    return;

  if (!parse_query_int (query, "after", 0, &after) ||
      !parse_query_int (query, "limit", STP_SERVER_DEFAULT_PULL_LIMIT, &limit) ||
      limit < 1)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("after and limit must be non-negative integers and limit at least 1"));
      return;
    }
  limit = MIN (limit, (gint64) self->config->max_pull_limit);

  /* One row more than asked tells whether there is more. */
  rows = stp_server_store_pull (self->store, center, after, (guint) limit + 1, &error);
  if (rows == NULL)
    {
      respond_internal (msg, error);
      return;
    }
  more = rows->n_rows > (guint) limit;
  shown = MIN (rows->n_rows, (guint) limit);
  last_seq = after;

  /* The stored bodies are canonical JSON written by this server, so they
   * are spliced in as they are rather than parsed again. */
  out = g_string_new ("{\"envelopes\":[");
  for (guint i = 0; i < shown; i++)
    {
      const char *seq = stp_server_result_get (rows, i, 0);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_printf (out, "{\"envelope\":%s,\"seq\":%s}",
                              stp_server_result_get (rows, i, 1), seq);
      last_seq = g_ascii_strtoll (seq, NULL, 10);
    }
  g_string_append_printf (out, "],\"last_seq\":%" G_GINT64_FORMAT ",\"more\":%s}",
                          last_seq, more ? "true" : "false");
  respond_text (msg, SOUP_STATUS_OK, "application/json", g_string_free (out, FALSE));
}

/* POST /v1/centers/{c}/aggregates */

static gboolean
is_valid_date (const char *text)
{
  guint64 y, m, d;
  g_auto(GStrv) parts = NULL;

  if (strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  parts = g_strsplit (text, "-", 3);
  return g_ascii_string_to_unsigned (parts[0], 10, 1, 9999, &y, NULL) &&
         g_ascii_string_to_unsigned (parts[1], 10, 1, 12, &m, NULL) &&
         g_ascii_string_to_unsigned (parts[2], 10, 1, 31, &d, NULL) &&
         g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

static void
handle_aggregates (StpServer         *self,
                   SoupServerMessage *msg,
                   const char        *center)
{
  static const char * const members[] = { "period_from", "period_to", "generated_at", "counts", NULL };
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) names = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autofree char *body = NULL;
  JsonObject *object, *counts;
  JsonNode *counts_node;
  const char *from, *to, *generated;

  if (!authenticate (self, msg, center, &device))
    return;

  if (!(node = read_json_body (msg, &aggregate_limits)))
    return;
  if (!(object = expect_object (msg, node, members)))
    return;
  if (!(from = stp_json_get_string (object, "period_from", 10, &error)) ||
      !(to = stp_json_get_string (object, "period_to", 10, &error)) ||
      !(generated = stp_json_get_string (object, "generated_at", 40, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }
  if (!is_valid_date (from) || !is_valid_date (to) || strcmp (from, to) > 0)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("period_from and period_to must be dates YYYY-MM-DD, in order"));
      return;
    }

  counts_node = json_object_get_member (object, "counts");
  if (counts_node == NULL || !JSON_NODE_HOLDS_OBJECT (counts_node))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("The field “counts” must be an object of integers"));
      return;
    }
  counts = json_node_get_object (counts_node);
  names = json_object_get_members (counts);
  if (g_list_length (names) > MAX_AGGREGATE_COUNTS)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", _("Too many counts"));
      return;
    }
  for (GList *l = names; l != NULL; l = l->next)
    {
      gint64 value;

      if (!stp_is_valid_id (l->data) ||
          !stp_json_get_int (counts, l->data, 0, G_MAXINT32, &value, &error))
        {
          g_clear_error (&error);
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                         _("Each count must have a short name of letters, digits, “_”, “-” or “.” "
                           "and a non-negative integer value"));
          return;
        }
    }

  body = stp_json_canonicalize (node);
  if (!stp_server_store_add_aggregate (self->store, center, from, to,
                                       stp_server_now_millis (), body, &error))
    {
      respond_internal (msg, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "stored");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* Snapshots: /v1/centers/{c}/snapshots/…
 *
 * A snapshot is a device's whole database, compressed and sealed by the
 * device; the server keeps its chunks and manifest as the base64 text it
 * received and never looks inside. */

static JsonObject *
read_object (SoupServerMessage  *msg,
             const char * const *members,
             JsonNode          **node_out)
{
  if (!(*node_out = read_json_body (msg, &snapshot_limits)))
    return NULL;
  return expect_object (msg, *node_out, members);
}

/* Reads a base64 member: canonical form only and not empty, since anything
 * sealed has at least its tag.  Returns the decoded size, or -1 after
 * answering 400. */
static gint64
read_base64_member (SoupServerMessage *msg,
                    JsonObject        *object,
                    const char        *name,
                    gsize              max_chars)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) decoded = NULL;
  const char *text;

  if (!(text = stp_json_get_string (object, name, max_chars, &error)) ||
      !(decoded = stp_base64_decode (text, max_chars, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return -1;
    }
  if (g_bytes_get_size (decoded) == 0)
    {
      g_autofree char *message = g_strdup_printf (_("The field “%s” is empty"), name);

      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", message);
      return -1;
    }
  return (gint64) g_bytes_get_size (decoded);
}

/* Chunk numbers in paths are plain decimal: no sign and no leading zero, so
 * that each chunk has exactly one address. */
static gboolean
parse_chunk_number (SoupServerMessage *msg,
                    const char        *text,
                    gint64            *n)
{
  guint64 value;
  gboolean ok = text[0] != '\0' && (text[0] != '0' || text[1] == '\0');

  for (const char *p = text; ok && *p != '\0'; p++)
    ok = g_ascii_isdigit (*p);
  if (ok)
    ok = g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT32, &value, NULL);
  if (!ok)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("The chunk number must be a decimal number without sign or leading zeros"));
      return FALSE;
    }
  *n = (gint64) value;
  return TRUE;
}

/* Answers the errors the snapshot operations share; returns FALSE for
 * STP_SERVER_SNAPSHOT_OK and STP_SERVER_SNAPSHOT_CREATED. */
static gboolean
respond_snapshot_status (SoupServerMessage       *msg,
                         StpServerSnapshotStatus  status)
{
  switch (status)
    {
    case STP_SERVER_SNAPSHOT_OK:
    case STP_SERVER_SNAPSHOT_CREATED:
      return FALSE;
    case STP_SERVER_SNAPSHOT_CONFLICT:
      respond_error (msg, SOUP_STATUS_CONFLICT, "conflict",
                     _("A snapshot with this id already exists with other values; "
                       "upload the snapshot under a new id"));
      break;
    case STP_SERVER_SNAPSHOT_SEQ_BEYOND_HEAD:
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("The snapshot's seq is beyond the end of the center's log; "
                       "pull and push first"));
      break;
    case STP_SERVER_SNAPSHOT_NOT_FOUND:
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                     _("There is no such snapshot; it may have been removed as too old"));
      break;
    case STP_SERVER_SNAPSHOT_OTHER_DEVICE:
      respond_error (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                     _("Only the device that created the snapshot may change it"));
      break;
    case STP_SERVER_SNAPSHOT_COMMITTED:
      respond_error (msg, SOUP_STATUS_CONFLICT, "conflict",
                     _("The snapshot is already committed and cannot change"));
      break;
    case STP_SERVER_SNAPSHOT_BAD_INDEX:
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("The chunk number must be below the snapshot's number of chunks"));
      break;
    case STP_SERVER_SNAPSHOT_TOO_LARGE:
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("The chunks are larger than the size given when the snapshot was created"));
      break;
    case STP_SERVER_SNAPSHOT_INCOMPLETE:
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static void
respond_snapshot_id (SoupServerMessage *msg,
                     guint              status,
                     const char        *id,
                     gint64             seq)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, seq);
  json_builder_end_object (builder);
  respond_builder (msg, status, builder);
}

/* POST /v1/centers/{c}/snapshots */
static void
handle_snapshot_create (StpServer         *self,
                        SoupServerMessage *msg,
                        const char        *center)
{
  static const char * const members[] = { "id", "seq", "chunks", "bytes", "manifest", NULL };
  g_auto(StpServerDevice) device = { 0 };
  g_auto(StpServerSnapshot) snapshot = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  StpServerSnapshotStatus status;
  JsonObject *object;
  const char *id;

  if (!authenticate (self, msg, center, &device))
    return;

  if (!(object = read_object (msg, members, &node)))
    return;
  if (!(id = stp_json_get_string (object, "id", STP_ENVELOPE_MAX_ID_LEN, &error)) ||
      !stp_json_get_int (object, "seq", 0, G_MAXINT64, &snapshot.seq, &error) ||
      !stp_json_get_int (object, "chunks", 1, STP_SERVER_MAX_SNAPSHOT_CHUNKS,
                         &snapshot.chunks, &error) ||
      !stp_json_get_int (object, "bytes", 1, self->config->max_snapshot_bytes,
                         &snapshot.bytes, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }
  if (!stp_is_valid_id (id))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("The snapshot id must be 1 to 64 letters, digits, “.”, “_” or “-”"));
      return;
    }
  if (read_base64_member (msg, object, "manifest", STP_SERVER_MAX_MANIFEST_CHARS) < 0)
    return;

  snapshot.id = g_strdup (id);
  snapshot.device = g_strdup (device.id);
  snapshot.manifest = g_strdup (json_object_get_string_member (object, "manifest"));
  if (!stp_server_store_create_snapshot (self->store, center, &snapshot, stp_server_now_millis (),
                                         &status, &error))
    {
      respond_internal (msg, error);
      return;
    }
  if (respond_snapshot_status (msg, status))
    return;

  if (status == STP_SERVER_SNAPSHOT_CREATED)
    g_info ("Snapshot %s of center %s begun: seq %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
            " chunks, %" G_GINT64_FORMAT " bytes", snapshot.id, center, snapshot.seq,
            snapshot.chunks, snapshot.bytes);
  respond_snapshot_id (msg, status == STP_SERVER_SNAPSHOT_CREATED ? SOUP_STATUS_CREATED : SOUP_STATUS_OK,
                       snapshot.id, snapshot.seq);
}

/* POST /v1/centers/{c}/snapshots/{id}/chunks/{n} */
static void
handle_snapshot_put_chunk (StpServer         *self,
                           SoupServerMessage *msg,
                           const char        *center,
                           const char        *id,
                           const char        *n_text)
{
  static const char * const members[] = { "ct", NULL };
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  StpServerSnapshotStatus status;
  JsonObject *object;
  gint64 n, size;

  if (!authenticate (self, msg, center, &device))
    return;
  if (!parse_chunk_number (msg, n_text, &n))
    return;
  if (!(object = read_object (msg, members, &node)))
    return;
  if ((size = read_base64_member (msg, object, "ct", self->config->max_body_bytes)) < 0)
    return;

  if (!stp_server_store_put_snapshot_chunk (self->store, center, id, device.id, n, size,
                                            json_object_get_string_member (object, "ct"),
                                            &status, &error))
    {
      respond_internal (msg, error);
      return;
    }
  if (respond_snapshot_status (msg, status))
    return;

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "n");
  json_builder_add_int_value (builder, n);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* POST /v1/centers/{c}/snapshots/{id}/commit */
static void
handle_snapshot_commit (StpServer         *self,
                        SoupServerMessage *msg,
                        const char        *center,
                        const char        *id)
{
  static const char * const members[] = { NULL };
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  StpServerSnapshotStatus status;
  gint64 seq = 0, missing = 0;

  if (!authenticate (self, msg, center, &device))
    return;
  if (!read_object (msg, members, &node))
    return;

  if (!stp_server_store_commit_snapshot (self->store, center, id, device.id,
                                         stp_server_now_millis (), &status, &seq, &missing,
                                         &error))
    {
      respond_internal (msg, error);
      return;
    }
  if (status == STP_SERVER_SNAPSHOT_INCOMPLETE)
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, missing);
      g_autofree char *message = g_strdup_printf (_("Chunks missing from the snapshot: %s; "
                                                    "upload them, then commit again"), count);

      respond_error (msg, SOUP_STATUS_CONFLICT, "conflict", message);
      return;
    }
  if (respond_snapshot_status (msg, status))
    return;

  g_info ("Snapshot %s of center %s committed at seq %" G_GINT64_FORMAT, id, center, seq);
  respond_snapshot_id (msg, SOUP_STATUS_OK, id, seq);
}

/* GET /v1/centers/{c}/snapshots/latest */
static void
handle_snapshot_latest (StpServer         *self,
                        SoupServerMessage *msg,
                        const char        *center)
{
  g_auto(StpServerDevice) device = { 0 };
  g_auto(StpServerSnapshot) snapshot = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 head = 0, log_bytes_after = 0;

  if (!authenticate (self, msg, center, &device))
    return;

  if (!stp_server_store_latest_snapshot (self->store, center, &snapshot, &head,
                                         &log_bytes_after, &error))
    {
      respond_internal (msg, error);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "snapshot");
  if (snapshot.id == NULL)
    json_builder_add_null_value (builder);
  else
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, snapshot.id);
      json_builder_set_member_name (builder, "seq");
      json_builder_add_int_value (builder, snapshot.seq);
      json_builder_set_member_name (builder, "chunks");
      json_builder_add_int_value (builder, snapshot.chunks);
      json_builder_set_member_name (builder, "bytes");
      json_builder_add_int_value (builder, snapshot.bytes);
      json_builder_set_member_name (builder, "manifest");
      json_builder_add_string_value (builder, snapshot.manifest);
      json_builder_set_member_name (builder, "device");
      json_builder_add_string_value (builder, snapshot.device);
      json_builder_set_member_name (builder, "created_at");
      json_builder_add_int_value (builder, snapshot.created_at);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "head");
  json_builder_add_int_value (builder, head);
  json_builder_set_member_name (builder, "log_bytes_after");
  json_builder_add_int_value (builder, log_bytes_after);
  json_builder_end_object (builder);
  respond_builder (msg, SOUP_STATUS_OK, builder);
}

/* GET /v1/centers/{c}/snapshots/{id}/chunks/{n} */
static void
handle_snapshot_get_chunk (StpServer         *self,
                           SoupServerMessage *msg,
                           const char        *center,
                           const char        *id,
                           const char        *n_text)
{
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  gint64 n;

  if (!authenticate (self, msg, center, &device))
    return;
  if (!parse_chunk_number (msg, n_text, &n))
    return;

  if (!(body = stp_server_store_get_snapshot_chunk (self->store, center, id, n, &error)))
    {
      if (g_error_matches (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND))
        respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found",
                       _("There is no such chunk of a committed snapshot"));
      else
        respond_internal (msg, error);
      return;
    }

  /* The body is canonical base64 checked on upload, so it needs no
   * escaping and is spliced in rather than copied through a JSON tree. */
  respond_text (msg, SOUP_STATUS_OK, "application/json", g_strconcat ("{\"ct\":\"", body, "\"}", NULL));
}

/* GET /admin/summary and /admin/summary.csv */

typedef struct
{
  char       *center;
  char       *name;
  char       *period_from;
  char       *period_to;
  JsonObject *counts;
} SummaryRow;

static void
summary_row_free (SummaryRow *row)
{
  g_free (row->center);
  g_free (row->name);
  g_free (row->period_from);
  g_free (row->period_to);
  g_clear_pointer (&row->counts, json_object_unref);
  g_free (row);
}

/* Counts under 5 could point at a person, so they are shown as «<5».
 * Totals add the exact values, and a total under 5 is hidden the same way. */
static char *
format_count (gint64 value)
{
  if (value < 5)
    return g_strdup ("<5");
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
load_summary (StpServer   *self,
              GPtrArray  **rows_out,
              GPtrArray  **keys_out,
              GHashTable **totals_out,
              GError     **error)
{
  g_autoptr(StpServerResult) result = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_row_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *previous = NULL;

  if (!(result = stp_server_store_aggregates (self->store, error)))
    return FALSE;

  for (guint i = 0; i < result->n_rows; i++)
    {
      const char *center = stp_server_result_get (result, i, 0);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GList) names = NULL;
      SummaryRow *row;
      JsonNode *counts;

      if (g_strcmp0 (center, previous) == 0)
        continue;            /* an older report of the same center */
      previous = center;

      node = json_from_string (stp_server_result_get (result, i, 5), NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      counts = json_object_get_member (json_node_get_object (node), "counts");
      if (counts == NULL || !JSON_NODE_HOLDS_OBJECT (counts))
        continue;

      row = g_new0 (SummaryRow, 1);
      row->center = g_strdup (center);
      row->name = g_strdup (stp_server_result_get (result, i, 1));
      row->period_from = g_strdup (stp_server_result_get (result, i, 2));
      row->period_to = g_strdup (stp_server_result_get (result, i, 3));
      row->counts = json_object_ref (json_node_get_object (counts));
      g_ptr_array_add (rows, row);

      names = json_object_get_members (row->counts);
      for (GList *l = names; l != NULL; l = l->next)
        {
          gint64 *total = g_hash_table_lookup (totals, l->data);

          if (total == NULL)
            {
              total = g_new0 (gint64, 1);
              g_hash_table_insert (totals, g_strdup (l->data), total);
              g_ptr_array_add (keys, g_strdup (l->data));
            }
          *total += json_object_get_int_member (row->counts, l->data);
        }
    }

  g_ptr_array_sort (keys, compare_keys);
  *rows_out = g_steal_pointer (&rows);
  *keys_out = g_steal_pointer (&keys);
  *totals_out = g_steal_pointer (&totals);
  return TRUE;
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (strpbrk (text, ";\"\r\n") != NULL)
    {
      g_autofree char *escaped = NULL;
      g_auto(GStrv) parts = g_strsplit (text, "\"", -1);

      escaped = g_strjoinv ("\"\"", parts);
      g_string_append_printf (out, "\"%s\"", escaped);
    }
  else
    g_string_append (out, text);
}

static void
handle_summary (StpServer         *self,
                SoupServerMessage *msg,
                gboolean           csv)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GHashTable) totals = NULL;
  g_autoptr(GError) error = NULL;
  GString *out;

  if (!check_admin (self, msg))
    return;

  if (!load_summary (self, &rows, &keys, &totals, &error))
    {
      respond_internal (msg, error);
      return;
    }

  if (csv)
    {
      /* UTF-8 with a byte order mark, so that spreadsheets read it right. */
      out = g_string_new ("\xEF\xBB\xBF");
      csv_field (out, C_("summary", "Center"));
      g_string_append_c (out, ';');
      csv_field (out, C_("summary", "Period from"));
      g_string_append_c (out, ';');
      csv_field (out, C_("summary", "Period to"));
      for (guint k = 0; k < keys->len; k++)
        {
          g_string_append_c (out, ';');
          csv_field (out, g_ptr_array_index (keys, k));
        }
      g_string_append (out, "\r\n");

      for (guint r = 0; r < rows->len; r++)
        {
          SummaryRow *row = g_ptr_array_index (rows, r);

          csv_field (out, row->name);
          g_string_append_printf (out, ";%s;%s", row->period_from, row->period_to);
          for (guint k = 0; k < keys->len; k++)
            {
              const char *key = g_ptr_array_index (keys, k);
              g_autofree char *value = NULL;

              g_string_append_c (out, ';');
              if (json_object_has_member (row->counts, key))
                {
                  value = format_count (json_object_get_int_member (row->counts, key));
                  g_string_append (out, value);
                }
            }
          g_string_append (out, "\r\n");
        }

      csv_field (out, C_("summary", "Total"));
      g_string_append (out, ";;");
      for (guint k = 0; k < keys->len; k++)
        {
          g_autofree char *value = format_count (*(gint64 *) g_hash_table_lookup (totals, g_ptr_array_index (keys, k)));

          g_string_append_printf (out, ";%s", value);
        }
      g_string_append (out, "\r\n");

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Content-Disposition",
                                    "attachment; filename=\"summary.csv\"");
      respond_text (msg, SOUP_STATUS_OK, "text/csv; charset=utf-8", g_string_free (out, FALSE));
      return;
    }

  out = g_string_new ("<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">");
  g_string_append_printf (out, "<title>%s</title>", C_("summary", "Regional summary"));
  g_string_append (out, "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
                        "td,th{border:1px solid #999;padding:4px 8px}td.n{text-align:right}"
                        "</style></head><body>");
  g_string_append_printf (out, "<h1>%s</h1>", C_("summary", "Regional summary"));
  {
    g_autofree char *note = g_markup_printf_escaped ("<p>%s</p>",
                                                     C_("summary", "The latest report of each center. "
                                                        "Counts under 5 are shown as «<5» so that "
                                                        "no person can be recognized."));
    g_string_append (out, note);
  }
  if (rows->len == 0)
    g_string_append_printf (out, "<p>%s</p>", C_("summary", "No center has sent a report yet."));

  g_string_append_printf (out, "<table><thead><tr><th>%s</th><th>%s</th>",
                          C_("summary", "Center"), C_("summary", "Period"));
  for (guint k = 0; k < keys->len; k++)
    {
      g_autofree char *key = g_markup_escape_text (g_ptr_array_index (keys, k), -1);
      g_string_append_printf (out, "<th>%s</th>", key);
    }
  g_string_append (out, "</tr></thead><tbody>");

  for (guint r = 0; r < rows->len; r++)
    {
      SummaryRow *row = g_ptr_array_index (rows, r);
      g_autofree char *name = g_markup_escape_text (row->name, -1);

      g_string_append_printf (out, "<tr><td>%s</td><td>%s – %s</td>",
                              name, row->period_from, row->period_to);
      for (guint k = 0; k < keys->len; k++)
        {
          const char *key = g_ptr_array_index (keys, k);
          g_autofree char *value = NULL;

          if (json_object_has_member (row->counts, key))
            {
              g_autofree char *raw = format_count (json_object_get_int_member (row->counts, key));
              value = g_markup_escape_text (raw, -1);
            }
          g_string_append_printf (out, "<td class=\"n\">%s</td>", value != NULL ? value : "");
        }
      g_string_append (out, "</tr>");
    }

  g_string_append_printf (out, "</tbody><tfoot><tr><th>%s</th><th></th>", C_("summary", "Total"));
  for (guint k = 0; k < keys->len; k++)
    {
      g_autofree char *raw = format_count (*(gint64 *) g_hash_table_lookup (totals, g_ptr_array_index (keys, k)));
      g_autofree char *value = g_markup_escape_text (raw, -1);

      g_string_append_printf (out, "<th class=\"n\">%s</th>", value);
    }
  g_string_append (out, "</tr></tfoot></table></body></html>\n");

  respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", g_string_free (out, FALSE));
}

/* Routing */

static void
handle_request (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  StpServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  guint n_parts;

  if (g_object_get_data (G_OBJECT (msg), too_large_key) != NULL)
    {
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                     _("The request is larger than the server accepts; send smaller batches"));
      return;
    }

  {
    SoupMessageBody *body = soup_server_message_get_request_body (msg);

    if (body->length > (goffset) self->config->max_body_bytes)
      {
        respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                       _("The request is larger than the server accepts; send smaller batches"));
        return;
      }
  }

  /* "/v1/centers/C/push" -> "", "v1", "centers", "C", "push"; the longest
   * path, "/v1/centers/C/snapshots/S/chunks/N", has 8 parts, and a 9th
   * holds the rest of any longer one. */
  parts = g_strsplit (path, "/", 9);
  n_parts = g_strv_length (parts);

  if (g_str_equal (path, "/v1/info"))
    {
      if (g_str_equal (method, SOUP_METHOD_GET))
        {
          handle_info (self, msg);
          return;
        }
    }
  else if (g_str_equal (path, "/v1/enroll"))
    {
      if (g_str_equal (method, SOUP_METHOD_POST))
        {
          handle_enroll (self, msg);
          return;
        }
    }
  else if (g_str_equal (path, "/admin/summary"))
    {
      if (g_str_equal (method, SOUP_METHOD_GET))
        {
          handle_summary (self, msg, FALSE);
          return;
        }
    }
  else if (g_str_equal (path, "/admin/summary.csv"))
    {
      if (g_str_equal (method, SOUP_METHOD_GET))
        {
          handle_summary (self, msg, TRUE);
          return;
        }
    }
  else if (n_parts == 5 && g_str_equal (parts[1], "v1") && g_str_equal (parts[2], "centers") &&
           stp_is_valid_id (parts[3]))
    {
      const char *center = parts[3];
      const char *action = parts[4];

      if (g_str_equal (action, "push"))
        {
          if (g_str_equal (method, SOUP_METHOD_POST))
            {
              handle_push (self, msg, center);
              return;
            }
        }
      else if (g_str_equal (action, "pull"))
        {
          if (g_str_equal (method, SOUP_METHOD_GET))
            {
              handle_pull (self, msg, center, query);
              return;
            }
        }
      else if (g_str_equal (action, "key"))
        {
          if (g_str_equal (method, SOUP_METHOD_GET) || g_str_equal (method, SOUP_METHOD_PUT))
            {
              handle_key (self, msg, center, method);
              return;
            }
        }
      else if (g_str_equal (action, "aggregates"))
        {
          if (g_str_equal (method, SOUP_METHOD_POST))
            {
              handle_aggregates (self, msg, center);
              return;
            }
        }
      else if (g_str_equal (action, "snapshots"))
        {
          if (g_str_equal (method, SOUP_METHOD_POST))
            {
              handle_snapshot_create (self, msg, center);
              return;
            }
        }
      else
        goto not_found;
    }
  else if (n_parts == 6 && g_str_equal (parts[1], "v1") && g_str_equal (parts[2], "centers") &&
           stp_is_valid_id (parts[3]) && g_str_equal (parts[4], "snapshots") &&
           g_str_equal (parts[5], "latest"))
    {
      if (g_str_equal (method, SOUP_METHOD_GET))
        {
          handle_snapshot_latest (self, msg, parts[3]);
          return;
        }
    }
  else if (n_parts == 7 && g_str_equal (parts[1], "v1") && g_str_equal (parts[2], "centers") &&
           stp_is_valid_id (parts[3]) && g_str_equal (parts[4], "snapshots") &&
           stp_is_valid_id (parts[5]) && g_str_equal (parts[6], "commit"))
    {
      if (g_str_equal (method, SOUP_METHOD_POST))
        {
          handle_snapshot_commit (self, msg, parts[3], parts[5]);
          return;
        }
    }
  else if (n_parts == 8 && g_str_equal (parts[1], "v1") && g_str_equal (parts[2], "centers") &&
           stp_is_valid_id (parts[3]) && g_str_equal (parts[4], "snapshots") &&
           stp_is_valid_id (parts[5]) && g_str_equal (parts[6], "chunks"))
    {
      /* A malformed chunk number is answered 400 by the handlers. */
      if (g_str_equal (method, SOUP_METHOD_POST))
        {
          handle_snapshot_put_chunk (self, msg, parts[3], parts[5], parts[7]);
          return;
        }
      if (g_str_equal (method, SOUP_METHOD_GET))
        {
          handle_snapshot_get_chunk (self, msg, parts[3], parts[5], parts[7]);
          return;
        }
    }
  else
    goto not_found;

  respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                 _("This method is not allowed here"));
  return;

not_found:
  respond_error (msg, SOUP_STATUS_NOT_FOUND, "not_found", _("There is no such address"));
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

static void
handle_early (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  StpServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) self->config->max_body_bytes)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      respond_error (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too_large",
                     _("The request is larger than the server accepts; send smaller batches"));
      return;
    }

  g_signal_connect (msg, "got-chunk", G_CALLBACK (on_got_chunk), self);
}

StpServer *
stp_server_new (StpServerConfig *config,
                StpServerStore  *store,
                GTlsCertificate *certificate)
{
  StpServer *self = g_new0 (StpServer, 1);
  const char *crash = g_getenv ("STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT");

  self->config = config;
  self->store = store;
  self->enroll_windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->last_touch = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (crash != NULL)
    self->crash_after_push = (guint) g_ascii_strtoull (crash, NULL, 10);

  self->soup = soup_server_new ("server-header", "stupeni-server/" PACKAGE_VERSION " ",
                                "tls-certificate", certificate,
                                NULL);
  soup_server_add_early_handler (self->soup, NULL, handle_early, self, NULL);
  soup_server_add_handler (self->soup, NULL, handle_request, self, NULL);
  return self;
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
  soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_hash_table_destroy (self->enroll_windows);
  g_hash_table_destroy (self->last_touch);
  g_free (self);
}
