#define G_LOG_DOMAIN "stp-overview-page"

#include "config.h"

#include "stp-overview-page.h"
#include "stp-i18n.h"
#include "stp-chart-view.h"
#include "stp-report-common.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <string.h>

/* How often the page asks whether anything was committed while it is
 * shown; the question is one PRAGMA on the worker's connection. */
#define POLL_SECONDS 2

/* The worker's own connection, shared by the page and its running task. */
typedef struct
{
  GMutex    lock;
  StpStore *store;
} Worker;

struct _StpOverviewPage
{
  GtkBox        parent_instance;

  StpStore     *store;          /* owned */
  StpSession   *session;        /* owned */
  Worker       *worker;         /* a reference */
  StpOverview  *overview;       /* owned, NULL before the first count */
  gint64        seen_version;   /* data_version of the numbers shown */
  gboolean      loading;
  guint         poll_id;
  GCancellable *cancellable;

  GtkLabel     *date_label;
  GtkSpinner   *spinner;
  GtkLabel     *error_label;
  GtkFlowBox   *seats_box;
  GtkFlowBox   *programs_box;
  /* Kept between counts, so that new numbers only change texts and
   * charts (no widgets made again, no new layout of the whole page). */
  GtkWidget    *seat_cards[4];
  GtkLabel     *seat_numbers[4];
  GtkLabel     *seat_captions[4];
  GPtrArray    *program_ids;    /* of the charts in programs_box, in order */
  GPtrArray    *program_views;
  /* Charts to set, one per frame: each one drawn again is its own area
   * repainted (the month chart alone is 15-25 ms of the main thread's CPU
   * with the cairo renderer under load), and all in one frame would add
   * up past 30 ms; "loaded" waits for them.  Their places are held from
   * the start (reserve_places()), so nothing else moves. */
  GQueue        pending;        /* of PendingChart */
  guint         tick_id;
  gboolean      loaded_pending;
  GtkWidget    *months_chart;
  GtkWidget    *outcomes_chart;
  GtkWidget    *dropped_chart;
  GtkWidget    *remission_chart;
  GtkLabel     *results_label;
  GtkLabel     *follow_ups_overdue_label;
  GtkLabel     *follow_ups_week_label;
  GtkLabel     *referrals_label;
  GtkLabel     *court_label;
  GtkLabel     *consents_label;
};

G_DEFINE_FINAL_TYPE (StpOverviewPage, stp_overview_page, GTK_TYPE_BOX)

typedef struct
{
  GtkWidget *view;     /* NULL: the chart of program number @program */
  int        program;
  StpChart  *chart;
} PendingChart;

static void
pending_chart_free (PendingChart *item)
{
  stp_chart_unref (item->chart);
  g_free (item);
}

enum {
  OPEN_PAGE,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
worker_clear (Worker *worker)
{
  g_mutex_clear (&worker->lock);
  g_clear_object (&worker->store);
}

static void
worker_release (Worker *worker)
{
  g_rc_box_release_full (worker, (GDestroyNotify) worker_clear);
}

typedef struct
{
  Worker      *worker;        /* a reference */
  StpSession  *session;
  gboolean     force;
  gint64       seen_version;
  /* Results. */
  gint64       version;
  StpOverview *overview;      /* NULL: nothing changed */
} CountData;

static void
count_data_free (CountData *data)
{
  g_clear_pointer (&data->worker, worker_release);
  g_clear_object (&data->session);
  g_clear_pointer (&data->overview, stp_overview_free);
  g_free (data);
}

static void
count_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CountData *data = task_data;
  GError *error = NULL;

