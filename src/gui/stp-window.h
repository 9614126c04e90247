/* stp-window.h: the main window: a sidebar of pages for one session. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_WINDOW (stp_window_get_type ())

G_DECLARE_FINAL_TYPE (StpWindow, stp_window, STP, WINDOW, AdwApplicationWindow)

StpWindow  *stp_window_new             (GtkApplication *app,
                                        StpStore       *store,
                                        StpSession     *session);
/* The same window, its pages other than the first made one per main-loop
 * turn after it is shown, the residents list first (the application's). */
StpWindow  *stp_window_new_staged      (GtkApplication *app,
                                        StpStore       *store,
                                        StpSession     *session);
/* TRUE while the lock screen's password is being checked (on a thread). */
gboolean    stp_window_is_checking_password (StpWindow *self);
/* FALSE while stp_window_new_staged()'s pages are being made. */
gboolean    stp_window_is_built        (StpWindow      *self);
StpSession *stp_window_get_session     (StpWindow      *self);
/* Shows the page named "residents", "intake", "follow-ups", "referrals",
 * "reports", "conflicts", "audit" or "settings"; FALSE when the session's
 * role has no such page. */
gboolean    stp_window_show_page       (StpWindow      *self,
                                        const char     *name);
void        stp_window_add_toast       (StpWindow      *self,
                                        const char     *title);
void        stp_window_lock            (StpWindow      *self);
gboolean    stp_window_is_locked       (StpWindow      *self);
/* Locks the window when no input came for the configured minutes before
 * @monotonic_now (g_get_monotonic_time() units).  Called by the idle timer;
 * tests call it with a time in the future. */
void        stp_window_check_idle      (StpWindow      *self,
                                        gint64          monotonic_now);
/* Opens a resident's card when the role allows it, else shows a toast. */
void        stp_window_open_resident   (StpWindow      *self,
                                        const char     *resident_id);

G_END_DECLS
