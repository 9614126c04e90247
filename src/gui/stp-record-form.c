#define G_LOG_DOMAIN "stp-record-form"

#include "config.h"

#include "stp-record-form.h"
#include "stp-date-row.h"
#include "stp-error.h"
#include "stp-gui-util.h"

#include <glib/gi18n-lib.h>

typedef struct
{
  const StpFormField *field;
  GtkWidget          *row;
  GtkWidget          *value_widget;   /* switch, spin button or text view */
  GPtrArray          *choice_ids;     /* for STP_FIELD_CHOICE; NULL item = none */
} FieldState;

struct _StpRecordForm
{
  GObject     parent_instance;

  GtkWidget  *group;                  /* owned (ref_sink) */
  GPtrArray  *states;                 /* FieldState */
  gboolean    loading;
  char       *baseline;               /* the rows as last loaded, reset or saved */
  StpRecordFormSaveFunc save_func;
  gpointer    save_data;
};

G_DEFINE_FINAL_TYPE (StpRecordForm, stp_record_form, G_TYPE_OBJECT)

enum {
  CHANGED,
  ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
field_state_free (gpointer data)
{
  FieldState *state = data;

  g_clear_pointer (&state->choice_ids, g_ptr_array_unref);
  g_free (state);
}

#define FIELD_PTR(record, field) ((guint8 *) (record) + (field)->offset)

/* --- Helpers shared by the forms and pages ------------------------------ */

void
stp_row_set_error (GtkWidget  *row,
                   const char *message)
{
  GtkWidget *label;

  g_return_if_fail (GTK_IS_WIDGET (row));

  label = g_object_get_data (G_OBJECT (row), "stp-error-label");
  if (message == NULL)
    {
      gtk_widget_remove_css_class (row, "error");
      if (label != NULL)
        gtk_widget_set_visible (label, FALSE);
      return;
    }

  gtk_widget_add_css_class (row, "error");
  if (label == NULL)
    {
      label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
      gtk_label_set_xalign (GTK_LABEL (label), 1.0);
      gtk_widget_add_css_class (label, "error");
      gtk_widget_add_css_class (label, "caption");
      if (ADW_IS_ENTRY_ROW (row))
        adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), label);
      else if (ADW_IS_ACTION_ROW (row))
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      else
        label = NULL;
      if (label != NULL)
        g_object_set_data (G_OBJECT (row), "stp-error-label", label);
    }
  if (label != NULL)
    {
      gtk_label_set_text (GTK_LABEL (label), message);
      gtk_widget_set_visible (label, TRUE);
    }
  gtk_widget_set_tooltip_text (row, message);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                  -1);
}

GtkWidget *
stp_enum_combo_row_new (const char  *title,
                        StpEnumType  type)
{
  const StpEnumItem *items = stp_enum_get_items (type);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  GtkWidget *row;

  for (guint i = 0; items != NULL && items[i].code != NULL; i++)
    gtk_string_list_append (list, stp_enum_to_label (type, items[i].value));

  row = adw_combo_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
  return row;
}

int
stp_enum_combo_row_get_value (AdwComboRow *row,
                              StpEnumType  type)
{
  const StpEnumItem *items = stp_enum_get_items (type);
  guint selected = adw_combo_row_get_selected (row);

  for (guint i = 0; items != NULL && items[i].code != NULL; i++)
    if (i == selected)
      return items[i].value;
  return items != NULL && items[0].code != NULL ? items[0].value : 0;
}

void
stp_enum_combo_row_set_value (AdwComboRow *row,
                              StpEnumType  type,
                              int          value)
{
  const StpEnumItem *items = stp_enum_get_items (type);

  for (guint i = 0; items != NULL && items[i].code != NULL; i++)
    if (items[i].value == value)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  adw_combo_row_set_selected (row, 0);
}

/* More than a toast shows whole on a 1024 px window. */
#define TOAST_MAX_CHARS 60

gboolean
stp_message_is_long (const char *message)
{
  return message != NULL && g_utf8_strlen (message, -1) > TOAST_MAX_CHARS;
}

void
stp_show_message_dialog (GtkWindow  *parent,
                         const char *message)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, NULL, message);

  gtk_widget_set_name (dialog, "message-dialog");
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

