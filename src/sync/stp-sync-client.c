#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-client.h"
#include "stp-sync-engine.h"
#include "stp-sync-replies.h"
#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

struct _StpSyncClient
{
  GObject        parent_instance;

  SoupSession   *session;
  char          *url;
  char          *token;
  char          *fingerprint;          /* normalized; NULL: trust on first use */
  char          *seen_fingerprint;     /* the first one seen without a pin */
  gboolean       fingerprint_mismatch; /* sticky: every later request fails */
  gint64         clock_offset;         /* store clock minus real time, usec */
  gboolean       have_skew;
  gint64         skew;
  gsize          max_reply_bytes;
};

G_DEFINE_TYPE (StpSyncClient, stp_sync_client, G_TYPE_OBJECT)

/* --- Replies ---------------------------------------------------------------- */

void
stp_sync_reply_clear (StpSyncReply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_clear_pointer (&reply->error_code, g_free);
  g_clear_pointer (&reply->message, g_free);
}

gboolean
stp_sync_reply_is_ok_object (const StpSyncReply *reply)
{
  return reply->status == SOUP_STATUS_OK && reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json);
}

void
stp_sync_reply_set_error (const StpSyncReply  *reply,
                          GError             **error)
{
  if (g_strcmp0 (reply->error_code, "device_revoked") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED,
                         _("This computer was disconnected from the server by the administrator; "
                           "its unsent changes are kept. Enroll it again to continue."));
  else if (reply->status == SOUP_STATUS_UNAUTHORIZED)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED,
                         _("The server does not accept this computer any more; enroll it again"));
  else if (g_strcmp0 (reply->error_code, "invalid_code") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("The enrollment code is not known; check it or ask the administrator for a new one"));
  else if (g_strcmp0 (reply->error_code, "code_used") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("The enrollment code was already used; ask the administrator for a new one"));
  else if (g_strcmp0 (reply->error_code, "code_expired") == 0)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("The enrollment code has expired; ask the administrator for a new one"));
  else if (reply->status == 429)
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REFUSED,
                         _("Too many attempts; wait a minute and try again"));
  else if (reply->status >= 500)
    g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK,
                 _("The server could not complete the request (HTTP %u); it will be retried"),
                 reply->status);
  else if (reply->status == SOUP_STATUS_OK)
    /* Not JSON, over a bound of docs/PROTOCOL.md "Limits", or not an
     * object. */
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                         _("The server's answer is not in a form this program knows"));
  else
    g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                 _("The server refused the request (HTTP %u): %s"), reply->status,
                 reply->message != NULL ? reply->message : "");
}

void
stp_sync_set_unexpected (GError       **error,
                         const char    *message,
                         const GError  *detail)
{
  if (detail != NULL)
    g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER, "%s: %s", message, detail->message);
  else
    g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER, message);
}

const char *
stp_sync_optional_string (JsonObject *object,
                          const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* --- Certificate pinning ------------------------------------------------------ */

char *
stp_sync_normalize_fingerprint (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (g_ascii_isxdigit (*p))
      g_string_append_c (out, g_ascii_toupper (*p));
  return g_string_free (out, FALSE);
}

static char *
certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *checksum = NULL;

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;
  checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  return stp_sync_normalize_fingerprint (checksum);
}

/* Compares @peer with the pinned fingerprint.  Without a pin (enrollment
 * that trusts the certificate seen now), remembers the first one and
 * refuses a different one later in the same job. */
static gboolean
peer_is_pinned (StpSyncClient   *self,
                GTlsCertificate *peer)
{
  g_autofree char *seen = peer != NULL ? certificate_fingerprint (peer) : NULL;

  if (seen == NULL)
    {
      self->fingerprint_mismatch = TRUE;
      return FALSE;
    }
  if (self->fingerprint == NULL)
    {
      if (self->seen_fingerprint == NULL)
        self->seen_fingerprint = g_strdup (seen);
      if (g_str_equal (self->seen_fingerprint, seen))
        return TRUE;
      self->fingerprint_mismatch = TRUE;
      return FALSE;
    }
  if (g_str_equal (self->fingerprint, seen))
    return TRUE;
  self->fingerprint_mismatch = TRUE;
  return FALSE;
}

