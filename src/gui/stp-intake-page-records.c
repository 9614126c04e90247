/* stp-intake-page-records.c: from the intake steps' forms to records and
 * back: collecting the records, the relatives list, the draft (saved and
 * restored as a key file) and the defaults the forms start with.  The
 * steps, saving and the widget are in stp-intake-page.c. */
#define G_LOG_DOMAIN "stp-intake-page"

#include "config.h"

#include "stp-intake-page-private.h"
#include "stp-date-row.h"
#include "stp-intake-draft.h"
#include "stp-agencies-group.h"
#include "stp-error.h"
#include "stp-query.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

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
gboolean
_stp_intake_page_collect_person (StpIntakePage  *self,
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

gboolean
_stp_intake_page_collect_episode (StpIntakePage  *self,
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

GPtrArray *
_stp_intake_page_collect_consents (StpIntakePage  *self,
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
  _stp_intake_page_rebuild_relatives_list (self);
  _stp_intake_page_changed (self);
}

void
_stp_intake_page_rebuild_relatives_list (StpIntakePage *self)
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

gboolean
_stp_intake_page_relative_form_is_empty (StpIntakePage *self)
{
  GtkWidget *row = stp_record_form_get_row (self->relative_form, "full_name");
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  return text == NULL || *g_strstrip (text) == '\0';
}

/* Adds the relative typed into the form to the list; FALSE when invalid. */
gboolean
_stp_intake_page_add_relative_from_form (StpIntakePage *self)
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
      _stp_intake_page_set_message (self, error->message);
      return FALSE;
    }
  g_clear_pointer (&relative->resident_id, g_free);
  g_ptr_array_add (self->relatives, g_steal_pointer (&relative));
  stp_record_form_reset (self->relative_form);
  _stp_intake_page_rebuild_relatives_list (self);
  _stp_intake_page_set_message (self, NULL);
  _stp_intake_page_changed (self);
  return TRUE;
}

void
_stp_intake_page_on_add_relative_clicked (StpIntakePage *self)
{
  _stp_intake_page_add_relative_from_form (self);
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

void
_stp_intake_page_changed (StpIntakePage *self)
{
  g_autoptr(GKeyFile) keyfile = NULL;

  if (self->restoring || self->draft == NULL)
    return;
  keyfile = build_keyfile (self);
  stp_intake_draft_update (self->draft, keyfile);
}

void
_stp_intake_page_restore_keyfile (StpIntakePage *self,
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
  _stp_intake_page_rebuild_relatives_list (self);

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
  _stp_intake_page_show_step (self, (guint) CLAMP (step, 0, N_STEPS - 1));
  self->restoring = FALSE;
}

/* --- Filling defaults ---------------------------------------------------- */

void
_stp_intake_page_fill_choices (StpIntakePage *self)
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

void
_stp_intake_page_fill_defaults (StpIntakePage *self)
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
  _stp_intake_page_rebuild_relatives_list (self);
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
  _stp_intake_page_set_message (self, NULL);
  _stp_intake_page_show_step (self, 0);
  self->restoring = FALSE;
}
