/* stp-chart-view.h: a chart of src/report/stp-chart.h on screen, drawn by
 * the same function as in print, in the window's colours. */
#pragma once

#include <gtk/gtk.h>

#include "stp-chart.h"

G_BEGIN_DECLS

#define STP_TYPE_CHART_VIEW (stp_chart_view_get_type ())

G_DECLARE_FINAL_TYPE (StpChartView, stp_chart_view, STP, CHART_VIEW, GtkWidget)

GtkWidget *stp_chart_view_new       (StpChart     *chart);
StpChart  *stp_chart_view_get_chart (StpChartView *self);
/* Replaces the chart (NULL shows nothing); the accessible label says the
 * title and every value, so that nothing is told by the picture alone. */
void       stp_chart_view_set_chart (StpChartView *self,
                                     StpChart     *chart);

G_END_DECLS
