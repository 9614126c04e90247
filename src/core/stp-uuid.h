/* stp-uuid.h: time-ordered UUIDs (version 7) made on the device. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A new UUIDv7 in the canonical lower-case text form. */
char *stp_uuid_new_v7 (void);
/* The same for a given time in microseconds since the epoch. */
char *stp_uuid_new_v7_at (gint64 usec);

G_END_DECLS