  g_mutex_lock (&data->worker->lock);
  data->version = stp_store_get_data_version (data->worker->store);
  if (data->force || data->version != data->seen_version || data->version < 0)
    data->overview = stp_store_compute_overview (data->worker->store, data->session, &error);
  g_mutex_unlock (&data->worker->lock);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* --- Showing the numbers ------------------------------------------------- */

static char *
count_of (gint64 value,
          gint64 total)
{
  if (total <= 0)
    return g_strdup_printf ("%" G_GINT64_FORMAT, value);
  /* TRANSLATORS: «3 of 20» places */
  return g_strdup_printf (_("%d of %d"), (int) value, (int) total);
}

/* Card @i of the places: made the first time, its texts set after. */
static void
set_card (StpOverviewPage *self,
          guint            i,
          const char      *name,
          const char      *value,
          const char      *caption)
{
  g_autofree char *accessible = g_strdup_printf ("%s: %s", caption, value);

  if (self->seat_cards[i] == NULL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *number = gtk_label_new (NULL);
      GtkWidget *text = gtk_label_new (NULL);

      gtk_widget_set_name (box, name);
      gtk_widget_add_css_class (box, "card");
      gtk_widget_add_css_class (number, "title-1");
      gtk_widget_add_css_class (text, "dim-label");
      gtk_label_set_wrap (GTK_LABEL (text), TRUE);
      gtk_label_set_justify (GTK_LABEL (text), GTK_JUSTIFY_CENTER);
      gtk_widget_set_margin_top (number, 8);
      gtk_widget_set_margin_bottom (text, 8);
      gtk_widget_set_margin_start (text, 6);
      gtk_widget_set_margin_end (text, 6);
      gtk_box_append (GTK_BOX (box), number);
      gtk_box_append (GTK_BOX (box), text);
      gtk_flow_box_append (self->seats_box, box);
      self->seat_cards[i] = box;
      self->seat_numbers[i] = GTK_LABEL (number);
      self->seat_captions[i] = GTK_LABEL (text);
    }
  /* Setting the same text again costs nothing (GtkLabel checks). */
  gtk_label_set_text (self->seat_numbers[i], value);
  gtk_label_set_text (self->seat_captions[i], caption);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->seat_cards[i]),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
}

static void
apply_chart (StpOverviewPage *self,
             PendingChart    *item)
{
  GtkWidget *view = item->view;

  g_debug ("chart «%s» set", stp_chart_get_title (item->chart));
  if (view == NULL && (guint) item->program < self->program_views->len)
    view = self->program_views->pdata[item->program];
  if (view != NULL)
    {
      stp_chart_view_set_chart (STP_CHART_VIEW (view), item->chart);
      /* Shown from its first numbers on (see reserve_places()). */
      gtk_widget_set_opacity (view, 1.0);
      gtk_accessible_update_state (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_STATE_HIDDEN, FALSE, -1);
      return;
    }
  /* A program's chart made for the first time. */
  view = stp_chart_view_new (item->chart);
  gtk_widget_set_size_request (view, 340, -1);
  gtk_flow_box_append (self->programs_box, view);
  g_ptr_array_add (self->program_views, view);
}

static void
emit_loaded_if_done (StpOverviewPage *self)
{
  if (self->loaded_pending && g_queue_is_empty (&self->pending))
    {
      self->loaded_pending = FALSE;
      g_signal_emit (self, signals[LOADED], 0);
    }
}

/* All charts at once: when the page is not shown there are no frames. */
static void
apply_all_charts (StpOverviewPage *self)
{
  PendingChart *item;

  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  while ((item = g_queue_pop_head (&self->pending)) != NULL)
    {
      apply_chart (self, item);
      pending_chart_free (item);
    }
  emit_loaded_if_done (self);
}

static gboolean
apply_next_chart (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  StpOverviewPage *self = STP_OVERVIEW_PAGE (widget);
  PendingChart *item = g_queue_pop_head (&self->pending);

  if (item != NULL)
    {
      apply_chart (self, item);
      pending_chart_free (item);
    }
  if (!g_queue_is_empty (&self->pending))
    return G_SOURCE_CONTINUE;
  self->tick_id = 0;
  emit_loaded_if_done (self);
  return G_SOURCE_REMOVE;
}

/* @chart into @view (or, with @view NULL, the chart of program number
 * @program), in a frame of its own. */
static void
queue_chart (StpOverviewPage *self,
             GtkWidget       *view,
             int              program,
             StpChart        *chart)
{
  PendingChart *item = g_new0 (PendingChart, 1);

  item->view = view;
  item->program = program;
  item->chart = stp_chart_ref (chart);
  g_queue_push_tail (&self->pending, item);
  if (self->tick_id == 0)
    self->tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), apply_next_chart, NULL, NULL);
}

/* The programs' charts change: those not made yet are not wanted. */
static void
drop_pending_programs (StpOverviewPage *self)
{
  GList *l = self->pending.head;

  while (l != NULL)
    {
      GList *next = l->next;
      PendingChart *item = l->data;

      if (item->view == NULL)
        {
          pending_chart_free (item);
          g_queue_delete_link (&self->pending, l);
        }
      l = next;
    }
}

