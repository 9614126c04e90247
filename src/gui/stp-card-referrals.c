#define G_LOG_DOMAIN "stp-card-referrals"

#include "config.h"

#include "stp-card-referrals.h"
#include "stp-card-section.h"
#include "stp-date-row.h"
#include "stp-record-editor.h"
#include "stp-report-print.h"
#include "stp-agencies-group.h"

#include <glib/gi18n-lib.h>

static const StpFormField referral_fields[] = {
  { "direction", STP_FIELD_ENUM, N_("Direction"), G_STRUCT_OFFSET (StpReferral, direction), STP_ENUM_DIRECTION },
  { "agency_kind", STP_FIELD_ENUM, N_("Agency"), G_STRUCT_OFFSET (StpReferral, agency_kind), STP_ENUM_AGENCY_KIND },
  /* From the center's agency directory: the consent is found by the same name. */
  { "agency_name", STP_FIELD_CHOICE, N_("Agency name"), G_STRUCT_OFFSET (StpReferral, agency_name) },
  { "registration_number", STP_FIELD_TEXT, N_("Registration number"), G_STRUCT_OFFSET (StpReferral, registration_number) },
  { "sent_on", STP_FIELD_DATE, N_("Date (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpReferral, sent_on) },
  { "purpose", STP_FIELD_TEXT, N_("Purpose"), G_STRUCT_OFFSET (StpReferral, purpose) },
  { "due_on", STP_FIELD_DATE, N_("Answer due on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpReferral, due_on) },
  { "response_on", STP_FIELD_DATE, N_("Answer received on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpReferral, response_on) },
  { "outcome", STP_FIELD_TEXT, N_("Outcome"), G_STRUCT_OFFSET (StpReferral, outcome) },
  { NULL }
};

struct _StpCardReferrals
{
  StpCardSection   parent_instance;

  char            *today;
  StpRecordEditor *referrals;
};

G_DEFINE_FINAL_TYPE (StpCardReferrals, stp_card_referrals, STP_TYPE_CARD_SECTION)

static gboolean
is_overdue (StpCardReferrals  *self,
            const StpReferral *referral)
{
  return referral->due_on != NULL && referral->response_on == NULL &&
         self->today != NULL && g_strcmp0 (referral->due_on, self->today) < 0;
}

static char *
describe_referral (gconstpointer   record,
                   char          **out_subtitle,
                   gpointer        user_data)
{
  StpCardReferrals *self = user_data;
  const StpReferral *referral = record;
  g_autofree char *sent = stp_format_date (referral->sent_on);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  g_string_append_printf (subtitle, "%s · %s", stp_enum_to_label (STP_ENUM_DIRECTION, referral->direction), sent);
  if (referral->registration_number)
    g_string_append_printf (subtitle, " · № %s", referral->registration_number);
  if (referral->purpose)
    g_string_append_printf (subtitle, " · %s", referral->purpose);
  if (referral->response_on)
    {
      g_autofree char *answered = stp_format_date (referral->response_on);
      g_string_append_printf (subtitle, " · %s %s", _("answered on"), answered);
    }
  else if (referral->due_on)
    {
      g_autofree char *due = stp_format_date (referral->due_on);
      g_string_append_printf (subtitle, " · %s %s", _("answer due"), due);
    }
  if (referral->outcome)
    g_string_append_printf (subtitle, " · %s", referral->outcome);
  if (is_overdue (self, referral))
    g_string_append_printf (subtitle, " · %s", C_("referral", "overdue"));
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);
  return g_strdup_printf ("%s: %s", stp_enum_to_label (STP_ENUM_AGENCY_KIND, referral->agency_kind),
                          referral->agency_name ? referral->agency_name : "—");
}

static void
decorate_referral (AdwActionRow  *row,
                   gconstpointer  record,
                   gpointer       user_data)
{
  StpCardReferrals *self = user_data;
  const StpReferral *referral = record;

  /* The letter that goes with an outgoing referral. */
  if (referral->direction == STP_DIRECTION_OUTGOING)
    adw_action_row_add_suffix (row, stp_report_letter_button_new (stp_card_section_get_store (STP_CARD_SECTION (self)),
                                                                  stp_card_section_get_session (STP_CARD_SECTION (self)),
                                                                  referral->meta.id));
  if (is_overdue (self, record))
    {
      /* The word, not only the colour, says it. */
      GtkWidget *label = gtk_label_new (C_("referral", "overdue"));

      gtk_widget_add_css_class (label, "error");
      gtk_widget_add_css_class (label, "heading");
      adw_action_row_add_prefix (row, gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
      adw_action_row_add_suffix (row, label);
    }
}

static gboolean
prepare_referral (gpointer   record,
                  gboolean   is_new,
                  GError   **error,
                  gpointer   user_data)
{
  StpCardSection *section = user_data;
  StpStore *store = stp_card_section_get_store (section);
  StpSession *session = stp_card_section_get_session (section);
  const char *resident_id = stp_card_section_get_resident_id (section);
  StpReferral *referral = record;
  g_autoptr(StpConsent) consent = NULL;

  if (referral->sent_on == NULL)
    referral->sent_on = stp_store_today (store);
  if (referral->consent_id != NULL)
    return TRUE;
  if (referral->direction != STP_DIRECTION_OUTGOING)
    {
      /* An incoming referral is linked to the consent for its agency when
       * there is one; it needs none. */
      if (referral->agency_name != NULL)
        consent = stp_store_find_transfer_consent (store, session, resident_id,
                                                   referral->agency_name, referral->sent_on, NULL);
      if (consent != NULL)
        referral->consent_id = g_strdup (consent->meta.id);
      return TRUE;
    }
  /* Sending a resident's data out needs the resident's consent for that
   * recipient; the core says what is missing. */
  consent = stp_store_find_transfer_consent (store, session, resident_id,
                                             referral->agency_name, referral->sent_on, error);
  if (consent == NULL)
    return FALSE;
  referral->consent_id = g_strdup (consent->meta.id);
  return TRUE;
}

static void
stp_card_referrals_finalize (GObject *object)
{
  StpCardReferrals *self = (StpCardReferrals *) object;

  g_clear_object (&self->referrals);
  g_clear_pointer (&self->today, g_free);

  G_OBJECT_CLASS (stp_card_referrals_parent_class)->finalize (object);
}

static void
fill_agency_choices (StpCardReferrals *self)
{
  stp_agency_choices_fill (stp_record_editor_get_form (self->referrals), "agency_name",
                           stp_card_section_get_store (STP_CARD_SECTION (self)),
                           stp_record_editor_get_records (self->referrals),
                           G_STRUCT_OFFSET (StpReferral, agency_name));
}

static void
reload_section (StpCardSection *section)
{
  StpCardReferrals *self = STP_CARD_REFERRALS (section);

  g_free (self->today);
  self->today = stp_store_today (stp_card_section_get_store (section));
  stp_record_editor_reload (self->referrals);
  fill_agency_choices (self);
}

static void
setup_section (StpCardSection *section)
{
  StpCardReferrals *self = STP_CARD_REFERRALS (section);
  StpStore *store = stp_card_section_get_store (section);

  self->today = stp_store_today (store);
  self->referrals = stp_record_editor_new (G_OBJECT (self), store, stp_card_section_get_session (section),
                                           STP_KIND_REFERRAL,
                                           "resident_id", G_STRUCT_OFFSET (StpReferral, resident_id),
                                           referral_fields, _("Referrals and interagency messages"),
                                           _("New referral"), describe_referral, self);
  stp_record_editor_set_prepare (self->referrals, prepare_referral);
  stp_record_editor_set_row_func (self->referrals, decorate_referral);
  stp_card_section_add_editor (section, self->referrals);
  stp_record_editor_set_parent (self->referrals, stp_card_section_get_resident_id (section));
  fill_agency_choices (self);
}

static void
stp_card_referrals_class_init (StpCardReferralsClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_referrals_finalize;
  section_class->setup = setup_section;
  section_class->reload = reload_section;
  stp_card_section_class_set_template_from_resource (section_class, "/org/stupeni/Stupeni/stp-card-referrals.ui");
}

static void
stp_card_referrals_init (StpCardReferrals *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
stp_card_referrals_new (StpStore   *store,
                        StpSession *session,
                        const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_REFERRALS, store, session, resident_id);
}
