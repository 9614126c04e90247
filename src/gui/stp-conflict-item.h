/* stp-conflict-item.h: one open conflict, as a list model item. */
#pragma once

#include <glib-object.h>

#include "stp-sync-store.h"

G_BEGIN_DECLS

#define STP_TYPE_CONFLICT_ITEM (stp_conflict_item_get_type ())

G_DECLARE_FINAL_TYPE (StpConflictItem, stp_conflict_item, STP, CONFLICT_ITEM, GObject)

/* Takes ownership of @conflict. */
StpConflictItem   *stp_conflict_item_new          (StpConflict     *conflict);
const StpConflict *stp_conflict_item_get_conflict (StpConflictItem *self);

G_END_DECLS
