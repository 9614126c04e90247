#define G_LOG_DOMAIN "stp-card-consents"

#include "config.h"

#include "stp-card-consents.h"
#include "stp-card-page.h"
#include "stp-card-section.h"
#include "stp-date-row.h"
#include "stp-record-editor.h"
#include "stp-agencies-group.h"

#include <glib/gi18n-lib.h>

static const StpFormField consent_fields[] = {
  { "kind", STP_FIELD_ENUM, N_("Kind"), G_STRUCT_OFFSET (StpConsent, kind), STP_ENUM_CONSENT_KIND },
  /* From the center's agency directory, so that a consent covers the referrals to that agency. */
  { "recipient", STP_FIELD_CHOICE, N_("Recipient (for transfers)"), G_STRUCT_OFFSET (StpConsent, recipient) },
  { "signed_on", STP_FIELD_DATE, N_("Signed on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpConsent, signed_on) },
  { "expires_on", STP_FIELD_DATE, N_("Expires on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpConsent, expires_on) },
  { "legal_representative", STP_FIELD_TEXT, N_("Legal representative"), G_STRUCT_OFFSET (StpConsent, legal_representative) },
  { NULL }
};

struct _StpCardConsents
{
  StpCardSection   parent_instance;

  StpRecordEditor *consents;
};

G_DEFINE_FINAL_TYPE (StpCardConsents, stp_card_consents, STP_TYPE_CARD_SECTION)

static char *
describe_consent (gconstpointer   record,
                  char          **out_subtitle,
                  gpointer        user_data)
{
  const StpConsent *consent = record;
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *signed_on = stp_format_date (consent->signed_on);

  g_string_append_printf (subtitle, _("signed on %s"), signed_on);
  if (consent->recipient)
    g_string_append_printf (subtitle, " · %s: %s", _("recipient"), consent->recipient);
  if (consent->expires_on)
    {
      g_autofree char *expires = stp_format_date (consent->expires_on);
      g_string_append_printf (subtitle, " · %s %s", _("valid until"), expires);
    }
  if (consent->legal_representative)
    g_string_append_printf (subtitle, " · %s: %s", _("legal representative"), consent->legal_representative);
  if (consent->withdrawn_on)
    {
      g_autofree char *withdrawn = stp_format_date (consent->withdrawn_on);
      g_string_append_printf (subtitle, " · %s %s", _("WITHDRAWN on"), withdrawn);
    }
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);
  return g_strdup (stp_enum_to_label (STP_ENUM_CONSENT_KIND, consent->kind));
}

static void
on_withdraw_clicked (GtkButton       *button,
                     StpCardConsents *self)
{
  const char *id = g_object_get_data (G_OBJECT (button), "record-id");
  StpStore *store = stp_card_section_get_store (STP_CARD_SECTION (self));
  StpSession *session = stp_card_section_get_session (STP_CARD_SECTION (self));
  g_autoptr(StpConsent) consent = NULL;
  g_autoptr(GError) error = NULL;

  consent = stp_store_get_consent (store, session, id, &error);
  if (consent != NULL)
    {
      g_free (consent->withdrawn_on);
      consent->withdrawn_on = stp_store_today (store);
    }
  if (consent == NULL || !stp_store_save_consent (store, session, consent, &error))
    {
      stp_widget_show_error (GTK_WIDGET (self), error);
      return;
    }
  stp_widget_show_toast (GTK_WIDGET (self), _("The consent is withdrawn"));
  stp_card_page_changed (STP_CARD_PAGE (self));
}

static void
add_withdraw_button (AdwActionRow  *row,
                     gconstpointer  record,
                     gpointer       user_data)
{
  const StpConsent *consent = record;
  GtkWidget *button;

  if (consent->withdrawn_on != NULL)
    {
      GtkWidget *label = gtk_label_new (_("withdrawn"));

      gtk_widget_add_css_class (label, "dim-label");
      adw_action_row_add_suffix (row, label);
      return;
    }
  button = gtk_button_new_with_mnemonic (_("_Withdraw"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_object_set_data_full (G_OBJECT (button), "record-id", g_strdup (consent->meta.id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_withdraw_clicked), user_data);
  adw_action_row_add_suffix (row, button);
}

static void
stp_card_consents_finalize (GObject *object)
{
  StpCardConsents *self = (StpCardConsents *) object;

  g_clear_object (&self->consents);

  G_OBJECT_CLASS (stp_card_consents_parent_class)->finalize (object);
}

static void
reload_section (StpCardSection *section)
{
  StpCardConsents *self = STP_CARD_CONSENTS (section);
  StpStore *store = stp_card_section_get_store (section);
  StpRecordForm *form = stp_record_editor_get_form (self->consents);
  GtkWidget *signed_row;

  stp_record_editor_reload (self->consents);
  stp_agency_choices_fill (form, "recipient", store, stp_record_editor_get_records (self->consents),
                           G_STRUCT_OFFSET (StpConsent, recipient));
  /* A new consent is usually signed today. */
  signed_row = stp_record_form_get_row (form, "signed_on");
  if (*gtk_editable_get_text (GTK_EDITABLE (signed_row)) == '\0')
    {
      gboolean was_modified = stp_record_form_is_modified (form);
      g_autofree char *today = stp_store_today (store);

      stp_date_row_set_iso (STP_DATE_ROW (signed_row), today);
      /* A suggested date is not an edit of the person's. */
      if (!was_modified)
        stp_record_form_mark_unmodified (form);
    }
}

static void
setup_section (StpCardSection *section)
{
  StpCardConsents *self = STP_CARD_CONSENTS (section);

  self->consents = stp_record_editor_new (G_OBJECT (self), stp_card_section_get_store (section),
                                          stp_card_section_get_session (section), STP_KIND_CONSENT,
                                          "resident_id", G_STRUCT_OFFSET (StpConsent, resident_id),
                                          consent_fields, _("Consents"), _("New consent"),
                                          describe_consent, self);
  stp_record_editor_set_row_func (self->consents, add_withdraw_button);
  stp_card_section_add_editor (section, self->consents);
  stp_record_editor_set_parent (self->consents, stp_card_section_get_resident_id (section));
  reload_section (section);
}

static void
stp_card_consents_class_init (StpCardConsentsClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_consents_finalize;
  section_class->setup = setup_section;
  section_class->reload = reload_section;
  stp_card_section_class_set_template_from_resource (section_class, "/org/stupeni/Stupeni/stp-card-consents.ui");
}

static void
stp_card_consents_init (StpCardConsents *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
stp_card_consents_new (StpStore   *store,
                       StpSession *session,
                       const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_CONSENTS, store, session, resident_id);
}
