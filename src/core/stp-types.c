#define G_LOG_DOMAIN "stp-types"

#include "config.h"

#include "stp-types.h"

#include <glib/gi18n-lib.h>

#define END { 0, NULL, NULL }

static const StpEnumItem roles[] = {
  { STP_ROLE_VOLUNTEER, "volunteer", N_("Volunteer") },
  { STP_ROLE_STAFF, "staff", N_("Staff member") },
  { STP_ROLE_DIRECTOR, "director", N_("Director") },
  END
};

static const StpEnumItem sexes[] = {
  { STP_SEX_UNKNOWN, "unknown", N_("Not stated") },
  { STP_SEX_MALE, "male", N_("Male") },
  { STP_SEX_FEMALE, "female", N_("Female") },
  END
};

static const StpEnumItem program_models[] = {
  { STP_PROGRAM_MODEL_TWELVE_STEP, "twelve_step", N_("12 steps") },
  { STP_PROGRAM_MODEL_THERAPEUTIC_COMMUNITY, "therapeutic_community", N_("Therapeutic community") },
  { STP_PROGRAM_MODEL_ORTHODOX, "orthodox", N_("Orthodox") },
  { STP_PROGRAM_MODEL_OTHER, "other", N_("Other") },
  END
};

static const StpEnumItem referral_sources[] = {
  { STP_REFERRAL_SOURCE_SELF, "self", N_("Self") },
  { STP_REFERRAL_SOURCE_RELATIVES, "relatives", N_("Relatives") },
  { STP_REFERRAL_SOURCE_MEDICAL, "medical", N_("Medical organization") },
  { STP_REFERRAL_SOURCE_COURT_ADMIN, "court_admin", N_("Court (administrative code)") },
  { STP_REFERRAL_SOURCE_COURT_CRIMINAL, "court_criminal", N_("Court (criminal code)") },
  { STP_REFERRAL_SOURCE_PROBATION, "probation", N_("Probation inspection") },
  { STP_REFERRAL_SOURCE_KDN, "kdn", N_("Commission on minors") },
  { STP_REFERRAL_SOURCE_SOCIAL, "social", N_("Social protection") },
  { STP_REFERRAL_SOURCE_PARISH, "parish", N_("Parish") },
  { STP_REFERRAL_SOURCE_OTHER_NGO, "other_ngo", N_("Other NGO") },
  { STP_REFERRAL_SOURCE_CERTIFICATE, "certificate", N_("Certificate") },
  END
};

static const StpEnumItem payment_sources[] = {
  { STP_PAYMENT_OWN, "own", N_("Own funds") },
  { STP_PAYMENT_RELATIVES, "relatives", N_("Relatives") },
  { STP_PAYMENT_CERTIFICATE, "certificate", N_("Certificate") },
  { STP_PAYMENT_GRANT, "grant", N_("Grant") },
  { STP_PAYMENT_SUBSIDY, "subsidy", N_("Subsidy") },
  { STP_PAYMENT_FREE, "free", N_("Free of charge") },
  END
};

static const StpEnumItem substances[] = {
  { STP_SUBSTANCE_NONE, "none", N_("None") },
  { STP_SUBSTANCE_ALCOHOL, "alcohol", N_("Alcohol") },
  { STP_SUBSTANCE_OPIOIDS, "opioids", N_("Opioids") },
  { STP_SUBSTANCE_STIMULANTS, "stimulants", N_("Stimulants") },
  { STP_SUBSTANCE_CANNABINOIDS, "cannabinoids", N_("Cannabinoids") },
  { STP_SUBSTANCE_MEDICATIONS, "medications", N_("Psychotropic medications") },
  { STP_SUBSTANCE_POLYDRUG, "polydrug", N_("Polydrug use") },
  { STP_SUBSTANCE_NON_CHEMICAL, "non_chemical", N_("Gambling and other non-chemical") },
  END
};

static const StpEnumItem episode_statuses[] = {
  { STP_EPISODE_INTAKE, "intake", N_("Intake") },
  { STP_EPISODE_IN_PROGRAM, "in_program", N_("In the program") },
  { STP_EPISODE_COMPLETED, "completed", N_("Completed") },
  { STP_EPISODE_DROPPED_OUT, "dropped_out", N_("Dropped out") },
  { STP_EPISODE_EXPELLED, "expelled", N_("Expelled") },
  { STP_EPISODE_TRANSFERRED, "transferred", N_("Transferred") },
  { STP_EPISODE_HOSPITALIZED, "hospitalized", N_("Hospitalized") },
  { STP_EPISODE_DIED, "died", N_("Died") },
  END
};