static void
remove_all (GtkFlowBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_flow_box_remove (box, child);
}

static void
show_seats (StpOverviewPage   *self,
            const StpOverview *o)
{
  g_autofree char *occupied = count_of (o->in_center, o->seats_total);
  g_autofree char *men = count_of (o->in_center_male, o->seats_male);
  g_autofree char *women = count_of (o->in_center_female, o->seats_female);

  set_card (self, 0, "seats-occupied", occupied, _("Places taken"));
  set_card (self, 1, "seats-men", men, _("Men"));
  set_card (self, 2, "seats-women", women, _("Women"));
  if (o->seats_total > 0)
    {
      g_autofree char *free_places = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                      MAX (o->seats_total - o->in_center, 0));

      set_card (self, 3, "seats-free", free_places, _("Places free"));
    }
  else
    {
      set_card (self, 3, "seats-free", "—", _("Seats are not set in the center’s settings"));
    }
}

/* One stacked chart per program with residents: its stages, men and
 * women. */
static void
show_programs (StpOverviewPage   *self,
               const StpOverview *o)
{
  g_autoptr(GPtrArray) programs = g_ptr_array_new ();

  gboolean same_programs;

  for (guint i = 0; i < o->stages->len; i++)
    {
      StpOverviewStage *s = g_ptr_array_index (o->stages, i);
      gboolean seen = FALSE;

      for (guint p = 0; p < programs->len && !seen; p++)
        seen = g_strcmp0 (programs->pdata[p], s->program_id) == 0;
      if (!seen && s->residents > 0)
        g_ptr_array_add (programs, s->program_id);
    }

  /* The same programs as shown: their charts get the new numbers;
   * otherwise the charts are made again. */
  same_programs = self->program_ids->len == programs->len;
  for (guint p = 0; p < programs->len && same_programs; p++)
    same_programs = g_strcmp0 (self->program_ids->pdata[p], programs->pdata[p]) == 0;
  if (!same_programs)
    {
      drop_pending_programs (self);
      remove_all (self->programs_box);
      g_ptr_array_set_size (self->program_ids, 0);
      g_ptr_array_set_size (self->program_views, 0);
    }

  for (guint p = 0; p < programs->len; p++)
    {
      const char *program_id = programs->pdata[p];
      g_autoptr(GArray) men = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) women = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(GArray) unknown = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autoptr(StpChart) chart = NULL;
      g_autofree char *title = NULL;
      const char *program_name = NULL;
      gint64 total = 0, unknown_total = 0;
      for (guint i = 0; i < o->stages->len; i++)
        {
          StpOverviewStage *s = g_ptr_array_index (o->stages, i);

          if (g_strcmp0 (s->program_id, program_id) == 0)
            {
              if (program_name == NULL)
                program_name = s->program_name;
              total += s->residents;
            }
        }
      /* TRANSLATORS: a chart's title: a program's name and how many residents it has */
      title = g_strdup_printf (_("%s: %d in the center"),
                               program_name != NULL ? program_name : "—", (int) total);
      chart = stp_chart_new (STP_CHART_STACKED_BARS, title);
      stp_chart_set_horizontal (chart, TRUE);
      for (guint i = 0; i < o->stages->len; i++)
        {
          StpOverviewStage *s = g_ptr_array_index (o->stages, i);
          gint64 rest = s->residents - s->male - s->female;

          if (g_strcmp0 (s->program_id, program_id) != 0)
            continue;
          stp_chart_add_category (chart, s->stage_name != NULL ? s->stage_name : C_("stats", "No stage"));
          g_array_append_val (men, s->male);
          g_array_append_val (women, s->female);
          g_array_append_val (unknown, rest);
          unknown_total += rest;
        }
      stp_chart_add_series (chart, _("Men"), (gint64 *) men->data, men->len);
      stp_chart_add_series (chart, _("Women"), (gint64 *) women->data, women->len);
      if (unknown_total > 0)
        stp_chart_add_series (chart, _("Sex not stated"), (gint64 *) unknown->data, unknown->len);
      queue_chart (self, NULL, (int) p, chart);
      if (!same_programs)
        g_ptr_array_add (self->program_ids, g_strdup (program_id));
    }
}

