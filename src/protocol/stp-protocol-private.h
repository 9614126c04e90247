/* stp-protocol-private.h: strict JSON member readers shared by the protocol files. */
#pragma once

#include "stp-protocol.h"

G_BEGIN_DECLS

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
gboolean     stp_is_valid_id          (const char  *id);

G_END_DECLS
