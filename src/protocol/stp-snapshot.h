/* stp-snapshot.h: sealing of database snapshots (docs/PROTOCOL.md,
 * "Snapshots").
 *
 * A snapshot is a compressed copy of a device's database, cut into chunks
 * that are each sealed with XChaCha20-Poly1305 under the center data key,
 * plus a sealed manifest that says what the chunks make.  The additional
 * data names the center, the snapshot, the chunk's index and the number of
 * chunks, so the server can neither swap, reorder, drop nor relabel them.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Bytes a sealed chunk has beyond its plaintext: the nonce and the tag. */
#define STP_SNAPSHOT_SEAL_OVERHEAD (24 + 16)
/* Index of the manifest among a snapshot's sealed parts. */
#define STP_SNAPSHOT_MANIFEST      (-1)
#define STP_SNAPSHOT_MAX_CHUNKS    100000
#define STP_SNAPSHOT_FORMAT        "sqlite-zstd"

/* @index is 0 .. @n_chunks - 1, or STP_SNAPSHOT_MANIFEST.  The result is
 * nonce || ciphertext (with its tag). */
GBytes   *stp_snapshot_seal  (const guint8 *key,
                              const char   *center,
                              const char   *snapshot,
                              gint64        index,
                              gint64        n_chunks,
                              const guint8 *data,
                              gsize         len,
                              GError      **error);
GBytes   *stp_snapshot_open  (const guint8 *key,
                              const char   *center,
                              const char   *snapshot,
                              gint64        index,
                              gint64        n_chunks,
                              const guint8 *data,
                              gsize         len,
                              GError      **error);

typedef struct
{
  char    *format;         /* STP_SNAPSHOT_FORMAT */
  gint64   schema;         /* the database's schema version */
  gint64   seq;            /* every envelope up to this seq is in it */
  gint64   chunks;
  gint64   raw_bytes;      /* size of the database file */
  guint8   hash[32];       /* BLAKE2b-256 of the database file */
  char    *device;         /* the device that made it */
  guint64  hlc;            /* its clock when it made it */
} StpSnapshotManifest;

void      stp_snapshot_manifest_clear     (StpSnapshotManifest *manifest);
char     *stp_snapshot_manifest_to_json   (const StpSnapshotManifest *manifest);
/* Strict: exactly the members above, in range; else STP_PROTOCOL_ERROR. */
gboolean  stp_snapshot_manifest_from_json (StpSnapshotManifest *manifest,
                                           const char          *json,
                                           gsize                len,
                                           GError             **error);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (StpSnapshotManifest, stp_snapshot_manifest_clear)

G_END_DECLS
