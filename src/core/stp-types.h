/* stp-types.h: forward declarations and the domain's enumerations.
 *
 * Enumerated fields are stored as short English codes (the `code` of
 * StpEnumItem) so that data synced between program versions stays readable;
 * the C API uses the enum values below.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* The kind of value of a record's field: one list for the core (how a
 * field is stored, validated and synced) and the window (how it is
 * edited).  CHOICE and LONG_TEXT are text for the core. */
typedef enum
{
  STP_FIELD_TEXT = 0,     /* char *, NULL when empty */
  STP_FIELD_DATE,         /* char * "YYYY-MM-DD" (typed as дд.мм.гггг) */
  STP_FIELD_MOMENT,       /* char *, UTC ISO 8601 */
  STP_FIELD_INT,          /* int */
  STP_FIELD_BOOL,         /* gboolean */
  STP_FIELD_ENUM,         /* int, one of an StpEnumType's values; stored as its code */
  STP_FIELD_CHOICE,       /* char *, the id of another record picked from a list */
  STP_FIELD_LONG_TEXT,    /* char *, NULL when empty; several lines */
} StpFieldType;

typedef struct _StpStore   StpStore;
typedef struct _StpSession StpSession;

typedef enum
{
  STP_ROLE_VOLUNTEER = 0,
  STP_ROLE_STAFF,
  STP_ROLE_DIRECTOR,
} StpRole;

typedef enum
{
  STP_PERMISSION_INTAKE = 0,        /* register residents, add relatives and consents */
  STP_PERMISSION_LIST,              /* the name list: name, file number, stage */
  STP_PERMISSION_READ_CARD,         /* full card, journal, screenings, court data */
  STP_PERMISSION_EDIT_CARE,         /* episodes, stages, journal, follow-ups, referrals */
  STP_PERMISSION_READ_RESTRICTED,   /* restricted journal entries and health fields */
  STP_PERMISSION_PRINT_RESIDENT,    /* print or export a resident report */
  STP_PERMISSION_CENTER_STATS,      /* center statistics, exports for the region */
  STP_PERMISSION_ADMIN,             /* users, programs, sync settings, audit log */
} StpPermission;

typedef enum
{
  STP_SEX_UNKNOWN = 0,
  STP_SEX_MALE,
  STP_SEX_FEMALE,
} StpSex;

typedef enum
{
  STP_PROGRAM_MODEL_TWELVE_STEP = 0,
  STP_PROGRAM_MODEL_THERAPEUTIC_COMMUNITY,
  STP_PROGRAM_MODEL_ORTHODOX,
  STP_PROGRAM_MODEL_OTHER,
} StpProgramModel;

/* The kind of a program stage, from a fixed list (DOMAIN.md), so that
 * centers with different programs can be added up in the region. */
typedef enum
{
  STP_STAGE_KIND_MOTIVATION = 0,
  STP_STAGE_KIND_ADAPTATION,
  STP_STAGE_KIND_MAIN_COURSE,
  STP_STAGE_KIND_RESOCIALIZATION,
  STP_STAGE_KIND_AFTERCARE,
  STP_STAGE_KIND_OTHER,
} StpStageKind;

/* The kind of the default template stage named @name, else OTHER. */
StpStageKind stp_stage_kind_for_template_name (const char *name);

typedef enum
{
  STP_REFERRAL_SOURCE_SELF = 0,
  STP_REFERRAL_SOURCE_RELATIVES,
  STP_REFERRAL_SOURCE_MEDICAL,
  STP_REFERRAL_SOURCE_COURT_ADMIN,      /* суд (КоАП) */
  STP_REFERRAL_SOURCE_COURT_CRIMINAL,   /* суд (УК) */
  STP_REFERRAL_SOURCE_PROBATION,        /* УИИ */
  STP_REFERRAL_SOURCE_KDN,              /* КДН и ЗП */
  STP_REFERRAL_SOURCE_SOCIAL,           /* соцзащита */
  STP_REFERRAL_SOURCE_PARISH,           /* приход */
  STP_REFERRAL_SOURCE_OTHER_NGO,
  STP_REFERRAL_SOURCE_CERTIFICATE,
} StpReferralSource;

typedef enum
{
  STP_PAYMENT_OWN = 0,
  STP_PAYMENT_RELATIVES,
  STP_PAYMENT_CERTIFICATE,
  STP_PAYMENT_GRANT,
  STP_PAYMENT_SUBSIDY,
  STP_PAYMENT_FREE,
} StpPaymentSource;

