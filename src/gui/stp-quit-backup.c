/* stp-quit-backup.c: the backup copy on quit, with its progress.
 *
 * On the 100 000-resident center a copy takes about a minute and a half.
 * Made in the application's shutdown it kept the process alive with no
 * window at all, so people thought the program hung and killed it.  The
 * main window now closes at once and this small window shows the copy;
 * the copy runs on the backup task's worker (stp-backup-task.c), can be
 * skipped (cancelled within a megabyte, leaving nothing behind), and the
 * next start's daily check makes a skipped one up. */
#define G_LOG_DOMAIN "stp-quit-backup"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-quit-backup.h"
#include "stp-backup-task.h"

struct _StpQuitBackup
{
  AdwWindow       parent_instance;

  StpStore       *store;
  GCancellable   *cancellable;
  GtkProgressBar *bar;
  GtkLabel       *label;
  GtkButton      *skip_button;
  guint           pulse_id;
  double          fraction;
  gboolean        done;
};

G_DEFINE_FINAL_TYPE (StpQuitBackup, stp_quit_backup, ADW_TYPE_WINDOW)

static gboolean
on_pulse (gpointer data)
{
  StpQuitBackup *self = data;

  gtk_progress_bar_pulse (self->bar);
  return G_SOURCE_CONTINUE;
}

static void
on_progress (double   fraction,
             gpointer user_data)
{
  StpQuitBackup *self = user_data;
  g_autofree char *text = NULL;

  if (self->done)
    return;
  /* The consistent copy comes first and says nothing: the bar pulses
   * until the sealing reports. */
  if (fraction > 0.05)
    g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (self->pulse_id != 0)
    return;
  self->fraction = fraction;
  gtk_progress_bar_set_fraction (self->bar, fraction);
  text = g_strdup_printf ("%d %%", (int) (fraction * 100));
  gtk_progress_bar_set_text (self->bar, text);
}

static gboolean
destroy_later (gpointer data)
{
  gtk_window_destroy (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(StpQuitBackup) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpBackupInfo) info = stp_backup_task_run_finish (result, &error);

  self->done = TRUE;
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  if (info != NULL)
    g_message ("Backup copy on quit: %s", info->path);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_message ("The backup copy on quit was skipped; the next start makes one");
  else
    g_warning ("No backup copy on quit: %s", error->message);
  /* After the worker's last progress updates, which were queued before
   * this and still point at the window. */
  g_idle_add_full (G_PRIORITY_LOW, destroy_later, g_object_ref (self), g_object_unref);
}

void
stp_quit_backup_skip (StpQuitBackup *self)
{
  g_return_if_fail (STP_IS_QUIT_BACKUP (self));

  gtk_widget_set_sensitive (GTK_WIDGET (self->skip_button), FALSE);
  gtk_label_set_text (self->label, _("Stopping the backup copy…"));
  g_cancellable_cancel (self->cancellable);
}

double
stp_quit_backup_get_fraction (StpQuitBackup *self)
{
  g_return_val_if_fail (STP_IS_QUIT_BACKUP (self), 0);
  return self->fraction;
}

static void
on_skip_clicked (StpQuitBackup *self)
{
  stp_quit_backup_skip (self);
}

static gboolean
stp_quit_backup_close_request (GtkWindow *window)
{
  StpQuitBackup *self = STP_QUIT_BACKUP (window);

  /* Closing the window is skipping the copy; it closes once the worker
   * stopped, so no half-written file stays behind. */
  if (!self->done)
    {
      stp_quit_backup_skip (self);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (stp_quit_backup_parent_class)->close_request (window);
}

static void
stp_quit_backup_dispose (GObject *object)
{
  StpQuitBackup *self = STP_QUIT_BACKUP (object);

  g_clear_handle_id (&self->pulse_id, g_source_remove);
  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (stp_quit_backup_parent_class)->dispose (object);
}

static void
stp_quit_backup_class_init (StpQuitBackupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = stp_quit_backup_dispose;
  window_class->close_request = stp_quit_backup_close_request;
}

static void
stp_quit_backup_init (StpQuitBackup *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *title = gtk_label_new (_("Making a backup copy"));

  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("Backup copy"));
  gtk_window_set_default_size (GTK_WINDOW (self), 440, -1);
  gtk_window_set_resizable (GTK_WINDOW (self), FALSE);

  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 24);
  gtk_widget_set_margin_end (box, 24);
  gtk_widget_add_css_class (title, "title-2");
  gtk_box_append (GTK_BOX (box), title);

  self->label = GTK_LABEL (gtk_label_new (_("Something was saved since the last copy, so a copy is "
                                            "made before the program closes. On a big center this "
                                            "takes a minute or two; the data stays safe if you skip it "
                                            "(the next start makes the copy).")));
  gtk_label_set_wrap (self->label, TRUE);
  gtk_label_set_max_width_chars (self->label, 48);
  gtk_label_set_xalign (self->label, 0);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->label));

  self->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_show_text (self->bar, TRUE);
  gtk_progress_bar_set_text (self->bar, _("Copying the database…"));
  gtk_progress_bar_set_pulse_step (self->bar, 0.1);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->bar));

  self->skip_button = GTK_BUTTON (gtk_button_new_with_mnemonic (_("_Quit without a copy")));
  gtk_widget_set_halign (GTK_WIDGET (self->skip_button), GTK_ALIGN_END);
  gtk_widget_set_name (GTK_WIDGET (self->skip_button), "quit-backup-skip");
  g_signal_connect_swapped (self->skip_button, "clicked", G_CALLBACK (on_skip_clicked), self);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->skip_button));

  gtk_box_append (GTK_BOX (outer), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (outer), box);
  adw_window_set_content (ADW_WINDOW (self), outer);
}

StpQuitBackup *
stp_quit_backup_find (GtkApplication *app)
{
  for (GList *l = gtk_application_get_windows (app); l != NULL; l = l->next)
    if (STP_IS_QUIT_BACKUP (l->data))
      return l->data;
  return NULL;
}

StpQuitBackup *
stp_quit_backup_start (GtkApplication *app,
                       StpStore       *store)
{
  StpQuitBackup *self;
  StpBackupState state;

  g_return_val_if_fail (GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  if ((self = stp_quit_backup_find (app)) != NULL)
    return self;
  state = stp_backup_get_state (store, NULL);
  if (state == STP_BACKUP_STATE_NOT_SET_UP || state == STP_BACKUP_STATE_FOLDER_MISSING ||
      stp_store_is_empty (store) || stp_backup_task_is_running () ||
      !stp_backup_is_due (store, FALSE))
    return NULL;

  self = g_object_new (STP_TYPE_QUIT_BACKUP, "application", app, NULL);
  self->store = g_object_ref (store);
  self->pulse_id = g_timeout_add (150, on_pulse, self);
  stp_backup_task_run_async (store, NULL, on_progress, self, self->cancellable,
                             on_done, g_object_ref (self));
  gtk_window_present (GTK_WINDOW (self));
  return self;
}
