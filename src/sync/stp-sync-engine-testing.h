/* stp-sync-engine-testing.h: knobs of the sync engine for the tests and the
 * benchmark; the program never turns them. */
#pragma once

#include "stp-sync-engine.h"

G_BEGIN_DECLS

/* The largest push body (0: the server's limit). */
void           stp_sync_engine_set_batch_bytes   (StpSyncEngine   *self,
                                                  gsize            bytes);
/* The most batches asked for in one pull page. */
void           stp_sync_engine_set_pull_limit    (StpSyncEngine   *self,
                                                  guint            limit);
/* A new snapshot is made once the log since the newest one is at least
 * @min_bytes long (and half that snapshot's size); 0 makes none. */
void           stp_sync_engine_set_snapshot_min_bytes (StpSyncEngine *self,
                                                       gsize          min_bytes);
/* A push of at least @changes changes starts the copy for a snapshot
 * beside it (0: never). */
void           stp_sync_engine_set_early_copy_min_changes (StpSyncEngine *self,
                                                           guint          changes);
/* Cheaper argon2id for tests (never in the program). */
void           stp_sync_engine_set_fast_kdf      (StpSyncEngine   *self,
                                                  gboolean         fast);
/* Called on the worker thread after each applied chunk. */
typedef void (*StpSyncPageHook) (guint chunks_applied, gpointer user_data);
void           stp_sync_engine_set_page_hook     (StpSyncEngine   *self,
                                                  StpSyncPageHook  hook,
                                                  gpointer         user_data);

/* The certificate authorities to trust instead of the system's.  A pinned
 * fingerprint is compared whether or not they trust the server. */
void           stp_sync_engine_set_tls_database  (StpSyncEngine   *self,
                                                  GTlsDatabase    *database);

G_END_DECLS
