/* stp-list-page.h: the base of the working lists (follow-ups, referrals):
 * a heading, filters by responsible specialist and period, a summary and
 * a list of rows grouped per resident (a heading row per resident, then
 * what is to be done for them), overdue first.  Activating a row opens the
 * resident's card.  The query runs on the query worker; the rows
 * (StpWorkRow) are made there too, so a long list costs the window one
 * model update. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-worklist.h"

G_BEGIN_DECLS

#define STP_TYPE_LIST_PAGE (stp_list_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (StpListPage, stp_list_page, STP, LIST_PAGE, GtkBox)

struct _StpListPageClass
{
  GtkBoxClass parent_class;

  /* Worker thread, on the worker's connection: StpWorkGroups, or NULL. */
  GPtrArray  *(*run_query)     (StpStore            *store,
                                StpSession          *session,
                                const StpWorkFilter *filter,
                                GError             **error);
  /* Worker thread: the row of one item of a group (a StpFollowUpDue or a
   * StpReferralItem). */
  GObject    *(*item_row)      (gpointer             item,
                                const char          *resident_id);
  /* Main thread: the bounds ("YYYY-MM-DD" or NULL) of period @period of
   * the labels given to stp_list_page_set_periods(). */
  void        (*period_bounds) (guint                period,
                                const char          *today,
                                char               **from,
                                char               **until);
  /* Main thread: the summary line. */
  char       *(*summary)       (const StpWorkCounts *counts);
};

/* Queries off the main thread; "loaded" tells when the rows are shown. */
void        stp_list_page_reload      (StpListPage *self);
gboolean    stp_list_page_is_loading  (StpListPage *self);
/* How many things to do the last reload found (resident headings aside). */
guint       stp_list_page_get_count   (StpListPage *self);
/* The counts of the last reload. */
const StpWorkCounts *stp_list_page_get_counts (StpListPage *self);
/* The rows shown (StpWorkRow), headings included. */
GListModel *stp_list_page_get_model   (StpListPage *self);
/* For subclasses. */
void        stp_list_page_set_texts   (StpListPage *self,
                                       const char  *heading,
                                       const char  *empty_title);
/* @labels (NULL-terminated, translated) name the periods of the period
 * filter; @selected is chosen first. */
void        stp_list_page_set_periods (StpListPage        *self,
                                       const char * const *labels,
                                       guint               selected);
StpStore   *stp_list_page_get_store   (StpListPage *self);
StpSession *stp_list_page_get_session (StpListPage *self);

G_END_DECLS
