#define G_LOG_DOMAIN "stp-records"

#include "config.h"

#include "stp-records.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "stp-store-private.h"

#define TXT STP_FIELD_TEXT
#define DAT STP_FIELD_DATE
#define MOM STP_FIELD_MOMENT
#define INT STP_FIELD_INT
#define BOO STP_FIELD_BOOL
#define ENU STP_FIELD_ENUM
#define REQ STP_FIELD_REQUIRED
#define HEA STP_FIELD_HEALTH
#define SEC STP_FIELD_SECRET

#define F(T, n, t, e, fl, l) { #n, t, G_STRUCT_OFFSET (T, n), e, fl, l }

static const StpFieldInfo center_fields[] = {
  F (StpCenter, name, TXT, 0, REQ, N_("Name")),
  F (StpCenter, region, TXT, 0, 0, N_("Region")),
  F (StpCenter, legal_name, TXT, 0, 0, N_("Legal name")),
  F (StpCenter, inn, TXT, 0, 0, N_("INN")),
  F (StpCenter, ogrn, TXT, 0, 0, N_("OGRN")),
  F (StpCenter, address, TXT, 0, 0, N_("Address")),
  F (StpCenter, seats_total, INT, 0, 0, N_("Seats")),
  F (StpCenter, seats_male, INT, 0, 0, N_("Seats for men")),
  F (StpCenter, seats_female, INT, 0, 0, N_("Seats for women")),
  F (StpCenter, agencies, TXT, 0, 0, N_("Agencies")),
};

static const StpFieldInfo user_fields[] = {
  F (StpUser, login, TXT, 0, REQ, N_("Login")),
  F (StpUser, full_name, TXT, 0, REQ, N_("Full name")),
  F (StpUser, role, ENU, STP_ENUM_ROLE, 0, N_("Role")),
  F (StpUser, password_hash, TXT, 0, SEC, N_("Password")),
  F (StpUser, active, BOO, 0, 0, N_("Active")),
};

static const StpFieldInfo program_fields[] = {
  F (StpProgram, name, TXT, 0, REQ, N_("Name")),
  F (StpProgram, model, ENU, STP_ENUM_PROGRAM_MODEL, 0, N_("Model")),
  F (StpProgram, description, TXT, 0, 0, N_("Description")),
  F (StpProgram, active, BOO, 0, 0, N_("Active")),
};

static const StpFieldInfo stage_fields[] = {
  F (StpStage, program_id, TXT, 0, REQ, N_("Program")),
  F (StpStage, position, INT, 0, 0, N_("Position")),
  F (StpStage, name, TXT, 0, REQ, N_("Name")),
  F (StpStage, planned_days_min, INT, 0, 0, N_("Planned days, from")),
  F (StpStage, planned_days_max, INT, 0, 0, N_("Planned days, to")),
  F (StpStage, description, TXT, 0, 0, N_("Description")),
  F (StpStage, retired, BOO, 0, 0, N_("Retired")),
  F (StpStage, kind, ENU, STP_ENUM_STAGE_KIND, 0, N_("Kind of stage")),
};

static const StpFieldInfo resident_fields[] = {
  F (StpResident, surname, TXT, 0, REQ, N_("Surname")),
  F (StpResident, name, TXT, 0, REQ, N_("Name")),
  F (StpResident, patronymic, TXT, 0, 0, N_("Patronymic")),
  F (StpResident, birth_date, DAT, 0, 0, N_("Date of birth")),
  F (StpResident, sex, ENU, STP_ENUM_SEX, 0, N_("Sex")),
  F (StpResident, citizenship, TXT, 0, 0, N_("Citizenship")),
  F (StpResident, phone, TXT, 0, 0, N_("Phone")),
  F (StpResident, registration_address, TXT, 0, 0, N_("Registration address")),
  F (StpResident, actual_address, TXT, 0, 0, N_("Actual address")),
  F (StpResident, education, TXT, 0, 0, N_("Education")),
  F (StpResident, profession, TXT, 0, 0, N_("Profession")),
  F (StpResident, employment, TXT, 0, 0, N_("Employment")),
  F (StpResident, document, TXT, 0, 0, N_("Identity document")),
  F (StpResident, snils, TXT, 0, 0, N_("SNILS")),
  F (StpResident, file_number, TXT, 0, 0, N_("File number")),
  F (StpResident, minors_in_household, INT, 0, 0, N_("Minors in the household")),
  F (StpResident, family_status, ENU, STP_ENUM_FAMILY_STATUS, 0, N_("Family status")),
  F (StpResident, family_status_since, DAT, 0, 0, N_("Family status since")),
  F (StpResident, kdn_informed_on, DAT, 0, 0, N_("Commission on minors informed on")),
  F (StpResident, accompaniment_plan, TXT, 0, 0, N_("Accompaniment plan")),
};

