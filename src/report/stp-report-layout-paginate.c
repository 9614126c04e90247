/* stp-report-layout-paginate.c: StpReportLayout's pagination: the blocks
 * laid out line by line and row by row onto pages.  Building the blocks
 * and drawing the pages are in stp-report-layout.c. */
#define G_LOG_DOMAIN "stp-report-layout"

#include "config.h"

#include "stp-report-layout-private.h"
#include "stp-report-fonts.h"

#include <pango/pangocairo.h>
#include <string.h>

/* --- Pagination ----------------------------------------------------------- */

PangoLayout *
_stp_report_layout_make_layout (StpReportLayout *self,
                                TextStyle        style,
                                const char      *text,
                                double           width)
{
  PangoLayout *layout = pango_layout_new (self->context);

  pango_layout_set_font_description (layout, self->fonts[style]);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_text (layout, text, -1);
  return layout;
}

/* The lines of a layout: their heights and baselines (from the line top). */
typedef struct
{
  PangoLayout *layout;
  int          n_lines;
  double      *heights;
  double      *baselines;
  double      *offsets;      /* from alignment */
} Lines;

static void
lines_init (Lines       *lines,
            PangoLayout *layout)
{
  PangoLayoutIter *iter;
  int i = 0;

  lines->layout = layout;
  lines->n_lines = pango_layout_get_line_count (layout);
  lines->heights = g_new0 (double, lines->n_lines);
  lines->baselines = g_new0 (double, lines->n_lines);
  lines->offsets = g_new0 (double, lines->n_lines);

  iter = pango_layout_get_iter (layout);
  do
    {
      PangoRectangle logical;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      lines->heights[i] = (double) logical.height / PANGO_SCALE;
      lines->offsets[i] = (double) logical.x / PANGO_SCALE;
      lines->baselines[i] = (double) (pango_layout_iter_get_baseline (iter) - logical.y) / PANGO_SCALE;
      i++;
    }
  while (i < lines->n_lines && pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
}

static void
lines_clear (Lines *lines)
{
  g_clear_object (&lines->layout);
  g_clear_pointer (&lines->heights, g_free);
  g_clear_pointer (&lines->baselines, g_free);
  g_clear_pointer (&lines->offsets, g_free);
}

static double
lines_total (const Lines *lines,
             int          from)
{
  double total = 0;

  for (int i = from; i < lines->n_lines; i++)
    total += lines->heights[i];
  return total;
}

static GArray *
current_page (StpReportLayout *self)
{
  return g_ptr_array_index (self->pages, self->pages->len - 1);
}

static void
new_page (StpReportLayout *self)
{
  GArray *items = g_array_new (FALSE, TRUE, sizeof (Item));

  g_array_set_clear_func (items, _stp_report_layout_item_clear);
  g_ptr_array_add (self->pages, items);
  self->y = MARGIN_TOP;
}

static double
body_bottom (StpReportLayout *self)
{
  return self->height - MARGIN_BOTTOM;
}

double
_stp_report_layout_body_width (StpReportLayout *self)
{
  return self->width - MARGIN_LEFT - MARGIN_RIGHT;
}

static gboolean
at_page_top (StpReportLayout *self)
{
  return self->y <= MARGIN_TOP + 0.01;
}

static void
place_line (StpReportLayout *self,
            Lines           *lines,
            int              line,
            double           x,
            double           top)
{
  Item item = { 0 };

  item.type = ITEM_LINE;
  item.layout = g_object_ref (lines->layout);
  item.line = line;
  item.x = x + lines->offsets[line];
  item.y = top + lines->baselines[line];
  g_array_append_val (current_page (self), item);
}

static void
place_rect (StpReportLayout *self,
            ItemType         type,
            double           x,
            double           y,
            double           width,
            double           height)
{
  Item item = { 0 };

  item.type = type;
  item.x = x;
  item.y = y;
  item.width = width;
  item.height = height;
  g_array_append_val (current_page (self), item);
}

/* The height of a whole table when it is small (a few rows, a third of a
 * page at most), or -1: small tables are kept on one page. */
static double
small_table_height (StpReportLayout *self,
                    const Block     *block)
{
  double padding = block->borders ? CELL_PADDING : 1.0;
  double total = 0;

  if (block->type != BLOCK_TABLE || block->rows->len > 15)
    return -1;

  if (block->headers != NULL)
    {
      double height = 0;

      for (guint c = 0; c < block->n_columns; c++)
        {
          g_autoptr(PangoLayout) layout =
            _stp_report_layout_make_layout (self, STYLE_TABLE_HEADER, block->headers[c],
                                            block->widths[c] * _stp_report_layout_body_width (self) - 2 * CELL_PADDING);
          PangoRectangle logical;

          pango_layout_get_extents (layout, NULL, &logical);
          height = MAX (height, (double) logical.height / PANGO_SCALE);
        }
      total += height + 2 * CELL_PADDING;
    }

  for (guint r = 0; r < block->rows->len; r++)
    {
      char **row = g_ptr_array_index (block->rows, r);
      double height = 0;

      for (guint c = 0; c < block->n_columns; c++)
        {
          TextStyle style = block->key_value && c == 0 ? STYLE_CELL_BOLD : STYLE_CELL;
          g_autoptr(PangoLayout) layout =
            _stp_report_layout_make_layout (self, style, row[c], block->widths[c] * _stp_report_layout_body_width (self) - 2 * padding);
          PangoRectangle logical;

          pango_layout_get_extents (layout, NULL, &logical);
          height = MAX (height, (double) logical.height / PANGO_SCALE);
        }
      total += height + 2 * padding;
    }

  return total <= (body_bottom (self) - MARGIN_TOP) / 3 ? total : -1;
}

static double
first_height (StpReportLayout *self,
              const Block     *block)
{
  g_autoptr(PangoLayout) layout = NULL;
  PangoRectangle logical;
  double whole;

  if (block == NULL || block->type == BLOCK_SPACE || block->type == BLOCK_PAGE_BREAK)
    return 0;
  whole = small_table_height (self, block);
  if (whole > 0)
    return whole;
  /* Room for a table's header and one row, or three lines of text. */
  layout = _stp_report_layout_make_layout (self, block->type == BLOCK_TEXT ? block->style : STYLE_CELL,
                                           "Ag", _stp_report_layout_body_width (self));
  pango_layout_get_extents (layout, NULL, &logical);
  return (block->type == BLOCK_TEXT ? 3.0 : 2.0) * logical.height / PANGO_SCALE +
         4 * CELL_PADDING;
}

static void
paginate_text (StpReportLayout *self,
               const Block     *block,
               const Block     *next)
{
  Lines lines;
  double needed;

  if (!at_page_top (self))
    self->y += block->space_before;

  lines_init (&lines, _stp_report_layout_make_layout (self, block->style, block->text, _stp_report_layout_body_width (self)));

  /* Headings are kept with the beginning of what follows them. */
  needed = block->keep_with_next ? lines_total (&lines, 0) + first_height (self, next)
                                 : (lines.n_lines > 0 ? lines.heights[0] : 0);
  if (self->y + needed > body_bottom (self) && !at_page_top (self))
    new_page (self);

  for (int i = 0; i < lines.n_lines; i++)
    {
      if (self->y + lines.heights[i] > body_bottom (self) && !at_page_top (self))
        new_page (self);
      place_line (self, &lines, i, MARGIN_LEFT, self->y);
      self->y += lines.heights[i];
    }
  self->y += block->space_after;
  lines_clear (&lines);
}

typedef struct
{
  guint   n_columns;
  double *x;
  double *w;
  Lines  *header;
  double  header_height;
} TableGeometry;

static void
place_table_header (StpReportLayout     *self,
                    const Block         *block,
                    const TableGeometry *geometry)
{
  double total = 0;

  if (geometry->header == NULL)
    return;

  for (guint c = 0; c < geometry->n_columns; c++)
    total += geometry->w[c];
  place_rect (self, ITEM_FILL, geometry->x[0], self->y, total, geometry->header_height);
  for (guint c = 0; c < geometry->n_columns; c++)
    {
      double top = self->y + CELL_PADDING;

      for (int i = 0; i < geometry->header[c].n_lines; i++)
        {
          place_line (self, &geometry->header[c], i, geometry->x[c] + CELL_PADDING, top);
          top += geometry->header[c].heights[i];
        }
      place_rect (self, ITEM_STROKE, geometry->x[c], self->y, geometry->w[c],
                  geometry->header_height);
    }
  self->y += geometry->header_height;
}

static gboolean
is_number (const char *text)
{
  if (*text == '-')
    text++;
  return *text != '\0' && text[strspn (text, "0123456789")] == '\0';
}

static void
paginate_table (StpReportLayout *self,
                const Block     *block)
{
  TableGeometry geometry = { 0 };
  double x = MARGIN_LEFT;
  double body = body_bottom (self) - MARGIN_TOP;
  double padding = block->borders ? CELL_PADDING : 1.0;

  geometry.n_columns = block->n_columns;
  geometry.x = g_new0 (double, block->n_columns);
  geometry.w = g_new0 (double, block->n_columns);
  for (guint c = 0; c < block->n_columns; c++)
    {
      geometry.x[c] = x;
      geometry.w[c] = block->widths[c] * _stp_report_layout_body_width (self);
      x += geometry.w[c];
    }

  if (block->headers != NULL)
    {
      geometry.header = g_new0 (Lines, block->n_columns);
      for (guint c = 0; c < block->n_columns; c++)
        {
          lines_init (&geometry.header[c],
                      _stp_report_layout_make_layout (self, STYLE_TABLE_HEADER, block->headers[c],
                                                      geometry.w[c] - 2 * CELL_PADDING));
          geometry.header_height = MAX (geometry.header_height,
                                        lines_total (&geometry.header[c], 0) + 2 * CELL_PADDING);
        }
    }

  if (block->rows->len > 0 || geometry.header != NULL)
    {
      double whole = small_table_height (self, block);

      /* A small table on one page; otherwise the header with at least the
       * start of the first row. */
      if (whole > 0 && self->y + whole > body_bottom (self) && !at_page_top (self))
        new_page (self);
      else if (self->y + geometry.header_height + 30 > body_bottom (self) && !at_page_top (self))
        new_page (self);
      place_table_header (self, block, &geometry);
    }

  for (guint r = 0; r < block->rows->len; r++)
    {
      char **row = g_ptr_array_index (block->rows, r);
      g_autofree Lines *cells = g_new0 (Lines, block->n_columns);
      g_autofree int *next = g_new0 (int, block->n_columns);
      double row_height = 0;
      gboolean started = FALSE;

      for (guint c = 0; c < block->n_columns; c++)
        {
          TextStyle style = block->key_value && c == 0 ? STYLE_CELL_BOLD : STYLE_CELL;

          PangoLayout *layout = _stp_report_layout_make_layout (self, style, row[c], geometry.w[c] - 2 * padding);

          /* Numbers line up on the right. */
          if (!block->key_value && is_number (row[c]))
            pango_layout_set_alignment (layout, PANGO_ALIGN_RIGHT);
          lines_init (&cells[c], layout);
          row_height = MAX (row_height, lines_total (&cells[c], 0));
        }
      row_height += 2 * padding;

      for (;;)
        {
          double available = body_bottom (self) - self->y - 2 * padding;
          double segment = 0;
          gboolean any = FALSE;
          gboolean done = TRUE;
          gboolean fresh = self->y <= MARGIN_TOP + geometry.header_height + 0.01;

          /* A row that fits on a page is not split; a longer one is
           * continued line by line. */
          if (!started && !fresh && row_height > body_bottom (self) - self->y &&
              row_height <= body - geometry.header_height)
            {
              new_page (self);
              place_table_header (self, block, &geometry);
              continue;
            }

          for (guint c = 0; c < block->n_columns; c++)
            {
              double top = self->y + padding;
              double used = 0;

              while (next[c] < cells[c].n_lines &&
                     (used + cells[c].heights[next[c]] <= available ||
                      (fresh && used == 0)))
                {
                  place_line (self, &cells[c], next[c], geometry.x[c] + padding, top + used);
                  used += cells[c].heights[next[c]];
                  next[c]++;
                  any = TRUE;
                }
              segment = MAX (segment, used);
              if (next[c] < cells[c].n_lines)
                done = FALSE;
            }

          if (any || done)
            {
              if (block->borders)
                for (guint c = 0; c < block->n_columns; c++)
                  place_rect (self, ITEM_STROKE, geometry.x[c], self->y, geometry.w[c],
                              segment + 2 * padding);
              self->y += segment + 2 * padding;
              started = TRUE;
            }
          if (done)
            break;

          new_page (self);
          place_table_header (self, block, &geometry);
        }

      for (guint c = 0; c < block->n_columns; c++)
        lines_clear (&cells[c]);
    }

  self->y += block->space_after;

  if (geometry.header != NULL)
    for (guint c = 0; c < block->n_columns; c++)
      lines_clear (&geometry.header[c]);
  g_free (geometry.header);
  g_free (geometry.x);
  g_free (geometry.w);
}

/* A chart is never split: it goes whole on the next page when it does
 * not fit on this one. */
static void
paginate_chart (StpReportLayout *self,
                const Block     *block)
{
  StpChartStyle style;
  Item item = { 0 };
  double width = _stp_report_layout_body_width (self);
  double height;

  stp_chart_style_init_print (&style);
  height = stp_chart_get_preferred_height (block->chart, width, &style);
  height = MIN (height, body_bottom (self) - MARGIN_TOP);
  if (!at_page_top (self))
    self->y += block->space_before;
  if (self->y + height > body_bottom (self) && !at_page_top (self))
    new_page (self);
  item.type = ITEM_CHART;
  item.chart = stp_chart_ref (block->chart);
  item.x = MARGIN_LEFT;
  item.y = self->y;
  item.width = width;
  item.height = height;
  g_array_append_val (current_page (self), item);
  self->y += height + block->space_after;
}

int
stp_report_layout_paginate (StpReportLayout *self,
                            double           width,
                            double           height)
{
  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (self), 0);
  g_return_val_if_fail (width > MARGIN_LEFT + MARGIN_RIGHT + 100, 0);
  g_return_val_if_fail (height > MARGIN_TOP + MARGIN_BOTTOM + 100, 0);

  if (self->pages != NULL && width == self->width && height == self->height)
    return self->pages->len;

  _stp_report_layout_invalidate (self);
  self->width = width;
  self->height = height;
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  new_page (self);

  for (guint i = 0; i < self->blocks->len; i++)
    {
      const Block *block = g_ptr_array_index (self->blocks, i);
      const Block *next = i + 1 < self->blocks->len ? g_ptr_array_index (self->blocks, i + 1) : NULL;

      switch (block->type)
        {
        case BLOCK_TEXT:
          paginate_text (self, block, next);
          break;
        case BLOCK_TABLE:
          paginate_table (self, block);
          break;
        case BLOCK_SPACE:
          if (!at_page_top (self))
            self->y += block->space_before;
          if (self->y > body_bottom (self))
            new_page (self);
          break;
        case BLOCK_PAGE_BREAK:
          if (!at_page_top (self))
            new_page (self);
          break;
        case BLOCK_CHART:
          paginate_chart (self, block);
          break;
        default:
          g_assert_not_reached ();
        }
    }

  return self->pages->len;
}

int
stp_report_layout_get_n_pages (StpReportLayout *self)
{
  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (self), 0);

  if (self->pages == NULL)
    return stp_report_layout_paginate (self, STP_REPORT_PAGE_WIDTH, STP_REPORT_PAGE_HEIGHT);
  return self->pages->len;
}
