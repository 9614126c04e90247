/* stp-card-court.h: the card page with court obligations and notices to the supervising body. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_COURT (stp_card_court_get_type ())

G_DECLARE_FINAL_TYPE (StpCardCourt, stp_card_court, STP, CARD_COURT, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_court_new (StpStore   *store,
                               StpSession *session,
                               const char *resident_id);

G_END_DECLS