static const StpEnumItem stage_results[] = {
  { STP_STAGE_RESULT_NONE, "none", N_("Current") },
  { STP_STAGE_RESULT_PASSED, "passed", N_("Passed") },
  { STP_STAGE_RESULT_STEPPED_BACK, "stepped_back", N_("Back to an earlier stage") },
  { STP_STAGE_RESULT_LEFT, "left", N_("Left") },
  END
};

static const StpEnumItem relations[] = {
  { STP_RELATION_MOTHER, "mother", N_("Mother") },
  { STP_RELATION_FATHER, "father", N_("Father") },
  { STP_RELATION_SPOUSE, "spouse", N_("Spouse") },
  { STP_RELATION_SON, "son", N_("Son") },
  { STP_RELATION_DAUGHTER, "daughter", N_("Daughter") },
  { STP_RELATION_BROTHER, "brother", N_("Brother") },
  { STP_RELATION_SISTER, "sister", N_("Sister") },
  { STP_RELATION_OTHER, "other", N_("Other") },
  END
};

static const StpEnumItem family_statuses[] = {
  { STP_FAMILY_STATUS_NONE, "none", N_("None") },
  { STP_FAMILY_STATUS_SOP, "sop", N_("Socially dangerous position") },
  { STP_FAMILY_STATUS_TZHS, "tzhs", N_("Difficult life situation") },
  END
};

static const StpEnumItem consent_kinds[] = {
  { STP_CONSENT_PERSONAL_DATA, "personal_data", N_("Processing of personal data") },
  { STP_CONSENT_HEALTH_DATA, "health_data", N_("Health data") },
  { STP_CONSENT_PROGRAM_RULES, "program_rules", N_("Program rules") },
  { STP_CONSENT_TRANSFER, "transfer", N_("Transfer of data to a recipient") },
  { STP_CONSENT_PHOTO, "photo", N_("Photo and publication") },
  END
};

static const StpEnumItem journal_kinds[] = {
  { STP_JOURNAL_CONSULTATION, "consultation", N_("Consultation") },
  { STP_JOURNAL_GROUP, "group", N_("Group session") },
  { STP_JOURNAL_FAMILY_SESSION, "family_session", N_("Family session") },
  { STP_JOURNAL_INCIDENT, "incident", N_("Incident or violation") },
  { STP_JOURNAL_SCREENING, "screening", N_("Drug test") },
  { STP_JOURNAL_SOCIAL_SERVICE, "social_service", N_("Social service") },
  { STP_JOURNAL_OTHER, "other", N_("Other") },
  END
};

static const StpEnumItem screening_reasons[] = {
  { STP_SCREENING_REASON_ADMISSION, "admission", N_("Admission") },
  { STP_SCREENING_REASON_RANDOM, "random", N_("Random") },
  { STP_SCREENING_REASON_SUSPICION, "suspicion", N_("On suspicion") },
  { STP_SCREENING_REASON_FOLLOW_UP, "follow_up", N_("Follow-up") },
  END
};

static const StpEnumItem screening_results[] = {
  { STP_SCREENING_NEGATIVE, "negative", N_("Negative") },
  { STP_SCREENING_POSITIVE, "positive", N_("Positive") },
  { STP_SCREENING_REFUSED, "refused", N_("Refused") },
  END
};

static const StpEnumItem remissions[] = {
  { STP_REMISSION_UNKNOWN, "unknown", N_("Unknown") },
  { STP_REMISSION_YES, "yes", N_("Yes") },
  { STP_REMISSION_NO, "no", N_("No") },
  END
};

static const StpEnumItem verifications[] = {
  { STP_VERIFIED_SELF_REPORT, "self_report", N_("Self-report") },
  { STP_VERIFIED_RELATIVES, "relatives", N_("Relatives") },
  { STP_VERIFIED_TEST, "test", N_("Test") },
  { STP_VERIFIED_DISPENSARY, "dispensary", N_("Dispensary") },
  END
};

