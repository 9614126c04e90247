/* stp-referrals-page.h: every interagency referral, overdue answers first. */
#pragma once

#include <adwaita.h>

#include "stp-list-page.h"

G_BEGIN_DECLS

#define STP_TYPE_REFERRALS_PAGE (stp_referrals_page_get_type ())

G_DECLARE_FINAL_TYPE (StpReferralsPage, stp_referrals_page, STP, REFERRALS_PAGE, StpListPage)

StpReferralsPage *stp_referrals_page_new       (StpStore         *store,
                                                StpSession       *session);
/* Queries off the main thread; "loaded" tells when the rows are shown. */
void              stp_referrals_page_reload    (StpReferralsPage *self);
gboolean          stp_referrals_page_is_loading (StpReferralsPage *self);
guint             stp_referrals_page_get_count (StpReferralsPage *self);

G_END_DECLS
