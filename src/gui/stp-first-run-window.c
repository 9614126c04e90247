#define G_LOG_DOMAIN "stp-first-run-window"

#include "config.h"

#include "stp-gui-util.h"

#include <glib/gi18n-lib.h>

#include "stp-first-run-window.h"
#include "stp-sync-engine.h"

#include "stp-demo.h"
#include "stp-demo-report.h"
#include "stp-restore-dialog.h"

#define DEMO_LOGIN "director"
#define DEMO_PASSWORD "stupeni-demo"

struct _StpFirstRunWindow
{
  AdwApplicationWindow  parent_instance;

  StpStore             *store;

  AdwEntryRow          *center_name_row;
  AdwEntryRow          *region_row;
  GtkSpinButton        *seats_total;
  GtkSpinButton        *seats_male;
  GtkSpinButton        *seats_female;
  AdwEntryRow          *login_row;
  AdwEntryRow          *full_name_row;
  AdwEntryRow          *password_row;
  AdwEntryRow          *password_repeat_row;
  GtkLabel             *error_label;
  GtkButton            *create_button;
  GtkButton            *demo_button;
  GtkSpinner           *spinner;
  AdwEntryRow          *join_url_row;
  AdwEntryRow          *join_code_row;
  AdwEntryRow          *join_passphrase_row;
  AdwEntryRow          *join_fingerprint_row;
  GtkLabel             *join_status_label;
  GtkButton            *join_button;
  GtkSpinner           *join_spinner;

  StpSyncEngine        *engine;         /* while joining */
  GCancellable         *cancellable;
};

G_DEFINE_FINAL_TYPE (StpFirstRunWindow, stp_first_run_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  SESSION_STARTED,
  JOINED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (StpFirstRunWindow *self,
            const char        *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static char *
dup_stripped (AdwEntryRow *row)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (text);
  if (*text == '\0')
    return NULL;

  return g_steal_pointer (&text);
}

static void
on_create_clicked (StpFirstRunWindow *self)
{
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *login = dup_stripped (self->login_row);
  g_autofree char *full_name = dup_stripped (self->full_name_row);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  const char *repeat = gtk_editable_get_text (GTK_EDITABLE (self->password_repeat_row));

  center->name = dup_stripped (self->center_name_row);
  center->region = dup_stripped (self->region_row);
  center->seats_total = gtk_spin_button_get_value_as_int (self->seats_total);
  center->seats_male = gtk_spin_button_get_value_as_int (self->seats_male);
  center->seats_female = gtk_spin_button_get_value_as_int (self->seats_female);

  if (center->name == NULL)
    {
      show_error (self, _("Type the name of the center."));
      gtk_widget_grab_focus (GTK_WIDGET (self->center_name_row));
      return;
    }
  if (login == NULL || full_name == NULL)
    {
      show_error (self, _("Type the director’s login and full name."));
      gtk_widget_grab_focus (GTK_WIDGET (login == NULL ? self->login_row : self->full_name_row));
      return;
    }
  if (*password == '\0' || g_strcmp0 (password, repeat) != 0)
    {
      show_error (self, _("The two passwords differ or are empty. Type the same password twice."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  session = stp_store_create_center (self->store, center, login, full_name, password, &error);
  if (session == NULL)
    {
      show_error (self, error->message);
      return;
    }

  show_error (self, NULL);
  g_signal_emit (self, signals[SESSION_STARTED], 0, session);
}

static void
demo_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  StpStore *store = task_data;
  g_autoptr(GError) error = NULL;

  /* The main thread does not touch the store while this runs: both buttons
   * are insensitive until the task returns. */
  if (!stp_demo_generate (store, STP_DEMO_RESIDENTS, g_random_int (), &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
demo_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  StpFirstRunWindow *self = STP_FIRST_RUN_WINDOW (object);
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GError) error = NULL;

  gtk_spinner_stop (self->spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_button), TRUE);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      show_error (self, error->message);
      return;
    }

  session = stp_store_login (self->store, DEMO_LOGIN, DEMO_PASSWORD, &error);
  if (session == NULL)
    {
      show_error (self, error->message);
      return;
    }

  g_signal_emit (self, signals[SESSION_STARTED], 0, session);
}

static void
on_demo_clicked (StpFirstRunWindow *self)
{
  g_autoptr(GTask) task = NULL;

  show_error (self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_button), FALSE);
  gtk_spinner_start (self->spinner);

  task = g_task_new (self, NULL, demo_done, NULL);
  g_task_set_source_tag (task, on_demo_clicked);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, demo_thread);
}


/* --- Restoring a backup copy ------------------------------------------------ */

/* The users came with the copy: log in as after joining. */
static void
on_restored (StpFirstRunWindow *self)
{
  g_signal_emit (self, signals[JOINED], 0);
}

static void
on_restore_clicked (StpFirstRunWindow *self)
{
  StpRestoreDialog *dialog = stp_restore_dialog_new (self->store, NULL);

  gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (self));
  g_signal_connect_object (dialog, "restored", G_CALLBACK (on_restored), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Joining a center that already syncs ---------------------------------- */

static void
show_join_status (StpFirstRunWindow *self,
                  const char        *message,
                  gboolean           is_error)
{
  gtk_label_set_text (self->join_status_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->join_status_label), message != NULL);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->join_status_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->join_status_label), "error");
}