typedef enum
{
  STP_SUBSTANCE_NONE = 0,
  STP_SUBSTANCE_ALCOHOL,
  STP_SUBSTANCE_OPIOIDS,
  STP_SUBSTANCE_STIMULANTS,
  STP_SUBSTANCE_CANNABINOIDS,
  STP_SUBSTANCE_MEDICATIONS,
  STP_SUBSTANCE_POLYDRUG,
  STP_SUBSTANCE_NON_CHEMICAL,
} StpSubstance;

typedef enum
{
  STP_EPISODE_INTAKE = 0,        /* приём */
  STP_EPISODE_IN_PROGRAM,        /* в программе */
  STP_EPISODE_COMPLETED,         /* завершил */
  STP_EPISODE_DROPPED_OUT,       /* выбыл досрочно */
  STP_EPISODE_EXPELLED,          /* исключён */
  STP_EPISODE_TRANSFERRED,       /* переведён */
  STP_EPISODE_HOSPITALIZED,      /* госпитализирован */
  STP_EPISODE_DIED,              /* умер */
} StpEpisodeStatus;

typedef enum
{
  STP_STAGE_RESULT_NONE = 0,     /* the stage is current */
  STP_STAGE_RESULT_PASSED,
  STP_STAGE_RESULT_STEPPED_BACK,
  STP_STAGE_RESULT_LEFT,
} StpStageResult;

typedef enum
{
  STP_RELATION_MOTHER = 0,
  STP_RELATION_FATHER,
  STP_RELATION_SPOUSE,
  STP_RELATION_SON,
  STP_RELATION_DAUGHTER,
  STP_RELATION_BROTHER,
  STP_RELATION_SISTER,
  STP_RELATION_OTHER,
} StpRelation;

typedef enum
{
  STP_FAMILY_STATUS_NONE = 0,
  STP_FAMILY_STATUS_SOP,         /* социально опасное положение */
  STP_FAMILY_STATUS_TZHS,        /* трудная жизненная ситуация */
} StpFamilyStatus;

typedef enum
{
  STP_CONSENT_PERSONAL_DATA = 0,
  STP_CONSENT_HEALTH_DATA,
  STP_CONSENT_PROGRAM_RULES,
  STP_CONSENT_TRANSFER,          /* передача сведений конкретному получателю */
  STP_CONSENT_PHOTO,
} StpConsentKind;

typedef enum
{
  STP_JOURNAL_CONSULTATION = 0,
  STP_JOURNAL_GROUP,
  STP_JOURNAL_FAMILY_SESSION,
  STP_JOURNAL_INCIDENT,
  STP_JOURNAL_SCREENING,
  STP_JOURNAL_SOCIAL_SERVICE,
  STP_JOURNAL_OTHER,
} StpJournalKind;

typedef enum
{
  STP_SCREENING_REASON_ADMISSION = 0,
  STP_SCREENING_REASON_RANDOM,
  STP_SCREENING_REASON_SUSPICION,
  STP_SCREENING_REASON_FOLLOW_UP,
} StpScreeningReason;

typedef enum
{
  STP_SCREENING_NEGATIVE = 0,
  STP_SCREENING_POSITIVE,
  STP_SCREENING_REFUSED,
} StpScreeningResult;

typedef enum
{
  STP_REMISSION_UNKNOWN = 0,
  STP_REMISSION_YES,
  STP_REMISSION_NO,
} StpRemission;

typedef enum
{
  STP_VERIFIED_SELF_REPORT = 0,
  STP_VERIFIED_RELATIVES,
  STP_VERIFIED_TEST,
  STP_VERIFIED_DISPENSARY,
} StpVerification;

typedef enum
{
  STP_FOLLOW_UP_PENDING = 0,
  STP_FOLLOW_UP_DONE,
  STP_FOLLOW_UP_LOST_CONTACT,    /* «утерян контакт» is an outcome */
} StpFollowUpOutcome;

typedef enum
{
  STP_DIRECTION_INCOMING = 0,
  STP_DIRECTION_OUTGOING,
} StpDirection;

