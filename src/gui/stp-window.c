#define G_LOG_DOMAIN "stp-window"

#include "config.h"

#include "stp-gui-util.h"

#include <glib/gi18n-lib.h>

#include "stp-window-private.h"
#include "stp-query-worker.h"
#include "stp-unsaved.h"
#include "stp-audit-page.h"
#include "stp-follow-ups-page.h"
#include "stp-referrals-page.h"
#include "stp-residents-page.h"
#include "stp-settings-page.h"

#include "stp-conflicts-page.h"
#include "stp-intake-page.h"
#include "stp-overview-page.h"
#include "stp-reports-page.h"
#include "stp-resident-window.h"
#include "stp-sync-status.h"
#include "stp-backup-status.h"
#include "stp-check-status.h"
#include "stp-quit-backup.h"

/* How often the idle timer looks at the time of the last input. */
#define IDLE_CHECK_SECONDS 10

G_DEFINE_FINAL_TYPE (StpWindow, stp_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  LOGGED_OUT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static GSettings *
settings_new_if_installed (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Running from the build tree without the compiled schema must not abort. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APPLICATION_ID, TRUE);
  if (schema == NULL)
    return NULL;

  return g_settings_new (APPLICATION_ID);
}

static void
on_back_clicked (StpWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static GtkWidget *page_of_child (StpWindow *self,
                                  GtkWidget *child);

static void
on_visible_page_changed (StpWindow *self)
{
  GtkWidget *child = gtk_stack_get_visible_child (self->stack);
  GtkStackPage *page;

  if (child == NULL)
    return;

  page = gtk_stack_get_page (self->stack, child);
  /* The page's own title, without the sidebar's count. */
  adw_window_title_set_title (self->content_title,
                              g_object_get_data (G_OBJECT (child), "stp-page-title") != NULL
                              ? g_object_get_data (G_OBJECT (child), "stp-page-title")
                              : gtk_stack_page_get_title (page));

  /* A page made when first shown: made now. */
  child = page_of_child (self, child);

  /* Lists of other people's work may have changed since they were shown. */
  if (child == self->follow_ups_page)
    stp_follow_ups_page_reload (STP_FOLLOW_UPS_PAGE (child));
  else if (child == self->referrals_page)
    stp_referrals_page_reload (STP_REFERRALS_PAGE (child));
  else if (child == self->audit_page)
    stp_audit_page_reload (STP_AUDIT_PAGE (child));
  else if (child == self->settings_page && !self->settings_loaded)
    {
      /* Only once: a reload would drop what the director is typing. */
      stp_settings_page_reload (STP_SETTINGS_PAGE (child));
      self->settings_loaded = TRUE;
    }

  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
unlock_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(StpWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = stp_store_verify_password_finish (STP_STORE (source), result, &error);
  self->checking_password = FALSE;
  /* Closed or logged out meanwhile. */
  if (self->session == NULL || !self->locked)
    return;

  if (!ok)
    {
      gtk_label_set_text (self->lock_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->lock_error), TRUE);
      gtk_editable_set_text (GTK_EDITABLE (self->lock_password), "");
      gtk_widget_grab_focus (GTK_WIDGET (self->lock_password));
      return;
    }

  self->locked = FALSE;
  self->last_input = g_get_monotonic_time ();
  gtk_editable_set_text (GTK_EDITABLE (self->lock_password), "");
  gtk_widget_set_visible (GTK_WIDGET (self->lock_error), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->lock_page), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->toast_overlay), TRUE);

  for (guint i = 0; i < self->card_windows->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->card_windows, i), TRUE);

  if (self->focus_before_lock != NULL)
    gtk_widget_grab_focus (self->focus_before_lock);
  g_clear_weak_pointer (&self->focus_before_lock);

  _stp_window_update_actions (self);
}

