#define G_LOG_DOMAIN "stp-report-layout"

#include "config.h"

#include "stp-report-layout-private.h"
#include "stp-report-fonts.h"

#include <glib/gi18n-lib.h>
#include <cairo-pdf.h>
#include <gio/gio.h>
#include <pango/pangocairo.h>
#include <string.h>

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

void
_stp_report_layout_item_clear (gpointer data)
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

void
_stp_report_layout_invalidate (StpReportLayout *self)
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
  _stp_report_layout_invalidate (self);
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
  _stp_report_layout_invalidate (self);
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
  _stp_report_layout_invalidate (self);
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
  g_autoptr(PangoLayout) layout = _stp_report_layout_make_layout (self, STYLE_FOOTER, text, width);

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
  width = _stp_report_layout_body_width (self);

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
