/* stp-overview-page.h: «Обзор», the first page for directors and staff:
 * places today, admissions and discharges per month, outcomes, follow-up
 * results and what needs doing this week.  The numbers are computed by
 * the core (stp_store_compute_overview ()) in a worker thread on a
 * connection of its own, and again whenever another connection (the
 * window's edits, a sync) has committed. */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"
#include "stp-overview.h"

G_BEGIN_DECLS

#define STP_TYPE_OVERVIEW_PAGE (stp_overview_page_get_type ())

G_DECLARE_FINAL_TYPE (StpOverviewPage, stp_overview_page, STP, OVERVIEW_PAGE, GtkBox)

GtkWidget         *stp_overview_page_new          (StpStore        *store,
                                                   StpSession      *session);
/* Counts again now (off the main thread); "loaded" follows. */
void               stp_overview_page_reload       (StpOverviewPage *self);
/* The numbers shown, or NULL before the first count. */
const StpOverview *stp_overview_page_get_overview (StpOverviewPage *self);

G_END_DECLS
