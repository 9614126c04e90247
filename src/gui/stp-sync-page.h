/* stp-sync-page.h: Settings → Synchronization: enrollment, status, manual
 * sync and sending the statistics to the region. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_SYNC_PAGE (stp_sync_page_get_type ())

G_DECLARE_FINAL_TYPE (StpSyncPage, stp_sync_page, STP, SYNC_PAGE, GtkBox)

GtkWidget *stp_sync_page_new (StpStore   *store,
                              StpSession *session);

G_END_DECLS
