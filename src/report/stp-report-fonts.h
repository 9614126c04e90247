/* stp-report-fonts.h: the fonts shipped with the program. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint stp_report_fonts_init (void);

G_END_DECLS
