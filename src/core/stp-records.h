/* stp-records.h: the synced records of DOMAIN.md as plain structs.
 *
 * Every record starts with StpRecordMeta.  Strings are owned (g_free), NULL
 * when empty.  Dates are "YYYY-MM-DD", moments UTC ISO 8601.  A record with
 * meta.id == NULL is new: stp_store_save_*() gives it an id (UUIDv7).
 * Each struct has stp_<name>_new(), stp_<name>_free(), stp_<name>_copy() and
 * an autoptr cleanup.  The generic forms take an StpRecordKind.
 */
#pragma once

#include "stp-types.h"

G_BEGIN_DECLS

typedef struct
{
  char     *id;
  char     *created_at;
  char     *updated_at;
  gboolean  deleted;
} StpRecordMeta;

typedef struct
{
  StpRecordMeta meta;
  char *name;
  char *region;
  char *legal_name;
  char *inn;
  char *ogrn;
  char *address;
  int   seats_total;
  int   seats_male;
  int   seats_female;
  char *agencies;       /* the agency directory, one name a line (stp-agencies.h) */
} StpCenter;

typedef struct
{
  StpRecordMeta meta;
  char     *login;
  char     *full_name;
  StpRole   role;
  char     *password_hash;   /* crypto_pwhash_str; never shown */
  gboolean  active;
} StpUser;

typedef struct
{
  StpRecordMeta meta;
  char            *name;
  StpProgramModel  model;
  char            *description;
  gboolean         active;
} StpProgram;

typedef struct
{
  StpRecordMeta meta;
  char     *program_id;
  int       position;        /* order within the program, from 0 */
  char     *name;
  int       planned_days_min;
  int       planned_days_max;
  char     *description;
  gboolean  retired;         /* a stage with entries is retired, never deleted */
  StpStageKind kind;         /* what regions add up; schema 006 */
} StpStage;

typedef struct
{
  StpRecordMeta meta;
  char   *surname;
  char   *name;
  char   *patronymic;
  char   *birth_date;
  StpSex  sex;
  char   *citizenship;
  char   *phone;              /* normalized "+7XXXXXXXXXX" */
  char   *registration_address;
  char   *actual_address;
  char   *education;
  char   *profession;
  char   *employment;
  char   *document;           /* identity document, optional */
  char   *snils;              /* "XXX-XXX-XXX YY", optional */
  char   *file_number;        /* assigned on first save: "2026-AB-0001" */
  /* Family situation. */
  int              minors_in_household;
  StpFamilyStatus  family_status;
  char            *family_status_since;
  char            *kdn_informed_on;
  char            *accompaniment_plan;
} StpResident;

typedef struct
{
  StpRecordMeta meta;
  char              *resident_id;
  char              *program_id;
  char              *admitted_on;
  StpReferralSource  referral_source;
  StpPaymentSource   payment_source;
  char              *certificate_number;
  StpSubstance       main_substance;      /* health field */
  char              *other_substances;    /* health field: comma-separated codes */
  int                years_of_use;        /* health field */
  char              *prior_treatments;    /* health field */
  char              *responsible_user_id;
  StpEpisodeStatus   status;
  char              *discharged_on;
  char              *discharge_reason;
} StpEpisode;

typedef struct
{
  StpRecordMeta meta;
  char           *episode_id;
  char           *stage_id;
  char           *started_on;
  char           *ended_on;
  StpStageResult  result;
  char           *note;
  char           *staff_user_id;
} StpStageEntry;

typedef struct
{
  StpRecordMeta meta;
  char        *resident_id;
  char        *full_name;
  StpRelation  relation;
  char        *birth_date;
  char        *phone;
  char        *address;
  gboolean     lives_with_resident;
  gboolean     minor;
  gboolean     codependent;          /* attends the family group */
  gboolean     consent_to_contact;
  char        *note;
} StpRelative;

typedef struct
{
  StpRecordMeta meta;
  char           *resident_id;
  StpConsentKind  kind;
  char           *recipient;          /* for transfers */
  char           *signed_on;
  char           *expires_on;
  char           *withdrawn_on;
  char           *legal_representative;
} StpConsent;

