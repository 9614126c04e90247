/* stp-card-page.h: what every page of the resident card is (profile,
 * program, family, consents, journal, follow-ups, referrals, court): a
 * widget that reads its records again on stp_card_page_reload() and says
 * "changed" after it saved something the other pages or the summary strip
 * show.  The card window (stp-resident-window.c) reloads every page on
 * that signal. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STP_TYPE_CARD_PAGE (stp_card_page_get_type ())

G_DECLARE_INTERFACE (StpCardPage, stp_card_page, STP, CARD_PAGE, GtkWidget)

struct _StpCardPageInterface
{
  GTypeInterface parent_iface;

  /* Reads the page's records again (a form being edited keeps its text). */
  void (*reload) (StpCardPage *self);
};

void stp_card_page_reload  (StpCardPage *self);
/* Emits "changed": for the pages themselves, after a save. */
void stp_card_page_changed (StpCardPage *self);

G_END_DECLS
