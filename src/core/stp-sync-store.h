/* stp-sync-store.h: the store side of sync: the outbox, applying remote
 * changes (per-field last-writer-wins with conflict rows), the pull cursor,
 * parked changes and conflicts (DESIGN.md, Sync).  No network here. */
#pragma once

#include "stp-store.h"
#include "stp-change.h"

G_BEGIN_DECLS

typedef struct
{
  guint applied;      /* changes that became the current value */
  guint ignored;      /* older than the current value, or already applied */
  guint conflicts;    /* conflict rows written */
  guint parked;       /* unknown table or field: kept for a newer version */
} StpApplyStats;

typedef struct
{
  gint64   id;
  char    *table;
  char    *row_id;
  char    *field;
  char    *field_label;     /* untranslated label from the descriptor, or the name */
  char    *winner_value;    /* NULL for an empty value, or when hidden */
  guint64  winner_hlc;
  char    *winner_device;
  char    *loser_value;
  guint64  loser_hlc;
  char    *loser_device;
  gint64   winner_usec;     /* wall time of the edits, from the HLCs */
  gint64   loser_usec;
  char    *detected_at;     /* UTC ISO 8601 */
  char    *resident_id;     /* the row itself or its resident_id, or NULL */
  char    *resident_name;   /* "Surname Name Patronymic", or NULL */
  gboolean hidden;          /* health field the session may not read */
  char    *resolved_at;     /* UTC ISO 8601, NULL while open */
  char    *resolved_by;     /* login; NULL when settled by a change from another computer */
  char    *current_value;   /* resolved ones: the field's value now (NULL when empty or hidden) */
} StpConflict;

void        stp_conflict_free                (StpConflict *conflict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpConflict, stp_conflict_free)

/* Unacknowledged local changes, oldest first, at most @max_rows and about
 * @max_bytes of wire size (always at least one when any).  StpChange items. */
GPtrArray  *stp_sync_store_peek_outbox       (StpStore       *store,
                                              gsize           max_bytes,
                                              guint           max_rows,
                                              GError        **error);
/* The same, of the rows after outbox id @after_id only. */
GPtrArray  *stp_sync_store_peek_outbox_after (StpStore       *store,
                                              gint64          after_id,
                                              gsize           max_bytes,
                                              guint           max_rows,
                                              GError        **error);
/* Removes outbox rows: call only once the server gave them a seq. */
gboolean    stp_sync_store_ack_outbox        (StpStore       *store,
                                              const gint64   *outbox_ids,
                                              guint           n,
                                              GError        **error);
/* The same, and saves @new_cursor under @cursor_key (NULL: leave it) in the
 * same transaction. */
gboolean    stp_sync_store_ack_outbox_at     (StpStore       *store,
                                              const gint64   *outbox_ids,
                                              guint           n,
                                              const char     *cursor_key,
                                              gint64          new_cursor,
                                              GError        **error);
/* Applies @changes (StpChange) and saves @new_cursor under @cursor_key (may
 * be NULL to leave the cursor alone) in one transaction.  Never writes to
 * the outbox.  Unknown tables or fields are parked, not errors. */
gboolean    stp_sync_store_apply_page        (StpStore       *store,
                                              GPtrArray      *changes,
                                              const char     *cursor_key,
                                              gint64          new_cursor,
                                              StpApplyStats  *out,
                                              GError        **error);
/* Moves this connection's clock past @hlc (the newest remote change another
 * connection applied), so that later local edits order after it. */
void        stp_sync_store_observe_hlc       (StpStore       *store,
                                              guint64         hlc);
/* The pull cursor (0 when never set). */
gint64      stp_sync_store_get_cursor        (StpStore       *store,
                                              const char     *cursor_key);
gboolean    stp_sync_store_set_cursor        (StpStore       *store,
                                              const char     *cursor_key,
                                              gint64          cursor,
                                              GError        **error);
/* Open (unresolved) conflicts, newest first.  Needs READ_CARD; values of
 * health fields are hidden without READ_RESTRICTED. */
GPtrArray  *stp_sync_store_list_conflicts    (StpStore       *store,
                                              StpSession     *session,
                                              GError        **error);
/* Conflicts resolved at or after @since_usec (here, or settled by the
 * change another computer wrote when someone resolved it there), newest
 * first. */
GPtrArray  *stp_sync_store_list_resolved_conflicts (StpStore  *store,
                                                    StpSession *session,
                                                    gint64     since_usec,
                                                    GError   **error);
gsize       stp_sync_store_count_conflicts   (StpStore       *store);
/* Marks the conflict resolved and writes the chosen value (the losing one
 * with @keep_loser, else the one in effect) as a new local change, so the
 * choice syncs and settles the same conflict on the other computers.
 * Needs EDIT_CARE. */
gboolean    stp_sync_store_resolve_conflict  (StpStore       *store,
                                              StpSession     *session,
                                              gint64          conflict_id,
                                              gboolean        keep_loser,
                                              GError        **error);
/* Rows in the outbox. */
/* Marks every outbox row through @last_id as acknowledged (and moves the
 * cursor, as stp_sync_store_ack_outbox_at()), without removing them yet:
 * peeking and counting skip them from now on.  Only for acknowledgements
 * of the outbox from its start, in order (a push). */
