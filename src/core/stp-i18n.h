/* stp-i18n.h: message catalogue set-up, and dates in the Russian form,
 * shared by every program. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void  stp_i18n_init   (gboolean    russian_by_default);

/* "YYYY-MM-DD" as "дд.мм.гггг" (STYLE.md); "" for NULL or "", the text
 * itself when it is no valid date. */
char *stp_format_date (const char *iso_date);

G_END_DECLS
