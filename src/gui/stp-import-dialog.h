/* stp-import-dialog.h: «Импорт из таблицы»: a CSV file, what each column
 * holds, a preview of every row, the import and its report. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_IMPORT_DIALOG (stp_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (StpImportDialog, stp_import_dialog, STP, IMPORT_DIALOG, AdwWindow)

StpImportDialog *stp_import_dialog_new         (StpStore        *store,
                                                StpSession      *session);
/* Reads @path (what the file chooser does); FALSE shows the reason. */
gboolean         stp_import_dialog_open_file   (StpImportDialog *self,
                                                const char      *path);
/* Writes the report of the last import (what «Сохранить отчёт» does). */
gboolean         stp_import_dialog_save_report (StpImportDialog *self,
                                                const char      *path,
                                                GError         **error);
/* The settings group with the button that opens the dialog. */
GtkWidget       *stp_import_dialog_new_settings_group (StpStore   *store,
                                                       StpSession *session);

G_END_DECLS