static const StpFieldInfo episode_fields[] = {
  F (StpEpisode, resident_id, TXT, 0, REQ, N_("Resident")),
  F (StpEpisode, program_id, TXT, 0, REQ, N_("Program")),
  F (StpEpisode, admitted_on, DAT, 0, REQ, N_("Admitted on")),
  F (StpEpisode, referral_source, ENU, STP_ENUM_REFERRAL_SOURCE, 0, N_("Referred by")),
  F (StpEpisode, payment_source, ENU, STP_ENUM_PAYMENT_SOURCE, 0, N_("Paid by")),
  F (StpEpisode, certificate_number, TXT, 0, 0, N_("Certificate number")),
  F (StpEpisode, main_substance, ENU, STP_ENUM_SUBSTANCE, HEA, N_("Main substance")),
  F (StpEpisode, other_substances, TXT, 0, HEA, N_("Other substances")),
  F (StpEpisode, years_of_use, INT, 0, HEA, N_("Years of use")),
  F (StpEpisode, prior_treatments, TXT, 0, HEA, N_("Prior treatments")),
  F (StpEpisode, responsible_user_id, TXT, 0, 0, N_("Responsible staff member")),
  F (StpEpisode, status, ENU, STP_ENUM_EPISODE_STATUS, 0, N_("Status")),
  F (StpEpisode, discharged_on, DAT, 0, 0, N_("Discharged on")),
  F (StpEpisode, discharge_reason, TXT, 0, 0, N_("Discharge reason")),
};

static const StpFieldInfo stage_entry_fields[] = {
  F (StpStageEntry, episode_id, TXT, 0, REQ, N_("Episode")),
  F (StpStageEntry, stage_id, TXT, 0, REQ, N_("Stage")),
  F (StpStageEntry, started_on, DAT, 0, REQ, N_("Started on")),
  F (StpStageEntry, ended_on, DAT, 0, 0, N_("Ended on")),
  F (StpStageEntry, result, ENU, STP_ENUM_STAGE_RESULT, 0, N_("Result")),
  F (StpStageEntry, note, TXT, 0, 0, N_("Note")),
  F (StpStageEntry, staff_user_id, TXT, 0, 0, N_("Staff member")),
};

static const StpFieldInfo relative_fields[] = {
  F (StpRelative, resident_id, TXT, 0, REQ, N_("Resident")),
  F (StpRelative, full_name, TXT, 0, REQ, N_("Full name")),
  F (StpRelative, relation, ENU, STP_ENUM_RELATION, 0, N_("Relation")),
  F (StpRelative, birth_date, DAT, 0, 0, N_("Date of birth")),
  F (StpRelative, phone, TXT, 0, 0, N_("Phone")),
  F (StpRelative, address, TXT, 0, 0, N_("Address")),
  F (StpRelative, lives_with_resident, BOO, 0, 0, N_("Lives with the resident")),
  F (StpRelative, minor, BOO, 0, 0, N_("Minor")),
  F (StpRelative, codependent, BOO, 0, 0, N_("Attends the family group")),
  F (StpRelative, consent_to_contact, BOO, 0, 0, N_("Agrees to be contacted")),
  F (StpRelative, note, TXT, 0, 0, N_("Note")),
};