static const char *
month_label (const char *month)
{
  static const char *names[] = {
    NC_("month", "Jan"), NC_("month", "Feb"), NC_("month", "Mar"), NC_("month", "Apr"),
    NC_("month", "May"), NC_("month", "Jun"), NC_("month", "Jul"), NC_("month", "Aug"),
    NC_("month", "Sep"), NC_("month", "Oct"), NC_("month", "Nov"), NC_("month", "Dec"),
  };
  int m = atoi (month + 5);

  return m >= 1 && m <= 12 ? g_dpgettext2 (GETTEXT_PACKAGE, "month", names[m - 1]) : month;
}

/* The four charts of the last 12 months; with @o NULL, the same charts
 * with no numbers, whose only use is their size: they hold the page's
 * layout (invisible) until the first numbers come, so that the numbers
 * only draw the charts again instead of moving the whole page. */
static StpChart *
months_chart_new (const StpOverview *o)
{
  StpChart *months = stp_chart_new (STP_CHART_BARS, _("Admissions and discharges, last 12 months"));
  static const gint64 none[STP_OVERVIEW_MONTHS];

  for (guint m = 0; m < STP_OVERVIEW_MONTHS; m++)
    {
      /* The year under January and under the first month shown. */
      g_autofree char *label = NULL;

      if (o == NULL)
        label = g_strdup ("");
      else if (m == 0 || g_str_has_suffix (o->months[m], "-01"))
        label = g_strdup_printf ("%s %.4s", month_label (o->months[m]), o->months[m]);
      else
        label = g_strdup (month_label (o->months[m]));
      stp_chart_add_category (months, label);
    }
  stp_chart_add_series (months, _("Admitted"), o != NULL ? o->admitted : none, STP_OVERVIEW_MONTHS);
  stp_chart_add_series (months, _("Discharged"), o != NULL ? o->discharged : none, STP_OVERVIEW_MONTHS);
  return months;
}

static StpChart *
outcomes_chart_new (const StpOverview *o)
{
  StpChart *outcomes = stp_chart_new (STP_CHART_BARS, _("How residents left, last 12 months"));
  gint64 values[STP_EPISODE_DIED + 1];
  guint n = 0;

  stp_chart_set_horizontal (outcomes, TRUE);
  for (int status = STP_EPISODE_COMPLETED; status <= STP_EPISODE_DIED; status++)
    {
      stp_chart_add_category (outcomes, stp_enum_to_label (STP_ENUM_EPISODE_STATUS, status));
      values[n++] = o != NULL ? o->outcomes[status] : 0;
    }
  stp_chart_add_series (outcomes, _("Discharged"), values, n);
  return outcomes;
}

static StpChart *
dropped_chart_new (const StpOverview *o)
{
  StpChart *dropped = stp_chart_new (STP_CHART_BARS, _("Dropped out, by kind of stage, last 12 months"));
  const StpEnumItem *kinds = stp_enum_get_items (STP_ENUM_STAGE_KIND);
  static const gint64 none[STP_N_STAGE_KINDS];

  stp_chart_set_horizontal (dropped, TRUE);
  for (guint i = 0; kinds[i].code != NULL; i++)
    stp_chart_add_category (dropped, stp_enum_to_label (STP_ENUM_STAGE_KIND, kinds[i].value));
  stp_chart_add_series (dropped, _("Dropped out early"), o != NULL ? o->dropped_out_by_kind : none,
                        STP_N_STAGE_KINDS);
  return dropped;
}

static StpChart *
remission_chart_new (const StpOverview *o)
{
  StpChart *remission = stp_chart_new (STP_CHART_STACKED_BARS,
                                       _("Remission at follow-ups due in the last 12 months"));
  static const StpOverviewRemission none;
  const StpOverviewRemission *r[2] = { o != NULL ? &o->remission_6 : &none,
                                       o != NULL ? &o->remission_12 : &none };
  gint64 yes[2], no[2], unknown[2], lost[2], pending[2];

  stp_chart_set_horizontal (remission, TRUE);
  stp_chart_add_category (remission, _("After 6 months"));
  stp_chart_add_category (remission, _("After 12 months"));
  for (guint i = 0; i < 2; i++)
    {
      yes[i] = r[i]->yes;
      no[i] = r[i]->no;
      unknown[i] = r[i]->unknown;
      lost[i] = r[i]->lost;
      pending[i] = MAX (r[i]->due - r[i]->reached - r[i]->lost, 0);
    }
  stp_chart_add_series (remission, C_("stats", "In remission"), yes, 2);
  stp_chart_add_series (remission, C_("stats", "Not in remission"), no, 2);
  stp_chart_add_series (remission, C_("stats", "Remission unknown"), unknown, 2);
  stp_chart_add_series (remission, _("Contact lost"), lost, 2);
  stp_chart_add_series (remission, C_("stats", "Not done yet"), pending, 2);
  return remission;
}

