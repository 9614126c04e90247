#define G_LOG_DOMAIN "stp-card-family"

#include "config.h"

#include "stp-card-family.h"
#include "stp-card-page.h"
#include "stp-card-section.h"
#include "stp-date-row.h"
#include "stp-record-editor.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>

static const StpFormField situation_fields[] = {
  { "family_status", STP_FIELD_ENUM, N_("Family status (SOP / TZhS)"), G_STRUCT_OFFSET (StpResident, family_status), STP_ENUM_FAMILY_STATUS },
  { "family_status_since", STP_FIELD_DATE, N_("Status recognised on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpResident, family_status_since) },
  { "minors_in_household", STP_FIELD_INT, N_("Minors in the household"), G_STRUCT_OFFSET (StpResident, minors_in_household) },
  { "kdn_informed_on", STP_FIELD_DATE, N_("KDN informed on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpResident, kdn_informed_on) },
  { "accompaniment_plan", STP_FIELD_TEXT, N_("Social accompaniment plan"), G_STRUCT_OFFSET (StpResident, accompaniment_plan) },
  { NULL }
};

static const StpFormField relative_fields[] = {
  { "full_name", STP_FIELD_TEXT, N_("Full name"), G_STRUCT_OFFSET (StpRelative, full_name) },
  { "relation", STP_FIELD_ENUM, N_("Relation"), G_STRUCT_OFFSET (StpRelative, relation), STP_ENUM_RELATION },
  { "phone", STP_FIELD_TEXT, N_("Phone"), G_STRUCT_OFFSET (StpRelative, phone) },
  { "birth_date", STP_FIELD_DATE, N_("Birth date (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpRelative, birth_date) },
  { "address", STP_FIELD_TEXT, N_("Address"), G_STRUCT_OFFSET (StpRelative, address) },
  { "minor", STP_FIELD_BOOL, N_("Minor"), G_STRUCT_OFFSET (StpRelative, minor) },
  { "codependent", STP_FIELD_BOOL, N_("Codependent, attends the family group"), G_STRUCT_OFFSET (StpRelative, codependent) },
  { "lives_with_resident", STP_FIELD_BOOL, N_("Lives with the resident"), G_STRUCT_OFFSET (StpRelative, lives_with_resident) },
  { "consent_to_contact", STP_FIELD_BOOL, N_("Consents to be contacted"), G_STRUCT_OFFSET (StpRelative, consent_to_contact) },
  { "note", STP_FIELD_TEXT, N_("Note"), G_STRUCT_OFFSET (StpRelative, note) },
  { NULL }
};

struct _StpCardFamily
{
  StpCardSection   parent_instance;

  StpResident     *resident;        /* as last read by the window */
  StpRecordForm   *situation_form;
  StpRecordEditor *relatives;
};

G_DEFINE_FINAL_TYPE (StpCardFamily, stp_card_family, STP_TYPE_CARD_SECTION)

static char *
describe_relative (gconstpointer   record,
                   char          **out_subtitle,
                   gpointer        user_data)
{
  const StpRelative *relative = record;
  g_autoptr(GString) subtitle = g_string_new (stp_enum_to_label (STP_ENUM_RELATION, relative->relation));

  if (relative->phone)
    g_string_append_printf (subtitle, " · %s", relative->phone);
  if (relative->minor)
    g_string_append_printf (subtitle, " · %s", _("minor"));
  if (relative->codependent)
    g_string_append_printf (subtitle, " · %s", _("codependent"));
  if (relative->lives_with_resident)
    g_string_append_printf (subtitle, " · %s", _("lives with the resident"));
  g_string_append_printf (subtitle, " · %s",
                          relative->consent_to_contact ? _("may be contacted") : _("no consent to contact"));
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);
  return g_strdup (relative->full_name);
}

/* Minor relatives living with the resident, as the list of relatives says:
 * «Несовершеннолетних в семье» (which the reports count) is at least that. */
static int
count_minors_at_home (StpCardFamily *self)
{
  GPtrArray *records = stp_record_editor_get_records (self->relatives);
  int n = 0;

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const StpRelative *relative = g_ptr_array_index (records, i);

      if (relative->minor && relative->lives_with_resident)
        n++;
    }
  return n;
}

static void
on_relatives_changed (gpointer user_data)
{
  StpCardFamily *self = user_data;
  int minors = count_minors_at_home (self);

  if (self->resident != NULL && self->resident->minors_in_household < minors)
    {
      g_autoptr(StpResident) resident = stp_resident_copy (self->resident);
      g_autoptr(GError) error = NULL;

      resident->minors_in_household = minors;
      if (stp_store_save_resident (stp_card_section_get_store (STP_CARD_SECTION (self)),
                                   stp_card_section_get_session (STP_CARD_SECTION (self)), resident, &error))
        {
          g_autofree char *toast = g_strdup_printf (_("Minors in the household: %d, from the list of relatives"),
                                                    minors);

          stp_widget_show_toast (GTK_WIDGET (self), toast);
        }
      else
        stp_widget_show_error (GTK_WIDGET (self), error);
    }
  stp_card_page_changed (STP_CARD_PAGE (self));
}

static gboolean
save_situation (StpCardFamily *self)
{
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(GError) error = NULL;

  if (self->resident == NULL)
    return FALSE;
  resident = stp_resident_copy (self->resident);
  stp_record_form_clear_errors (self->situation_form);
  if (stp_record_form_store (self->situation_form, resident, &error) &&
      resident->minors_in_household < count_minors_at_home (self))
    {
      int minors = count_minors_at_home (self);

      stp_set_field_error (&error, "minors_in_household",
                           g_dngettext (GETTEXT_PACKAGE,
                                        "%d minor relative lives with the resident (see Relatives): the number cannot be smaller.",
                                        "%d minor relatives live with the resident (see Relatives): the number cannot be smaller.",
                                        minors),
                           minors);
    }
  if (error != NULL ||
      !stp_store_save_resident (stp_card_section_get_store (STP_CARD_SECTION (self)),
                                stp_card_section_get_session (STP_CARD_SECTION (self)), resident, &error))
    {
      if (!stp_record_form_show_error (self->situation_form, error))
        stp_widget_show_error (GTK_WIDGET (self), error);
      return FALSE;
    }
  /* Saved: the reload that follows may show the stored values again. */
  stp_record_form_mark_unmodified (self->situation_form);
  stp_widget_show_toast (GTK_WIDGET (self), _("Saved"));
  stp_card_page_changed (STP_CARD_PAGE (self));
  return TRUE;
}

static void
on_save_situation_clicked (StpCardFamily *self)
{
  save_situation (self);
}

static void
stp_card_family_finalize (GObject *object)
{
  StpCardFamily *self = (StpCardFamily *) object;

  g_clear_object (&self->relatives);
  g_clear_object (&self->situation_form);
  g_clear_pointer (&self->resident, stp_resident_free);

  G_OBJECT_CLASS (stp_card_family_parent_class)->finalize (object);
}

static void
reload_section (StpCardSection *section)
{
  stp_record_editor_reload (STP_CARD_FAMILY (section)->relatives);
}

static void
setup_section (StpCardSection *section)
{
  StpCardFamily *self = STP_CARD_FAMILY (section);
  GtkWidget *button;

  self->situation_form = stp_record_form_new (situation_fields, _("Family situation"));
  stp_record_form_set_save_func (self->situation_form, (StpRecordFormSaveFunc) save_situation, self);
  gtk_widget_set_name (stp_record_form_get_widget (self->situation_form), "situation-form");
  button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_name (button, "save_situation");
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_save_situation_clicked), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (stp_record_form_get_widget (self->situation_form)),
                                           button);
  stp_card_section_append (section, stp_record_form_get_widget (self->situation_form));

  self->relatives = stp_record_editor_new (G_OBJECT (self), stp_card_section_get_store (section),
                                           stp_card_section_get_session (section), STP_KIND_RELATIVE,
                                           "resident_id", G_STRUCT_OFFSET (StpRelative, resident_id),
                                           relative_fields, _("Relatives"), _("Relative"),
                                           describe_relative, self);
  stp_card_section_add_editor (section, self->relatives);
  /* Its own: a change of the relatives may raise the number of minors. */
  stp_record_editor_set_changed (self->relatives, G_CALLBACK (on_relatives_changed));

  stp_record_editor_set_parent (self->relatives, stp_card_section_get_resident_id (section));
}

static void
stp_card_family_class_init (StpCardFamilyClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_family_finalize;
  section_class->setup = setup_section;
  section_class->reload = reload_section;
  stp_card_section_class_set_template_from_resource (section_class, "/org/stupeni/Stupeni/stp-card-family.ui");
}

static void
stp_card_family_init (StpCardFamily *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
stp_card_family_new (StpStore   *store,
                     StpSession *session,
                     const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_FAMILY, store, session, resident_id);
}

void
stp_card_family_set_resident (StpCardFamily     *self,
                              const StpResident *resident)
{
  g_return_if_fail (STP_IS_CARD_FAMILY (self));
  g_return_if_fail (resident != NULL);

  g_clear_pointer (&self->resident, stp_resident_free);
  self->resident = stp_resident_copy (resident);
  /* A reload after another page saved keeps what the person is typing here. */
  if (!stp_record_form_is_modified (self->situation_form))
    stp_record_form_load (self->situation_form, resident);
}
