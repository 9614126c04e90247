#define G_LOG_DOMAIN "stp-settings-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-settings-page.h"
#include "stp-exchange-group.h"

#include "stp-sync-page.h"
#include "stp-gui-util.h"
#include "stp-agencies-group.h"
#include "stp-backup-group.h"
#include "stp-import-dialog.h"

struct _StpSettingsPage
{
  AdwPreferencesPage    parent_instance;

  StpStore             *store;
  StpSession           *session;
  GSettings            *settings;
  GPtrArray            *user_rows;      /* rows added to users_group */
  GPtrArray            *program_rows;   /* rows added to programs_group */

  AdwEntryRow          *center_name_row;
  AdwEntryRow          *legal_name_row;
  AdwEntryRow          *region_row;
  AdwEntryRow          *address_row;
  GtkSpinButton        *seats_total;
  GtkSpinButton        *seats_male;
  GtkSpinButton        *seats_female;
  AdwPreferencesGroup  *users_group;
  AdwEntryRow          *new_login_row;
  AdwEntryRow          *new_full_name_row;
  AdwEntryRow          *new_password_row;
  AdwComboRow          *new_role_row;
  AdwPreferencesGroup  *programs_group;
  GtkSpinButton        *idle_spin;
  AdwPreferencesGroup  *sync_group;
};

G_DEFINE_FINAL_TYPE (StpSettingsPage, stp_settings_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  TOAST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void stp_settings_page_load_users    (StpSettingsPage *self);
static void stp_settings_page_load_programs (StpSettingsPage *self);

static void
toast (StpSettingsPage *self,
       const char      *message)
{
  g_signal_emit (self, signals[TOAST], 0, message);
}

static char *
dup_stripped (AdwEntryRow *row)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (text);
  if (*text == '\0')
    return NULL;

  return g_steal_pointer (&text);
}

static void
set_text (AdwEntryRow *row,
          const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

/* --- Center --------------------------------------------------------------- */

static void
stp_settings_page_load_center (StpSettingsPage *self)
{
  g_autoptr(StpCenter) center = stp_store_get_center (self->store, NULL);

  if (center == NULL)
    return;

  set_text (self->center_name_row, center->name);
  set_text (self->legal_name_row, center->legal_name);
  set_text (self->region_row, center->region);
  set_text (self->address_row, center->address);
  gtk_spin_button_set_value (self->seats_total, center->seats_total);
  gtk_spin_button_set_value (self->seats_male, center->seats_male);
  gtk_spin_button_set_value (self->seats_female, center->seats_female);
}

static void
on_save_center_clicked (StpSettingsPage *self)
{
  g_autoptr(StpCenter) center = NULL;
  g_autoptr(GError) error = NULL;

  center = stp_store_get_center (self->store, &error);
  if (center == NULL)
    {
      toast (self, error->message);
      return;
    }

  g_free (center->name);
  center->name = dup_stripped (self->center_name_row);
  g_free (center->legal_name);
  center->legal_name = dup_stripped (self->legal_name_row);
  g_free (center->region);
  center->region = dup_stripped (self->region_row);
  g_free (center->address);
  center->address = dup_stripped (self->address_row);
  center->seats_total = gtk_spin_button_get_value_as_int (self->seats_total);
  center->seats_male = gtk_spin_button_get_value_as_int (self->seats_male);
  center->seats_female = gtk_spin_button_get_value_as_int (self->seats_female);

  if (!stp_store_save_center_record (self->store, self->session, center, &error))
    toast (self, error->message);
  else
    toast (self, _("The center’s data is saved"));
}

/* --- Users ---------------------------------------------------------------- */

static StpUser *
find_user (StpSettingsPage *self,
           const char      *user_id,
           GError         **error)
{
  return stp_store_get_user (self->store, self->session, user_id, error);
}

static void
save_user (StpSettingsPage *self,
           StpUser         *user,
           const char      *password,
           const char      *done_message)
{
  g_autoptr(GError) error = NULL;

  if (!stp_store_save_user_with_password (self->store, self->session, user, password, &error))
    toast (self, error->message);
  else
    toast (self, done_message);

  stp_settings_page_load_users (self);
}

static void
on_role_selected (GtkDropDown     *dropdown,
                  GParamSpec      *pspec,
                  StpSettingsPage *self)
{
  const char *user_id = g_object_get_data (G_OBJECT (dropdown), "user-id");
  g_autoptr(StpUser) user = NULL;
  g_autoptr(GError) error = NULL;
  guint role = gtk_drop_down_get_selected (dropdown);

  user = find_user (self, user_id, &error);
  if (user == NULL)
    {
      toast (self, error->message);
      return;
    }
  if ((guint) user->role == role)
    return;

  user->role = role;
  save_user (self, user, NULL, _("The role is changed"));
}

static void
on_active_clicked (GtkButton       *button,
                   StpSettingsPage *self)
{
  const char *user_id = g_object_get_data (G_OBJECT (button), "user-id");
  g_autoptr(StpUser) user = NULL;
  g_autoptr(GError) error = NULL;

  user = find_user (self, user_id, &error);
  if (user == NULL)
    {
      toast (self, error->message);
      return;
    }

  user->active = !user->active;
  save_user (self, user,  NULL,
             user->active ? _("The account is switched on") : _("The account is switched off"));
}

static void
on_reset_response (AdwMessageDialog *dialog,
                   const char       *response,
                   StpSettingsPage  *self)
{
  const char *user_id = g_object_get_data (G_OBJECT (dialog), "user-id");
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autoptr(StpUser) user = NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "reset") != 0)
    return;

  if (*gtk_editable_get_text (entry) == '\0')
    {
      toast (self, _("The new password is empty; nothing was changed"));
      return;
    }

  user = find_user (self, user_id, &error);
  if (user == NULL)
    {
      toast (self, error->message);
      return;
    }

  save_user (self, user, gtk_editable_get_text (entry), _("The password is changed"));
}

