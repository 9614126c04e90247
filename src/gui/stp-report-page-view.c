#define G_LOG_DOMAIN "stp-report-page-view"

#include "config.h"

#include "stp-report-page-view.h"

#include <glib/gi18n-lib.h>

struct _StpReportPageView
{
  GtkWidget        parent_instance;

  StpReportLayout *layout;   /* owned */
  int              page;
};

G_DEFINE_FINAL_TYPE (StpReportPageView, stp_report_page_view, GTK_TYPE_WIDGET)

static void
stp_report_page_view_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = (int) STP_REPORT_PAGE_WIDTH;
    }
  else
    {
      double width = for_size > 0 ? for_size : STP_REPORT_PAGE_WIDTH;

      *minimum = *natural = (int) (width * STP_REPORT_PAGE_HEIGHT / STP_REPORT_PAGE_WIDTH);
    }
}

static GtkSizeRequestMode
stp_report_page_view_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
stp_report_page_view_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  StpReportPageView *self = STP_REPORT_PAGE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double scale = width / STP_REPORT_PAGE_WIDTH;
  cairo_t *cr;

  if (width <= 0 || height <= 0)
    return;
  /* Paper stays white in the dark style: this is what will be printed. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  stp_report_layout_draw_page (self->layout, cr, self->page);
  cairo_destroy (cr);
}

static void
stp_report_page_view_finalize (GObject *object)
{
  StpReportPageView *self = STP_REPORT_PAGE_VIEW (object);

  g_clear_object (&self->layout);

  G_OBJECT_CLASS (stp_report_page_view_parent_class)->finalize (object);
}

static void
stp_report_page_view_class_init (StpReportPageViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = stp_report_page_view_finalize;
  widget_class->measure = stp_report_page_view_measure;
  widget_class->get_request_mode = stp_report_page_view_get_request_mode;
  widget_class->snapshot = stp_report_page_view_snapshot;
  gtk_widget_class_set_css_name (widget_class, "reportpage");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
stp_report_page_view_init (StpReportPageView *self)
{
}

GtkWidget *
stp_report_page_view_new (StpReportLayout *layout,
                          int              page)
{
  StpReportPageView *self;
  g_autofree char *label = NULL;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), NULL);
  g_return_val_if_fail (page >= 0 && page < stp_report_layout_get_n_pages (layout), NULL);

  self = g_object_new (STP_TYPE_REPORT_PAGE_VIEW, NULL);
  self->layout = g_object_ref (layout);
  self->page = page;
  /* TRANSLATORS: the accessible name of a report page shown on screen */
  label = g_strdup_printf (_("Page %d of %d"), page + 1, stp_report_layout_get_n_pages (layout));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  return GTK_WIDGET (self);
}
