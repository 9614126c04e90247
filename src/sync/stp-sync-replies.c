/* stp-sync-replies.c: reading the server's answers, member by member
 * with the protocol layer's type-checked readers (stp-sync-replies.h).
 * json-glib's own json_object_get_*_member() getters assert the type of
 * what they read and must never see a server's answer. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-replies.h"
#include "stp-protocol.h"
#include "stp-snapshot.h"

#include <glib/gi18n-lib.h>
#include <string.h>

static gboolean
check_id (const char  *value,
          const char  *name,
          GError     **error)
{
  if (stp_is_valid_id (value))
    return TRUE;
  g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
               _("The field “%s” is not a valid id"), name);
  return FALSE;
}

gboolean
stp_sync_read_info (JsonObject   *object,
                    StpSyncInfo  *info,
                    GError      **error)
{
  memset (info, 0, sizeof *info);
  /* Any integer: another version is refused by the caller with its own
   * message.  The other two are optional (older servers). */
  return stp_json_get_int (object, "protocol", G_MININT64, G_MAXINT64, &info->protocol, error) &&
         (!json_object_has_member (object, "server_millis") ||
          stp_json_get_int (object, "server_millis", 0, G_MAXINT64 / 2, &info->server_millis, error)) &&
         (!json_object_has_member (object, "max_body_bytes") ||
          stp_json_get_int (object, "max_body_bytes", 0, G_MAXSSIZE, &info->max_body_bytes, error));
}

gboolean
stp_sync_read_wrapped_key (JsonObject  *object,
                           char       **json,
                           GError     **error)
{
  JsonNode *key_node = json_object_get_member (object, "key");

  *json = NULL;
  if (key_node == NULL || JSON_NODE_HOLDS_NULL (key_node))
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (key_node))
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” must be an object"), "key");
      return FALSE;
    }
  *json = json_to_string (key_node, FALSE);
  return TRUE;
}

void
stp_sync_enrollment_clear (StpSyncEnrollment *enrollment)
{
  g_free (enrollment->center);
  g_free (enrollment->center_name);
  g_free (enrollment->device);
  g_free (enrollment->token);
  g_free (enrollment->wrapped_key);
  memset (enrollment, 0, sizeof *enrollment);
}

gboolean
stp_sync_read_enrollment (JsonObject         *object,
                          gboolean            check,
                          StpSyncEnrollment  *out,
                          GError            **error)
{
  const char *center, *center_name = "", *device = NULL, *token = NULL;
  gint64 device_number = 0;
  char *wrapped = NULL;

  memset (out, 0, sizeof *out);
  if (!(center = stp_json_get_string (object, "center", 64, error)) ||
      !check_id (center, "center", error))
    return FALSE;
  if (json_object_has_member (object, "center_name") &&
      !(center_name = stp_json_get_string (object, "center_name", 1024, error)))
    return FALSE;
  if (!check)
    {
      /* The token goes into a header: an id's characters only. */
      if (!(device = stp_json_get_string (object, "device", 64, error)) ||
          !check_id (device, "device", error) ||
          !(token = stp_json_get_string (object, "token", 64, error)) ||
          !check_id (token, "token", error))
        return FALSE;
      /* Absent from an older server. */
      if (json_object_has_member (object, "device_number") &&
          !stp_json_get_int (object, "device_number", 1, G_MAXINT32, &device_number, error))
        return FALSE;
    }
  if (!stp_sync_read_wrapped_key (object, &wrapped, error))
    return FALSE;
  out->center = g_strdup (center);
  out->center_name = g_strdup (center_name);
  out->device = g_strdup (device);
  out->token = g_strdup (token);
  out->device_number = device_number;
  out->wrapped_key = wrapped;
  return TRUE;
}

gboolean
stp_sync_read_pull_page (JsonObject  *object,
                         gint64       cursor,
                         JsonArray  **envelopes,
                         gint64      *last_seq,
                         gboolean    *more,
                         GError     **error)
{
  gint64 prev = cursor;

  if (!(*envelopes = stp_json_get_array (object, "envelopes", G_MAXINT32, error)) ||
      !stp_json_get_int (object, "last_seq", cursor, G_MAXINT64, last_seq, error) ||
      !stp_json_get_bool (object, "more", more, error))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (*envelopes); i++)
    {
      JsonObject *item = stp_json_node_object (json_array_get_element (*envelopes, i),
                                                "envelopes", error);
      gint64 seq;

      if (item == NULL ||
          !stp_json_get_object (item, "envelope", error) ||
          !stp_json_get_int (item, "seq", prev + 1, *last_seq, &seq, error))
        return FALSE;
      prev = seq;
    }
  /* A server cannot move the cursor past batches it did not send. */
  if (*last_seq != prev)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” does not match the envelopes"), "last_seq");
      return FALSE;
    }
  return TRUE;
}

gboolean
stp_sync_read_push_result (JsonObject  *object,
                           const char **code,
                           gint64      *seq,
                           GError     **error)
{
  JsonArray *results;
  JsonObject *result;

  *code = NULL;
  *seq = 0;
  if (!(results = stp_json_get_array (object, "results", 1, error)))
    return FALSE;
  if (json_array_get_length (results) != 1)
    {
      g_set_error (error, STP_PROTOCOL_ERROR, STP_PROTOCOL_ERROR_INVALID,
                   _("The field “%s” is missing"), "results[0]");
      return FALSE;
    }
  if (!(result = stp_json_node_object (json_array_get_element (results, 0), "results", error)))
    return FALSE;
  if (json_object_has_member (result, "error"))
    return (*code = stp_json_get_string (result, "error", 64, error)) != NULL;
  /* Seqs start at 1 (docs/PROTOCOL.md): the outbox rows are removed only
   * for one that can be. */
  return !json_object_has_member (result, "seq") ||
         stp_json_get_int (result, "seq", 1, G_MAXINT64, seq, error);
}

void
stp_sync_latest_clear (StpSyncLatest *latest)
{
  g_free (latest->id);
  g_free (latest->manifest);
  memset (latest, 0, sizeof *latest);
}

gboolean
stp_sync_read_latest (JsonObject     *object,
                      StpSyncLatest  *latest,
                      GError        **error)
{
  JsonNode *snapshot;
  JsonObject *s;
  const char *id, *manifest;

  memset (latest, 0, sizeof *latest);
  if (!stp_json_get_int (object, "head", 0, G_MAXINT64, &latest->head, error) ||
      !stp_json_get_int (object, "log_bytes_after", 0, G_MAXINT64, &latest->log_bytes_after, error))
    return FALSE;
  latest->supported = TRUE;
  snapshot = json_object_get_member (object, "snapshot");
  if (snapshot == NULL || JSON_NODE_HOLDS_NULL (snapshot))
    return TRUE;
  if (!(s = stp_json_node_object (snapshot, "snapshot", error)) ||
      !(id = stp_json_get_string (s, "id", 64, error)) ||
      !check_id (id, "id", error) ||
      !(manifest = stp_json_get_string (s, "manifest", 65536, error)) ||
      !stp_json_get_int (s, "seq", 0, latest->head, &latest->seq, error) ||
      !stp_json_get_int (s, "chunks", 1, STP_SNAPSHOT_MAX_CHUNKS, &latest->chunks, error) ||
      !stp_json_get_int (s, "bytes", 1, G_MAXINT64, &latest->bytes, error))
    return FALSE;
  latest->have = TRUE;
  latest->id = g_strdup (id);
  latest->manifest = g_strdup (manifest);
  return TRUE;
}
