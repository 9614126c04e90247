#define G_LOG_DOMAIN "stp-card-program"

#include "config.h"

#include "stp-card-program.h"
#include "stp-card-page.h"
#include "stp-card-section.h"
#include "stp-date-row.h"
#include "stp-record-form.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>

/* The statuses a discharge may set, in the order of the dialog's list. */
static const StpEpisodeStatus discharge_statuses[] = {
  STP_EPISODE_COMPLETED,
  STP_EPISODE_DROPPED_OUT,
  STP_EPISODE_EXPELLED,
  STP_EPISODE_TRANSFERRED,
  STP_EPISODE_HOSPITALIZED,
  STP_EPISODE_DIED,
};

struct _StpCardProgram
{
  StpCardSection parent_instance;

  StpEpisode *episode;
  GPtrArray  *stages;               /* StpStage of the episode's program */
  GPtrArray  *back_stage_ids;       /* ids offered by the step-back combo */

  GtkWidget  *program_row;
  GtkWidget  *status_row;
  GtkWidget  *admitted_row;
  GtkWidget  *current_row;
  GtkWidget  *timeline;
  GtkWidget  *actions_group;
  GtkWidget  *date_row;
  GtkWidget  *note_row;
  GtkWidget  *back_stage_row;
  GtkWidget  *next_button;
  GtkWidget  *back_button;
  GtkWidget  *discharge_button;

  /* The discharge dialog's rows while it is open. */
  GtkWidget  *discharge_status_row;
  GtkWidget  *discharge_date_row;
  GtkWidget  *discharge_reason_row;
};

G_DEFINE_FINAL_TYPE (StpCardProgram, stp_card_program, STP_TYPE_CARD_SECTION)

static const StpStage *
find_stage (StpCardProgram *self,
            const char     *stage_id)
{
  for (guint i = 0; self->stages != NULL && i < self->stages->len; i++)
    {
      const StpStage *stage = g_ptr_array_index (self->stages, i);

      if (g_strcmp0 (stage->meta.id, stage_id) == 0)
        return stage;
    }
  return NULL;
}

static gboolean
read_date (StpCardProgram  *self,
           char           **out_date)
{
  StpStore *store = stp_card_section_get_store (STP_CARD_SECTION (self));
  g_autoptr(GError) error = NULL;

  stp_row_set_error (self->date_row, NULL);
  if (!stp_date_row_get_iso (STP_DATE_ROW (self->date_row), out_date, &error))
    {
      stp_row_set_error (self->date_row, error->message);
      return FALSE;
    }
  if (*out_date == NULL)
    *out_date = stp_store_today (store);
  return TRUE;
}

static char *
read_note (GtkWidget *row)
{
  g_autofree char *note = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (row))));

  return *note ? g_steal_pointer (&note) : NULL;
}

static void
after_change (StpCardProgram *self,
              const char     *message)
{
  gtk_editable_set_text (GTK_EDITABLE (self->note_row), "");
  stp_widget_show_toast (GTK_WIDGET (self), message);
  stp_card_page_changed (STP_CARD_PAGE (self));
}

static void
on_next_clicked (StpCardProgram *self)
{
  StpStore *store = stp_card_section_get_store (STP_CARD_SECTION (self));
  StpSession *session = stp_card_section_get_session (STP_CARD_SECTION (self));
  g_autofree char *date = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GError) error = NULL;

  if (self->episode == NULL || !read_date (self, &date))
    return;
  note = read_note (self->note_row);
  if (!stp_store_next_stage (store, session, self->episode->meta.id, date, note, &error))
    {
      if (g_strcmp0 (stp_error_get_field (error), "started_on") == 0 ||
          g_strcmp0 (stp_error_get_field (error), "ended_on") == 0)
        stp_row_set_error (self->date_row, error->message);
      stp_widget_show_error (GTK_WIDGET (self), error);
      return;
    }
  after_change (self, _("Moved to the next stage"));
}