/* Runs only for certificates the system does not trust. */
static gboolean
on_accept_certificate (SoupMessage          *msg,
                       GTlsCertificate      *peer,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  return peer_is_pinned (STP_SYNC_CLIENT (user_data), peer);
}

typedef struct
{
  StpSyncClient *client;
  GCancellable  *request_cancellable;
} PinCheck;

/* Runs after every TLS handshake, also for certificates the system trusts
 * (a CA the system knows may have signed one for an impostor): the pin is
 * compared before the request, and its token, is written. */
static void
on_network_event (SoupMessage        *msg,
                  GSocketClientEvent  event,
                  GIOStream          *connection,
                  gpointer            user_data)
{
  PinCheck *check = user_data;

  if (event != G_SOCKET_CLIENT_TLS_HANDSHAKED || !G_IS_TLS_CONNECTION (connection))
    return;
  if (!peer_is_pinned (check->client, g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (connection))))
    g_cancellable_cancel (check->request_cancellable);
}

static void
on_outer_cancelled (GCancellable *cancellable,
                    gpointer      request_cancellable)
{
  g_cancellable_cancel (request_cancellable);
}

/* --- Requests ----------------------------------------------------------------- */

static SoupMessage *
new_message (StpSyncClient  *self,
             const char     *method,
             const char     *path,
             const char     *body,
             gsize           body_len,
             GError        **error)
{
  g_autofree char *uri = g_strconcat (self->url, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  if (msg == NULL)
    {
      g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_FAILED,
                   _("The server address “%s” is not valid"), self->url);
      return NULL;
    }
  /* libsoup opens a new connection (TCP and a TLS handshake) for every
   * POST not marked idempotent, and closes an idle one to make room: each
   * push would pay a handshake.  The flag only lets a request use the open
   * connection; libsoup itself never sends a POST twice, so one that meets
   * a connection the server has just closed fails, and the engine's next
   * try repeats it.  Every request but enrollment may be repeated with the
   * same effect (docs/PROTOCOL.md: a push's msg_ids, snapshot create,
   * chunk and commit; aggregates keep the newest). */
  if (!g_str_equal (path, "/v1/enroll"))
    soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
  if (self->token != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return msg;
}

/* Fills the status and the parsed body of an answer that came. */
static void
read_reply (SoupMessage  *msg,
            StpSyncReply *reply)
{
  const char *data;
  gsize len = 0;

  reply->status = soup_message_get_status (msg);
  data = g_bytes_get_data (reply->body, &len);
  if (len > 0)
    reply->json = stp_json_parse (data, len, NULL);
  if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json) && reply->status >= 300)
    {
      JsonObject *object = json_node_get_object (reply->json);

      /* An error answer of the wrong form is still an error: its code
       * and text are only left empty. */
      reply->error_code = g_strdup (stp_sync_optional_string (object, "error"));
      reply->message = g_strdup (stp_sync_optional_string (object, "message"));
      if (reply->message != NULL && strlen (reply->message) > 1024)
        reply->message[1024] = '\0';
    }
}

/* Reads the reply body, at most @max_bytes of it: past that it stops at
 * once (the request is cancelled, so the rest is neither kept nor read) and
 * sets @too_large.  NULL with @error on a transport error. */
