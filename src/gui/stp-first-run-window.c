#define G_LOG_DOMAIN "stp-first-run-window"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-first-run-window.h"

#if __has_include("stp-demo.h")
# include "stp-demo.h"
# define HAVE_DEMO 1
#endif

#define DEMO_RESIDENTS 300
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
};

G_DEFINE_FINAL_TYPE (StpFirstRunWindow, stp_first_run_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  SESSION_STARTED,
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

#ifdef HAVE_DEMO
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
  if (!stp_demo_generate (store, DEMO_RESIDENTS, g_random_int (), &error))
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
#endif

static void
on_demo_clicked (StpFirstRunWindow *self)
{
#ifdef HAVE_DEMO
  g_autoptr(GTask) task = NULL;

  show_error (self, NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->demo_button), FALSE);
  gtk_spinner_start (self->spinner);

  task = g_task_new (self, NULL, demo_done, NULL);
  g_task_set_source_tag (task, on_demo_clicked);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, demo_thread);
#else
  show_error (self, _("This build of the program has no demo center."));
#endif
}

static void
stp_first_run_window_dispose (GObject *object)
{
  StpFirstRunWindow *self = STP_FIRST_RUN_WINDOW (object);

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
  gtk_widget_class_bind_template_callback (widget_class, on_demo_clicked);
}

static void
stp_first_run_window_init (StpFirstRunWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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

  return self;
}