static void
on_unlock_clicked (StpWindow *self)
{
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->lock_password));

  if (!self->locked || self->checking_password)
    return;

  /* The password's check (argon2id) on a thread: the window keeps
   * drawing; a second Enter meanwhile does nothing. */
  self->checking_password = TRUE;
  stp_store_verify_password_async (self->store, self->session, password,
                                   unlock_done, g_object_ref (self));
}

gboolean
stp_window_is_checking_password (StpWindow *self)
{
  g_return_val_if_fail (STP_IS_WINDOW (self), FALSE);

  return self->checking_password;
}

void
stp_window_lock (StpWindow *self)
{
  g_return_if_fail (STP_IS_WINDOW (self));

  if (self->locked)
    return;

  self->locked = TRUE;
  g_set_weak_pointer (&self->focus_before_lock, gtk_root_get_focus (GTK_ROOT (self)));

  /* The pages stay as they are under the lock, so nothing typed is lost;
   * they only stop taking input.  Open cards are hidden, not closed. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->toast_overlay), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->lock_page), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->lock_error), FALSE);
  gtk_editable_set_text (GTK_EDITABLE (self->lock_password), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->lock_password));

  for (guint i = 0; i < self->card_windows->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (self->card_windows, i), FALSE);

  _stp_window_update_actions (self);
}

gboolean
stp_window_is_locked (StpWindow *self)
{
  g_return_val_if_fail (STP_IS_WINDOW (self), FALSE);

  return self->locked;
}

void
stp_window_check_idle (StpWindow *self,
                       gint64     monotonic_now)
{
  int minutes = 10;

  g_return_if_fail (STP_IS_WINDOW (self));

  if (self->settings != NULL)
    minutes = g_settings_get_int (self->settings, "idle-lock-minutes");
  if (minutes <= 0 || self->locked)
    return;

  if (monotonic_now - self->last_input >= (gint64) minutes * 60 * G_USEC_PER_SEC)
    stp_window_lock (self);
}

static gboolean
idle_timeout_cb (gpointer user_data)
{
  stp_window_check_idle (STP_WINDOW (user_data), g_get_monotonic_time ());

  return G_SOURCE_CONTINUE;
}

static void
note_input (StpWindow *self)
{
  self->last_input = g_get_monotonic_time ();
}

static gboolean
on_key_pressed (StpWindow       *self,
                guint            keyval,
                guint            keycode,
                GdkModifierType  state)
{
  note_input (self);

  return GDK_EVENT_PROPAGATE;
}

static void
on_card_window_destroyed (StpWindow *self,
                          GtkWidget *card)
{
  g_ptr_array_remove (self->card_windows, card);
}

void
stp_window_open_resident (StpWindow  *self,
                          const char *resident_id)
{
  g_return_if_fail (STP_IS_WINDOW (self));
  g_return_if_fail (resident_id != NULL);

  if (!stp_session_can (self->session, STP_PERMISSION_READ_CARD))
    {
      stp_window_add_toast (self, _("Not enough rights to view the card"));
      return;
    }

  {
    GtkWindow *card;
    GtkEventController *shortcuts;

    card = stp_resident_window_new (gtk_window_get_application (GTK_WINDOW (self)),
                                    self->store, self->session, resident_id);
    if (card == NULL)
      return;

    /* Ctrl+W and Escape close a card, whatever the card itself binds. */
    shortcuts = gtk_shortcut_controller_new ();
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string ("<Control>w|Escape"),
                                                            gtk_named_action_new ("window.close")));
    gtk_widget_add_controller (GTK_WIDGET (card), shortcuts);

    g_ptr_array_add (self->card_windows, card);
    g_signal_connect_object (card, "destroy",
                             G_CALLBACK (on_card_window_destroyed),
                             self, G_CONNECT_SWAPPED);
    gtk_window_present (card);
  }
}

static void
on_resident_activated (StpWindow  *self,
                       const char *resident_id)
{
  stp_window_open_resident (self, resident_id);
}

static void
on_resident_created (StpWindow  *self,
                     const char *resident_id)
{
  stp_window_add_toast (self, _("The resident is registered"));
  if (self->residents_page != NULL)
    stp_residents_page_reload (STP_RESIDENTS_PAGE (self->residents_page));
}

