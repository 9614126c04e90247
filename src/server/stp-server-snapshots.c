/* stp-server-snapshots.c: /v1/centers/{c}/snapshots/… */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-private.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Snapshots: /v1/centers/{c}/snapshots/…
 *
 * A snapshot is a device's whole database, compressed and sealed by the
 * device; the server keeps its chunks and manifest as the base64 text it
 * received and never looks inside. */

static JsonObject *
read_object (StpRequest         *msg,
             const char * const *members,
             JsonNode          **node_out)
{
  if (!(*node_out = read_json_body (msg, &stp_server_snapshot_limits)))
    return NULL;
  return expect_object (msg, *node_out, members);
}

/* Reads a base64 member: canonical form only and not empty, since anything
 * sealed has at least its tag.  Returns the decoded size, or -1 after
 * answering 400. */
static gint64
read_base64_member (StpRequest        *msg,
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
parse_chunk_number (StpRequest        *msg,
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
respond_snapshot_status (StpRequest              *msg,
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
respond_snapshot_id (StpRequest        *msg,
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
void
stp_server_handle_snapshot_create (StpServer         *self,
                                   StpRequest        *msg,
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
  if (!stp_server_store_create_snapshot (msg->store, center, &snapshot, stp_server_now_millis (),
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
void
stp_server_handle_snapshot_put_chunk (StpServer         *self,
                                      StpRequest        *msg,
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

  if (!stp_server_store_put_snapshot_chunk (msg->store, center, id, device.id, n, size,
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
void
stp_server_handle_snapshot_commit (StpServer         *self,
                                   StpRequest        *msg,
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

  if (!stp_server_store_commit_snapshot (msg->store, center, id, device.id,
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
void
stp_server_handle_snapshot_latest (StpServer         *self,
                                   StpRequest        *msg,
                                   const char        *center)
{
  g_auto(StpServerDevice) device = { 0 };
  g_auto(StpServerSnapshot) snapshot = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gint64 head = 0, log_bytes_after = 0;

  if (!authenticate (self, msg, center, &device))
    return;

  if (!stp_server_store_latest_snapshot (msg->store, center, &snapshot, &head,
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
void
stp_server_handle_snapshot_get_chunk (StpServer         *self,
                                      StpRequest        *msg,
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

  if (!(body = stp_server_store_get_snapshot_chunk (msg->store, center, id, n, &error)))
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
