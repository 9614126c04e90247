/* stp-sync-store-private.h: what the files of the sync store share
 * (stp-sync-store.c: outbox, cursor, counts, canonical hash, audit;
 * stp-sync-store-apply.c: applying pulled changes; stp-sync-store-conflicts.c;
 * stp-sync-store-snapshot.c).  Only for src/core. */
#pragma once

#include "stp-store-private.h"

G_BEGIN_DECLS

/* The outbox rows through this id were acknowledged by the server and are
 * removed at the end of the push (stp_sync_store_compact_outbox()). */
#define META_OUTBOX_ACKED "outbox.acked_through"

/* The text of column @col, or NULL for SQL NULL. */
char       *_stp_sync_store_column_text  (sqlite3_stmt       *stmt,
                                          int                 col);
/* Binds @text (copied), or NULL. */
void        _stp_sync_store_bind_text    (sqlite3_stmt       *stmt,
                                          int                 idx,
                                          const char         *text);
/* The column a change names, validated against the descriptors; NULL when
 * this version does not know it.  Only names returned here are put into
 * SQL text. */
const char *_stp_sync_store_known_column (const StpKindInfo  *info,
                                          const char         *field);
/* One step of @stmt (a row or the end are fine), then a reset. */
gboolean    _stp_sync_store_step         (StpStore           *store,
                                          sqlite3_stmt       *stmt,
                                          GError            **error);
gboolean    _stp_sync_store_write_cursor (StpStore           *store,
                                          const char         *cursor_key,
                                          gint64              cursor,
                                          GError            **error);

G_END_DECLS
