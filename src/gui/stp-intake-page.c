#define G_LOG_DOMAIN "stp-intake-page"

#include "config.h"

#include "stp-intake-page.h"
#include "stp-date-row.h"
#include "stp-intake-draft.h"
#include "stp-agencies-group.h"
#include "stp-record-form.h"
#include "stp-resident-window.h"
#include "stp-error.h"
#include "stp-query.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

#define N_STEPS 4
#define N_CONSENT_KINDS 5

static const StpFormField person_fields[] = {
  { "surname", STP_FIELD_TEXT, N_("Surname"), G_STRUCT_OFFSET (StpResident, surname) },
  { "name", STP_FIELD_TEXT, N_("Name"), G_STRUCT_OFFSET (StpResident, name) },
  { "patronymic", STP_FIELD_TEXT, N_("Patronymic"), G_STRUCT_OFFSET (StpResident, patronymic) },
  { "birth_date", STP_FIELD_DATE, N_("Birth date (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpResident, birth_date) },
  { "sex", STP_FIELD_ENUM, N_("Sex"), G_STRUCT_OFFSET (StpResident, sex), STP_ENUM_SEX },
  { "phone", STP_FIELD_TEXT, N_("Phone"), G_STRUCT_OFFSET (StpResident, phone) },
  { "citizenship", STP_FIELD_TEXT, N_("Citizenship"), G_STRUCT_OFFSET (StpResident, citizenship) },
  { "registration_address", STP_FIELD_TEXT, N_("Registration address"), G_STRUCT_OFFSET (StpResident, registration_address) },
  { "actual_address", STP_FIELD_TEXT, N_("Actual address"), G_STRUCT_OFFSET (StpResident, actual_address) },
  { "document", STP_FIELD_TEXT, N_("Identity document"), G_STRUCT_OFFSET (StpResident, document) },
  { "snils", STP_FIELD_TEXT, N_("SNILS"), G_STRUCT_OFFSET (StpResident, snils) },
  { NULL }
};

static const StpFormField episode_fields[] = {
  { "program_id", STP_FIELD_CHOICE, N_("Program"), G_STRUCT_OFFSET (StpEpisode, program_id) },
  { "admitted_on", STP_FIELD_DATE, N_("Admitted on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpEpisode, admitted_on) },
  { "referral_source", STP_FIELD_ENUM, N_("Referred by"), G_STRUCT_OFFSET (StpEpisode, referral_source), STP_ENUM_REFERRAL_SOURCE },
  { "payment_source", STP_FIELD_ENUM, N_("Paid by"), G_STRUCT_OFFSET (StpEpisode, payment_source), STP_ENUM_PAYMENT_SOURCE },
  { "certificate_number", STP_FIELD_TEXT, N_("Certificate number"), G_STRUCT_OFFSET (StpEpisode, certificate_number) },
  { "main_substance", STP_FIELD_ENUM, N_("Main substance"), G_STRUCT_OFFSET (StpEpisode, main_substance), STP_ENUM_SUBSTANCE },
  { "years_of_use", STP_FIELD_INT, N_("Years of use"), G_STRUCT_OFFSET (StpEpisode, years_of_use) },
  { "prior_treatments", STP_FIELD_TEXT, N_("Prior treatments"), G_STRUCT_OFFSET (StpEpisode, prior_treatments) },
  { "responsible_user_id", STP_FIELD_CHOICE, N_("Responsible staff member"), G_STRUCT_OFFSET (StpEpisode, responsible_user_id) },
  { NULL }
};

static const StpFormField relative_fields[] = {
  { "full_name", STP_FIELD_TEXT, N_("Full name"), G_STRUCT_OFFSET (StpRelative, full_name) },
  { "relation", STP_FIELD_ENUM, N_("Relation"), G_STRUCT_OFFSET (StpRelative, relation), STP_ENUM_RELATION },
  { "phone", STP_FIELD_TEXT, N_("Phone"), G_STRUCT_OFFSET (StpRelative, phone) },
  { "birth_date", STP_FIELD_DATE, N_("Birth date (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpRelative, birth_date) },
  { "minor", STP_FIELD_BOOL, N_("Minor"), G_STRUCT_OFFSET (StpRelative, minor) },
  { "codependent", STP_FIELD_BOOL, N_("Codependent, attends the family group"), G_STRUCT_OFFSET (StpRelative, codependent) },
  { "lives_with_resident", STP_FIELD_BOOL, N_("Lives with the resident"), G_STRUCT_OFFSET (StpRelative, lives_with_resident) },
  { "consent_to_contact", STP_FIELD_BOOL, N_("Consents to be contacted"), G_STRUCT_OFFSET (StpRelative, consent_to_contact) },
  { NULL }
};

struct _StpIntakePage
{
  GtkWidget       parent_instance;

  StpStore       *store;
  StpSession     *session;
  StpIntakeDraft *draft;

  /* Template widgets. */
  GtkWidget      *toast_overlay;
  GtkWidget      *step_label;
  GtkWidget      *step_bar;
  GtkWidget      *stack;
  GtkWidget      *person_box;
  GtkWidget      *episode_box;
  GtkWidget      *relatives_box;
  GtkWidget      *relatives_list;
  GtkWidget      *consents_box;
  GtkWidget      *duplicates_new_list;
  GtkWidget      *duplicates_existing_list;
  GtkWidget      *back_button;
  GtkWidget      *next_button;
  GtkWidget      *save_button;
  GtkWidget      *clear_button;
  GtkWidget      *message_label;
  GtkWidget      *create_new_button;

  StpRecordForm  *person_form;
  StpRecordForm  *episode_form;
  StpRecordForm  *relative_form;
  GtkWidget      *substance_checks[16];
  guint           n_substance_checks;
  GtkWidget      *consent_rows[N_CONSENT_KINDS];
  GtkWidget      *consent_date_rows[N_CONSENT_KINDS];
  GtkWidget      *recipient_row;

  GPtrArray      *relatives;       /* StpRelative, not saved yet */
  guint           step;            /* 0 … N_STEPS - 1 */
  gboolean        restoring;
  /* The person (names and birth date) the user said is not one of the
   * similar residents, and which residents those were: the check before
   * saving asks again only about ones not seen yet. */
  char           *confirmed_person;
  GHashTable     *confirmed_ids;
  char           *shown_person;
  GPtrArray      *shown_ids;
  gboolean        duplicates_at_save;  /* the question came from Save */
};

G_DEFINE_FINAL_TYPE (StpIntakePage, stp_intake_page, GTK_TYPE_WIDGET)

enum {
  RESIDENT_CREATED,
  OPEN_RESIDENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *step_names[N_STEPS] = { "person", "episode", "relatives", "consents" };

static void stp_intake_page_changed (StpIntakePage *self);
static void rebuild_relatives_list  (StpIntakePage *self);

/* --- Steps --------------------------------------------------------------- */

static void
set_message (StpIntakePage *self,
             const char    *message)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), message ? message : "");
}

static void
show_step (StpIntakePage *self,
           guint          step)
{
  static const char *titles[N_STEPS] = {
    N_("Person"), N_("Episode"), N_("Relatives"), N_("Consents"),
  };
  g_autofree char *title = NULL;

  g_assert (step < N_STEPS);

  self->step = step;
  /* Translators: the intake step indicator, e.g. "Step 1 of 4: Person". */
  title = g_strdup_printf (_("Step %u of %u: %s"), step + 1, N_STEPS, _(titles[step]));
  gtk_label_set_text (GTK_LABEL (self->step_label), title);
  gtk_level_bar_set_value (GTK_LEVEL_BAR (self->step_bar), step + 1);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), step_names[step]);
  /* The director may have added an agency meanwhile. */
  if (step == N_STEPS - 1 && self->recipient_row != NULL && !self->restoring)
    stp_agency_combo_row_refresh (ADW_COMBO_ROW (self->recipient_row), self->store);
  gtk_widget_set_visible (self->back_button, step > 0);
  gtk_widget_set_visible (self->next_button, step + 1 < N_STEPS);
  gtk_widget_set_visible (self->save_button, step + 1 == N_STEPS);
  gtk_widget_set_visible (self->clear_button, TRUE);
}

/* --- Collecting records -------------------------------------------------- */

static char *
collect_other_substances (StpIntakePage *self)
{
  g_autoptr(GString) codes = g_string_new (NULL);

  for (guint i = 0; i < self->n_substance_checks; i++)
    {
      GtkWidget *check = self->substance_checks[i];

      if (gtk_check_button_get_active (GTK_CHECK_BUTTON (check)))
        {
          const char *code = g_object_get_data (G_OBJECT (check), "code");

          if (codes->len > 0)
            g_string_append_c (codes, ',');
          g_string_append (codes, code);
        }
    }
  return codes->len > 0 ? g_string_free (g_steal_pointer (&codes), FALSE) : NULL;
}

/* Reads a step's rows into a record and validates it.  @resident_id is a
 * stand-in until the resident is saved. */
static gboolean
collect_person (StpIntakePage  *self,
                StpResident    *resident,
                GError        **error)
{
  stp_record_form_clear_errors (self->person_form);
  if (!stp_record_form_store (self->person_form, resident, error))
    return FALSE;
  if (!stp_record_validate (STP_KIND_RESIDENT, resident, error))
    {
      stp_record_form_show_error (self->person_form, *error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
collect_episode (StpIntakePage  *self,
                 StpEpisode     *episode,
                 const char     *resident_id,
                 GError        **error)
{
  stp_record_form_clear_errors (self->episode_form);
  if (!stp_record_form_store (self->episode_form, episode, error))
    return FALSE;
  g_free (episode->other_substances);
  episode->other_substances = collect_other_substances (self);
  g_free (episode->resident_id);
  episode->resident_id = g_strdup (resident_id);
  episode->status = STP_EPISODE_IN_PROGRAM;
  if (!stp_record_validate (STP_KIND_EPISODE, episode, error))
    {
      stp_record_form_show_error (self->episode_form, *error);
      return FALSE;
    }
  return TRUE;
}

static GPtrArray *
collect_consents (StpIntakePage  *self,
                  const char     *resident_id,
                  GError        **error)
{
  const StpEnumItem *items = stp_enum_get_items (STP_ENUM_CONSENT_KIND);
  g_autoptr(GPtrArray) consents = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_consent_free);

  for (guint i = 0; i < N_CONSENT_KINDS && items[i].code != NULL; i++)
    {
      g_autoptr(StpConsent) consent = NULL;
      g_autoptr(GError) local_error = NULL;

      stp_row_set_error (self->consent_date_rows[i], NULL);
      if (self->recipient_row != NULL)
        stp_row_set_error (self->recipient_row, NULL);
      if (!adw_expander_row_get_enable_expansion (ADW_EXPANDER_ROW (self->consent_rows[i])))
        continue;

      consent = stp_consent_new ();
      consent->resident_id = g_strdup (resident_id);
      consent->kind = items[i].value;
      if (!stp_date_row_get_iso (STP_DATE_ROW (self->consent_date_rows[i]), &consent->signed_on, &local_error))
        {
          stp_row_set_error (self->consent_date_rows[i], local_error->message);
          stp_set_field_error (error, "signed_on", "%s", local_error->message);
          return NULL;
        }
      if (items[i].value == STP_CONSENT_TRANSFER)
        {
          consent->recipient = stp_agency_combo_row_dup_name (ADW_COMBO_ROW (self->recipient_row));
        }
      if (!stp_record_validate (STP_KIND_CONSENT, consent, &local_error))
        {
          const char *field = stp_error_get_field (local_error);

          if (g_strcmp0 (field, "recipient") == 0)
            stp_row_set_error (self->recipient_row, local_error->message);
          else
            stp_row_set_error (self->consent_date_rows[i], local_error->message);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (consents, g_steal_pointer (&consent));
    }
  return g_steal_pointer (&consents);
}

/* --- Relatives ----------------------------------------------------------- */

static void
on_remove_relative_clicked (GtkButton     *button,
                            StpIntakePage *self)
{
  StpRelative *relative = g_object_get_data (G_OBJECT (button), "relative");

  g_ptr_array_remove (self->relatives, relative);
  rebuild_relatives_list (self);
  stp_intake_page_changed (self);
}

static void
rebuild_relatives_list (StpIntakePage *self)
{
  stp_list_box_clear (GTK_LIST_BOX (self->relatives_list));
  for (guint i = 0; i < self->relatives->len; i++)
    {
      StpRelative *relative = g_ptr_array_index (self->relatives, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button;
      g_autoptr(GString) subtitle = g_string_new (stp_enum_to_label (STP_ENUM_RELATION, relative->relation));

      if (relative->phone)
        g_string_append_printf (subtitle, " · %s", relative->phone);
      if (relative->minor)
        g_string_append_printf (subtitle, " · %s", _("minor"));
      if (relative->codependent)
        g_string_append_printf (subtitle, " · %s", _("codependent"));
      if (relative->lives_with_resident)
        g_string_append_printf (subtitle, " · %s", _("lives with the resident"));
      if (relative->consent_to_contact)
        g_string_append_printf (subtitle, " · %s", _("may be contacted"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), relative->full_name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle->str);

      button = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Remove"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove"),
                                      -1);
      g_object_set_data (G_OBJECT (button), "relative", relative);
      g_signal_connect (button, "clicked", G_CALLBACK (on_remove_relative_clicked), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      gtk_list_box_append (GTK_LIST_BOX (self->relatives_list), row);
    }
}

static gboolean
relative_form_is_empty (StpIntakePage *self)
{
  GtkWidget *row = stp_record_form_get_row (self->relative_form, "full_name");
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  return text == NULL || *g_strstrip (text) == '\0';
}

/* Adds the relative typed into the form to the list; FALSE when invalid. */
static gboolean
add_relative_from_form (StpIntakePage *self)
{
  g_autoptr(StpRelative) relative = stp_relative_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *placeholder_id = g_uuid_string_random ();

  stp_record_form_clear_errors (self->relative_form);
  relative->resident_id = g_strdup (placeholder_id);
  if (!stp_record_form_store (self->relative_form, relative, &error) ||
      !stp_record_validate (STP_KIND_RELATIVE, relative, &error))
    {
      stp_record_form_show_error (self->relative_form, error);
      set_message (self, error->message);
      return FALSE;
    }
  g_clear_pointer (&relative->resident_id, g_free);
  g_ptr_array_add (self->relatives, g_steal_pointer (&relative));
  stp_record_form_reset (self->relative_form);
  rebuild_relatives_list (self);
  set_message (self, NULL);
  stp_intake_page_changed (self);
  return TRUE;
}

static void
on_add_relative_clicked (StpIntakePage *self)
{
  add_relative_from_form (self);
}

/* --- Draft --------------------------------------------------------------- */

static GKeyFile *
build_keyfile (StpIntakePage *self)
{
  GKeyFile *keyfile = g_key_file_new ();
  g_autofree char *substances = collect_other_substances (self);
  const StpEnumItem *consent_items = stp_enum_get_items (STP_ENUM_CONSENT_KIND);

  g_key_file_set_integer (keyfile, "intake", "step", (int) self->step);
  stp_record_form_save_keyfile (self->person_form, keyfile, "person");
  stp_record_form_save_keyfile (self->episode_form, keyfile, "episode");
  g_key_file_set_string (keyfile, "episode", "other_substances", substances ? substances : "");
  stp_record_form_save_keyfile (self->relative_form, keyfile, "relative-form");

  g_key_file_set_integer (keyfile, "intake", "relatives", (int) self->relatives->len);
  for (guint i = 0; i < self->relatives->len; i++)
    {
      StpRelative *relative = g_ptr_array_index (self->relatives, i);
      g_autofree char *group = g_strdup_printf ("relative-%u", i);

      g_key_file_set_string (keyfile, group, "full_name", relative->full_name ?: "");
      g_key_file_set_string (keyfile, group, "relation",
                             stp_enum_to_code (STP_ENUM_RELATION, relative->relation) ?: "");
      g_key_file_set_string (keyfile, group, "phone", relative->phone ?: "");
      g_key_file_set_string (keyfile, group, "birth_date", relative->birth_date ?: "");
      g_key_file_set_boolean (keyfile, group, "minor", relative->minor);
      g_key_file_set_boolean (keyfile, group, "codependent", relative->codependent);
      g_key_file_set_boolean (keyfile, group, "lives_with_resident", relative->lives_with_resident);
      g_key_file_set_boolean (keyfile, group, "consent_to_contact", relative->consent_to_contact);
    }

  for (guint i = 0; i < N_CONSENT_KINDS && consent_items[i].code != NULL; i++)
    {
      g_autofree char *group = g_strdup_printf ("consent-%s", consent_items[i].code);

      g_key_file_set_boolean (keyfile, group, "enabled",
                              adw_expander_row_get_enable_expansion (ADW_EXPANDER_ROW (self->consent_rows[i])));
      g_key_file_set_string (keyfile, group, "signed_on",
                             gtk_editable_get_text (GTK_EDITABLE (self->consent_date_rows[i])));
    }
  {
    g_autofree char *recipient = stp_agency_combo_row_dup_name (ADW_COMBO_ROW (self->recipient_row));

    g_key_file_set_string (keyfile, "consents", "recipient", recipient ? recipient : "");
  }
  return keyfile;
}

static void
stp_intake_page_changed (StpIntakePage *self)
{
  g_autoptr(GKeyFile) keyfile = NULL;

  if (self->restoring || self->draft == NULL)
    return;
  keyfile = build_keyfile (self);
  stp_intake_draft_update (self->draft, keyfile);
}

static void
restore_keyfile (StpIntakePage *self,
                 GKeyFile      *keyfile)
{
  const StpEnumItem *consent_items = stp_enum_get_items (STP_ENUM_CONSENT_KIND);
  g_autofree char *substances = NULL;
  g_auto(GStrv) codes = NULL;
  int n_relatives;
  int step;

  self->restoring = TRUE;
  stp_record_form_load_keyfile (self->person_form, keyfile, "person");
  stp_record_form_load_keyfile (self->episode_form, keyfile, "episode");
  stp_record_form_load_keyfile (self->relative_form, keyfile, "relative-form");

  substances = g_key_file_get_string (keyfile, "episode", "other_substances", NULL);
  codes = g_strsplit (substances ? substances : "", ",", -1);
  for (guint i = 0; i < self->n_substance_checks; i++)
    {
      const char *code = g_object_get_data (G_OBJECT (self->substance_checks[i]), "code");

      gtk_check_button_set_active (GTK_CHECK_BUTTON (self->substance_checks[i]),
                                   g_strv_contains ((const char * const *) codes, code));
    }

  g_ptr_array_set_size (self->relatives, 0);
  n_relatives = g_key_file_get_integer (keyfile, "intake", "relatives", NULL);
  for (int i = 0; i < n_relatives; i++)
    {
      g_autofree char *group = g_strdup_printf ("relative-%d", i);
      g_autofree char *relation = g_key_file_get_string (keyfile, group, "relation", NULL);
      StpRelative *relative = stp_relative_new ();
      char *birth_date;

      relative->full_name = g_key_file_get_string (keyfile, group, "full_name", NULL);
      relative->relation = MAX (0, stp_enum_from_code (STP_ENUM_RELATION, relation));
      relative->phone = g_key_file_get_string (keyfile, group, "phone", NULL);
      if (relative->phone && !*relative->phone)
        g_clear_pointer (&relative->phone, g_free);
      birth_date = g_key_file_get_string (keyfile, group, "birth_date", NULL);
      if (birth_date && *birth_date)
        relative->birth_date = birth_date;
      else
        g_free (birth_date);
      relative->minor = g_key_file_get_boolean (keyfile, group, "minor", NULL);
      relative->codependent = g_key_file_get_boolean (keyfile, group, "codependent", NULL);
      relative->lives_with_resident = g_key_file_get_boolean (keyfile, group, "lives_with_resident", NULL);
      relative->consent_to_contact = g_key_file_get_boolean (keyfile, group, "consent_to_contact", NULL);
      g_ptr_array_add (self->relatives, relative);
    }
  rebuild_relatives_list (self);

  for (guint i = 0; i < N_CONSENT_KINDS && consent_items[i].code != NULL; i++)
    {
      g_autofree char *group = g_strdup_printf ("consent-%s", consent_items[i].code);
      g_autofree char *signed_on = g_key_file_get_string (keyfile, group, "signed_on", NULL);

      adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (self->consent_rows[i]),
                                             g_key_file_get_boolean (keyfile, group, "enabled", NULL));
      if (signed_on != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->consent_date_rows[i]), signed_on);
    }
  {
    g_autofree char *recipient = g_key_file_get_string (keyfile, "consents", "recipient", NULL);
    stp_agency_combo_row_set_name (ADW_COMBO_ROW (self->recipient_row), recipient);
  }

  step = g_key_file_get_integer (keyfile, "intake", "step", NULL);
  show_step (self, (guint) CLAMP (step, 0, N_STEPS - 1));
  self->restoring = FALSE;
}

/* --- Filling defaults ---------------------------------------------------- */

static void
fill_choices (StpIntakePage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();

  programs = stp_store_list (self->store, self->session, STP_KIND_PROGRAM, NULL, NULL, &error);
  if (programs == NULL)
    g_warning ("Cannot list programs: %s", error->message);
  for (guint i = 0; programs != NULL && i < programs->len; i++)
    {
      StpProgram *program = g_ptr_array_index (programs, i);

      if (!program->active)
        continue;
      g_ptr_array_add (ids, program->meta.id);
      g_ptr_array_add (labels, program->name);
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  stp_record_form_set_choices (self->episode_form, "program_id",
                               (const char * const *) ids->pdata,
                               (const char * const *) labels->pdata);

  g_ptr_array_set_size (ids, 0);
  g_ptr_array_set_size (labels, 0);
  g_clear_error (&error);
  /* The first choice is "nobody yet"; the acting person comes next. */
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, (gpointer) _("Not assigned"));
  users = stp_store_list_login_users (self->store, &error);
  if (users == NULL)
    g_warning ("Cannot list users: %s", error->message);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      StpUser *user = g_ptr_array_index (users, i);

      if (user->role == STP_ROLE_VOLUNTEER)
        continue;
      g_ptr_array_add (ids, user->meta.id);
      g_ptr_array_add (labels, user->full_name ? user->full_name : user->login);
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  /* set_choices stops at the first NULL label; the ids array may start with NULL. */
  stp_record_form_set_choices (self->episode_form, "responsible_user_id",
                               (const char * const *) ids->pdata,
                               (const char * const *) labels->pdata);
}

static void
fill_defaults (StpIntakePage *self)
{
  g_autofree char *today = stp_store_today (self->store);
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) programs = NULL;

  self->restoring = TRUE;
  stp_record_form_reset (self->person_form);
  stp_record_form_reset (self->relative_form);

  episode->admitted_on = g_strdup (today);
  if (stp_session_get_role (self->session) != STP_ROLE_VOLUNTEER)
    episode->responsible_user_id = g_strdup (stp_session_get_user_id (self->session));
  programs = stp_store_list (self->store, self->session, STP_KIND_PROGRAM, NULL, NULL, &error);
  for (guint i = 0; programs != NULL && i < programs->len; i++)
    {
      StpProgram *program = g_ptr_array_index (programs, i);

      if (program->active)
        {
          episode->program_id = g_strdup (program->meta.id);
          break;
        }
    }
  stp_record_form_load (self->episode_form, episode);
  for (guint i = 0; i < self->n_substance_checks; i++)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (self->substance_checks[i]), FALSE);

  g_ptr_array_set_size (self->relatives, 0);
  rebuild_relatives_list (self);
  for (guint i = 0; i < N_CONSENT_KINDS; i++)
    {
      if (self->consent_rows[i] == NULL)
        continue;
      adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (self->consent_rows[i]), FALSE);
      stp_date_row_set_iso (STP_DATE_ROW (self->consent_date_rows[i]), today);
    }
  stp_agency_combo_row_set_name (ADW_COMBO_ROW (self->recipient_row), NULL);
  g_clear_pointer (&self->confirmed_person, g_free);
  g_hash_table_remove_all (self->confirmed_ids);
  set_message (self, NULL);
  show_step (self, 0);
  self->restoring = FALSE;
}

