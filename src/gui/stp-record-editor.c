/* stp-record-editor.c: StpRecordEditor, a list of the records of one kind
 * with the StpRecordForm that adds and edits them (stp-record-editor.h). */
#define G_LOG_DOMAIN "stp-record-form"

#include "config.h"

#include "stp-record-editor.h"
#include "stp-error.h"
#include "stp-gui-util.h"

#include <glib/gi18n-lib.h>

/* --- StpRecordEditor ----------------------------------------------------- */

struct _StpRecordEditor
{
  GObject               parent_instance;

  GObject               *owner;          /* unowned: the page */
  StpStore             *store;
  StpSession           *session;
  StpRecordKind         kind;
  char                 *parent_field;
  gsize                 parent_offset;
  char                 *parent_id;
  StpRecordForm        *form;
  GtkWidget            *list_group;
  GtkWidget            *list;
  GtkWidget            *save_button;
  GtkWidget            *new_button;
  GPtrArray            *records;
  GtkStringList        *ids;            /* the ids of records, the list's model */
  gpointer              editing;        /* a copy of the record being edited */
  StpRecordDescribeFunc describe;
  StpRecordPrepareFunc  prepare;
  StpRecordRowFunc      row_func;
  GCompareFunc          sort_func;     /* NULL: the store's order */
  GCallback             changed;
  gpointer              user_data;
  gboolean              can_add;
  gboolean              can_delete;
};

G_DEFINE_FINAL_TYPE (StpRecordEditor, stp_record_editor, G_TYPE_OBJECT)

static GtkWidget *editor_create_row (gpointer item,
                                     gpointer user_data);

static void
editor_clear_editing (StpRecordEditor *editor)
{
  if (editor->editing != NULL)
    stp_record_free (editor->kind, g_steal_pointer (&editor->editing));
}

static void
editor_update_buttons (StpRecordEditor *editor)
{
  gtk_button_set_label (GTK_BUTTON (editor->save_button),
                        editor->editing || !editor->can_add ? _("_Save changes") : _("_Add"));
  gtk_widget_set_sensitive (editor->save_button, editor->can_add || editor->editing != NULL);
  /* Without "add", the form only makes sense for a record being edited. */
  gtk_widget_set_sensitive (stp_record_form_get_widget (editor->form),
                            editor->parent_id != NULL && (editor->can_add || editor->editing != NULL));
  gtk_widget_set_visible (editor->new_button, editor->editing != NULL && editor->can_add);
}

static void
editor_notify_changed (StpRecordEditor *editor)
{
  if (editor->changed != NULL)
    ((void (*) (gpointer)) editor->changed) (editor->user_data);
}

static void
on_editor_edit_clicked (GtkButton       *button,
                        StpRecordEditor *editor)
{
  stp_record_editor_edit (editor, g_object_get_data (G_OBJECT (button), "record-id"));
}

static void
on_editor_delete_clicked (GtkButton       *button,
                          StpRecordEditor *editor)
{
  g_autofree char *id = g_strdup (g_object_get_data (G_OBJECT (button), "record-id"));

  stp_record_editor_delete (editor, id);
}

static void
on_editor_save_clicked (StpRecordEditor *editor)
{
  stp_record_editor_save (editor);
}

static void
on_editor_new_clicked (StpRecordEditor *editor)
{
  editor_clear_editing (editor);
  stp_record_form_reset (editor->form);
  editor_update_buttons (editor);
}