static void
on_reset_clicked (GtkButton       *button,
                  StpSettingsPage *self)
{
  const char *user_id = g_object_get_data (G_OBJECT (button), "user-id");
  const char *full_name = g_object_get_data (G_OBJECT (button), "full-name");
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  GtkWidget *entry;

  /* TRANSLATORS: %s is a user's full name */
  body = g_strdup_printf (_("Type a new password for %s and tell it to them in person."), full_name);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Reset Password?"), body);
  entry = gtk_password_entry_new ();
  gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("New password"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "reset", _("_Reset Password"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reset",
                                              ADW_RESPONSE_SUGGESTED);
  g_object_set_data_full (G_OBJECT (dialog), "user-id", g_strdup (user_id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_reset_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static GtkStringList *
role_list_new (void)
{
  GtkStringList *roles = gtk_string_list_new (NULL);
  const StpEnumItem *items = stp_enum_get_items (STP_ENUM_ROLE);

  /* Positions in the list are the StpRole values. */
  for (guint i = 0; items[i].code != NULL; i++)
    gtk_string_list_append (roles, stp_enum_to_label (STP_ENUM_ROLE, items[i].value));

  return roles;
}

static void
stp_settings_page_load_users (StpSettingsPage *self)
{
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->user_rows->len; i++)
    adw_preferences_group_remove (self->users_group, g_ptr_array_index (self->user_rows, i));
  g_ptr_array_set_size (self->user_rows, 0);

  users = stp_store_list (self->store, self->session, STP_KIND_USER, NULL, NULL, &error);
  if (users == NULL)
    {
      toast (self, error->message);
      return;
    }

  for (guint i = 0; i < users->len; i++)
    {
      StpUser *user = g_ptr_array_index (users, i);
      g_autoptr(GtkStringList) roles = role_list_new ();
      g_autofree char *subtitle = NULL;
      g_autofree char *role_label = NULL;
      g_autofree char *widget_name = NULL;
      GtkWidget *row;
      GtkWidget *dropdown;
      GtkWidget *button;

      subtitle = g_strdup_printf ("%s · %s", user->login,
                                  user->active ? _("active") : _("switched off"));
      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), user->full_name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      widget_name = g_strdup_printf ("user-%s", user->login);
      gtk_widget_set_name (row, widget_name);

      dropdown = gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&roles)), NULL);
      gtk_widget_set_valign (dropdown, GTK_ALIGN_CENTER);
      gtk_drop_down_set_selected (GTK_DROP_DOWN (dropdown), user->role);
      /* TRANSLATORS: accessible name of a drop-down; %s is a full name */
      role_label = g_strdup_printf (_("Role of %s"), user->full_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, role_label,
                                      -1);
      g_object_set_data_full (G_OBJECT (dropdown), "user-id", g_strdup (user->meta.id), g_free);
      g_signal_connect_object (dropdown, "notify::selected", G_CALLBACK (on_role_selected), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), dropdown);

      button = gtk_button_new_from_icon_name ("dialog-password-symbolic");
      gtk_widget_set_tooltip_text (button, _("Reset Password…"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Reset Password…"),
                                      -1);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "user-id", g_strdup (user->meta.id), g_free);
      g_object_set_data_full (G_OBJECT (button), "full-name", g_strdup (user->full_name), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_reset_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      button = gtk_button_new_with_mnemonic (user->active ? _("Switch _Off") : _("Switch _On"));
      stp_gui_fix_mnemonic_names (button);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data_full (G_OBJECT (button), "user-id", g_strdup (user->meta.id), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_active_clicked), self, 0);
      /* The director cannot lock themself out. */
      gtk_widget_set_sensitive (button, g_strcmp0 (user->meta.id, stp_session_get_user_id (self->session)) != 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

      adw_preferences_group_add (self->users_group, row);
      g_ptr_array_add (self->user_rows, row);
    }
}

