/* stp-query.h: lists across residents: search, duplicates at intake,
 * follow-ups due, overdue referrals, census. */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

/* What the name list shows; readable by every role (STP_PERMISSION_LIST). */
typedef struct
{
  char             *id;
  char             *surname;
  char             *name;
  char             *patronymic;
  char             *file_number;
  char             *birth_date;
  StpSex            sex;
  char             *episode_id;        /* newest episode or NULL */
  StpEpisodeStatus  status;            /* of the newest episode */
  char             *admitted_on;
  char             *program_id;
  char             *stage_id;          /* current stage or NULL */
  char             *stage_name;
  int               stage_position;
  char             *stage_started_on;
  char             *responsible_user_id;
  char             *responsible_name;
} StpResidentSummary;

void stp_resident_summary_free (StpResidentSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpResidentSummary, stp_resident_summary_free)

typedef struct
{
  const char *text;              /* free text: name parts, file number, phone digits; NULL = all */
  int         status;            /* StpEpisodeStatus, or -1 for any */
  gboolean    in_center_only;    /* intake or in program */
  const char *stage_id;          /* NULL = any */
  const char *responsible_user_id; /* NULL = any */
  int         limit;             /* <= 0: no limit */
} StpResidentQuery;

#define STP_RESIDENT_QUERY_INIT { NULL, -1, FALSE, NULL, NULL, 0 }

/* Search as you type: every word of @query->text must prefix-match one of
 * surname, name, patronymic, file number or phone digits, with case and «ё»
 * folded ("иван пет" finds «Иванов Пётр»).  Ordered by surname, name. */
GPtrArray *stp_store_search_residents (StpStore               *self,
                                       StpSession             *session,
                                       const StpResidentQuery *query,
                                       GError                **error);

/* Case-folded, «ё» → «е», punctuation dropped, spaces squeezed. */
char      *stp_normalize_text         (const char *text);
/* A Russian phonetic key of a surname (similar-sounding surnames match). */
char      *stp_phonetic_key           (const char *surname);

typedef enum
{
  STP_DUPLICATE_SAME_NAME_AND_BIRTH = 1 << 0,
  STP_DUPLICATE_SIMILAR_SURNAME_SAME_YEAR = 1 << 1,
  STP_DUPLICATE_SAME_SNILS = 1 << 2,
  STP_DUPLICATE_SAME_DOCUMENT = 1 << 3,
} StpDuplicateReason;

typedef struct
{
  StpResidentSummary *summary;
  StpDuplicateReason  reasons;
} StpDuplicateCandidate;

void stp_duplicate_candidate_free (StpDuplicateCandidate *candidate);

/* Existing residents that may be the same person as @candidate (not yet
 * saved, or saved: itself is excluded).  Allowed for STP_PERMISSION_INTAKE. */
GPtrArray *stp_store_find_duplicates  (StpStore          *self,
                                       StpSession        *session,
                                       const StpResident *candidate,
                                       GError           **error);

typedef struct
{
  StpFollowUp *follow_up;
  char        *resident_name;         /* "Фамилия Имя Отчество" */
  char        *file_number;
  gboolean     overdue;
} StpFollowUpDue;

void stp_follow_up_due_free (StpFollowUpDue *due);

/* Follow-ups not done (pending) with due_on <= @until, overdue first. */
GPtrArray *stp_store_list_follow_ups_due (StpStore   *self,
                                          StpSession *session,
                                          const char *today,
                                          const char *until,
                                          GError    **error);

typedef struct
{
  StpReferral *referral;
  char        *resident_name;
  char        *file_number;
  gboolean     overdue;               /* due_on < today and no response */
} StpReferralItem;

/* The working list «Направления» (stp-worklist.h) is made of these. */
void stp_referral_item_free (StpReferralItem *item);

/* Census: residents now in the center (intake or in program) grouped by
 * stage: an array of StpResidentSummary ordered by stage position, surname. */
GPtrArray *stp_store_census           (StpStore   *self,
                                       StpSession *session,
                                       GError    **error);

G_END_DECLS