static void
on_back_clicked (StpCardProgram *self)
{
  StpStore *store = stp_card_section_get_store (STP_CARD_SECTION (self));
  StpSession *session = stp_card_section_get_session (STP_CARD_SECTION (self));
  g_autofree char *date = NULL;
  g_autofree char *note = NULL;
  g_autoptr(GError) error = NULL;
  guint selected;

  if (self->episode == NULL || !read_date (self, &date))
    return;
  selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->back_stage_row));
  if (self->back_stage_ids == NULL || selected >= self->back_stage_ids->len)
    return;
  note = read_note (self->note_row);
  if (!stp_store_step_back (store, session, self->episode->meta.id,
                            g_ptr_array_index (self->back_stage_ids, selected),
                            date, note, &error))
    {
      stp_widget_show_error (GTK_WIDGET (self), error);
      return;
    }
  after_change (self, _("Returned to an earlier stage"));
}

static void
on_discharge_response (AdwMessageDialog *dialog,
                       const char       *response,
                       StpCardProgram   *self)
{
  StpStore *store = stp_card_section_get_store (STP_CARD_SECTION (self));
  StpSession *session = stp_card_section_get_session (STP_CARD_SECTION (self));
  g_autofree char *date = NULL;
  g_autofree char *reason = NULL;
  g_autoptr(GError) error = NULL;
  guint selected;

  if (g_strcmp0 (response, "discharge") != 0 || self->episode == NULL)
    goto out;

  selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->discharge_status_row));
  if (selected >= G_N_ELEMENTS (discharge_statuses))
    goto out;
  if (!stp_date_row_get_iso (STP_DATE_ROW (self->discharge_date_row), &date, &error))
    {
      stp_widget_show_error (GTK_WIDGET (self), error);
      goto out;
    }
  if (date == NULL)
    date = stp_store_today (store);
  reason = read_note (self->discharge_reason_row);
  if (!stp_store_discharge (store, session, self->episode->meta.id,
                            discharge_statuses[selected], date, reason, &error))
    {
      stp_widget_show_error (GTK_WIDGET (self), error);
      goto out;
    }
  after_change (self, _("Discharged; follow-ups are scheduled"));

out:
  self->discharge_status_row = NULL;
  self->discharge_date_row = NULL;
  self->discharge_reason_row = NULL;
}

