/* stp-report-layout.h: paged A4 documents drawn with cairo and pango.
 *
 * A report adds blocks (title, headings, paragraphs, key-value lines,
 * tables, a signature line) and then the layout is paginated once and drawn
 * page by page onto any cairo_t: a PDF surface or a print context.  Text is
 * continued across pages line by line, table header rows repeat on every
 * page, and every page carries the center's name at the top and «printed
 * on … by …» and «page N of M» at the bottom.
 */
#pragma once

#include <cairo.h>
#include <glib-object.h>

#include "stp-chart.h"

G_BEGIN_DECLS

/* A4 in points. */
#define STP_REPORT_PAGE_WIDTH  595.0
#define STP_REPORT_PAGE_HEIGHT 842.0

#define STP_TYPE_REPORT_LAYOUT (stp_report_layout_get_type ())

G_DECLARE_FINAL_TYPE (StpReportLayout, stp_report_layout, STP, REPORT_LAYOUT, GObject)

StpReportLayout *stp_report_layout_new             (void);

/* The running header (the center's name) and the footer's left text. */
void             stp_report_layout_set_header      (StpReportLayout    *self,
                                                    const char         *text);
void             stp_report_layout_set_footer      (StpReportLayout    *self,
                                                    const char         *text);

void             stp_report_layout_add_title       (StpReportLayout    *self,
                                                    const char         *text);
void             stp_report_layout_add_heading     (StpReportLayout    *self,
                                                    const char         *text);
void             stp_report_layout_add_paragraph   (StpReportLayout    *self,
                                                    const char         *text);
/* Smaller grey text (notes, explanations). */
void             stp_report_layout_add_note        (StpReportLayout    *self,
                                                    const char         *text);
/* Consecutive calls form one key-value block; @value may be NULL ("—"). */
void             stp_report_layout_add_key_value   (StpReportLayout    *self,
                                                    const char         *key,
                                                    const char         *value);
/* A table: @headers has @n_columns strings; @widths (may be NULL for equal
 * columns) has @n_columns relative widths.  Then rows, then end. */
void             stp_report_layout_begin_table     (StpReportLayout    *self,
                                                    guint               n_columns,
                                                    const char * const *headers,
                                                    const double       *widths);
/* @cells has the table's number of columns; NULL cells are shown empty. */
void             stp_report_layout_add_row         (StpReportLayout    *self,
                                                    const char * const *cells);
void             stp_report_layout_end_table       (StpReportLayout    *self);
/* «@role ____________ / @full_name /» */
void             stp_report_layout_add_signature   (StpReportLayout    *self,
                                                    const char         *role,
                                                    const char         *full_name);
void             stp_report_layout_add_space       (StpReportLayout    *self,
                                                    double              points);
void             stp_report_layout_add_page_break  (StpReportLayout    *self);
/* A chart across the body width at its preferred height, kept on one
 * page, drawn in print colours. */
void             stp_report_layout_add_chart       (StpReportLayout    *self,
                                                    StpChart           *chart);

/* Lays the blocks out on pages of @width × @height points (pass
 * STP_REPORT_PAGE_WIDTH/HEIGHT for A4); returns the number of pages.
 * Adding blocks afterwards invalidates the pagination. */
int              stp_report_layout_paginate        (StpReportLayout    *self,
                                                    double              width,
                                                    double              height);
int              stp_report_layout_get_n_pages     (StpReportLayout    *self);
/* Draws page @page (from 0) onto @cr, whose user units are points with the
 * origin at the paper's top left corner.  Paginates first if needed. */
void             stp_report_layout_draw_page       (StpReportLayout    *self,
                                                    cairo_t            *cr,
                                                    int                 page);
/* Writes every page to a PDF file (A4). */
gboolean         stp_report_layout_write_pdf       (StpReportLayout    *self,
                                                    const char         *path,
                                                    GError            **error);

G_END_DECLS