/* --- Saving -------------------------------------------------------------- */

static char *
person_key (const StpResident *resident)
{
  return g_strjoin ("|", resident->surname ?: "", resident->name ?: "",
                    resident->patronymic ?: "", resident->birth_date ?: "", NULL);
}

/* Residents similar to @resident the user has not yet said are someone
 * else; NULL on error. */
static GPtrArray *
find_new_duplicates (StpIntakePage      *self,
                     const StpResident  *resident,
                     GError            **error)
{
  g_autofree char *key = person_key (resident);
  GPtrArray *duplicates = stp_store_find_duplicates (self->store, self->session, resident, error);

  if (duplicates == NULL || g_strcmp0 (key, self->confirmed_person) != 0)
    return duplicates;
  for (guint i = duplicates->len; i > 0; i--)
    {
      StpDuplicateCandidate *candidate = g_ptr_array_index (duplicates, i - 1);

      if (g_hash_table_contains (self->confirmed_ids, candidate->summary->id))
        g_ptr_array_remove_index (duplicates, i - 1);
    }
  return duplicates;
}

static void show_duplicates (StpIntakePage     *self,
                             const StpResident *resident,
                             GPtrArray         *duplicates);

static gboolean
validate_step (StpIntakePage *self,
               guint          step)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *placeholder_id = g_uuid_string_random ();
  gboolean ok = TRUE;

  switch (step)
    {
    case 0:
      {
        g_autoptr(StpResident) resident = stp_resident_new ();
        g_autoptr(GPtrArray) duplicates = NULL;

        ok = collect_person (self, resident, &error);
        /* Learn that the person is already known before typing the rest. */
        if (ok)
          {
            duplicates = find_new_duplicates (self, resident, &error);
            ok = duplicates != NULL;
          }
        if (ok && duplicates->len > 0)
          {
            self->duplicates_at_save = FALSE;
            show_duplicates (self, resident, duplicates);
            return FALSE;
          }
      }
      break;
    case 1:
      {
        g_autoptr(StpEpisode) episode = stp_episode_new ();
        ok = collect_episode (self, episode, placeholder_id, &error);
      }
      break;
    case 2:
      /* A relative typed but not added yet is added now. */
      if (!relative_form_is_empty (self))
        return add_relative_from_form (self);
      break;
    case 3:
      {
        g_autoptr(GPtrArray) consents = collect_consents (self, placeholder_id, &error);
        ok = consents != NULL;
      }
      break;
    default:
      g_assert_not_reached ();
    }

  set_message (self, ok ? NULL : error->message);
  return ok;
}