AdwToast *
stp_widget_show_toast (GtkWidget  *widget,
                       const char *title)
{
  GtkWidget *overlay;
  AdwToast *toast;
  GtkRoot *root;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  g_debug ("Toast: %s", title);
  /* A long message would be cut in a toast: a dialog shows it whole. */
  root = gtk_widget_get_root (widget);
  if (stp_message_is_long (title) && GTK_IS_WINDOW (root))
    {
      stp_show_message_dialog (GTK_WINDOW (root), title);
      return NULL;
    }
  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  toast = adw_toast_new (title);
  if (overlay == NULL)
    {
      g_message ("%s", title);
      g_object_unref (toast);
      return NULL;
    }
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  return toast;
}

void
stp_list_box_clear (GtkListBox *box)
{
  GtkWidget *child;

  g_return_if_fail (GTK_IS_LIST_BOX (box));

  /* Rows only: the placeholder is a child too, and removing it unsets it. */
  child = gtk_widget_get_first_child (GTK_WIDGET (box));
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (GTK_IS_LIST_BOX_ROW (child))
        gtk_list_box_remove (box, child);
      child = next;
    }
}

/* --- The form ------------------------------------------------------------ */

static void
stp_record_form_emit_changed (StpRecordForm *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_entry_changed (GtkEditable   *editable,
                  StpRecordForm *self)
{
  /* Typing into a marked row means the person is fixing it. */
  if (!STP_IS_DATE_ROW (editable))
    stp_row_set_error (GTK_WIDGET (editable), NULL);
  else if (!gtk_widget_has_css_class (GTK_WIDGET (editable), "error"))
    stp_row_set_error (GTK_WIDGET (editable), NULL);
  stp_record_form_emit_changed (self);
}

static void
on_entry_activated (AdwEntryRow   *row,
                    StpRecordForm *self)
{
  g_signal_emit (self, signals[ACTIVATED], 0);
}

static void
on_value_notify (GObject       *object,
                 GParamSpec    *pspec,
                 StpRecordForm *self)
{
  stp_record_form_emit_changed (self);
}

static void
stp_record_form_finalize (GObject *object)
{
  StpRecordForm *self = (StpRecordForm *) object;

  if (self->group != NULL)
    g_object_set_data (G_OBJECT (self->group), "stp-record-form", NULL);
  g_clear_pointer (&self->states, g_ptr_array_unref);
  g_clear_object (&self->group);
  g_clear_pointer (&self->baseline, g_free);

  G_OBJECT_CLASS (stp_record_form_parent_class)->finalize (object);
}

static void
stp_record_form_class_init (StpRecordFormClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stp_record_form_finalize;

  /* Any row changed by the person (not by load). */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
  /* Enter pressed in one of the entries. */
  signals[ACTIVATED] = g_signal_new ("activated",
                                     G_TYPE_FROM_CLASS (klass),
                                     G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL,
                                     G_TYPE_NONE, 0);
}

static void
stp_record_form_init (StpRecordForm *self)
{
  self->states = g_ptr_array_new_with_free_func (field_state_free);
}

static char *
text_view_get (GtkWidget *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
text_view_set (GtkWidget  *view,
               const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text ? text : "", -1);
}

static void
on_buffer_changed (GtkTextBuffer *buffer,
                   StpRecordForm *self)
{
  stp_record_form_emit_changed (self);
}

/* A field of several lines (a journal entry): its title above a text view. */
static GtkWidget *
make_long_text_row (StpRecordForm *self,
                    FieldState    *state,
                    const char    *title)
{
  GtkWidget *row = adw_preferences_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *frame = gtk_frame_new (NULL);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);

  state->value_widget = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (state->value_widget), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (state->value_widget), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (state->value_widget), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (state->value_widget), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (state->value_widget), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (state->value_widget), 6);
  gtk_widget_set_size_request (state->value_widget, -1, 90);
  gtk_accessible_update_property (GTK_ACCESSIBLE (state->value_widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  gtk_frame_set_child (GTK_FRAME (frame), state->value_widget);
  gtk_box_append (GTK_BOX (box), frame);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_signal_connect (gtk_text_view_get_buffer (GTK_TEXT_VIEW (state->value_widget)), "changed",
                    G_CALLBACK (on_buffer_changed), self);
  return row;
}

static GtkWidget *
make_row (StpRecordForm *self,
          FieldState    *state)
{
  const StpFormField *field = state->field;
  const char *title = g_dgettext (GETTEXT_PACKAGE, field->label);
  GtkWidget *row = NULL;

  switch (field->type)
    {
    case STP_FIELD_TEXT:
      row = adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      g_signal_connect (row, "changed", G_CALLBACK (on_entry_changed), self);
      g_signal_connect (row, "entry-activated", G_CALLBACK (on_entry_activated), self);
      break;

    case STP_FIELD_LONG_TEXT:
      row = make_long_text_row (self, state, title);
      break;

    case STP_FIELD_DATE:
      row = stp_date_row_new (title);
      g_signal_connect (row, "changed", G_CALLBACK (on_entry_changed), self);
      g_signal_connect (row, "entry-activated", G_CALLBACK (on_entry_activated), self);
      break;

    case STP_FIELD_ENUM:
      row = stp_enum_combo_row_new (title, field->enum_type);
      g_signal_connect (row, "notify::selected", G_CALLBACK (on_value_notify), self);
      break;

    case STP_FIELD_CHOICE:
      {
        g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);

        row = adw_combo_row_new ();
        adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
        adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
        state->choice_ids = g_ptr_array_new_with_free_func (g_free);
        g_signal_connect (row, "notify::selected", G_CALLBACK (on_value_notify), self);
      }
      break;

    case STP_FIELD_BOOL:
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      state->value_widget = gtk_switch_new ();
      gtk_widget_set_valign (state->value_widget, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (state->value_widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), state->value_widget);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), state->value_widget);
      g_signal_connect (state->value_widget, "notify::active", G_CALLBACK (on_value_notify), self);
      break;

    case STP_FIELD_INT:
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      state->value_widget = gtk_spin_button_new_with_range (0, 1000, 1);
      gtk_widget_set_valign (state->value_widget, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (state->value_widget),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), state->value_widget);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), state->value_widget);
      g_signal_connect (state->value_widget, "notify::value", G_CALLBACK (on_value_notify), self);
      break;

    default:
      g_assert_not_reached ();
    }

  gtk_widget_set_name (row, field->name);
  return row;
}

