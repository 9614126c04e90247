/* stp-login-window.h: choose a user and type the password. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_LOGIN_WINDOW (stp_login_window_get_type ())

G_DECLARE_FINAL_TYPE (StpLoginWindow, stp_login_window, STP, LOGIN_WINDOW, AdwApplicationWindow)

StpLoginWindow *stp_login_window_new (GtkApplication *app,
                                      StpStore       *store);
/* TRUE while a password typed is being checked (on a thread). */
gboolean        stp_login_window_is_busy (StpLoginWindow *self);

G_END_DECLS
