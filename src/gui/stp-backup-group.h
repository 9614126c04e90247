/* stp-backup-group.h: «Резервные копии» in the settings: the folder, the
 * backup password, «Создать копию сейчас» and restoring. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_BACKUP_GROUP (stp_backup_group_get_type ())

G_DECLARE_FINAL_TYPE (StpBackupGroup, stp_backup_group, STP, BACKUP_GROUP, AdwPreferencesGroup)

GtkWidget  *stp_backup_group_new     (StpStore       *store,
                                      StpSession     *session);
/* Reads the state again (after a copy made elsewhere). */
void        stp_backup_group_refresh (StpBackupGroup *self);

G_END_DECLS