static void
on_back_clicked (StpIntakePage *self)
{
  set_message (self, NULL);
  if (self->step > 0)
    show_step (self, self->step - 1);
  stp_intake_page_changed (self);
}

static void
on_next_clicked (StpIntakePage *self)
{
  if (!validate_step (self, self->step))
    return;
  if (self->step + 1 < N_STEPS)
    show_step (self, self->step + 1);
  stp_intake_page_changed (self);
}

static void
on_open_existing_clicked (GtkButton     *button,
                          StpIntakePage *self)
{
  const char *resident_id = g_object_get_data (G_OBJECT (button), "resident-id");
  g_autofree char *id = g_strdup (resident_id);

  show_step (self, self->step);
  if (g_signal_has_handler_pending (self, signals[OPEN_RESIDENT], 0, FALSE))
    {
      g_signal_emit (self, signals[OPEN_RESIDENT], 0, id);
    }
  else
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkApplication *app = GTK_IS_WINDOW (root) ? gtk_window_get_application (GTK_WINDOW (root)) : NULL;
      GtkWindow *window = stp_resident_window_new (app, self->store, self->session, id);

      if (window != NULL)
        gtk_window_present (window);
    }
}

static GtkWidget *
summary_row (const char *title,
             const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value && *value ? value : "—");
  gtk_widget_add_css_class (row, "property");
  return row;
}