static void
on_create_user_clicked (StpSettingsPage *self)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(GError) error = NULL;
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->new_password_row));

  user->login = dup_stripped (self->new_login_row);
  user->full_name = dup_stripped (self->new_full_name_row);
  user->role = adw_combo_row_get_selected (self->new_role_row);
  user->active = TRUE;

  if (user->login == NULL || user->full_name == NULL || *password == '\0')
    {
      toast (self, _("Type the login, full name and password of the new user"));
      return;
    }

  if (!stp_store_save_user_with_password (self->store, self->session, user, password, &error))
    {
      toast (self, error->message);
      return;
    }

  set_text (self->new_login_row, NULL);
  set_text (self->new_full_name_row, NULL);
  set_text (self->new_password_row, NULL);
  toast (self, _("The user is created"));
  stp_settings_page_load_users (self);
}

/* --- Programs ------------------------------------------------------------- */

static void
on_stage_name_applied (AdwEntryRow     *row,
                       StpSettingsPage *self)
{
  const char *stage_id = g_object_get_data (G_OBJECT (row), "stage-id");
  g_autoptr(StpStage) stage = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = dup_stripped (row);

  stage = stp_store_get_stage (self->store, self->session, stage_id, &error);
  if (stage == NULL)
    {
      toast (self, error->message);
      return;
    }

  g_free (stage->name);
  stage->name = g_steal_pointer (&name);
  if (!stp_store_save_stage (self->store, self->session, stage, &error))
    toast (self, error->message);
  else
    toast (self, _("The stage is renamed"));
}

static void
on_new_stage_applied (AdwEntryRow     *row,
                      StpSettingsPage *self)
{
  g_autoptr(StpStage) stage = stp_stage_new ();
  g_autoptr(GError) error = NULL;

  stage->program_id = g_strdup (g_object_get_data (G_OBJECT (row), "program-id"));
  stage->position = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (row), "position"));
  stage->name = dup_stripped (row);
  if (stage->name == NULL)
    return;
  /* Stages of different programs are added up in the region by kind. */
  stage->kind = (StpStageKind) adw_combo_row_get_selected (g_object_get_data (G_OBJECT (row), "kind-row"));

  if (!stp_store_save_stage (self->store, self->session, stage, &error))
    {
      toast (self, error->message);
      return;
    }

  toast (self, _("The stage is added"));
  stp_settings_page_load_programs (self);
}

