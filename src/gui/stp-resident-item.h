/* stp-resident-item.h: one row of the residents list (a GObject over an
 * StpResidentSummary, for GListModel). */
#pragma once

#include <glib-object.h>

#include "stp-query.h"

G_BEGIN_DECLS

#define STP_TYPE_RESIDENT_ITEM (stp_resident_item_get_type ())

G_DECLARE_FINAL_TYPE (StpResidentItem, stp_resident_item, STP, RESIDENT_ITEM, GObject)

/* @today is "YYYY-MM-DD": age and day in the program are counted to it. */
StpResidentItem *stp_resident_item_new           (const StpResidentSummary *summary,
                                                  const char               *today);
const char      *stp_resident_item_get_id        (StpResidentItem          *self);
const char      *stp_resident_item_get_full_name (StpResidentItem          *self);
int              stp_resident_item_get_age       (StpResidentItem          *self);
int              stp_resident_item_get_day       (StpResidentItem          *self);
void             stp_resident_item_swap_content  (StpResidentItem          *self,
                                                  StpResidentItem          *other);

G_END_DECLS
