#define G_LOG_DOMAIN "stp-referrals-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-referrals-page.h"
#include "stp-gui-util.h"
#include "stp-query.h"

struct _StpReferralsPage
{
  StpListPage parent_instance;
};

G_DEFINE_FINAL_TYPE (StpReferralsPage, stp_referrals_page, STP_TYPE_LIST_PAGE)

typedef struct
{
  StpSession *session;
  char       *today;
} Query;

static void
query_free (gpointer data)
{
  Query *query = data;

  g_clear_object (&query->session);
  g_free (query->today);
  g_free (query);
}

static gpointer
make_query (StpListPage *page)
{
  Query *query = g_new0 (Query, 1);

  query->session = g_object_ref (stp_list_page_get_session (page));
  query->today = stp_store_today (stp_list_page_get_store (page));
  return query;
}

/* On the worker thread. */
static GPtrArray *
run_query (StpStore  *store,
           gpointer   data,
           GError   **error)
{
  Query *query = data;

  return stp_store_list_referrals_all (store, query->session, query->today, error);
}

static char *
show (StpListPage *page,
      GPtrArray   *referrals,
      guint        max_rows,
      GtkListBox  *list)
{
  guint overdue = 0;

  for (guint i = 0; i < referrals->len; i++)
    {
      StpReferralItem *item = g_ptr_array_index (referrals, i);
      StpReferral *referral = item->referral;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *sent_on = NULL;
      g_autofree char *due_on = NULL;
      g_autofree char *response_on = NULL;
      g_autofree char *state = NULL;
      GtkWidget *row;
      GtkWidget *label;

      if (item->overdue)
        overdue++;
      if (i >= max_rows)
        continue;

      sent_on = stp_format_date (referral->sent_on);
      due_on = stp_format_date (referral->due_on);
      response_on = stp_format_date (referral->response_on);

      title = g_strdup_printf ("%s — %s",
                               item->resident_name != NULL ? item->resident_name : "—",
                               referral->agency_name != NULL
                               ? referral->agency_name
                               : stp_enum_to_label (STP_ENUM_AGENCY_KIND, referral->agency_kind));
      /* TRANSLATORS: direction (incoming/outgoing), agency kind, sent date */
      subtitle = g_strdup_printf (_("%s, %s, sent %s"),
                                  stp_enum_to_label (STP_ENUM_DIRECTION, referral->direction),
                                  stp_enum_to_label (STP_ENUM_AGENCY_KIND, referral->agency_kind),
                                  sent_on);

      row = stp_list_page_new_row (title, subtitle, referral->resident_id);

      /* The state is said in words, not by colour alone. */
      if (item->overdue)
        /* TRANSLATORS: an answer to a referral is overdue; %s is the due date */
        state = g_strdup_printf (_("overdue since %s"), due_on);
      else if (referral->response_on != NULL)
        state = g_strdup_printf (_("answered %s"), response_on);
      else if (referral->due_on != NULL)
        state = g_strdup_printf (_("answer due %s"), due_on);

      if (state != NULL)
        {
          label = gtk_label_new (state);
          if (item->overdue)
            {
              gtk_widget_add_css_class (label, "error");
              gtk_widget_add_css_class (label, "heading");
            }
          else
            {
              gtk_widget_add_css_class (label, "dim-label");
            }
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
        }

      gtk_list_box_append (list, row);
    }

  if (referrals->len > max_rows)
    return g_strdup_printf (_("Referrals: %u, answers overdue: %u. The first %u are shown."),
                            referrals->len, overdue, max_rows);
  return g_strdup_printf (_("Referrals: %u, answers overdue: %u."), referrals->len, overdue);
}

void
stp_referrals_page_reload (StpReferralsPage *self)
{
  stp_list_page_reload (STP_LIST_PAGE (self));
}

gboolean
stp_referrals_page_is_loading (StpReferralsPage *self)
{
  return stp_list_page_is_loading (STP_LIST_PAGE (self));
}

guint
stp_referrals_page_get_count (StpReferralsPage *self)
{
  return stp_list_page_get_count (STP_LIST_PAGE (self));
}

static void
stp_referrals_page_class_init (StpReferralsPageClass *klass)
{
  StpListPageClass *page_class = STP_LIST_PAGE_CLASS (klass);

  page_class->make_query = make_query;
  page_class->free_query = query_free;
  page_class->run_query = run_query;
  page_class->show = show;
}

static void
stp_referrals_page_init (StpReferralsPage *self)
{
  stp_list_page_set_texts (STP_LIST_PAGE (self),
                           _("Interagency referrals, overdue answers first"),
                           _("No referrals yet"));
}

StpReferralsPage *
stp_referrals_page_new (StpStore   *store,
                        StpSession *session)
{
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  /* Loaded when first shown (StpWindow reloads it on every visit). */
  return g_object_new (STP_TYPE_REFERRALS_PAGE, "store", store, "session", session, NULL);
}
