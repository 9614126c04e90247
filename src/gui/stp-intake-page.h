/* stp-intake-page.h: registering a new resident in four steps (person,
 * episode, relatives, consents), with a draft kept on disk and a check for
 * duplicates before saving. */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_INTAKE_PAGE (stp_intake_page_get_type ())

G_DECLARE_FINAL_TYPE (StpIntakePage, stp_intake_page, STP, INTAKE_PAGE, GtkWidget)

/* Signals: "resident-created" (const char *resident_id) after a successful
 * save; "open-resident" (const char *resident_id) when the person chose an
 * existing card among the duplicates (when nobody handles it, the page opens
 * the card itself). */
GtkWidget *stp_intake_page_new (StpStore   *store,
                                StpSession *session);

G_END_DECLS
