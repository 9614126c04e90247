#define G_LOG_DOMAIN "stp-chart-view"

#include "config.h"

#include "stp-chart-view.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

struct _StpChartView
{
  GtkWidget  parent_instance;

  StpChart  *chart;     /* owned, may be NULL */
};

G_DEFINE_FINAL_TYPE (StpChartView, stp_chart_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_CHART,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The window's text colour and font size, light or dark. */
static void
get_style (StpChartView  *self,
           StpChartStyle *style)
{
  GtkStyleContext *context = gtk_widget_get_style_context (GTK_WIDGET (self));
  PangoContext *pango = gtk_widget_get_pango_context (GTK_WIDGET (self));
  const PangoFontDescription *font = pango_context_get_font_description (pango);
  GdkRGBA color;
  double size = 10;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (context, &color);
  G_GNUC_END_IGNORE_DEPRECATIONS
  if (font != NULL && pango_font_description_get_size (font) > 0)
    {
      size = (double) pango_font_description_get_size (font) / PANGO_SCALE;
      if (!pango_font_description_get_size_is_absolute (font))
        size *= 96.0 / 72.0;
    }

  stp_chart_style_init_print (style);
  style->dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  style->foreground[0] = color.red;
  style->foreground[1] = color.green;
  style->foreground[2] = color.blue;
  style->background[0] = style->background[1] = style->background[2] = style->dark ? 0.14 : 1.0;
  style->font_size = size * 0.95;
}

static void
stp_chart_view_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  StpChartView *self = STP_CHART_VIEW (widget);
  StpChartStyle style;

  if (self->chart == NULL)
    {
      *minimum = *natural = 0;
      return;
    }
  get_style (self, &style);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = (int) (style.font_size * 20);
      *natural = (int) (style.font_size * 30);
    }
  else
    {
      double width = for_size > 0 ? for_size : style.font_size * 40;
      int height = (int) stp_chart_get_preferred_height (self->chart, width, &style);

      /* Vertical charts: not taller than wide screens want them. */
      if (stp_chart_get_kind (self->chart) == STP_CHART_LINE || height > width * 0.6)
        height = MIN (height, (int) MAX (width * 0.5, style.font_size * 18));
      *minimum = *natural = height;
    }
}

static GtkSizeRequestMode
stp_chart_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
stp_chart_view_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  StpChartView *self = STP_CHART_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  StpChartStyle style;
  cairo_t *cr;

  if (self->chart == NULL || width <= 0 || height <= 0)
    return;
  get_style (self, &style);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  stp_chart_draw (self->chart, cr, width, height, &style);
  cairo_destroy (cr);
}

static void
update_accessible (StpChartView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->chart != NULL)
    {
      guint n_series = stp_chart_get_n_series (self->chart);

      g_string_append (text, stp_chart_get_title (self->chart) != NULL
                             ? stp_chart_get_title (self->chart) : "");
      for (guint s = 0; s < n_series; s++)
        for (guint k = 0; k < stp_chart_get_n_categories (self->chart); k++)
          g_string_append_printf (text, "; %" G_GINT64_FORMAT,
                                  stp_chart_get_value (self->chart, s, k));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, text->str,
                                  -1);
}

static void
on_dark_changed (StpChartView *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
stp_chart_view_finalize (GObject *object)
{
  StpChartView *self = STP_CHART_VIEW (object);

  g_clear_pointer (&self->chart, stp_chart_unref);

  G_OBJECT_CLASS (stp_chart_view_parent_class)->finalize (object);
}

static void
stp_chart_view_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  StpChartView *self = STP_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      g_value_set_boxed (value, self->chart);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_chart_view_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  StpChartView *self = STP_CHART_VIEW (object);

  switch (prop_id)
    {
    case PROP_CHART:
      stp_chart_view_set_chart (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_chart_view_class_init (StpChartViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = stp_chart_view_finalize;
  object_class->get_property = stp_chart_view_get_property;
  object_class->set_property = stp_chart_view_set_property;
  widget_class->measure = stp_chart_view_measure;
  widget_class->get_request_mode = stp_chart_view_get_request_mode;
  widget_class->snapshot = stp_chart_view_snapshot;

  properties[PROP_CHART] =
    g_param_spec_boxed ("chart", NULL, NULL, STP_TYPE_CHART,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
stp_chart_view_init (StpChartView *self)
{
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (on_dark_changed), self, G_CONNECT_SWAPPED);
}

GtkWidget *
stp_chart_view_new (StpChart *chart)
{
  return g_object_new (STP_TYPE_CHART_VIEW, "chart", chart, NULL);
}

StpChart *
stp_chart_view_get_chart (StpChartView *self)
{
  g_return_val_if_fail (STP_IS_CHART_VIEW (self), NULL);
  return self->chart;
}

void
stp_chart_view_set_chart (StpChartView *self,
                          StpChart     *chart)
{
  gboolean same_size;

  g_return_if_fail (STP_IS_CHART_VIEW (self));

  if (self->chart == chart)
    return;
  /* Only the values moved: the same size, so only this chart is drawn
   * again.  A resize would lay out the whole page (its flow boxes measure
   * every child again) and repaint everything that moved with it. */
  same_size = self->chart != NULL && chart != NULL && stp_chart_same_height (self->chart, chart);
  g_clear_pointer (&self->chart, stp_chart_unref);
  if (chart != NULL)
    self->chart = stp_chart_ref (chart);
  update_accessible (self);
  if (same_size)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  else
    gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHART]);
}
