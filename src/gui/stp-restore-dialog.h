/* stp-restore-dialog.h: «Восстановить из резервной копии»: pick a copy,
 * enter its password, see what it holds, then replace the data. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_RESTORE_DIALOG (stp_restore_dialog_get_type ())

G_DECLARE_FINAL_TYPE (StpRestoreDialog, stp_restore_dialog, STP, RESTORE_DIALOG, AdwWindow)

/* @session: the director, or NULL in the first-run window (empty store). */
StpRestoreDialog *stp_restore_dialog_new      (StpStore         *store,
                                               StpSession       *session);
/* Sets the copy to restore (what the file chooser does). */
void              stp_restore_dialog_set_file (StpRestoreDialog *self,
                                               const char       *path);

G_END_DECLS
