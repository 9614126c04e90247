/* stp-card-journal.h: the card page with journal entries and drug screenings. */
#pragma once

#include <adwaita.h>

#include "stp-card-section.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_JOURNAL (stp_card_journal_get_type ())

G_DECLARE_FINAL_TYPE (StpCardJournal, stp_card_journal, STP, CARD_JOURNAL, StpCardSection)

/* Emits "changed" after it saved something that other pages show. */
GtkWidget *stp_card_journal_new (StpStore   *store,
                                 StpSession *session,
                                 const char *resident_id);

G_END_DECLS
