/* stp-record-form.h: a group of rows that edits the fields of one core
 * record (StpResident, StpRelative, …), described by a table of fields.
 * It reads and writes the record struct, marks the row of an invalid field
 * and saves its raw text into a GKeyFile for drafts. */
#pragma once

#include <adwaita.h>

#include "stp-types.h"
#include "stp-store.h"

G_BEGIN_DECLS

typedef struct
{
  const char   *name;      /* column name, as stp_error_get_field() gives it */
  StpFieldType  type;
  const char   *label;     /* untranslated (N_()) */
  gsize         offset;    /* G_STRUCT_OFFSET of the field in the record */
  StpEnumType   enum_type; /* for STP_FIELD_ENUM */
} StpFormField;

/* Saves a form's edits; FALSE (with the error shown on the form) when they
 * could not be saved. */
typedef gboolean (*StpRecordFormSaveFunc) (gpointer user_data);

#define STP_TYPE_RECORD_FORM (stp_record_form_get_type ())

G_DECLARE_FINAL_TYPE (StpRecordForm, stp_record_form, STP, RECORD_FORM, GObject)

/* @fields ends with an item whose name is NULL; it must outlive the form. */
StpRecordForm *stp_record_form_new           (const StpFormField *fields,
                                              const char         *title);
/* The AdwPreferencesGroup holding the rows. */
GtkWidget     *stp_record_form_get_widget    (StpRecordForm      *self);
GtkWidget     *stp_record_form_get_row       (StpRecordForm      *self,
                                              const char         *name);
void           stp_record_form_set_choices   (StpRecordForm      *self,
                                              const char         *name,
                                              const char * const *ids,
                                              const char * const *labels);
void           stp_record_form_load          (StpRecordForm      *self,
                                              gconstpointer       record);
/* Writes the rows into @record; on a malformed date marks its row and
 * returns FALSE (STP_CORE_ERROR_INVALID naming the field). */
gboolean       stp_record_form_store         (StpRecordForm      *self,
                                              gpointer            record,
                                              GError            **error);
/* Empties every row. */
void           stp_record_form_reset         (StpRecordForm      *self);
/* Marks the row named by @error (stp_error_get_field()) and shows the
 * message next to it.  Returns FALSE when no row of this form has that name. */
gboolean       stp_record_form_show_error    (StpRecordForm      *self,
                                              const GError       *error);
void           stp_record_form_clear_errors  (StpRecordForm      *self);
/* TRUE when a row differs from what was last loaded, reset or marked. */
gboolean       stp_record_form_is_modified   (StpRecordForm      *self);
void           stp_record_form_mark_unmodified (StpRecordForm    *self);
/* How the form's edits are saved (its page's Save button). */
void           stp_record_form_set_save_func (StpRecordForm      *self,
                                              StpRecordFormSaveFunc func,
                                              gpointer            user_data);
/* Saves the edits, if any; TRUE when nothing is left unsaved. */
gboolean       stp_record_form_save          (StpRecordForm      *self);
/* The form whose group (stp_record_form_get_widget()) is @widget, or NULL. */
StpRecordForm *stp_record_form_from_widget   (GtkWidget          *widget);
void           stp_record_form_save_keyfile  (StpRecordForm      *self,
                                              GKeyFile           *keyfile,
                                              const char         *group);
void           stp_record_form_load_keyfile  (StpRecordForm      *self,
                                              GKeyFile           *keyfile,
                                              const char         *group);

/* Marks any row (entry, action or combo row) as invalid with @message next
 * to it; a NULL @message clears the mark. */
void           stp_row_set_error             (GtkWidget          *row,
                                              const char         *message);
/* A combo row of an enumeration's translated labels. */
GtkWidget     *stp_enum_combo_row_new        (const char         *title,
                                              StpEnumType         type);
int            stp_enum_combo_row_get_value  (AdwComboRow        *row,
                                              StpEnumType         type);
void           stp_enum_combo_row_set_value  (AdwComboRow        *row,
                                              StpEnumType         type,
                                              int                 value);
/* Shows a toast on the AdwToastOverlay above @widget, if any. */
/* Whether @message is too long for a toast (it would be cut off). */
gboolean       stp_message_is_long           (const char         *message);
/* @message in a dialog with «Закрыть» (named "message-dialog"). */
void           stp_show_message_dialog       (GtkWindow          *parent,
                                              const char         *message);
/* A toast in the nearest overlay; a long message goes to a dialog instead
 * (then NULL). */
AdwToast      *stp_widget_show_toast         (GtkWidget          *widget,
                                              const char         *title);
/* Removes every child of a GtkListBox (GTK 4.8 has no remove_all). */
void           stp_list_box_clear            (GtkListBox         *box);

/* A scrolled, clamped vertical box for a card page; returns the scrolled
 * window and sets *out_box to the box to fill. */
GtkWidget     *stp_page_scaffold_new         (GtkWidget         **out_box);
/* A read-only row: title above, value below. */
GtkWidget     *stp_property_row_new          (const char         *title,
                                              const char         *value);
/* Shows @error on a toast (or the log when there is no overlay). */
void           stp_widget_show_error         (GtkWidget          *widget,
                                              const GError       *error);

G_END_DECLS