static void
show_duplicates (StpIntakePage     *self,
                 const StpResident *resident,
                 GPtrArray         *duplicates)
{
  g_autofree char *full_name = stp_resident_dup_full_name (resident);
  g_autofree char *birth = stp_format_date (resident->birth_date);

  g_free (self->shown_person);
  self->shown_person = person_key (resident);
  g_ptr_array_set_size (self->shown_ids, 0);
  for (guint i = 0; i < duplicates->len; i++)
    {
      StpDuplicateCandidate *candidate = g_ptr_array_index (duplicates, i);

      g_ptr_array_add (self->shown_ids, g_strdup (candidate->summary->id));
    }
  gtk_button_set_label (GTK_BUTTON (self->create_new_button),
                        self->duplicates_at_save ? _("_Create a new record")
                                                 : _("_Another Person, Continue"));

  stp_list_box_clear (GTK_LIST_BOX (self->duplicates_new_list));
  gtk_list_box_append (GTK_LIST_BOX (self->duplicates_new_list), summary_row (_("Full name"), full_name));
  gtk_list_box_append (GTK_LIST_BOX (self->duplicates_new_list), summary_row (_("Birth date"), birth));
  gtk_list_box_append (GTK_LIST_BOX (self->duplicates_new_list),
                       summary_row (_("Sex"), stp_enum_to_label (STP_ENUM_SEX, resident->sex)));
  gtk_list_box_append (GTK_LIST_BOX (self->duplicates_new_list), summary_row (_("SNILS"), resident->snils));
  gtk_list_box_append (GTK_LIST_BOX (self->duplicates_new_list), summary_row (_("Identity document"), resident->document));

  stp_list_box_clear (GTK_LIST_BOX (self->duplicates_existing_list));
  for (guint i = 0; i < duplicates->len; i++)
    {
      StpDuplicateCandidate *candidate = g_ptr_array_index (duplicates, i);
      StpResidentSummary *summary = candidate->summary;
      GtkListBox *list = GTK_LIST_BOX (self->duplicates_existing_list);
      g_autofree char *name = g_strjoin (" ", summary->surname ?: "", summary->name ?: "",
                                         summary->patronymic ?: "", NULL);
      g_autofree char *born = stp_format_date (summary->birth_date);
      g_autoptr(GString) reasons = g_string_new (NULL);
      g_autofree char *button_name = g_strdup_printf ("open-existing-%u", i);
      GtkWidget *row;
      GtkWidget *button;

      if (candidate->reasons & STP_DUPLICATE_SAME_NAME_AND_BIRTH)
        g_string_append_printf (reasons, "%s%s", reasons->len ? "; " : "", _("Same name and birth date"));
      if (candidate->reasons & STP_DUPLICATE_SIMILAR_SURNAME_SAME_YEAR)
        g_string_append_printf (reasons, "%s%s", reasons->len ? "; " : "", _("Similar surname, same birth year"));
      if (candidate->reasons & STP_DUPLICATE_SAME_SNILS)
        g_string_append_printf (reasons, "%s%s", reasons->len ? "; " : "", _("Same SNILS"));
      if (candidate->reasons & STP_DUPLICATE_SAME_DOCUMENT)
        g_string_append_printf (reasons, "%s%s", reasons->len ? "; " : "", _("Same identity document"));

      /* The same rows as the new record, so the two read side by side. */
      gtk_list_box_append (list, summary_row (_("Full name"), g_strstrip (name)));
      gtk_list_box_append (list, summary_row (_("Birth date"), born));
      gtk_list_box_append (list, summary_row (_("Sex"), stp_enum_to_label (STP_ENUM_SEX, summary->sex)));
      gtk_list_box_append (list, summary_row (_("Personal file number"), summary->file_number));
      gtk_list_box_append (list, summary_row (_("Current stage"), summary->stage_name));
      row = summary_row (_("Why it may be the same person"), reasons->str);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
      gtk_list_box_append (list, row);

      button = gtk_button_new_with_mnemonic (_("_Open the existing card"));
      gtk_widget_set_name (button, button_name);
      gtk_widget_set_margin_top (button, 8);
      gtk_widget_set_margin_bottom (button, 8);
      gtk_widget_set_margin_start (button, 12);
      gtk_widget_set_margin_end (button, 12);
      gtk_widget_add_css_class (button, "suggested-action");
      g_object_set_data_full (G_OBJECT (button), "resident-id", g_strdup (summary->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_open_existing_clicked), self);
      row = gtk_list_box_row_new ();
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), button);
      gtk_list_box_append (list, row);
    }

  gtk_label_set_text (GTK_LABEL (self->step_label), _("Possible duplicate"));
  gtk_stack_set_visible_child_name (GTK_STACK (self->stack), "duplicates");
  gtk_widget_set_visible (self->back_button, FALSE);
  gtk_widget_set_visible (self->next_button, FALSE);
  gtk_widget_set_visible (self->save_button, FALSE);
  gtk_widget_set_visible (self->clear_button, FALSE);
}