static void
on_overview_open_page (StpWindow  *self,
                       const char *name)
{
  stp_window_show_page (self, name);
}

/* The sidebar says how many things of a working list are overdue: «Катамнез (3)». */
static void
set_sidebar_count (StpWindow *self,
                   GtkWidget *list,
                   guint      n_overdue)
{
  GtkStackPage *page = list != NULL ? gtk_stack_get_page (self->stack, list) : NULL;
  const char *title = list != NULL ? g_object_get_data (G_OBJECT (list), "stp-page-title") : NULL;
  g_autofree char *text = NULL;

  if (page == NULL || title == NULL)
    return;
  if (n_overdue > 0)
    /* TRANSLATORS: a sidebar row: the page's name and how many of its items are overdue */
    text = g_strdup_printf (_("%s (%u)"), title, n_overdue);
  gtk_stack_page_set_title (page, text != NULL ? text : title);
  gtk_stack_page_set_needs_attention (page, n_overdue > 0);
}

/* A list shown: its count, for the filters it has now. */
static void
on_worklist_loaded (StpWindow   *self,
                    StpListPage *list)
{
  g_object_set_data (G_OBJECT (list), "stp-counted", GINT_TO_POINTER (TRUE));
  set_sidebar_count (self, GTK_WIDGET (list), stp_list_page_get_counts (list)->n_overdue);
}

typedef struct
{
  StpSession *session;
  char       *today;
} OverdueQuery;

static void
overdue_query_free (gpointer data)
{
  OverdueQuery *query = data;

  g_clear_object (&query->session);
  g_free (query->today);
  g_free (query);
}

/* On the query worker: two counts, no records read. */
static gpointer
count_overdue (StpStore  *store,
               gpointer   data,
               GError   **error)
{
  OverdueQuery *query = data;
  g_autofree StpOverdueCounts *counts = g_new0 (StpOverdueCounts, 1);

  if (!stp_store_count_overdue_work (store, query->session, query->today, counts, error))
    return NULL;
  return g_steal_pointer (&counts);
}

static void
overdue_counted (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  StpWindow *self = STP_WINDOW (object);
  g_autofree StpOverdueCounts *counts = stp_query_worker_run_finish (result, NULL);

  /* A list shown meanwhile has counted for its own filters. */
  if (counts == NULL || self->session == NULL)
    return;
  if (self->follow_ups_page != NULL && g_object_get_data (G_OBJECT (self->follow_ups_page), "stp-counted") == NULL)
    set_sidebar_count (self, self->follow_ups_page, counts->follow_ups);
  if (self->referrals_page != NULL && g_object_get_data (G_OBJECT (self->referrals_page), "stp-counted") == NULL)
    set_sidebar_count (self, self->referrals_page, counts->referrals);
}

static gboolean
count_worklists_cb (gpointer user_data)
{
  StpWindow *self = user_data;
  StpQueryWorker *worker;
  OverdueQuery *query;

  self->count_source_id = 0;
  worker = stp_query_worker_get_for_store (self->store, NULL);
  if (worker == NULL)
    return G_SOURCE_REMOVE;
  query = g_new0 (OverdueQuery, 1);
  query->session = g_object_ref (self->session);
  query->today = stp_store_today (self->store);
  stp_query_worker_run_async (worker, self, count_overdue, query, overdue_query_free, g_free,
                              NULL, overdue_counted, NULL);
  return G_SOURCE_REMOVE;
}

/* The sidebar's counts come before the lists are visited, from two cheap
 * counts on the query worker a moment after the residents list is shown:
 * the start-up and the first searches do not wait for them. */
static void
count_worklists (StpWindow *self)
{
  if (self->worklists_counted)
    return;
  /* The residents list can be shown before the lists' stage has made them. */
  if (self->follow_ups_page == NULL && self->referrals_page == NULL)
    {
      self->worklists_wanted = TRUE;
      return;
    }
  self->worklists_counted = TRUE;
  self->count_source_id = g_timeout_add_seconds (2, count_worklists_cb, self);
}

