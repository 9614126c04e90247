/* stp-application.h: the desktop application: opens the store and shows the
 * first-run, login or main window. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_APPLICATION (stp_application_get_type ())

G_DECLARE_FINAL_TYPE (StpApplication, stp_application, STP, APPLICATION, AdwApplication)

StpApplication *stp_application_new       (void);
StpStore       *stp_application_get_store (StpApplication *self);

G_END_DECLS
