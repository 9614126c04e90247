/* stp-record-editor.h: StpRecordEditor, a list of the records of one kind
 * (an AdwPreferencesGroup with a GtkListBox) with the StpRecordForm that
 * adds and edits them.  A GObject, not a widget: the card page that owns it
 * puts the list and the form where it wants them, and drops its reference
 * in its finalize (an Undo toast may call the editor back after the page
 * left the window). */
#pragma once

#include "stp-record-form.h"

G_BEGIN_DECLS

#define STP_TYPE_RECORD_EDITOR (stp_record_editor_get_type ())

G_DECLARE_FINAL_TYPE (StpRecordEditor, stp_record_editor, STP, RECORD_EDITOR, GObject)

/* Title and subtitle of a record's row. */
typedef char     *(*StpRecordDescribeFunc) (gconstpointer   record,
                                            char          **out_subtitle,
                                            gpointer        user_data);
/* Fills the fields the form does not show before saving a record. */
typedef gboolean  (*StpRecordPrepareFunc)  (gpointer        record,
                                            gboolean        is_new,
                                            GError        **error,
                                            gpointer        user_data);
/* Adds extra widgets (suffixes) to a record's row. */
typedef void      (*StpRecordRowFunc)      (AdwActionRow   *row,
                                            gconstpointer   record,
                                            gpointer        user_data);

StpRecordEditor *stp_record_editor_new           (GObject              *owner,
                                                  StpStore             *store,
                                                  StpSession           *session,
                                                  StpRecordKind         kind,
                                                  const char           *parent_field,
                                                  gsize                 parent_offset,
                                                  const StpFormField   *fields,
                                                  const char           *list_title,
                                                  const char           *form_title,
                                                  StpRecordDescribeFunc describe,
                                                  gpointer              user_data);
void             stp_record_editor_set_prepare   (StpRecordEditor      *editor,
                                                  StpRecordPrepareFunc  prepare);
void             stp_record_editor_set_row_func  (StpRecordEditor      *editor,
                                                  StpRecordRowFunc      row_func);
/* Orders the listed records (g_ptr_array_sort: pointers to records). */
void             stp_record_editor_set_sort      (StpRecordEditor      *editor,
                                                  GCompareFunc          sort_func);
/* Called after every save, delete and undo (e.g. to refresh other parts). */
void             stp_record_editor_set_changed   (StpRecordEditor      *editor,
                                                  GCallback             changed);
/* FALSE: records are only edited (follow-ups are made by discharge). */
void             stp_record_editor_set_can_add   (StpRecordEditor      *editor,
                                                  gboolean              can_add);
void             stp_record_editor_set_can_delete (StpRecordEditor     *editor,
                                                  gboolean              can_delete);
void             stp_record_editor_set_parent    (StpRecordEditor      *editor,
                                                  const char           *parent_id);
void             stp_record_editor_reload        (StpRecordEditor      *editor);
GtkWidget       *stp_record_editor_get_list      (StpRecordEditor      *editor);
GtkWidget       *stp_record_editor_get_form_widget (StpRecordEditor    *editor);
StpRecordForm   *stp_record_editor_get_form      (StpRecordEditor      *editor);
/* The records shown, in order (owned by the editor). */
GPtrArray       *stp_record_editor_get_records   (StpRecordEditor      *editor);
/* Loads a shown record into the form for editing. */
void             stp_record_editor_edit          (StpRecordEditor      *editor,
                                                  const char           *id);
/* Saves the form (a new record or the one being edited). */
gboolean         stp_record_editor_save          (StpRecordEditor      *editor);
/* Deletes with an Undo toast. */
void             stp_record_editor_delete        (StpRecordEditor      *editor,
                                                  const char           *id);

G_END_DECLS
