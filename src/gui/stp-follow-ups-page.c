#define G_LOG_DOMAIN "stp-follow-ups-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-follow-ups-page.h"
#include "stp-gui-util.h"
#include "stp-validate.h"
#include "stp-work-row.h"

struct _StpFollowUpsPage
{
  StpListPage parent_instance;
};

G_DEFINE_FINAL_TYPE (StpFollowUpsPage, stp_follow_ups_page, STP_TYPE_LIST_PAGE)

/* The period filter: when the follow-ups are due.  Overdue ones are
 * listed whatever the period. */
enum {
  PERIOD_OVERDUE,
  PERIOD_7_DAYS,
  PERIOD_30_DAYS,
  PERIOD_90_DAYS,
  PERIOD_ANY,
};

static const int period_days[] = { -1, 7, 30, 90, 0 };

static void
period_bounds (guint       period,
               const char *today,
               char      **from,
               char      **until)
{
  /* Due by the period's end (overdue ones come whatever the period). */
  *from = NULL;
  *until = period < G_N_ELEMENTS (period_days) && period != PERIOD_ANY
           ? stp_date_add_days (today, period_days[period])
           : NULL;
}

/* On the worker thread. */
static GPtrArray *
run_query (StpStore            *store,
           StpSession          *session,
           const StpWorkFilter *filter,
           GError             **error)
{
  return stp_store_list_follow_up_groups (store, session, filter, error);
}

/* On the worker thread. */
static GObject *
item_row (gpointer    data,
          const char *resident_id)
{
  StpFollowUpDue *item = data;
  g_autofree char *due_on = stp_format_date (item->follow_up->due_on);
  g_autofree char *title = NULL;

  /* TRANSLATORS: %d is 1, 3, 6, 12 or 24 months after discharge; %s is a date */
  title = g_strdup_printf (_("%d months after discharge, due %s"), item->follow_up->months, due_on);
  return G_OBJECT (stp_work_row_new_item (resident_id, title, NULL,
                                          item->overdue ? _("overdue") : NULL, item->overdue, NULL));
}

static char *
summary (const StpWorkCounts *counts)
{
  /* TRANSLATORS: the summary of the follow-ups list */
  return g_strdup_printf (_("Due: %u, overdue: %u, residents: %u."),
                          counts->n_items, counts->n_overdue, counts->n_residents);
}

void
stp_follow_ups_page_reload (StpFollowUpsPage *self)
{
  stp_list_page_reload (STP_LIST_PAGE (self));
}

gboolean
stp_follow_ups_page_is_loading (StpFollowUpsPage *self)
{
  return stp_list_page_is_loading (STP_LIST_PAGE (self));
}

guint
stp_follow_ups_page_get_count (StpFollowUpsPage *self)
{
  return stp_list_page_get_count (STP_LIST_PAGE (self));
}

static void
stp_follow_ups_page_class_init (StpFollowUpsPageClass *klass)
{
  StpListPageClass *page_class = STP_LIST_PAGE_CLASS (klass);

  page_class->run_query = run_query;
  page_class->item_row = item_row;
  page_class->period_bounds = period_bounds;
  page_class->summary = summary;
}

static void
stp_follow_ups_page_init (StpFollowUpsPage *self)
{
  const char *periods[] = {
    _("Overdue only"),
    _("Due in 7 days"),
    _("Due in 30 days"),
    _("Due in 90 days"),
    _("Any due date"),
    NULL,
  };

  stp_list_page_set_texts (STP_LIST_PAGE (self),
                           _("Follow-ups by resident, overdue first"),
                           _("No follow-ups are due"));
  stp_list_page_set_periods (STP_LIST_PAGE (self), periods, PERIOD_30_DAYS);
}

StpFollowUpsPage *
stp_follow_ups_page_new (StpStore   *store,
                         StpSession *session)
{
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  /* Loaded when first shown (StpWindow reloads it on every visit). */
  return g_object_new (STP_TYPE_FOLLOW_UPS_PAGE, "store", store, "session", session, NULL);
}
