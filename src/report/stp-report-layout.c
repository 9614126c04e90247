#define G_LOG_DOMAIN "stp-report-layout"

#include "config.h"

#include "stp-report-layout.h"
#include "stp-report-fonts.h"

#include <glib/gi18n-lib.h>
#include <cairo-pdf.h>
#include <gio/gio.h>
#include <pango/pangocairo.h>
#include <string.h>

/* Margins in points: 20 mm left, 15 mm right, room for header/footer. */
#define MARGIN_LEFT    56.0
#define MARGIN_RIGHT   42.0
#define MARGIN_TOP     60.0
#define MARGIN_BOTTOM  62.0
#define HEADER_Y       28.0
#define CELL_PADDING    3.0
#define FONT_FAMILY    "DejaVu Sans"

typedef enum
{
  STYLE_TITLE,
  STYLE_HEADING,
  STYLE_BODY,
  STYLE_NOTE,
  STYLE_CELL,
  STYLE_CELL_BOLD,
  STYLE_TABLE_HEADER,
  STYLE_FOOTER,
  N_STYLES
} TextStyle;

typedef enum
{
  BLOCK_TEXT,
  BLOCK_TABLE,
  BLOCK_SPACE,
  BLOCK_PAGE_BREAK,
  BLOCK_CHART,
} BlockType;

typedef struct
{
  BlockType  type;
  TextStyle  style;
  char      *text;
  double     space_before;
  double     space_after;
  gboolean   keep_with_next;
  /* Tables (key-value blocks are borderless two-column tables). */
  guint      n_columns;
  double    *widths;
  char     **headers;
  GPtrArray *rows;           /* of char ** (n_columns each) */
  gboolean   borders;
  gboolean   key_value;
  gboolean   open;           /* still accepting rows */
  StpChart  *chart;          /* BLOCK_CHART: a reference */
} Block;

typedef enum
{
  ITEM_LINE,
  ITEM_FILL,
  ITEM_STROKE,
  ITEM_CHART,
} ItemType;

typedef struct
{
  ItemType     type;
  PangoLayout *layout;       /* ITEM_LINE: a reference */
  StpChart    *chart;        /* ITEM_CHART: a reference */
  int          line;
  double       x;
  double       y;            /* baseline for lines, top for rectangles */
  double       width;
  double       height;
} Item;

struct _StpReportLayout
{
  GObject       parent_instance;

  char         *header;
  char         *footer;
  GPtrArray    *blocks;      /* of Block */
  PangoContext *context;
  PangoFontDescription *fonts[N_STYLES];

  /* Pagination. */
  GPtrArray    *pages;       /* of GArray of Item, or NULL when stale */
  double        width;
  double        height;
  double        y;           /* the cursor on the last page */
};

G_DEFINE_FINAL_TYPE (StpReportLayout, stp_report_layout, G_TYPE_OBJECT)

static void
block_free (gpointer data)
{
  Block *block = data;

  g_free (block->text);
  g_free (block->widths);
  g_strfreev (block->headers);
  g_clear_pointer (&block->rows, g_ptr_array_unref);
  g_clear_pointer (&block->chart, stp_chart_unref);
  g_free (block);
}

static void
item_clear (gpointer data)
{
  Item *item = data;

  g_clear_object (&item->layout);
  g_clear_pointer (&item->chart, stp_chart_unref);
}

static void
stp_report_layout_finalize (GObject *object)
{
  StpReportLayout *self = STP_REPORT_LAYOUT (object);

  g_free (self->header);
  g_free (self->footer);
  g_clear_pointer (&self->blocks, g_ptr_array_unref);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  for (guint i = 0; i < N_STYLES; i++)
    g_clear_pointer (&self->fonts[i], pango_font_description_free);
  g_clear_object (&self->context);

  G_OBJECT_CLASS (stp_report_layout_parent_class)->finalize (object);
}

static void
stp_report_layout_class_init (StpReportLayoutClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stp_report_layout_finalize;
}