typedef struct
{
  StpRecordMeta meta;
  char           *resident_id;
  char           *episode_id;
  StpJournalKind  kind;
  char           *occurred_at;        /* UTC ISO 8601 */
  char           *author_user_id;
  char           *text;
  gboolean        restricted;         /* only staff and director */
} StpJournalEntry;

typedef struct
{
  StpRecordMeta meta;
  char               *resident_id;
  char               *episode_id;
  char               *taken_on;
  StpScreeningReason  reason;
  char               *method;
  StpScreeningResult  result;
  char               *substances;
  char               *staff_user_id;
} StpScreening;

typedef struct
{
  StpRecordMeta meta;
  char               *episode_id;
  char               *resident_id;
  int                 months;         /* 1, 3, 6, 12, 24 */
  char               *due_on;
  char               *done_on;
  StpFollowUpOutcome  outcome;
  char               *contact_method;
  StpRemission        remission;
  StpVerification     verified_by;
  gboolean            employed;
  gboolean            housing;
  gboolean            returned_to_family;
  gboolean            documents_restored;
  gboolean            attends_groups;  /* АН/АА */
  char               *note;
} StpFollowUp;

typedef struct
{
  StpRecordMeta meta;
  char          *resident_id;
  StpDirection   direction;
  StpAgencyKind  agency_kind;
  char          *agency_name;
  char          *registration_number;
  char          *sent_on;
  char          *purpose;
  char          *consent_id;
  char          *due_on;
  char          *response_on;
  char          *outcome;
} StpReferral;

typedef struct
{
  StpRecordMeta meta;
  char          *resident_id;
  StpCourtBasis  basis;
  char          *court;
  char          *case_number;
  char          *decision_date;
  char          *term;
  char          *supervising_body;
  char          *inspector;
} StpCourtObligation;

typedef struct
{
  StpRecordMeta meta;
  char               *obligation_id;
  StpCourtNoticeKind  kind;
  char               *sent_on;
  char               *note;
} StpCourtNotice;

/* Generic forms. */
gpointer     stp_record_new        (StpRecordKind  kind);
void         stp_record_free       (StpRecordKind  kind,
                                    gpointer       record);
gpointer     stp_record_copy       (StpRecordKind  kind,
                                    gconstpointer  record);
/* The SQL table name of @kind ("residents"); also the sync table name. */
const char  *stp_record_kind_table (StpRecordKind  kind);
/* -1 when @table is unknown. */
int          stp_record_kind_from_table (const char *table);

#define STP_DECLARE_RECORD(TypeName, func_name)                           \
  TypeName *stp_##func_name##_new  (void);                                \
  void      stp_##func_name##_free (TypeName *record);                    \
  TypeName *stp_##func_name##_copy (const TypeName *record);              \
  G_DEFINE_AUTOPTR_CLEANUP_FUNC (TypeName, stp_##func_name##_free)

STP_DECLARE_RECORD (StpCenter,          center)
STP_DECLARE_RECORD (StpUser,            user)
STP_DECLARE_RECORD (StpProgram,         program)
STP_DECLARE_RECORD (StpStage,           stage)
STP_DECLARE_RECORD (StpResident,        resident)
STP_DECLARE_RECORD (StpEpisode,         episode)
STP_DECLARE_RECORD (StpStageEntry,      stage_entry)
STP_DECLARE_RECORD (StpRelative,        relative)
STP_DECLARE_RECORD (StpConsent,         consent)
STP_DECLARE_RECORD (StpJournalEntry,    journal_entry)
STP_DECLARE_RECORD (StpScreening,       screening)
STP_DECLARE_RECORD (StpFollowUp,        follow_up)
STP_DECLARE_RECORD (StpReferral,        referral)
STP_DECLARE_RECORD (StpCourtObligation, court_obligation)
STP_DECLARE_RECORD (StpCourtNotice,     court_notice)

/* "Фамилия Имя Отчество" (newly allocated). */
char *stp_resident_dup_full_name (const StpResident *resident);

G_END_DECLS