/* The rows' values as text, to tell whether the person changed anything. */
static char *
form_dump (StpRecordForm *self)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();

  stp_record_form_save_keyfile (self, keyfile, "form");
  return g_key_file_to_data (keyfile, NULL, NULL);
}

void
stp_record_form_mark_unmodified (StpRecordForm *self)
{
  g_return_if_fail (STP_IS_RECORD_FORM (self));

  g_free (self->baseline);
  self->baseline = form_dump (self);
}

gboolean
stp_record_form_is_modified (StpRecordForm *self)
{
  g_autofree char *now = NULL;

  g_return_val_if_fail (STP_IS_RECORD_FORM (self), FALSE);

  /* A disabled form (an editor with nothing to edit) holds no edits. */
  if (!gtk_widget_get_sensitive (self->group))
    return FALSE;
  now = form_dump (self);
  if (g_strcmp0 (now, self->baseline) == 0)
    return FALSE;
  g_debug ("«%s» modified: was\n%s\nnow\n%s",
           adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (self->group)),
           self->baseline, now);
  return TRUE;
}

void
stp_record_form_set_save_func (StpRecordForm         *self,
                               StpRecordFormSaveFunc  func,
                               gpointer               user_data)
{
  g_return_if_fail (STP_IS_RECORD_FORM (self));

  self->save_func = func;
  self->save_data = user_data;
}

gboolean
stp_record_form_save (StpRecordForm *self)
{
  g_return_val_if_fail (STP_IS_RECORD_FORM (self), FALSE);

  if (!stp_record_form_is_modified (self))
    return TRUE;
  if (self->save_func == NULL)
    return FALSE;
  return self->save_func (self->save_data);
}

StpRecordForm *
stp_record_form_from_widget (GtkWidget *widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  return g_object_get_data (G_OBJECT (widget), "stp-record-form");
}

StpRecordForm *
stp_record_form_new (const StpFormField *fields,
                     const char         *title)
{
  StpRecordForm *self;

  g_return_val_if_fail (fields != NULL, NULL);

  self = g_object_new (STP_TYPE_RECORD_FORM, NULL);
  self->group = g_object_ref_sink (adw_preferences_group_new ());
  if (title != NULL)
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), title);

  for (guint i = 0; fields[i].name != NULL; i++)
    {
      FieldState *state = g_new0 (FieldState, 1);

      state->field = &fields[i];
      state->row = make_row (self, state);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), state->row);
      g_ptr_array_add (self->states, state);
    }
  /* The window finds the forms of its pages through their groups, to ask
   * about unsaved edits before it closes. */
  g_object_set_data (G_OBJECT (self->group), "stp-record-form", self);
  stp_record_form_mark_unmodified (self);

  return self;
}

