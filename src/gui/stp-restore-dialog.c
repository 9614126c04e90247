#define G_LOG_DOMAIN "stp-restore-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "stp-restore-dialog.h"
#include "stp-backup.h"
#include "stp-error.h"

struct _StpRestoreDialog
{
  AdwWindow             parent_instance;

  StpStore             *store;
  StpSession           *session;
  char                 *path;
  StpBackupKey         *key;         /* from the last successful inspection */
  StpBackupInfo        *info;
  GCancellable         *cancellable;
  gboolean              busy;

  AdwActionRow         *file_row;
  AdwPasswordEntryRow  *password_row;
  GtkSpinner           *spinner;
  GtkButton            *inspect_button;
  GtkButton            *choose_button;
  AdwPreferencesGroup  *preview_group;
  AdwActionRow         *center_row;
  AdwActionRow         *date_row;
  AdwActionRow         *residents_row;
  AdwActionRow         *size_row;
  GtkLabel             *warning_label;
  GtkProgressBar       *progress_bar;
  GtkLabel             *message_label;
  GtkButton            *restore_button;
};

G_DEFINE_FINAL_TYPE (StpRestoreDialog, stp_restore_dialog, ADW_TYPE_WINDOW)

enum {
  RESTORED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* What an inspection in a worker thread needs and gives. */
typedef struct
{
  char          *path;
  char          *password;
  char          *dest;
  StpStore      *store;
  StpSession    *session;
  StpBackupKey  *key;
  StpBackupInfo *info;
  GMainContext  *context;
  GWeakRef       dialog;
} RestoreJob;

static void
restore_job_free (RestoreJob *job)
{
  g_free (job->path);
  if (job->password != NULL)
    {
      memset (job->password, 0, strlen (job->password));
      g_free (job->password);
    }
  g_free (job->dest);
  g_clear_object (&job->store);
  g_clear_object (&job->session);
  stp_backup_key_free (job->key);
  stp_backup_info_free (job->info);
  g_main_context_unref (job->context);
  g_weak_ref_clear (&job->dialog);
  g_free (job);
}

static void
set_message (StpRestoreDialog *self,
             const char       *message)
{
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
}

static void
set_busy (StpRestoreDialog *self,
          gboolean          busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->inspect_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->choose_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->restore_button), !busy);
  gtk_window_set_deletable (GTK_WINDOW (self), !busy);
}

static void
clear_preview (StpRestoreDialog *self)
{
  g_clear_pointer (&self->key, stp_backup_key_free);
  g_clear_pointer (&self->info, stp_backup_info_free);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->warning_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->restore_button), FALSE);
}

void
stp_restore_dialog_set_file (StpRestoreDialog *self,
                             const char       *path)
{
  g_return_if_fail (STP_IS_RESTORE_DIALOG (self));

  g_free (self->path);
  self->path = g_strdup (path);
  adw_action_row_set_subtitle (self->file_row, path != NULL ? path : _("No file chosen"));
  clear_preview (self);
  set_message (self, NULL);
}

static void
on_file_chosen (GtkNativeDialog  *chooser,
                int               response,
                StpRestoreDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        stp_restore_dialog_set_file (self, path);
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
on_choose_clicked (StpRestoreDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Backup Copy"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Backup copies of Stupeni"));
  gtk_file_filter_add_pattern (filter, "*" STP_BACKUP_SUFFIX);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_file_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* --- Inspecting ----------------------------------------------------------- */

static void
inspect_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RestoreJob *job = task_data;
  GError *error = NULL;

  job->info = stp_backup_inspect (job->path, job->password, &job->key, &error);
  if (job->info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static char *
format_local (gint64 usec)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);

  return g_date_time_format (local, "%d.%m.%Y %H:%M");
}

