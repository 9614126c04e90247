#define G_LOG_DOMAIN "stp-sync-page"

#include "config.h"

#include "stp-sync-page.h"
#include "stp-sync-status.h"
#include "stp-sync-engine.h"
#include "stp-stats.h"

#include <glib/gi18n-lib.h>

struct _StpSyncPage
{
  GtkBox               parent_instance;

  StpStore            *store;
  StpSession          *session;
  StpSyncEngine       *engine;
  GCancellable        *cancellable;

  GtkLabel            *warning_label;
  AdwActionRow        *state_row;
  AdwActionRow        *server_row;
  AdwActionRow        *last_sync_row;
  AdwActionRow        *pending_row;
  AdwActionRow        *clock_row;
  AdwActionRow        *stats_row;
  GtkButton           *sync_button;
  GtkButton           *stats_button;
  GtkLabel            *enroll_title;
  GtkListBox          *status_list;
  GtkListBox          *enroll_list;
  AdwEntryRow         *url_row;
  AdwEntryRow         *code_row;
  AdwPasswordEntryRow *passphrase_row;
  AdwPasswordEntryRow *passphrase_repeat_row;
  GtkCheckButton      *written_down_check;
  AdwEntryRow         *fingerprint_row;
  GtkButton           *enroll_button;
  GtkLabel            *message_label;
};

G_DEFINE_FINAL_TYPE (StpSyncPage, stp_sync_page, GTK_TYPE_BOX)

static void
show_message (StpSyncPage *self,
              const char  *text,
              gboolean     is_error)
{
  gtk_label_set_label (self->message_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), text != NULL && *text != '\0');
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static char *
format_usec (gint64 usec)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec <= 0)
    return g_strdup (_("Never"));
  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%d.%m.%Y %H:%M");
}

static void
update (StpSyncPage *self)
{
  gboolean enrolled = stp_sync_engine_is_enrolled (self->engine);
  gboolean needs_enrollment = stp_sync_engine_needs_enrollment (self->engine);
  StpSyncState state = stp_sync_engine_get_state (self->engine);
  const char *error = stp_sync_engine_get_last_error (self->engine);
  gint64 skew = stp_sync_engine_get_clock_skew (self->engine);
  g_autofree char *last = format_usec (stp_sync_engine_get_last_sync (self->engine));
  g_autofree char *pending = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *server = NULL;
  g_autofree char *progress = NULL;
  const char *state_text;

  switch (state)
    {
    case STP_SYNC_STATE_SYNCING:
      progress = stp_sync_status_progress_text (self->engine, FALSE);
      state_text = progress;
      break;
    case STP_SYNC_STATE_OFFLINE:
      state_text = _("No connection to the server");
      break;
    case STP_SYNC_STATE_ERROR:
      state_text = _("Error");
      break;
    case STP_SYNC_STATE_IDLE:
    default:
      state_text = enrolled ? _("Synchronized") : _("Not connected to a server");
      break;
    }
  if (error != NULL && state != STP_SYNC_STATE_IDLE)
    {
      g_autofree char *text = g_strdup_printf ("%s: %s", state_text, error);
      adw_action_row_set_subtitle (self->state_row, text);
    }
  else
    adw_action_row_set_subtitle (self->state_row, state_text);

  server = g_strdup_printf ("%s%s%s",
                            stp_sync_engine_get_center_name (self->engine)
                              ? stp_sync_engine_get_center_name (self->engine) : "",
                            stp_sync_engine_get_center_name (self->engine) ? " — " : "",
                            stp_sync_engine_get_server_url (self->engine)
                              ? stp_sync_engine_get_server_url (self->engine) : "");
  adw_action_row_set_subtitle (self->server_row, server);
  adw_action_row_set_subtitle (self->last_sync_row, last);
  pending = g_strdup_printf ("%'u", stp_sync_engine_get_pending (self->engine));
  adw_action_row_set_subtitle (self->pending_row, pending);
  if (ABS (skew) > STP_SYNC_SKEW_WARNING_MILLIS)
    clock = g_strdup_printf (_("This computer's clock differs from the server's by %d min; "
                               "correct the date and time"), (int) (skew / 60000));
  else
    clock = g_strdup (_("Correct"));
  adw_action_row_set_subtitle (self->clock_row, clock);

  gtk_widget_set_visible (GTK_WIDGET (self->server_row), enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->last_sync_row), enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->clock_row), enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->stats_row),
                          enrolled && stp_session_can (self->session, STP_PERMISSION_CENTER_STATS));
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button),
                            enrolled && state != STP_SYNC_STATE_SYNCING);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_button), enrolled);
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_title), needs_enrollment);
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_list), needs_enrollment);
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_button), needs_enrollment);
  gtk_widget_set_sensitive (GTK_WIDGET (self->enroll_button), state != STP_SYNC_STATE_SYNCING);
}

