/* stp-quit-backup.h: the backup copy made when the program closes, in a
 * small window of its own with its progress (issue 15). */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_QUIT_BACKUP (stp_quit_backup_get_type ())
G_DECLARE_FINAL_TYPE (StpQuitBackup, stp_quit_backup, STP, QUIT_BACKUP, AdwWindow)

/* When something was saved since the last copy (and the folder and the
 * password are set), shows a window that makes the copy with its progress
 * and a «Выйти без копии» button, and keeps @app running until the copy
 * is made or skipped; then the window closes and, being the last, ends
 * the program.  Returns that window, or NULL when no copy is due. */
StpQuitBackup *stp_quit_backup_start    (GtkApplication *app,
                                         StpStore       *store);
/* The window of a copy in progress on quit, or NULL. */
StpQuitBackup *stp_quit_backup_find     (GtkApplication *app);
/* Stops the copy and closes the window (what «Выйти без копии» does). */
void           stp_quit_backup_skip     (StpQuitBackup  *self);
double         stp_quit_backup_get_fraction (StpQuitBackup *self);

G_END_DECLS
