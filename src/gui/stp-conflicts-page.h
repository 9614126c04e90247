/* stp-conflicts-page.h: concurrent edits kept by sync, for people to choose
 * which value stays. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-session.h"

G_BEGIN_DECLS

#define STP_TYPE_CONFLICTS_PAGE (stp_conflicts_page_get_type ())

G_DECLARE_FINAL_TYPE (StpConflictsPage, stp_conflicts_page, STP, CONFLICTS_PAGE, GtkBox)

GtkWidget *stp_conflicts_page_new    (StpStore   *store,
                                      StpSession *session);
void       stp_conflicts_page_reload (StpConflictsPage *self);

G_END_DECLS
