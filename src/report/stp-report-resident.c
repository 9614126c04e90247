#define G_LOG_DOMAIN "stp-report-resident"

#include "config.h"

#include "stp-report-resident.h"
#include "stp-report-common.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>

#define N_ELEMENTS(a) G_N_ELEMENTS (a)

static const char *
yes_no (gboolean value)
{
  return value ? _("yes") : _("no");
}

/* Lists a section; a section the core refuses to this role is left out
 * (returns an empty array), other errors are passed on. */
static GPtrArray *
list_section (StpStore       *store,
              StpSession     *session,
              StpRecordKind   kind,
              const char     *parent_field,
              const char     *parent_id,
              GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  GPtrArray *records;

  records = stp_store_list (store, session, kind, parent_field, parent_id, &local_error);
  if (records != NULL)
    return records;
  if (g_error_matches (local_error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION))
    return g_ptr_array_new ();
  g_propagate_error (error, g_steal_pointer (&local_error));
  return NULL;
}

static GHashTable *
load_user_names (StpStore *store)
{
  GHashTable *names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GPtrArray) users = stp_store_list_login_users (store, NULL);

  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      const StpUser *user = g_ptr_array_index (users, i);

      if (user->meta.id != NULL)
        g_hash_table_insert (names, g_strdup (user->meta.id),
                             g_strdup (user->full_name != NULL ? user->full_name : user->login));
    }
  return names;
}

