#define G_LOG_DOMAIN "stp-conflict-item"

#include "config.h"

#include "stp-conflict-item.h"

struct _StpConflictItem
{
  GObject      parent_instance;
  StpConflict *conflict;
};

G_DEFINE_FINAL_TYPE (StpConflictItem, stp_conflict_item, G_TYPE_OBJECT)

static void
stp_conflict_item_finalize (GObject *object)
{
  StpConflictItem *self = STP_CONFLICT_ITEM (object);

  g_clear_pointer (&self->conflict, stp_conflict_free);
  G_OBJECT_CLASS (stp_conflict_item_parent_class)->finalize (object);
}

static void
stp_conflict_item_class_init (StpConflictItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_conflict_item_finalize;
}

static void
stp_conflict_item_init (StpConflictItem *self)
{
}

StpConflictItem *
stp_conflict_item_new (StpConflict *conflict)
{
  StpConflictItem *self;

  g_return_val_if_fail (conflict != NULL, NULL);

  self = g_object_new (STP_TYPE_CONFLICT_ITEM, NULL);
  self->conflict = conflict;
  return self;
}

const StpConflict *
stp_conflict_item_get_conflict (StpConflictItem *self)
{
  g_return_val_if_fail (STP_IS_CONFLICT_ITEM (self), NULL);
  return self->conflict;
}
