/* stp-chart.c: bars, stacked bars and a line on cairo and pango. */
#define G_LOG_DOMAIN "stp-chart"

#include "config.h"

#include "stp-chart.h"

#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#define FONT_FAMILY "DejaVu Sans"

typedef struct
{
  char   *name;
  gint64 *values;
} Series;

struct _StpChart
{
  StpChartKind  kind;
  char         *title;
  gboolean      horizontal;
  GPtrArray    *categories;   /* of char * */
  GPtrArray    *series;       /* of Series */
};

G_DEFINE_BOXED_TYPE (StpChart, stp_chart, stp_chart_ref, stp_chart_unref)

/* Series colours: each differs from its neighbours in lightness, and from
 * the third on each is hatched its own way, so that greyscale print keeps
 * them apart.  The dark
 * style gets lighter versions of the same hues. */
static const double light_palette[][3] = {
  { 0.16, 0.33, 0.58 },   /* dark blue */
  { 0.96, 0.70, 0.34 },   /* light orange */
  { 0.42, 0.62, 0.40 },   /* mid green, hatched / */
  { 0.55, 0.16, 0.18 },   /* dark red, hatched \ */
  { 0.70, 0.82, 0.93 },   /* pale blue, cross-hatched */
  { 0.50, 0.50, 0.50 },   /* grey, hatched / */
};

static const double dark_palette[][3] = {
  { 0.42, 0.63, 0.95 },
  { 1.00, 0.76, 0.45 },
  { 0.56, 0.80, 0.54 },
  { 0.93, 0.49, 0.49 },
  { 0.78, 0.89, 1.00 },
  { 0.72, 0.72, 0.72 },
};

#define N_COLOURS G_N_ELEMENTS (light_palette)

static void
series_clear (gpointer data)
{
  Series *series = data;

  g_free (series->name);
  g_free (series->values);
  g_free (series);
}

void
stp_chart_style_init_print (StpChartStyle *style)
{
  g_return_if_fail (style != NULL);

  memset (style, 0, sizeof *style);
  style->background[0] = style->background[1] = style->background[2] = 1.0;
  style->font_size = 7.5;
}

StpChart *
stp_chart_new (StpChartKind  kind,
               const char   *title)
{
  StpChart *chart = g_atomic_rc_box_new0 (StpChart);

  chart->kind = kind;
  chart->title = g_strdup (title);
  chart->categories = g_ptr_array_new_with_free_func (g_free);
  chart->series = g_ptr_array_new_with_free_func (series_clear);
  return chart;
}

static void
chart_clear (gpointer data)
{
  StpChart *chart = data;

  g_free (chart->title);
  g_ptr_array_unref (chart->categories);
  g_ptr_array_unref (chart->series);
}

StpChart *
stp_chart_ref (StpChart *chart)
{
  g_return_val_if_fail (chart != NULL, NULL);

  return g_atomic_rc_box_acquire (chart);
}

void
stp_chart_unref (StpChart *chart)
{
  g_return_if_fail (chart != NULL);

  g_atomic_rc_box_release_full (chart, chart_clear);
}

StpChartKind
stp_chart_get_kind (StpChart *chart)
{
  g_return_val_if_fail (chart != NULL, STP_CHART_BARS);
  return chart->kind;
}

const char *
stp_chart_get_title (StpChart *chart)
{
  g_return_val_if_fail (chart != NULL, NULL);
  return chart->title;
}

void
stp_chart_set_horizontal (StpChart *chart,
                          gboolean  horizontal)
{
  g_return_if_fail (chart != NULL);
  chart->horizontal = horizontal && chart->kind != STP_CHART_LINE;
}

void
stp_chart_add_category (StpChart   *chart,
                        const char *label)
{
  g_return_if_fail (chart != NULL);
  g_return_if_fail (chart->series->len == 0);

  g_ptr_array_add (chart->categories, g_strdup (label != NULL ? label : "—"));
}

void
stp_chart_add_series (StpChart     *chart,
                      const char   *name,
                      const gint64 *values,
                      guint         n_values)
{
  Series *series;

  g_return_if_fail (chart != NULL);
  g_return_if_fail (n_values == chart->categories->len);

  series = g_new0 (Series, 1);
  series->name = g_strdup (name);
  series->values = g_new0 (gint64, MAX (n_values, 1));
  if (n_values > 0)
    memcpy (series->values, values, n_values * sizeof (gint64));
  g_ptr_array_add (chart->series, series);
}

