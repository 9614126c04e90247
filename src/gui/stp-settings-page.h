/* stp-settings-page.h: the director's settings: center, users, programs,
 * idle lock and (when built) synchronization. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_SETTINGS_PAGE (stp_settings_page_get_type ())

G_DECLARE_FINAL_TYPE (StpSettingsPage, stp_settings_page, STP, SETTINGS_PAGE, AdwPreferencesPage)

/* @settings may be NULL when the GSettings schema is not installed. */
StpSettingsPage *stp_settings_page_new    (StpStore        *store,
                                           StpSession      *session,
                                           GSettings       *settings);
/* Loads the center, users and programs; the page is empty until then. */
void             stp_settings_page_reload (StpSettingsPage *self);

G_END_DECLS
