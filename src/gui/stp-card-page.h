/* stp-card-page.h: what every page of the resident card is (profile,
 * program, family, consents, journal, follow-ups, referrals, court): a
 * widget with three properties — "store", "session" and "resident-id" —
 * that builds and loads itself once all three are set, reads its records
 * again on stp_card_page_reload() and says "changed" after it saved
 * something the other pages or the summary strip show.  The card window
 * (stp-resident-window.c) declares the pages in its template, sets the
 * three properties and reloads every page on that signal.  The pages
 * implement it through their base class, StpCardSection
 * (stp-card-section.h). */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_PAGE (stp_card_page_get_type ())

G_DECLARE_INTERFACE (StpCardPage, stp_card_page, STP, CARD_PAGE, GtkWidget)

struct _StpCardPageInterface
{
  GTypeInterface parent_iface;

  /* Builds the page's widgets and loads its records: called once, when
   * "store", "session" and "resident-id" have all been set. */
  void (*setup)  (StpCardPage *self);
  /* Reads the page's records again (a form being edited keeps its text). */
  void (*reload) (StpCardPage *self);
};

/* For a page's class_init: overrides the interface's three properties
 * (property ids 1, 2, 3) and sets the class's set_property/get_property,
 * which keep the values for the interface.  A page has no other
 * properties. */
void        stp_card_page_class_override_properties (GObjectClass *object_class);

StpStore   *stp_card_page_get_store       (StpCardPage *self);
StpSession *stp_card_page_get_session     (StpCardPage *self);
const char *stp_card_page_get_resident_id (StpCardPage *self);
/* TRUE once the three properties are set and the page has been built. */
gboolean    stp_card_page_is_set_up       (StpCardPage *self);

/* Does nothing before the page is set up. */
void        stp_card_page_reload          (StpCardPage *self);
/* Emits "changed": for the pages themselves, after a save. */
void        stp_card_page_changed         (StpCardPage *self);

G_END_DECLS
