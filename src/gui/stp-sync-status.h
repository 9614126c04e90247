/* stp-sync-status.h: the synchronization state in the header bar. */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"
#include "stp-sync-engine.h"

G_BEGIN_DECLS

#define STP_TYPE_SYNC_STATUS (stp_sync_status_get_type ())

G_DECLARE_FINAL_TYPE (StpSyncStatus, stp_sync_status, STP, SYNC_STATUS, GtkBox)

GtkWidget  *stp_sync_status_new      (StpStore      *store);
/* The text shown (for tests). */
const char *stp_sync_status_get_text (StpSyncStatus *self);
/* "Synchronizing…" with the changes sent and received so far. */
char       *stp_sync_status_progress_text (StpSyncEngine *engine,
                                           gboolean       compact);

G_END_DECLS
