#define G_LOG_DOMAIN "stp-report-referral"

#include "config.h"

#include "stp-report-referral.h"
#include "stp-report-common.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

const char *
stp_report_referral_default_template (void)
{
  /* TRANSLATORS: keep the {placeholders} as they are. */
  return _("{center} informs you that {resident}, born {birth_date} (file {file_number}), "
           "has been taking part in the center’s rehabilitation and resocialization program "
           "since {admitted_on}; current stage: {stage}.\n"
           "Purpose of this letter: {purpose}.\n"
           "The information is given with the written consent of the person concerned to "
           "transfer information to {agency}, signed on {consent_date}.");
}

static char *
fill_template (const char *template,
               GHashTable *values)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p = template;

  while (*p != '\0')
    {
      const char *end;

      if (*p == '{' && (end = strchr (p, '}')) != NULL)
        {
          g_autofree char *key = g_strndup (p + 1, end - p - 1);
          const char *value = g_hash_table_lookup (values, key);

          if (g_hash_table_contains (values, key))
            {
              g_string_append (text, value != NULL && value[0] != '\0' ? value : "—");
              p = end + 1;
              continue;
            }
        }
      g_string_append_c (text, *p);
      p++;
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

gboolean
stp_report_referral_letter_render (StpReportLayout  *layout,
                                   StpStore         *store,
                                   StpSession       *session,
                                   const char       *referral_id,
                                   GError          **error)
{
  g_autoptr(StpReferral) referral = NULL;
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(StpConsent) consent = NULL;
  g_autoptr(StpCenter) center = NULL;
  g_autoptr(StpEpisode) episode = NULL;
  g_autoptr(StpStageEntry) entry = NULL;
  g_autoptr(StpStage) stage = NULL;
  g_autoptr(GHashTable) values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *today = NULL;
  g_autofree char *template = NULL;
  g_autofree char *body = NULL;
  g_autofree char *to_line = NULL;
  g_autofree char *number_line = NULL;
  g_auto(GStrv) paragraphs = NULL;
  const char *recipient;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (referral_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_PRINT_RESIDENT, error))
    return FALSE;

  referral = stp_store_get_referral (store, session, referral_id, error);
  if (referral == NULL)
    return FALSE;
  recipient = referral->agency_name != NULL ? referral->agency_name
                                            : stp_enum_to_label (STP_ENUM_AGENCY_KIND, referral->agency_kind);

  today = stp_store_today (store);
  consent = stp_store_find_transfer_consent (store, session, referral->resident_id, recipient,
                                             today, &local_error);
  if (consent == NULL)
    {
      if (local_error == NULL)
        g_set_error_literal (&local_error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT, "");
      /* The recipient is named here whatever the core's message says. */
      g_set_error (error, local_error->domain, local_error->code,
                   _("The letter to “%s” cannot be made: there is no valid consent of the resident "
                     "to transfer information to this recipient. %s"),
                   recipient, local_error->message);
      return FALSE;
    }

  resident = stp_store_get_resident (store, session, referral->resident_id, error);
  if (resident == NULL)
    return FALSE;
  center = stp_store_get_center (store, error);
  if (center == NULL)
    return FALSE;
  episode = stp_store_get_latest_episode (store, session, referral->resident_id, NULL);
  if (episode != NULL)
    entry = stp_store_get_current_stage_entry (store, session, episode->meta.id, NULL);
  if (entry != NULL && entry->stage_id != NULL)
    stage = stp_store_get_stage (store, session, entry->stage_id, NULL);

  g_hash_table_insert (values, "center", g_strdup (center->name));
  g_hash_table_insert (values, "resident", stp_resident_dup_full_name (resident));
  g_hash_table_insert (values, "birth_date", stp_format_date (resident->birth_date));
  g_hash_table_insert (values, "file_number", g_strdup (resident->file_number));
  g_hash_table_insert (values, "agency", g_strdup (recipient));
  g_hash_table_insert (values, "number", g_strdup (referral->registration_number));
  g_hash_table_insert (values, "date", stp_format_date (referral->sent_on != NULL ? referral->sent_on : today));
  g_hash_table_insert (values, "admitted_on", stp_format_date (episode != NULL ? episode->admitted_on : NULL));
  g_hash_table_insert (values, "stage", g_strdup (stage != NULL ? stage->name : NULL));
  g_hash_table_insert (values, "purpose", g_strdup (referral->purpose));
  g_hash_table_insert (values, "consent_date", stp_format_date (consent->signed_on));

  if (!stp_report_begin (layout, store, session, _("Information letter"), error))
    return FALSE;

  /* TRANSLATORS: the addressee line of a letter. */
  to_line = g_strdup_printf (_("To: %s"), recipient);
  stp_report_layout_add_paragraph (layout, to_line);
  /* TRANSLATORS: outgoing letter number and date: «Исх. № 12 от 01.02.2026». */
  number_line = g_strdup_printf (_("Ref. No. %s of %s"),
                                 referral->registration_number != NULL ? referral->registration_number : "—",
                                 (const char *) g_hash_table_lookup (values, "date"));
  stp_report_layout_add_paragraph (layout, number_line);
  stp_report_layout_add_space (layout, 12);

  template = stp_store_get_setting (store, STP_REPORT_REFERRAL_TEMPLATE_SETTING);
  body = fill_template (template != NULL && template[0] != '\0' ? template
                                                                : stp_report_referral_default_template (),
                        values);
  paragraphs = g_strsplit (body, "\n", -1);
  for (guint i = 0; paragraphs[i] != NULL; i++)
    if (paragraphs[i][0] != '\0')
      stp_report_layout_add_paragraph (layout, paragraphs[i]);

  stp_report_end (layout, store);
  return TRUE;
}

gboolean
stp_report_referral_letter_to_pdf (StpStore    *store,
                                   StpSession  *session,
                                   const char  *referral_id,
                                   const char  *path,
                                   GError     **error)
{
  g_autoptr(StpReportLayout) layout = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (referral_id != NULL && path != NULL, FALSE);

  layout = stp_report_layout_new ();
  if (!stp_report_referral_letter_render (layout, store, session, referral_id, error))
    return FALSE;
  return stp_report_save_pdf (layout, store, session, path, "referrals", referral_id,
                              "referral letter", error);
}