static const StpFieldInfo consent_fields[] = {
  F (StpConsent, resident_id, TXT, 0, REQ, N_("Resident")),
  F (StpConsent, kind, ENU, STP_ENUM_CONSENT_KIND, 0, N_("Kind")),
  F (StpConsent, recipient, TXT, 0, 0, N_("Recipient")),
  F (StpConsent, signed_on, DAT, 0, REQ, N_("Signed on")),
  F (StpConsent, expires_on, DAT, 0, 0, N_("Expires on")),
  F (StpConsent, withdrawn_on, DAT, 0, 0, N_("Withdrawn on")),
  F (StpConsent, legal_representative, TXT, 0, 0, N_("Legal representative")),
};

static const StpFieldInfo journal_entry_fields[] = {
  F (StpJournalEntry, resident_id, TXT, 0, REQ, N_("Resident")),
  F (StpJournalEntry, episode_id, TXT, 0, 0, N_("Episode")),
  F (StpJournalEntry, kind, ENU, STP_ENUM_JOURNAL_KIND, 0, N_("Kind")),
  F (StpJournalEntry, occurred_at, MOM, 0, REQ, N_("Date and time")),
  F (StpJournalEntry, author_user_id, TXT, 0, 0, N_("Author")),
  F (StpJournalEntry, text, TXT, 0, 0, N_("Text")),
  F (StpJournalEntry, restricted, BOO, 0, 0, N_("Restricted")),
};

static const StpFieldInfo screening_fields[] = {
  F (StpScreening, resident_id, TXT, 0, REQ, N_("Resident")),
  F (StpScreening, episode_id, TXT, 0, 0, N_("Episode")),
  F (StpScreening, taken_on, DAT, 0, REQ, N_("Date")),
  F (StpScreening, reason, ENU, STP_ENUM_SCREENING_REASON, 0, N_("Reason")),
  F (StpScreening, method, TXT, 0, 0, N_("Method")),
  F (StpScreening, result, ENU, STP_ENUM_SCREENING_RESULT, 0, N_("Result")),
  F (StpScreening, substances, TXT, 0, 0, N_("Substances")),
  F (StpScreening, staff_user_id, TXT, 0, 0, N_("Staff member")),
};

static const StpFieldInfo follow_up_fields[] = {
  F (StpFollowUp, episode_id, TXT, 0, REQ, N_("Episode")),
  F (StpFollowUp, resident_id, TXT, 0, 0, N_("Resident")),
  F (StpFollowUp, months, INT, 0, 0, N_("Months after discharge")),
  F (StpFollowUp, due_on, DAT, 0, REQ, N_("Due on")),
  F (StpFollowUp, done_on, DAT, 0, 0, N_("Done on")),
  F (StpFollowUp, outcome, ENU, STP_ENUM_FOLLOW_UP_OUTCOME, 0, N_("Outcome")),
  F (StpFollowUp, contact_method, TXT, 0, 0, N_("Contact method")),
  F (StpFollowUp, remission, ENU, STP_ENUM_REMISSION, 0, N_("Remission")),
  F (StpFollowUp, verified_by, ENU, STP_ENUM_VERIFICATION, 0, N_("Verified by")),
  F (StpFollowUp, employed, BOO, 0, 0, N_("Employed")),
  F (StpFollowUp, housing, BOO, 0, 0, N_("Has housing")),
  F (StpFollowUp, returned_to_family, BOO, 0, 0, N_("Returned to the family")),
  F (StpFollowUp, documents_restored, BOO, 0, 0, N_("Documents restored")),
  F (StpFollowUp, attends_groups, BOO, 0, 0, N_("Attends NA/AA groups")),
  F (StpFollowUp, note, TXT, 0, 0, N_("Note")),
};

