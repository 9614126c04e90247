/* stp-card-consents.h: the card page with signed consents: add, withdraw. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_CONSENTS (stp_card_consents_get_type ())

G_DECLARE_FINAL_TYPE (StpCardConsents, stp_card_consents, STP, CARD_CONSENTS, AdwBin)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_consents_new    (StpStore       *store,
                                    StpSession     *session,
                                    const char     *resident_id);
void       stp_card_consents_reload (StpCardConsents *self);

G_END_DECLS
