#define G_LOG_DOMAIN "stp-card-profile"

#include "config.h"

#include "stp-card-profile.h"
#include "stp-card-page.h"
#include "stp-card-section.h"
#include "stp-record-form.h"

#include <glib/gi18n-lib.h>

static const StpFormField profile_fields[] = {
  { "surname", STP_FIELD_TEXT, N_("Surname"), G_STRUCT_OFFSET (StpResident, surname) },
  { "name", STP_FIELD_TEXT, N_("Name"), G_STRUCT_OFFSET (StpResident, name) },
  { "patronymic", STP_FIELD_TEXT, N_("Patronymic"), G_STRUCT_OFFSET (StpResident, patronymic) },
  { "birth_date", STP_FIELD_DATE, N_("Birth date (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpResident, birth_date) },
  { "sex", STP_FIELD_ENUM, N_("Sex"), G_STRUCT_OFFSET (StpResident, sex), STP_ENUM_SEX },
  { "phone", STP_FIELD_TEXT, N_("Phone"), G_STRUCT_OFFSET (StpResident, phone) },
  { "citizenship", STP_FIELD_TEXT, N_("Citizenship"), G_STRUCT_OFFSET (StpResident, citizenship) },
  { "registration_address", STP_FIELD_TEXT, N_("Registration address"), G_STRUCT_OFFSET (StpResident, registration_address) },
  { "actual_address", STP_FIELD_TEXT, N_("Actual address"), G_STRUCT_OFFSET (StpResident, actual_address) },
  { "education", STP_FIELD_TEXT, N_("Education"), G_STRUCT_OFFSET (StpResident, education) },
  { "profession", STP_FIELD_TEXT, N_("Profession"), G_STRUCT_OFFSET (StpResident, profession) },
  { "employment", STP_FIELD_TEXT, N_("Employment"), G_STRUCT_OFFSET (StpResident, employment) },
  { "document", STP_FIELD_TEXT, N_("Identity document"), G_STRUCT_OFFSET (StpResident, document) },
  { "snils", STP_FIELD_TEXT, N_("SNILS"), G_STRUCT_OFFSET (StpResident, snils) },
  { NULL }
};

struct _StpCardProfile
{
  StpCardSection parent_instance;

  StpResident   *resident;        /* as last read by the window */
  StpRecordForm *form;

  /* Template widgets. */
  GtkWidget     *file_number_row;
};

G_DEFINE_FINAL_TYPE (StpCardProfile, stp_card_profile, STP_TYPE_CARD_SECTION)

static gboolean
save_profile (StpCardProfile *self)
{
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(GError) error = NULL;

  if (self->resident == NULL)
    return FALSE;
  resident = stp_resident_copy (self->resident);
  stp_record_form_clear_errors (self->form);
  if (!stp_record_form_store (self->form, resident, &error) ||
      !stp_store_save_resident (stp_card_section_get_store (STP_CARD_SECTION (self)),
                                stp_card_section_get_session (STP_CARD_SECTION (self)), resident, &error))
    {
      if (!stp_record_form_show_error (self->form, error))
        stp_widget_show_error (GTK_WIDGET (self), error);
      return FALSE;
    }
  /* Saved: the reload that follows may show the stored values again. */
  stp_record_form_mark_unmodified (self->form);
  stp_widget_show_toast (GTK_WIDGET (self), _("Saved"));
  stp_card_page_changed (STP_CARD_PAGE (self));
  return TRUE;
}

static void
on_save_clicked (StpCardProfile *self)
{
  save_profile (self);
}

static void
stp_card_profile_finalize (GObject *object)
{
  StpCardProfile *self = (StpCardProfile *) object;

  g_clear_object (&self->form);
  g_clear_pointer (&self->resident, stp_resident_free);

  G_OBJECT_CLASS (stp_card_profile_parent_class)->finalize (object);
}

static void
setup_section (StpCardSection *section)
{
  StpCardProfile *self = STP_CARD_PROFILE (section);
  GtkWidget *button;

  self->form = stp_record_form_new (profile_fields, _("Personal data"));
  stp_record_form_set_save_func (self->form, (StpRecordFormSaveFunc) save_profile, self);
  button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_set_name (button, "save");
  gtk_widget_add_css_class (button, "suggested-action");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_save_clicked), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (stp_record_form_get_widget (self->form)), button);
  stp_card_section_append (section, stp_record_form_get_widget (self->form));
}

static void
stp_card_profile_class_init (StpCardProfileClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_profile_finalize;
  /* No reload: everything shown comes from stp_card_profile_set_resident(). */
  section_class->setup = setup_section;
  stp_card_section_class_set_template_from_resource (section_class, "/org/stupeni/Stupeni/stp-card-profile.ui");
  gtk_widget_class_bind_template_child (GTK_WIDGET_CLASS (klass), StpCardProfile, file_number_row);
}

static void
stp_card_profile_init (StpCardProfile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
stp_card_profile_new (StpStore   *store,
                      StpSession *session,
                      const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_PROFILE, store, session, resident_id);
}

void
stp_card_profile_set_resident (StpCardProfile    *self,
                               const StpResident *resident)
{
  g_return_if_fail (STP_IS_CARD_PROFILE (self));
  g_return_if_fail (resident != NULL);

  g_clear_pointer (&self->resident, stp_resident_free);
  self->resident = stp_resident_copy (resident);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->file_number_row),
                               resident->file_number ? resident->file_number : "—");
  /* A reload after another page saved keeps what the person is typing here. */
  if (!stp_record_form_is_modified (self->form))
    stp_record_form_load (self->form, resident);
}
