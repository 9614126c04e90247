#define G_LOG_DOMAIN "stp-wrapped-key"

#include "config.h"

#include "stp-wrapped-key.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

/* Upper bounds on the argon2id costs read from a wrapped key, so that a
 * hostile server cannot make a device spin or run out of memory. */
#define MAX_OPS 16
#define MAX_MEM (G_GUINT64_CONSTANT (1) << 30)

static const char * const wrapped_key_members[] = {
  "key_id", "salt", "nonce", "wrapped", "check", "ops", "mem", NULL
};

guint64
stp_wrapped_key_default_ops (void)
{
  return crypto_pwhash_OPSLIMIT_INTERACTIVE;
}

guint64
stp_wrapped_key_default_mem (void)
{
  return crypto_pwhash_MEMLIMIT_INTERACTIVE;
}

guint64
stp_wrapped_key_min_ops (void)
{
  return crypto_pwhash_OPSLIMIT_MIN;
}

guint64
stp_wrapped_key_min_mem (void)
{
  return crypto_pwhash_MEMLIMIT_MIN;
}

void
stp_center_key_generate (guint8 *key)
{
  g_return_if_fail (key != NULL);

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialized");
  randombytes_buf (key, STP_CENTER_KEY_BYTES);
}

void
stp_wrapped_key_free (StpWrappedKey *wrapped)
{
  if (wrapped == NULL)
    return;
  g_free (wrapped->key_id);
  g_free (wrapped);
}

static gboolean
check_costs (guint64   ops,
             guint64   mem,
             GError  **error)
{
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > MAX_OPS ||
      mem < crypto_pwhash_MEMLIMIT_MIN || mem > MAX_MEM)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The key derivation costs are out of range"));
      return FALSE;
    }
  return TRUE;
}

/* Derives 32 bytes of key-encryption key followed by the check value from
 * the passphrase.  The check value is independent output of argon2id, so
 * comparing it tells a wrong passphrase apart from a damaged key. */
static gboolean
derive (const char   *passphrase,
        const guint8 *salt,
        guint64       ops,
        guint64       mem,
        guint8       *out,
        GError      **error)
{
  if (!check_costs (ops, mem, error))
    return FALSE;
  if (crypto_pwhash (out, STP_CENTER_KEY_BYTES + STP_WRAPPED_KEY_CHECK_BYTES,
                     passphrase, strlen (passphrase), salt,
                     ops, (size_t) mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_CRYPTO,
                           _("Not enough memory to derive the center key"));
      return FALSE;
    }
  return TRUE;
}

StpWrappedKey *
stp_wrapped_key_wrap (const char    *key_id,
                      const guint8  *key,
                      const char    *passphrase,
                      guint64        ops,
                      guint64        mem,
                      GError       **error)
{
  g_autoptr(StpWrappedKey) wrapped = NULL;
  guint8 derived[STP_CENTER_KEY_BYTES + STP_WRAPPED_KEY_CHECK_BYTES];
  unsigned long long len = 0;

  g_return_val_if_fail (key_id != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (passphrase != NULL, NULL);

  if (!stp_protocol_init (error))
    return NULL;
  if (!stp_is_valid_id (key_id))
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is not valid"), "key_id");
      return NULL;
    }

  wrapped = g_new0 (StpWrappedKey, 1);
  wrapped->key_id = g_strdup (key_id);
  wrapped->ops = ops;
  wrapped->mem = mem;
  randombytes_buf (wrapped->salt, sizeof wrapped->salt);
  randombytes_buf (wrapped->nonce, sizeof wrapped->nonce);

  if (!derive (passphrase, wrapped->salt, ops, mem, derived, error))
    return NULL;

  memcpy (wrapped->check, derived + STP_CENTER_KEY_BYTES, STP_WRAPPED_KEY_CHECK_BYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (wrapped->wrapped, &len, key, STP_CENTER_KEY_BYTES,
                                              (const guint8 *) key_id, strlen (key_id),
                                              NULL, wrapped->nonce, derived);
  sodium_memzero (derived, sizeof derived);
  g_assert (len == sizeof wrapped->wrapped);

  return g_steal_pointer (&wrapped);
}

gboolean
stp_wrapped_key_unwrap (const StpWrappedKey  *wrapped,
                        const char           *passphrase,
                        guint8               *key_out,
                        GError              **error)
{
  guint8 derived[STP_CENTER_KEY_BYTES + STP_WRAPPED_KEY_CHECK_BYTES];
  unsigned long long len = 0;
  int rc;

  g_return_val_if_fail (wrapped != NULL, FALSE);
  g_return_val_if_fail (passphrase != NULL, FALSE);
  g_return_val_if_fail (key_out != NULL, FALSE);

  if (!stp_protocol_init (error) ||
      !derive (passphrase, wrapped->salt, wrapped->ops, wrapped->mem, derived, error))
    return FALSE;

  if (sodium_memcmp (derived + STP_CENTER_KEY_BYTES, wrapped->check,
                     STP_WRAPPED_KEY_CHECK_BYTES) != 0)
    {
      sodium_memzero (derived, sizeof derived);
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_WRONG_PASSPHRASE,
                           _("The center passphrase is wrong"));
      return FALSE;
    }

  rc = crypto_aead_xchacha20poly1305_ietf_decrypt (key_out, &len, NULL,
                                                   wrapped->wrapped, sizeof wrapped->wrapped,
                                                   (const guint8 *) wrapped->key_id,
                                                   strlen (wrapped->key_id),
                                                   wrapped->nonce, derived);
  sodium_memzero (derived, sizeof derived);
  if (rc != 0 || len != STP_CENTER_KEY_BYTES)
    {
      sodium_memzero (key_out, STP_CENTER_KEY_BYTES);
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT,
                           _("The stored center key is damaged or was altered"));
      return FALSE;
    }
  return TRUE;
}