guint
stp_chart_get_n_categories (StpChart *chart)
{
  g_return_val_if_fail (chart != NULL, 0);
  return chart->categories->len;
}

guint
stp_chart_get_n_series (StpChart *chart)
{
  g_return_val_if_fail (chart != NULL, 0);
  return chart->series->len;
}

gint64
stp_chart_get_value (StpChart *chart,
                     guint     series,
                     guint     category)
{
  g_return_val_if_fail (chart != NULL, 0);
  g_return_val_if_fail (series < chart->series->len, 0);
  g_return_val_if_fail (category < chart->categories->len, 0);

  return ((Series *) chart->series->pdata[series])->values[category];
}

/* --- Drawing ------------------------------------------------------------- */

typedef struct
{
  StpChart            *chart;
  cairo_t             *cr;
  const StpChartStyle *style;
  double               width;
  double               height;
} Canvas;

static PangoLayout *
make_text (Canvas     *c,
           const char *text,
           double      scale,
           gboolean    bold,
           double      width)
{
  PangoLayout *layout = pango_cairo_create_layout (c->cr);
  PangoFontDescription *font = pango_font_description_new ();

  pango_font_description_set_family (font, FONT_FAMILY);
  pango_font_description_set_absolute_size (font, c->style->font_size * scale * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_text (layout, text, -1);
  return layout;
}

static void
text_size (PangoLayout *layout,
           double      *width,
           double      *height)
{
  PangoRectangle logical;

  pango_layout_get_extents (layout, NULL, &logical);
  if (width != NULL)
    *width = (double) logical.width / PANGO_SCALE;
  if (height != NULL)
    *height = (double) logical.height / PANGO_SCALE;
}

static double
line_height (Canvas *c)
{
  g_autoptr(PangoLayout) layout = make_text (c, "0", 1.0, FALSE, -1);
  double height;

  text_size (layout, NULL, &height);
  return height;
}

static void
set_rgb (cairo_t      *cr,
         const double  rgb[3],
         double        alpha)
{
  cairo_set_source_rgba (cr, rgb[0], rgb[1], rgb[2], alpha);
}

/* Draws @text with its top left (or centre, or right edge) at (@x, @y). */
static void
show (Canvas         *c,
      const char     *text,
      double          x,
      double          y,
      double          scale,
      gboolean        bold,
      PangoAlignment  align,
      const double    rgb[3])
{
  g_autoptr(PangoLayout) layout = make_text (c, text, scale, bold, -1);
  double w;

  text_size (layout, &w, NULL);
  if (align == PANGO_ALIGN_CENTER)
    x -= w / 2;
  else if (align == PANGO_ALIGN_RIGHT)
    x -= w;
  set_rgb (c->cr, rgb, 1.0);
  cairo_move_to (c->cr, x, y);
  pango_cairo_show_layout (c->cr, layout);
}

static const double *
series_colour (Canvas *c,
               guint   index)
{
  return c->style->dark ? dark_palette[index % N_COLOURS] : light_palette[index % N_COLOURS];
}

static double
luminance (const double rgb[3])
{
  return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* Fills the rectangle in the series' colour, hatched for every third. */
static void
fill_bar (Canvas *c,
          guint   index,
          double  x,
          double  y,
          double  w,
          double  h)
{
  cairo_t *cr = c->cr;
  const double *rgb = series_colour (c, index);

  if (w <= 0 || h <= 0)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, x, y, w, h);
  set_rgb (cr, rgb, 1.0);
  cairo_fill_preserve (cr);
  /* Beyond the two plain fills, each series has its own hatching: two
   * series of a similar grey are still told apart on paper. */
  if (index % N_COLOURS >= 2)
    {
      double step = MAX (c->style->font_size * 0.5, 2.5);
      guint pattern = index % N_COLOURS;

      cairo_clip (cr);
      cairo_set_line_width (cr, MAX (step * 0.3, 0.6));
      if (luminance (rgb) > 0.5)
        cairo_set_source_rgba (cr, 0, 0, 0, 0.45);
      else
        cairo_set_source_rgba (cr, 1, 1, 1, 0.55);
      for (double d = -h; d < w + h; d += step)
        {
          /* 2 and 5 rise to the right, 3 falls, 4 crosses. */
          if (pattern != 3)
            {
              cairo_move_to (cr, x + d, y + h);
              cairo_line_to (cr, x + d + h, y);
            }
          if (pattern == 3 || pattern == 4)
            {
              cairo_move_to (cr, x + d, y);
              cairo_line_to (cr, x + d + h, y + h);
            }
        }
      cairo_stroke (cr);
    }
  else
    {
      cairo_new_path (cr);
    }
  cairo_restore (cr);

  /* A thin outline keeps a light bar visible on white paper. */
  cairo_save (cr);
  cairo_set_line_width (cr, 0.5);
  set_rgb (cr, c->style->foreground, 0.6);
  cairo_rectangle (cr, x, y, w, h);
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* Text colour that reads on @rgb. */
static void
contrast_on (const double  rgb[3],
             double        out[3])
{
  double v = luminance (rgb) > 0.5 ? 0.0 : 1.0;

  out[0] = out[1] = out[2] = v;
}

static void
format_value (gint64  value,
              char   *buffer,
              gsize   size)
{
  g_snprintf (buffer, size, "%" G_GINT64_FORMAT, value);
}

/* The largest bar (or stack, or point). */
static gint64
max_value (StpChart *chart)
{
  gint64 max = 0;

  for (guint k = 0; k < chart->categories->len; k++)
    {
      gint64 stack = 0;

      for (guint s = 0; s < chart->series->len; s++)
        {
          gint64 v = MAX (((Series *) chart->series->pdata[s])->values[k], 0);

          if (chart->kind == STP_CHART_STACKED_BARS)
            stack += v;
          else
            max = MAX (max, v);
        }
      max = MAX (max, stack);
    }
  return max;
}

/* A round step for about four grid lines up to @max. */
static gint64
nice_step (gint64 max)
{
  gint64 magnitude = 1;

  if (max <= 4)
    return 1;
  while (magnitude * 10 <= max / 4)
    magnitude *= 10;
  for (;;)
    {
      if (magnitude * 1 * 4 >= max)
        return magnitude;
      if (magnitude * 2 * 4 >= max)
        return magnitude * 2;
      if (magnitude * 5 * 4 >= max)
        return magnitude * 5;
      magnitude *= 10;
    }
}

static double
title_height (Canvas *c)
{
  g_autoptr(PangoLayout) layout = NULL;
  double height;

  if (c->chart->title == NULL || *c->chart->title == '\0')
    return 0;
  layout = make_text (c, c->chart->title, 1.15, TRUE, c->width);
  text_size (layout, NULL, &height);
  return height + c->style->font_size * 0.6;
}

static void
draw_title (Canvas *c)
{
  g_autoptr(PangoLayout) layout = NULL;

  if (c->chart->title == NULL || *c->chart->title == '\0')
    return;
  layout = make_text (c, c->chart->title, 1.15, TRUE, c->width);
  set_rgb (c->cr, c->style->foreground, 1.0);
  cairo_move_to (c->cr, 0, 0);
  pango_cairo_show_layout (c->cr, layout);
}

static gboolean
has_legend (StpChart *chart)
{
  return chart->series->len > 1;
}

/* Lays the legend out from @top (draws when @draw); returns its height. */
static double
legend (Canvas   *c,
        double    top,
        gboolean  draw)
{
  double size = c->style->font_size;
  double row = line_height (c) + size * 0.3;
  double x = 0, y = top;

  if (!has_legend (c->chart))
    return 0;
  for (guint s = 0; s < c->chart->series->len; s++)
    {
      Series *series = c->chart->series->pdata[s];
      g_autoptr(PangoLayout) layout = make_text (c, series->name != NULL ? series->name : "—",
                                                 1.0, FALSE, -1);
      double w, h, item;

      text_size (layout, &w, &h);
      item = size * 1.2 + size * 0.4 + w + size * 1.2;
      if (x > 0 && x + item > c->width)
        {
          x = 0;
          y += row;
        }
      if (draw)
        {
          double box = size * 1.1;

          if (c->chart->kind == STP_CHART_LINE)
            {
              cairo_save (c->cr);
              set_rgb (c->cr, series_colour (c, s), 1.0);
              cairo_set_line_width (c->cr, MAX (size * 0.25, 1.0));
              cairo_move_to (c->cr, x, y + h / 2);
              cairo_line_to (c->cr, x + box, y + h / 2);
              cairo_stroke (c->cr);
              cairo_restore (c->cr);
            }
          else
            {
              fill_bar (c, s, x, y + (h - box) / 2, box, box);
            }
          set_rgb (c->cr, c->style->foreground, 1.0);
          cairo_move_to (c->cr, x + box + size * 0.4, y);
          pango_cairo_show_layout (c->cr, layout);
        }
      x += item;
    }
  return y + row - top;
}

/* Vertical bars, stacked bars and the line share the frame: value axis
 * on the left with round grid lines, categories below. */
static void
draw_vertical (Canvas *c)
{
  StpChart *chart = c->chart;
  double size = c->style->font_size;
  double lh = line_height (c);
  double top = title_height (c) + lh * 1.2;        /* room for values over the highest bar */
  double legend_h = legend (c, 0, FALSE);
  guint n = chart->categories->len;
  gint64 max = max_value (chart);
  gint64 step = nice_step (max);
  gint64 axis_max = MAX (step * ((max + step - 1) / step), step);
  double axis_w, label_h = 0, plot_h, plot_w, slot;
  char buffer[32];

  format_value (axis_max, buffer, sizeof buffer);
  {
    g_autoptr(PangoLayout) layout = make_text (c, buffer, 1.0, FALSE, -1);

    text_size (layout, &axis_w, NULL);
    axis_w += size * 0.8;
  }
  plot_w = c->width - axis_w;
  slot = n > 0 ? plot_w / n : plot_w;
  for (guint k = 0; k < n; k++)
    {
      g_autoptr(PangoLayout) layout = make_text (c, chart->categories->pdata[k], 0.9, FALSE,
                                                 slot - size * 0.2);
      double h;

      text_size (layout, NULL, &h);
      label_h = MAX (label_h, h);
    }
  label_h += size * 0.5;
  plot_h = c->height - top - label_h - (legend_h > 0 ? legend_h + size * 0.5 : 0);
  if (plot_h < lh * 2)
    plot_h = lh * 2;

  draw_title (c);

  /* Grid and value axis. */
  cairo_save (c->cr);
  cairo_set_line_width (c->cr, 0.5);
  for (gint64 v = 0; v <= axis_max; v += step)
    {
      double y = top + plot_h - plot_h * v / axis_max;

      set_rgb (c->cr, c->style->foreground, v == 0 ? 0.8 : 0.2);
      cairo_move_to (c->cr, axis_w, y);
      cairo_line_to (c->cr, c->width, y);
      cairo_stroke (c->cr);
      format_value (v, buffer, sizeof buffer);
      show (c, buffer, axis_w - size * 0.4, y - lh / 2, 1.0, FALSE, PANGO_ALIGN_RIGHT,
            c->style->foreground);
    }
  cairo_restore (c->cr);

  /* Category labels. */
  for (guint k = 0; k < n; k++)
    {
      g_autoptr(PangoLayout) layout = make_text (c, chart->categories->pdata[k], 0.9, FALSE,
                                                 slot - size * 0.2);

      pango_layout_set_alignment (layout, PANGO_ALIGN_CENTER);
      set_rgb (c->cr, c->style->foreground, 1.0);
      cairo_move_to (c->cr, axis_w + slot * k + size * 0.1, top + plot_h + size * 0.3);
      pango_cairo_show_layout (c->cr, layout);
    }

  if (chart->kind == STP_CHART_LINE)
    {
      for (guint s = 0; s < chart->series->len; s++)
        {
          Series *series = chart->series->pdata[s];
          const double *rgb = series_colour (c, s);

          cairo_save (c->cr);
          set_rgb (c->cr, rgb, 1.0);
          cairo_set_line_width (c->cr, MAX (size * 0.25, 1.0));
          /* Later series dashed, for print. */
          if (s % 2 == 1)
            {
              double dash[] = { size * 0.6, size * 0.3 };

              cairo_set_dash (c->cr, dash, 2, 0);
            }
          for (guint k = 0; k < n; k++)
            {
              double x = axis_w + slot * (k + 0.5);
              double y = top + plot_h - plot_h * MAX (series->values[k], 0) / axis_max;

              if (k == 0)
                cairo_move_to (c->cr, x, y);
              else
                cairo_line_to (c->cr, x, y);
            }
          cairo_stroke (c->cr);
          cairo_set_dash (c->cr, NULL, 0, 0);
          for (guint k = 0; k < n; k++)
            {
              double x = axis_w + slot * (k + 0.5);
              double y = top + plot_h - plot_h * MAX (series->values[k], 0) / axis_max;
              double r = size * 0.3;

              set_rgb (c->cr, rgb, 1.0);
              cairo_new_path (c->cr);
              if (s % 2 == 0)
                cairo_arc (c->cr, x, y, r, 0, 2 * G_PI);
              else
                cairo_rectangle (c->cr, x - r, y - r, 2 * r, 2 * r);
              cairo_fill (c->cr);
              format_value (series->values[k], buffer, sizeof buffer);
              show (c, buffer, x, y - lh - r, 0.9, FALSE, PANGO_ALIGN_CENTER,
                    c->style->foreground);
            }
          cairo_restore (c->cr);
        }
    }
  else
    {
      guint groups = chart->kind == STP_CHART_STACKED_BARS ? 1 : MAX (chart->series->len, 1);
      double bar_w = slot * 0.72 / groups;

      for (guint k = 0; k < n; k++)
        {
          double x0 = axis_w + slot * k + slot * 0.14;
          gint64 stack = 0;

          for (guint s = 0; s < chart->series->len; s++)
            {
              Series *series = chart->series->pdata[s];
              gint64 v = MAX (series->values[k], 0);
              double h = plot_h * v / axis_max;
              double x = chart->kind == STP_CHART_STACKED_BARS ? x0 : x0 + bar_w * s;
              double base = top + plot_h - plot_h * stack / axis_max;

              fill_bar (c, s, x, base - h, bar_w, h);
              format_value (series->values[k], buffer, sizeof buffer);
              if (chart->kind == STP_CHART_STACKED_BARS)
                {
                  double on[3];

                  /* A segment's value inside it when it fits. */
                  if (v > 0 && h >= lh)
                    {
                      contrast_on (series_colour (c, s), on);
                      show (c, buffer, x + bar_w / 2, base - h / 2 - lh / 2, 0.9, FALSE,
                            PANGO_ALIGN_CENTER, on);
                    }
                  stack += v;
                }
              else
                {
                  show (c, buffer, x + bar_w / 2, base - h - lh, 0.9, FALSE,
                        PANGO_ALIGN_CENTER, c->style->foreground);
                }
            }
          if (chart->kind == STP_CHART_STACKED_BARS)
            {
              format_value (stack, buffer, sizeof buffer);
              show (c, buffer, x0 + bar_w / 2, top + plot_h - plot_h * stack / axis_max - lh,
                    0.9, TRUE, PANGO_ALIGN_CENTER, c->style->foreground);
            }
        }
    }

  if (legend_h > 0)
    legend (c, c->height - legend_h, TRUE);
}

/* Horizontal bars: one row per category, its name on the left, the value
 * after the bar. */
static double
row_height (Canvas *c)
{
  double groups = c->chart->kind == STP_CHART_STACKED_BARS ? 1 : MAX (c->chart->series->len, 1);

  return MAX (line_height (c) * 1.5, line_height (c) * 1.1 * groups + c->style->font_size * 0.5);
}

static double
name_width (Canvas *c)
{
  double widest = 0;

  for (guint k = 0; k < c->chart->categories->len; k++)
    {
      g_autoptr(PangoLayout) layout = make_text (c, c->chart->categories->pdata[k], 1.0, FALSE, -1);
      double w;

      text_size (layout, &w, NULL);
      widest = MAX (widest, w);
    }
  return MIN (widest + c->style->font_size, c->width * 0.45);
}

static void
draw_horizontal (Canvas *c)
{
  StpChart *chart = c->chart;
  double size = c->style->font_size;
  double lh = line_height (c);
  double top = title_height (c);
  double rh = row_height (c);
  double names = name_width (c);
  gint64 max = MAX (max_value (chart), 1);
  double value_room, plot_w;
  guint groups = chart->kind == STP_CHART_STACKED_BARS ? 1 : MAX (chart->series->len, 1);
  char buffer[32];

  format_value (max, buffer, sizeof buffer);
  {
    g_autoptr(PangoLayout) layout = make_text (c, buffer, 1.0, TRUE, -1);

    text_size (layout, &value_room, NULL);
    value_room += size;
  }
  plot_w = MAX (c->width - names - value_room, size * 4);

  draw_title (c);

  for (guint k = 0; k < chart->categories->len; k++)
    {
      double y = top + rh * k;
      double bar_h = (rh - size * 0.5) / groups;
      g_autoptr(PangoLayout) name = make_text (c, chart->categories->pdata[k], 1.0, FALSE,
                                               names - size * 0.5);
      gint64 stack = 0;

      pango_layout_set_ellipsize (name, PANGO_ELLIPSIZE_END);
      pango_layout_set_height (name, -1);
      set_rgb (c->cr, c->style->foreground, 1.0);
      cairo_move_to (c->cr, 0, y + (rh - lh) / 2);
      pango_cairo_show_layout (c->cr, name);

      for (guint s = 0; s < chart->series->len; s++)
        {
          Series *series = chart->series->pdata[s];
          gint64 v = MAX (series->values[k], 0);
          double w = plot_w * v / max;
          double x = names + (chart->kind == STP_CHART_STACKED_BARS ? plot_w * stack / max : 0);
          double by = y + size * 0.25 + (chart->kind == STP_CHART_STACKED_BARS ? 0 : bar_h * s);

          fill_bar (c, s, x, by, w, bar_h);
          format_value (series->values[k], buffer, sizeof buffer);
          if (chart->kind == STP_CHART_STACKED_BARS)
            {
              g_autoptr(PangoLayout) layout = make_text (c, buffer, 0.9, FALSE, -1);
              double tw;

              text_size (layout, &tw, NULL);
              if (v > 0 && tw + size * 0.4 <= w)
                {
                  double on[3];

                  contrast_on (series_colour (c, s), on);
                  show (c, buffer, x + w / 2, by + (bar_h - lh) / 2, 0.9, FALSE,
                        PANGO_ALIGN_CENTER, on);
                }
              stack += v;
            }
          else
            {
              show (c, buffer, x + w + size * 0.3, by + (bar_h - lh) / 2, 0.9, FALSE,
                    PANGO_ALIGN_LEFT, c->style->foreground);
            }
        }
      if (chart->kind == STP_CHART_STACKED_BARS)
        {
          format_value (stack, buffer, sizeof buffer);
          show (c, buffer, names + plot_w * stack / max + size * 0.3, y + (rh - lh) / 2, 0.9, TRUE,
                PANGO_ALIGN_LEFT, c->style->foreground);
        }
    }

  /* The base line. */
  cairo_save (c->cr);
  cairo_set_line_width (c->cr, 0.5);
  set_rgb (c->cr, c->style->foreground, 0.8);
  cairo_move_to (c->cr, names, top);
  cairo_line_to (c->cr, names, top + rh * chart->categories->len);
  cairo_stroke (c->cr);
  cairo_restore (c->cr);

  if (has_legend (chart))
    legend (c, top + rh * chart->categories->len + size * 0.5, TRUE);
}

double
stp_chart_get_preferred_height (StpChart            *chart,
                                double               width,
                                const StpChartStyle *style)
{
  cairo_surface_t *surface;
  Canvas c = { chart, NULL, style, width, 0 };
  double height;

  g_return_val_if_fail (chart != NULL, 0);
  g_return_val_if_fail (style != NULL, 0);

  /* A scratch context, only for measuring text. */
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  c.cr = cairo_create (surface);
  if (chart->horizontal)
    {
      height = title_height (&c) + row_height (&c) * MAX (chart->categories->len, 1);
      if (has_legend (chart))
        height += style->font_size * 0.5 + legend (&c, 0, FALSE);
    }
  else
    {
      height = MAX (width * 0.42, style->font_size * 22);
    }
  cairo_destroy (c.cr);
  cairo_surface_destroy (surface);
  return ceil (height);
}

gboolean
stp_chart_same_height (StpChart *a,
                       StpChart *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->kind != b->kind || a->horizontal != b->horizontal)
    return FALSE;
  /* Vertical charts keep a proportion of their width. */
  if (!a->horizontal)
    return TRUE;
  /* Horizontal ones: the title (wrapped), one row per category, the
   * legend (the series' names, wrapped). */
  if (g_strcmp0 (a->title, b->title) != 0 || a->categories->len != b->categories->len
      || a->series->len != b->series->len)
    return FALSE;
  for (guint s = 0; s < a->series->len; s++)
    if (g_strcmp0 (((Series *) a->series->pdata[s])->name, ((Series *) b->series->pdata[s])->name) != 0)
      return FALSE;
  return TRUE;
}

void
stp_chart_draw (StpChart            *chart,
                cairo_t             *cr,
                double               width,
                double               height,
                const StpChartStyle *style)
{
  Canvas c = { chart, cr, style, width, height };

  g_return_if_fail (chart != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (style != NULL);

  if (width <= 0 || height <= 0)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_clip (cr);
  if (chart->horizontal)
    draw_horizontal (&c);
  else
    draw_vertical (&c);
  cairo_restore (cr);
}