static void
show_charts (StpOverviewPage   *self,
             const StpOverview *o)
{
  g_autoptr(StpChart) months = months_chart_new (o);
  g_autoptr(StpChart) outcomes = outcomes_chart_new (o);
  g_autoptr(StpChart) dropped = dropped_chart_new (o);
  g_autoptr(StpChart) remission = remission_chart_new (o);

  queue_chart (self, self->months_chart, -1, months);
  queue_chart (self, self->outcomes_chart, -1, outcomes);
  queue_chart (self, self->dropped_chart, -1, dropped);
  queue_chart (self, self->remission_chart, -1, remission);
}

static void
show_results (StpOverviewPage   *self,
              const StpOverview *o)
{
  static const StpOverviewRemission none;
  const StpOverviewRemission *r6 = o != NULL ? &o->remission_6 : &none;
  const StpOverviewRemission *r12 = o != NULL ? &o->remission_12 : &none;
  g_autofree char *text = NULL;

  /* TRANSLATORS: follow-up results under the remission chart */
  text = g_strdup_printf (_("Reached at 6 months: %d of %d due; at 12 months: %d of %d. "
                            "Of those reached: employed %d, documents restored %d."),
                          (int) r6->reached, (int) r6->due, (int) r12->reached, (int) r12->due,
                          o != NULL ? (int) o->employed : 0,
                          o != NULL ? (int) o->documents_restored : 0);
  gtk_label_set_text (self->results_label, text);
  /* Without numbers the text only holds its place. */
  gtk_widget_set_opacity (GTK_WIDGET (self->results_label), o != NULL ? 1.0 : 0.0);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->results_label), GTK_ACCESSIBLE_STATE_HIDDEN, o == NULL, -1);
}

static void
set_number (GtkLabel *label,
            gint64    value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, value);

  gtk_label_set_text (label, text);
}

static void
show_todo (StpOverviewPage   *self,
           const StpOverview *o)
{
  g_autofree char *referrals = NULL;

  set_number (self->follow_ups_overdue_label, o->follow_ups_overdue);
  set_number (self->follow_ups_week_label, o->follow_ups_this_week);
  /* TRANSLATORS: referrals awaiting an answer, of them overdue */
  referrals = g_strdup_printf (_("%d (overdue %d)"),
                               (int) o->referrals_awaiting, (int) o->referrals_overdue);
  gtk_label_set_text (self->referrals_label, referrals);
  set_number (self->court_label, o->court_notices_due);
  set_number (self->consents_label, o->consents_expiring);
}

static gboolean
stages_equal (const StpOverview *a,
              const StpOverview *b)
{
  if (a->stages->len != b->stages->len)
    return FALSE;
  for (guint i = 0; i < a->stages->len; i++)
    {
      const StpOverviewStage *x = a->stages->pdata[i], *y = b->stages->pdata[i];

      if (g_strcmp0 (x->program_id, y->program_id) != 0 || g_strcmp0 (x->program_name, y->program_name) != 0
          || g_strcmp0 (x->stage_id, y->stage_id) != 0 || g_strcmp0 (x->stage_name, y->stage_name) != 0
          || x->kind != y->kind || x->residents != y->residents || x->male != y->male
          || x->female != y->female)
        return FALSE;
    }
  return TRUE;
}

/* Shows @o; what is the same as in @old (NULL: nothing shown yet) is left
 * alone, so that after an edit only the numbers it moved are laid out and
 * drawn again. */