GtkWidget *
stp_record_form_get_widget (StpRecordForm *self)
{
  g_return_val_if_fail (STP_IS_RECORD_FORM (self), NULL);

  return self->group;
}

static FieldState *
find_state (StpRecordForm *self,
            const char    *name)
{
  if (name == NULL)
    return NULL;
  for (guint i = 0; i < self->states->len; i++)
    {
      FieldState *state = g_ptr_array_index (self->states, i);

      if (g_strcmp0 (state->field->name, name) == 0)
        return state;
    }
  return NULL;
}

GtkWidget *
stp_record_form_get_row (StpRecordForm *self,
                         const char    *name)
{
  FieldState *state;

  g_return_val_if_fail (STP_IS_RECORD_FORM (self), NULL);

  state = find_state (self, name);
  return state ? state->row : NULL;
}

static void        choice_select (FieldState *state,
                                  const char *id);
static const char *choice_get    (FieldState *state);

void
stp_record_form_set_choices (StpRecordForm      *self,
                             const char         *name,
                             const char * const *ids,
                             const char * const *labels)
{
  FieldState *state;
  g_autoptr(GtkStringList) list = NULL;
  g_autofree char *current = NULL;
  gboolean was_modified;

  g_return_if_fail (STP_IS_RECORD_FORM (self));

  state = find_state (self, name);
  g_return_if_fail (state != NULL && state->field->type == STP_FIELD_CHOICE);

  was_modified = stp_record_form_is_modified (self);
  /* The choice being made survives new choices (a reload while editing). */
  current = g_strdup (choice_get (state));
  list = gtk_string_list_new (NULL);
  g_ptr_array_set_size (state->choice_ids, 0);
  for (guint i = 0; labels != NULL && labels[i] != NULL; i++)
    {
      gtk_string_list_append (list, labels[i]);
      g_ptr_array_add (state->choice_ids, g_strdup (ids[i]));
    }
  self->loading = TRUE;
  adw_combo_row_set_model (ADW_COMBO_ROW (state->row), G_LIST_MODEL (list));
  if (current != NULL)
    choice_select (state, current);
  self->loading = FALSE;
  /* New choices are not an edit of the person's. */
  if (!was_modified)
    stp_record_form_mark_unmodified (self);
}

static void
choice_select (FieldState *state,
               const char *id)
{
  for (guint i = 0; i < state->choice_ids->len; i++)
    if (g_strcmp0 (g_ptr_array_index (state->choice_ids, i), id) == 0)
      {
        adw_combo_row_set_selected (ADW_COMBO_ROW (state->row), i);
        return;
      }
  if (state->choice_ids->len > 0)
    adw_combo_row_set_selected (ADW_COMBO_ROW (state->row), 0);
}

static const char *
choice_get (FieldState *state)
{
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (state->row));

  if (selected < state->choice_ids->len)
    return g_ptr_array_index (state->choice_ids, selected);
  return NULL;
}