static void
add_page (StpWindow  *self,
          GtkWidget  *child,
          const char *name,
          const char *title,
          const char *icon_name)
{
  GtkStackPage *page;

  page = gtk_stack_add_titled (self->stack, child, name, title);
  gtk_stack_page_set_icon_name (page, icon_name);
  g_object_set_data_full (G_OBJECT (child), "stp-page-title", g_strdup (title), g_free);
}

/* The pages are made in stages: the first page at once, the others (the
 * residents list first) one stage per main-loop turn (stp_window_new_staged) or
 * all at once (stp_window_new).  Made all at once after the login, the
 * main window took one turn of the main loop of some 200 ms of CPU
 * (bench/stupeni-bench-gui, the intake page alone about a third). */
enum {
  STAGE_FIRST,        /* «Обзор» (a volunteer: the residents list) */
  STAGE_RESIDENTS,    /* the residents list, loading in its thread */
  STAGE_INTAKE,
  STAGE_LISTS,        /* follow-ups, referrals */
  STAGE_REPORTS,
  STAGE_CONFLICTS,
  STAGE_AUDIT,
  STAGE_SETTINGS,
  STAGE_STATUS,       /* the header bar's rows */
  N_STAGES
};

/* One of the pages seldom opened, made now. */
static GtkWidget *
make_lazy_page (StpWindow *self,
                guint      stage)
{
  StpSession *session = self->session;

  switch (stage)
    {
    case STAGE_INTAKE:
      self->intake_page = stp_intake_page_new (self->store, session);
      g_signal_connect_object (self->intake_page, "resident-created",
                               G_CALLBACK (on_resident_created),
                               self, G_CONNECT_SWAPPED);
      return self->intake_page;

    case STAGE_REPORTS:
      self->reports_page = stp_reports_page_new (self->store, session);
      return self->reports_page;

    case STAGE_CONFLICTS:
      self->conflicts_page = stp_conflicts_page_new (self->store, session);
      return self->conflicts_page;

    case STAGE_AUDIT:
      self->audit_page = GTK_WIDGET (stp_audit_page_new (self->store, session));
      return self->audit_page;

    case STAGE_SETTINGS:
      self->settings_page = GTK_WIDGET (stp_settings_page_new (self->store, session, self->settings));
      g_signal_connect_object (self->settings_page, "toast",
                               G_CALLBACK (stp_window_add_toast),
                               self, G_CONNECT_SWAPPED);
      return self->settings_page;

    default:
      g_assert_not_reached ();
    }
}

/* The page itself (stp_window_new), or in a staged window its place in the
 * stack: an empty AdwBin the page goes into when it is first shown
 * (on_visible_page_changed).  Made in their stage, the settings and the
 * intake pages each took a main-loop turn of 25-45 ms of CPU during the
 * first seconds after the login (bench/stupeni-bench-gui). */
static GtkWidget *
make_page (StpWindow *self,
           guint      stage)
{
  GtkWidget *place;

  if (!self->lazy_pages)
    return make_lazy_page (self, stage);
  place = adw_bin_new ();
  g_object_set_data (G_OBJECT (place), "stp-lazy-stage", GUINT_TO_POINTER (stage + 1));
  return place;
}

/* The page a stack child stands for, made now if it was not yet. */
static GtkWidget *
page_of_child (StpWindow *self,
               GtkWidget *child)
{
  guint stage = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (child), "stp-lazy-stage"));
  GtkWidget *page;

  if (stage == 0)
    return child;
  page = adw_bin_get_child (ADW_BIN (child));
  if (page == NULL)
    {
      gint64 start = g_get_monotonic_time ();

      page = make_lazy_page (self, stage - 1);
      adw_bin_set_child (ADW_BIN (child), page);
      stp_gui_fix_mnemonic_names (page);
      g_debug ("page of stage %u made when first shown in %.1f ms", stage - 1,
               (g_get_monotonic_time () - start) / 1000.0);
    }
  return page;
}

