/* stp-window-private.h: what the files of StpWindow share. */
#pragma once

#include "stp-window.h"

G_BEGIN_DECLS

struct _StpWindow
{
  AdwApplicationWindow  parent_instance;

  StpStore             *store;
  StpSession           *session;
  GSettings            *settings;
  GPtrArray            *card_windows;     /* (element-type GtkWindow) (owned) */

  gint64                last_input;       /* monotonic, microseconds */
  guint                 idle_timeout_id;
  gboolean              locked;
  gboolean              edits_checked;    /* closing was confirmed */
  gboolean              settings_loaded;
  gboolean              worklists_counted; /* the sidebar's counts were asked for */
  guint                 count_source_id;
  gboolean              worklists_wanted; /* asked before the lists existed */
  guint                 build_id;         /* the pages' next stage */
  gboolean              checking_password; /* unlocking: the check runs */
  guint                 next_stage;
  /* Staged window: the pages seldom opened at once (intake, reports,
   * conflicts, access log, settings) are made when first shown. */
  gboolean              lazy_pages;
  GtkWidget            *focus_before_lock;

  /* Template children. */
  AdwToastOverlay      *toast_overlay;
  AdwLeaflet           *leaflet;
  GtkStack             *stack;
  GtkLabel             *user_label;
  AdwWindowTitle       *content_title;
  GtkBox               *status_box;
  AdwStatusPage        *lock_page;
  GtkLabel             *lock_password_label;
  GtkPasswordEntry     *lock_password;
  GtkLabel             *lock_error;

  /* Pages; NULL when the role has none. */
  GtkWidget            *overview_page;
  GtkWidget            *residents_page;
  GtkWidget            *intake_page;
  GtkWidget            *follow_ups_page;
  GtkWidget            *referrals_page;
  GtkWidget            *reports_page;
  GtkWidget            *conflicts_page;
  GtkWidget            *audit_page;
  GtkWidget            *settings_page;

  /* The full check's row in the header bar (stp-check-status.c). */
  GtkWidget            *check_status;
};

void _stp_window_class_actions_init (StpWindowClass *klass);
void _stp_window_update_actions     (StpWindow      *self);

G_END_DECLS