static GBytes *
read_bounded (SoupMessage   *msg,
              GInputStream  *stream,
              gsize          max_bytes,
              GCancellable  *cancellable,
              gboolean      *too_large,
              GError       **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  g_autoptr(GByteArray) body = g_byte_array_new ();
  g_autofree guint8 *buffer = g_malloc (64 * 1024);
  gssize n;

  *too_large = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
               soup_message_headers_get_content_length (headers) > (goffset) max_bytes;
  while (!*too_large && (n = g_input_stream_read (stream, buffer, 64 * 1024, cancellable, error)) > 0)
    {
      if ((gsize) n > max_bytes - body->len)
        *too_large = TRUE;
      else
        g_byte_array_append (body, buffer, (guint) n);
    }
  if (*too_large)
    {
      /* Closing would read the rest to reuse the connection: cancel first. */
      g_cancellable_cancel (cancellable);
      g_input_stream_close (stream, cancellable, NULL);
      return NULL;
    }
  if (n < 0)
    return NULL;
  g_input_stream_close (stream, cancellable, NULL);
  return g_byte_array_free_to_bytes (g_steal_pointer (&body));
}

void
stp_sync_client_set_max_reply_bytes (StpSyncClient *self,
                                     gsize          max_bytes)
{
  g_return_if_fail (STP_IS_SYNC_CLIENT (self));
  self->max_reply_bytes = max_bytes;
}

gboolean
stp_sync_client_request (StpSyncClient  *self,
                         const char     *method,
                         const char     *path,
                         const char     *body,
                         gsize           body_len,
                         StpSyncReply   *reply,
                         GCancellable   *cancellable,
                         GError        **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GCancellable) request_cancellable = g_cancellable_new ();
  PinCheck check = { self, request_cancellable };
  gulong outer_handler = 0;
  GTlsCertificate *peer;
  gboolean too_large = FALSE;
  g_autofree char *size_text = NULL;

  g_return_val_if_fail (STP_IS_SYNC_CLIENT (self), FALSE);

  memset (reply, 0, sizeof *reply);
  msg = new_message (self, method, path, body, body_len, error);
  if (msg == NULL)
    return FALSE;
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (on_accept_certificate), self);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), &check);

  if (cancellable != NULL)
    outer_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_outer_cancelled),
                                           request_cancellable, NULL);
  {
    g_autoptr(GInputStream) stream = soup_session_send (self->session, msg, request_cancellable,
                                                        &local_error);

    if (stream != NULL)
      reply->body = read_bounded (msg, stream, self->max_reply_bytes, request_cancellable,
                                  &too_large, &local_error);
  }
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, outer_handler);
  g_signal_handlers_disconnect_by_data (msg, &check);
  /* A second guard, should a connection ever skip the handshake event. */
  peer = soup_message_get_tls_peer_certificate (msg);
  if (reply->body != NULL && !self->fingerprint_mismatch
      && (peer != NULL || g_str_has_prefix (self->url, "https:")))
    peer_is_pinned (self, peer);
  if (self->fingerprint_mismatch)
    g_clear_pointer (&reply->body, g_bytes_unref);
  if (reply->body == NULL)
    {
      if (self->fingerprint_mismatch)
        g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_CERTIFICATE,
                     _("The server presented a different certificate than the one this "
                       "computer trusts; ask the administrator"));
      else if (too_large)
        g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                     _("The server's answer is larger than %s; nothing was taken from it"),
                     size_text = g_format_size (self->max_reply_bytes));
      else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK,
                     _("The server cannot be reached: %s"), local_error->message);
      return FALSE;
    }
  read_reply (msg, reply);
  return TRUE;
}