static void
stp_report_layout_init (StpReportLayout *self)
{
  static const struct { PangoWeight weight; double size; } styles[N_STYLES] = {
    [STYLE_TITLE] = { PANGO_WEIGHT_BOLD, 14.0 },
    [STYLE_HEADING] = { PANGO_WEIGHT_BOLD, 11.0 },
    [STYLE_BODY] = { PANGO_WEIGHT_NORMAL, 9.5 },
    [STYLE_NOTE] = { PANGO_WEIGHT_NORMAL, 8.0 },
    [STYLE_CELL] = { PANGO_WEIGHT_NORMAL, 8.5 },
    [STYLE_CELL_BOLD] = { PANGO_WEIGHT_BOLD, 8.5 },
    [STYLE_TABLE_HEADER] = { PANGO_WEIGHT_BOLD, 7.5 },
    [STYLE_FOOTER] = { PANGO_WEIGHT_NORMAL, 7.5 },
  };
  cairo_font_options_t *options;

  self->blocks = g_ptr_array_new_with_free_func (block_free);
  stp_report_fonts_init ();

  /* Our own context, independent of the target surface, so that the PDF
   * and the printer get the same pagination: 72 dpi (one point per unit)
   * and no hinting of metrics. */
  self->context = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  pango_cairo_context_set_resolution (self->context, 72.0);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (self->context, options);
  cairo_font_options_destroy (options);
  pango_context_set_language (self->context, pango_language_from_string ("ru"));

  for (guint i = 0; i < N_STYLES; i++)
    {
      /* Built field by field: a "DejaVu Sans 9.5" string would be parsed
       * differently under locales with a decimal comma.  The family is a
       * request; fontconfig falls back to another face with Cyrillic. */
      self->fonts[i] = pango_font_description_new ();
      pango_font_description_set_family (self->fonts[i], FONT_FAMILY);
      pango_font_description_set_weight (self->fonts[i], styles[i].weight);
      pango_font_description_set_size (self->fonts[i], (int) (styles[i].size * PANGO_SCALE));
    }
}

StpReportLayout *
stp_report_layout_new (void)
{
  return g_object_new (STP_TYPE_REPORT_LAYOUT, NULL);
}

static void
invalidate (StpReportLayout *self)
{
  g_clear_pointer (&self->pages, g_ptr_array_unref);
}

static Block *
last_block (StpReportLayout *self)
{
  if (self->blocks->len == 0)
    return NULL;
  return g_ptr_array_index (self->blocks, self->blocks->len - 1);
}

static Block *
add_block (StpReportLayout *self,
           BlockType        type)
{
  Block *block = g_new0 (Block, 1);
  Block *last = last_block (self);

  /* A table left open is closed by whatever comes next. */
  if (last != NULL && last->type == BLOCK_TABLE)
    last->open = FALSE;

  block->type = type;
  g_ptr_array_add (self->blocks, block);
  invalidate (self);
  return block;
}

void
stp_report_layout_set_header (StpReportLayout *self,
                              const char      *text)
{
  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  g_free (self->header);
  self->header = g_strdup (text);
}

void
stp_report_layout_set_footer (StpReportLayout *self,
                              const char      *text)
{
  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  g_free (self->footer);
  self->footer = g_strdup (text);
}

static void
add_text (StpReportLayout *self,
          TextStyle        style,
          const char      *text,
          double           space_before,
          double           space_after,
          gboolean         keep_with_next)
{
  Block *block = add_block (self, BLOCK_TEXT);

  block->style = style;
  block->text = g_strdup (text != NULL ? text : "");
  block->space_before = space_before;
  block->space_after = space_after;
  block->keep_with_next = keep_with_next;
}

void
stp_report_layout_add_title (StpReportLayout *self,
                             const char      *text)
{
  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  add_text (self, STYLE_TITLE, text, 0, 8, TRUE);
}

void
stp_report_layout_add_heading (StpReportLayout *self,
                               const char      *text)
{
  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  add_text (self, STYLE_HEADING, text, 10, 4, TRUE);
}

void
stp_report_layout_add_paragraph (StpReportLayout *self,
                                 const char      *text)
{
  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  add_text (self, STYLE_BODY, text, 0, 4, FALSE);
}

void
stp_report_layout_add_note (StpReportLayout *self,
                            const char      *text)
{
  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  add_text (self, STYLE_NOTE, text, 0, 3, FALSE);
}

void
stp_report_layout_add_signature (StpReportLayout *self,
                                 const char      *role,
                                 const char      *full_name)
{
  g_autofree char *text = NULL;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));
  g_return_if_fail (role != NULL);

  text = g_strdup_printf ("%s ____________________ / %s /", role,
                          full_name != NULL ? full_name : "________________");
  add_text (self, STYLE_BODY, text, 30, 0, FALSE);
}

void
stp_report_layout_add_space (StpReportLayout *self,
                             double           points)
{
  Block *block;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  block = add_block (self, BLOCK_SPACE);
  block->space_before = points;
}