static void
show_overview (StpOverviewPage   *self,
               const StpOverview *old)
{
  const StpOverview *o = self->overview;
  g_autofree char *date = stp_format_date (o->today);
  /* TRANSLATORS: the overview page's heading; %s is today's date дд.мм.гггг */
  g_autofree char *heading = g_strdup_printf (_("The center on %s"), date);
  gboolean same_months = old != NULL && g_strcmp0 (old->today, o->today) == 0;

  for (guint m = 0; m < STP_OVERVIEW_MONTHS && same_months; m++)
    same_months = g_strcmp0 (old->months[m], o->months[m]) == 0;
  gtk_label_set_text (self->date_label, heading);
  show_seats (self, o);
  if (old == NULL || !stages_equal (old, o))
    show_programs (self, o);
  if (!same_months
      || memcmp (old->admitted, o->admitted, sizeof o->admitted) != 0
      || memcmp (old->discharged, o->discharged, sizeof o->discharged) != 0
      || memcmp (old->outcomes, o->outcomes, sizeof o->outcomes) != 0
      || memcmp (old->dropped_out_by_kind, o->dropped_out_by_kind, sizeof o->dropped_out_by_kind) != 0
      || memcmp (&old->remission_6, &o->remission_6, sizeof o->remission_6) != 0
      || memcmp (&old->remission_12, &o->remission_12, sizeof o->remission_12) != 0)
    show_charts (self, o);
  show_results (self, o);
  show_todo (self, o);
}

/* Before the first numbers: every card, chart and text the numbers will
 * fill is made now with its final size, so that the numbers change texts
 * and draw the charts again but move nothing.  Otherwise the frame that
 * shows them lays out and repaints the whole page, 35-40 ms of the main
 * thread with the cairo renderer (issue 13: no stall over 50 ms).  The
 * charts hold their place invisible. */
static void
reserve_places (StpOverviewPage *self)
{
  GtkWidget *views[] = { self->months_chart, self->outcomes_chart, self->dropped_chart,
                         self->remission_chart };
  StpChart *charts[] = { months_chart_new (NULL), outcomes_chart_new (NULL), dropped_chart_new (NULL),
                         remission_chart_new (NULL) };

  /* One line of the heading (its text comes with the numbers). */
  gtk_label_set_text (self->date_label, " ");
  set_card (self, 0, "seats-occupied", "—", _("Places taken"));
  set_card (self, 1, "seats-men", "—", _("Men"));
  set_card (self, 2, "seats-women", "—", _("Women"));
  set_card (self, 3, "seats-free", "—", _("Places free"));
  /* The to-do numbers take room beside the rows' titles (a long subtitle
   * could wrap once a number comes). */
  gtk_label_set_text (self->follow_ups_overdue_label, "—");
  gtk_label_set_text (self->follow_ups_week_label, "—");
  gtk_label_set_text (self->referrals_label, "—");
  gtk_label_set_text (self->court_label, "—");
  gtk_label_set_text (self->consents_label, "—");
  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    {
      stp_chart_view_set_chart (STP_CHART_VIEW (views[i]), charts[i]);
      /* Its zeros are not numbers: neither seen nor read out. */
      gtk_widget_set_opacity (views[i], 0.0);
      gtk_accessible_update_state (GTK_ACCESSIBLE (views[i]), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      stp_chart_unref (charts[i]);
    }
  show_results (self, NULL);
}

static void
count_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  StpOverviewPage *self = STP_OVERVIEW_PAGE (source);
  CountData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  self->loading = FALSE;
  gtk_spinner_stop (self->spinner);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  self->seen_version = data->version;
  if (data->overview != NULL)
    {
      g_autoptr(StpOverview) old = g_steal_pointer (&self->overview);

      gint64 start = g_get_monotonic_time ();

      self->overview = g_steal_pointer (&data->overview);
      show_overview (self, old);
      /* G_MESSAGES_DEBUG=stp-overview-page; the layout and drawing come
       * in the next frame. */
      g_debug ("numbers shown in %.1f ms", (g_get_monotonic_time () - start) / 1000.0);
    }
  self->loaded_pending = TRUE;
  if (!gtk_widget_get_mapped (GTK_WIDGET (self)))
    apply_all_charts (self);
  else
    emit_loaded_if_done (self);
}

static void
count (StpOverviewPage *self,
       gboolean         force)
{
  g_autoptr(GTask) task = NULL;
  CountData *data;

  if (self->loading && !force)
    return;
  if (self->loading)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  data = g_new0 (CountData, 1);
  data->worker = g_rc_box_acquire (self->worker);
  data->session = g_object_ref (self->session);
  data->force = force || self->overview == NULL;
  data->seen_version = self->seen_version;

  self->loading = TRUE;
  if (force)
    gtk_spinner_start (self->spinner);
  task = g_task_new (self, self->cancellable, count_done, NULL);
  g_task_set_source_tag (task, count);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) count_data_free);
  g_task_run_in_thread (task, count_thread);
}

