/* stp-sync-engine-run.c: one sync run.  _stp_sync_engine_start_run() makes
 * the run on the main thread, run_thread() does its steps in order on a
 * worker (push, start from a snapshot, pull, make a snapshot), and
 * run_done() brings the result back to the engine's properties. */
#define G_LOG_DOMAIN "stp-sync"

#include "config.h"

#include "stp-sync-engine-private.h"
#include "stp-sync-store.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

/* How often the window learns how many changes went each way. */
#define PROGRESS_INTERVAL_MS 250

static void
stp_sync_run_free (StpSyncRun *run)
{
  _stp_sync_run_join_compactor (run);
  _stp_sync_run_drop_early_copy (run);
  g_clear_object (&run->client);
  g_clear_object (&run->secondary);
  g_clear_object (&run->reader);
  g_free (run->center);
  g_free (run->device);
  g_free (run->key_id);
  sodium_memzero (run->key, sizeof run->key);
  g_free (run->clock_error);
  g_free (run);
}

static StpSyncRun *
stp_sync_run_new (StpSyncEngine  *self,
                  GError        **error)
{
  StpSyncRun *run;
  StpStore *secondary;
  StpStore *reader;

  if (!(secondary = _stp_sync_engine_get_secondary (self, error)) ||
      !(reader = _stp_sync_engine_get_reader (self, error)))
    return NULL;
  run = g_new0 (StpSyncRun, 1);
  run->client = _stp_sync_engine_new_client (self);
  run->secondary = g_object_ref (secondary);
  run->reader = g_object_ref (reader);
  run->center = g_strdup (self->center);
  run->device = g_strdup (self->device);
  run->key_id = g_strdup (self->key_id);
  memcpy (run->key, self->key, sizeof run->key);
  run->batch_bytes = self->batch_bytes;
  run->snapshot_min_bytes = self->snapshot_min_bytes;
  run->early_copy_min = self->early_copy_min;
  run->pull_limit = self->pull_limit;
  run->hook = self->hook;
  run->hook_data = self->hook_data;
  return run;
}

/* --- On the worker ------------------------------------------------------------- */

static gint64
process_cpu_usec (void)
{
#if defined(CLOCK_PROCESS_CPUTIME_ID) && !defined(G_OS_WIN32)
  /* Not on Windows: mingw's clock_gettime is in winpthreads, not linked. */
  struct timespec ts;

  if (clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts) == 0)
    return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
#endif
  return 0;
}

void
_stp_sync_clock_start (StpSyncClock *clock)
{
  clock->wall = g_get_monotonic_time ();
  clock->cpu = process_cpu_usec ();
}

void
_stp_sync_clock_phase (StpSyncClock *clock,
                       const char   *name)
{
  StpSyncClock now;

  _stp_sync_clock_start (&now);
  g_debug ("phase %s: %.2f s wall, %.2f s CPU", name,
           (now.wall - clock->wall) / 1e6, (now.cpu - clock->cpu) / 1e6);
  *clock = now;
}

/* One audit event per run (DOMAIN.md: synchronization is audited):
 * counts, or the error's domain and code; never values or names. */
static void
audit_run (StpSyncRun   *run,
           const GError *failure)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *batches = NULL;

  /* Whole batches this version could not read (stp-sync-engine-pull.c). */
  if (run->batches_parked > 0 || run->batches_read > 0 || run->parked_batches > 0)
    batches = g_strdup_printf (", unreadable batches parked %u, parked batches read %u, left %u",
                               run->batches_parked, run->batches_read, run->parked_batches);
  else
    batches = g_strdup ("");
  if (failure == NULL)
    detail = g_strdup_printf ("pushed %u, pulled %u, conflicts %u%s%s%s",
                              run->pushed, run->pulled, run->conflicts, batches,
                              run->snapshot_in ? ", started from a snapshot" : "",
                              run->snapshot_out ? (run->snapshot_early ? ", snapshot sent "
                                                   "(copied beside the push)" : ", snapshot sent") : "");
  else
    detail = g_strdup_printf ("failed: %s %d; pushed %u, pulled %u, conflicts %u%s",
                              g_quark_to_string (failure->domain), failure->code,
                              run->pushed, run->pulled, run->conflicts, batches);
  if (!stp_sync_store_audit_run (run->secondary, detail, &error))
    g_warning ("The sync audit event could not be written: %s", error->message);
}

