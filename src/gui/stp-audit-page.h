/* stp-audit-page.h: the access log (director only). */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_AUDIT_PAGE (stp_audit_page_get_type ())

G_DECLARE_FINAL_TYPE (StpAuditPage, stp_audit_page, STP, AUDIT_PAGE, GtkBox)

StpAuditPage *stp_audit_page_new       (StpStore     *store,
                                        StpSession   *session);
void          stp_audit_page_reload    (StpAuditPage *self);
/* The events as shown; items are StpAuditItem. */
GListModel   *stp_audit_page_get_model (StpAuditPage *self);

G_END_DECLS