static void
stp_window_build_stage (StpWindow *self,
                        guint      stage)
{
  StpSession *session = self->session;

  switch (stage)
    {
    case STAGE_FIRST:
      /* The first page for directors and staff; volunteers keep their list. */
      if (stp_session_can (session, STP_PERMISSION_READ_CARD))
        {
          self->overview_page = stp_overview_page_new (self->store, session);
          g_signal_connect_object (self->overview_page, "open-page",
                                   G_CALLBACK (on_overview_open_page),
                                   self, G_CONNECT_SWAPPED);
          add_page (self, self->overview_page, "overview", _("Overview"), "view-grid-symbolic");
        }

      /* A volunteer's first page is the list: made at once then. */
      if (self->overview_page == NULL)
        stp_window_build_stage (self, STAGE_RESIDENTS);
      break;

    case STAGE_RESIDENTS:
      if (stp_session_can (session, STP_PERMISSION_LIST) && self->residents_page == NULL)
        {
          self->residents_page = GTK_WIDGET (stp_residents_page_new (self->store, session));
          g_signal_connect_object (self->residents_page, "resident-activated",
                                   G_CALLBACK (on_resident_activated),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (self->residents_page, "loaded",
                                   G_CALLBACK (count_worklists),
                                   self, G_CONNECT_SWAPPED);
          add_page (self, self->residents_page, "residents", _("Residents"), "system-users-symbolic");
        }
      break;

    case STAGE_INTAKE:
      if (stp_session_can (session, STP_PERMISSION_INTAKE))
        add_page (self, make_page (self, stage), "intake", _("Intake"), "contact-new-symbolic");
      break;

    case STAGE_LISTS:
      if (stp_session_can (session, STP_PERMISSION_READ_CARD))
        {
          self->follow_ups_page = GTK_WIDGET (stp_follow_ups_page_new (self->store, session));
          g_signal_connect_object (self->follow_ups_page, "resident-activated",
                                   G_CALLBACK (on_resident_activated),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (self->follow_ups_page, "loaded",
                                   G_CALLBACK (on_worklist_loaded),
                                   self, G_CONNECT_SWAPPED);
          add_page (self, self->follow_ups_page, "follow-ups", _("Follow-ups"), "x-office-calendar-symbolic");

          self->referrals_page = GTK_WIDGET (stp_referrals_page_new (self->store, session));
          g_signal_connect_object (self->referrals_page, "resident-activated",
                                   G_CALLBACK (on_resident_activated),
                                   self, G_CONNECT_SWAPPED);
          g_signal_connect_object (self->referrals_page, "loaded",
                                   G_CALLBACK (on_worklist_loaded),
                                   self, G_CONNECT_SWAPPED);
          add_page (self, self->referrals_page, "referrals", _("Referrals"), "mail-send-symbolic");
          /* Without a residents list, or if it came first: count now. */
          if (self->residents_page == NULL || self->worklists_wanted)
            count_worklists (self);
        }
      break;

    case STAGE_REPORTS:
      if (stp_session_can (session, STP_PERMISSION_PRINT_RESIDENT))
        add_page (self, make_page (self, stage), "reports", _("Reports"), "x-office-document-symbolic");
      break;

    case STAGE_CONFLICTS:
      if (stp_session_can (session, STP_PERMISSION_EDIT_CARE))
        add_page (self, make_page (self, stage), "conflicts", _("Conflicts"), "dialog-warning-symbolic");
      break;

    case STAGE_AUDIT:
      if (stp_session_can (session, STP_PERMISSION_ADMIN))
        add_page (self, make_page (self, stage), "audit", _("Access Log"), "document-open-recent-symbolic");
      break;

    case STAGE_SETTINGS:
      if (stp_session_can (session, STP_PERMISSION_ADMIN))
        add_page (self, make_page (self, stage), "settings", _("Settings"), "emblem-system-symbolic");
      break;

    case STAGE_STATUS:
      self->check_status = stp_check_status_new (self->store);
      gtk_box_append (self->status_box, self->check_status);
      gtk_box_append (self->status_box, stp_sync_status_new (self->store));
      if (stp_session_can (session, STP_PERMISSION_ADMIN))
        gtk_box_append (self->status_box, stp_backup_status_new (self->store));
      break;

    default:
      g_assert_not_reached ();
    }
}

/* After the last stage: what depends on every page being there. */
static void
stp_window_pages_built (StpWindow *self)
{
  _stp_window_update_actions (self);
  stp_gui_fix_mnemonic_names (GTK_WIDGET (self));
}

static gboolean
build_next_stage (gpointer user_data)
{
  StpWindow *self = user_data;
  gint64 start = g_get_monotonic_time ();

  stp_window_build_stage (self, self->next_stage++);
  /* G_MESSAGES_DEBUG=stp-window */
  g_debug ("page stage %u made in %.1f ms", self->next_stage - 1,
           (g_get_monotonic_time () - start) / 1000.0);
  if (self->next_stage < N_STAGES)
    return G_SOURCE_CONTINUE;

  self->build_id = 0;
  stp_window_pages_built (self);
  return G_SOURCE_REMOVE;
}

/* The stages not made yet, at once (a page asked for before its turn). */
static void
stp_window_finish_pages (StpWindow *self)
{
  if (self->build_id == 0)
    return;
  g_clear_handle_id (&self->build_id, g_source_remove);
  while (self->next_stage < N_STAGES)
    stp_window_build_stage (self, self->next_stage++);
  stp_window_pages_built (self);
}

gboolean
stp_window_show_page (StpWindow  *self,
                      const char *name)
{
  GtkWidget *child;

  g_return_val_if_fail (STP_IS_WINDOW (self), FALSE);

  child = gtk_stack_get_child_by_name (self->stack, name);
  if (child == NULL && self->build_id != 0)
    {
      stp_window_finish_pages (self);
      child = gtk_stack_get_child_by_name (self->stack, name);
    }
  if (child == NULL)
    return FALSE;

  gtk_stack_set_visible_child (self->stack, child);

  return TRUE;
}

void
stp_window_add_toast (StpWindow  *self,
                      const char *title)
{
  g_return_if_fail (STP_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (title));
}

StpSession *
stp_window_get_session (StpWindow *self)
{
  g_return_val_if_fail (STP_IS_WINDOW (self), NULL);

  return self->session;
}

static void
close_after_question (GObject *owner)
{
  StpWindow *self = STP_WINDOW (owner);

  self->edits_checked = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
stp_window_close_request (GtkWindow *window)
{
  StpWindow *self = STP_WINDOW (window);

  /* Closing the main window closes the session's cards. */
  if (!self->edits_checked && self->card_windows != NULL &&
      stp_cards_have_unsaved_edits (self->card_windows))
    {
      stp_ask_about_unsaved_edits (window, self->card_windows, G_OBJECT (self), close_after_question);
      return TRUE;
    }

  if (self->settings != NULL)
    {
      int width, height;

      gtk_window_get_default_size (window, &width, &height);
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
      g_settings_set_boolean (self->settings, "window-maximized",
                              gtk_window_is_maximized (window));
    }

  /* The backup copy on quit shows its progress in a window of its own,
   * which keeps the program running until the copy is made. */
  if (self->store != NULL && gtk_window_get_application (window) != NULL)
    stp_quit_backup_start (gtk_window_get_application (window), self->store);

  return GTK_WINDOW_CLASS (stp_window_parent_class)->close_request (window);
}

static void
stp_window_dispose (GObject *object)
{
  StpWindow *self = STP_WINDOW (object);

  g_clear_handle_id (&self->idle_timeout_id, g_source_remove);
  g_clear_handle_id (&self->count_source_id, g_source_remove);
  g_clear_handle_id (&self->build_id, g_source_remove);
  if (self->card_windows != NULL)
    {
      g_autoptr(GPtrArray) cards = g_steal_pointer (&self->card_windows);

      /* Cards belong to this session; they go with it. */
      for (guint i = 0; i < cards->len; i++)
        {
          g_signal_handlers_disconnect_by_data (g_ptr_array_index (cards, i), self);
          gtk_window_destroy (g_ptr_array_index (cards, i));
        }
    }
  g_clear_weak_pointer (&self->focus_before_lock);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (stp_window_parent_class)->dispose (object);
}

static void
stp_window_class_init (StpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = stp_window_dispose;
  window_class->close_request = stp_window_close_request;

  /**
   * StpWindow::logged-out:
   *
   * Emitted when the user chose to log out; the window then closes.
   */
  signals[LOGGED_OUT] =
    g_signal_new ("logged-out",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, user_label);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, status_box);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, lock_page);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, lock_password_label);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, lock_password);
  gtk_widget_class_bind_template_child (widget_class, StpWindow, lock_error);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_visible_page_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_unlock_clicked);

  _stp_window_class_actions_init (klass);
}

