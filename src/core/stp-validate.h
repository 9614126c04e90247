/* stp-validate.h: checks and normalization of records before they are saved. */
#pragma once

#include "stp-records.h"

G_BEGIN_DECLS

/* Trims text fields and brings phones (+7XXXXXXXXXX) and СНИЛС
 * ("XXX-XXX-XXX YY") to their stored form when they can be parsed. */
void      stp_record_normalize       (StpRecordKind  kind,
                                      gpointer       record);
/* Validation against @today ("YYYY-MM-DD"; NULL: the real local date).
 * Sets STP_CORE_ERROR_INVALID naming the field. */
gboolean  stp_record_validate_at     (StpRecordKind  kind,
                                      gconstpointer  record,
                                      const char    *today,
                                      GError       **error);

/* "+7XXXXXXXXXX" from 8XXXXXXXXXX, +7..., 7..., with spaces, brackets and
 * dashes; other international numbers as "+" and digits; NULL if invalid. */
char     *stp_normalize_phone        (const char    *text);
/* TRUE when @snils has 11 digits and a correct check number. */
gboolean  stp_snils_is_valid         (const char    *snils);
/* "XXX-XXX-XXX YY" or NULL when not 11 digits. */
char     *stp_snils_format           (const char    *snils);
/* TRUE for a real calendar date "YYYY-MM-DD". */
gboolean  stp_date_is_valid          (const char    *date);
/* @date plus @months (negative: minus; clamped to the month's end),
 * "YYYY-MM-DD"; NULL when @date is not a date or the result is outside
 * the years 1..9999. */
char     *stp_date_add_months        (const char    *date,
                                      int            months);
/* @date plus @days (negative: minus), "YYYY-MM-DD"; NULL when @date is
 * not a date or the result is outside the years 1..9999. */
char     *stp_date_add_days          (const char    *date,
                                      int            days);

G_END_DECLS