static const StpEnumItem follow_up_outcomes[] = {
  { STP_FOLLOW_UP_PENDING, "pending", N_("Pending") },
  { STP_FOLLOW_UP_DONE, "done", N_("Done") },
  { STP_FOLLOW_UP_LOST_CONTACT, "lost_contact", N_("Contact lost") },
  END
};

static const StpEnumItem directions[] = {
  { STP_DIRECTION_INCOMING, "incoming", N_("Incoming") },
  { STP_DIRECTION_OUTGOING, "outgoing", N_("Outgoing") },
  END
};

static const StpEnumItem agency_kinds[] = {
  { STP_AGENCY_SOCIAL, "social", N_("Social protection") },
  { STP_AGENCY_HEALTH, "health", N_("Healthcare") },
  { STP_AGENCY_POLICE, "police", N_("Police") },
  { STP_AGENCY_KDN, "kdn", N_("Commission on minors") },
  { STP_AGENCY_EMPLOYMENT, "employment", N_("Employment center") },
  { STP_AGENCY_PROBATION, "probation", N_("Probation inspection") },
  { STP_AGENCY_COURT, "court", N_("Court") },
  { STP_AGENCY_OTHER_NGO, "other_ngo", N_("Other NGO") },
  { STP_AGENCY_OTHER, "other", N_("Other") },
  END
};

static const StpEnumItem court_bases[] = {
  { STP_COURT_BASIS_KOAP_4_1, "koap_4_1", N_("Part 2.1 of article 4.1 of the Administrative Code") },
  { STP_COURT_BASIS_UK_72_1, "uk_72_1", N_("Article 72.1 of the Criminal Code") },
  { STP_COURT_BASIS_UK_73, "uk_73", N_("Article 73 of the Criminal Code") },
  { STP_COURT_BASIS_UK_82_1, "uk_82_1", N_("Article 82.1 of the Criminal Code") },
  END
};

static const StpEnumItem court_notice_kinds[] = {
  { STP_COURT_NOTICE_ARRIVED, "arrived", N_("Arrived") },
  { STP_COURT_NOTICE_EVADING, "evading", N_("Evading") },
  { STP_COURT_NOTICE_LEFT, "left", N_("Left without permission") },
  { STP_COURT_NOTICE_COMPLETED, "completed", N_("Completed") },
  END
};

static const StpEnumItem audit_actions[] = {
  { STP_AUDIT_LOGIN, "login", N_("Sign-in") },
  { STP_AUDIT_LOGIN_FAILED, "login_failed", N_("Failed login") },
  { STP_AUDIT_VIEW, "view", N_("Card viewed") },
  { STP_AUDIT_CREATE, "create", N_("Created") },
  { STP_AUDIT_UPDATE, "update", N_("Changed") },
  { STP_AUDIT_DELETE, "delete", N_("Deleted") },
  { STP_AUDIT_PRINT, "print", N_("Printed") },
  { STP_AUDIT_EXPORT, "export", N_("Exported") },
  { STP_AUDIT_SYNC, "sync", N_("Synchronization") },
  { STP_AUDIT_BACKUP, "backup", N_("Backup copy") },
  { STP_AUDIT_RESTORE, "restore", N_("Restored from a backup copy") },
  { STP_AUDIT_IMPORT, "import", N_("Imported from a table") },
  { STP_AUDIT_LOGOUT, "logout", N_("Sign-out") },
  { STP_AUDIT_VIEW_REFUSED, "view_refused", N_("Card opening refused") },
  END
};

/* The codes are stored in stages.kind (schema/007-stage-kinds.sql) and
 * sent to the region: never renamed. */
static const StpEnumItem stage_kinds[] = {
  { STP_STAGE_KIND_MOTIVATION, "motivation", N_("Motivation and admission") },
  { STP_STAGE_KIND_ADAPTATION, "adaptation", N_("Adaptation") },
  { STP_STAGE_KIND_MAIN_COURSE, "main_course", N_("Main course") },
  { STP_STAGE_KIND_RESOCIALIZATION, "resocialization", N_("Resocialization") },
  { STP_STAGE_KIND_AFTERCARE, "aftercare", N_("Post-rehabilitation accompaniment") },
  { STP_STAGE_KIND_OTHER, "other", N_("Other stage kind") },
  END
};

/* Kinds of the default templates' stages (stp-store-program.c), by name;
 * schema/007-stage-kinds.sql gives existing stages the same ones. */
