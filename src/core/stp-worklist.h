/* stp-worklist.h: the working lists «Катамнез» (follow-ups to make) and
 * «Направления» (interagency referrals), grouped per resident, filtered by
 * the responsible specialist and a period, overdue first. */
#pragma once

#include "stp-store.h"
#include "stp-query.h"

G_BEGIN_DECLS

typedef struct
{
  const char *today;                /* "YYYY-MM-DD": what is before it is overdue */
  const char *from;                 /* the period, inclusive; NULL: open */
  const char *until;                /* inclusive; NULL: open */
  const char *responsible_user_id;  /* NULL: anyone */
} StpWorkFilter;

#define STP_WORK_FILTER_INIT { NULL, NULL, NULL, NULL }

typedef struct
{
  char      *resident_id;
  char      *resident_name;         /* "Фамилия Имя Отчество" */
  char      *file_number;
  char      *responsible_user_id;   /* NULL: nobody */
  char      *responsible_name;
  guint      n_overdue;
  /* StpFollowUpDue or StpReferralItem (stp-query.h), overdue first. */
  GPtrArray *items;
} StpWorkGroup;

void stp_work_group_free (StpWorkGroup *group);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpWorkGroup, stp_work_group_free)

typedef struct
{
  guint n_items;
  guint n_overdue;
  guint n_residents;
} StpWorkCounts;

/* Sums @groups (of StpWorkGroup). */
void       stp_work_groups_count            (GPtrArray           *groups,
                                             StpWorkCounts       *counts);

/* Follow-ups not made yet that are due in @filter's period, and every
 * overdue one whatever the period, as StpWorkGroups of StpFollowUpDue.
 * The responsible specialist is the one of the follow-up's episode (the
 * resident's newest episode when it has none).  Residents with something
 * overdue come first (the longest overdue first), then by the nearest due
 * date.  Needs STP_PERMISSION_READ_CARD. */
GPtrArray *stp_store_list_follow_up_groups  (StpStore            *self,
                                             StpSession          *session,
                                             const StpWorkFilter *filter,
                                             GError             **error);

/* Referrals sent in @filter's period, and every one whose answer is
 * overdue whatever the period, as StpWorkGroups of StpReferralItem.  The
 * responsible specialist is the resident's (newest episode).  Residents
 * with an overdue answer come first, then those awaiting an answer (the
 * nearest due first), then by the newest referral.  Needs
 * STP_PERMISSION_READ_CARD. */
GPtrArray *stp_store_list_referral_groups   (StpStore            *self,
                                             StpSession          *session,
                                             const StpWorkFilter *filter,
                                             GError             **error);

typedef struct
{
  guint follow_ups;                 /* overdue follow-ups, anyone's */
  guint referrals;                  /* referrals whose answer is overdue, anyone's */
} StpOverdueCounts;

/* How many items of each list are overdue on @today, whoever is
 * responsible: what the lists count with the filter «anyone», by two
 * counts that read no records (the sidebar's numbers before a list is
 * shown).  Needs STP_PERMISSION_READ_CARD. */
gboolean   stp_store_count_overdue_work     (StpStore            *self,
                                             StpSession          *session,
                                             const char          *today,
                                             StpOverdueCounts    *counts,
                                             GError             **error);

G_END_DECLS
