/* stp-unsaved.h: nothing typed into a resident card is lost without a
 * question.  Closing a card, logging out, closing the main window and
 * quitting ask «Сохранить / Не сохранять / Отмена» when a card holds
 * unsaved edits. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

/* Called when the person chose to go on (the edits saved or dropped). */
typedef void (*StpUnsavedProceedFunc) (GObject *owner);

/* TRUE when one of @cards (StpResidentWindow) holds unsaved edits. */
gboolean   stp_cards_have_unsaved_edits   (GPtrArray             *cards);
/* Calls @proceed at once when no card of @cards holds unsaved edits;
 * otherwise asks over @parent.  «Сохранить» saves every card and goes on
 * only when all were saved (a card that could not be saved is shown with
 * its error); «Не сохранять» goes on; «Отмена» does nothing.  @owner is kept
 * alive until the answer. */
void       stp_ask_about_unsaved_edits    (GtkWindow             *parent,
                                           GPtrArray             *cards,
                                           GObject               *owner,
                                           StpUnsavedProceedFunc  proceed);
/* Every open resident card window of @app (or of the process when NULL). */
GPtrArray *stp_list_card_windows          (GtkApplication        *app);

G_END_DECLS