static void
set_busy (StpFirstRunWindow *self,
          gboolean           busy)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->join_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_button), !busy);
  if (busy)
    gtk_spinner_start (self->join_spinner);
  else
    gtk_spinner_stop (self->join_spinner);
}

static void
on_join_progress (StpFirstRunWindow *self)
{
  guint sent = 0, received = 0;
  g_autofree char *text = NULL;

  stp_sync_engine_get_progress (self->engine, &sent, &received);
  if (received == 0)
    return;
  text = g_strdup_printf (_("Receiving the center’s data… changes received: %'u"), received);
  show_join_status (self, text, FALSE);
}

static void
join_synced (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StpFirstRunWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!stp_sync_engine_sync_finish (STP_SYNC_ENGINE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_join_status (self, error->message, TRUE);
      return;
    }
  set_busy (self, FALSE);
  if (stp_store_is_empty (self->store))
    {
      show_join_status (self, _("The server has no data of this center yet. Synchronize the "
                                "center’s first computer, then press the button again."), TRUE);
      return;
    }
  show_join_status (self, NULL, FALSE);
  stp_sync_engine_set_auto (self->engine, TRUE, 300);
  g_signal_emit (self, signals[JOINED], 0);
}

static void
start_first_sync (StpFirstRunWindow *self)
{
  show_join_status (self, _("Receiving the center’s data…"), FALSE);
  stp_sync_engine_sync_async (self->engine, self->cancellable, join_synced, g_object_ref (self));
}

static void
join_enrolled (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(StpFirstRunWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!stp_sync_engine_enroll_finish (STP_SYNC_ENGINE (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      set_busy (self, FALSE);
      show_join_status (self, error->message, TRUE);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->join_passphrase_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->join_code_row), "");
  start_first_sync (self);
}

static void
on_join_clicked (StpFirstRunWindow *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->join_url_row));
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->join_code_row));
  const char *passphrase = gtk_editable_get_text (GTK_EDITABLE (self->join_passphrase_row));
  const char *fingerprint = gtk_editable_get_text (GTK_EDITABLE (self->join_fingerprint_row));

  if (self->engine == NULL)
    {
      self->engine = g_object_ref (stp_sync_engine_get_for_store (self->store));
      g_signal_connect_object (self->engine, "notify::received", G_CALLBACK (on_join_progress),
                               self, G_CONNECT_SWAPPED);
    }
  show_error (self, NULL);
  /* Enrolled already (the first sync failed): only synchronize again. */
  if (stp_sync_engine_is_enrolled (self->engine))
    {
      set_busy (self, TRUE);
      start_first_sync (self);
      return;
    }
  if (*url == '\0' || *code == '\0' || *passphrase == '\0')
    {
      show_join_status (self, _("Enter the server address, the enrollment code and the center passphrase"), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (*url == '\0' ? self->join_url_row
                                         : *code == '\0' ? self->join_code_row
                                         : self->join_passphrase_row));
      return;
    }
  set_busy (self, TRUE);
  show_join_status (self, _("Connecting…"), FALSE);
  stp_sync_engine_enroll_async (self->engine, url, code, passphrase, fingerprint,
                                self->cancellable, join_enrolled, g_object_ref (self));
}

static void
stp_first_run_window_dispose (GObject *object)
{
  StpFirstRunWindow *self = STP_FIRST_RUN_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->engine);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (stp_first_run_window_parent_class)->dispose (object);
}

static void
stp_first_run_window_class_init (StpFirstRunWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_first_run_window_dispose;

  /**
   * StpFirstRunWindow::session-started:
   * @session: the director's session
   *
   * Emitted when the center exists and a user is logged in.
   */
  signals[SESSION_STARTED] =
    g_signal_new ("session-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, STP_TYPE_SESSION);

  /**
   * StpFirstRunWindow::joined:
   *
   * Emitted when this computer joined a center that already syncs and
   * received its data and users: the next step is logging in.
   */
  signals[JOINED] =
    g_signal_new ("joined",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-first-run-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, center_name_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, region_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, seats_total);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, seats_male);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, seats_female);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, login_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, full_name_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, password_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, password_repeat_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, create_button);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, demo_button);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_create_clicked);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, join_url_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, join_code_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, join_passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, join_fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, join_status_label);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, join_button);
  gtk_widget_class_bind_template_child (widget_class, StpFirstRunWindow, join_spinner);
  gtk_widget_class_bind_template_callback (widget_class, on_demo_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_join_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_restore_clicked);
}

static void
stp_first_run_window_init (StpFirstRunWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

StpFirstRunWindow *
stp_first_run_window_new (GtkApplication *app,
                          StpStore       *store)
{
  StpFirstRunWindow *self;

  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_new (STP_TYPE_FIRST_RUN_WINDOW, "application", app, NULL);
  self->store = g_object_ref (store);

  stp_gui_fix_mnemonic_names (GTK_WIDGET (self));
  return self;
}