static const StpFieldInfo referral_fields[] = {
  F (StpReferral, resident_id, TXT, 0, REQ, N_("Resident")),
  F (StpReferral, direction, ENU, STP_ENUM_DIRECTION, 0, N_("Direction")),
  F (StpReferral, agency_kind, ENU, STP_ENUM_AGENCY_KIND, 0, N_("Agency kind")),
  F (StpReferral, agency_name, TXT, 0, 0, N_("Agency")),
  F (StpReferral, registration_number, TXT, 0, 0, N_("Registration number")),
  F (StpReferral, sent_on, DAT, 0, 0, N_("Date")),
  F (StpReferral, purpose, TXT, 0, 0, N_("Purpose")),
  F (StpReferral, consent_id, TXT, 0, 0, N_("Consent")),
  F (StpReferral, due_on, DAT, 0, 0, N_("Answer due on")),
  F (StpReferral, response_on, DAT, 0, 0, N_("Answer received on")),
  F (StpReferral, outcome, TXT, 0, 0, N_("Outcome")),
};

static const StpFieldInfo court_obligation_fields[] = {
  F (StpCourtObligation, resident_id, TXT, 0, REQ, N_("Resident")),
  F (StpCourtObligation, basis, ENU, STP_ENUM_COURT_BASIS, 0, N_("Basis")),
  F (StpCourtObligation, court, TXT, 0, 0, N_("Court")),
  F (StpCourtObligation, case_number, TXT, 0, 0, N_("Case number")),
  F (StpCourtObligation, decision_date, DAT, 0, 0, N_("Decision date")),
  F (StpCourtObligation, term, TXT, 0, 0, N_("Term")),
  F (StpCourtObligation, supervising_body, TXT, 0, 0, N_("Supervising body")),
  F (StpCourtObligation, inspector, TXT, 0, 0, N_("Inspector")),
};

static const StpFieldInfo court_notice_fields[] = {
  F (StpCourtNotice, obligation_id, TXT, 0, REQ, N_("Court obligation")),
  F (StpCourtNotice, kind, ENU, STP_ENUM_COURT_NOTICE_KIND, 0, N_("Kind")),
  F (StpCourtNotice, sent_on, DAT, 0, REQ, N_("Sent on")),
  F (StpCourtNotice, note, TXT, 0, 0, N_("Note")),
};

#define K(kind, T, table, fields, order) \
  [kind] = { kind, table, sizeof (T), fields, G_N_ELEMENTS (fields), order }

static const StpKindInfo kinds[STP_N_KINDS] = {
  K (STP_KIND_CENTER, StpCenter, "centers", center_fields, "created_at, id"),
  K (STP_KIND_USER, StpUser, "users", user_fields, "full_name, login, id"),
  K (STP_KIND_PROGRAM, StpProgram, "programs", program_fields, "created_at, id"),
  K (STP_KIND_STAGE, StpStage, "stages", stage_fields, "program_id, position, id"),
  K (STP_KIND_RESIDENT, StpResident, "residents", resident_fields, "surname, name, patronymic, id"),
  K (STP_KIND_EPISODE, StpEpisode, "episodes", episode_fields, "admitted_on, created_at, id"),
  K (STP_KIND_STAGE_ENTRY, StpStageEntry, "stage_entries", stage_entry_fields, "started_on, created_at, id"),
  K (STP_KIND_RELATIVE, StpRelative, "relatives", relative_fields, "created_at, id"),
  K (STP_KIND_CONSENT, StpConsent, "consents", consent_fields, "signed_on, created_at, id"),
  K (STP_KIND_JOURNAL_ENTRY, StpJournalEntry, "journal_entries", journal_entry_fields, "occurred_at, created_at, id"),
  K (STP_KIND_SCREENING, StpScreening, "screenings", screening_fields, "taken_on, created_at, id"),
  K (STP_KIND_FOLLOW_UP, StpFollowUp, "follow_ups", follow_up_fields, "due_on, months, id"),
  K (STP_KIND_REFERRAL, StpReferral, "referrals", referral_fields, "sent_on, created_at, id"),
  K (STP_KIND_COURT_OBLIGATION, StpCourtObligation, "court_obligations", court_obligation_fields, "decision_date, created_at, id"),
  K (STP_KIND_COURT_NOTICE, StpCourtNotice, "court_notices", court_notice_fields, "sent_on, created_at, id"),
};

const StpKindInfo *
stp_kind_info (StpRecordKind kind)
{
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, NULL);
  return &kinds[kind];
}