static void
fail_at_step (StpIntakePage *self,
              guint          step,
              const GError  *error)
{
  show_step (self, step);
  set_message (self, error->message);
}

static void
save_all (StpIntakePage *self)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(GPtrArray) consents = NULL;
  g_autoptr(GPtrArray) duplicates = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *placeholder_id = g_uuid_string_random ();
  g_autofree char *resident_id = NULL;

  /* Validate every step before writing anything: nothing is half-saved. */
  if (!collect_person (self, resident, &error))
    return fail_at_step (self, 0, error);
  if (!collect_episode (self, episode, placeholder_id, &error))
    return fail_at_step (self, 1, error);
  if (!relative_form_is_empty (self) && !add_relative_from_form (self))
    return show_step (self, 2);
  for (guint i = 0; i < self->relatives->len; i++)
    {
      StpRelative *relative = g_ptr_array_index (self->relatives, i);

      g_free (relative->resident_id);
      relative->resident_id = g_strdup (placeholder_id);
      if (!stp_record_validate (STP_KIND_RELATIVE, relative, &error))
        return fail_at_step (self, 2, error);
    }
  consents = collect_consents (self, placeholder_id, &error);
  if (consents == NULL)
    return fail_at_step (self, 3, error);

  /* Again before saving: the name may have changed, or another computer
   * may have registered the person meanwhile. */
  duplicates = find_new_duplicates (self, resident, &error);
  if (duplicates == NULL)
    return fail_at_step (self, 3, error);
  if (duplicates->len > 0)
    {
      self->duplicates_at_save = TRUE;
      return show_duplicates (self, resident, duplicates);
    }

  if (!stp_store_save_resident (self->store, self->session, resident, &error))
    {
      stp_record_form_show_error (self->person_form, error);
      return fail_at_step (self, 0, error);
    }
  resident_id = g_strdup (resident->meta.id);

  g_free (episode->resident_id);
  episode->resident_id = g_strdup (resident_id);
  if (!stp_store_admit (self->store, self->session, episode, &error))
    goto rollback;
  for (guint i = 0; i < self->relatives->len; i++)
    {
      StpRelative *relative = g_ptr_array_index (self->relatives, i);

      g_free (relative->resident_id);
      relative->resident_id = g_strdup (resident_id);
      if (!stp_store_save_relative (self->store, self->session, relative, &error))
        goto rollback;
    }
  for (guint i = 0; i < consents->len; i++)
    {
      StpConsent *consent = g_ptr_array_index (consents, i);

      g_free (consent->resident_id);
      consent->resident_id = g_strdup (resident_id);
      if (!stp_store_save_consent (self->store, self->session, consent, &error))
        goto rollback;
    }

  stp_intake_draft_clear (self->draft);
  fill_defaults (self);
  {
    g_autofree char *full_name = stp_resident_dup_full_name (resident);
    g_autofree char *toast = g_strdup_printf (_("%s is registered, file %s"),
                                              full_name, resident->file_number ?: "—");
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (self->toast_overlay), adw_toast_new (toast));
  }
  g_signal_emit (self, signals[RESIDENT_CREATED], 0, resident_id);
  return;