/* The steps; FALSE stops the run on @error. */
static gboolean
run_steps (StpSyncRun    *run,
           GCancellable  *cancellable,
           GError       **error)
{
  gsize max_body = 0;
  StpSyncClock clock;

  _stp_sync_clock_start (&clock);
  _stp_sync_run_remove_snapshot_leftovers (run);
  if (!stp_sync_client_fetch_info (run->client, &max_body, cancellable, error))
    return FALSE;
  run->max_body = max_body;
  if (run->batch_bytes == 0)
    run->batch_bytes = max_body > 0 ? MIN (max_body, MAX_BODY_BYTES) : DEFAULT_BATCH_BYTES;
  _stp_sync_run_begin_early_copy (run);
  if (!_stp_sync_run_push (run, cancellable, error))
    return FALSE;
  _stp_sync_run_end_early_copy (run);
  _stp_sync_clock_phase (&clock, "push");
  if (stp_sync_store_get_cursor (run->secondary, CURSOR_KEY) == 0)
    {
      /* Installing takes the write lock at once and wants no rows in
       * the outbox. */
      _stp_sync_run_join_compactor (run);
      if (!_stp_sync_run_start_from_snapshot (run, cancellable, error))
        return FALSE;
      _stp_sync_clock_start (&clock);
    }
  if (!_stp_sync_run_pull (run, cancellable, error))
    return FALSE;
  if (!_stp_sync_run_retry_parked_batches (run, error))
    return FALSE;
  if (!stp_sync_store_retry_parked (run->secondary, error))
    return FALSE;
  _stp_sync_clock_phase (&clock, "pull");
  _stp_sync_run_make_snapshot (run, cancellable);
  return TRUE;
}

static void
run_thread (GTask         *task,
            gpointer       source,
            gpointer       task_data,
            GCancellable  *cancellable)
{
  StpSyncRun *run = task_data;
  g_autoptr(GError) error = NULL;

  if (run_steps (run, cancellable, &error) && run->clock_error != NULL)
    g_set_error (&error, STP_SYNC_ERROR, STP_SYNC_ERROR_CLOCK, "%s", run->clock_error);
  _stp_sync_run_join_compactor (run);
  _stp_sync_run_drop_early_copy (run);
  run->pending = (guint) stp_sync_store_count_pending (run->secondary);
  run->parked_batches = (guint) stp_sync_store_count_parked_batches (run->secondary);
  audit_run (run, error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* --- On the main thread ------------------------------------------------------- */

/* The counts of the running run, which its threads raise atomically. */
static void
read_progress (StpSyncEngine *self)
{
  if (self->run == NULL)
    return;
  _stp_sync_engine_set_progress (self,
                                 (guint) g_atomic_int_get ((gint *) &self->run->pushed),
                                 (guint) g_atomic_int_get ((gint *) &self->run->pulled));
}

static gboolean
on_progress (gpointer user_data)
{
  read_progress (user_data);
  return G_SOURCE_CONTINUE;
}

static void
return_outer (GTask  *outer,
              GError *error)
{
  if (outer == NULL)
    {
      g_clear_error (&error);
      return;
    }
  if (error == NULL)
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
  g_object_unref (outer);
}

/* Shows the result of a run that reached the end. */
static void
show_result (StpSyncEngine *self,
             StpSyncRun    *run,
             const GError  *error)
{
  _stp_sync_engine_take_skew (self, run->client);
  /* The worker's connection saw these; the window's connection makes the
   * next local edits, which must order after what the user was shown. */
  stp_sync_store_observe_hlc (self->store, run->max_remote_hlc);
  self->parked_batches = run->parked_batches;
  _stp_sync_engine_set_pending (self, run->pending);
  if (error == NULL || g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_CLOCK))
    _stp_sync_engine_set_last_sync (self, stp_store_now (self->store));
  if (error == NULL)
    {
      if (ABS (self->clock_skew) > STP_SYNC_SKEW_WARNING_MILLIS)
        {
          g_autofree char *msg = g_strdup_printf (_("This computer's clock differs from the server's by "
                                                    "%d min; correct it"),
                                                  (int) (self->clock_skew / 60000));
          _stp_sync_engine_set_last_error (self, msg);
        }
      else
        _stp_sync_engine_set_last_error (self, NULL);
      _stp_sync_engine_set_state (self, STP_SYNC_STATE_IDLE);
    }
  else
    {
      if (g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_REVOKED))
        self->revoked = TRUE;
      _stp_sync_engine_set_last_error (self, error->message);
      _stp_sync_engine_set_state (self, g_error_matches (error, STP_SYNC_ERROR, STP_SYNC_ERROR_NETWORK)
                                  ? STP_SYNC_STATE_OFFLINE : STP_SYNC_STATE_ERROR);
    }
  _stp_sync_engine_schedule_next (self, error != NULL, error);
}

