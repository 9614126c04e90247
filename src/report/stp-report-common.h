/* stp-report-common.h: what every report shares: dates as дд.мм.гггг, the
 * center's header, «printed on … by …», the director's signature, saving
 * to PDF with an audit event. */
#pragma once

#include "stp-report-layout.h"
#include "stp-store.h"
#include "stp-i18n.h"

G_BEGIN_DECLS

/* A UTC ISO 8601 moment → local "дд.мм.гггг чч:мм". */
char     *stp_report_format_moment (const char      *iso_moment);
/* The full name of the center's (first active) director, or NULL. */
char     *stp_report_dup_director_name (StpStore    *store);
/* Sets the running header (center name) and footer («Printed on дд.мм.гггг
 * by ФИО»), and adds the center's heading block and @title. */
gboolean  stp_report_begin        (StpReportLayout  *layout,
                                   StpStore         *store,
                                   StpSession       *session,
                                   const char       *title,
                                   GError          **error);
/* Adds the director's signature line. */
void      stp_report_end          (StpReportLayout  *layout,
                                   StpStore         *store);
/* Writes @layout to @path and an export audit event naming @entity/@entity_id
 * (may be NULL) and @detail. */
gboolean  stp_report_save_pdf     (StpReportLayout  *layout,
                                   StpStore         *store,
                                   StpSession       *session,
                                   const char       *path,
                                   const char       *entity,
                                   const char       *entity_id,
                                   const char       *detail,
                                   GError          **error);

G_END_DECLS
