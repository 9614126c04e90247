#define G_LOG_DOMAIN "stp-intake-page"

#include "config.h"

#include "stp-intake-page-private.h"
#include "stp-date-row.h"
#include "stp-intake-draft.h"
#include "stp-agencies-group.h"
#include "stp-record-form.h"
#include "stp-resident-window.h"
#include "stp-error.h"
#include "stp-query.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

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

G_DEFINE_FINAL_TYPE (StpIntakePage, stp_intake_page, GTK_TYPE_WIDGET)

enum {
  RESIDENT_CREATED,
  OPEN_RESIDENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *step_names[N_STEPS] = { "person", "episode", "relatives", "consents" };

/* --- Steps --------------------------------------------------------------- */

void
_stp_intake_page_set_message (StpIntakePage *self,
                              const char    *message)
{
  gtk_label_set_text (GTK_LABEL (self->message_label), message ? message : "");
}

void
_stp_intake_page_show_step (StpIntakePage *self,
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

        ok = _stp_intake_page_collect_person (self, resident, &error);
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
        ok = _stp_intake_page_collect_episode (self, episode, placeholder_id, &error);
      }
      break;
    case 2:
      /* A relative typed but not added yet is added now. */
      if (!_stp_intake_page_relative_form_is_empty (self))
        return _stp_intake_page_add_relative_from_form (self);
      break;
    case 3:
      {
        g_autoptr(GPtrArray) consents = _stp_intake_page_collect_consents (self, placeholder_id, &error);
        ok = consents != NULL;
      }
      break;
    default:
      g_assert_not_reached ();
    }

  _stp_intake_page_set_message (self, ok ? NULL : error->message);
  return ok;
}

static void
on_back_clicked (StpIntakePage *self)
{
  _stp_intake_page_set_message (self, NULL);
  if (self->step > 0)
    _stp_intake_page_show_step (self, self->step - 1);
  _stp_intake_page_changed (self);
}

static void
on_next_clicked (StpIntakePage *self)
{
  if (!validate_step (self, self->step))
    return;
  if (self->step + 1 < N_STEPS)
    _stp_intake_page_show_step (self, self->step + 1);
  _stp_intake_page_changed (self);
}

static void
on_open_existing_clicked (GtkButton     *button,
                          StpIntakePage *self)
{
  const char *resident_id = g_object_get_data (G_OBJECT (button), "resident-id");
  g_autofree char *id = g_strdup (resident_id);

  _stp_intake_page_show_step (self, self->step);
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
  _stp_intake_page_show_step (self, step);
  _stp_intake_page_set_message (self, error->message);
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
  if (!_stp_intake_page_collect_person (self, resident, &error))
    return fail_at_step (self, 0, error);
  if (!_stp_intake_page_collect_episode (self, episode, placeholder_id, &error))
    return fail_at_step (self, 1, error);
  if (!_stp_intake_page_relative_form_is_empty (self) && !_stp_intake_page_add_relative_from_form (self))
    return _stp_intake_page_show_step (self, 2);
  for (guint i = 0; i < self->relatives->len; i++)
    {
      StpRelative *relative = g_ptr_array_index (self->relatives, i);

      g_free (relative->resident_id);
      relative->resident_id = g_strdup (placeholder_id);
      if (!stp_record_validate (STP_KIND_RELATIVE, relative, &error))
        return fail_at_step (self, 2, error);
    }
  consents = _stp_intake_page_collect_consents (self, placeholder_id, &error);
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
  _stp_intake_page_fill_defaults (self);
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
  _stp_intake_page_set_message (self, NULL);
  _stp_intake_page_show_step (self, 1);
  _stp_intake_page_changed (self);
}

static void
on_duplicates_back_clicked (StpIntakePage *self)
{
  _stp_intake_page_show_step (self, self->step);
}

static void
on_clear_response (AdwMessageDialog *dialog,
                   const char       *response,
                   StpIntakePage    *self)
{
  if (g_strcmp0 (response, "clear") != 0)
    return;
  stp_intake_draft_clear (self->draft);
  _stp_intake_page_fill_defaults (self);
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
  g_signal_connect_swapped (self->person_form, "changed", G_CALLBACK (_stp_intake_page_changed), self);
  /* Enter in a field goes on to the next step, as "Next" does. */
  g_signal_connect_swapped (self->person_form, "activated", G_CALLBACK (on_next_clicked), self);

  self->episode_form = stp_record_form_new (episode_fields, _("Rehabilitation course"));
  gtk_widget_set_name (stp_record_form_get_widget (self->episode_form), "episode-form");
  gtk_box_append (GTK_BOX (self->episode_box), stp_record_form_get_widget (self->episode_form));
  g_signal_connect_swapped (self->episode_form, "changed", G_CALLBACK (_stp_intake_page_changed), self);
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
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (_stp_intake_page_changed), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
      self->substance_checks[self->n_substance_checks++] = check;
    }
  gtk_box_append (GTK_BOX (self->episode_box), group);

  self->relative_form = stp_record_form_new (relative_fields, _("Relative"));
  gtk_widget_set_name (stp_record_form_get_widget (self->relative_form), "relative-form");
  g_signal_connect_swapped (self->relative_form, "changed", G_CALLBACK (_stp_intake_page_changed), self);
  g_signal_connect_swapped (self->relative_form, "activated", G_CALLBACK (_stp_intake_page_on_add_relative_clicked), self);
  button = gtk_button_new_with_mnemonic (_("_Add relative"));
  gtk_widget_set_name (button, "add_relative_button");
  gtk_widget_add_css_class (button, "flat");
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (_stp_intake_page_on_add_relative_clicked), self);
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
      g_signal_connect_swapped (row, "notify::enable-expansion", G_CALLBACK (_stp_intake_page_changed), self);
      g_signal_connect_swapped (date_row, "changed", G_CALLBACK (_stp_intake_page_changed), self);
      if (consent_items[i].value == STP_CONSENT_TRANSFER)
        {
          /* From the agency directory, so that the consent covers the
           * referrals to that agency. */
          self->recipient_row = stp_agency_combo_row_new (_("Recipient (agency or person)"), self->store);
          gtk_widget_set_name (self->recipient_row, "recipient");
          adw_expander_row_add_row (ADW_EXPANDER_ROW (row), self->recipient_row);
          g_signal_connect_swapped (self->recipient_row, "notify::selected", G_CALLBACK (_stp_intake_page_changed), self);
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
  _stp_intake_page_fill_choices (self);
  _stp_intake_page_fill_defaults (self);

  keyfile = stp_intake_draft_load (self->draft);
  if (keyfile != NULL)
    {
      _stp_intake_page_restore_keyfile (self, keyfile);
      _stp_intake_page_set_message (self, _("The unfinished intake was restored."));
    }

  return GTK_WIDGET (self);
}
