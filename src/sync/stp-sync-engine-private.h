/* stp-sync-engine-private.h: what the rooms of the sync engine share.
 *
 * The engine is one object over several files, each holding one concern
 * (read them in this order to follow a push from the window to the
 * server):
 *
 *   stp-sync-engine.c             the object: settings, state, properties,
 *                                 automatic syncing (backoff, timer, network)
 *   stp-sync-engine-run.c         one sync run: starts the worker, the
 *                                 run's steps in order, its result
 *   stp-sync-engine-push.c        sending the outbox, batch by batch
 *   stp-sync-engine-pull.c        receiving and applying other devices' changes
 *   stp-sync-engine-snapshots.c   starting from a snapshot, making one
 *   stp-sync-engine-enroll.c      enrolling this device, the center key
 *   stp-sync-engine-aggregates.c  sending the center report numbers
 *   stp-sync-client.c             HTTP, certificate pinning, error answers
 *
 * Each job that runs on a worker thread has its own struct, made and read
 * on the main thread: StpSyncRun (here), and the enrollment and aggregate
 * jobs (private to their files). */
#pragma once

#include "stp-sync-engine.h"
#include "stp-sync-engine-testing.h"
#include "stp-sync-client.h"
#include "stp-envelope.h"
#include "stp-wrapped-key.h"

G_BEGIN_DECLS

/* Local settings (stp_store_set_setting).  The unwrapped center key is kept
 * there too (base64): the same file already holds every resident's data in
 * plaintext, so the key adds nothing an attacker with the file lacks; the
 * key protects the copy on the server.  Keeping it only in memory would
 * make staff type the center passphrase after every start. */
#define SETTING_URL          "sync.server_url"
#define SETTING_CENTER       "sync.center"
#define SETTING_CENTER_NAME  "sync.center_name"
#define SETTING_DEVICE       "sync.device"
#define SETTING_DEVICE_NUMBER "sync.device_number"
#define SETTING_TOKEN        "sync.token"
#define SETTING_WRAPPED_KEY  "sync.wrapped_key"
#define SETTING_KEY          "sync.center_key"
#define SETTING_KEY_ID       "sync.key_id"
#define SETTING_FINGERPRINT  "sync.fingerprint"
#define SETTING_LAST_SYNC    "sync.last_sync"
#define CURSOR_KEY           "sync.cursor"

/* A batch holds at most this many changes (push and pull). */
#define MAX_BATCH_ROWS       50000
/* Batches are bounded by the size of the sealed push body: the server's
 * max_body_bytes, and never more than lets the ciphertext stay under
 * STP_ENVELOPE_MAX_CT_BYTES once base64'd; this when the server names no
 * limit. */
#define DEFAULT_BATCH_BYTES  (4 * 1024 * 1024)
#define MAX_BODY_BYTES       (STP_ENVELOPE_MAX_CT_BYTES / 3 * 4)
/* A new snapshot once the log since the newest one is at least this long
 * (and half the snapshot's size). */
#define SNAPSHOT_MIN_BYTES   (1024 * 1024)
/* A push of at least this many changes makes a new snapshot likely: the
 * copy for it starts beside the push (the second core copies while the
 * first seals and sends). */
#define EARLY_COPY_MIN_CHANGES 50000

typedef struct _StpSyncRun StpSyncRun;
typedef struct _StpSyncEarlyCopy StpSyncEarlyCopy;

struct _StpSyncEngine
{
  GObject          parent_instance;

  StpStore        *store;          /* weak */
  StpStore        *secondary;      /* worker connection; used by one job at a time */
  StpStore        *reader;         /* a second one, reading the outbox while a push
                                    * removes rows on the first */

  char            *url;
  char            *center;
  char            *center_name;
  char            *device;
  char            *token;
  char            *key_id;
  char            *fingerprint;
  guint8           key[STP_CENTER_KEY_BYTES];
  gboolean         have_key;

  StpSyncState     state;
  guint            pending;
  guint            parked_batches;  /* unreadable batches kept (schema 8) */
  gint64           last_sync;
  char            *last_error;
  gint64           clock_skew;

  gboolean         running;
  StpSyncRun      *run;            /* the running sync (owned by its task) */
  guint            progress_id;    /* reads the run's counts while it runs */
  guint            sent;           /* changes of the current or last run */
  guint            received;
  gboolean         revoked;
  guint            failures;
  guint            retry_id;
  guint            periodic_id;
  gboolean         auto_sync;
  guint            interval;
  GNetworkMonitor *monitor;
  gulong           monitor_id;
  gboolean         network_up;

  gsize            batch_bytes;    /* 0: from the server's limit */
  gsize            snapshot_min_bytes;
  guint            early_copy_min;
  guint            pull_limit;
  gboolean         fast_kdf;
  StpSyncPageHook  hook;
  gpointer         hook_data;
  GTlsDatabase    *tls_database;   /* owned; NULL: the system's */
};

/* One sync run (push, snapshot, pull), made on the main thread and then
 * owned by the worker until it is done. */
struct _StpSyncRun
{
  /* Inputs, copied on the main thread. */
  StpSyncClient   *client;
  StpStore        *secondary;
  StpStore        *reader;
  char            *center;
  char            *device;
  char            *key_id;
  guint8           key[STP_CENTER_KEY_BYTES];
  gsize            batch_bytes;
  gsize            max_body;         /* the server's limit, 0 unknown */
  gsize            snapshot_min_bytes;  /* 0: make no snapshots */
  guint            early_copy_min;      /* changes to push for a copy beside the push */
  guint            pull_limit;
  StpSyncPageHook  hook;
  gpointer         hook_data;

