/* stp-card-consents.h: the card page with signed consents: add, withdraw. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_CONSENTS (stp_card_consents_get_type ())

G_DECLARE_FINAL_TYPE (StpCardConsents, stp_card_consents, STP, CARD_CONSENTS, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_consents_new (StpStore   *store,
                                  StpSession *session,
                                  const char *resident_id);

G_END_DECLS
