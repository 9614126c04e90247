/* stp-sync-replies.h: reading the JSON answers of the regional server
 * (docs/PROTOCOL.md, "Endpoints") without the network.  Every member is
 * type-checked and every number checked against its range before the
 * engine uses it; anything else is an STP_PROTOCOL_ERROR naming the
 * member, and the outputs are then not to be used.  The engine turns
 * those into STP_SYNC_ERROR_SERVER; tests/fuzz/fuzz-sync-reply.c feeds
 * them arbitrary text. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* GET /v1/info; "server_millis" and "max_body_bytes" are 0 when absent
 * (an older server). */
typedef struct
{
  gint64 protocol;
  gint64 server_millis;
  gint64 max_body_bytes;
} StpSyncInfo;

gboolean stp_sync_read_info        (JsonObject         *object,
                                    StpSyncInfo        *info,
                                    GError            **error);

/* POST /v1/enroll; with @check (the answer to "check": true) only the
 * center, its name and the key are read. */
typedef struct
{
  char   *center;
  char   *center_name;
  char   *device;
  char   *token;
  gint64  device_number;      /* 0 from an older server */
  char   *wrapped_key;        /* JSON text of the "key" object, or NULL */
} StpSyncEnrollment;

gboolean stp_sync_read_enrollment  (JsonObject         *object,
                                    gboolean            check,
                                    StpSyncEnrollment  *out,
                                    GError            **error);
void     stp_sync_enrollment_clear (StpSyncEnrollment  *enrollment);

/* The "key" member (GET …/key, enrollment): an object, as JSON text, or
 * NULL for null or absent. */
gboolean stp_sync_read_wrapped_key (JsonObject         *object,
                                    char              **json,
                                    GError            **error);

/* GET …/pull?after=@cursor: "envelopes" an array of objects, each with an
 * "envelope" object and a "seq" ascending after @cursor; "last_seq" the
 * last of them, or @cursor when there are none; "more" a boolean.
 * @envelopes is borrowed from @object. */
gboolean stp_sync_read_pull_page   (JsonObject         *object,
                                    gint64              cursor,
                                    JsonArray         **envelopes,
                                    gint64             *last_seq,
                                    gboolean           *more,
                                    GError            **error);

/* POST …/push of one envelope: *@code (borrowed) when the server refused
 * it, else *@seq ≥ 1, or 0 when the result has no seq. */
gboolean stp_sync_read_push_result (JsonObject         *object,
                                    const char        **code,
                                    gint64             *seq,
                                    GError            **error);

/* GET …/snapshots/latest. */
typedef struct
{
  gboolean  supported;     /* the server knows snapshots */
  gboolean  have;          /* it has one */
  char     *id;
  gint64    seq;
  gint64    chunks;
  gint64    bytes;
  char     *manifest;      /* base64 of the sealed manifest */
  gint64    head;
  gint64    log_bytes_after;
} StpSyncLatest;

gboolean stp_sync_read_latest      (JsonObject         *object,
                                    StpSyncLatest      *latest,
                                    GError            **error);
void     stp_sync_latest_clear     (StpSyncLatest      *latest);

G_END_DECLS
