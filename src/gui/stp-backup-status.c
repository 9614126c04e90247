#define G_LOG_DOMAIN "stp-backup-status"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-backup-status.h"
#include "stp-backup-task.h"

/* How often the state is read again and a daily copy considered. */
#define CHECK_SECONDS (15 * 60)

struct _StpBackupStatus
{
  GtkBox         parent_instance;

  StpStore      *store;
  GCancellable  *cancellable;
  guint          timeout_id;

  GtkMenuButton *button;
  GtkLabel      *button_label;
  GtkLabel      *details_label;
};

G_DEFINE_FINAL_TYPE (StpBackupStatus, stp_backup_status, GTK_TYPE_BOX)

static void
refresh (StpBackupStatus *self)
{
  g_autofree char *text = NULL;
  g_autofree char *details = NULL;
  gboolean warn = FALSE;

  text = stp_backup_task_describe (self->store, &warn);
  gtk_widget_set_visible (GTK_WIDGET (self->button), warn);
  gtk_label_set_text (self->button_label, warn ? _("Backup copies") : "");
  details = g_strdup_printf (_("Last good backup copy: %s.\n\nOpen “Settings”, group “Backup Copies”, "
                               "to connect the drive or choose another folder, and create a copy."),
                             text);
  gtk_label_set_text (self->details_label, details);
}

static void
on_backup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(StpBackupStatus) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpBackupInfo) info = stp_backup_task_run_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (info == NULL)
    g_warning ("The daily backup copy failed: %s", error->message);
  refresh (self);
}

void
stp_backup_status_check (StpBackupStatus *self)
{
  StpBackupState state;

  g_return_if_fail (STP_IS_BACKUP_STATUS (self));

  refresh (self);
  state = stp_backup_get_state (self->store, NULL);
  if (state == STP_BACKUP_STATE_NOT_SET_UP || state == STP_BACKUP_STATE_FOLDER_MISSING ||
      stp_backup_task_is_running () || !stp_backup_is_due (self->store, TRUE))
    return;
  stp_backup_task_run_async (self->store, NULL, NULL, NULL, self->cancellable,
                             on_backup_done, g_object_ref (self));
}

static gboolean
on_timeout (gpointer data)
{
  stp_backup_status_check (STP_BACKUP_STATUS (data));
  return G_SOURCE_CONTINUE;
}

static gboolean
on_first_check (gpointer data)
{
  StpBackupStatus *self = data;

  stp_backup_status_check (self);
  self->timeout_id = g_timeout_add_seconds (CHECK_SECONDS, on_timeout, self);
  return G_SOURCE_REMOVE;
}

const char *
stp_backup_status_get_text (StpBackupStatus *self)
{
  g_return_val_if_fail (STP_IS_BACKUP_STATUS (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self->button)))
    return NULL;
  return gtk_label_get_text (self->details_label);
}

static void
stp_backup_status_dispose (GObject *object)
{
  StpBackupStatus *self = STP_BACKUP_STATUS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->button != NULL)
    {
      gtk_box_remove (GTK_BOX (self), GTK_WIDGET (self->button));
      self->button = NULL;
    }
  g_clear_object (&self->store);

  G_OBJECT_CLASS (stp_backup_status_parent_class)->dispose (object);
}

static void
stp_backup_status_class_init (StpBackupStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stp_backup_status_dispose;
}

static void
stp_backup_status_init (StpBackupStatus *self)
{
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *popover = gtk_popover_new ();

  self->cancellable = g_cancellable_new ();
  self->button = GTK_MENU_BUTTON (gtk_menu_button_new ());
  gtk_widget_set_name (GTK_WIDGET (self->button), "backup-warning");
  gtk_widget_add_css_class (GTK_WIDGET (self->button), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), _("The backup copy needs attention"));
  gtk_box_append (GTK_BOX (content), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  self->button_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->button_label));
  gtk_menu_button_set_child (self->button, content);

  self->details_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->details_label, TRUE);
  gtk_label_set_max_width_chars (self->details_label, 40);
  gtk_label_set_xalign (self->details_label, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->details_label), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->details_label), 6);
  gtk_widget_set_margin_start (GTK_WIDGET (self->details_label), 6);
  gtk_widget_set_margin_end (GTK_WIDGET (self->details_label), 6);
  gtk_popover_set_child (GTK_POPOVER (popover), GTK_WIDGET (self->details_label));
  gtk_menu_button_set_popover (self->button, popover);
  gtk_widget_set_visible (GTK_WIDGET (self->button), FALSE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->button));
}

GtkWidget *
stp_backup_status_new (StpStore *store)
{
  StpBackupStatus *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_new (STP_TYPE_BACKUP_STATUS, NULL);
  self->store = g_object_ref (store);
  refresh (self);
  /* The first daily copy a little after the window opened. */
  self->timeout_id = g_timeout_add_seconds_full (G_PRIORITY_LOW, 20, on_first_check, self, NULL);
  return GTK_WIDGET (self);
}