static char *
substances_text (const char *codes)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  if (codes == NULL || codes[0] == '\0')
    return NULL;
  parts = g_strsplit (codes, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      int value = stp_enum_from_code (STP_ENUM_SUBSTANCE, g_strstrip (parts[i]));

      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, value >= 0 ? stp_enum_to_label (STP_ENUM_SUBSTANCE, value) : parts[i]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
add_date_kv (StpReportLayout *layout,
             const char      *key,
             const char      *iso_date)
{
  g_autofree char *text = stp_format_date (iso_date);

  stp_report_layout_add_key_value (layout, key, text);
}

static void
add_resident_data (StpReportLayout   *layout,
                   const StpResident *resident)
{
  g_autofree char *full_name = stp_resident_dup_full_name (resident);
  g_autofree char *minors = g_strdup_printf ("%d", resident->minors_in_household);

  stp_report_layout_add_heading (layout, full_name);
  stp_report_layout_add_key_value (layout, _("File number"), resident->file_number);
  add_date_kv (layout, _("Birth date"), resident->birth_date);
  stp_report_layout_add_key_value (layout, _("Sex"), stp_enum_to_label (STP_ENUM_SEX, resident->sex));
  stp_report_layout_add_key_value (layout, _("Citizenship"), resident->citizenship);
  stp_report_layout_add_key_value (layout, _("Phone"), resident->phone);
  stp_report_layout_add_key_value (layout, _("Registration address"), resident->registration_address);
  stp_report_layout_add_key_value (layout, _("Actual address"), resident->actual_address);
  stp_report_layout_add_key_value (layout, _("Education"), resident->education);
  stp_report_layout_add_key_value (layout, _("Profession"), resident->profession);
  stp_report_layout_add_key_value (layout, _("Employment"), resident->employment);
  stp_report_layout_add_key_value (layout, _("Identity document"), resident->document);
  stp_report_layout_add_key_value (layout, _("SNILS"), resident->snils);

  stp_report_layout_add_heading (layout, _("Family situation"));
  stp_report_layout_add_key_value (layout, _("Minors in the household"), minors);
  stp_report_layout_add_key_value (layout, _("Family status"),
                                   stp_enum_to_label (STP_ENUM_FAMILY_STATUS, resident->family_status));
  add_date_kv (layout, _("Status recognised on"), resident->family_status_since);
  add_date_kv (layout, _("KDN informed on"), resident->kdn_informed_on);
  stp_report_layout_add_key_value (layout, _("Accompaniment plan"), resident->accompaniment_plan);
}

static gboolean
add_episode (StpReportLayout  *layout,
             StpStore         *store,
             StpSession       *session,
             const StpEpisode *episode,
             GHashTable       *user_names,
             GError          **error)
{
  static const double widths[] = { 3, 1.4, 1.4, 1.8, 3 };
  const char *headers[] = { _("Stage"), _("From"), _("To"), _("Result"), _("Note") };
  g_autoptr(StpProgram) program = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GHashTable) stage_names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *admitted = stp_format_date (episode->admitted_on);
  g_autofree char *title = NULL;

  /* TRANSLATORS: %s is a date (дд.мм.гггг). */
  title = g_strdup_printf (_("Episode from %s"), admitted);
  stp_report_layout_add_heading (layout, title);

  if (episode->program_id != NULL)
    {
      program = stp_store_get_program (store, session, episode->program_id, NULL);
      stages = stp_store_list_stages (store, session, episode->program_id, NULL);
    }
  for (guint i = 0; stages != NULL && i < stages->len; i++)
    {
      const StpStage *stage = g_ptr_array_index (stages, i);

      g_hash_table_insert (stage_names, stage->meta.id, stage->name);
    }

  stp_report_layout_add_key_value (layout, _("Program"), program != NULL ? program->name : NULL);
  add_date_kv (layout, _("Admitted on"), episode->admitted_on);
  stp_report_layout_add_key_value (layout, _("Referred by"),
                                   stp_enum_to_label (STP_ENUM_REFERRAL_SOURCE, episode->referral_source));
  stp_report_layout_add_key_value (layout, _("Payment"),
                                   stp_enum_to_label (STP_ENUM_PAYMENT_SOURCE, episode->payment_source));
  if (episode->certificate_number != NULL)
    stp_report_layout_add_key_value (layout, _("Certificate number"), episode->certificate_number);
  stp_report_layout_add_key_value (layout, _("Status"),
                                   stp_enum_to_label (STP_ENUM_EPISODE_STATUS, episode->status));
  add_date_kv (layout, _("Discharged on"), episode->discharged_on);
  stp_report_layout_add_key_value (layout, _("Discharge reason"), episode->discharge_reason);
  stp_report_layout_add_key_value (layout, _("Responsible staff member"),
                                   episode->responsible_user_id != NULL
                                     ? g_hash_table_lookup (user_names, episode->responsible_user_id)
                                     : NULL);

  /* Health fields only for roles that may read them. */
  if (stp_session_can (session, STP_PERMISSION_READ_RESTRICTED))
    {
      g_autofree char *others = substances_text (episode->other_substances);
      g_autofree char *years = g_strdup_printf ("%d", episode->years_of_use);

      stp_report_layout_add_key_value (layout, _("Main substance"),
                                       stp_enum_to_label (STP_ENUM_SUBSTANCE, episode->main_substance));
      stp_report_layout_add_key_value (layout, _("Other substances"), others);
      stp_report_layout_add_key_value (layout, _("Years of use"), years);
      stp_report_layout_add_key_value (layout, _("Prior treatments"), episode->prior_treatments);
    }

  entries = list_section (store, session, STP_KIND_STAGE_ENTRY, "episode_id", episode->meta.id, error);
  if (entries == NULL)
    return FALSE;
  if (entries->len == 0)
    return TRUE;

  stp_report_layout_add_space (layout, 4);
  stp_report_layout_add_note (layout, _("Stage history"));
  stp_report_layout_begin_table (layout, N_ELEMENTS (headers), headers, widths);
  for (guint i = 0; i < entries->len; i++)
    {
      const StpStageEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *from = stp_format_date (entry->started_on);
      g_autofree char *to = stp_format_date (entry->ended_on);
      const char *name = entry->stage_id != NULL ? g_hash_table_lookup (stage_names, entry->stage_id) : NULL;
      const char *cells[] = {
        name != NULL ? name : "—",
        from,
        to,
        entry->result == STP_STAGE_RESULT_NONE ? _("current")
                                               : stp_enum_to_label (STP_ENUM_STAGE_RESULT, entry->result),
        entry->note,
      };

      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);
  return TRUE;
}

