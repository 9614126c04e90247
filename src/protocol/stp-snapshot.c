#define G_LOG_DOMAIN "stp-snapshot"

#include "config.h"

#include "stp-snapshot.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

G_STATIC_ASSERT (STP_SNAPSHOT_SEAL_OVERHEAD == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                 crypto_aead_xchacha20poly1305_ietf_ABYTES);

static const char * const manifest_members[] = {
  "v", "format", "schema", "seq", "chunks", "raw_bytes", "hash", "device", "hlc", NULL
};

/* The additional data: canonical JSON of what the part is.  Ids are
 * checked first, so they need no escaping. */
static char *
part_ad (const char *center,
         const char *snapshot,
         gint64      index,
         gint64      n_chunks,
         GError    **error)
{
  if (!stp_is_valid_id (center) || !stp_is_valid_id (snapshot) ||
      n_chunks < 1 || n_chunks > STP_SNAPSHOT_MAX_CHUNKS ||
      index < STP_SNAPSHOT_MANIFEST || index >= n_chunks)
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The snapshot part is not valid"));
      return NULL;
    }
  return g_strdup_printf ("{\"center\":\"%s\",\"chunk\":%" G_GINT64_FORMAT ",\"chunks\":%"
                          G_GINT64_FORMAT ",\"snapshot\":\"%s\",\"v\":1}",
                          center, index, n_chunks, snapshot);
}

GBytes *
stp_snapshot_seal (const guint8 *key,
                   const char   *center,
                   const char   *snapshot,
                   gint64        index,
                   gint64        n_chunks,
                   const guint8 *data,
                   gsize         len,
                   GError      **error)
{
  g_autofree char *ad = NULL;
  guint8 *out;
  unsigned long long ct_len = 0;

  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (!stp_protocol_init (error))
    return NULL;
  if (!(ad = part_ad (center, snapshot, index, n_chunks, error)))
    return NULL;
  out = g_malloc (len + STP_SNAPSHOT_SEAL_OVERHEAD);
  randombytes_buf (out, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  crypto_aead_xchacha20poly1305_ietf_encrypt (out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                                              &ct_len, data, len,
                                              (const guint8 *) ad, strlen (ad), NULL, out, key);
  return g_bytes_new_take (out, (gsize) ct_len + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
}

GBytes *
stp_snapshot_open (const guint8 *key,
                   const char   *center,
                   const char   *snapshot,
                   gint64        index,
                   gint64        n_chunks,
                   const guint8 *data,
                   gsize         len,
                   GError      **error)
{
  g_autofree char *ad = NULL;
  g_autofree guint8 *plain = NULL;
  unsigned long long plain_len = 0;
  const gsize nonce_len = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;

  g_return_val_if_fail (key != NULL, NULL);

  if (!stp_protocol_init (error))
    return NULL;
  if (!(ad = part_ad (center, snapshot, index, n_chunks, error)))
    return NULL;
  if (data == NULL || len < STP_SNAPSHOT_SEAL_OVERHEAD)
    goto fail;
  plain = g_malloc (len - STP_SNAPSHOT_SEAL_OVERHEAD + 1);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (plain, &plain_len, NULL,
                                                  data + nonce_len, len - nonce_len,
                                                  (const guint8 *) ad, strlen (ad),
                                                  data, key) != 0)
    goto fail;
  return g_bytes_new_take (g_steal_pointer (&plain), (gsize) plain_len);

fail:
  g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_DECRYPT,
                       _("The snapshot could not be decrypted: it was made with another "
                         "center key or was altered on the way"));
  return NULL;
}

void
stp_snapshot_manifest_clear (StpSnapshotManifest *manifest)
{
  g_clear_pointer (&manifest->format, g_free);
  g_clear_pointer (&manifest->device, g_free);
  memset (manifest, 0, sizeof *manifest);
}

char *
stp_snapshot_manifest_to_json (const StpSnapshotManifest *manifest)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *hash = stp_base64_encode (manifest->hash, sizeof manifest->hash);
  g_autofree char *hlc = stp_hlc_to_string (manifest->hlc);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "v");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, manifest->format);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_int_value (builder, manifest->schema);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, manifest->seq);
  json_builder_set_member_name (builder, "chunks");
  json_builder_add_int_value (builder, manifest->chunks);
  json_builder_set_member_name (builder, "raw_bytes");
  json_builder_add_int_value (builder, manifest->raw_bytes);
  json_builder_set_member_name (builder, "hash");
  json_builder_add_string_value (builder, hash);
  json_builder_set_member_name (builder, "device");
  json_builder_add_string_value (builder, manifest->device);
  json_builder_set_member_name (builder, "hlc");
  json_builder_add_string_value (builder, hlc);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return stp_json_canonicalize (root);
}

gboolean
stp_snapshot_manifest_from_json (StpSnapshotManifest *manifest,
                                 const char          *json,
                                 gsize                len,
                                 GError             **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  gint64 v = 0;
  const char *format, *device, *hlc;

  memset (manifest, 0, sizeof *manifest);
  if (!(root = stp_json_parse (json, len, error)))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The snapshot description is not a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (root);
  if (!stp_json_check_members (object, manifest_members, error) ||
      !stp_json_get_int (object, "v", 0, G_MAXINT, &v, error))
    return FALSE;
  if (v != 1)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION,
                   _("The snapshot has version %d, which this program does not know"), (int) v);
      return FALSE;
    }
  if (!(format = stp_json_get_string (object, "format", 64, error)) ||
      !stp_json_get_int (object, "schema", 0, 1000000, &manifest->schema, error) ||
      !stp_json_get_int (object, "seq", 0, G_MAXINT64, &manifest->seq, error) ||
      !stp_json_get_int (object, "chunks", 1, STP_SNAPSHOT_MAX_CHUNKS, &manifest->chunks, error) ||
      !stp_json_get_int (object, "raw_bytes", 1, G_MAXINT64, &manifest->raw_bytes, error) ||
      !stp_json_get_fixed_bytes (object, "hash", manifest->hash, sizeof manifest->hash, error) ||
      !(device = stp_json_get_string (object, "device", 64, error)) ||
      !(hlc = stp_json_get_string (object, "hlc", 20, error)) ||
      !stp_hlc_parse (hlc, &manifest->hlc, error))
    return FALSE;
  if (!stp_is_valid_id (device))
    {
      g_set_error_literal (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                           _("The snapshot names no valid device"));
      return FALSE;
    }
  manifest->format = g_strdup (format);
  manifest->device = g_strdup (device);
  return TRUE;
}
