/* stp-card-referrals.h: the card page with interagency referrals; overdue answers are marked. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_REFERRALS (stp_card_referrals_get_type ())

G_DECLARE_FINAL_TYPE (StpCardReferrals, stp_card_referrals, STP, CARD_REFERRALS, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_referrals_new (StpStore   *store,
                                   StpSession *session,
                                   const char *resident_id);

G_END_DECLS
