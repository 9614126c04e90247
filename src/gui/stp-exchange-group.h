/* stp-exchange-group.h: «Обмен через файл» in the settings, for a center
 * without internet (issue 15): write this computer's changes to a file for
 * a USB stick, read a file from another computer or the regional server. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_EXCHANGE_GROUP (stp_exchange_group_get_type ())
G_DECLARE_FINAL_TYPE (StpExchangeGroup, stp_exchange_group, STP, EXCHANGE_GROUP, AdwPreferencesGroup)

GtkWidget *stp_exchange_group_new         (StpStore         *store,
                                           StpSession       *session);
/* What the buttons do after the file chooser (also for tests). */
void       stp_exchange_group_write_file  (StpExchangeGroup *self,
                                           const char       *path);
void       stp_exchange_group_read_file   (StpExchangeGroup *self,
                                           const char       *path);
/* FALSE while a file is being written or read. */
gboolean   stp_exchange_group_is_idle     (StpExchangeGroup *self);

G_END_DECLS
