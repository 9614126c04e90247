/* stp-backup-task.h: making a backup copy off the main thread, for the
 * settings group, the header-bar status and the application's quit. */
#pragma once

#include <gio/gio.h>

#include "stp-backup.h"

G_BEGIN_DECLS

/* Called on the main thread with the part done (0..1). */
typedef void (*StpBackupTaskProgress) (double   fraction,
                                       gpointer user_data);

/* Makes a copy with the store's folder and key in a worker thread (the
 * window keeps working) and records it on success.  Only one copy is made
 * at a time: a second call fails with G_IO_ERROR_BUSY. */
void           stp_backup_task_run_async  (StpStore              *store,
                                           StpSession            *session,
                                           StpBackupTaskProgress  progress,
                                           gpointer               progress_data,
                                           GCancellable          *cancellable,
                                           GAsyncReadyCallback    callback,
                                           gpointer               user_data);
StpBackupInfo *stp_backup_task_run_finish (GAsyncResult          *result,
                                           GError               **error);
/* TRUE while a copy is being made. */
gboolean       stp_backup_task_is_running (void);
/* Files up to this size are copied by stp_backup_task_on_quit() (some
 * seconds); bigger ones only with a window (stp-quit-backup.c). */
#define STP_BACKUP_QUIT_MAX_BYTES (32 * 1024 * 1024)
/* At the application's shutdown, with no window left: makes a copy
 * (blocking) when something was saved since the last one and the file is
 * small; failures are logged, never in the way of quitting. */
void           stp_backup_task_on_quit    (StpStore              *store);

/* What the settings and the header bar say about copies (translated);
 * *out_warn is TRUE when the director should act: the last good copy is
 * older than 7 days, or the folder is missing. */
char          *stp_backup_task_describe   (StpStore              *store,
                                           gboolean              *out_warn);
G_END_DECLS