static void
on_discharge_clicked (StpCardProgram *self)
{
  g_autoptr(GtkStringList) statuses = gtk_string_list_new (NULL);
  g_autofree char *today = stp_store_today (stp_card_section_get_store (STP_CARD_SECTION (self)));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  GtkWidget *list;

  if (self->episode == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (discharge_statuses); i++)
    gtk_string_list_append (statuses, stp_enum_to_label (STP_ENUM_EPISODE_STATUS, discharge_statuses[i]));

  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  self->discharge_status_row = adw_combo_row_new ();
  gtk_widget_set_name (self->discharge_status_row, "discharge_status");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->discharge_status_row), _("Outcome"));
  adw_combo_row_set_model (ADW_COMBO_ROW (self->discharge_status_row), G_LIST_MODEL (statuses));
  self->discharge_date_row = stp_date_row_new (_("Discharged on (dd.mm.yyyy)"));
  gtk_widget_set_name (self->discharge_date_row, "discharged_on");
  stp_date_row_set_iso (STP_DATE_ROW (self->discharge_date_row), today);
  self->discharge_reason_row = adw_entry_row_new ();
  gtk_widget_set_name (self->discharge_reason_row, "discharge_reason");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->discharge_reason_row), _("Reason"));
  gtk_list_box_append (GTK_LIST_BOX (list), self->discharge_status_row);
  gtk_list_box_append (GTK_LIST_BOX (list), self->discharge_date_row);
  gtk_list_box_append (GTK_LIST_BOX (list), self->discharge_reason_row);

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Discharge the resident?"),
                                   _("The current stage is closed and follow-ups are scheduled 1, 3, 6, 12 and 24 months after the discharge date."));
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "discharge", _("_Discharge"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "discharge",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_discharge_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
stp_card_program_finalize (GObject *object)
{
  StpCardProgram *self = (StpCardProgram *) object;

  g_clear_pointer (&self->episode, stp_episode_free);
  g_clear_pointer (&self->stages, g_ptr_array_unref);
  g_clear_pointer (&self->back_stage_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (stp_card_program_parent_class)->finalize (object);
}

static char *
describe_entry (StpCardProgram      *self,
                const StpStageEntry *entry,
                char               **out_subtitle)
{
  const StpStage *stage = find_stage (self, entry->stage_id);
  g_autofree char *started = stp_format_date (entry->started_on);
  g_autofree char *ended = stp_format_date (entry->ended_on);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (entry->ended_on != NULL)
    /* Translators: a stage's period: "from 01.02.2026 to 15.03.2026". */
    g_string_append_printf (subtitle, _("from %s to %s"), started, ended);
  else
    g_string_append_printf (subtitle, _("since %s"), started);
  g_string_append (subtitle, " · ");
  if (entry->result == STP_STAGE_RESULT_NONE && entry->ended_on == NULL)
    g_string_append (subtitle, _("current stage"));
  else
    g_string_append (subtitle, stp_enum_to_label (STP_ENUM_STAGE_RESULT, entry->result));
  if (entry->note != NULL)
    g_string_append_printf (subtitle, " · %s", entry->note);
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);

  if (stage == NULL)
    return g_strdup (_("Unknown stage"));
  return g_strdup_printf ("%d. %s", stage->position + 1, stage->name);
}

static void
reload_section (StpCardSection *section)
{
  StpCardProgram *self = STP_CARD_PROGRAM (section);
  StpStore *store = stp_card_section_get_store (section);
  StpSession *session = stp_card_section_get_session (section);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(StpProgram) program = NULL;
  g_autoptr(GtkStringList) back_names = gtk_string_list_new (NULL);
  g_autoptr(StpStageEntry) current = NULL;
  g_autofree char *today = NULL;
  const StpStage *current_stage = NULL;
  gboolean in_program;

  g_clear_pointer (&self->episode, stp_episode_free);
  g_clear_pointer (&self->stages, g_ptr_array_unref);
  g_clear_pointer (&self->back_stage_ids, g_ptr_array_unref);
  stp_list_box_clear (GTK_LIST_BOX (self->timeline));

  self->episode = stp_store_get_latest_episode (store, session, stp_card_section_get_resident_id (section), &error);
  if (self->episode == NULL)
    {
      if (error != NULL)
        g_warning ("Cannot read the episode: %s", error->message);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self->program_row), _("No course of rehabilitation"));
      gtk_widget_set_sensitive (self->actions_group, FALSE);
      return;
    }

  program = stp_store_get_program (store, session, self->episode->program_id, NULL);
  self->stages = stp_store_list_stages (store, session, self->episode->program_id, NULL);
  entries = stp_store_list (store, session, STP_KIND_STAGE_ENTRY,
                            "episode_id", self->episode->meta.id, &error);
  current = stp_store_get_current_stage_entry (store, session, self->episode->meta.id, NULL);
  if (current != NULL)
    current_stage = find_stage (self, current->stage_id);

  {
    g_autofree char *admitted = stp_format_date (self->episode->admitted_on);
    g_autofree char *status = NULL;

    if (self->episode->discharged_on != NULL)
      {
        g_autofree char *discharged = stp_format_date (self->episode->discharged_on);
        /* Translators: "Completed on 01.02.2026". */
        status = g_strdup_printf (_("%s on %s"),
                                  stp_enum_to_label (STP_ENUM_EPISODE_STATUS, self->episode->status),
                                  discharged);
        if (self->episode->discharge_reason != NULL)
          {
            char *with_reason = g_strdup_printf ("%s: %s", status, self->episode->discharge_reason);
            g_free (status);
            status = with_reason;
          }
      }
    else
      status = g_strdup (stp_enum_to_label (STP_ENUM_EPISODE_STATUS, self->episode->status));
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->program_row), program ? program->name : "—");
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->status_row), status);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->admitted_row), admitted);
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->current_row),
                                 current_stage ? current_stage->name : "—");
  }

  for (guint i = 0; entries != NULL && i < entries->len; i++)
    {
      const StpStageEntry *entry = g_ptr_array_index (entries, i);
      g_autofree char *subtitle = NULL;
      g_autofree char *title = describe_entry (self, entry, &subtitle);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon;
      const char *icon_name;

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      switch (entry->result)
        {
        case STP_STAGE_RESULT_PASSED:
          icon_name = "emblem-ok-symbolic";
          break;
        case STP_STAGE_RESULT_STEPPED_BACK:
          icon_name = "go-previous-symbolic";
          break;
        case STP_STAGE_RESULT_LEFT:
          icon_name = "window-close-symbolic";
          break;
        case STP_STAGE_RESULT_NONE:
        default:
          icon_name = "media-playback-start-symbolic";
          break;
        }
      icon = gtk_image_new_from_icon_name (icon_name);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_list_box_append (GTK_LIST_BOX (self->timeline), row);
    }

  /* Offer the earlier stages for a step back. */
  self->back_stage_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; current_stage != NULL && self->stages != NULL && i < self->stages->len; i++)
    {
      const StpStage *stage = g_ptr_array_index (self->stages, i);
      g_autofree char *label = NULL;

      if (stage->position >= current_stage->position || stage->retired)
        continue;
      label = g_strdup_printf ("%d. %s", stage->position + 1, stage->name);
      gtk_string_list_append (back_names, label);
      g_ptr_array_add (self->back_stage_ids, g_strdup (stage->meta.id));
    }
  adw_combo_row_set_model (ADW_COMBO_ROW (self->back_stage_row), G_LIST_MODEL (back_names));
  gtk_widget_set_sensitive (self->back_button, self->back_stage_ids->len > 0);

  in_program = self->episode->discharged_on == NULL &&
               (self->episode->status == STP_EPISODE_INTAKE || self->episode->status == STP_EPISODE_IN_PROGRAM);
  gtk_widget_set_sensitive (self->actions_group, in_program &&
                            stp_session_can (session, STP_PERMISSION_EDIT_CARE));
  today = stp_store_today (store);
  stp_date_row_set_iso (STP_DATE_ROW (self->date_row), today);
}

