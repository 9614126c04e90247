#define G_LOG_DOMAIN "stp-envelope"

#include "config.h"

#include "stp-envelope.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

static const char * const envelope_members[] = {
  "v", "center", "device", "msg_id", "hlc", "schema", "key_id", "nonce", "ct", NULL
};

StpEnvelope *
stp_envelope_new (const char *center,
                  const char *device,
                  const char *msg_id,
                  guint64     hlc,
                  gint64      schema,
                  const char *key_id)
{
  StpEnvelope *envelope = g_new0 (StpEnvelope, 1);

  envelope->center = g_strdup (center);
  envelope->device = g_strdup (device);
  envelope->msg_id = g_strdup (msg_id);
  envelope->hlc = hlc;
  envelope->schema = schema;
  envelope->key_id = g_strdup (key_id);
  return envelope;
}

void
stp_envelope_free (StpEnvelope *envelope)
{
  if (envelope == NULL)
    return;
  g_free (envelope->center);
  g_free (envelope->device);
  g_free (envelope->msg_id);
  g_free (envelope->key_id);
  g_clear_pointer (&envelope->ct, g_bytes_unref);
  g_free (envelope);
}

StpEnvelope *
stp_envelope_copy (const StpEnvelope *envelope)
{
  StpEnvelope *copy;

  g_return_val_if_fail (envelope != NULL, NULL);

  copy = stp_envelope_new (envelope->center, envelope->device, envelope->msg_id,
                           envelope->hlc, envelope->schema, envelope->key_id);
  memcpy (copy->nonce, envelope->nonce, sizeof copy->nonce);
  copy->ct = envelope->ct != NULL ? g_bytes_ref (envelope->ct) : NULL;
  return copy;
}

static void
set_header_members (JsonObject        *object,
                    const StpEnvelope *envelope)
{
  json_object_set_int_member (object, "v", STP_PROTOCOL_VERSION);
  json_object_set_string_member (object, "center", envelope->center);
  json_object_set_string_member (object, "device", envelope->device);
  json_object_set_string_member (object, "msg_id", envelope->msg_id);
  {
    g_autofree char *hlc = stp_hlc_to_string (envelope->hlc);
    json_object_set_string_member (object, "hlc", hlc);
  }
  json_object_set_int_member (object, "schema", envelope->schema);
  json_object_set_string_member (object, "key_id", envelope->key_id);
}

JsonNode *
stp_envelope_to_json_node (const StpEnvelope *envelope)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *nonce = NULL;
  g_autofree char *ct = NULL;
  JsonNode *node;
  gsize ct_len = 0;
  const guint8 *ct_data;

  g_return_val_if_fail (envelope != NULL, NULL);

  set_header_members (object, envelope);
  nonce = stp_base64_encode (envelope->nonce, sizeof envelope->nonce);
  json_object_set_string_member (object, "nonce", nonce);
  ct_data = envelope->ct != NULL ? g_bytes_get_data (envelope->ct, &ct_len) : NULL;
  ct = stp_base64_encode (ct_data, ct_len);
  json_object_set_string_member (object, "ct", ct);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

char *
stp_envelope_to_json (const StpEnvelope *envelope)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (envelope != NULL, NULL);

  node = stp_envelope_to_json_node (envelope);
  return stp_json_canonicalize (node);
}

char *
stp_envelope_header_canonical (const StpEnvelope *envelope)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  g_return_val_if_fail (envelope != NULL, NULL);

  set_header_members (object, envelope);
  json_node_set_object (node, object);
  return stp_json_canonicalize (node);
}

static gboolean
check_header (const StpEnvelope  *envelope,
              GError            **error)
{
  const char *bad = NULL;

  if (!stp_is_valid_id (envelope->center))
    bad = "center";
  else if (!stp_is_valid_id (envelope->device))
    bad = "device";
  else if (!stp_is_valid_id (envelope->msg_id))
    bad = "msg_id";
  else if (!stp_is_valid_id (envelope->key_id))
    bad = "key_id";
  else if (envelope->schema < 0 || envelope->schema > STP_ENVELOPE_MAX_SCHEMA)
    bad = "schema";

  if (bad != NULL)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is not valid"), bad);
      return FALSE;
    }
  return TRUE;
}