void
stp_overview_page_reload (StpOverviewPage *self)
{
  g_return_if_fail (STP_IS_OVERVIEW_PAGE (self));

  count (self, TRUE);
}

const StpOverview *
stp_overview_page_get_overview (StpOverviewPage *self)
{
  g_return_val_if_fail (STP_IS_OVERVIEW_PAGE (self), NULL);

  return self->overview;
}

/* Counts again only when another connection committed since. */
static gboolean
poll_changes (gpointer user_data)
{
  StpOverviewPage *self = user_data;

  count (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
on_map (StpOverviewPage *self)
{
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add_seconds (POLL_SECONDS, poll_changes, self);
  count (self, FALSE);
}

static void
on_unmap (StpOverviewPage *self)
{
  g_clear_handle_id (&self->poll_id, g_source_remove);
  apply_all_charts (self);
}

static void
on_follow_ups_activated (StpOverviewPage *self)
{
  g_signal_emit (self, signals[OPEN_PAGE], 0, "follow-ups");
}

static void
on_referrals_activated (StpOverviewPage *self)
{
  g_signal_emit (self, signals[OPEN_PAGE], 0, "referrals");
}

static void
on_residents_activated (StpOverviewPage *self)
{
  g_signal_emit (self, signals[OPEN_PAGE], 0, "residents");
}

static void
stp_overview_page_dispose (GObject *object)
{
  StpOverviewPage *self = STP_OVERVIEW_PAGE (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  if (self->tick_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->tick_id);
      self->tick_id = 0;
    }
  g_queue_clear_full (&self->pending, (GDestroyNotify) pending_chart_free);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_OVERVIEW_PAGE);

  G_OBJECT_CLASS (stp_overview_page_parent_class)->dispose (object);
}

static void
stp_overview_page_finalize (GObject *object)
{
  StpOverviewPage *self = STP_OVERVIEW_PAGE (object);

  g_clear_pointer (&self->overview, stp_overview_free);
  g_clear_pointer (&self->program_ids, g_ptr_array_unref);
  g_clear_pointer (&self->program_views, g_ptr_array_unref);
  g_clear_pointer (&self->worker, worker_release);
  g_clear_object (&self->store);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (stp_overview_page_parent_class)->finalize (object);
}

static void
stp_overview_page_class_init (StpOverviewPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_overview_page_dispose;
  object_class->finalize = stp_overview_page_finalize;

  /* Asks the window to show a working list: "follow-ups", "referrals",
   * "residents". */
  signals[OPEN_PAGE] =
    g_signal_new ("open-page", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* The numbers shown are fresh. */
  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (STP_TYPE_CHART_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-overview-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, date_label);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, seats_box);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, programs_box);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, months_chart);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, outcomes_chart);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, dropped_chart);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, remission_chart);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, results_label);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, follow_ups_overdue_label);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, follow_ups_week_label);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, referrals_label);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, court_label);
  gtk_widget_class_bind_template_child (widget_class, StpOverviewPage, consents_label);
  gtk_widget_class_bind_template_callback (widget_class, stp_overview_page_reload);
  gtk_widget_class_bind_template_callback (widget_class, on_follow_ups_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_referrals_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_residents_activated);
}

static void
stp_overview_page_init (StpOverviewPage *self)
{
  self->seen_version = -1;
  self->program_ids = g_ptr_array_new_with_free_func (g_free);
  /* Owned by programs_box. */
  self->program_views = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  reserve_places (self);
  g_signal_connect (self, "map", G_CALLBACK (on_map), NULL);
  g_signal_connect (self, "unmap", G_CALLBACK (on_unmap), NULL);
}

GtkWidget *
stp_overview_page_new (StpStore   *store,
                       StpSession *session)
{
  StpOverviewPage *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_OVERVIEW_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->worker = g_rc_box_new0 (Worker);
  g_mutex_init (&self->worker->lock);
  self->worker->store = stp_store_open_overview (store, &error);
  if (self->worker->store == NULL)
    {
      /* Still counted, on the window's connection: slower to share. */
      g_warning ("No second connection for the overview: %s", error->message);
      self->worker->store = g_object_ref (store);
    }
  return GTK_WIDGET (self);
}
