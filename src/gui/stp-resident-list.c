/* stp-resident-list.c: a GListModel over an array of StpResidentItem.
 *
 * Measured on a center of 100 000 residents (bench/stupeni-bench-gui): a
 * GListStore spliced and freed its 100 000 items one by one on the main
 * thread, and a list view that lost all its rows and got new ones made some
 * 200 row widgets again (six cells each): a stall of 100 to 300 ms every
 * time a search replaced the whole list.  Here:
 *   - the items are made in the search thread and the array is swapped in
 *     one step; the old array is released in a thread;
 *   - the row objects the view shows are kept and take the new content, so
 *     the view keeps their widgets (labels follow the objects' properties);
 *   - rows added or taken away among those the view keeps realized go a
 *     few dozen per main-loop turn (see step ()).
 * "filled" is emitted when the whole new content is announced. */
#define G_LOG_DOMAIN "stp-resident-list"

#include "config.h"

#include "stp-resident-list.h"
#include "stp-frame-memory.h"
#include "stp-resident-item.h"

#ifdef __GLIBC__
# include <malloc.h>
#endif

/* GTK 4.8 list views keep up to 200 rows realized around what is shown. */
#define REALIZED_ROWS 200
#define STEP 24

struct _StpResidentList
{
  GObject    parent_instance;

  GPtrArray *items;      /* the content */
  GPtrArray *previous;   /* the content replaced, while its rows beyond
                          * the new content are taken away */
  guint      n_shown;    /* what GListModel reports: announced rows */
  guint      step_id;
};

enum {
  FILLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void stp_resident_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (StpResidentList, stp_resident_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, stp_resident_list_model_init))

static GType
stp_resident_list_get_item_type (GListModel *model)
{
  return STP_TYPE_RESIDENT_ITEM;
}

static guint
stp_resident_list_get_n_items (GListModel *model)
{
  return STP_RESIDENT_LIST (model)->n_shown;
}

static gpointer
stp_resident_list_get_item (GListModel *model,
                            guint       position)
{
  StpResidentList *self = STP_RESIDENT_LIST (model);

  if (position >= self->n_shown)
    return NULL;
  if (position < self->items->len)
    return g_object_ref (g_ptr_array_index (self->items, position));
  /* Rows of the old content not yet announced as removed. */
  if (self->previous != NULL && position < self->previous->len)
    return g_object_ref (g_ptr_array_index (self->previous, position));
  return NULL;
}

static void
stp_resident_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = stp_resident_list_get_item_type;
  iface->get_n_items = stp_resident_list_get_n_items;
  iface->get_item = stp_resident_list_get_item;
}

void
stp_resident_list_trim_heap (void)
{
#ifdef __GLIBC__
  malloc_trim (0);
  stp_frame_memory_trimmed ();
#endif
}

static void
release_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  /* Rows still shown keep their own reference and die later, on the main
   * thread; the others end here. */
  g_ptr_array_unref (task_data);
  stp_resident_list_trim_heap ();
  g_task_return_boolean (task, TRUE);
}

void
stp_resident_list_release (GPtrArray *items)
{
  g_autoptr(GTask) task = NULL;

  if (items->len < 1000)
    {
      g_ptr_array_unref (items);
      return;
    }
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, stp_resident_list_release);
  g_task_set_task_data (task, items, NULL);
  g_task_run_in_thread (task, release_thread);
}

/* One step towards the new content: rows of the old content beyond the new
 * one are taken away, or new rows are added.  Where the view has no row
 * widgets (beyond the first REALIZED_ROWS) this is done at once; among the
 * realized rows, STEP rows at a time when @realized is TRUE (each row widget
 * costs some 0.4 ms to make or take down, more on a slow machine).  TRUE
 * when the model is complete. */
