/* stp-import-private.h: what stp-import.c and stp-import-csv.c share.
 * Not for other layers. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sets an STP_CORE_ERROR_INVALID error with @message. */
G_GNUC_INTERNAL
void stp_import_set_refused (GError     **error,
                             const char  *message);

G_END_DECLS