static void
add_relatives (StpReportLayout *layout,
               GPtrArray       *relatives)
{
  static const double widths[] = { 3, 1.5, 1.4, 1.7, 3 };
  const char *headers[] = { _("Full name"), _("Relation"), _("Birth date"), _("Phone"), _("Notes") };

  stp_report_layout_add_heading (layout, _("Relatives and family contacts"));
  if (relatives->len == 0)
    {
      stp_report_layout_add_note (layout, _("None recorded."));
      return;
    }
  stp_report_layout_begin_table (layout, N_ELEMENTS (headers), headers, widths);
  for (guint i = 0; i < relatives->len; i++)
    {
      const StpRelative *relative = g_ptr_array_index (relatives, i);
      g_autofree char *birth = stp_format_date (relative->birth_date);
      g_autoptr(GString) notes = g_string_new (NULL);
      const char *cells[5];

      if (relative->lives_with_resident)
        g_string_append_printf (notes, "%s; ", _("lives with the resident"));
      if (relative->minor)
        g_string_append_printf (notes, "%s; ", _("minor"));
      if (relative->codependent)
        g_string_append_printf (notes, "%s; ", _("attends the family group"));
      g_string_append_printf (notes, "%s: %s", _("consent to contact"), yes_no (relative->consent_to_contact));
      if (relative->note != NULL)
        g_string_append_printf (notes, "; %s", relative->note);

      cells[0] = relative->full_name;
      cells[1] = stp_enum_to_label (STP_ENUM_RELATION, relative->relation);
      cells[2] = birth;
      cells[3] = relative->phone;
      cells[4] = notes->str;
      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);
}

static void
add_consents (StpReportLayout *layout,
              GPtrArray       *consents)
{
  static const double widths[] = { 3, 3, 1.4, 1.4, 1.4 };
  const char *headers[] = { _("Consent"), _("Recipient"), _("Signed"), _("Expires"), _("Withdrawn") };

  stp_report_layout_add_heading (layout, _("Consents"));
  if (consents->len == 0)
    {
      stp_report_layout_add_note (layout, _("None recorded."));
      return;
    }
  stp_report_layout_begin_table (layout, N_ELEMENTS (headers), headers, widths);
  for (guint i = 0; i < consents->len; i++)
    {
      const StpConsent *consent = g_ptr_array_index (consents, i);
      g_autofree char *signed_on = stp_format_date (consent->signed_on);
      g_autofree char *expires = stp_format_date (consent->expires_on);
      g_autofree char *withdrawn = stp_format_date (consent->withdrawn_on);
      const char *cells[] = {
        stp_enum_to_label (STP_ENUM_CONSENT_KIND, consent->kind),
        consent->recipient, signed_on, expires, withdrawn,
      };

      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);
}

static void
add_referrals (StpReportLayout *layout,
               GPtrArray       *referrals)
{
  static const double widths[] = { 2, 3, 1.8, 2.5, 1.7, 1.8, 1.8 };
  const char *headers[] = { _("Direction"), _("Agency"), _("Sent"), _("Purpose"), _("Due"),
                            _("Answered"), _("Outcome") };

  stp_report_layout_add_heading (layout, _("Referrals and interagency messages"));
  if (referrals->len == 0)
    {
      stp_report_layout_add_note (layout, _("None recorded."));
      return;
    }
  stp_report_layout_begin_table (layout, N_ELEMENTS (headers), headers, widths);
  for (guint i = 0; i < referrals->len; i++)
    {
      const StpReferral *referral = g_ptr_array_index (referrals, i);
      g_autofree char *sent = stp_format_date (referral->sent_on);
      g_autofree char *due = stp_format_date (referral->due_on);
      g_autofree char *answered = stp_format_date (referral->response_on);
      g_autofree char *agency = g_strdup_printf ("%s%s%s%s",
                                                 referral->agency_name != NULL ? referral->agency_name : "",
                                                 referral->agency_name != NULL ? " (" : "",
                                                 stp_enum_to_label (STP_ENUM_AGENCY_KIND, referral->agency_kind),
                                                 referral->agency_name != NULL ? ")" : "");
      const char *cells[] = {
        stp_enum_to_label (STP_ENUM_DIRECTION, referral->direction),
        agency, sent, referral->purpose, due, answered, referral->outcome,
      };

      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);
}