static void
on_remove_stage_clicked (GtkButton       *button,
                         StpSettingsPage *self)
{
  const char *stage_id = g_object_get_data (G_OBJECT (button), "stage-id");
  g_autoptr(GError) error = NULL;
  gboolean retired = FALSE;

  if (!stp_store_remove_stage (self->store, self->session, stage_id, &retired, &error))
    {
      toast (self, error->message);
      return;
    }

  toast (self, retired
               ? _("The stage has residents’ history, so it is retired: kept, but no longer offered")
               : _("The stage is deleted"));
  stp_settings_page_load_programs (self);
}

static GtkWidget *
stage_row_new (StpSettingsPage *self,
               StpStage        *stage,
               guint            number)
{
  g_autofree char *title = NULL;
  g_autofree char *widget_name = NULL;
  GtkWidget *row;

  row = adw_entry_row_new ();
  widget_name = g_strdup_printf ("stage-%s", stage->meta.id);
  gtk_widget_set_name (row, widget_name);
  gtk_editable_set_text (GTK_EDITABLE (row), stage->name != NULL ? stage->name : "");
  g_object_set_data_full (G_OBJECT (row), "stage-id", g_strdup (stage->meta.id), g_free);

  if (stage->retired)
    {
      /* TRANSLATORS: %u is the stage's number in its program */
      title = g_strdup_printf (_("Stage %u, retired"), number);
      gtk_widget_set_sensitive (row, FALSE);
    }
  else
    {
      GtkWidget *button;
      g_autofree char *button_name = g_strdup_printf ("remove-stage-%s", stage->meta.id);

      /* TRANSLATORS: %u is the stage's number in its program, %s its kind */
      title = g_strdup_printf (_("Stage %u · %s"), number, stp_enum_to_label (STP_ENUM_STAGE_KIND, stage->kind));
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (row), TRUE);
      g_signal_connect_object (row, "apply", G_CALLBACK (on_stage_name_applied), self, 0);

      button = gtk_button_new_from_icon_name ("user-trash-symbolic");
      gtk_widget_set_name (button, button_name);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (button, _("Remove the stage (retire it when residents passed it)"));
      gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Remove the stage"),
                                      -1);
      gtk_widget_add_css_class (button, "flat");
      g_object_set_data_full (G_OBJECT (button), "stage-id", g_strdup (stage->meta.id), g_free);
      g_signal_connect_object (button, "clicked", G_CALLBACK (on_remove_stage_clicked), self, 0);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), button);
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  return row;
}

/* The kind asked of a new stage; its row keeps it as "kind-row". */
static GtkWidget *
stage_kind_row_new (GtkWidget  *new_row,
                    StpProgram *program)
{
  const StpEnumItem *items = stp_enum_get_items (STP_ENUM_STAGE_KIND);
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  g_autofree char *widget_name = g_strdup_printf ("new-stage-kind-%s", program->meta.id);
  GtkWidget *row = adw_combo_row_new ();

  for (guint i = 0; items[i].code != NULL; i++)
    gtk_string_list_append (kinds, stp_enum_to_label (STP_ENUM_STAGE_KIND, items[i].value));
  gtk_widget_set_name (row, widget_name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("Kind of the new stage"));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (kinds));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), STP_STAGE_KIND_OTHER);
  g_object_set_data (G_OBJECT (new_row), "kind-row", row);
  return row;
}