static void
on_engine_notify (StpSyncPage *self)
{
  update (self);
}

static void
on_sync_clicked (StpSyncPage *self)
{
  stp_sync_engine_refresh_pending (self->engine);
  stp_sync_engine_sync_now (self->engine);
}

static void
enroll_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StpSyncPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!stp_sync_engine_enroll_finish (STP_SYNC_ENGINE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, error->message, TRUE);
      update (self);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->passphrase_repeat_row), "");
  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
  show_message (self, _("This computer is connected. The first synchronization starts now."), FALSE);
  stp_sync_engine_set_auto (self->engine, TRUE, 300);
  stp_sync_engine_sync_now (self->engine);
  update (self);
}

static void
on_enroll_clicked (StpSyncPage *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));
  const char *code = gtk_editable_get_text (GTK_EDITABLE (self->code_row));
  const char *passphrase = gtk_editable_get_text (GTK_EDITABLE (self->passphrase_row));
  const char *fingerprint = gtk_editable_get_text (GTK_EDITABLE (self->fingerprint_row));

  if (*url == '\0' || *code == '\0' || *passphrase == '\0')
    {
      show_message (self, _("Enter the server address, the enrollment code and the center passphrase"), TRUE);
      return;
    }
  /* On the first computer the passphrase becomes the center's key. */
  if (g_strcmp0 (passphrase, gtk_editable_get_text (GTK_EDITABLE (self->passphrase_repeat_row))) != 0)
    {
      show_message (self, _("The two passphrases differ. Type the same center passphrase in both fields."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->passphrase_repeat_row));
      return;
    }
  if (!gtk_check_button_get_active (self->written_down_check))
    {
      show_message (self, _("Write the passphrase down and keep it in a safe place, then tick the box: "
                            "without the passphrase nobody can recover the center’s data."), TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->written_down_check));
      return;
    }
  show_message (self, _("Connecting…"), FALSE);
  stp_sync_engine_enroll_async (self->engine, url, code, passphrase, fingerprint,
                                self->cancellable, enroll_done, g_object_ref (self));
}

static void
stats_sent (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(StpSyncPage) self = user_data;
  g_autoptr(GError) error = NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->stats_button), TRUE);
  if (!stp_sync_engine_send_aggregates_finish (STP_SYNC_ENGINE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_message (self, error->message, TRUE);
      return;
    }
  show_message (self, _("The statistics were sent to the region."), FALSE);
}

/* What would be sent for the period chosen in the dialog: its dates and
 * the main numbers, counted now, so that what is shown is what is sent. */
static void
on_stats_period_changed (GtkDropDown *periods,
                         GParamSpec  *pspec,
                         StpSyncPage *self)
{
  AdwMessageDialog *dialog = g_object_get_data (G_OBJECT (periods), "dialog");
  GtkLabel *summary = g_object_get_data (G_OBJECT (periods), "summary");
  StpStatsPeriod period = (StpStatsPeriod) gtk_drop_down_get_selected (periods);
  g_autoptr(StpCenterStats) stats = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *today = stp_store_today (self->store);
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *from_text = NULL;
  g_autofree char *to_text = NULL;
  g_autofree char *text = NULL;

  stp_stats_period_bounds (period, today, &from, &to);
  stats = stp_store_center_stats (self->store, self->session, from, to, &error);
  if (stats == NULL)
    {
      gtk_label_set_text (summary, error->message);
      adw_message_dialog_set_response_enabled (dialog, "send", FALSE);
      g_object_set_data (G_OBJECT (dialog), "stats", NULL);
      return;
    }
  /* TRANSLATORS: what is sent to the region, shown before sending; the
   * period is given as dates дд.мм.гггг */
  from_text = g_strdup_printf ("%.2s.%.2s.%.4s", from + 8, from + 5, from);
  to_text = g_strdup_printf ("%.2s.%.2s.%.4s", to + 8, to + 5, to);
  text = g_strdup_printf (_("Period: %s – %s.\n"
                            "Admitted: %d; discharged: %d; in the program at the end: %d "
                            "(motivation %d, adaptation %d, main course %d, resocialization %d, "
                            "aftercare %d, other %d).\n"
                            "All the sections of the center report are sent, "
                            "the stages added up by kind."),
                          from_text, to_text,
                          (int) stp_center_stats_get (stats, "admitted_by_source", "total"),
                          (int) stp_center_stats_get (stats, "outcomes", "total"),
                          (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "total"),
                          (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "motivation"),
                          (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "adaptation"),
                          (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "main_course"),
                          (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "resocialization"),
                          (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "aftercare"),
                          (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "other"));
  gtk_label_set_text (summary, text);
  adw_message_dialog_set_response_enabled (dialog, "send", TRUE);
  g_object_set_data_full (G_OBJECT (dialog), "stats", g_steal_pointer (&stats),
                          (GDestroyNotify) stp_center_stats_free);
}