static void
add_follow_ups (StpReportLayout *layout,
                GPtrArray       *follow_ups)
{
  static const double widths[] = { 1, 1.4, 1.4, 1.8, 1.6, 4 };
  const char *headers[] = { _("Months"), _("Due"), _("Done"), _("Outcome"), _("Remission"), _("Notes") };

  stp_report_layout_add_heading (layout, _("Follow-ups"));
  if (follow_ups->len == 0)
    {
      stp_report_layout_add_note (layout, _("None recorded."));
      return;
    }
  stp_report_layout_begin_table (layout, N_ELEMENTS (headers), headers, widths);
  for (guint i = 0; i < follow_ups->len; i++)
    {
      const StpFollowUp *follow_up = g_ptr_array_index (follow_ups, i);
      g_autofree char *months = g_strdup_printf ("%d", follow_up->months);
      g_autofree char *due = stp_format_date (follow_up->due_on);
      g_autofree char *done = stp_format_date (follow_up->done_on);
      g_autoptr(GString) notes = g_string_new (NULL);
      const char *cells[6];

      if (follow_up->outcome == STP_FOLLOW_UP_DONE)
        {
          g_string_append_printf (notes, "%s: %s; %s: %s; %s: %s; %s: %s",
                                  _("employed"), yes_no (follow_up->employed),
                                  _("housing"), yes_no (follow_up->housing),
                                  _("returned to family"), yes_no (follow_up->returned_to_family),
                                  _("documents restored"), yes_no (follow_up->documents_restored));
        }
      if (follow_up->note != NULL)
        g_string_append_printf (notes, "%s%s", notes->len > 0 ? "; " : "", follow_up->note);

      cells[0] = months;
      cells[1] = due;
      cells[2] = done;
      cells[3] = stp_enum_to_label (STP_ENUM_FOLLOW_UP_OUTCOME, follow_up->outcome);
      cells[4] = follow_up->outcome == STP_FOLLOW_UP_DONE
                   ? stp_enum_to_label (STP_ENUM_REMISSION, follow_up->remission) : "";
      cells[5] = notes->str;
      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);
}

static void
add_journal (StpReportLayout *layout,
             StpSession      *session,
             GPtrArray       *entries,
             GHashTable      *user_names)
{
  static const double widths[] = { 1.7, 2.1, 2, 5.6 };
  static const double summary_widths[] = { 4, 1 };
  const char *headers[] = { _("Date"), _("Kind"), _("Author"), _("Text") };
  const char *summary_headers[] = { _("Kind"), _("Entries") };
  gboolean may_read_restricted = stp_session_can (session, STP_PERMISSION_READ_RESTRICTED);
  const StpEnumItem *kinds = stp_enum_get_items (STP_ENUM_JOURNAL_KIND);
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  int counts[32] = { 0 };

  stp_report_layout_add_heading (layout, _("Journal"));

  for (guint i = 0; i < entries->len; i++)
    {
      StpJournalEntry *entry = g_ptr_array_index (entries, i);

      /* The core filters restricted entries already; this keeps the
       * report right even if it did not. */
      if (entry->restricted && !may_read_restricted)
        continue;
      g_ptr_array_add (shown, entry);
      if (entry->kind >= 0 && entry->kind < (int) G_N_ELEMENTS (counts))
        counts[entry->kind]++;
    }

  if (shown->len == 0)
    {
      stp_report_layout_add_note (layout, _("None recorded."));
      return;
    }

  stp_report_layout_begin_table (layout, 2, summary_headers, summary_widths);
  for (guint i = 0; kinds[i].code != NULL; i++)
    {
      g_autofree char *count = NULL;
      const char *cells[2];

      if (kinds[i].value < 0 || kinds[i].value >= (int) G_N_ELEMENTS (counts) ||
          counts[kinds[i].value] == 0)
        continue;
      count = g_strdup_printf ("%d", counts[kinds[i].value]);
      cells[0] = stp_enum_to_label (STP_ENUM_JOURNAL_KIND, kinds[i].value);
      cells[1] = count;
      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);

  stp_report_layout_begin_table (layout, N_ELEMENTS (headers), headers, widths);
  for (guint i = 0; i < shown->len; i++)
    {
      const StpJournalEntry *entry = g_ptr_array_index (shown, i);
      g_autofree char *when = stp_report_format_moment (entry->occurred_at);
      g_autofree char *kind = NULL;
      const char *cells[4];

      if (entry->restricted)
        kind = g_strdup_printf ("%s (%s)", stp_enum_to_label (STP_ENUM_JOURNAL_KIND, entry->kind),
                                _("restricted"));
      else
        kind = g_strdup (stp_enum_to_label (STP_ENUM_JOURNAL_KIND, entry->kind));
      cells[0] = when;
      cells[1] = kind;
      cells[2] = entry->author_user_id != NULL ? g_hash_table_lookup (user_names, entry->author_user_id) : NULL;
      cells[3] = entry->text;
      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);
}

