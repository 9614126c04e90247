/* stp-report-resident.h: the resident report (личное дело, краткая
 * выписка).  Needs STP_PERMISSION_PRINT_RESIDENT; restricted journal
 * entries and health fields appear only for roles that may read them. */
#pragma once

#include "stp-report-layout.h"
#include "stp-store.h"

G_BEGIN_DECLS

gboolean stp_report_resident_render (StpReportLayout  *layout,
                                     StpStore         *store,
                                     StpSession       *session,
                                     const char       *resident_id,
                                     GError          **error);
/* Renders to a PDF file and writes an export audit event. */
gboolean stp_report_resident_to_pdf (StpStore         *store,
                                     StpSession       *session,
                                     const char       *resident_id,
                                     const char       *path,
                                     GError          **error);

G_END_DECLS
