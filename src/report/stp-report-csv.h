/* stp-report-csv.h: CSV exports that spreadsheets open correctly:
 * UTF-8 with a byte order mark, «;» between fields, CRLF line ends, text
 * quoted when it holds «;», «"» or a line break ("" inside quotes). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _StpCsv StpCsv;

StpCsv   *stp_csv_new         (void);
void      stp_csv_free        (StpCsv      *csv);
void      stp_csv_add_text    (StpCsv      *csv,
                               const char  *text);
void      stp_csv_add_number  (StpCsv      *csv,
                               gint64       number);
void      stp_csv_end_row     (StpCsv      *csv);
/* The whole file so far, BOM included. */
const char *stp_csv_get_data  (StpCsv      *csv,
                               gsize       *out_length);
gboolean  stp_csv_write       (StpCsv      *csv,
                               const char  *path,
                               GError     **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpCsv, stp_csv_free)

G_END_DECLS
