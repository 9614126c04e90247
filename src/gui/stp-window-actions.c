#define G_LOG_DOMAIN "stp-window-actions"

#include "config.h"

#include "stp-window-private.h"
#include "stp-residents-page.h"
#include "stp-unsaved.h"
#include "stp-check-status.h"

static void
stp_window_actions_search (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  StpWindow *self = STP_WINDOW (widget);

  if (self->locked || self->residents_page == NULL)
    return;

  stp_window_show_page (self, "residents");
  stp_residents_page_focus_search (STP_RESIDENTS_PAGE (self->residents_page));
}

static void
stp_window_actions_intake (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  StpWindow *self = STP_WINDOW (widget);

  if (self->locked)
    return;

  if (stp_window_show_page (self, "intake"))
    gtk_widget_child_focus (self->intake_page, GTK_DIR_TAB_FORWARD);
}

static void
stp_window_actions_lock (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  stp_window_lock (STP_WINDOW (widget));
}

static void
log_out (GObject *owner)
{
  StpWindow *self = STP_WINDOW (owner);
  g_autoptr(GError) error = NULL;

  /* The access log shows when a session ended, not only when it began. */
  if (!stp_store_audit (self->store, self->session, STP_AUDIT_LOGOUT, NULL, NULL, NULL, &error))
    g_warning ("Cannot log the logout: %s", error->message);
  g_signal_emit_by_name (self, "logged-out");
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
stp_window_actions_logout (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  StpWindow *self = STP_WINDOW (widget);

  /* The session's cards close with it: ask about their edits first. */
  stp_ask_about_unsaved_edits (GTK_WINDOW (self), self->card_windows, G_OBJECT (self), log_out);
}

static void
stp_window_actions_check_file (GtkWidget  *widget,
                               const char *action_name,
                               GVariant   *param)
{
  StpWindow *self = STP_WINDOW (widget);

  if (self->locked || self->check_status == NULL)
    return;
  stp_check_status_start (STP_CHECK_STATUS (self->check_status));
}

void
_stp_window_update_actions (StpWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.check-file",
                                 !self->locked && self->check_status != NULL && self->session != NULL
                                 && stp_session_can (self->session, STP_PERMISSION_ADMIN));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search",
                                 !self->locked && self->residents_page != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.intake",
                                 !self->locked && gtk_stack_get_child_by_name (self->stack, "intake") != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", !self->locked);
}

void
_stp_window_class_actions_init (StpWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, stp_window_actions_search);
  gtk_widget_class_install_action (widget_class, "win.intake", NULL, stp_window_actions_intake);
  gtk_widget_class_install_action (widget_class, "win.lock", NULL, stp_window_actions_lock);
  gtk_widget_class_install_action (widget_class, "win.logout", NULL, stp_window_actions_logout);
  gtk_widget_class_install_action (widget_class, "win.check-file", NULL, stp_window_actions_check_file);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.intake", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock", NULL);
}
