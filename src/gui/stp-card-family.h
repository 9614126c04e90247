/* stp-card-family.h: the card page with relatives and the family situation. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_FAMILY (stp_card_family_get_type ())

G_DECLARE_FINAL_TYPE (StpCardFamily, stp_card_family, STP, CARD_FAMILY, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_family_new (StpStore   *store,
                                StpSession *session,
                                const char *resident_id);

/* The resident as the window read it (one "view" audit event per read). */
void       stp_card_family_set_resident (StpCardFamily *self,
                                         const StpResident *resident);

G_END_DECLS