void
stp_record_form_load (StpRecordForm *self,
                      gconstpointer  record)
{
  g_return_if_fail (STP_IS_RECORD_FORM (self));
  g_return_if_fail (record != NULL);

  self->loading = TRUE;
  stp_record_form_clear_errors (self);
  for (guint i = 0; i < self->states->len; i++)
    {
      FieldState *state = g_ptr_array_index (self->states, i);
      const StpFormField *field = state->field;
      gconstpointer ptr = FIELD_PTR (record, field);

      switch (field->type)
        {
        case STP_FIELD_TEXT:
          {
            const char *text = *(char * const *) ptr;
            gtk_editable_set_text (GTK_EDITABLE (state->row), text ? text : "");
          }
          break;
        case STP_FIELD_LONG_TEXT:
          text_view_set (state->value_widget, *(char * const *) ptr);
          break;
        case STP_FIELD_DATE:
          stp_date_row_set_iso (STP_DATE_ROW (state->row), *(char * const *) ptr);
          break;
        case STP_FIELD_ENUM:
          stp_enum_combo_row_set_value (ADW_COMBO_ROW (state->row), field->enum_type,
                                        *(const int *) ptr);
          break;
        case STP_FIELD_CHOICE:
          choice_select (state, *(char * const *) ptr);
          break;
        case STP_FIELD_BOOL:
          gtk_switch_set_active (GTK_SWITCH (state->value_widget), *(const gboolean *) ptr);
          break;
        case STP_FIELD_INT:
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (state->value_widget), *(const int *) ptr);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  self->loading = FALSE;
  stp_record_form_mark_unmodified (self);
}

static void
set_string (gpointer    ptr,
            const char *value)
{
  char **field = ptr;
  g_autofree char *stripped = g_strstrip (g_strdup (value ? value : ""));

  g_free (*field);
  *field = *stripped ? g_steal_pointer (&stripped) : NULL;
}

gboolean
stp_record_form_store (StpRecordForm  *self,
                       gpointer        record,
                       GError        **error)
{
  g_autoptr(GError) first_error = NULL;

  g_return_val_if_fail (STP_IS_RECORD_FORM (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  for (guint i = 0; i < self->states->len; i++)
    {
      FieldState *state = g_ptr_array_index (self->states, i);
      const StpFormField *field = state->field;
      gpointer ptr = FIELD_PTR (record, field);

      switch (field->type)
        {
        case STP_FIELD_TEXT:
          set_string (ptr, gtk_editable_get_text (GTK_EDITABLE (state->row)));
          break;
        case STP_FIELD_LONG_TEXT:
          {
            g_autofree char *text = text_view_get (state->value_widget);

            set_string (ptr, text);
          }
          break;
        case STP_FIELD_DATE:
          {
            g_autoptr(GError) local_error = NULL;
            char *iso = NULL;

            if (!stp_date_row_get_iso (STP_DATE_ROW (state->row), &iso, &local_error))
              {
                stp_row_set_error (state->row, local_error->message);
                if (first_error == NULL)
                  {
                    stp_set_field_error (&first_error, field->name, "%s", local_error->message);
                    gtk_widget_grab_focus (state->row);
                  }
              }
            else
              {
                g_free (*(char **) ptr);
                *(char **) ptr = iso;
              }
          }
          break;
        case STP_FIELD_ENUM:
          *(int *) ptr = stp_enum_combo_row_get_value (ADW_COMBO_ROW (state->row), field->enum_type);
          break;
        case STP_FIELD_CHOICE:
          set_string (ptr, choice_get (state));
          break;
        case STP_FIELD_BOOL:
          *(gboolean *) ptr = gtk_switch_get_active (GTK_SWITCH (state->value_widget));
          break;
        case STP_FIELD_INT:
          *(int *) ptr = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (state->value_widget));
          break;
        default:
          g_assert_not_reached ();
        }
    }

  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

void
stp_record_form_reset (StpRecordForm *self)
{
  g_return_if_fail (STP_IS_RECORD_FORM (self));

  self->loading = TRUE;
  stp_record_form_clear_errors (self);
  for (guint i = 0; i < self->states->len; i++)
    {
      FieldState *state = g_ptr_array_index (self->states, i);

      switch (state->field->type)
        {
        case STP_FIELD_TEXT:
        case STP_FIELD_DATE:
          gtk_editable_set_text (GTK_EDITABLE (state->row), "");
          break;
        case STP_FIELD_LONG_TEXT:
          text_view_set (state->value_widget, "");
          break;
        case STP_FIELD_ENUM:
        case STP_FIELD_CHOICE:
          adw_combo_row_set_selected (ADW_COMBO_ROW (state->row), 0);
          break;
        case STP_FIELD_BOOL:
          gtk_switch_set_active (GTK_SWITCH (state->value_widget), FALSE);
          break;
        case STP_FIELD_INT:
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (state->value_widget), 0);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  self->loading = FALSE;
  stp_record_form_mark_unmodified (self);
}

gboolean
stp_record_form_show_error (StpRecordForm *self,
                            const GError  *error)
{
  FieldState *state;

  g_return_val_if_fail (STP_IS_RECORD_FORM (self), FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  state = find_state (self, stp_error_get_field (error));
  if (state == NULL)
    return FALSE;
  stp_row_set_error (state->row, error->message);
  /* Take the person to the field to fix. */
  gtk_widget_grab_focus (state->row);
  return TRUE;
}

void
stp_record_form_clear_errors (StpRecordForm *self)
{
  g_return_if_fail (STP_IS_RECORD_FORM (self));

  for (guint i = 0; i < self->states->len; i++)
    {
      FieldState *state = g_ptr_array_index (self->states, i);

      stp_row_set_error (state->row, NULL);
    }
}

void
stp_record_form_save_keyfile (StpRecordForm *self,
                              GKeyFile      *keyfile,
                              const char    *group)
{
  g_return_if_fail (STP_IS_RECORD_FORM (self));

  for (guint i = 0; i < self->states->len; i++)
    {
      FieldState *state = g_ptr_array_index (self->states, i);
      const char *key = state->field->name;

      switch (state->field->type)
        {
        case STP_FIELD_TEXT:
        case STP_FIELD_DATE:
          /* Raw text, so that a half-typed date survives too. */
          g_key_file_set_string (keyfile, group, key,
                                 gtk_editable_get_text (GTK_EDITABLE (state->row)));
          break;
        case STP_FIELD_LONG_TEXT:
          {
            g_autofree char *text = text_view_get (state->value_widget);

            g_key_file_set_string (keyfile, group, key, text);
          }
          break;
        case STP_FIELD_ENUM:
          g_key_file_set_integer (keyfile, group, key,
                                  (int) adw_combo_row_get_selected (ADW_COMBO_ROW (state->row)));
          break;
        case STP_FIELD_CHOICE:
          g_key_file_set_string (keyfile, group, key, choice_get (state) ?: "");
          break;
        case STP_FIELD_BOOL:
          g_key_file_set_boolean (keyfile, group, key,
                                  gtk_switch_get_active (GTK_SWITCH (state->value_widget)));
          break;
        case STP_FIELD_INT:
          g_key_file_set_integer (keyfile, group, key,
                                  gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (state->value_widget)));
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

void
stp_record_form_load_keyfile (StpRecordForm *self,
                              GKeyFile      *keyfile,
                              const char    *group)
{
  g_return_if_fail (STP_IS_RECORD_FORM (self));

  self->loading = TRUE;
  for (guint i = 0; i < self->states->len; i++)
    {
      FieldState *state = g_ptr_array_index (self->states, i);
      const char *key = state->field->name;

      if (!g_key_file_has_key (keyfile, group, key, NULL))
        continue;

      switch (state->field->type)
        {
        case STP_FIELD_TEXT:
        case STP_FIELD_DATE:
          {
            g_autofree char *text = g_key_file_get_string (keyfile, group, key, NULL);
            gtk_editable_set_text (GTK_EDITABLE (state->row), text ? text : "");
          }
          break;
        case STP_FIELD_LONG_TEXT:
          {
            g_autofree char *text = g_key_file_get_string (keyfile, group, key, NULL);
            text_view_set (state->value_widget, text);
          }
          break;
        case STP_FIELD_ENUM:
          adw_combo_row_set_selected (ADW_COMBO_ROW (state->row),
                                      (guint) MAX (0, g_key_file_get_integer (keyfile, group, key, NULL)));
          break;
        case STP_FIELD_CHOICE:
          {
            g_autofree char *id = g_key_file_get_string (keyfile, group, key, NULL);
            choice_select (state, id);
          }
          break;
        case STP_FIELD_BOOL:
          gtk_switch_set_active (GTK_SWITCH (state->value_widget),
                                 g_key_file_get_boolean (keyfile, group, key, NULL));
          break;
        case STP_FIELD_INT:
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (state->value_widget),
                                     g_key_file_get_integer (keyfile, group, key, NULL));
          break;
        default:
          g_assert_not_reached ();
        }
    }
  self->loading = FALSE;
}

/* --- Page helpers -------------------------------------------------------- */

GtkWidget *
stp_page_scaffold_new (GtkWidget **out_box)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 24);

  g_return_val_if_fail (out_box != NULL, NULL);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  gtk_widget_set_margin_top (box, 18);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  *out_box = box;
  return scrolled;
}

GtkWidget *
stp_property_row_new (const char *title,
                      const char *value)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value && *value ? value : "—");
  gtk_widget_add_css_class (row, "property");
  return row;
}

void
stp_widget_show_error (GtkWidget    *widget,
                       const GError *error)
{
  g_return_if_fail (error != NULL);

  stp_widget_show_toast (widget, error->message);
}