StpRecordEditor *
stp_record_editor_new (GObject              *owner,
                       StpStore             *store,
                       StpSession           *session,
                       StpRecordKind         kind,
                       const char           *parent_field,
                       gsize                 parent_offset,
                       const StpFormField   *fields,
                       const char           *list_title,
                       const char           *form_title,
                       StpRecordDescribeFunc describe,
                       gpointer              user_data)
{
  StpRecordEditor *editor = g_object_new (STP_TYPE_RECORD_EDITOR, NULL);
  GtkWidget *buttons;
  GtkWidget *placeholder;

  editor->owner = owner;
  editor->store = g_object_ref (store);
  editor->session = g_object_ref (session);
  editor->kind = kind;
  editor->parent_field = g_strdup (parent_field);
  editor->parent_offset = parent_offset;
  editor->describe = describe;
  editor->user_data = user_data;

  editor->list_group = g_object_ref_sink (adw_preferences_group_new ());
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (editor->list_group), list_title);
  editor->list = gtk_list_box_new ();
  gtk_widget_set_name (editor->list, stp_record_kind_table (kind));
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (editor->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (editor->list, "boxed-list");
  placeholder = gtk_label_new (_("No records"));
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 12);
  gtk_widget_set_margin_bottom (placeholder, 12);
  gtk_list_box_set_placeholder (GTK_LIST_BOX (editor->list), placeholder);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (editor->list_group), editor->list);
  editor->ids = gtk_string_list_new (NULL);
  gtk_list_box_bind_model (GTK_LIST_BOX (editor->list), G_LIST_MODEL (editor->ids),
                           editor_create_row, editor, NULL);

  editor->form = stp_record_form_new (fields, form_title);
  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  editor->new_button = gtk_button_new_with_mnemonic (_("_New"));
  gtk_widget_add_css_class (editor->new_button, "flat");
  g_signal_connect_swapped (editor->new_button, "clicked", G_CALLBACK (on_editor_new_clicked), editor);
  editor->save_button = gtk_button_new_with_mnemonic (_("_Add"));
  gtk_widget_set_name (editor->save_button, "save");
  gtk_widget_add_css_class (editor->save_button, "suggested-action");
  g_signal_connect_swapped (editor->save_button, "clicked", G_CALLBACK (on_editor_save_clicked), editor);
  gtk_box_append (GTK_BOX (buttons), editor->new_button);
  gtk_box_append (GTK_BOX (buttons), editor->save_button);
  stp_gui_fix_mnemonic_names (buttons);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (stp_record_form_get_widget (editor->form)),
                                           buttons);
  stp_record_form_set_save_func (editor->form, (StpRecordFormSaveFunc) stp_record_editor_save, editor);
  editor_update_buttons (editor);
  return editor;
}

static void
stp_record_editor_finalize (GObject *object)
{
  StpRecordEditor *editor = (StpRecordEditor *) object;

  editor_clear_editing (editor);
  for (guint i = 0; i < editor->records->len; i++)
    stp_record_free (editor->kind, g_ptr_array_index (editor->records, i));
  g_ptr_array_unref (editor->records);
  /* Unbind first: the rows' handlers point at the editor. */
  if (editor->list != NULL)
    gtk_list_box_bind_model (GTK_LIST_BOX (editor->list), NULL, NULL, NULL, NULL);
  g_clear_object (&editor->ids);
  g_clear_object (&editor->form);
  g_clear_object (&editor->list_group);
  g_clear_object (&editor->store);
  g_clear_object (&editor->session);
  g_free (editor->parent_field);
  g_free (editor->parent_id);

  G_OBJECT_CLASS (stp_record_editor_parent_class)->finalize (object);
}

static void
stp_record_editor_class_init (StpRecordEditorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_record_editor_finalize;
}

static void
stp_record_editor_init (StpRecordEditor *editor)
{
  editor->can_add = TRUE;
  editor->can_delete = TRUE;
  editor->records = g_ptr_array_new ();
}

void
stp_record_editor_set_prepare (StpRecordEditor      *editor,
                               StpRecordPrepareFunc  prepare)
{
  editor->prepare = prepare;
}

void
stp_record_editor_set_row_func (StpRecordEditor  *editor,
                                StpRecordRowFunc  row_func)
{
  editor->row_func = row_func;
}

void
stp_record_editor_set_sort (StpRecordEditor *editor,
                            GCompareFunc     sort_func)
{
  editor->sort_func = sort_func;
}

void
stp_record_editor_set_changed (StpRecordEditor *editor,
                               GCallback        changed)
{
  editor->changed = changed;
}