static gboolean
step (StpResidentList *self,
      gboolean         realized)
{
  guint target = self->items->len;
  guint n = self->n_shown;

  if (n > target && n > REALIZED_ROWS)
    {
      guint keep = MAX (target, REALIZED_ROWS);

      self->n_shown = keep;
      g_list_model_items_changed (G_LIST_MODEL (self), keep, n - keep, 0);
      n = keep;
    }
  if (realized && n > target)
    {
      guint keep = MAX (target, n - MIN (n, STEP));

      self->n_shown = keep;
      g_list_model_items_changed (G_LIST_MODEL (self), keep, n - keep, 0);
    }
  else if (realized && n < target && n < REALIZED_ROWS)
    {
      guint reach = MIN (target, n + STEP);

      self->n_shown = reach;
      g_list_model_items_changed (G_LIST_MODEL (self), n, 0, reach - n);
    }
  n = self->n_shown;
  if (n < target && n >= REALIZED_ROWS)
    {
      self->n_shown = target;
      g_list_model_items_changed (G_LIST_MODEL (self), n, 0, target - n);
    }

  if (self->n_shown != target)
    return FALSE;
  g_clear_pointer (&self->previous, stp_resident_list_release);
  return TRUE;
}

static gboolean
step_source (gpointer user_data)
{
  StpResidentList *self = user_data;

  if (!step (self, TRUE))
    return G_SOURCE_CONTINUE;

  self->step_id = 0;
  g_signal_emit (self, signals[FILLED], 0);
  return G_SOURCE_REMOVE;
}

/* Brings a change still under way to its end at once. */
static void
finish_steps (StpResidentList *self)
{
  if (self->step_id == 0)
    return;
  g_clear_handle_id (&self->step_id, g_source_remove);
  while (!step (self, TRUE))
    ;
}

void
stp_resident_list_replace (StpResidentList *self,
                           GPtrArray       *items)
{
  guint common;

  g_return_if_fail (STP_IS_RESIDENT_LIST (self));

  finish_steps (self);

  self->previous = self->items;
  self->items = items != NULL ? items : g_ptr_array_new_with_free_func (g_object_unref);
  common = MIN (self->n_shown, self->items->len);

  /* The rows both contents have.  Where the view has row widgets, the row
   * objects stay and take the new content: the view finds the same objects
   * again and keeps its widgets (with new objects it would make new ones,
   * some 50 ms for 75 rows). */
  for (guint i = 0; i < MIN (common, REALIZED_ROWS); i++)
    {
      StpResidentItem *kept = g_ptr_array_index (self->previous, i);
      StpResidentItem *fresh = g_ptr_array_index (self->items, i);

      stp_resident_item_swap_content (kept, fresh);
      self->items->pdata[i] = g_object_ref (kept);
      g_object_unref (fresh);
    }
  if (common > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, common, common);

  /* Rows without widgets now; a small change at once; else the realized
   * rows a step per main-loop turn, after the window has been drawn. */
  if (step (self, FALSE) ||
      (ABS ((int) MIN (self->n_shown, REALIZED_ROWS) - (int) MIN (self->items->len, REALIZED_ROWS)) <= STEP &&
       step (self, TRUE)))
    {
      g_signal_emit (self, signals[FILLED], 0);
      return;
    }
  self->step_id = g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, step_source, self, NULL);
}

gboolean
stp_resident_list_is_filled (StpResidentList *self)
{
  g_return_val_if_fail (STP_IS_RESIDENT_LIST (self), TRUE);

  return self->step_id == 0;
}

static void
stp_resident_list_dispose (GObject *object)
{
  StpResidentList *self = STP_RESIDENT_LIST (object);

  g_clear_handle_id (&self->step_id, g_source_remove);

  G_OBJECT_CLASS (stp_resident_list_parent_class)->dispose (object);
}

static void
stp_resident_list_finalize (GObject *object)
{
  StpResidentList *self = STP_RESIDENT_LIST (object);

  stp_resident_list_release (g_steal_pointer (&self->items));
  g_clear_pointer (&self->previous, stp_resident_list_release);

  G_OBJECT_CLASS (stp_resident_list_parent_class)->finalize (object);
}

static void
stp_resident_list_class_init (StpResidentListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = stp_resident_list_dispose;
  object_class->finalize = stp_resident_list_finalize;

  /**
   * StpResidentList::filled:
   *
   * The whole content given to stp_resident_list_replace() is in the model.
   */
  signals[FILLED] =
    g_signal_new ("filled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
stp_resident_list_init (StpResidentList *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

StpResidentList *
stp_resident_list_new (void)
{
  return g_object_new (STP_TYPE_RESIDENT_LIST, NULL);
}
