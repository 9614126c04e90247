/* stp-audit-item.h: one audit event as a GObject, for the access log list. */
#pragma once

#include <glib-object.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_AUDIT_ITEM (stp_audit_item_get_type ())

G_DECLARE_FINAL_TYPE (StpAuditItem, stp_audit_item, STP, AUDIT_ITEM, GObject)

StpAuditItem *stp_audit_item_new        (const StpAuditEvent *event);
const char   *stp_audit_item_get_action (StpAuditItem        *self);
const char   *stp_audit_item_get_user   (StpAuditItem        *self);
const char   *stp_audit_item_get_at     (StpAuditItem        *self);
const char   *stp_audit_item_get_login  (StpAuditItem        *self);
const char   *stp_audit_item_get_resident_name (StpAuditItem *self);
int           stp_audit_item_get_action_code   (StpAuditItem *self);
const char   *stp_audit_item_get_detail (StpAuditItem        *self);
const char   *stp_audit_item_get_entity (StpAuditItem        *self);

G_END_DECLS