void
stp_record_editor_set_can_add (StpRecordEditor *editor,
                               gboolean         can_add)
{
  editor->can_add = can_add;
  editor_update_buttons (editor);
}

void
stp_record_editor_set_can_delete (StpRecordEditor *editor,
                                  gboolean         can_delete)
{
  editor->can_delete = can_delete;
}

void
stp_record_editor_set_parent (StpRecordEditor *editor,
                              const char      *parent_id)
{
  g_free (editor->parent_id);
  editor->parent_id = g_strdup (parent_id);
  editor_clear_editing (editor);
  stp_record_form_reset (editor->form);
  editor_update_buttons (editor);
  stp_record_editor_reload (editor);
}

static GtkWidget *
icon_button_new (const char *icon_name,
                 const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

void
stp_record_editor_reload (StpRecordEditor *editor)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) old_records = g_steal_pointer (&editor->records);

  editor->records = g_ptr_array_new ();
  editor_update_buttons (editor);
  if (editor->parent_id != NULL)
    {
      records = stp_store_list (editor->store, editor->session, editor->kind,
                                editor->parent_field, editor->parent_id, &error);
      if (records == NULL)
        g_warning ("Cannot list %s: %s", stp_record_kind_table (editor->kind), error->message);
    }
  if (records != NULL)
    {
      if (editor->sort_func != NULL)
        g_ptr_array_sort (records, editor->sort_func);
      /* Keep the records: steal them from the array, whose free func is set. */
      g_ptr_array_set_free_func (records, NULL);
      for (guint i = 0; i < records->len; i++)
        {
          const StpRecordMeta *meta = g_ptr_array_index (records, i);

          g_ptr_array_add (editor->records, (gpointer) meta);
          g_ptr_array_add (ids, meta->id);
        }
    }
  g_ptr_array_add (ids, NULL);

  /* The list box is bound to the ids; rows are made from editor->records. */
  gtk_string_list_splice (editor->ids, 0, g_list_model_get_n_items (G_LIST_MODEL (editor->ids)),
                          (const char * const *) ids->pdata);
  for (guint i = 0; i < old_records->len; i++)
    stp_record_free (editor->kind, g_ptr_array_index (old_records, i));
}

