#define G_LOG_DOMAIN "stp-login-window"

#include "config.h"

#include "stp-gui-util.h"

#include <glib/gi18n-lib.h>

#include "stp-login-window.h"

struct _StpLoginWindow
{
  AdwApplicationWindow  parent_instance;

  StpStore             *store;
  GPtrArray            *users;   /* (element-type StpUser) */

  GtkLabel             *center_label;
  GtkListBox           *user_list;
  GtkPasswordEntry     *password_entry;
  GtkLabel             *error_label;
  GtkButton            *login_button;
  gboolean              busy;          /* a password is being checked */
};

G_DEFINE_FINAL_TYPE (StpLoginWindow, stp_login_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  SESSION_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
show_error (StpLoginWindow *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
on_user_activated (StpLoginWindow *self,
                   GtkListBoxRow  *row)
{
  gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
}

static void
set_busy (StpLoginWindow *self,
          gboolean        busy)
{
  self->busy = busy;
  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->user_list), !busy);
}

static void
login_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(StpLoginWindow) self = user_data;
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = stp_store_login_finish (STP_STORE (source), result, &error);
  /* Closed meanwhile. */
  if (self->store == NULL)
    return;
  set_busy (self, FALSE);
  if (session == NULL)
    {
      /* Wrong password and throttling both come with a translated message
       * that says what to do. */
      show_error (self, error->message);
      gtk_editable_set_text (GTK_EDITABLE (self->password_entry), "");
      gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));
      return;
    }

  show_error (self, NULL);
  g_signal_emit (self, signals[SESSION_STARTED], 0, session);
}

static void
on_login_clicked (StpLoginWindow *self)
{
  GtkListBoxRow *row;
  StpUser *user;

  if (self->busy)
    return;

  row = gtk_list_box_get_selected_row (self->user_list);
  if (row == NULL)
    {
      show_error (self, _("Choose your name in the list first."));
      return;
    }

  user = g_ptr_array_index (self->users, gtk_list_box_row_get_index (row));
  /* The password's check (argon2id, 0.2 s to a second of CPU) runs on a
   * thread: the window keeps drawing meanwhile. */
  set_busy (self, TRUE);
  stp_store_login_async (self->store, user->login,
                         gtk_editable_get_text (GTK_EDITABLE (self->password_entry)),
                         login_done, g_object_ref (self));
}

gboolean
stp_login_window_is_busy (StpLoginWindow *self)
{
  g_return_val_if_fail (STP_IS_LOGIN_WINDOW (self), FALSE);

  return self->busy;
}

static void
stp_login_window_load (StpLoginWindow *self)
{
  g_autoptr(StpCenter) center = NULL;
  g_autoptr(GError) error = NULL;

  center = stp_store_get_center (self->store, NULL);
  if (center != NULL && center->name != NULL)
    gtk_label_set_text (self->center_label, center->name);

  self->users = stp_store_list_login_users (self->store, &error);
  if (self->users == NULL)
    {
      show_error (self, error->message);
      self->users = g_ptr_array_new ();
      return;
    }

  for (guint i = 0; i < self->users->len; i++)
    {
      StpUser *user = g_ptr_array_index (self->users, i);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      subtitle = g_strdup_printf ("%s · %s", user->login,
                                  stp_enum_to_label (STP_ENUM_ROLE, user->role));
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), user->full_name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      gtk_widget_set_name (row, user->login);
      gtk_list_box_append (self->user_list, row);
    }

  if (self->users->len > 0)
    gtk_list_box_select_row (self->user_list, gtk_list_box_get_row_at_index (self->user_list, 0));
}

static void
stp_login_window_dispose (GObject *object)
{
  StpLoginWindow *self = STP_LOGIN_WINDOW (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->users, g_ptr_array_unref);

  G_OBJECT_CLASS (stp_login_window_parent_class)->dispose (object);
}

static void
stp_login_window_class_init (StpLoginWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_login_window_dispose;

  /**
   * StpLoginWindow::session-started:
   * @session: the logged-in user's session
   */
  signals[SESSION_STARTED] =
    g_signal_new ("session-started",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, STP_TYPE_SESSION);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-login-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StpLoginWindow, center_label);
  gtk_widget_class_bind_template_child (widget_class, StpLoginWindow, user_list);
  gtk_widget_class_bind_template_child (widget_class, StpLoginWindow, password_entry);
  gtk_widget_class_bind_template_child (widget_class, StpLoginWindow, error_label);
  gtk_widget_class_bind_template_child (widget_class, StpLoginWindow, login_button);
  gtk_widget_class_bind_template_callback (widget_class, on_user_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_login_clicked);
}

static void
stp_login_window_init (StpLoginWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

StpLoginWindow *
stp_login_window_new (GtkApplication *app,
                      StpStore       *store)
{
  StpLoginWindow *self;

  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_new (STP_TYPE_LOGIN_WINDOW, "application", app, NULL);
  self->store = g_object_ref (store);
  stp_login_window_load (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->password_entry));

  stp_gui_fix_mnemonic_names (GTK_WIDGET (self));
  return self;
}
