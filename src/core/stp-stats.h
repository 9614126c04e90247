/* stp-stats.h: the numbers of the center report for a period (DOMAIN.md,
 * report 2).  Aggregated, no personal data; director only. */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

/* One number of the report.  @section and @key are stable English codes
 * ("admitted_by_source", "court_admin"); labels are translated. */
typedef struct
{
  char *section;
  char *section_label;
  char *key;
  char *label;
  gint64 value;
} StpStatRow;

typedef struct
{
  char      *from;       /* "YYYY-MM-DD", inclusive */
  char      *to;         /* inclusive */
  GPtrArray *rows;       /* of StpStatRow, grouped by section in report order */
} StpCenterStats;

void            stp_center_stats_free  (StpCenterStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpCenterStats, stp_center_stats_free)

/* Sections, in order:
 *   admitted_by_source, admitted_by_substance, discharged_by_source,
 *   discharged_by_substance, in_program_by_stage (at period end, keys are
 *   stage ids), in_program_by_stage_kind (keys are StpStageKind codes, every
 *   kind listed), outcomes (completed, dropped_out, expelled, ...),
 *   dropped_out_by_stage, dropped_out_by_stage_kind,
 *   remission_6 (yes, no, unknown, reached, due), remission_12 (same),
 *   resocialization (employed, documents_restored, returned_to_family),
 *   families (relatives_served, codependents, families_with_minors, sop, tzhs,
 *   kdn_informed), court (court_ordered residents by basis),
 *   referrals (by agency kind; answered_in_time, answered_late, unanswered),
 *   age_groups (under_18, 18_24, 25_34, 35_44, 45_54, 55_plus),
 *   sex (male, female, unknown).  Each section has a "total" where it makes
 *   sense.  Periods are inclusive on both ends. */
StpCenterStats *stp_store_center_stats (StpStore   *self,
                                        StpSession *session,
                                        const char *from,
                                        const char *to,
                                        GError    **error);
/* The periods statistics are sent to the region for: always stated, as
 * dates, in what is shown and sent. */
typedef enum
{
  STP_STATS_PERIOD_YEAR_TO_DATE = 0,   /* 1 January of this year to today */
  STP_STATS_PERIOD_LAST_QUARTER,       /* the last full calendar quarter */
  STP_STATS_PERIOD_LAST_YEAR,          /* the last full calendar year */
} StpStatsPeriod;

/* "YYYY-MM-DD" bounds of @period for @today ("YYYY-MM-DD"), inclusive. */
void            stp_stats_period_bounds (StpStatsPeriod  period,
                                         const char     *today,
                                         char          **from,
                                         char          **to);

/* The value of one number, or -1 when absent. */
gint64          stp_center_stats_get   (StpCenterStats *stats,
                                        const char     *section,
                                        const char     *key);

G_END_DECLS
