#define G_LOG_DOMAIN "stp-card-consents"

#include "config.h"

#include "stp-card-consents.h"
#include "stp-card-page.h"
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
  AdwBin           parent_instance;

  StpStore        *store;
  StpSession      *session;
  char            *resident_id;
  StpRecordEditor *consents;

  /* Template widgets. */
  GtkWidget *box;
};

static void card_page_iface_init (StpCardPageInterface *iface);
static void setup_page          (StpCardPage          *page);

G_DEFINE_FINAL_TYPE_WITH_CODE (StpCardConsents, stp_card_consents, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (STP_TYPE_CARD_PAGE, card_page_iface_init))

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
  g_autoptr(StpConsent) consent = NULL;
  g_autoptr(GError) error = NULL;

  consent = stp_store_get_consent (self->store, self->session, id, &error);
  if (consent != NULL)
    {
      g_free (consent->withdrawn_on);
      consent->withdrawn_on = stp_store_today (self->store);
    }
  if (consent == NULL || !stp_store_save_consent (self->store, self->session, consent, &error))
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
on_consents_changed (gpointer user_data)
{
  stp_card_page_changed (STP_CARD_PAGE (user_data));
}

static void
stp_card_consents_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), STP_TYPE_CARD_CONSENTS);

  G_OBJECT_CLASS (stp_card_consents_parent_class)->dispose (object);
}

static void
stp_card_consents_finalize (GObject *object)
{
  StpCardConsents *self = (StpCardConsents *) object;

  g_clear_object (&self->consents);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_pointer (&self->resident_id, g_free);

  G_OBJECT_CLASS (stp_card_consents_parent_class)->finalize (object);
}

static void
reload_page (StpCardPage *page)
{
  stp_card_consents_reload (STP_CARD_CONSENTS (page));
}

static void
card_page_iface_init (StpCardPageInterface *iface)
{
  iface->setup = setup_page;
  iface->reload = reload_page;
}

static void
stp_card_consents_class_init (StpCardConsentsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stp_card_consents_dispose;
  object_class->finalize = stp_card_consents_finalize;
  stp_card_page_class_override_properties (object_class);

  gtk_widget_class_set_template_from_resource (GTK_WIDGET_CLASS (klass), "/org/stupeni/Stupeni/stp-card-consents.ui");
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), StpCardConsents, box);
}

static void
stp_card_consents_init (StpCardConsents *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
setup_page (StpCardPage *page)
{
  StpCardConsents *self = STP_CARD_CONSENTS (page);
  StpStore *store = stp_card_page_get_store (page);
  StpSession *session = stp_card_page_get_session (page);
  const char *resident_id = stp_card_page_get_resident_id (page);

  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->resident_id = g_strdup (resident_id);

  self->consents = stp_record_editor_new (G_OBJECT (self), store, session, STP_KIND_CONSENT,
                                          "resident_id", G_STRUCT_OFFSET (StpConsent, resident_id),
                                          consent_fields, _("Consents"), _("New consent"),
                                          describe_consent, self);
  stp_record_editor_set_row_func (self->consents, add_withdraw_button);
  stp_record_editor_set_changed (self->consents, G_CALLBACK (on_consents_changed));
  gtk_box_append (GTK_BOX (self->box), stp_record_editor_get_list (self->consents));
  gtk_box_append (GTK_BOX (self->box), stp_record_editor_get_form_widget (self->consents));
  stp_record_editor_set_parent (self->consents, resident_id);
  stp_card_consents_reload (self);
}

GtkWidget *
stp_card_consents_new (StpStore   *store,
                       StpSession *session,
                       const char *resident_id)
{
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (resident_id != NULL, NULL);

  return g_object_new (STP_TYPE_CARD_CONSENTS,
                       "store", store,
                       "session", session,
                       "resident-id", resident_id,
                       NULL);
}

void
stp_card_consents_reload (StpCardConsents *self)
{
  g_autofree char *today = NULL;
  GtkWidget *signed_row;

  g_return_if_fail (STP_IS_CARD_CONSENTS (self));

  stp_record_editor_reload (self->consents);
  stp_agency_choices_fill (stp_record_editor_get_form (self->consents), "recipient", self->store,
                           stp_record_editor_get_records (self->consents),
                           G_STRUCT_OFFSET (StpConsent, recipient));
  /* A new consent is usually signed today. */
  signed_row = stp_record_form_get_row (stp_record_editor_get_form (self->consents), "signed_on");
  if (*gtk_editable_get_text (GTK_EDITABLE (signed_row)) == '\0')
    {
      StpRecordForm *form = stp_record_editor_get_form (self->consents);
      gboolean was_modified = stp_record_form_is_modified (form);

      today = stp_store_today (self->store);
      stp_date_row_set_iso (STP_DATE_ROW (signed_row), today);
      /* A suggested date is not an edit of the person's. */
      if (!was_modified)
        stp_record_form_mark_unmodified (form);
    }
}
