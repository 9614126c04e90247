/* stp-report-lists.h: the follow-ups due (катамнез к выполнению) and the
 * census by stage (кто сейчас в центре). */
#pragma once

#include "stp-report-layout.h"
#include "stp-store.h"

G_BEGIN_DECLS

/* Pending follow-ups due on or before @until ("YYYY-MM-DD"; NULL: 30 days
 * from today), overdue first. */
gboolean stp_report_follow_ups_render (StpReportLayout  *layout,
                                       StpStore         *store,
                                       StpSession       *session,
                                       const char       *until,
                                       GError          **error);
gboolean stp_report_follow_ups_to_pdf (StpStore         *store,
                                       StpSession       *session,
                                       const char       *until,
                                       const char       *path,
                                       GError          **error);
gboolean stp_report_census_render     (StpReportLayout  *layout,
                                       StpStore         *store,
                                       StpSession       *session,
                                       GError          **error);
gboolean stp_report_census_to_pdf     (StpStore         *store,
                                       StpSession       *session,
                                       const char       *path,
                                       GError          **error);

G_END_DECLS