gboolean    stp_sync_store_ack_outbox_through (StpStore      *store,
                                               gint64         last_id,
                                               const char    *cursor_key,
                                               gint64         new_cursor,
                                               GError       **error);
/* Removes the rows marked acknowledged: the whole table at once when
 * nothing (or little) was saved since, which costs a fraction of removing
 * a million rows one by one. */
gboolean    stp_sync_store_compact_outbox     (StpStore      *store,
                                               GError       **error);
gsize       stp_sync_store_count_pending     (StpStore       *store);
gsize       stp_sync_store_count_parked      (StpStore       *store);
/* SHA-256 (hex) over every synced table, row, field and value in sorted
 * order; equal on devices that hold the same data. */
char       *stp_sync_store_canonical_hash    (StpStore       *store);
/* Applies the parked changes this version now knows. */
gboolean    stp_sync_store_retry_parked      (StpStore       *store,
                                              GError        **error);
/* Parked batches (schema 8): batches from other devices of the center that
 * authenticated but could not be read (docs/ARCHITECTURE.md, "Parking"). */
typedef struct
{
  gint64  id;
  gint64  seq;
  char   *device;
  char   *key_id;
  char   *envelope;      /* JSON, still sealed */
  char   *reason;
} StpParkedBatch;

void        stp_parked_batch_free            (StpParkedBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpParkedBatch, stp_parked_batch_free)

/* Keeps the batch of @seq (a second time changes only the reason) and
 * saves @new_cursor under @cursor_key (NULL: leave it) in one transaction. */
gboolean    stp_sync_store_park_batch        (StpStore       *store,
                                              gint64          seq,
                                              const char     *device,
                                              const char     *key_id,
                                              const char     *envelope_json,
                                              const char     *reason,
                                              const char     *cursor_key,
                                              gint64          new_cursor,
                                              GError        **error);
/* Every parked batch, in seq order: StpParkedBatch, owned. */
GPtrArray  *stp_sync_store_list_parked_batches (StpStore     *store,
                                                GError      **error);
/* Records why the batch still could not be read. */
gboolean    stp_sync_store_set_parked_batch_reason (StpStore  *store,
                                                    gint64     id,
                                                    const char *reason,
                                                    GError   **error);
/* Applies @changes, read from the parked batch @id at last, and removes
 * the batch, in one transaction. */
gboolean    stp_sync_store_apply_parked_batch (StpStore      *store,
                                               gint64         id,
                                               GPtrArray     *changes,
                                               StpApplyStats *out,
                                               GError       **error);
gsize       stp_sync_store_count_parked_batches (StpStore    *store);
/* Writes the "sync" audit event of one sync run, by the system (a run has
 * no user).  @detail holds counts or an error code, never personal data. */
gboolean    stp_sync_store_audit_run         (StpStore       *store,
                                              const char     *detail,
                                              GError        **error);

/* Snapshots (a new computer starts from another's file instead of the
 * whole log).  Writes a copy of the database to @path (replaced) without
 * this computer's own tables (meta, settings, outbox, audit log, failed
 * logins); *@seq_out is the pull cursor it holds and *@hlc_out the clock.
 * A file with unsent changes gives no snapshot: TRUE with *@seq_out -1. */
gboolean    stp_sync_store_write_snapshot    (StpStore       *store,
                                              const char     *path,
                                              const char     *cursor_key,
                                              gint64         *seq_out,
                                              guint64        *hlc_out,
                                              GError        **error);
/* The same copy of the file at @live_path, made on a connection of its
 * own (any thread) even when the outbox holds changes not sent yet: begun
 * before a push, it is the state at the push's last seq if that push
 * sends exactly the changes through *@outbox_last_out (the newest outbox
 * id it saw) in batches whose seqs follow *@cursor_out (the cursor it saw,
 * which the copy holds as its seq) without a gap; its manifest then says
 * that last seq (stp_sync_store_install_snapshot()'s @described_seq). */
gboolean    stp_sync_store_write_snapshot_early (const char  *live_path,
                                                 const char  *path,
                                                 const char  *cursor_key,
                                                 gint64      *cursor_out,
                                                 guint64     *hlc_out,
                                                 gint64      *outbox_last_out,
                                                 GError     **error);
/* Replaces the synced data of @store's file with the snapshot file @path
 * (from stp_sync_store_write_snapshot(), same schema version), keeping
 * this computer's own tables and setting the cursor to the snapshot's seq
 * (@described_seq, its manifest's, when not -1: at least the one the file
 * holds, else the snapshot is refused), all in one write transaction.  @path is changed (it receives the own
 * tables).  Call it only with the cursor at 0 (nothing pulled yet).  When
 * the computer has changes not sent yet nothing is done: TRUE with
 * *@seq_out -1 (the log is replayed instead).  Other connections see the
 * new data at their next read. */
gboolean    stp_sync_store_install_snapshot  (StpStore       *store,
                                              const char     *path,
                                              const char     *cursor_key,
                                              gint64          described_seq,
                                              gint64         *seq_out,
                                              guint64        *hlc_out,
                                              GError        **error);
G_END_DECLS
