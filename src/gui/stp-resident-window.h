/* stp-resident-window.h: the resident's card in its own window. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_RESIDENT_WINDOW (stp_resident_window_get_type ())

G_DECLARE_FINAL_TYPE (StpResidentWindow, stp_resident_window, STP, RESIDENT_WINDOW, AdwWindow)

/* Always returns a window: when the session may not read the card (a
 * volunteer) or the resident is missing, the window shows an AdwStatusPage
 * saying so instead of the card.  @app may be NULL. */
GtkWindow  *stp_resident_window_new             (GtkApplication    *app,
                                                 StpStore          *store,
                                                 StpSession        *session,
                                                 const char        *resident_id);
const char *stp_resident_window_get_resident_id (StpResidentWindow *self);
/* Reloads every page from the store (after a change elsewhere). */
void        stp_resident_window_reload          (StpResidentWindow *self);
/* TRUE when a page holds edits not yet saved (closing asks first). */
gboolean    stp_resident_window_has_unsaved_edits (StpResidentWindow *self);
/* Saves every page's edits; FALSE, with the page and its error shown,
 * when one cannot be saved. */
gboolean    stp_resident_window_save_edits      (StpResidentWindow *self);
/* The person chose not to save: the card closes without asking again. */
void        stp_resident_window_discard_edits   (StpResidentWindow *self);

G_END_DECLS
