/* stp-date-row.h: an entry row for a date typed as дд.мм.гггг. */
#pragma once

#include <adwaita.h>
#include "stp-i18n.h"

G_BEGIN_DECLS

#define STP_TYPE_DATE_ROW (stp_date_row_get_type ())

G_DECLARE_FINAL_TYPE (StpDateRow, stp_date_row, STP, DATE_ROW, AdwEntryRow)

GtkWidget *stp_date_row_new      (const char  *title);
/* Sets the row from "YYYY-MM-DD" (NULL or "" clears it). */
void       stp_date_row_set_iso  (StpDateRow  *self,
                                  const char  *iso_date);
/* Parses the text.  Returns TRUE and sets *out_iso_date to "YYYY-MM-DD", or
 * to NULL when the row is empty; returns FALSE with a translated message
 * when the text is not a real date. */
gboolean   stp_date_row_get_iso  (StpDateRow  *self,
                                  char       **out_iso_date,
                                  GError     **error);

/* "дд.мм.гггг" (also д.м.гггг) → "YYYY-MM-DD", or NULL when invalid. */
char      *stp_date_parse_ru     (const char  *text);

G_END_DECLS