void
stp_report_layout_add_page_break (StpReportLayout *self)
{
  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  add_block (self, BLOCK_PAGE_BREAK);
}

void
stp_report_layout_add_chart (StpReportLayout *self,
                             StpChart        *chart)
{
  Block *block;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));
  g_return_if_fail (chart != NULL);

  block = add_block (self, BLOCK_CHART);
  block->chart = stp_chart_ref (chart);
  block->space_before = 6;
  block->space_after = 8;
}

static Block *
new_table (StpReportLayout    *self,
           guint               n_columns,
           const char * const *headers,
           const double       *widths)
{
  Block *block = add_block (self, BLOCK_TABLE);
  double total = 0;

  block->n_columns = n_columns;
  block->widths = g_new0 (double, n_columns);
  for (guint i = 0; i < n_columns; i++)
    total += widths != NULL ? widths[i] : 1.0;
  for (guint i = 0; i < n_columns; i++)
    block->widths[i] = (widths != NULL ? widths[i] : 1.0) / total;
  if (headers != NULL)
    {
      block->headers = g_new0 (char *, n_columns + 1);
      for (guint i = 0; i < n_columns; i++)
        block->headers[i] = g_strdup (headers[i] != NULL ? headers[i] : "");
    }
  block->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  block->open = TRUE;
  block->space_after = 6;
  return block;
}

static void
table_add_row (Block              *block,
               const char * const *cells)
{
  char **row = g_new0 (char *, block->n_columns + 1);

  for (guint i = 0; i < block->n_columns; i++)
    row[i] = g_strdup (cells[i] != NULL && cells[i][0] != '\0' ? cells[i] : "");
  g_ptr_array_add (block->rows, row);
}

void
stp_report_layout_add_key_value (StpReportLayout *self,
                                 const char      *key,
                                 const char      *value)
{
  static const double widths[] = { 0.36, 0.64 };
  Block *block;
  const char *cells[2];

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));
  g_return_if_fail (key != NULL);

  block = last_block (self);
  if (block == NULL || block->type != BLOCK_TABLE || !block->key_value)
    {
      block = new_table (self, 2, NULL, widths);
      block->key_value = TRUE;
      block->space_after = 4;
    }
  cells[0] = key;
  cells[1] = value != NULL && value[0] != '\0' ? value : "—";
  table_add_row (block, cells);
  invalidate (self);
}

void
stp_report_layout_begin_table (StpReportLayout    *self,
                               guint               n_columns,
                               const char * const *headers,
                               const double       *widths)
{
  Block *block;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));
  g_return_if_fail (n_columns > 0);

  block = new_table (self, n_columns, headers, widths);
  block->borders = TRUE;
}

void
stp_report_layout_add_row (StpReportLayout    *self,
                           const char * const *cells)
{
  Block *block;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));
  g_return_if_fail (cells != NULL);

  block = last_block (self);
  g_return_if_fail (block != NULL && block->type == BLOCK_TABLE && block->open &&
                    !block->key_value);
  table_add_row (block, cells);
  invalidate (self);
}

void
stp_report_layout_end_table (StpReportLayout *self)
{
  Block *block;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));

  block = last_block (self);
  if (block != NULL && block->type == BLOCK_TABLE)
    block->open = FALSE;
}

/* --- Pagination ----------------------------------------------------------- */

static PangoLayout *
make_layout (StpReportLayout *self,
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

  g_array_set_clear_func (items, item_clear);
  g_ptr_array_add (self->pages, items);
  self->y = MARGIN_TOP;
}

static double
body_bottom (StpReportLayout *self)
{
  return self->height - MARGIN_BOTTOM;
}

