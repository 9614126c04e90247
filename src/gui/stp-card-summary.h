/* stp-card-summary.h: the strip under the card's header, on every tab:
 * name, file number, age, the stage as a step bar, «день N», the
 * responsible specialist and flags (overdue follow-up, court obligation,
 * no consent to process personal data). */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_SUMMARY (stp_card_summary_get_type ())

G_DECLARE_FINAL_TYPE (StpCardSummary, stp_card_summary, STP, CARD_SUMMARY, GtkBox)

GtkWidget *stp_card_summary_new    (StpStore          *store,
                                    StpSession        *session);
/* Shows @resident, reading its episode, stage, consents, follow-ups and
 * court obligations. */
void       stp_card_summary_update (StpCardSummary    *self,
                                    const StpResident *resident);

G_END_DECLS
