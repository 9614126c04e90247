/* stp-server-exchange.h: `stupeni-server import FILE` and
 * `stupeni-server export CENTER_ID --after SEQ FILE`: exchange files of
 * sealed batches for centers without internet (docs/PROTOCOL.md,
 * "Exchange files").  The server reads and writes envelopes only; it never
 * opens one. */
#pragma once

#include "stp-server-store.h"

G_BEGIN_DECLS

/* Stores every envelope of the file in one transaction (an envelope the
 * center already has keeps its seq), or none.  Exit status for main(). */
int stp_server_exchange_import (StpServerStore *store,
                                const char     *path);
/* Writes the center's envelopes after seq @after into @path. */
int stp_server_exchange_export (StpServerStore *store,
                                const char     *center,
                                gint64          after,
                                const char     *path);

G_END_DECLS