static void
stp_window_init (StpWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->card_windows = g_ptr_array_new ();
  self->last_input = g_get_monotonic_time ();

  /* Any key, click or pointer motion counts as activity for the idle lock. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_motion_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "motion", G_CALLBACK (note_input), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "pressed", G_CALLBACK (note_input), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->idle_timeout_id = g_timeout_add_seconds (IDLE_CHECK_SECONDS, idle_timeout_cb, self);
}

static StpWindow *
stp_window_new_internal (GtkApplication *app,
                         StpStore       *store,
                         StpSession     *session,
                         gboolean        staged)
{
  StpWindow *self;
  g_autofree char *user_text = NULL;
  g_autofree char *lock_text = NULL;

  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_WINDOW, "application", app, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->settings = settings_new_if_installed ();

  if (self->settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (self->settings, "window-width"),
                                   g_settings_get_int (self->settings, "window-height"));
      if (g_settings_get_boolean (self->settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }
  else
    {
      gtk_window_set_default_size (GTK_WINDOW (self), 1100, 720);
    }

  /* TRANSLATORS: the sidebar footer: full name and role of the logged-in user */
  user_text = g_strdup_printf (_("%s, %s"),
                               stp_session_get_full_name (session),
                               stp_enum_to_label (STP_ENUM_ROLE, stp_session_get_role (session)));
  gtk_label_set_text (self->user_label, user_text);

  /* TRANSLATORS: %s is the full name of the user who locked the window */
  lock_text = g_strdup_printf (_("_Password of %s"), stp_session_get_full_name (session));
  gtk_label_set_text_with_mnemonic (self->lock_password_label, lock_text);

  stp_window_build_stage (self, STAGE_FIRST);
  self->next_stage = STAGE_FIRST + 1;
  gtk_stack_set_visible_child_name (self->stack, self->overview_page != NULL ? "overview" : "residents");
  on_visible_page_changed (self);
  if (staged)
    {
      self->lazy_pages = TRUE;
      _stp_window_update_actions (self);
      /* Below the drawing of frames (GDK_PRIORITY_REDRAW): the window is
       * drawn first, then a stage per turn. */
      self->build_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, build_next_stage, self, NULL);
    }
  else
    {
      while (self->next_stage < N_STAGES)
        stp_window_build_stage (self, self->next_stage++);
      stp_window_pages_built (self);
    }

  return self;
}

StpWindow *
stp_window_new (GtkApplication *app,
                StpStore       *store,
                StpSession     *session)
{
  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  return stp_window_new_internal (app, store, session, FALSE);
}

StpWindow *
stp_window_new_staged (GtkApplication *app,
                       StpStore       *store,
                       StpSession     *session)
{
  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  return stp_window_new_internal (app, store, session, TRUE);
}

gboolean
stp_window_is_built (StpWindow *self)
{
  g_return_val_if_fail (STP_IS_WINDOW (self), FALSE);

  return self->build_id == 0;
}