static GtkWidget *
named_button (const char *mnemonic,
              const char *name)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (mnemonic);

  gtk_widget_set_name (button, name);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  return button;
}

static void
setup_section (StpCardSection *section)
{
  StpCardProgram *self = STP_CARD_PROGRAM (section);
  GtkWidget *group;
  GtkWidget *buttons;
  GtkWidget *placeholder;

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Current course"));
  self->program_row = stp_property_row_new (_("Program"), NULL);
  self->status_row = stp_property_row_new (_("Status"), NULL);
  self->admitted_row = stp_property_row_new (_("Admitted on"), NULL);
  self->current_row = stp_property_row_new (_("Current stage"), NULL);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->program_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->status_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->admitted_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->current_row);
  stp_card_section_append (section, group);

  self->actions_group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->actions_group), _("Move"));
  self->date_row = stp_date_row_new (_("Date (dd.mm.yyyy)"));
  gtk_widget_set_name (self->date_row, "move_date");
  self->note_row = adw_entry_row_new ();
  gtk_widget_set_name (self->note_row, "move_note");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->note_row), _("Note"));
  self->back_stage_row = adw_combo_row_new ();
  gtk_widget_set_name (self->back_stage_row, "back_stage");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->back_stage_row), _("Return to stage"));
  self->back_button = named_button (_("_Return"), "step_back_button");
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->back_stage_row), self->back_button);
  g_signal_connect_swapped (self->back_button, "clicked", G_CALLBACK (on_back_clicked), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->actions_group), self->date_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->actions_group), self->note_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->actions_group), self->back_stage_row);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (buttons, 12);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  self->discharge_button = named_button (_("_Discharge…"), "discharge_button");
  gtk_widget_add_css_class (self->discharge_button, "destructive-action");
  g_signal_connect_swapped (self->discharge_button, "clicked", G_CALLBACK (on_discharge_clicked), self);
  self->next_button = named_button (_("_Move to the next stage"), "next_stage_button");
  gtk_widget_add_css_class (self->next_button, "suggested-action");
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (on_next_clicked), self);
  gtk_box_append (GTK_BOX (buttons), self->discharge_button);
  gtk_box_append (GTK_BOX (buttons), self->next_button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->actions_group), buttons);
  stp_card_section_append (section, self->actions_group);

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Stages"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Every move between stages, with dates and results."));
  self->timeline = gtk_list_box_new ();
  gtk_widget_set_name (self->timeline, "stage_entries");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->timeline), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->timeline, "boxed-list");
  placeholder = gtk_label_new (_("No stages yet"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (self->timeline), placeholder);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->timeline);
  stp_card_section_append (section, group);

  reload_section (section);
}

static void
stp_card_program_class_init (StpCardProgramClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_program_finalize;
  section_class->setup = setup_section;
  section_class->reload = reload_section;
  /* No template: the page stays empty until it is set up (a card that
   * cannot be opened shows none of it). */
}

static void
stp_card_program_init (StpCardProgram *self)
{
}

GtkWidget *
stp_card_program_new (StpStore   *store,
                      StpSession *session,
                      const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_PROGRAM, store, session, resident_id);
}