static double
body_width (StpReportLayout *self)
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
            make_layout (self, STYLE_TABLE_HEADER, block->headers[c],
                         block->widths[c] * body_width (self) - 2 * CELL_PADDING);
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
            make_layout (self, style, row[c], block->widths[c] * body_width (self) - 2 * padding);
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
  layout = make_layout (self, block->type == BLOCK_TEXT ? block->style : STYLE_CELL,
                        "Ag", body_width (self));
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

  lines_init (&lines, make_layout (self, block->style, block->text, body_width (self)));

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
      geometry.w[c] = block->widths[c] * body_width (self);
      x += geometry.w[c];
    }

  if (block->headers != NULL)
    {
      geometry.header = g_new0 (Lines, block->n_columns);
      for (guint c = 0; c < block->n_columns; c++)
        {
          lines_init (&geometry.header[c],
                      make_layout (self, STYLE_TABLE_HEADER, block->headers[c],
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

          PangoLayout *layout = make_layout (self, style, row[c], geometry.w[c] - 2 * padding);

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
  double width = body_width (self);
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

  invalidate (self);
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

/* --- Drawing ------------------------------------------------------------- */

static void
show_text (StpReportLayout *self,
           cairo_t         *cr,
           const char      *text,
           double           x,
           double           y,
           double           width,
           PangoAlignment   alignment)
{
  g_autoptr(PangoLayout) layout = make_layout (self, STYLE_FOOTER, text, width);

  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

void
stp_report_layout_draw_page (StpReportLayout *self,
                             cairo_t         *cr,
                             int              page)
{
  GArray *items;
  double width;
  g_autofree char *page_text = NULL;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (self));
  g_return_if_fail (cr != NULL);

  if (self->pages == NULL)
    stp_report_layout_paginate (self, STP_REPORT_PAGE_WIDTH, STP_REPORT_PAGE_HEIGHT);
  g_return_if_fail (page >= 0 && (guint) page < self->pages->len);

  items = g_ptr_array_index (self->pages, page);
  width = body_width (self);

  cairo_save (cr);
  cairo_set_line_width (cr, 0.5);

  /* Running header and footer. */
  cairo_set_source_rgb (cr, 0.35, 0.35, 0.35);
  if (self->header != NULL)
    show_text (self, cr, self->header, MARGIN_LEFT, HEADER_Y, width, PANGO_ALIGN_LEFT);
  cairo_move_to (cr, MARGIN_LEFT, HEADER_Y + 14);
  cairo_line_to (cr, MARGIN_LEFT + width, HEADER_Y + 14);
  cairo_stroke (cr);
  cairo_move_to (cr, MARGIN_LEFT, self->height - MARGIN_BOTTOM + 16);
  cairo_line_to (cr, MARGIN_LEFT + width, self->height - MARGIN_BOTTOM + 16);
  cairo_stroke (cr);
  if (self->footer != NULL)
    show_text (self, cr, self->footer, MARGIN_LEFT, self->height - MARGIN_BOTTOM + 20,
               width * 0.75, PANGO_ALIGN_LEFT);
  /* TRANSLATORS: the page number in a printed report's footer. */
  page_text = g_strdup_printf (_("page %d of %u"), page + 1, self->pages->len);
  show_text (self, cr, page_text, MARGIN_LEFT + width * 0.75, self->height - MARGIN_BOTTOM + 20,
             width * 0.25, PANGO_ALIGN_RIGHT);

  for (guint i = 0; i < items->len; i++)
    {
      const Item *item = &g_array_index (items, Item, i);

      switch (item->type)
        {
        case ITEM_FILL:
          cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
          cairo_rectangle (cr, item->x, item->y, item->width, item->height);
          cairo_fill (cr);
          break;
        case ITEM_STROKE:
          cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
          cairo_rectangle (cr, item->x, item->y, item->width, item->height);
          cairo_stroke (cr);
          break;
        case ITEM_CHART:
          {
            StpChartStyle style;

            stp_chart_style_init_print (&style);
            cairo_save (cr);
            cairo_translate (cr, item->x, item->y);
            stp_chart_draw (item->chart, cr, item->width, item->height, &style);
            cairo_restore (cr);
          }
          break;
        case ITEM_LINE:
          cairo_set_source_rgb (cr, 0, 0, 0);
          cairo_move_to (cr, item->x, item->y);
          pango_cairo_show_layout_line (cr, pango_layout_get_line_readonly (item->layout,
                                                                            item->line));
          break;
        default:
          g_assert_not_reached ();
        }
    }

  cairo_restore (cr);
}

gboolean
stp_report_layout_write_pdf (StpReportLayout  *self,
                             const char       *path,
                             GError          **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  int n_pages;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_pages = stp_report_layout_paginate (self, STP_REPORT_PAGE_WIDTH, STP_REPORT_PAGE_HEIGHT);

  surface = cairo_pdf_surface_create (path, STP_REPORT_PAGE_WIDTH, STP_REPORT_PAGE_HEIGHT);
  cr = cairo_create (surface);
  for (int i = 0; i < n_pages; i++)
    {
      stp_report_layout_draw_page (self, cr, i);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write the PDF file “%s”: %s. Check that the folder exists and is writable."),
                   display, cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}
