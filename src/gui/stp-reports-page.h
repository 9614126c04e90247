/* stp-reports-page.h: choose a report and a period; print it, save it as
 * PDF or (the center report) as CSV. */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_REPORTS_PAGE (stp_reports_page_get_type ())

G_DECLARE_FINAL_TYPE (StpReportsPage, stp_reports_page, STP, REPORTS_PAGE, GtkBox)

GtkWidget *stp_reports_page_new (StpStore   *store,
                                 StpSession *session);

G_END_DECLS
