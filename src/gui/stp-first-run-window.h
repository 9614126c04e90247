/* stp-first-run-window.h: creates the center and the director's account on
 * the first start, or opens a demo center. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_FIRST_RUN_WINDOW (stp_first_run_window_get_type ())

G_DECLARE_FINAL_TYPE (StpFirstRunWindow, stp_first_run_window, STP, FIRST_RUN_WINDOW, AdwApplicationWindow)

StpFirstRunWindow *stp_first_run_window_new (GtkApplication *app,
                                             StpStore       *store);

G_END_DECLS