JsonNode *
stp_wrapped_key_to_json_node (const StpWrappedKey *wrapped)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autofree char *salt = NULL, *nonce = NULL, *data = NULL, *check = NULL;
  JsonNode *node;

  g_return_val_if_fail (wrapped != NULL, NULL);

  salt = stp_base64_encode (wrapped->salt, sizeof wrapped->salt);
  nonce = stp_base64_encode (wrapped->nonce, sizeof wrapped->nonce);
  data = stp_base64_encode (wrapped->wrapped, sizeof wrapped->wrapped);
  check = stp_base64_encode (wrapped->check, sizeof wrapped->check);

  json_object_set_string_member (object, "key_id", wrapped->key_id);
  json_object_set_string_member (object, "salt", salt);
  json_object_set_string_member (object, "nonce", nonce);
  json_object_set_string_member (object, "wrapped", data);
  json_object_set_string_member (object, "check", check);
  json_object_set_int_member (object, "ops", (gint64) wrapped->ops);
  json_object_set_int_member (object, "mem", (gint64) wrapped->mem);

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

char *
stp_wrapped_key_to_json (const StpWrappedKey *wrapped)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (wrapped != NULL, NULL);

  node = stp_wrapped_key_to_json_node (wrapped);
  return stp_json_canonicalize (node);
}

StpWrappedKey *
stp_wrapped_key_from_json_node (JsonNode  *node,
                                GError   **error)
{
  g_autoptr(StpWrappedKey) wrapped = g_new0 (StpWrappedKey, 1);
  JsonObject *object;
  const char *key_id;
  gint64 ops, mem;

  g_return_val_if_fail (node != NULL, NULL);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The wrapped center key is not a JSON object"));
      return NULL;
    }
  object = json_node_get_object (node);

  if (!stp_json_check_members (object, wrapped_key_members, error) ||
      !(key_id = stp_json_get_string (object, "key_id", 64, error)) ||
      !stp_json_get_fixed_bytes (object, "salt", wrapped->salt, sizeof wrapped->salt, error) ||
      !stp_json_get_fixed_bytes (object, "nonce", wrapped->nonce, sizeof wrapped->nonce, error) ||
      !stp_json_get_fixed_bytes (object, "wrapped", wrapped->wrapped,
                                 sizeof wrapped->wrapped, error) ||
      !stp_json_get_fixed_bytes (object, "check", wrapped->check, sizeof wrapped->check, error) ||
      !stp_json_get_int (object, "ops", crypto_pwhash_OPSLIMIT_MIN, MAX_OPS, &ops, error) ||
      !stp_json_get_int (object, "mem", crypto_pwhash_MEMLIMIT_MIN, (gint64) MAX_MEM, &mem, error))
    return NULL;

  if (!stp_is_valid_id (key_id))
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is not valid"), "key_id");
      return NULL;
    }

  wrapped->key_id = g_strdup (key_id);
  wrapped->ops = (guint64) ops;
  wrapped->mem = (guint64) mem;
  return g_steal_pointer (&wrapped);
}

StpWrappedKey *
stp_wrapped_key_from_json (const char  *json,
                           gssize       len,
                           GError     **error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  if (len < 0)
    len = (gssize) strlen (json);
  if (!(node = stp_json_parse (json, (gsize) len, error)))
    return NULL;
  return stp_wrapped_key_from_json_node (node, error);
}
