/* stp-sync-client.h: one HTTP session with the regional server for one
 * job of the sync engine: the request, the certificate pin, the server's
 * clock and error answers put in words.
 *
 * A client is made on the main thread for one job and then used by that
 * job's threads one request at a time (a push sends while its helper
 * threads only touch the database).  The pin is compared after every TLS
 * handshake, also for certificates the system trusts; once a certificate
 * did not match, every later request of the client fails too. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* One answer of the server. */
typedef struct
{
  guint      status;
  GBytes    *body;
  JsonNode  *json;         /* when the body parsed as JSON */
  char      *error_code;   /* "error" of an error answer */
  char      *message;      /* "message" of an error answer */
} StpSyncReply;

void           stp_sync_reply_clear            (StpSyncReply   *reply);
/* TRUE for a 200 whose body is a JSON object. */
gboolean       stp_sync_reply_is_ok_object     (const StpSyncReply *reply);
/* Turns an error answer into a translated StpSyncError. */
void           stp_sync_reply_set_error        (const StpSyncReply *reply,
                                                GError        **error);
/* A 200 in a form the endpoint never answers (a member missing or of the
 * wrong type, a count out of range): STP_SYNC_ERROR_SERVER with @message
 * (translated) and @detail's message.  Nothing of the reply may be used. */
void           stp_sync_set_unexpected         (GError        **error,
                                                const char     *message,
                                                const GError   *detail);
/* The member @name of @object if it is a string, else NULL (for the
 * optional members of error answers). */
const char    *stp_sync_optional_string        (JsonObject     *object,
                                                const char     *name);

/* Upper-case hexadecimal digits only ("aa:bb" -> "AABB"). */
char          *stp_sync_normalize_fingerprint  (const char     *text);

#define STP_TYPE_SYNC_CLIENT (stp_sync_client_get_type ())

G_DECLARE_FINAL_TYPE (StpSyncClient, stp_sync_client, STP, SYNC_CLIENT, GObject)

/* @fingerprint: the pinned SHA-256 of the server certificate, or NULL to
 * pin the first one seen.  @tls_database: the authorities to trust
 * instead of the system's (tests), or NULL.  @clock_offset: the store's
 * clock minus the real time, in microseconds. */
StpSyncClient *stp_sync_client_new             (const char     *url,
                                                const char     *token,
                                                const char     *fingerprint,
                                                GTlsDatabase   *tls_database,
                                                gint64          clock_offset);
const char    *stp_sync_client_get_url         (StpSyncClient  *self);
/* The bearer token of later requests (enrollment gets one midway). */
void           stp_sync_client_set_token       (StpSyncClient  *self,
                                                const char     *token);
/* Replies longer than this are refused while they arrive, before any of
 * them is parsed: stp_json_parse()'s own bound (64 MiB), far above a pull
 * page (8 MiB asked) or a snapshot chunk. */
#define STP_SYNC_MAX_REPLY_BYTES (64 * 1024 * 1024)
void           stp_sync_client_set_max_reply_bytes (StpSyncClient *self,
                                                    gsize          max_bytes);
/* The pinned fingerprint, or the one seen first when none was given. */
const char    *stp_sync_client_get_fingerprint (StpSyncClient  *self);
/* The store's clock, in milliseconds. */
gint64         stp_sync_client_now_millis      (StpSyncClient  *self);
/* Local clock minus the server's, in milliseconds; FALSE until
 * stp_sync_client_fetch_info() learned it. */
gboolean       stp_sync_client_get_skew        (StpSyncClient  *self,
                                                gint64         *skew);

/* Sends one request (@body is JSON, or NULL); FALSE only when no HTTP
 * answer came (network, TLS, certificate, cancelled).  @reply is always
 * filled and must be cleared with stp_sync_reply_clear(). */
gboolean       stp_sync_client_request         (StpSyncClient  *self,
                                                const char     *method,
                                                const char     *path,
                                                const char     *body,
                                                gsize           body_len,
                                                StpSyncReply   *reply,
                                                GCancellable   *cancellable,
                                                GError        **error);
/* GET /v1/info: checks the protocol version, learns the clock skew and
 * the server's largest body (0 when it names none; @max_body may be
 * NULL). */
gboolean       stp_sync_client_fetch_info      (StpSyncClient  *self,
                                                gsize          *max_body,
                                                GCancellable   *cancellable,
                                                GError        **error);

G_END_DECLS