static void
on_stats_response (AdwMessageDialog *dialog,
                   const char       *response,
                   StpSyncPage      *self)
{
  StpCenterStats *stats = g_object_get_data (G_OBJECT (dialog), "stats");

  if (!g_str_equal (response, "send") || stats == NULL)
    return;
  gtk_widget_set_sensitive (GTK_WIDGET (self->stats_button), FALSE);
  show_message (self, _("Sending the statistics…"), FALSE);
  /* Exactly what the dialog showed, with its period. */
  stp_sync_engine_send_aggregates_async (self->engine, stats, self->cancellable,
                                         stats_sent, g_object_ref (self));
}

static char *
period_choice (StpStatsPeriod  period,
               const char     *today,
               const char     *name)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  stp_stats_period_bounds (period, today, &from, &to);
  /* TRANSLATORS: a period to send: its name, then its dates дд.мм.гггг */
  return g_strdup_printf (_("%s: %.2s.%.2s.%.4s – %.2s.%.2s.%.4s"), name,
                          from + 8, from + 5, from, to + 8, to + 5, to);
}

static void
on_stats_clicked (StpSyncPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;
  g_autoptr(GtkStringList) choices = gtk_string_list_new (NULL);
  g_autofree char *today = stp_store_today (self->store);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *periods;
  GtkWidget *summary = gtk_label_new (NULL);
  const char *names[] = { _("This year to date"), _("Last quarter"), _("Last year") };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *choice = period_choice ((StpStatsPeriod) i, today, names[i]);

      gtk_string_list_append (choices, choice);
    }
  periods = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (choices)), NULL);
  gtk_widget_set_name (periods, "stats-period");
  gtk_accessible_update_property (GTK_ACCESSIBLE (periods), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Period to send"), -1);
  gtk_widget_set_name (summary, "stats-summary");
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_box_append (GTK_BOX (box), periods);
  gtk_box_append (GTK_BOX (box), summary);

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       _("Send statistics to the region?"),
                                                       _("The numbers of the center report for the period "
                                                         "chosen are sent to the regional server, with the "
                                                         "period. No names or other personal data leave "
                                                         "this computer.")));
  adw_message_dialog_set_extra_child (dialog, box);
  adw_message_dialog_add_responses (dialog, "cancel", _("Cancel"), "send", _("Send"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "send", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "send");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (periods), "dialog", dialog);
  g_object_set_data (G_OBJECT (periods), "summary", summary);
  g_signal_connect_object (periods, "notify::selected", G_CALLBACK (on_stats_period_changed), self, 0);
  on_stats_period_changed (GTK_DROP_DOWN (periods), NULL, self);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_stats_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
stp_sync_page_dispose (GObject *object)
{
  StpSyncPage *self = STP_SYNC_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->engine, self);
      g_clear_object (&self->engine);
    }
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (object), STP_TYPE_SYNC_PAGE);
  G_OBJECT_CLASS (stp_sync_page_parent_class)->dispose (object);
}

static void
stp_sync_page_class_init (StpSyncPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_sync_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-sync-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, warning_label);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, state_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, last_sync_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, pending_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, clock_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, stats_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, sync_button);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, stats_button);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, enroll_title);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, status_list);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, enroll_list);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, code_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, passphrase_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, passphrase_repeat_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, written_down_check);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, fingerprint_row);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, enroll_button);
  gtk_widget_class_bind_template_child (widget_class, StpSyncPage, message_label);
  gtk_widget_class_bind_template_callback (widget_class, on_sync_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_stats_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_enroll_clicked);
}

static void
stp_sync_page_init (StpSyncPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

GtkWidget *
stp_sync_page_new (StpStore   *store,
                   StpSession *session)
{
  StpSyncPage *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_SYNC_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->engine = g_object_ref (stp_sync_engine_get_for_store (store));
  if (stp_sync_engine_get_server_url (self->engine) != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->url_row), stp_sync_engine_get_server_url (self->engine));
  g_signal_connect_swapped (self->engine, "notify", G_CALLBACK (on_engine_notify), self);
  stp_sync_engine_refresh_pending (self->engine);
  update (self);
  return GTK_WIDGET (self);
}