static void
run_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  StpSyncEngine *self = STP_SYNC_ENGINE (source);
  GTask *outer = user_data;
  StpSyncRun *run = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  self->running = FALSE;
  read_progress (self);
  self->run = NULL;
  g_clear_handle_id (&self->progress_id, g_source_remove);
  /* (The database may have been closed while the worker ran.) */
  if (self->store != NULL)
    show_result (self, run, error);
  return_outer (outer, error);
}

void
_stp_sync_engine_start_run (StpSyncEngine *self,
                            GTask         *outer)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  StpSyncRun *run;

  if (self->running)
    {
      return_outer (outer, g_error_new (STP_SYNC_ERROR, STP_SYNC_ERROR_BUSY,
                                        _("A synchronization is already running")));
      return;
    }
  if (!stp_sync_engine_is_enrolled (self))
    {
      return_outer (outer, g_error_new (STP_SYNC_ERROR, STP_SYNC_ERROR_NOT_ENROLLED,
                                        _("This computer is not connected to a sync server yet")));
      return;
    }
  run = stp_sync_run_new (self, &error);
  if (run == NULL)
    {
      _stp_sync_engine_set_last_error (self, error->message);
      _stp_sync_engine_set_state (self, STP_SYNC_STATE_ERROR);
      return_outer (outer, error);
      return;
    }
  self->running = TRUE;
  self->run = run;
  _stp_sync_engine_set_state (self, STP_SYNC_STATE_SYNCING);
  _stp_sync_engine_set_progress (self, 0, 0);
  self->progress_id = g_timeout_add (PROGRESS_INTERVAL_MS, on_progress, self);
  task = g_task_new (self, outer ? g_task_get_cancellable (outer) : NULL, run_done, outer);
  g_task_set_source_tag (task, _stp_sync_engine_start_run);
  g_task_set_task_data (task, run, (GDestroyNotify) stp_sync_run_free);
  g_task_run_in_thread (task, run_thread);
}

void
stp_sync_engine_sync_async (StpSyncEngine       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  GTask *outer;

  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  outer = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (outer, stp_sync_engine_sync_async);
  _stp_sync_engine_start_run (self, outer);
}

gboolean
stp_sync_engine_sync_finish (StpSyncEngine  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
stp_sync_engine_sync_now (StpSyncEngine *self)
{
  g_return_if_fail (STP_IS_SYNC_ENGINE (self));

  self->failures = 0;
  _stp_sync_engine_start_run (self, NULL);
}