gboolean
stp_report_resident_render (StpReportLayout  *layout,
                            StpStore         *store,
                            StpSession       *session,
                            const char       *resident_id,
                            GError          **error)
{
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(GHashTable) user_names = NULL;
  g_autoptr(GPtrArray) episodes = NULL;
  g_autoptr(GPtrArray) relatives = NULL;
  g_autoptr(GPtrArray) consents = NULL;
  g_autoptr(GPtrArray) referrals = NULL;
  g_autoptr(GPtrArray) journal = NULL;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (resident_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_PRINT_RESIDENT, error))
    return FALSE;

  resident = stp_store_get_resident (store, session, resident_id, error);
  if (resident == NULL)
    return FALSE;

  if (!stp_report_begin (layout, store, session, _("Resident file: summary"), error))
    return FALSE;

  user_names = load_user_names (store);
  add_resident_data (layout, resident);

  episodes = list_section (store, session, STP_KIND_EPISODE, "resident_id", resident_id, error);
  if (episodes == NULL)
    return FALSE;
  for (guint i = 0; i < episodes->len; i++)
    {
      if (!add_episode (layout, store, session, g_ptr_array_index (episodes, i), user_names, error))
        return FALSE;
    }

  relatives = list_section (store, session, STP_KIND_RELATIVE, "resident_id", resident_id, error);
  if (relatives == NULL)
    return FALSE;
  add_relatives (layout, relatives);

  consents = list_section (store, session, STP_KIND_CONSENT, "resident_id", resident_id, error);
  if (consents == NULL)
    return FALSE;
  add_consents (layout, consents);

  referrals = list_section (store, session, STP_KIND_REFERRAL, "resident_id", resident_id, error);
  if (referrals == NULL)
    return FALSE;
  add_referrals (layout, referrals);

  /* Follow-ups belong to episodes. */
  {
    g_autoptr(GPtrArray) follow_ups = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_follow_up_free);

    for (guint i = 0; i < episodes->len; i++)
      {
        const StpEpisode *episode = g_ptr_array_index (episodes, i);
        g_autoptr(GPtrArray) part = list_section (store, session, STP_KIND_FOLLOW_UP, "episode_id",
                                                  episode->meta.id, error);

        if (part == NULL)
          return FALSE;
        for (guint j = 0; j < part->len; j++)
          g_ptr_array_add (follow_ups, stp_follow_up_copy (g_ptr_array_index (part, j)));
      }
    add_follow_ups (layout, follow_ups);
  }

  journal = list_section (store, session, STP_KIND_JOURNAL_ENTRY, "resident_id", resident_id, error);
  if (journal == NULL)
    return FALSE;
  add_journal (layout, session, journal, user_names);

  stp_report_end (layout, store);
  return TRUE;
}

gboolean
stp_report_resident_to_pdf (StpStore    *store,
                            StpSession  *session,
                            const char  *resident_id,
                            const char  *path,
                            GError     **error)
{
  g_autoptr(StpReportLayout) layout = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (resident_id != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  layout = stp_report_layout_new ();
  if (!stp_report_resident_render (layout, store, session, resident_id, error))
    return FALSE;
  return stp_report_save_pdf (layout, store, session, path, "residents", resident_id,
                              "resident report", error);
}