  /* The removal of the acknowledged outbox rows, on the reader connection,
   * beside the rest of the run (stp-sync-engine-push.c). */
  GThread         *compactor;
  /* A snapshot copy begun before the push (stp-sync-engine-snapshots.c). */
  StpSyncEarlyCopy *early;
  /* What the push did, for that copy: the cursor it began at, the seq
   * and last outbox id of its last stored batch (0: none), and whether
   * every batch's seq followed the one before from that cursor. */
  gint64           push_first_cursor;
  gint64           push_last_seq;
  gint64           push_last_id;
  gboolean         push_gapless;

  /* Outputs. */
  char            *clock_error;
  guint            pending;
  guint64          max_remote_hlc;  /* newest change pulled */
  guint            pushed;          /* changes the server stored (atomic) */
  guint            pulled;          /* changes from other devices (atomic) */
  guint            conflicts;       /* conflict rows written */
  guint            batches_parked;  /* unreadable batches kept this run */
  guint            batches_read;    /* parked batches read at last */
  guint            parked_batches;  /* parked batches left at the end */
  gboolean         snapshot_in;     /* started from a snapshot */
  gboolean         snapshot_out;    /* sent one */
  gboolean         snapshot_early;  /* ... copied beside the push */
  gint64           usec_http;       /* time spent, for the debug log */
  gint64           usec_apply;
  gint64           usec_decode;     /* decrypting and reading batches */
};

/* The wall and process CPU time of one step of a run, for the debug log
 * (`G_MESSAGES_DEBUG=stp-sync`; bench-sync prints these "phase" lines).
 * The CPU is the whole process's: every thread of the run, and whatever
 * else the process does meanwhile. */
typedef struct
{
  gint64 wall;
  gint64 cpu;
} StpSyncClock;

void           _stp_sync_clock_start             (StpSyncClock   *clock);
/* Logs "phase NAME: W s wall, C s CPU" since the start and starts again. */
void           _stp_sync_clock_phase             (StpSyncClock   *clock,
                                                  const char     *name);

/* stp-sync-engine.c: state, seen from the other rooms (main thread). */
void           _stp_sync_engine_set_state        (StpSyncEngine  *self,
                                                  StpSyncState    state);
void           _stp_sync_engine_set_last_error   (StpSyncEngine  *self,
                                                  const char     *message);
void           _stp_sync_engine_set_pending      (StpSyncEngine  *self,
                                                  guint           pending);
void           _stp_sync_engine_set_progress     (StpSyncEngine  *self,
                                                  guint           sent,
                                                  guint           received);
void           _stp_sync_engine_set_last_sync    (StpSyncEngine  *self,
                                                  gint64          last_sync);
/* The skew a job's client learned, if it learned one. */
void           _stp_sync_engine_take_skew        (StpSyncEngine  *self,
                                                  StpSyncClient  *client);
/* Reads the settings again after enrollment wrote them: idle, no error. */
void           _stp_sync_engine_set_enrolled     (StpSyncEngine  *self);
/* A client for a job of the enrolled device. */
StpSyncClient *_stp_sync_engine_new_client       (StpSyncEngine  *self);
/* The worker connections, opened on first use. */
StpStore      *_stp_sync_engine_get_secondary    (StpSyncEngine  *self,
                                                  GError        **error);
StpStore      *_stp_sync_engine_get_reader       (StpSyncEngine  *self,
                                                  GError        **error);
/* After a run: a retry with backoff, or the periodic sync. */
void           _stp_sync_engine_schedule_next    (StpSyncEngine  *self,
                                                  gboolean        failed,
                                                  const GError   *error);

/* stp-sync-engine-run.c */
/* Starts a run unless one runs; @outer (owned) gets its result, or NULL. */
void           _stp_sync_engine_start_run        (StpSyncEngine  *self,
                                                  GTask          *outer);

/* stp-sync-engine-push.c (worker thread) */
gboolean       _stp_sync_run_push                (StpSyncRun     *run,
                                                  GCancellable   *cancellable,
                                                  GError        **error);
/* Waits for the removal of the acknowledged outbox rows that the push
 * left running, if any. */
void           _stp_sync_run_join_compactor      (StpSyncRun     *run);

/* stp-sync-engine-snapshots.c (worker thread): a copy for a snapshot begun
 * beside a big push, kept after it only if the push sent exactly what the
 * copy holds; dropped (joined, file removed) at the end of the run. */
void           _stp_sync_run_begin_early_copy    (StpSyncRun     *run);
void           _stp_sync_run_end_early_copy      (StpSyncRun     *run);
void           _stp_sync_run_drop_early_copy     (StpSyncRun     *run);

/* stp-sync-engine-pull.c (worker thread) */
gboolean       _stp_sync_run_pull                (StpSyncRun     *run,
                                                  GCancellable   *cancellable,
                                                  GError        **error);

/* stp-sync-engine-snapshots.c (worker thread) */
/* Removes what a crash in the middle of a snapshot left beside the file. */
void           _stp_sync_run_remove_snapshot_leftovers (StpSyncRun   *run);
/* Tries the parked batches again (a newer program reads them); applies
 * and removes those that read now.  FALSE only on a database error. */
gboolean       _stp_sync_run_retry_parked_batches (StpSyncRun    *run,
                                                   GError       **error);
/* On a computer that pulled nothing yet: installs the newest snapshot.
 * FALSE only for network errors and cancelling; any other problem leaves
 * the log to be replayed. */
gboolean       _stp_sync_run_start_from_snapshot (StpSyncRun     *run,
                                                  GCancellable   *cancellable,
                                                  GError        **error);
/* Makes and sends a snapshot when the log has grown enough; failures are
 * only logged. */
void           _stp_sync_run_make_snapshot       (StpSyncRun     *run,
                                                  GCancellable   *cancellable);

G_END_DECLS
