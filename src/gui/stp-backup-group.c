#define G_LOG_DOMAIN "stp-backup-group"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-backup-group.h"
#include "stp-backup-task.h"
#include "stp-restore-dialog.h"

struct _StpBackupGroup
{
  AdwPreferencesGroup   parent_instance;

  StpStore             *store;
  StpSession           *session;
  GCancellable         *cancellable;

  AdwActionRow         *status_row;
  GtkImage             *status_icon;
  AdwEntryRow          *folder_row;
  AdwPasswordEntryRow  *password_row;
  AdwPasswordEntryRow  *password_repeat_row;
  AdwActionRow         *key_row;
  GtkButton            *backup_button;
  GtkProgressBar       *progress_bar;
  GtkLabel             *message_label;
};

G_DEFINE_FINAL_TYPE (StpBackupGroup, stp_backup_group, ADW_TYPE_PREFERENCES_GROUP)

static void
show_message (StpBackupGroup *self,
              const char     *message)
{
  /* Under the group, next to what it is about (a toast would vanish
   * before a long message is read). */
  gtk_label_set_text (self->message_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && *message != '\0');
}

void
stp_backup_group_refresh (StpBackupGroup *self)
{
  g_autofree char *text = NULL;
  g_autofree char *folder = NULL;
  g_autoptr(StpBackupKey) key = NULL;
  gboolean warn = FALSE;

  g_return_if_fail (STP_IS_BACKUP_GROUP (self));

  text = stp_backup_task_describe (self->store, &warn);
  adw_action_row_set_subtitle (self->status_row, text);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), warn);
  folder = stp_backup_get_folder (self->store);
  if (folder != NULL && !gtk_widget_has_focus (GTK_WIDGET (self->folder_row)))
    gtk_editable_set_text (GTK_EDITABLE (self->folder_row), folder);
  key = stp_backup_get_key (self->store);
  adw_action_row_set_subtitle (self->key_row, key != NULL ? _("The password is set") : _("No password yet"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->backup_button),
                            folder != NULL && key != NULL && !stp_backup_task_is_running ());
}

static void
on_folder_applied (StpBackupGroup *self)
{
  g_autofree char *folder = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->folder_row))));
  g_autoptr(GError) error = NULL;

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *message = g_strdup_printf (_("The folder %s does not exist."), folder);
      show_message (self, message);
      return;
    }
  if (!stp_backup_set_folder (self->store, self->session, folder, &error))
    {
      show_message (self, error->message);
      return;
    }
  show_message (self, _("The folder for backup copies was saved."));
  stp_backup_group_refresh (self);
}

static void
on_folder_chosen (GtkNativeDialog *chooser,
                  int              response,
                  StpBackupGroup  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          gtk_editable_set_text (GTK_EDITABLE (self->folder_row), path);
          on_folder_applied (self);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
}

static void
on_choose_clicked (StpBackupGroup *self)
{
  GtkFileChooserNative *chooser;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  chooser = gtk_file_chooser_native_new (_("Folder for Backup Copies"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_folder_chosen), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_password_clicked (StpBackupGroup *self)
{
  g_autoptr(GError) error = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->password_repeat_row));

  if (!stp_backup_set_password (self->store, self->session, password, repeat, &error))
    {
      show_message (self, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->password_repeat_row), "");
  show_message (self, _("The backup password was saved. Keep it written down away from this computer."));
  stp_backup_group_refresh (self);
}

static void
on_progress (double   fraction,
             gpointer user_data)
{
  StpBackupGroup *self = user_data;

  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
}

static void
on_backup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(StpBackupGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpBackupInfo) info = stp_backup_task_run_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  if (info == NULL)
    show_message (self, error->message);
  else
    {
      g_autofree char *size = g_format_size (info->file_size);
      g_autofree char *message = g_strdup_printf (_("The copy %s (%s) was written and checked."),
                                                  info->path, size);
      show_message (self, message);
    }
  stp_backup_group_refresh (self);
}

static void
on_backup_clicked (StpBackupGroup *self)
{
  show_message (self, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->backup_button), FALSE);
  stp_backup_task_run_async (self->store, self->session, on_progress, self,
                             self->cancellable, on_backup_done, g_object_ref (self));
}

static void
on_restored (StpBackupGroup *self)
{
  /* The users came back with the copy: log in again. */
  gtk_widget_activate_action (GTK_WIDGET (self), "win.logout", NULL);
}

static void
on_restore_clicked (StpBackupGroup *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *dialog;

  dialog = GTK_WINDOW (stp_restore_dialog_new (self->store, self->session));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (dialog, GTK_WINDOW (root));
  g_signal_connect_object (dialog, "restored", G_CALLBACK (on_restored), self, G_CONNECT_SWAPPED);
  gtk_window_present (dialog);
}

static void
stp_backup_group_dispose (GObject *object)
{
  StpBackupGroup *self = STP_BACKUP_GROUP (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_BACKUP_GROUP);

  G_OBJECT_CLASS (stp_backup_group_parent_class)->dispose (object);
}

static void
stp_backup_group_class_init (StpBackupGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_backup_group_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-backup-group.ui");
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, status_row);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, status_icon);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, folder_row);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, password_row);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, password_repeat_row);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, key_row);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, backup_button);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, StpBackupGroup, message_label);
  gtk_widget_class_bind_template_callback (widget_class, on_folder_applied);
  gtk_widget_class_bind_template_callback (widget_class, on_choose_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_password_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_backup_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_restore_clicked);
}

static void
stp_backup_group_init (StpBackupGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
stp_backup_group_new (StpStore   *store,
                      StpSession *session)
{
  StpBackupGroup *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_BACKUP_GROUP, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  stp_backup_group_refresh (self);
  return GTK_WIDGET (self);
}