rollback:
  {
    g_autoptr(GError) delete_error = NULL;

    /* The records above passed validation, so this is rare (permission,
     * disk); the resident is tombstoned so no half-registered person stays
     * in the list. */
    if (!stp_store_delete (self->store, self->session, STP_KIND_RESIDENT, resident_id, &delete_error))
      g_warning ("Cannot undo the partial intake: %s", delete_error->message);
    fail_at_step (self, 3, error);
  }
}

static void
on_save_clicked (StpIntakePage *self)
{
  save_all (self);
}

static void
on_create_new_clicked (StpIntakePage *self)
{
  /* The user says the person is none of the residents shown. */
  if (g_strcmp0 (self->shown_person, self->confirmed_person) != 0)
    {
      g_hash_table_remove_all (self->confirmed_ids);
      g_free (self->confirmed_person);
      self->confirmed_person = g_strdup (self->shown_person);
    }
  for (guint i = 0; i < self->shown_ids->len; i++)
    g_hash_table_add (self->confirmed_ids, g_strdup (g_ptr_array_index (self->shown_ids, i)));

  if (self->duplicates_at_save)
    {
      save_all (self);
      return;
    }
  set_message (self, NULL);
  show_step (self, 1);
  stp_intake_page_changed (self);
}

static void
on_duplicates_back_clicked (StpIntakePage *self)
{
  show_step (self, self->step);
}

