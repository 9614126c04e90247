/* stp-overview.h: the numbers of the «Обзор» page (issue 13, part 1):
 * the bed board today, admissions and discharges per month, outcomes,
 * follow-up results and what needs doing this week.  Aggregated, no
 * personal data; for the roles that read full cards (staff and director).
 *
 * Computing it only reads; the page runs it in a worker thread on a
 * connection of its own (stp_store_open_overview ()). */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_OVERVIEW_MONTHS 12
#define STP_N_STAGE_KINDS   (STP_STAGE_KIND_OTHER + 1)

/* Residents in the center today at one stage of one program. */
typedef struct
{
  char         *program_id;
  char         *program_name;
  char         *stage_id;       /* NULL: in the center without an open stage */
  char         *stage_name;
  StpStageKind  kind;
  gint64        residents;
  gint64        male;
  gint64        female;
} StpOverviewStage;

/* Follow-ups of one kind (6 or 12 months) due in the last 12 months. */
typedef struct
{
  gint64 due;        /* due from the first day of the first month to today */
  gint64 reached;    /* done with an answer */
  gint64 lost;       /* «утерян контакт» */
  gint64 yes;        /* in remission, of those reached */
  gint64 no;
  gint64 unknown;
} StpOverviewRemission;

typedef struct
{
  char        *today;                       /* "YYYY-MM-DD" */
  char        *first_day;                   /* first day of months[0] */

  /* The bed board. */
  gint64       seats_total;                 /* 0 when the center does not say */
  gint64       seats_male;
  gint64       seats_female;
  gint64       in_center;                   /* residents with an episode at intake or in the program */
  gint64       in_center_male;
  gint64       in_center_female;
  GPtrArray   *stages;                      /* of StpOverviewStage: active programs' stages in
                                             * order, other ones only when occupied */
  gint64       in_center_by_kind[STP_N_STAGE_KINDS];

  /* The last 12 months, oldest first; the last one is the current month. */
  char        *months[STP_OVERVIEW_MONTHS];  /* "YYYY-MM" */
  gint64       admitted[STP_OVERVIEW_MONTHS];
  gint64       discharged[STP_OVERVIEW_MONTHS];
  /* Discharges of those months by status (StpEpisodeStatus, COMPLETED on;
   * INTAKE and IN_PROGRAM stay 0), and the drop-outs by the kind of the
   * stage they left at (OTHER also for no stage). */
  gint64       outcomes[STP_EPISODE_DIED + 1];
  gint64       dropped_out_by_kind[STP_N_STAGE_KINDS];

  /* Follow-ups. */
  StpOverviewRemission remission_6;
  StpOverviewRemission remission_12;
  gint64       follow_ups_done;             /* the 6- and 12-month ones above reached */
  gint64       employed;                    /* of those: employed */
  gint64       documents_restored;          /* of those: documents restored */

  /* What needs doing this week (today and the six days after it). */
  gint64       follow_ups_overdue;          /* pending, due before today */
  gint64       follow_ups_this_week;        /* pending, due today … today + 6 */
  gint64       referrals_awaiting;          /* without an answer yet: outgoing ones
                                             * wait for the agency's, incoming ones
                                             * for the center's (as the working list) */
  gint64       referrals_overdue;           /* of those, due before today */
  gint64       court_notices_due;           /* see stp_store_compute_overview () */
  gint64       consents_expiring;           /* see stp_store_compute_overview () */
} StpOverview;

void          stp_overview_free          (StpOverview *overview);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpOverview, stp_overview_free)

/* Computes the overview for today (the store's clock).  Residents with a
 * tombstone are left out everywhere.
 *
 * A court notice is due for each court obligation of a resident now in the
 * center without a notice «прибыл», and for each obligation of a resident
 * discharged in the last 30 days without a notice «завершил» or
 * «самовольно покинул» sent on or after the discharge.  A consent is
 * expiring when a resident now in the center has one, not withdrawn, that
 * expires from today to today + 30 days.
 *
 * Outside a transaction of the caller's, a part of the walks runs on a
 * second thread with a connection of its own (opened for the count), and
 * the count is made again if another connection committed meanwhile, so
 * that every number still comes from the same data.
 *
 * Needs STP_PERMISSION_READ_CARD. */
StpOverview  *stp_store_compute_overview (StpStore    *self,
                                          StpSession  *session,
                                          GError     **error);

/* A connection of its own for counting the overview (a secondary one, see
 * stp_store_open_secondary (), with a small page cache). */
StpStore     *stp_store_open_overview    (StpStore    *primary,
                                          GError     **error);

/* SQLite's data_version of this connection: it changes when another
 * connection (the window's, the sync's) commits.  The page recomputes only
 * then.  -1 on an error. */
gint64        stp_store_get_data_version (StpStore    *self);

G_END_DECLS
