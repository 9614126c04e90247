/* stp-report-page-view.h: one page of a report layout on screen, drawn by
 * the same code as on paper (stp_report_layout_draw_page ()), scaled to
 * the widget's width. */
#pragma once

#include <gtk/gtk.h>

#include "stp-report-layout.h"

G_BEGIN_DECLS

#define STP_TYPE_REPORT_PAGE_VIEW (stp_report_page_view_get_type ())

G_DECLARE_FINAL_TYPE (StpReportPageView, stp_report_page_view, STP, REPORT_PAGE_VIEW, GtkWidget)

/* @layout is paginated for A4 already; @page counts from 0. */
GtkWidget *stp_report_page_view_new (StpReportLayout *layout,
                                     int              page);

G_END_DECLS