static void
on_clear_response (AdwMessageDialog *dialog,
                   const char       *response,
                   StpIntakePage    *self)
{
  if (g_strcmp0 (response, "clear") != 0)
    return;
  stp_intake_draft_clear (self->draft);
  fill_defaults (self);
}

static void
on_clear_clicked (StpIntakePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Clear the form?"),
                                   _("Everything typed into the intake form will be lost."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "clear", _("C_lear"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "clear",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_clear_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* --- Building the steps -------------------------------------------------- */

static void
build_steps (StpIntakePage *self)
{
  const StpEnumItem *substances = stp_enum_get_items (STP_ENUM_SUBSTANCE);
  const StpEnumItem *consent_items = stp_enum_get_items (STP_ENUM_CONSENT_KIND);
  GtkWidget *group;
  GtkWidget *button;

  self->person_form = stp_record_form_new (person_fields, _("Personal data"));
  gtk_widget_set_name (stp_record_form_get_widget (self->person_form), "person-form");
  gtk_box_append (GTK_BOX (self->person_box), stp_record_form_get_widget (self->person_form));
  g_signal_connect_swapped (self->person_form, "changed", G_CALLBACK (stp_intake_page_changed), self);
  /* Enter in a field goes on to the next step, as "Next" does. */
  g_signal_connect_swapped (self->person_form, "activated", G_CALLBACK (on_next_clicked), self);

  self->episode_form = stp_record_form_new (episode_fields, _("Rehabilitation course"));
  gtk_widget_set_name (stp_record_form_get_widget (self->episode_form), "episode-form");
  gtk_box_append (GTK_BOX (self->episode_box), stp_record_form_get_widget (self->episode_form));
  g_signal_connect_swapped (self->episode_form, "changed", G_CALLBACK (stp_intake_page_changed), self);
  g_signal_connect_swapped (self->episode_form, "activated", G_CALLBACK (on_next_clicked), self);

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Other substances"));
  for (guint i = 0; substances != NULL && substances[i].code != NULL && self->n_substance_checks < G_N_ELEMENTS (self->substance_checks); i++)
    {
      GtkWidget *row;
      GtkWidget *check;

      if (substances[i].value == STP_SUBSTANCE_NONE)
        continue;
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     stp_enum_to_label (STP_ENUM_SUBSTANCE, substances[i].value));
      check = gtk_check_button_new ();
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      stp_enum_to_label (STP_ENUM_SUBSTANCE, substances[i].value), -1);
      g_object_set_data (G_OBJECT (check), "code", (gpointer) substances[i].code);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (stp_intake_page_changed), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      self->substance_checks[self->n_substance_checks++] = check;
    }
  gtk_box_append (GTK_BOX (self->episode_box), group);

  self->relative_form = stp_record_form_new (relative_fields, _("Relative"));
  gtk_widget_set_name (stp_record_form_get_widget (self->relative_form), "relative-form");
  g_signal_connect_swapped (self->relative_form, "changed", G_CALLBACK (stp_intake_page_changed), self);
  g_signal_connect_swapped (self->relative_form, "activated", G_CALLBACK (on_add_relative_clicked), self);
  button = gtk_button_new_with_mnemonic (_("_Add relative"));
  gtk_widget_set_name (button, "add_relative_button");
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (on_add_relative_clicked), self);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (stp_record_form_get_widget (self->relative_form)),
                                           button);
  gtk_box_append (GTK_BOX (self->relatives_box), stp_record_form_get_widget (self->relative_form));

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Signed consents"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Switch on each consent the person has signed and give the date."));
  gtk_widget_set_name (group, "consents-group");
  for (guint i = 0; i < N_CONSENT_KINDS && consent_items[i].code != NULL; i++)
    {
      g_autofree char *name = g_strdup_printf ("consent-%s", consent_items[i].code);
      g_autofree char *date_name = g_strdup_printf ("signed-%s", consent_items[i].code);
      GtkWidget *row = adw_expander_row_new ();
      GtkWidget *date_row = stp_date_row_new (_("Signed on (dd.mm.yyyy)"));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     stp_enum_to_label (STP_ENUM_CONSENT_KIND, consent_items[i].value));
      adw_expander_row_set_show_enable_switch (ADW_EXPANDER_ROW (row), TRUE);
      adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (row), FALSE);
      gtk_widget_set_name (row, name);
      gtk_widget_set_name (date_row, date_name);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), date_row);
      g_signal_connect_swapped (row, "notify::enable-expansion", G_CALLBACK (stp_intake_page_changed), self);
      g_signal_connect_swapped (date_row, "changed", G_CALLBACK (stp_intake_page_changed), self);
      if (consent_items[i].value == STP_CONSENT_TRANSFER)
        {
          /* From the agency directory, so that the consent covers the
           * referrals to that agency. */
          self->recipient_row = stp_agency_combo_row_new (_("Recipient (agency or person)"), self->store);
          gtk_widget_set_name (self->recipient_row, "recipient");
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), self->recipient_row);
          g_signal_connect_swapped (self->recipient_row, "notify::selected", G_CALLBACK (stp_intake_page_changed), self);
        }
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      self->consent_rows[i] = row;
      self->consent_date_rows[i] = date_row;
    }
  if (self->recipient_row == NULL)
    self->recipient_row = stp_agency_combo_row_new (_("Recipient (agency or person)"), self->store);
  gtk_box_append (GTK_BOX (self->consents_box), group);
}

