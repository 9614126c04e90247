/* stp-residents-page.h: the name list with search-as-you-type and filters. */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_RESIDENTS_PAGE (stp_residents_page_get_type ())

G_DECLARE_FINAL_TYPE (StpResidentsPage, stp_residents_page, STP, RESIDENTS_PAGE, GtkBox)

StpResidentsPage *stp_residents_page_new          (StpStore         *store,
                                                   StpSession       *session);
void              stp_residents_page_focus_search (StpResidentsPage *self);
/* Runs the current search again (off the main thread). */
void              stp_residents_page_reload       (StpResidentsPage *self);
/* The rows as shown (sorted by the chosen column); items are StpResidentItem. */
GListModel       *stp_residents_page_get_model    (StpResidentsPage *self);
gboolean          stp_residents_page_is_loading   (StpResidentsPage *self);

G_END_DECLS
