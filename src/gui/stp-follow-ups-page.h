/* stp-follow-ups-page.h: follow-ups (катамнез) due soon, overdue first. */
#pragma once

#include <adwaita.h>

#include "stp-list-page.h"

G_BEGIN_DECLS

#define STP_TYPE_FOLLOW_UPS_PAGE (stp_follow_ups_page_get_type ())

G_DECLARE_FINAL_TYPE (StpFollowUpsPage, stp_follow_ups_page, STP, FOLLOW_UPS_PAGE, StpListPage)

StpFollowUpsPage *stp_follow_ups_page_new    (StpStore         *store,
                                              StpSession       *session);
/* Queries off the main thread; "loaded" tells when the rows are shown. */
void              stp_follow_ups_page_reload (StpFollowUpsPage *self);
gboolean          stp_follow_ups_page_is_loading (StpFollowUpsPage *self);
/* How many follow-ups the last reload found (shown or not). */
guint             stp_follow_ups_page_get_count (StpFollowUpsPage *self);

G_END_DECLS
