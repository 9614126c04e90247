/* stp-sync-snapshot.h: the file side of snapshots: a database file
 * compressed with zstd and hashed with BLAKE2b-256 on the way out, and
 * decompressed, bounded and hashed on the way in (docs/PROTOCOL.md,
 * "Snapshots").  No network, no SQL. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Compresses @db_path into @out_path (replaced); @hash receives the
 * BLAKE2b-256 of @db_path's bytes. */
gboolean           stp_sync_snapshot_compress   (const char   *db_path,
                                                 const char   *out_path,
                                                 guint8        hash[32],
                                                 gint64       *raw_bytes,
                                                 gint64       *packed_bytes,
                                                 GError      **error);

/* Decompresses what it is fed into a new file; more than @max_bytes of
 * output, a damaged stream or a stream that does not end with the last
 * piece is an error. */
typedef struct _StpSnapshotWriter StpSnapshotWriter;

StpSnapshotWriter *stp_snapshot_writer_new      (const char         *path,
                                                 gint64              max_bytes,
                                                 GError            **error);
gboolean           stp_snapshot_writer_feed     (StpSnapshotWriter  *writer,
                                                 const guint8       *data,
                                                 gsize               len,
                                                 GError            **error);
/* Closes the file; @hash and @raw_bytes describe what was written. */
gboolean           stp_snapshot_writer_finish   (StpSnapshotWriter  *writer,
                                                 guint8              hash[32],
                                                 gint64             *raw_bytes,
                                                 GError            **error);
void               stp_snapshot_writer_free     (StpSnapshotWriter  *writer);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpSnapshotWriter, stp_snapshot_writer_free)

G_END_DECLS
