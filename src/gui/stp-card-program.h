/* stp-card-program.h: the card page with the current episode: stage timeline, transfers, discharge. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_PROGRAM (stp_card_program_get_type ())

G_DECLARE_FINAL_TYPE (StpCardProgram, stp_card_program, STP, CARD_PROGRAM, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_program_new (StpStore   *store,
                                 StpSession *session,
                                 const char *resident_id);

G_END_DECLS
