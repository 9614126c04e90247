/* stp-chart.h: simple charts drawn with cairo and pango, once for every
 * place that shows them: the «Обзор» and «Отчёты» pages (through
 * gtk_snapshot_append_cairo () in src/gui/stp-chart-view.c) and printed
 * reports (stp_report_layout_add_chart ()).
 *
 * Three kinds: bars, stacked bars and a simple line; bars may lie
 * horizontally for long category names.  Every bar carries its value in
 * figures, axis labels are whatever (translated) text the caller gives,
 * and series differ in lightness and in hatching, not in hue alone, so
 * that they stay apart in greyscale print and in the dark style. */
#pragma once

#include <cairo.h>
#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  STP_CHART_BARS,
  STP_CHART_STACKED_BARS,
  STP_CHART_LINE,
} StpChartKind;

/* How a chart is drawn on its surface. */
typedef struct
{
  double   foreground[3];   /* text, axes (RGB, 0..1) */
  double   background[3];   /* what the chart is drawn on: for text on bars */
  gboolean dark;            /* lighter series colours on a dark background */
  double   font_size;       /* in the surface's units (points for print) */
} StpChartStyle;

/* Black on white paper, 7.5 pt. */
void           stp_chart_style_init_print   (StpChartStyle *style);

#define STP_TYPE_CHART (stp_chart_get_type ())

typedef struct _StpChart StpChart;

GType          stp_chart_get_type           (void) G_GNUC_CONST;
StpChart      *stp_chart_new                (StpChartKind  kind,
                                             const char   *title);
StpChart      *stp_chart_ref                (StpChart     *chart);
void           stp_chart_unref              (StpChart     *chart);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpChart, stp_chart_unref)

StpChartKind   stp_chart_get_kind           (StpChart     *chart);
const char    *stp_chart_get_title          (StpChart     *chart);
/* Bars along the vertical axis, names on the left (bars and stacked
 * bars only). */
void           stp_chart_set_horizontal     (StpChart     *chart,
                                             gboolean      horizontal);
/* The categories (x axis), in order; call before adding series. */
void           stp_chart_add_category       (StpChart     *chart,
                                             const char   *label);
/* A series with one value per category (@n_values equal to the number of
 * categories). */
void           stp_chart_add_series         (StpChart     *chart,
                                             const char   *name,
                                             const gint64 *values,
                                             guint         n_values);
guint          stp_chart_get_n_categories   (StpChart     *chart);
guint          stp_chart_get_n_series       (StpChart     *chart);
gint64         stp_chart_get_value          (StpChart     *chart,
                                             guint         series,
                                             guint         category);

/* The height the chart wants at @width with @style (horizontal bars grow
 * with the number of categories; others keep a fixed proportion). */
double         stp_chart_get_preferred_height (StpChart            *chart,
                                               double               width,
                                               const StpChartStyle *style);
/* Whether @a and @b want the same height at every width and style: they
 * differ at most in their values (and, for vertical charts, in their
 * category names).  A view can then be drawn again without a new layout. */
gboolean       stp_chart_same_height        (StpChart            *a,
                                             StpChart            *b);
/* Draws the chart into the rectangle (0, 0, @width, @height) of @cr. */
void           stp_chart_draw               (StpChart            *chart,
                                             cairo_t             *cr,
                                             double               width,
                                             double               height,
                                             const StpChartStyle *style);

G_END_DECLS