typedef enum
{
  STP_AGENCY_SOCIAL = 0,
  STP_AGENCY_HEALTH,
  STP_AGENCY_POLICE,
  STP_AGENCY_KDN,
  STP_AGENCY_EMPLOYMENT,
  STP_AGENCY_PROBATION,
  STP_AGENCY_COURT,
  STP_AGENCY_OTHER_NGO,
  STP_AGENCY_OTHER,
} StpAgencyKind;

typedef enum
{
  STP_COURT_BASIS_KOAP_4_1 = 0,  /* ч. 2.1 ст. 4.1 КоАП */
  STP_COURT_BASIS_UK_72_1,
  STP_COURT_BASIS_UK_73,
  STP_COURT_BASIS_UK_82_1,
} StpCourtBasis;

typedef enum
{
  STP_COURT_NOTICE_ARRIVED = 0,
  STP_COURT_NOTICE_EVADING,
  STP_COURT_NOTICE_LEFT,
  STP_COURT_NOTICE_COMPLETED,
} StpCourtNoticeKind;

typedef enum
{
  STP_AUDIT_LOGIN = 0,
  STP_AUDIT_LOGIN_FAILED,
  STP_AUDIT_VIEW,
  STP_AUDIT_CREATE,
  STP_AUDIT_UPDATE,
  STP_AUDIT_DELETE,
  STP_AUDIT_PRINT,
  STP_AUDIT_EXPORT,
  STP_AUDIT_SYNC,
  STP_AUDIT_BACKUP,
  STP_AUDIT_RESTORE,
  STP_AUDIT_IMPORT,
  STP_AUDIT_LOGOUT,
  STP_AUDIT_VIEW_REFUSED,   /* a card the session may not open */
} StpAuditAction;

/* The kinds of synced records.  The order is part of nothing on disk. */
typedef enum
{
  STP_KIND_CENTER = 0,
  STP_KIND_USER,
  STP_KIND_PROGRAM,
  STP_KIND_STAGE,
  STP_KIND_RESIDENT,
  STP_KIND_EPISODE,
  STP_KIND_STAGE_ENTRY,
  STP_KIND_RELATIVE,
  STP_KIND_CONSENT,
  STP_KIND_JOURNAL_ENTRY,
  STP_KIND_SCREENING,
  STP_KIND_FOLLOW_UP,
  STP_KIND_REFERRAL,
  STP_KIND_COURT_OBLIGATION,
  STP_KIND_COURT_NOTICE,
  STP_N_KINDS
} StpRecordKind;

/* Enumerated values with their stored code and (untranslated) label;
 * show labels with g_dgettext (GETTEXT_PACKAGE, item->label), or stp_enum_to_label(). */
typedef struct
{
  int         value;
  const char *code;
  const char *label;
} StpEnumItem;

typedef enum
{
  STP_ENUM_ROLE = 0,
  STP_ENUM_SEX,
  STP_ENUM_PROGRAM_MODEL,
  STP_ENUM_REFERRAL_SOURCE,
  STP_ENUM_PAYMENT_SOURCE,
  STP_ENUM_SUBSTANCE,
  STP_ENUM_EPISODE_STATUS,
  STP_ENUM_STAGE_RESULT,
  STP_ENUM_RELATION,
  STP_ENUM_FAMILY_STATUS,
  STP_ENUM_CONSENT_KIND,
  STP_ENUM_JOURNAL_KIND,
  STP_ENUM_SCREENING_REASON,
  STP_ENUM_SCREENING_RESULT,
  STP_ENUM_REMISSION,
  STP_ENUM_VERIFICATION,
  STP_ENUM_FOLLOW_UP_OUTCOME,
  STP_ENUM_DIRECTION,
  STP_ENUM_AGENCY_KIND,
  STP_ENUM_COURT_BASIS,
  STP_ENUM_COURT_NOTICE_KIND,
  STP_ENUM_AUDIT_ACTION,
  STP_ENUM_STAGE_KIND,
  STP_N_ENUMS
} StpEnumType;

/* Returns the items of @type, terminated by an item whose code is NULL. */
const StpEnumItem *stp_enum_get_items (StpEnumType  type);
/* The stored code of @value, or NULL if out of range. */
const char        *stp_enum_to_code   (StpEnumType  type,
                                       int          value);
/* The value of @code, or -1 when unknown. */
int                stp_enum_from_code (StpEnumType  type,
                                       const char  *code);
/* The translated label of @value (never NULL; "—" when out of range). */
const char        *stp_enum_to_label  (StpEnumType  type,
                                       int          value);

G_END_DECLS
