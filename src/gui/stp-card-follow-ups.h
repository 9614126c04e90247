/* stp-card-follow-ups.h: the card page with follow-ups of the episode and their outcomes. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_FOLLOW_UPS (stp_card_follow_ups_get_type ())

G_DECLARE_FINAL_TYPE (StpCardFollowUps, stp_card_follow_ups, STP, CARD_FOLLOW_UPS, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_follow_ups_new (StpStore   *store,
                                    StpSession *session,
                                    const char *resident_id);

G_END_DECLS
