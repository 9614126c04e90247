#define G_LOG_DOMAIN "stp-referrals-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-referrals-page.h"
#include "stp-gui-util.h"
#include "stp-query.h"

/* More rows than this are summarized, not drawn: a boxed list is no table. */
#define MAX_ROWS 300

struct _StpReferralsPage
{
  GtkBox      parent_instance;

  StpStore   *store;
  StpSession *session;
  StpStore   *worker_store;   /* second connection for the worker thread */
  guint       count;
  gboolean    loading;
  gboolean    reload_pending;

  GtkLabel   *summary_label;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (StpReferralsPage, stp_referrals_page, GTK_TYPE_BOX)

enum {
  RESIDENT_ACTIVATED,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_row_activated (StpReferralsPage *self,
                  GtkListBoxRow    *row)
{
  const char *resident_id = g_object_get_data (G_OBJECT (row), "resident-id");

  if (resident_id != NULL)
    g_signal_emit (self, signals[RESIDENT_ACTIVATED], 0, resident_id);
}

typedef struct
{
  StpStore   *store;
  StpSession *session;
  char       *today;
  char       *until;
} Query;

static void
query_free (Query *query)
{
  g_clear_object (&query->store);
  g_clear_object (&query->session);
  g_free (query->today);
  g_free (query->until);
  g_free (query);
}

static void
query_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Query *query = task_data;
  GError *error = NULL;
  GPtrArray *due;

  due = stp_store_list_referrals_all (query->store, query->session, query->today, &error);
  if (due == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, due, (GDestroyNotify) g_ptr_array_unref);
}

static void stp_referrals_page_show (StpReferralsPage *self,
                                     GPtrArray        *referrals);

static void
query_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  StpReferralsPage *self = STP_REFERRALS_PAGE (object);
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;

  self->loading = FALSE;
  due = g_task_propagate_pointer (G_TASK (result), &error);

  /* Disposed while the query ran. */
  if (self->session == NULL)
    return;

  if (self->reload_pending)
    {
      self->reload_pending = FALSE;
      stp_referrals_page_reload (self);
      return;
    }

  if (due == NULL)
    gtk_label_set_text (self->summary_label, error->message);
  else
    stp_referrals_page_show (self, due);

  g_signal_emit (self, signals[LOADED], 0);
}

void
stp_referrals_page_reload (StpReferralsPage *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Query *query;

  g_return_if_fail (STP_IS_REFERRALS_PAGE (self));

  /* One query at a time on the worker's connection. */
  if (self->loading)
    {
      self->reload_pending = TRUE;
      return;
    }

  if (self->worker_store == NULL)
    {
      self->worker_store = stp_store_open_secondary (self->store, &error);
      if (self->worker_store == NULL)
        {
          g_warning ("No second connection for referrals: %s", error->message);
          self->worker_store = g_object_ref (self->store);
        }
    }

  query = g_new0 (Query, 1);
  query->store = g_object_ref (self->worker_store);
  query->session = g_object_ref (self->session);
  query->today = stp_store_today (self->store);

  self->loading = TRUE;
  task = g_task_new (self, NULL, query_done, NULL);
  g_task_set_source_tag (task, stp_referrals_page_reload);
  g_task_set_task_data (task, query, (GDestroyNotify) query_free);
  g_task_run_in_thread (task, query_thread);
}

gboolean
stp_referrals_page_is_loading (StpReferralsPage *self)
{
  g_return_val_if_fail (STP_IS_REFERRALS_PAGE (self), FALSE);

  return self->loading;
}

static void
stp_referrals_page_show (StpReferralsPage *self,
                         GPtrArray        *referrals)
{
  g_autofree char *summary = NULL;
  guint overdue = 0;

  stp_gui_remove_all_children (GTK_WIDGET (self->list));

  self->count = referrals->len;
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
      if (i >= MAX_ROWS)
        continue;

      sent_on = stp_gui_format_date (referral->sent_on);
      due_on = stp_gui_format_date (referral->due_on);
      response_on = stp_gui_format_date (referral->response_on);

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

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), referral->resident_id != NULL);
      g_object_set_data_full (G_OBJECT (row), "resident-id",
                              g_strdup (referral->resident_id), g_free);

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

      gtk_list_box_append (self->list, row);
    }

  if (referrals->len > MAX_ROWS)
    summary = g_strdup_printf (_("Referrals: %u, answers overdue: %u. The first %u are shown."),
                               referrals->len, overdue, MAX_ROWS);
  else
    summary = g_strdup_printf (_("Referrals: %u, answers overdue: %u."), referrals->len, overdue);
  gtk_label_set_text (self->summary_label, summary);
}

guint
stp_referrals_page_get_count (StpReferralsPage *self)
{
  g_return_val_if_fail (STP_IS_REFERRALS_PAGE (self), 0);

  return self->count;
}

static void
stp_referrals_page_dispose (GObject *object)
{
  StpReferralsPage *self = STP_REFERRALS_PAGE (object);

  g_clear_object (&self->session);
  g_clear_object (&self->worker_store);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_REFERRALS_PAGE);

  G_OBJECT_CLASS (stp_referrals_page_parent_class)->dispose (object);
}

static void
stp_referrals_page_class_init (StpReferralsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_referrals_page_dispose;

  signals[RESIDENT_ACTIVATED] =
    g_signal_new ("resident-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * StpReferralsPage::loaded:
   *
   * Emitted when a reload's results are shown.
   */
  signals[LOADED] =
    g_signal_new ("loaded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-referrals-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpReferralsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, StpReferralsPage, list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
stp_referrals_page_init (StpReferralsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

StpReferralsPage *
stp_referrals_page_new (StpStore   *store,
                         StpSession *session)
{
  StpReferralsPage *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_REFERRALS_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  /* Loaded when first shown (StpWindow reloads it on every visit). */

  return self;
}