static void
stp_settings_page_load_programs (StpSettingsPage *self)
{
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < self->program_rows->len; i++)
    adw_preferences_group_remove (self->programs_group, g_ptr_array_index (self->program_rows, i));
  g_ptr_array_set_size (self->program_rows, 0);

  programs = stp_store_list (self->store, self->session, STP_KIND_PROGRAM, NULL, NULL, &error);
  if (programs == NULL)
    {
      toast (self, error->message);
      return;
    }

  for (guint p = 0; p < programs->len; p++)
    {
      StpProgram *program = g_ptr_array_index (programs, p);
      g_autoptr(GPtrArray) stages = NULL;
      g_autofree char *widget_name = NULL;
      GtkWidget *expander;
      GtkWidget *new_row;
      int next_position = 0;

      expander = adw_expander_row_new ();
      widget_name = g_strdup_printf ("program-%s", program->meta.id);
      gtk_widget_set_name (expander, widget_name);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (expander), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), program->name);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander),
                                     stp_enum_to_label (STP_ENUM_PROGRAM_MODEL, program->model));

      stages = stp_store_list_stages (self->store, self->session, program->meta.id, &error);
      if (stages == NULL)
        {
          toast (self, error->message);
          g_clear_error (&error);
        }
      for (guint s = 0; stages != NULL && s < stages->len; s++)
        {
          StpStage *stage = g_ptr_array_index (stages, s);

          adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), stage_row_new (self, stage, s + 1));
          next_position = MAX (next_position, stage->position + 1);
        }

      new_row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (new_row), _("New stage: type its name and press Enter"));
      adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (new_row), TRUE);
      g_object_set_data_full (G_OBJECT (new_row), "program-id", g_strdup (program->meta.id), g_free);
      g_object_set_data (G_OBJECT (new_row), "position", GINT_TO_POINTER (next_position));
      g_signal_connect_object (new_row, "apply", G_CALLBACK (on_new_stage_applied), self, 0);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), new_row);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), stage_kind_row_new (new_row, program));

      adw_preferences_group_add (self->programs_group, expander);
      g_ptr_array_add (self->program_rows, expander);
    }
}

void
stp_settings_page_reload (StpSettingsPage *self)
{
  g_return_if_fail (STP_IS_SETTINGS_PAGE (self));

  stp_settings_page_load_center (self);
  stp_settings_page_load_users (self);
  stp_settings_page_load_programs (self);
}

static void
stp_settings_page_dispose (GObject *object)
{
  StpSettingsPage *self = STP_SETTINGS_PAGE (object);

  g_clear_pointer (&self->user_rows, g_ptr_array_unref);
  g_clear_pointer (&self->program_rows, g_ptr_array_unref);
  g_clear_object (&self->settings);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_SETTINGS_PAGE);

  G_OBJECT_CLASS (stp_settings_page_parent_class)->dispose (object);
}

static void
stp_settings_page_class_init (StpSettingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_settings_page_dispose;

  /**
   * StpSettingsPage::toast:
   * @message: a short translated message about what just happened
   */
  signals[TOAST] =
    g_signal_new ("toast",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, center_name_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, legal_name_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, region_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, address_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, seats_total);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, seats_male);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, seats_female);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, users_group);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, new_login_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, new_full_name_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, new_password_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, new_role_row);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, programs_group);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, idle_spin);
  gtk_widget_class_bind_template_child (widget_class, StpSettingsPage, sync_group);
  gtk_widget_class_bind_template_callback (widget_class, on_save_center_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_create_user_clicked);
}

static void
stp_settings_page_init (StpSettingsPage *self)
{
  g_autoptr(GtkStringList) roles = role_list_new ();

  self->user_rows = g_ptr_array_new ();
  self->program_rows = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  adw_combo_row_set_model (self->new_role_row, G_LIST_MODEL (roles));
  adw_combo_row_set_selected (self->new_role_row, STP_ROLE_STAFF);
}

StpSettingsPage *
stp_settings_page_new (StpStore   *store,
                       StpSession *session,
                       GSettings  *settings)
{
  StpSettingsPage *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (STP_TYPE_SETTINGS_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);

  if (settings != NULL)
    {
      self->settings = g_object_ref (settings);
      g_settings_bind (settings, "idle-lock-minutes",
                       gtk_spin_button_get_adjustment (self->idle_spin), "value",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->idle_spin), FALSE);
    }

  adw_preferences_group_add (self->sync_group, stp_sync_page_new (store, session));
  gtk_widget_set_visible (GTK_WIDGET (self->sync_group), TRUE);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self),
                            ADW_PREFERENCES_GROUP (stp_exchange_group_new (store, session)));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self),
                            ADW_PREFERENCES_GROUP (stp_agencies_group_new (store, session)));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self),
                            ADW_PREFERENCES_GROUP (stp_backup_group_new (store, session)));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self),
                            ADW_PREFERENCES_GROUP (stp_import_dialog_new_settings_group (store, session)));

  /* Filled by stp_settings_page_reload() when first shown. */

  return self;
}