static void
on_inspected (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(StpRestoreDialog) self = user_data;
  RestoreJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = NULL;
  g_autofree char *when = NULL;
  g_autofree char *count = NULL;
  g_autofree char *size = NULL;

  set_busy (self, FALSE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_message (self, error->message);
      return;
    }
  if (!stp_store_is_empty (self->store))
    center = stp_store_get_center (self->store, NULL);
  if (center != NULL && g_strcmp0 (center->meta.id, job->info->center_id) != 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("This backup copy belongs to another center («%s»). Nothing was changed."),
                         job->info->center_name);
      set_message (self, message);
      return;
    }
  if (job->info->schema_version > STP_SCHEMA_VERSION)
    {
      set_message (self, _("The backup copy was made by a newer version of the program. "
                           "Update the program, then restore it."));
      return;
    }
  self->key = g_steal_pointer (&job->key);
  self->info = g_steal_pointer (&job->info);
  when = format_local (self->info->created_usec);
  count = g_strdup_printf ("%" G_GINT64_FORMAT, self->info->residents);
  size = g_format_size (self->info->file_size);
  adw_action_row_set_subtitle (self->center_row, self->info->center_name);
  adw_action_row_set_subtitle (self->date_row, when);
  adw_action_row_set_subtitle (self->residents_row, count);
  adw_action_row_set_subtitle (self->size_row, size);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->warning_label), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->restore_button), TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->restore_button));
}

static void
on_inspect_clicked (StpRestoreDialog *self)
{
  g_autoptr(GTask) task = NULL;
  RestoreJob *job;

  if (self->busy)
    return;
  clear_preview (self);
  if (self->path == NULL)
    {
      set_message (self, _("Choose the backup copy first."));
      return;
    }
  set_message (self, NULL);
  job = g_new0 (RestoreJob, 1);
  job->path = g_strdup (self->path);
  job->password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  job->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&job->dialog, self);
  task = g_task_new (NULL, self->cancellable, on_inspected, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) restore_job_free);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, inspect_thread);
}

/* --- Restoring ------------------------------------------------------------ */

typedef struct
{
  GWeakRef    dialog;
  double      fraction;
  const char *text;      /* static, translated; NULL: the percentage */
} ProgressUpdate;

static gboolean
deliver_progress (gpointer data)
{
  ProgressUpdate *update = data;
  g_autoptr(StpRestoreDialog) self = g_weak_ref_get (&update->dialog);
  g_autofree char *percent = NULL;

  if (self == NULL)
    return G_SOURCE_REMOVE;
  gtk_progress_bar_set_fraction (self->progress_bar, update->fraction);
  percent = g_strdup_printf ("%d %%", (int) (update->fraction * 100));
  gtk_progress_bar_set_show_text (self->progress_bar, TRUE);
  gtk_progress_bar_set_text (self->progress_bar, update->text != NULL ? update->text : percent);
  return G_SOURCE_REMOVE;
}

static void
progress_update_free (ProgressUpdate *update)
{
  g_weak_ref_clear (&update->dialog);
  g_free (update);
}

static void
send_progress (RestoreJob *job,
               double      fraction,
               const char *text)
{
  g_autoptr(GObject) dialog = g_weak_ref_get (&job->dialog);
  ProgressUpdate *update;

  if (dialog == NULL)
    return;
  update = g_new0 (ProgressUpdate, 1);
  g_weak_ref_init (&update->dialog, dialog);
  update->fraction = fraction;
  update->text = text;
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, deliver_progress, update,
                              (GDestroyNotify) progress_update_free);
}

/* Reading the copy is the first 60 %, replacing the data (which holds the
 * database's write lock, most of a minute on a big center) the rest. */
static void
on_extract_progress (double   fraction,
                     gpointer user_data)
{
  send_progress (user_data, 0.6 * fraction, NULL);
}

static void
on_install_progress (double   fraction,
                     gpointer user_data)
{
  send_progress (user_data, 0.6 + 0.4 * fraction, _("Replacing the data…"));
}