StpEnvelope *
stp_envelope_from_json_node (JsonNode  *node,
                             GError   **error)
{
  g_autoptr(StpEnvelope) envelope = g_new0 (StpEnvelope, 1);
  JsonObject *object;
  JsonNode *v;
  const char *center, *device, *msg_id, *hlc, *key_id, *ct;
  gint64 schema;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The envelope is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  v = json_object_get_member (object, "v");
  if (v == NULL || !JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_INT64)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The envelope has no valid version field"));
      return NULL;
    }
  if (json_node_get_int (v) != STP_PROTOCOL_VERSION)
    {
      g_autofree char *version = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v));

      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                   _("Envelope version %s is not supported; update the program"), version);
      return NULL;
    }

  if (!stp_json_check_members (object, envelope_members, error) ||
      !(center = stp_json_get_string (object, "center", STP_ENVELOPE_MAX_ID_LEN, error)) ||
      !(device = stp_json_get_string (object, "device", STP_ENVELOPE_MAX_ID_LEN, error)) ||
      !(msg_id = stp_json_get_string (object, "msg_id", STP_ENVELOPE_MAX_ID_LEN, error)) ||
      !(hlc = stp_json_get_string (object, "hlc", 20, error)) ||
      !stp_hlc_parse (hlc, &envelope->hlc, error) ||
      !stp_json_get_int (object, "schema", 0, STP_ENVELOPE_MAX_SCHEMA, &schema, error) ||
      !(key_id = stp_json_get_string (object, "key_id", STP_ENVELOPE_MAX_ID_LEN, error)) ||
      !stp_json_get_fixed_bytes (object, "nonce", envelope->nonce,
                                 STP_ENVELOPE_NONCE_BYTES, error) ||
      !(ct = stp_json_get_string (object, "ct", (STP_ENVELOPE_MAX_CT_BYTES + 2) / 3 * 4, error)) ||
      !(envelope->ct = stp_base64_decode (ct, STP_ENVELOPE_MAX_CT_BYTES, error)))
    return NULL;

  envelope->center = g_strdup (center);
  envelope->device = g_strdup (device);
  envelope->msg_id = g_strdup (msg_id);
  envelope->schema = schema;
  envelope->key_id = g_strdup (key_id);

  if (!check_header (envelope, error))
    return NULL;

  if (g_bytes_get_size (envelope->ct) < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The envelope ciphertext is too short"));
      return NULL;
    }

  return g_steal_pointer (&envelope);
}

StpEnvelope *
stp_envelope_from_json (const char  *json,
                        gssize       len,
                        GError     **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  if (len < 0)
    len = (gssize) strlen (json);
  if (!(node = stp_json_parse (json, (gsize) len, error)))
    return NULL;
  return stp_envelope_from_json_node (node, error);
}

gboolean
stp_envelope_seal (StpEnvelope  *envelope,
                   const guint8 *key,
                   const guint8 *plaintext,
                   gsize         len,
                   GError      **error)
{
  g_autofree char *ad = NULL;
  guint8 *ct;
  unsigned long long ct_len = 0;

  g_return_val_if_fail (envelope != NULL, FALSE);
  g_return_val_if_fail (key != NULL, FALSE);
  g_return_val_if_fail (plaintext != NULL || len == 0, FALSE);

  if (!stp_protocol_init (error) || !check_header (envelope, error))
    return FALSE;
  if (len > STP_ENVELOPE_MAX_CT_BYTES - crypto_aead_xchacha20poly1305_ietf_ABYTES)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_TOO_LARGE,
                           _("The change batch is too large for one envelope"));
      return FALSE;
    }

  ad = stp_envelope_header_canonical (envelope);
  randombytes_buf (envelope->nonce, sizeof envelope->nonce);
  ct = g_malloc (len + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (ct, &ct_len, plaintext, len,
                                              (const guint8 *) ad, strlen (ad),
                                              NULL, envelope->nonce, key);
  g_clear_pointer (&envelope->ct, g_bytes_unref);
  envelope->ct = g_bytes_new_take (ct, (gsize) ct_len);
  return TRUE;
}

GBytes *
stp_envelope_open (const StpEnvelope *envelope,
                   const guint8      *key,
                   GError           **error)
{
  g_autofree char *ad = NULL;
  g_autofree guint8 *plain = NULL;
  const guint8 *ct;
  gsize ct_len = 0;
  unsigned long long plain_len = 0;

  g_return_val_if_fail (envelope != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (!stp_protocol_init (error))
    return NULL;
  if (envelope->ct == NULL || !check_header (envelope, error))
    goto fail;

  ct = g_bytes_get_data (envelope->ct, &ct_len);
  if (ct_len < crypto_aead_xchacha20poly1305_ietf_ABYTES)
    goto fail;

  ad = stp_envelope_header_canonical (envelope);
  plain = g_malloc (ct_len - crypto_aead_xchacha20poly1305_ietf_ABYTES + 1);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plain, &plain_len, NULL, ct, ct_len,
                                                  (const guint8 *) ad, strlen (ad),
                                                  envelope->nonce, key) != 0)
    goto fail;

  return g_bytes_new_take (g_steal_pointer (&plain), (gsize) plain_len);

fail:
  g_clear_error (error);
  g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT,
                       _("The change batch could not be decrypted: it was made with another "
                         "center key or was altered on the way"));
  return NULL;
}
