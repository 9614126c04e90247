/* stp-sync-exchange.h: syncing through a file («Обмен через файл») for a
 * center without internet (docs/PROTOCOL.md, "Exchange files").
 *
 * A computer writes its outgoing changes, sealed under the center key as
 * for the server, into one file; another computer of the center, or the
 * regional server (`stupeni-server import`), reads it.  A file the server
 * wrote (`stupeni-server export`) is read the same way.  Reading a file
 * applies its changes with the same merge and conflict rules as a pull, so
 * reading it twice, or after the same batches came through the server,
 * changes nothing further. */
#pragma once

#include "stp-sync-engine.h"

G_BEGIN_DECLS

/* Writes the changes this computer has not yet sent to a server (its
 * outbox, which the file does not empty) into @path.  Needs an enrolled
 * engine (the center key). */
void     stp_sync_engine_export_file_async  (StpSyncEngine        *self,
                                             const char           *path,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* @out_changes: how many changes the file holds. */
gboolean stp_sync_engine_export_file_finish (StpSyncEngine        *self,
                                             GAsyncResult         *result,
                                             guint                *out_changes,
                                             GError              **error);

/* Checks the whole file (its center, every batch decrypted and read), and
 * only then applies it.  A file written by the server moves the pull
 * cursor over the seqs it holds without a gap after the cursor. */
void     stp_sync_engine_import_file_async  (StpSyncEngine        *self,
                                             const char           *path,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* @out_changes: the changes read from other computers (this computer's own
 * coming back are not counted). */
gboolean stp_sync_engine_import_file_finish (StpSyncEngine        *self,
                                             GAsyncResult         *result,
                                             guint                *out_changes,
                                             GError              **error);

G_END_DECLS
