/* stp-server-sync.c: info, enrollment, the center key, push, pull and
 * aggregates (docs/PROTOCOL.md). */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-private.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

typedef struct
{
  gint64 window_start;
  guint  count;
} RateWindow;

/* GET /v1/info */

void
stp_server_handle_info (StpServer         *self,
                        StpRequest        *msg)
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
                StpRequest        *msg)
{
  const char *address = msg->remote_host;
  gint64 now = stp_server_now_millis ();
  RateWindow *window;
  gboolean allowed;

  if (address == NULL)
    address = "";
  g_mutex_lock (&self->lock);

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
  allowed = window->count <= self->config->enroll_attempts_per_minute;
  g_mutex_unlock (&self->lock);
  return allowed;
}

void
stp_server_handle_enroll (StpServer         *self,
                          StpRequest        *msg)
{
  static const char * const members[] = { "code", "device_name", "check", NULL };
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
  gboolean check_only = FALSE;

  if (!enroll_allowed (self, msg))
    {
      soup_message_headers_replace (msg->response_headers,
                                    "Retry-After", "60");
      respond_error (msg, 429 /* Too Many Requests */, "rate_limited",
                     _("Too many enrollment attempts; wait a minute and try again"));
      return;
    }

  if (!(node = read_json_body (msg, &stp_server_enroll_limits)))
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
  /* "check": true only looks the code up and answers the center and its
   * wrapped key, so that the desktop can test the passphrase before the
   * code is used up (a refused passphrase then changes nothing here). */
  if (json_object_has_member (object, "check"))
    {
      JsonNode *check = json_object_get_member (object, "check");

      if (!JSON_NODE_HOLDS_VALUE (check) || json_node_get_value_type (check) != G_TYPE_BOOLEAN)
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", _("“check” must be true or false"));
          return;
        }
      check_only = json_node_get_boolean (check);
    }

  normalized = stp_server_normalize_code (code);
  code_hash = stp_server_hash_secret (normalized);
  device_id = g_uuid_string_random ();
  randombytes_buf (token_bytes, sizeof token_bytes);
  sodium_bin2base64 (token, sizeof token, token_bytes, sizeof token_bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  token_hash = stp_server_hash_secret (token);

  if (!stp_server_store_enroll (msg->store, code_hash, stp_server_now_millis (),
                                check_only ? NULL : device_id,
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

  if (!stp_server_store_get_center (msg->store, center, &center_name, &key, &error))
    {
      respond_internal (msg, error);
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "center");
  json_builder_add_string_value (builder, center);
  json_builder_set_member_name (builder, "center_name");
  json_builder_add_string_value (builder, center_name);
  if (check_only)
    {
      json_builder_set_member_name (builder, "key");
      if (key != NULL)
        json_builder_add_value (builder, json_from_string (key, NULL));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
      respond_builder (msg, SOUP_STATUS_OK, builder);
      sodium_memzero (token, sizeof token);
      return;
    }

  g_info ("Enrolled a device for center %s", center);
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

void
stp_server_handle_key (StpServer         *self,
                       StpRequest        *msg,
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

      if (!stp_server_store_get_center (msg->store, center, NULL, &key, &error))
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

  if (!(node = read_json_body (msg, &stp_server_key_limits)))
    return;
  if (!(wrapped = stp_wrapped_key_from_json_node (node, &error)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid", error->message);
      return;
    }

  canonical = stp_wrapped_key_to_json (wrapped);
  if (!stp_server_store_set_key (msg->store, center, canonical, &was_set, &error))
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

void
stp_server_handle_push (StpServer         *self,
                        StpRequest        *msg,
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

  if (!(node = read_json_body (msg, &stp_server_push_limits)))
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
      if (!stp_server_store_push (msg->store, center, (StpServerPushItem *) (void *) items->data,
                                  items->len, now, &error))
        {
          respond_internal (msg, error);
          return;
        }

      /* Test hook, see docs/PROTOCOL.md: STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT=N
       * makes the server die after committing its N-th push and before
       * replying, so the sync tests can check that a lost reply is harmless. */
      g_mutex_lock (&self->lock);
      self->pushes_committed++;
      if (self->crash_after_push > 0 && self->pushes_committed == self->crash_after_push)
        _exit (9);
      g_mutex_unlock (&self->lock);
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

/* The reply is kept as pieces: small envelopes are gathered into pieces of
 * about PIECE_BYTES, a large body becomes a piece of its own, copied once
 * from the database's buffer.  The main loop sends them piece by piece. */
#define PIECE_BYTES (256 * 1024)

/* A page growing past this in the small requests' lane is left to the
 * bulk lane (stp-server-http.c): what was read so far is thrown away. */
#define BULK_REPLY_BYTES (1024 * 1024)

typedef struct
{
  GPtrArray *pieces;          /* GBytes */
  GString   *current;
  gint64     last_seq;
  guint      n;
  gsize      bytes;
  gboolean   in_bulk_lane;
  gboolean   wants_bulk_lane;
} PullReply;

static void
flush_piece (PullReply *reply)
{
  gsize len = reply->current->len;

  if (len == 0)
    return;
  g_ptr_array_add (reply->pieces, g_bytes_new_take (g_string_free (reply->current, FALSE), len));
  reply->current = g_string_sized_new (PIECE_BYTES + 256);
}

static gboolean
add_envelope (gint64      seq,
              const char *body,
              gsize       length,
              gpointer    user_data)
{
  PullReply *reply = user_data;

  reply->bytes += length;
  if (!reply->in_bulk_lane && reply->bytes > BULK_REPLY_BYTES)
    {
      reply->wants_bulk_lane = TRUE;
      return FALSE;
    }

  /* The stored bodies are canonical JSON written by this server, so they
   * are spliced in as they are rather than parsed again. */
  g_string_append (reply->current, reply->n > 0 ? ",{\"envelope\":" : "{\"envelope\":");
  if (length >= PIECE_BYTES / 4)
    {
      flush_piece (reply);
      g_ptr_array_add (reply->pieces, g_bytes_new (body, length));
    }
  else
    g_string_append_len (reply->current, body, (gssize) length);
  g_string_append_printf (reply->current, ",\"seq\":%" G_GINT64_FORMAT "}", seq);
  if (reply->current->len >= PIECE_BYTES)
    flush_piece (reply);
  reply->last_seq = seq;
  reply->n++;
  return TRUE;
}

void
stp_server_handle_pull (StpServer         *self,
                        StpRequest        *msg,
                        const char        *center,
                        GHashTable        *query)
{
  g_auto(StpServerDevice) device = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 after, limit, max_bytes;
  gboolean more;
  PullReply reply = { 0 };

  if (!authenticate (self, msg, center, &device))
    return;

  if (!parse_query_int (query, "after", 0, &after) ||
      !parse_query_int (query, "limit", STP_SERVER_DEFAULT_PULL_LIMIT, &limit) ||
      !parse_query_int (query, "max_bytes", G_MAXINT64, &max_bytes) ||
      limit < 1)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("after and limit must be non-negative integers and limit at least 1"));
      return;
    }
  limit = MIN (limit, (gint64) self->config->max_pull_limit);
  max_bytes = MIN (max_bytes, (gint64) self->config->max_pull_bytes);

  reply.pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  reply.current = g_string_sized_new (PIECE_BYTES + 256);
  reply.last_seq = after;
  reply.in_bulk_lane = msg->bulk_lane;
  g_string_append (reply.current, "{\"envelopes\":[");
  if (!stp_server_store_pull_each (msg->store, center, after, (guint) limit, (gsize) max_bytes,
                                   add_envelope, &reply, &more, &error) ||
      reply.wants_bulk_lane)
    {
      g_ptr_array_unref (reply.pieces);
      g_string_free (reply.current, TRUE);
      if (reply.wants_bulk_lane)
        msg->wants_bulk_lane = TRUE;   /* no answer: the worker moves it */
      else
        respond_internal (msg, error);
      return;
    }
  g_string_append_printf (reply.current, "],\"last_seq\":%" G_GINT64_FORMAT ",\"more\":%s}",
                          reply.last_seq, more ? "true" : "false");
  flush_piece (&reply);
  g_string_free (reply.current, TRUE);
  stp_server_respond_pieces (msg, SOUP_STATUS_OK, "application/json", reply.pieces);
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

void
stp_server_handle_aggregates (StpServer         *self,
                              StpRequest        *msg,
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

  if (!(node = read_json_body (msg, &stp_server_aggregate_limits)))
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
  if (!stp_server_store_add_aggregate (msg->store, center, from, to,
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
