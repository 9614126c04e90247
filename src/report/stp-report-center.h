/* stp-report-center.h: the center report for a period (aggregated, no
 * personal data; director only) as PDF or CSV. */
#pragma once

#include "stp-report-layout.h"
#include "stp-store.h"
#include "stp-stats.h"

G_BEGIN_DECLS

/* @from and @to are "YYYY-MM-DD", inclusive. */
gboolean stp_report_center_render (StpReportLayout  *layout,
                                   StpStore         *store,
                                   StpSession       *session,
                                   const char       *from,
                                   const char       *to,
                                   GError          **error);
/* The same from numbers counted already (e.g. in a worker thread). */
gboolean stp_report_center_render_stats (StpReportLayout *layout,
                                         StpStore        *store,
                                         StpSession      *session,
                                         StpCenterStats  *stats,
                                         GError         **error);
gboolean stp_report_center_to_pdf (StpStore         *store,
                                   StpSession       *session,
                                   const char       *from,
                                   const char       *to,
                                   const char       *path,
                                   GError          **error);
/* Columns (Russian headers): section; indicator; value; period
 * «дд.мм.гггг – дд.мм.гггг».  UTF-8 with a BOM, `;` between fields. */
gboolean stp_report_center_to_csv (StpStore         *store,
                                   StpSession       *session,
                                   const char       *from,
                                   const char       *to,
                                   const char       *path,
                                   GError          **error);

/* The charts the center report draws beside its tables, in report
 * order (of StpChart); for showing them on screen. */
GPtrArray *stp_report_center_charts (StpCenterStats *stats);

G_END_DECLS
