/* stp-backup-task.c: making a backup copy off the main thread. */
#define G_LOG_DOMAIN "stp-backup-task"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-backup-task.h"
#include "stp-error.h"

#include <glib/gstdio.h>

typedef struct
{
  StpStore              *store;
  StpSession            *session;
  char                  *db_path;
  char                  *folder;
  StpBackupKey          *key;
  StpBackupTaskProgress  progress;
  gpointer               progress_data;
  GMainContext          *context;
} BackupJob;

typedef struct
{
  BackupJob *job;
  double     fraction;
} ProgressUpdate;

static gint running;

static void
backup_job_free (BackupJob *job)
{
  g_clear_object (&job->store);
  g_clear_object (&job->session);
  g_free (job->db_path);
  g_free (job->folder);
  stp_backup_key_free (job->key);
  g_main_context_unref (job->context);
  g_free (job);
}

gboolean
stp_backup_task_is_running (void)
{
  return g_atomic_int_get (&running) != 0;
}

static gboolean
deliver_progress (gpointer data)
{
  ProgressUpdate *update = data;

  update->job->progress (update->fraction, update->job->progress_data);
  return G_SOURCE_REMOVE;
}

static void
on_worker_progress (double   fraction,
                    gpointer user_data)
{
  BackupJob *job = user_data;
  ProgressUpdate *update;

  if (job->progress == NULL)
    return;
  update = g_new (ProgressUpdate, 1);
  update->job = job;
  update->fraction = fraction;
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, deliver_progress, update, g_free);
}

static void
backup_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  BackupJob *job = task_data;
  GError *error = NULL;
  StpBackupInfo *info;

  info = stp_backup_write_cancellable (job->db_path, job->key, job->folder, 0,
                                       on_worker_progress, job, cancellable, &error);
  g_atomic_int_set (&running, 0);
  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) stp_backup_info_free);
}

void
stp_backup_task_run_async (StpStore              *store,
                           StpSession            *session,
                           StpBackupTaskProgress  progress,
                           gpointer               progress_data,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  BackupJob *job;

  g_return_if_fail (STP_IS_STORE (store));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, stp_backup_task_run_async);

  job = g_new0 (BackupJob, 1);
  job->store = g_object_ref (store);
  job->session = session != NULL ? g_object_ref (session) : NULL;
  job->db_path = g_strdup (stp_store_get_path (store));
  job->folder = stp_backup_get_folder (store);
  job->key = stp_backup_get_key (store);
  job->progress = progress;
  job->progress_data = progress_data;
  job->context = g_main_context_ref_thread_default ();
  g_task_set_task_data (task, job, (GDestroyNotify) backup_job_free);

  if (job->folder == NULL || job->key == NULL)
    {
      g_task_return_new_error (task, STP_CORE_ERROR, STP_CORE_ERROR_INVALID, "%s",
                               _("Choose a folder and set the backup password first."));
      return;
    }
  if (!g_atomic_int_compare_and_exchange (&running, 0, 1))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_BUSY, "%s",
                               _("A backup copy is being made already."));
      return;
    }
  g_task_run_in_thread (task, backup_thread);
}

StpBackupInfo *
stp_backup_task_run_finish (GAsyncResult  *result,
                            GError       **error)
{
  GTask *task = G_TASK (result);
  BackupJob *job = g_task_get_task_data (task);
  StpBackupInfo *info;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  if (g_task_get_source_tag (task) != stp_backup_task_run_async)
    return NULL;
  info = g_task_propagate_pointer (task, error);
  if (info != NULL && !stp_backup_record_success (job->store, job->session, info, error))
    g_clear_pointer (&info, stp_backup_info_free);
  return info;
}

void
stp_backup_task_on_quit (StpStore *store)
{
  g_autoptr(StpBackupKey) key = NULL;
  g_autoptr(StpBackupInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = NULL;

  g_return_if_fail (STP_IS_STORE (store));

  if (stp_backup_task_is_running () || !stp_backup_is_due (store, FALSE))
    return;
  /* Without a window nobody sees a long copy: only a file that copies in
   * a few seconds is copied here. */
  {
    GStatBuf st;

    if (g_stat (stp_store_get_path (store), &st) == 0 && st.st_size > STP_BACKUP_QUIT_MAX_BYTES)
      {
        g_message ("No backup copy on quit without a window: the database is %" G_GINT64_FORMAT
                   " MB; the next start makes the copy", (gint64) st.st_size / (1024 * 1024));
        return;
      }
  }
  folder = stp_backup_get_folder (store);
  key = stp_backup_get_key (store);
  info = stp_backup_write (stp_store_get_path (store), key, folder, 0, NULL, NULL, &error);
  if (info == NULL || !stp_backup_record_success (store, NULL, info, &error))
    g_warning ("No backup copy on quit: %s", error->message);
  else
    g_message ("Backup copy on quit: %s", info->path);
}

static char *
format_local (gint64 usec)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  /* Dates as дд.мм.гггг. */
  return g_date_time_format (local, "%d.%m.%Y %H:%M");
}

char *
stp_backup_task_describe (StpStore *store,
                          gboolean *out_warn)
{
  gint64 last = 0;
  StpBackupState state = stp_backup_get_state (store, &last);
  g_autofree char *when = last > 0 ? format_local (last) : NULL;
  g_autofree char *folder = NULL;
  gboolean warn = FALSE;
  char *text = NULL;

  switch (state)
    {
    case STP_BACKUP_STATE_NOT_SET_UP:
      text = g_strdup (_("Not set up: choose a folder and a backup password"));
      break;
    case STP_BACKUP_STATE_NEVER:
      text = g_strdup (_("No copy yet"));
      break;
    case STP_BACKUP_STATE_FOLDER_MISSING:
      folder = stp_backup_get_folder (store);
      text = when != NULL
        ? g_strdup_printf (_("%s; the folder %s is not available: connect the drive"), when, folder)
        : g_strdup_printf (_("The folder %s is not available: connect the drive"), folder);
      warn = TRUE;
      break;
    case STP_BACKUP_STATE_STALE:
      /* Translators: a date and time, then the number of days (always 7). */
      text = g_strdup_printf (_("%s, more than %d days ago"), when, STP_BACKUP_STALE_DAYS);
      warn = TRUE;
      break;
    case STP_BACKUP_STATE_OK:
    default:
      text = g_strdup (when);
      break;
    }
  if (out_warn != NULL)
    *out_warn = warn;
  return text;
}
