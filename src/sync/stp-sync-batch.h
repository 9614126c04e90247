/* stp-sync-batch.h: the plaintext of an envelope, a batch of changes
 * (docs/PROTOCOL.md, "Change batches"). */
#pragma once

#include <glib.h>

#include "stp-change.h"

G_BEGIN_DECLS

/* Format 2, compressed; NULL when the batch would inflate past what a
 * reader accepts.  @max_hlc gets the newest change's HLC. */
GBytes    *stp_sync_batch_encode (GPtrArray     *changes,
                                  guint64       *max_hlc);
/* Any format this version reads, strictly: StpChange, owned. */
GPtrArray *stp_sync_batch_decode (const guint8  *data,
                                  gsize          len,
                                  GError       **error);
/* Tests only: read format @format (0: none) as if it were format 2, to
 * stand for a newer program that reads a batch this one parked. */
void       stp_sync_batch_set_extra_format_for_tests (guint format);
/* "<device>.<24 hex digits of the plaintext's BLAKE2b hash>". */
char      *stp_sync_batch_msg_id (const char    *device,
                                  GBytes        *plaintext);

G_END_DECLS