const StpKindInfo *
stp_kind_info_for_table (const char *table)
{
  int kind = stp_record_kind_from_table (table);

  return kind < 0 ? NULL : &kinds[kind];
}

const StpFieldInfo *
stp_kind_info_find_field (const StpKindInfo *info,
                          const char        *field)
{
  g_return_val_if_fail (info != NULL, NULL);

  if (field == NULL)
    return NULL;
  for (guint i = 0; i < info->n_fields; i++)
    if (g_str_equal (info->fields[i].name, field))
      return &info->fields[i];
  return NULL;
}

const char *
stp_record_kind_table (StpRecordKind kind)
{
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, NULL);
  return kinds[kind].table;
}

int
stp_record_kind_from_table (const char *table)
{
  if (table == NULL)
    return -1;
  for (guint i = 0; i < STP_N_KINDS; i++)
    if (g_str_equal (kinds[i].table, table))
      return (int) i;
  return -1;
}

static inline gboolean
field_is_string (const StpFieldInfo *field)
{
  return field->type == STP_FIELD_TEXT ||
         field->type == STP_FIELD_DATE ||
         field->type == STP_FIELD_MOMENT ||
         field->type == STP_FIELD_CHOICE ||
         field->type == STP_FIELD_LONG_TEXT;
}

#define FIELD_PTR(record, field) ((guint8 *) (record) + (field)->offset)

gpointer
stp_record_new (StpRecordKind kind)
{
  g_return_val_if_fail ((guint) kind < STP_N_KINDS, NULL);

  /* Zero is the default of every enum and number; new users and programs
   * start active. */
  if (kind == STP_KIND_USER)
    {
      StpUser *user = g_malloc0 (sizeof (StpUser));
      user->active = TRUE;
      return user;
    }
  if (kind == STP_KIND_PROGRAM)
    {
      StpProgram *program = g_malloc0 (sizeof (StpProgram));
      program->active = TRUE;
      return program;
    }
  return g_malloc0 (kinds[kind].size);
}

static void
record_clear (const StpKindInfo *info,
              gpointer           record)
{
  StpRecordMeta *meta = record;

  g_clear_pointer (&meta->id, g_free);
  g_clear_pointer (&meta->created_at, g_free);
  g_clear_pointer (&meta->updated_at, g_free);
  for (guint i = 0; i < info->n_fields; i++)
    if (field_is_string (&info->fields[i]))
      g_clear_pointer ((char **) FIELD_PTR (record, &info->fields[i]), g_free);
}

void
stp_record_free (StpRecordKind kind,
                 gpointer      record)
{
  g_return_if_fail ((guint) kind < STP_N_KINDS);

  if (record == NULL)
    return;
  record_clear (&kinds[kind], record);
  g_free (record);
}

gpointer
stp_record_copy (StpRecordKind kind,
                 gconstpointer record)
{
  const StpKindInfo *info;
  StpRecordMeta *meta;
  gpointer copy;

  g_return_val_if_fail ((guint) kind < STP_N_KINDS, NULL);

  if (record == NULL)
    return NULL;
  info = &kinds[kind];
  copy = g_memdup2 (record, info->size);
  meta = copy;
  meta->id = g_strdup (meta->id);
  meta->created_at = g_strdup (meta->created_at);
  meta->updated_at = g_strdup (meta->updated_at);
  for (guint i = 0; i < info->n_fields; i++)
    if (field_is_string (&info->fields[i]))
      {
        char **p = (char **) FIELD_PTR (copy, &info->fields[i]);
        *p = g_strdup (*p);
      }
  return copy;
}