/* --- GObject ------------------------------------------------------------- */

static void
stp_intake_page_dispose (GObject *object)
{
  StpIntakePage *self = (StpIntakePage *) object;

  if (self->draft != NULL)
    stp_intake_draft_flush (self->draft, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_INTAKE_PAGE);
  g_clear_object (&self->person_form);
  g_clear_object (&self->episode_form);
  g_clear_object (&self->relative_form);
  g_clear_object (&self->draft);
  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_pointer (&self->relatives, g_ptr_array_unref);
  g_clear_pointer (&self->confirmed_person, g_free);
  g_clear_pointer (&self->confirmed_ids, g_hash_table_unref);
  g_clear_pointer (&self->shown_person, g_free);
  g_clear_pointer (&self->shown_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (stp_intake_page_parent_class)->dispose (object);
}

static void
stp_intake_page_class_init (StpIntakePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_intake_page_dispose;

  signals[RESIDENT_CREATED] = g_signal_new ("resident-created",
                                            G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[OPEN_RESIDENT] = g_signal_new ("open-resident",
                                         G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-intake-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, step_label);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, step_bar);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, stack);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, person_box);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, episode_box);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, relatives_box);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, relatives_list);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, consents_box);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, duplicates_new_list);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, duplicates_existing_list);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, back_button);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, next_button);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, save_button);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, clear_button);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, message_label);
  gtk_widget_class_bind_template_child (widget_class, StpIntakePage, create_new_button);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_next_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_save_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_clear_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_create_new_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_duplicates_back_clicked);
}

static void
stp_intake_page_init (StpIntakePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->relatives = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_relative_free);
  self->confirmed_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->shown_ids = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
stp_intake_page_new (StpStore   *store,
                     StpSession *session)
{
  StpIntakePage *self;
  g_autoptr(GKeyFile) keyfile = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_INTAKE_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->draft = stp_intake_draft_new (store, session);

  build_steps (self);
  fill_choices (self);
  fill_defaults (self);

  keyfile = stp_intake_draft_load (self->draft);
  if (keyfile != NULL)
    {
      restore_keyfile (self, keyfile);
      set_message (self, _("The unfinished intake was restored."));
    }

  return GTK_WIDGET (self);
}
