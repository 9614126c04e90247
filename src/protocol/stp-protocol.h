/* stp-protocol.h: the sync wire format shared by the desktop and the server.
 *
 * Everything here is pure data handling: HLC helpers, strict base64, a
 * canonical JSON serialization, the envelope (stp-envelope.h) and the
 * wrapped center key (stp-wrapped-key.h).  See docs/PROTOCOL.md.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define STP_PROTOCOL_VERSION 1

#define STP_PROTOCOL_ERROR (stp_protocol_error_quark ())

typedef enum
{
  STP_PROTOCOL_ERROR_INVALID = 0,        /* malformed JSON, wrong type, missing field */
  STP_PROTOCOL_ERROR_UNSUPPORTED_VERSION, /* "v" is not STP_PROTOCOL_VERSION */
  STP_PROTOCOL_ERROR_TOO_LARGE,          /* a value is over its limit */
  STP_PROTOCOL_ERROR_DECRYPT,            /* wrong key, or envelope/key tampered with */
  STP_PROTOCOL_ERROR_WRONG_PASSPHRASE,   /* the center passphrase does not match */
  STP_PROTOCOL_ERROR_CRYPTO,             /* libsodium failed (out of memory, init) */
} StpProtocolError;

GQuark      stp_protocol_error_quark   (void);

gboolean    stp_protocol_init          (GError      **error);

/* Hybrid logical clock values: upper 48 bits milliseconds since the Unix
 * epoch, lower 16 bits a counter. */
#define STP_HLC_MAKE(millis, counter) ((((guint64) (millis)) << 16) | ((guint64) (counter) & 0xffff))
#define STP_HLC_MILLIS(hlc)           (((guint64) (hlc)) >> 16)
#define STP_HLC_COUNTER(hlc)          ((guint16) (((guint64) (hlc)) & 0xffff))

char       *stp_hlc_to_string          (guint64       hlc);
gboolean    stp_hlc_parse              (const char   *text,
                                        guint64      *hlc,
                                        GError      **error);

/* Base64 (standard alphabet, with padding).  Decoding is strict: any
 * character outside the alphabet, bad padding or a non-canonical form is an
 * error, and so is a decoded length over @max_len. */
char       *stp_base64_encode          (const guint8 *data,
                                        gsize         len);
GBytes     *stp_base64_decode          (const char   *text,
                                        gsize         max_len,
                                        GError      **error);

/* Canonical JSON: object members sorted by key (byte order), no
 * whitespace, integers in decimal.  Used for the envelope additional data
 * and for what the server stores. */
char       *stp_json_canonicalize      (JsonNode     *node);

/* Bounds on JSON read from outside (docs/PROTOCOL.md, "Limits").  The
 * text is scanned against them before json-glib sees it, so its
 * recursive parser never goes deeper than @max_depth and never builds more
 * than @max_values nodes.  Strings and other tokens are counted in bytes
 * as written (escapes included). */
typedef struct
{
  gsize max_bytes;      /* the whole text */
  guint max_depth;      /* nesting of arrays and objects; 1 = "[]" */
  gsize max_string;     /* one string, member name, number or literal */
  guint max_elements;   /* members of one object or elements of one array */
  guint max_values;     /* values in the whole text */
} StpJsonLimits;

#define STP_JSON_MAX_DEPTH 64

/* What stp_json_parse() allows: 64 MiB, depth 64, 1 000 000 values. */
extern const StpJsonLimits stp_json_default_limits;

/* Checks @data against @limits without building anything: an over-limit
 * value is STP_PROTOCOL_ERROR_TOO_LARGE, bad UTF-8 STP_PROTOCOL_ERROR_INVALID.
 * Syntax is left to the parser. */
gboolean    stp_json_check_limits      (const char          *data,
                                        gsize                len,
                                        const StpJsonLimits *limits,
                                        GError             **error);

/* Parses @data (not necessarily NUL-terminated) as one JSON value, within
 * @limits (NULL: stp_json_default_limits).  Every parse of outside input
 * goes through here. */
JsonNode   *stp_json_parse_bounded     (const char          *data,
                                        gsize                len,
                                        const StpJsonLimits *limits,
                                        GError             **error);
/* The same with stp_json_default_limits. */
JsonNode   *stp_json_parse             (const char   *data,
                                        gsize         len,
                                        GError      **error);

/* Strict readers of one object member: a missing member, a wrong JSON type
 * or a value over the limit is an STP_PROTOCOL_ERROR, never a crash.
 * Every value from outside the process (server replies, batches, files)
 * is read through these or with the same checks: json-glib's own
 * json_object_get_*_member() getters assert the type (a GLib critical)
 * and must not see such input. */
gboolean     stp_json_check_members   (JsonObject  *object,
                                       const char * const *allowed,
                                       GError     **error);
const char  *stp_json_get_string      (JsonObject  *object,
                                       const char  *name,
                                       gsize        max_len,
                                       GError     **error);
gboolean     stp_json_get_int         (JsonObject  *object,
                                       const char  *name,
                                       gint64       min,
                                       gint64       max,
                                       gint64      *value,
                                       GError     **error);
gboolean     stp_json_get_fixed_bytes (JsonObject  *object,
                                       const char  *name,
                                       guint8      *out,
                                       gsize        len,
                                       GError     **error);
gboolean     stp_json_get_bool        (JsonObject  *object,
                                       const char  *name,
                                       gboolean    *value,
                                       GError     **error);
/* An array of at most @max_len elements; borrowed from @object. */
JsonArray   *stp_json_get_array       (JsonObject  *object,
                                       const char  *name,
                                       guint        max_len,
                                       GError     **error);
JsonObject  *stp_json_get_object      (JsonObject  *object,
                                       const char  *name,
                                       GError     **error);
/* @node itself as an object (a reply's root, an array element, named
 * @what in the error); NULL with an error when it is anything else or
 * NULL. */
JsonObject  *stp_json_node_object     (JsonNode    *node,
                                       const char  *what,
                                       GError     **error);
gboolean     stp_is_valid_id          (const char  *id);

/* Raw deflate (RFC 1951, no zlib or gzip header) of @data at @level
 * (1 fastest .. 9 smallest), through GIO's GZlibCompressor.  For the
 * sync layer's batch plaintext (docs/PROTOCOL.md, "Change batches"). */
GBytes      *stp_deflate              (const guint8 *data,
                                       gsize         len,
                                       int           level);
/* Inflates the raw deflate stream @data.  Bounded: output beyond @max_len
 * bytes stops it with STP_PROTOCOL_ERROR_TOO_LARGE before more memory is
 * taken; a damaged or truncated stream, or bytes after its end, give
 * STP_PROTOCOL_ERROR_INVALID. */
GBytes      *stp_inflate              (const guint8 *data,
                                       gsize         len,
                                       gsize         max_len,
                                       GError      **error);

/* The device code in file numbers (DESIGN.md, Local store) for the device
 * number the server gives at enrollment (1, 2, … per center): "01" to
 * "99", then a letter and a letter or digit ("A2", …), never "00" (the
 * code of a center's only computer before enrollment).  NULL when @number
 * is outside 1..STP_DEVICE_NUMBER_MAX. */
#define STP_DEVICE_NUMBER_MAX 915
char        *stp_device_code_for_number (gint64      number);

G_END_DECLS
