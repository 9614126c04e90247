/* stp-list-page.h: the base of the pages that list what is due (follow-ups,
 * referrals): a heading, a summary and a boxed list of rows that open a
 * resident's card, filled from a query on the query worker.  A subclass
 * makes the query and the rows; reloading, one at a time, is done here. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_LIST_PAGE (stp_list_page_get_type ())

G_DECLARE_DERIVABLE_TYPE (StpListPage, stp_list_page, STP, LIST_PAGE, GtkBox)

struct _StpListPageClass
{
  GtkBoxClass parent_class;

  /* Main thread: the input of one query (freed with @free_query). */
  gpointer    (*make_query) (StpListPage  *self);
  void        (*free_query) (gpointer      query);
  /* Worker thread, on the worker's connection: the rows, or NULL. */
  GPtrArray  *(*run_query)  (StpStore     *store,
                             gpointer      query,
                             GError      **error);
  /* Main thread: appends a row per item to @list (at most @max_rows) and
   * returns the summary text. */
  char       *(*show)       (StpListPage  *self,
                             GPtrArray    *rows,
                             guint         max_rows,
                             GtkListBox   *list);
};

/* Queries off the main thread; "loaded" tells when the rows are shown. */
void        stp_list_page_reload      (StpListPage *self);
gboolean    stp_list_page_is_loading  (StpListPage *self);
/* How many rows the last reload found (shown or not). */
guint       stp_list_page_get_count   (StpListPage *self);
/* For subclasses. */
void        stp_list_page_set_texts   (StpListPage *self,
                                       const char  *heading,
                                       const char  *empty_title);
StpStore   *stp_list_page_get_store   (StpListPage *self);
StpSession *stp_list_page_get_session (StpListPage *self);
/* A row that opens @resident_id's card when activated (NULL: none). */
GtkWidget  *stp_list_page_new_row     (const char  *title,
                                       const char  *subtitle,
                                       const char  *resident_id);

G_END_DECLS
