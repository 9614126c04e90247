/* stp-sync-engine.h: enrolls this device with the regional server, pushes
 * the outbox and pulls other devices' changes (DESIGN.md, Sync).
 *
 * Network and database work run on a worker thread with a secondary store
 * connection; properties change and callbacks run on the thread that owns
 * the engine (the GTK main thread), which is never blocked. */
#pragma once

#include <gio/gio.h>

#include "stp-store.h"
#include "stp-stats.h"

G_BEGIN_DECLS

#define STP_SYNC_ERROR (stp_sync_error_quark ())

typedef enum
{
  STP_SYNC_ERROR_FAILED,
  STP_SYNC_ERROR_NOT_ENROLLED,
  STP_SYNC_ERROR_NETWORK,          /* the server cannot be reached */
  STP_SYNC_ERROR_CERTIFICATE,      /* the certificate is not the pinned one */
  STP_SYNC_ERROR_WRONG_PASSPHRASE,
  STP_SYNC_ERROR_REFUSED,          /* enrollment code refused */
  STP_SYNC_ERROR_REVOKED,          /* the administrator revoked this device */
  STP_SYNC_ERROR_CLOCK,            /* changes stamped too far in the future */
  STP_SYNC_ERROR_SERVER,           /* unexpected answer */
  STP_SYNC_ERROR_BUSY,             /* a sync is already running */
} StpSyncError;

GQuark stp_sync_error_quark (void);

typedef enum
{
  STP_SYNC_STATE_IDLE = 0,
  STP_SYNC_STATE_SYNCING,
  STP_SYNC_STATE_OFFLINE,
  STP_SYNC_STATE_ERROR,
} StpSyncState;

GType stp_sync_state_get_type (void);
#define STP_TYPE_SYNC_STATE (stp_sync_state_get_type ())

/* The skew over which the clock is reported as wrong. */
#define STP_SYNC_SKEW_WARNING_MILLIS (2 * 60 * 1000)

#define STP_TYPE_SYNC_ENGINE (stp_sync_engine_get_type ())

G_DECLARE_FINAL_TYPE (StpSyncEngine, stp_sync_engine, STP, SYNC_ENGINE, GObject)

StpSyncEngine *stp_sync_engine_new               (StpStore        *store);
/* One engine per store, shared by the settings page and the status. */
StpSyncEngine *stp_sync_engine_get_for_store     (StpStore        *store);

StpStore      *stp_sync_engine_get_store         (StpSyncEngine   *self);
gboolean       stp_sync_engine_is_enrolled       (StpSyncEngine   *self);
/* TRUE when not enrolled, or when the server revoked this device (enrolling
 * again keeps the unsent changes). */
gboolean       stp_sync_engine_needs_enrollment  (StpSyncEngine   *self);
StpSyncState   stp_sync_engine_get_state         (StpSyncEngine   *self);
guint          stp_sync_engine_get_pending       (StpSyncEngine   *self);
/* Batches from other devices this version could not read, kept for a
 * newer one (as of the last run). */
guint          stp_sync_engine_get_parked_batches (StpSyncEngine  *self);
void           stp_sync_engine_get_progress      (StpSyncEngine   *self,
                                                  guint           *sent,
                                                  guint           *received);
/* Microseconds since the epoch of the last complete sync, 0 when never. */
gint64         stp_sync_engine_get_last_sync     (StpSyncEngine   *self);
const char    *stp_sync_engine_get_last_error    (StpSyncEngine   *self);
/* Local clock minus server clock, in milliseconds (0 until known). */
gint64         stp_sync_engine_get_clock_skew    (StpSyncEngine   *self);
const char    *stp_sync_engine_get_server_url    (StpSyncEngine   *self);
const char    *stp_sync_engine_get_center_name   (StpSyncEngine   *self);
/* Refreshes the pending count (after local edits). */
void           stp_sync_engine_refresh_pending   (StpSyncEngine   *self);

/* Automatic syncing: retries with backoff and a periodic sync every
 * @interval_seconds (0: only retries), and on network changes. */
void           stp_sync_engine_set_auto          (StpSyncEngine   *self,
                                                  gboolean         enabled,
                                                  guint            interval_seconds);

/* (Knobs for the tests and the benchmark: stp-sync-engine-testing.h.) */

/* Enrolls the device: @fingerprint is the server certificate's SHA-256
 * ("AA:BB:..."), or NULL to trust the certificate seen now (pinned). The
 * first device of a center creates the center key; later ones unwrap it
 * with @passphrase (a wrong one is refused and nothing is saved). */
void           stp_sync_engine_enroll_async      (StpSyncEngine       *self,
                                                  const char          *server_url,
                                                  const char          *code,
                                                  const char          *passphrase,
                                                  const char          *fingerprint,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       stp_sync_engine_enroll_finish     (StpSyncEngine       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* One full sync (push then pull). */
void           stp_sync_engine_sync_async        (StpSyncEngine       *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean       stp_sync_engine_sync_finish       (StpSyncEngine       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Starts a sync unless one runs; errors go to the properties. */
void           stp_sync_engine_sync_now          (StpSyncEngine       *self);

/* Sends the center report numbers ("section.key" -> value; no personal
 * data) in plaintext with the device token.  Exact numbers are sent: the
 * server hides counts under 5 when it shows them (docs/PROTOCOL.md). */
void           stp_sync_engine_send_aggregates_async  (StpSyncEngine       *self,
                                                       StpCenterStats      *stats,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean       stp_sync_engine_send_aggregates_finish (StpSyncEngine       *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