static const struct
{
  const char   *name;
  StpStageKind  kind;
} template_stage_kinds[] = {
  { "Мотивация и приём", STP_STAGE_KIND_MOTIVATION },
  { "Адаптация", STP_STAGE_KIND_ADAPTATION },
  { "Основной курс", STP_STAGE_KIND_MAIN_COURSE },
  { "Ресоциализация", STP_STAGE_KIND_RESOCIALIZATION },
  { "Постреабилитационное сопровождение", STP_STAGE_KIND_AFTERCARE },
  { "Курс социальной реабилитации", STP_STAGE_KIND_MAIN_COURSE },
  { "Постреабилитационный период", STP_STAGE_KIND_AFTERCARE },
  { "Направление из медицинской организации", STP_STAGE_KIND_MOTIVATION },
  { "Оценка нуждаемости", STP_STAGE_KIND_MOTIVATION },
  { "План сопровождения", STP_STAGE_KIND_AFTERCARE },
  { "Межведомственные меры", STP_STAGE_KIND_AFTERCARE },
  { "Завершение", STP_STAGE_KIND_AFTERCARE },
};

StpStageKind
stp_stage_kind_for_template_name (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (template_stage_kinds); i++)
    if (g_str_equal (template_stage_kinds[i].name, name))
      return template_stage_kinds[i].kind;
  return STP_STAGE_KIND_OTHER;
}

static const StpEnumItem *const tables[STP_N_ENUMS] = {
  [STP_ENUM_ROLE] = roles,
  [STP_ENUM_SEX] = sexes,
  [STP_ENUM_PROGRAM_MODEL] = program_models,
  [STP_ENUM_REFERRAL_SOURCE] = referral_sources,
  [STP_ENUM_PAYMENT_SOURCE] = payment_sources,
  [STP_ENUM_SUBSTANCE] = substances,
  [STP_ENUM_EPISODE_STATUS] = episode_statuses,
  [STP_ENUM_STAGE_RESULT] = stage_results,
  [STP_ENUM_RELATION] = relations,
  [STP_ENUM_FAMILY_STATUS] = family_statuses,
  [STP_ENUM_CONSENT_KIND] = consent_kinds,
  [STP_ENUM_JOURNAL_KIND] = journal_kinds,
  [STP_ENUM_SCREENING_REASON] = screening_reasons,
  [STP_ENUM_SCREENING_RESULT] = screening_results,
  [STP_ENUM_REMISSION] = remissions,
  [STP_ENUM_VERIFICATION] = verifications,
  [STP_ENUM_FOLLOW_UP_OUTCOME] = follow_up_outcomes,
  [STP_ENUM_DIRECTION] = directions,
  [STP_ENUM_AGENCY_KIND] = agency_kinds,
  [STP_ENUM_COURT_BASIS] = court_bases,
  [STP_ENUM_COURT_NOTICE_KIND] = court_notice_kinds,
  [STP_ENUM_AUDIT_ACTION] = audit_actions,
  [STP_ENUM_STAGE_KIND] = stage_kinds,
};

const StpEnumItem *
stp_enum_get_items (StpEnumType type)
{
  g_return_val_if_fail (type < STP_N_ENUMS, NULL);
  return tables[type];
}

static const StpEnumItem *
find_value (StpEnumType type,
            int         value)
{
  const StpEnumItem *item;

  if ((guint) type >= STP_N_ENUMS)
    return NULL;
  /* The tables list values in order from 0. */
  for (item = tables[type]; item->code != NULL; item++)
    if (item->value == value)
      return item;
  return NULL;
}

const char *
stp_enum_to_code (StpEnumType type,
                  int         value)
{
  const StpEnumItem *item = find_value (type, value);

  return item != NULL ? item->code : NULL;
}

int
stp_enum_from_code (StpEnumType  type,
                    const char  *code)
{
  const StpEnumItem *item;

  if ((guint) type >= STP_N_ENUMS || code == NULL)
    return -1;
  for (item = tables[type]; item->code != NULL; item++)
    if (g_str_equal (item->code, code))
      return item->value;
  return -1;
}

const char *
stp_enum_to_label (StpEnumType type,
                   int         value)
{
  const StpEnumItem *item = find_value (type, value);

  if (item == NULL)
    return "—";
  return g_dgettext (GETTEXT_PACKAGE, item->label);
}
