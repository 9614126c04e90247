#define G_LOG_DOMAIN "stp-follow-ups-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-follow-ups-page.h"
#include "stp-gui-util.h"
#include "stp-query.h"

/* Follow-ups due within this many days are listed. */
#define DAYS_AHEAD 30

struct _StpFollowUpsPage
{
  StpListPage parent_instance;
};

G_DEFINE_FINAL_TYPE (StpFollowUpsPage, stp_follow_ups_page, STP_TYPE_LIST_PAGE)

typedef struct
{
  StpSession *session;
  char       *today;
  char       *until;
} Query;

static void
query_free (gpointer data)
{
  Query *query = data;

  g_clear_object (&query->session);
  g_free (query->today);
  g_free (query->until);
  g_free (query);
}

static gpointer
make_query (StpListPage *page)
{
  StpStore *store = stp_list_page_get_store (page);
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (stp_store_now (store) / G_USEC_PER_SEC);
  g_autoptr(GDateTime) until_time = g_date_time_add_days (now, DAYS_AHEAD);
  Query *query = g_new0 (Query, 1);

  query->session = g_object_ref (stp_list_page_get_session (page));
  query->today = stp_store_today (store);
  query->until = g_date_time_format (until_time, "%Y-%m-%d");
  return query;
}

/* On the worker thread. */
static GPtrArray *
run_query (StpStore  *store,
           gpointer   data,
           GError   **error)
{
  Query *query = data;

  return stp_store_list_follow_ups_due (store, query->session, query->today, query->until, error);
}

static char *
show (StpListPage *page,
      GPtrArray   *due,
      guint        max_rows,
      GtkListBox  *list)
{
  guint overdue = 0;

  for (guint i = 0; i < due->len; i++)
    {
      StpFollowUpDue *item = g_ptr_array_index (due, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *due_on = NULL;
      GtkWidget *row;

      if (item->overdue)
        overdue++;
      if (i >= max_rows)
        continue;

      due_on = stp_format_date (item->follow_up->due_on);
      title = g_strdup_printf ("%s (%s)", item->resident_name,
                               item->file_number != NULL ? item->file_number : "—");
      /* TRANSLATORS: %d is 1, 3, 6, 12 or 24 months after discharge; %s is a date */
      subtitle = g_strdup_printf (_("%d months after discharge, due %s"),
                                  item->follow_up->months, due_on);

      row = stp_list_page_new_row (title, subtitle, item->follow_up->resident_id);

      if (item->overdue)
        {
          /* Said in words, not by colour alone. */
          GtkWidget *label = gtk_label_new (_("overdue"));

          gtk_widget_add_css_class (label, "error");
          gtk_widget_add_css_class (label, "heading");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));

      gtk_list_box_append (list, row);
    }

  if (due->len > max_rows)
    return g_strdup_printf (_("Due: %u, overdue: %u. The first %u are shown."),
                            due->len, overdue, max_rows);
  return g_strdup_printf (_("Due: %u, overdue: %u."), due->len, overdue);
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

  page_class->make_query = make_query;
  page_class->free_query = query_free;
  page_class->run_query = run_query;
  page_class->show = show;
}

static void
stp_follow_ups_page_init (StpFollowUpsPage *self)
{
  stp_list_page_set_texts (STP_LIST_PAGE (self),
                           _("Follow-ups due in the next 30 days, overdue first"),
                           _("No follow-ups are due"));
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
