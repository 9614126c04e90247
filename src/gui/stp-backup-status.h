/* stp-backup-status.h: a warning in the header bar when the last good
 * backup copy is older than 7 days or its folder is missing; it also makes
 * the daily copy while the window is open. */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_BACKUP_STATUS (stp_backup_status_get_type ())

G_DECLARE_FINAL_TYPE (StpBackupStatus, stp_backup_status, STP, BACKUP_STATUS, GtkBox)

GtkWidget  *stp_backup_status_new      (StpStore        *store);
/* Reads the state again and starts the daily copy when it is due. */
void        stp_backup_status_check    (StpBackupStatus *self);
/* The warning shown, or NULL when hidden (for tests). */
const char *stp_backup_status_get_text (StpBackupStatus *self);

G_END_DECLS
