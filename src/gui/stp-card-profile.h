/* stp-card-profile.h: the card page with the resident's personal data. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_PROFILE (stp_card_profile_get_type ())

G_DECLARE_FINAL_TYPE (StpCardProfile, stp_card_profile, STP, CARD_PROFILE, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_profile_new (StpStore   *store,
                                 StpSession *session,
                                 const char *resident_id);

/* The resident as the window read it (one "view" audit event per read). */
void       stp_card_profile_set_resident (StpCardProfile *self,
                                          const StpResident *resident);

G_END_DECLS