static void
extract_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RestoreJob *job = task_data;
  g_autoptr(StpStore) worker = NULL;
  GError *error = NULL;

  /* Both the decryption and the install (minutes on a big center) run
   * here, the install on a connection of its own: the window stays
   * responsive behind this modal dialog. */
  if (stp_backup_extract (job->path, job->key, job->dest, on_extract_progress, job, &error) &&
      (worker = stp_store_open_secondary (job->store, &error)) != NULL &&
      (send_progress (job, 0.6, _("Keeping the current data aside…")), TRUE) &&
      stp_backup_install_with_progress (worker, job->session, job->dest, on_install_progress,
                                        job, &error))
    g_task_return_boolean (task, TRUE);
  else
    {
      g_remove (job->dest);
      g_task_return_error (task, error);
    }
}

static void
on_extracted (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(StpRestoreDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      set_busy (self, FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
      set_message (self, error->message);
      return;
    }
  stp_backup_refresh_store (self->store);
  gtk_progress_bar_set_fraction (self->progress_bar, 1.0);
  set_busy (self, FALSE);
  g_signal_emit (self, signals[RESTORED], 0);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_restore_clicked (StpRestoreDialog *self)
{
  g_autoptr(GTask) task = NULL;
  RestoreJob *job;

  if (self->busy || self->key == NULL || self->info == NULL)
    return;
  set_message (self, NULL);
  job = g_new0 (RestoreJob, 1);
  job->path = g_strdup (self->path);
  job->key = stp_backup_key_copy (self->key);
  job->dest = g_strconcat (stp_store_get_path (self->store), ".restore-in", NULL);
  job->store = g_object_ref (self->store);
  job->session = self->session != NULL ? g_object_ref (self->session) : NULL;
  job->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&job->dialog, self);
  task = g_task_new (NULL, NULL, on_extracted, g_object_ref (self));
  g_task_set_task_data (task, job, (GDestroyNotify) restore_job_free);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  set_busy (self, TRUE);
  g_task_run_in_thread (task, extract_thread);
}

/* Not while the data is being replaced: the work would go on unseen. */
static gboolean
stp_restore_dialog_close_request (GtkWindow *window)
{
  GtkWindowClass *parent = GTK_WINDOW_CLASS (stp_restore_dialog_parent_class);

  if (STP_RESTORE_DIALOG (window)->busy)
    return TRUE;
  return parent->close_request != NULL ? parent->close_request (window) : FALSE;
}

static void
stp_restore_dialog_dispose (GObject *object)
{
  StpRestoreDialog *self = STP_RESTORE_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->key, stp_backup_key_free);
  g_clear_pointer (&self->info, stp_backup_info_free);
  g_clear_pointer (&self->path, g_free);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_RESTORE_DIALOG);

  G_OBJECT_CLASS (stp_restore_dialog_parent_class)->dispose (object);
}

static void
stp_restore_dialog_class_init (StpRestoreDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_restore_dialog_dispose;
  GTK_WINDOW_CLASS (klass)->close_request = stp_restore_dialog_close_request;

  /**
   * StpRestoreDialog::restored:
   *
   * Emitted once the copy replaced the data; the dialog closes after it.
   */
  signals[RESTORED] =
    g_signal_new ("restored",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-restore-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, inspect_button);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, choose_button);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, preview_group);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, center_row);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, date_row);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, residents_row);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, size_row);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, warning_label);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, StpRestoreDialog, restore_button);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_inspect_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_restore_clicked);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
stp_restore_dialog_init (StpRestoreDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

StpRestoreDialog *
stp_restore_dialog_new (StpStore   *store,
                        StpSession *session)
{
  StpRestoreDialog *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (session == NULL || STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_RESTORE_DIALOG, NULL);
  self->store = g_object_ref (store);
  self->session = session != NULL ? g_object_ref (session) : NULL;
  return self;
}