static GtkWidget *
editor_create_row (gpointer item,
                   gpointer user_data)
{
  StpRecordEditor *editor = user_data;
  const char *id = gtk_string_object_get_string (item);
  gpointer record = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button;

  for (guint i = 0; i < editor->records->len && record == NULL; i++)
    if (g_strcmp0 (((StpRecordMeta *) g_ptr_array_index (editor->records, i))->id, id) == 0)
      record = g_ptr_array_index (editor->records, i);
  if (record == NULL)
    return row;

  title = editor->describe (record, &subtitle, editor->user_data);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title ? title : "—");
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (editor->row_func != NULL)
    editor->row_func (ADW_ACTION_ROW (row), record, editor->user_data);

  button = icon_button_new ("document-edit-symbolic", _("Edit"));
  g_object_set_data_full (G_OBJECT (button), "record-id", g_strdup (id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_editor_edit_clicked), editor);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);

  if (editor->can_delete)
    {
      button = icon_button_new ("user-trash-symbolic", _("Delete"));
      g_object_set_data_full (G_OBJECT (button), "record-id", g_strdup (id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (on_editor_delete_clicked), editor);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  return row;
}

GtkWidget *
stp_record_editor_get_list (StpRecordEditor *editor)
{
  return editor->list_group;
}

GtkWidget *
stp_record_editor_get_form_widget (StpRecordEditor *editor)
{
  return stp_record_form_get_widget (editor->form);
}

StpRecordForm *
stp_record_editor_get_form (StpRecordEditor *editor)
{
  return editor->form;
}

GPtrArray *
stp_record_editor_get_records (StpRecordEditor *editor)
{
  return editor->records;
}

void
stp_record_editor_edit (StpRecordEditor *editor,
                        const char      *id)
{
  for (guint i = 0; i < editor->records->len; i++)
    {
      gpointer record = g_ptr_array_index (editor->records, i);
      const StpRecordMeta *meta = record;

      if (g_strcmp0 (meta->id, id) == 0)
        {
          editor_clear_editing (editor);
          editor->editing = stp_record_copy (editor->kind, record);
          stp_record_form_load (editor->form, editor->editing);
          editor_update_buttons (editor);
          gtk_widget_grab_focus (stp_record_form_get_widget (editor->form));
          return;
        }
    }
}

gboolean
stp_record_editor_save (StpRecordEditor *editor)
{
  g_autoptr(GError) error = NULL;
  gpointer record;
  gboolean is_new = editor->editing == NULL;
  gboolean ok;

  if (editor->parent_id == NULL || (is_new && !editor->can_add))
    return FALSE;

  record = is_new ? stp_record_new (editor->kind) : stp_record_copy (editor->kind, editor->editing);
  if (is_new && editor->parent_field != NULL)
    *(char **) ((guint8 *) record + editor->parent_offset) = g_strdup (editor->parent_id);

  stp_record_form_clear_errors (editor->form);
  ok = stp_record_form_store (editor->form, record, &error);
  if (ok && editor->prepare != NULL)
    ok = editor->prepare (record, is_new, &error, editor->user_data);
  if (ok)
    ok = stp_store_save (editor->store, editor->session, editor->kind, record, &error);

  if (!ok)
    {
      if (!stp_record_form_show_error (editor->form, error))
        stp_widget_show_error (editor->list_group, error);
      stp_record_free (editor->kind, record);
      return FALSE;
    }

  stp_record_free (editor->kind, record);
  editor_clear_editing (editor);
  stp_record_form_reset (editor->form);
  editor_update_buttons (editor);
  stp_record_editor_reload (editor);
  editor_notify_changed (editor);
  return TRUE;
}

typedef struct
{
  GObject         *owner;     /* a reference keeps the editor alive */
  StpRecordEditor *editor;
  char            *id;
} UndoData;

static void
undo_data_free (gpointer data,
                GClosure *closure)
{
  UndoData *undo = data;

  g_clear_object (&undo->owner);
  g_free (undo->id);
  g_free (undo);
}

static void
on_undo_clicked (AdwToast *toast,
                 UndoData *undo)
{
  g_autoptr(GError) error = NULL;

  if (!stp_store_undelete (undo->editor->store, undo->editor->session,
                           undo->editor->kind, undo->id, &error))
    {
      g_warning ("Cannot undo the deletion: %s", error->message);
      return;
    }
  stp_record_editor_reload (undo->editor);
  editor_notify_changed (undo->editor);
}

void
stp_record_editor_delete (StpRecordEditor *editor,
                          const char      *id)
{
  g_autoptr(GError) error = NULL;
  UndoData *undo;
  AdwToast *toast;
  GtkWidget *overlay;
  GtkWidget *anchor = editor->list_group;

  if (!stp_store_delete (editor->store, editor->session, editor->kind, id, &error))
    {
      stp_widget_show_error (anchor, error);
      return;
    }

  if (editor->editing != NULL && g_strcmp0 (((StpRecordMeta *) editor->editing)->id, id) == 0)
    {
      editor_clear_editing (editor);
      stp_record_form_reset (editor->form);
      editor_update_buttons (editor);
    }

  /* The toast is shown before the list is rebuilt: the anchor stays. */
  overlay = gtk_widget_get_ancestor (anchor, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    {
      toast = adw_toast_new (_("Deleted"));
      undo = g_new0 (UndoData, 1);
      undo->owner = g_object_ref (editor->owner);
      undo->editor = editor;
      undo->id = g_strdup (id);
      adw_toast_set_button_label (toast, _("_Undo"));
      g_signal_connect_data (toast, "button-clicked", G_CALLBACK (on_undo_clicked),
                             undo, undo_data_free, 0);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
    }
  stp_record_editor_reload (editor);
  editor_notify_changed (editor);
}