gboolean
stp_sync_client_fetch_info (StpSyncClient  *self,
                            gsize          *max_body,
                            GCancellable   *cancellable,
                            GError        **error)
{
  StpSyncReply reply;
  StpSyncInfo info;
  gint64 before = stp_sync_client_now_millis (self);
  gint64 after;
  g_autoptr(GError) local_error = NULL;

  if (!stp_sync_client_request (self, SOUP_METHOD_GET, "/v1/info", NULL, 0, &reply, cancellable, error))
    return FALSE;
  after = stp_sync_client_now_millis (self);
  if (!stp_sync_reply_is_ok_object (&reply))
    {
      if (reply.status == SOUP_STATUS_OK)
        g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                             _("The address does not answer like a Stupeni server"));
      else
        stp_sync_reply_set_error (&reply, error);
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  if (!stp_sync_read_info (json_node_get_object (reply.json), &info, &local_error))
    {
      stp_sync_set_unexpected (error, _("The address does not answer like a Stupeni server"),
                               local_error);
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  if (info.protocol != STP_PROTOCOL_VERSION)
    {
      g_set_error_literal (error, STP_SYNC_ERROR, STP_SYNC_ERROR_SERVER,
                           _("The server speaks another protocol version; update the program or the server"));
      stp_sync_reply_clear (&reply);
      return FALSE;
    }
  if (info.server_millis > 0)
    {
      /* The server read its clock somewhere between before and after. */
      self->skew = (before + after) / 2 - info.server_millis;
      self->have_skew = TRUE;
    }
  if (max_body != NULL)
    *max_body = (gsize) info.max_body_bytes;
  stp_sync_reply_clear (&reply);
  return TRUE;
}

/* --- Object ------------------------------------------------------------------- */

const char *
stp_sync_client_get_url (StpSyncClient *self)
{
  g_return_val_if_fail (STP_IS_SYNC_CLIENT (self), NULL);
  return self->url;
}

void
stp_sync_client_set_token (StpSyncClient *self,
                           const char    *token)
{
  g_return_if_fail (STP_IS_SYNC_CLIENT (self));

  g_free (self->token);
  self->token = g_strdup (token);
}

const char *
stp_sync_client_get_fingerprint (StpSyncClient *self)
{
  g_return_val_if_fail (STP_IS_SYNC_CLIENT (self), NULL);
  return self->fingerprint != NULL ? self->fingerprint : self->seen_fingerprint;
}

gint64
stp_sync_client_now_millis (StpSyncClient *self)
{
  return (g_get_real_time () + self->clock_offset) / 1000;
}

gboolean
stp_sync_client_get_skew (StpSyncClient *self,
                          gint64        *skew)
{
  g_return_val_if_fail (STP_IS_SYNC_CLIENT (self), FALSE);

  if (skew != NULL)
    *skew = self->have_skew ? self->skew : 0;
  return self->have_skew;
}

static void
stp_sync_client_finalize (GObject *object)
{
  StpSyncClient *self = STP_SYNC_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->url);
  g_free (self->token);
  g_free (self->fingerprint);
  g_free (self->seen_fingerprint);
  G_OBJECT_CLASS (stp_sync_client_parent_class)->finalize (object);
}

static void
stp_sync_client_class_init (StpSyncClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_sync_client_finalize;
}

static void
stp_sync_client_init (StpSyncClient *self)
{
  self->max_reply_bytes = STP_SYNC_MAX_REPLY_BYTES;
}

StpSyncClient *
stp_sync_client_new (const char   *url,
                     const char   *token,
                     const char   *fingerprint,
                     GTlsDatabase *tls_database,
                     gint64        clock_offset)
{
  StpSyncClient *self;

  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (tls_database == NULL || G_IS_TLS_DATABASE (tls_database), NULL);

  self = g_object_new (STP_TYPE_SYNC_CLIENT, NULL);
  self->session = soup_session_new_with_options ("timeout", 120,
                                                 "idle-timeout", 60,
                                                 "user-agent", "stupeni/" PACKAGE_VERSION,
                                                 NULL);
  if (tls_database != NULL)
    soup_session_set_tls_database (self->session, tls_database);
  self->url = g_strdup (url);
  self->token = g_strdup (token);
  self->fingerprint = fingerprint != NULL ? stp_sync_normalize_fingerprint (fingerprint) : NULL;
  self->clock_offset = clock_offset;
  return self;
}