char *
stp_record_get_field_text (const StpFieldInfo *field,
                           gconstpointer       record)
{
  const guint8 *p;

  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (record != NULL, NULL);

  p = (const guint8 *) record + field->offset;
  switch (field->type)
    {
    case STP_FIELD_TEXT:
    case STP_FIELD_DATE:
    case STP_FIELD_MOMENT:
    case STP_FIELD_CHOICE:
    case STP_FIELD_LONG_TEXT:
      {
        const char *s = *(char *const *) p;
        return (s != NULL && *s != '\0') ? g_strdup (s) : NULL;
      }
    case STP_FIELD_INT:
      return g_strdup_printf ("%d", *(const int *) p);
    case STP_FIELD_BOOL:
      return g_strdup (*(const gboolean *) p ? "1" : "0");
    case STP_FIELD_ENUM:
      return g_strdup (stp_enum_to_code (field->enum_type, *(const int *) p));
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

void
stp_record_set_field_text (const StpFieldInfo *field,
                           gpointer            record,
                           const char         *text)
{
  guint8 *p;

  g_return_if_fail (field != NULL);
  g_return_if_fail (record != NULL);

  p = (guint8 *) record + field->offset;
  switch (field->type)
    {
    case STP_FIELD_TEXT:
    case STP_FIELD_DATE:
    case STP_FIELD_MOMENT:
    case STP_FIELD_CHOICE:
    case STP_FIELD_LONG_TEXT:
      g_free (*(char **) p);
      *(char **) p = (text != NULL && *text != '\0') ? g_strdup (text) : NULL;
      break;
    case STP_FIELD_INT:
      *(int *) p = text != NULL ? (int) g_ascii_strtoll (text, NULL, 10) : 0;
      break;
    case STP_FIELD_BOOL:
      *(gboolean *) p = text != NULL && g_ascii_strtoll (text, NULL, 10) != 0;
      break;
    case STP_FIELD_ENUM:
      {
        int value = stp_enum_from_code (field->enum_type, text);
        *(int *) p = value < 0 ? 0 : value;
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

#define DEFINE_RECORD(TypeName, func_name, KIND)                          \
  TypeName *                                                              \
  stp_##func_name##_new (void)                                            \
  {                                                                       \
    return stp_record_new (KIND);                                         \
  }                                                                       \
  void                                                                    \
  stp_##func_name##_free (TypeName *record)                               \
  {                                                                       \
    stp_record_free (KIND, record);                                       \
  }                                                                       \
  TypeName *                                                              \
  stp_##func_name##_copy (const TypeName *record)                         \
  {                                                                       \
    return stp_record_copy (KIND, record);                                \
  }

DEFINE_RECORD (StpCenter, center, STP_KIND_CENTER)
DEFINE_RECORD (StpUser, user, STP_KIND_USER)
DEFINE_RECORD (StpProgram, program, STP_KIND_PROGRAM)
DEFINE_RECORD (StpStage, stage, STP_KIND_STAGE)
DEFINE_RECORD (StpResident, resident, STP_KIND_RESIDENT)
DEFINE_RECORD (StpEpisode, episode, STP_KIND_EPISODE)
DEFINE_RECORD (StpStageEntry, stage_entry, STP_KIND_STAGE_ENTRY)
DEFINE_RECORD (StpRelative, relative, STP_KIND_RELATIVE)
DEFINE_RECORD (StpConsent, consent, STP_KIND_CONSENT)
DEFINE_RECORD (StpJournalEntry, journal_entry, STP_KIND_JOURNAL_ENTRY)
DEFINE_RECORD (StpScreening, screening, STP_KIND_SCREENING)
DEFINE_RECORD (StpFollowUp, follow_up, STP_KIND_FOLLOW_UP)
DEFINE_RECORD (StpReferral, referral, STP_KIND_REFERRAL)
DEFINE_RECORD (StpCourtObligation, court_obligation, STP_KIND_COURT_OBLIGATION)
DEFINE_RECORD (StpCourtNotice, court_notice, STP_KIND_COURT_NOTICE)

char *
stp_resident_dup_full_name (const StpResident *resident)
{
  GString *s;

  g_return_val_if_fail (resident != NULL, NULL);

  s = g_string_new (NULL);
  if (resident->surname != NULL && *resident->surname != '\0')
    g_string_append (s, resident->surname);
  if (resident->name != NULL && *resident->name != '\0')
    g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", resident->name);
  if (resident->patronymic != NULL && *resident->patronymic != '\0')
    g_string_append_printf (s, "%s%s", s->len > 0 ? " " : "", resident->patronymic);
  return g_string_free (s, FALSE);
}
