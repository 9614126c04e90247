#define G_LOG_DOMAIN "stp-referrals-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-referrals-page.h"
#include "stp-gui-util.h"
#include "stp-validate.h"
#include "stp-work-row.h"

struct _StpReferralsPage
{
  StpListPage parent_instance;
};

G_DEFINE_FINAL_TYPE (StpReferralsPage, stp_referrals_page, STP_TYPE_LIST_PAGE)

/* The period filter: when the referrals were sent.  Those whose answer is
 * overdue are listed whatever the period. */
enum {
  PERIOD_OVERDUE,
  PERIOD_30_DAYS,
  PERIOD_90_DAYS,
  PERIOD_YEAR,
  PERIOD_ANY,
};

static const int period_days[] = { 0, 30, 90, 365, 0 };

static void
period_bounds (guint       period,
               const char *today,
               char      **from,
               char      **until)
{
  switch (period)
    {
    case PERIOD_OVERDUE:
      /* An empty period (tomorrow to today): the overdue ones alone. */
      *from = stp_date_add_days (today, 1);
      *until = g_strdup (today);
      break;
    case PERIOD_30_DAYS:
    case PERIOD_90_DAYS:
    case PERIOD_YEAR:
      *from = stp_date_add_days (today, -period_days[period]);
      *until = NULL;
      break;
    default:
      *from = NULL;
      *until = NULL;
    }
}

/* On the worker thread. */
static GPtrArray *
run_query (StpStore            *store,
           StpSession          *session,
           const StpWorkFilter *filter,
           GError             **error)
{
  return stp_store_list_referral_groups (store, session, filter, error);
}

/* On the worker thread. */
static GObject *
item_row (gpointer    data,
          const char *resident_id)
{
  StpReferralItem *item = data;
  StpReferral *referral = item->referral;
  g_autofree char *sent_on = stp_format_date (referral->sent_on);
  g_autofree char *due_on = stp_format_date (referral->due_on);
  g_autofree char *response_on = stp_format_date (referral->response_on);
  g_autofree char *subtitle = NULL;
  g_autofree char *state = NULL;
  const char *agency;

  agency = referral->agency_name != NULL
           ? referral->agency_name
           : stp_enum_to_label (STP_ENUM_AGENCY_KIND, referral->agency_kind);
  /* TRANSLATORS: direction (incoming/outgoing), agency kind, sent date */
  subtitle = g_strdup_printf (_("%s, %s, sent %s"),
                              stp_enum_to_label (STP_ENUM_DIRECTION, referral->direction),
                              stp_enum_to_label (STP_ENUM_AGENCY_KIND, referral->agency_kind),
                              sent_on);

  /* The state is said in words, not by colour alone. */
  if (item->overdue)
    /* TRANSLATORS: an answer to a referral is overdue; %s is the due date */
    state = g_strdup_printf (_("overdue since %s"), due_on);
  else if (referral->response_on != NULL)
    state = g_strdup_printf (_("answered %s"), response_on);
  else if (referral->due_on != NULL)
    state = g_strdup_printf (_("answer due %s"), due_on);

  /* An outgoing referral offers its letter (print and PDF). */
  return G_OBJECT (stp_work_row_new_item (resident_id, agency, subtitle, state, item->overdue,
                                          referral->direction == STP_DIRECTION_OUTGOING
                                          ? referral->meta.id : NULL));
}

static char *
summary (const StpWorkCounts *counts)
{
  /* TRANSLATORS: the summary of the referrals list */
  return g_strdup_printf (_("Referrals: %u, answers overdue: %u, residents: %u."),
                          counts->n_items, counts->n_overdue, counts->n_residents);
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

  page_class->run_query = run_query;
  page_class->item_row = item_row;
  page_class->period_bounds = period_bounds;
  page_class->summary = summary;
}

static void
stp_referrals_page_init (StpReferralsPage *self)
{
  const char *periods[] = {
    _("Overdue answers only"),
    _("Sent in 30 days"),
    _("Sent in 90 days"),
    _("Sent in a year"),
    _("Sent any time"),
    NULL,
  };

  stp_list_page_set_texts (STP_LIST_PAGE (self),
                           _("Referrals by resident, overdue answers first"),
                           _("No referrals"));
  stp_list_page_set_periods (STP_LIST_PAGE (self), periods, PERIOD_ANY);
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
