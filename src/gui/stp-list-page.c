#define G_LOG_DOMAIN "stp-list-page"

#include "config.h"

#include <time.h>

#include <glib/gi18n-lib.h>

#include "stp-list-page.h"
#include "stp-gui-util.h"
#include "stp-query-worker.h"
#include "stp-report-print.h"
#include "stp-work-row.h"

typedef struct
{
  StpStore      *store;
  StpSession    *session;
  StpWorkCounts  counts;
  gboolean       loading;
  gboolean       reload_pending;
  gboolean       filters_ready;
  GPtrArray     *responsible_ids;   /* (element-type utf8); index 0 is "anyone" */
  GListStore    *rows;              /* StpWorkRow */

  GtkLabel      *heading_label;
  GtkDropDown   *responsible_dropdown;
  GtkDropDown   *period_dropdown;
  GtkLabel      *summary_label;
  GtkStack      *list_stack;
  GtkListView   *list_view;
  AdwStatusPage *empty_page;
} StpListPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (StpListPage, stp_list_page, GTK_TYPE_BOX)

enum {
  RESIDENT_ACTIVATED,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* One reload's input, copied from the filters on the main thread. */
typedef struct
{
  StpListPageClass *klass;
  StpSession       *session;
  char             *today;
  char             *from;
  char             *until;
  char             *responsible_user_id;
} Query;

typedef struct
{
  GPtrArray     *rows;    /* StpWorkRow */
  StpWorkCounts  counts;
} Result;

static void
query_free (gpointer data)
{
  Query *query = data;

  g_clear_object (&query->session);
  g_free (query->today);
  g_free (query->from);
  g_free (query->until);
  g_free (query->responsible_user_id);
  g_free (query);
}

static void
result_free (gpointer data)
{
  Result *result = data;

  g_clear_pointer (&result->rows, g_ptr_array_unref);
  g_free (result);
}

/* The heading row of a resident's group. */
static StpWorkRow *
group_header (StpWorkGroup *group)
{
  g_autofree char *title = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *state = NULL;

  title = g_strdup_printf ("%s (%s)",
                           group->resident_name != NULL && *group->resident_name != '\0'
                           ? group->resident_name : "—",
                           group->file_number != NULL ? group->file_number : "—");
  if (group->responsible_name != NULL)
    /* TRANSLATORS: under a resident's name in a working list */
    subtitle = g_strdup_printf (_("Responsible: %s"), group->responsible_name);
  else
    subtitle = g_strdup (_("No responsible specialist"));
  if (group->n_overdue > 0)
    /* TRANSLATORS: how many of a resident's follow-ups or referrals are overdue */
    state = g_strdup_printf (_("overdue: %u of %u"), group->n_overdue, group->items->len);
  return stp_work_row_new_header (group->resident_id, title, subtitle, state, group->n_overdue > 0);
}

/* On the worker thread: the groups, and their rows. */
static gpointer
run_query (StpStore  *store,
           gpointer   data,
           GError   **error)
{
  Query *query = data;
  StpWorkFilter filter = STP_WORK_FILTER_INIT;
  g_autoptr(GPtrArray) groups = NULL;
  gint64 start = g_get_monotonic_time ();
  Result *result;

  filter.today = query->today;
  filter.from = query->from;
  filter.until = query->until;
  filter.responsible_user_id = query->responsible_user_id;
  groups = query->klass->run_query (store, query->session, &filter, error);
  if (groups == NULL)
    return NULL;

  result = g_new0 (Result, 1);
  stp_work_groups_count (groups, &result->counts);
  result->rows = g_ptr_array_new_full (result->counts.n_items + result->counts.n_residents,
                                       g_object_unref);
  for (guint i = 0; i < groups->len; i++)
    {
      StpWorkGroup *group = g_ptr_array_index (groups, i);

      g_ptr_array_add (result->rows, group_header (group));
      for (guint j = 0; j < group->items->len; j++)
        g_ptr_array_add (result->rows,
                         query->klass->item_row (g_ptr_array_index (group->items, j), group->resident_id));
    }
  g_debug ("%u rows made on the worker in %.1f ms", result->rows->len,
           (g_get_monotonic_time () - start) / 1000.0);
  return result;
}

/* This thread's CPU time (wall time says little on a loaded machine). */
static gint64
thread_cpu_us (void)
{
#if defined(CLOCK_THREAD_CPUTIME_ID) && !defined(G_OS_WIN32)
  /* Not on Windows: mingw's clock_gettime is in winpthreads, not linked. */
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
#endif
  return g_get_monotonic_time ();
}

static void
query_done (GObject      *object,
            GAsyncResult *async_result,
            gpointer      user_data)
{
  StpListPage *self = STP_LIST_PAGE (object);
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GtkSelectionModel) model = NULL;
  Result *result;

  priv->loading = FALSE;
  result = stp_query_worker_run_finish (async_result, &error);

  /* Disposed while the query ran. */
  if (priv->session == NULL)
    {
      g_clear_pointer (&result, result_free);
      return;
    }

  if (priv->reload_pending)
    {
      g_clear_pointer (&result, result_free);
      priv->reload_pending = FALSE;
      stp_list_page_reload (self);
      return;
    }

  if (result == NULL)
    gtk_label_set_text (priv->summary_label, error->message);
  else
    {
      gint64 start = g_get_monotonic_time ();
      gint64 cpu_start = thread_cpu_us ();

      priv->counts = result->counts;
      /* One change for the whole list, made with the view detached: told
       * of it attached, GTK 4.8's view took some 40 ms per 1000 rows
       * (loaded machine); attached again it makes widgets only for the
       * rows on screen. */
      model = g_object_ref (gtk_list_view_get_model (priv->list_view));
      gtk_list_view_set_model (priv->list_view, NULL);
      g_list_store_splice (priv->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (priv->rows)),
                           result->rows->pdata, result->rows->len);
      gtk_list_view_set_model (priv->list_view, model);
      summary = STP_LIST_PAGE_GET_CLASS (self)->summary (&priv->counts);
      gtk_label_set_text (priv->summary_label, summary);
      gtk_stack_set_visible_child_name (priv->list_stack,
                                        g_list_model_get_n_items (G_LIST_MODEL (priv->rows)) > 0 ? "list" : "empty");
      g_debug ("%u rows shown in %.1f ms (%.1f ms of the main thread's CPU)",
               g_list_model_get_n_items (G_LIST_MODEL (priv->rows)),
               (g_get_monotonic_time () - start) / 1000.0, (thread_cpu_us () - cpu_start) / 1000.0);
      result_free (result);
    }

  g_signal_emit (self, signals[LOADED], 0);
}

void
stp_list_page_reload (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  g_autoptr(GError) error = NULL;
  StpQueryWorker *worker;
  Query *query;
  guint responsible;

  g_return_if_fail (STP_IS_LIST_PAGE (self));

  if (!priv->filters_ready)
    return;

  /* One reload at a time; one asked for meanwhile runs after it. */
  if (priv->loading)
    {
      priv->reload_pending = TRUE;
      return;
    }

  worker = stp_query_worker_get_for_store (priv->store, &error);
  if (worker == NULL)
    {
      /* Not on the window's connection: that one is the main thread's. */
      gtk_label_set_text (priv->summary_label, error->message);
      g_signal_emit (self, signals[LOADED], 0);
      return;
    }

  query = g_new0 (Query, 1);
  query->klass = STP_LIST_PAGE_GET_CLASS (self);
  query->session = g_object_ref (priv->session);
  query->today = stp_store_today (priv->store);
  query->klass->period_bounds (gtk_drop_down_get_selected (priv->period_dropdown), query->today,
                               &query->from, &query->until);
  responsible = gtk_drop_down_get_selected (priv->responsible_dropdown);
  if (responsible != GTK_INVALID_LIST_POSITION && responsible > 0 && responsible < priv->responsible_ids->len)
    query->responsible_user_id = g_strdup (g_ptr_array_index (priv->responsible_ids, responsible));

  priv->loading = TRUE;
  stp_query_worker_run_async (worker, self, run_query, query, query_free, result_free,
                              NULL, query_done, NULL);
}

static void
on_filter_changed (StpListPage *self)
{
  stp_list_page_reload (self);
}

static void
on_row_activated (StpListPage *self,
                  guint        position)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  g_autoptr(StpWorkRow) row = g_list_model_get_item (G_LIST_MODEL (priv->rows), position);

  if (row != NULL && stp_work_row_get_resident_id (row) != NULL)
    g_signal_emit (self, signals[RESIDENT_ACTIVATED], 0, stp_work_row_get_resident_id (row));
}

/* --- Rows ------------------------------------------------------------------ */

typedef struct
{
  GtkWidget *box;
  GtkWidget *title;
  GtkWidget *subtitle;
  GtkWidget *state;
  GtkWidget *letter_slot;
} RowWidgets;

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *list_item,
           gpointer                  user_data)
{
  RowWidgets *w = g_new0 (RowWidgets, 1);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);

  w->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (w->box, 6);
  gtk_widget_set_margin_bottom (w->box, 6);
  gtk_widget_set_margin_end (w->box, 6);

  /* Ellipsized: wrapping labels made the list's layout some ten times
   * slower (GTK 4.8); the whole title is the row's tooltip and name. */
  w->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (w->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (w->title), PANGO_ELLIPSIZE_END);
  w->subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (w->subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (w->subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (w->subtitle, "dim-label");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (text), w->title);
  gtk_box_append (GTK_BOX (text), w->subtitle);

  w->state = gtk_label_new (NULL);
  gtk_widget_set_valign (w->state, GTK_ALIGN_CENTER);
  w->letter_slot = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_valign (w->letter_slot, GTK_ALIGN_CENTER);

  gtk_box_append (GTK_BOX (w->box), text);
  gtk_box_append (GTK_BOX (w->box), w->state);
  gtk_box_append (GTK_BOX (w->box), w->letter_slot);
  g_object_set_data_full (G_OBJECT (list_item), "row-widgets", w, g_free);
  gtk_list_item_set_child (list_item, w->box);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *list_item,
          gpointer                  user_data)
{
  StpListPage *self = user_data;
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  RowWidgets *w = g_object_get_data (G_OBJECT (list_item), "row-widgets");
  StpWorkRow *row = gtk_list_item_get_item (list_item);
  gboolean header = stp_work_row_is_header (row);
  const char *state = stp_work_row_get_state (row);
  const char *letter_id = stp_work_row_get_letter_id (row);
  GtkWidget *old;

  gtk_label_set_text (GTK_LABEL (w->title), stp_work_row_get_title (row));
  /* The whole text when the row is too narrow for it. */
  gtk_widget_set_tooltip_text (w->box, stp_work_row_get_title (row));
  gtk_label_set_text (GTK_LABEL (w->subtitle), stp_work_row_get_subtitle (row));
  gtk_widget_set_visible (w->subtitle, stp_work_row_get_subtitle (row) != NULL);
  /* A resident's heading stands out; their items are indented under it. */
  if (header)
    gtk_widget_add_css_class (w->title, "heading");
  else
    gtk_widget_remove_css_class (w->title, "heading");
  gtk_widget_set_margin_start (w->box, header ? 6 : 30);
  gtk_widget_set_margin_top (w->box, header ? 12 : 4);

  /* The state is said in words, not by colour alone. */
  gtk_label_set_text (GTK_LABEL (w->state), state != NULL ? state : "");
  gtk_widget_set_visible (w->state, state != NULL);
  if (stp_work_row_get_overdue (row))
    {
      gtk_widget_add_css_class (w->state, "error");
      gtk_widget_add_css_class (w->state, "heading");
      gtk_widget_remove_css_class (w->state, "dim-label");
    }
  else
    {
      gtk_widget_remove_css_class (w->state, "error");
      gtk_widget_remove_css_class (w->state, "heading");
      gtk_widget_add_css_class (w->state, "dim-label");
    }

  while ((old = gtk_widget_get_first_child (w->letter_slot)) != NULL)
    gtk_box_remove (GTK_BOX (w->letter_slot), old);
  if (letter_id != NULL)
    gtk_box_append (GTK_BOX (w->letter_slot),
                    stp_report_letter_button_new (priv->store, priv->session, letter_id));
  gtk_widget_set_visible (w->letter_slot, letter_id != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_parent (w->box)),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, stp_work_row_get_title (row),
                                  -1);
}

/* --- Filters ----------------------------------------------------------------- */

static void
fill_responsible (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  g_autoptr(GtkStringList) people = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) users = NULL;

  gtk_string_list_append (people, _("Anyone responsible"));
  g_ptr_array_add (priv->responsible_ids, NULL);
  /* Translators: the residents the logged-in user is responsible for. */
  gtk_string_list_append (people, C_("residents", "Mine"));
  g_ptr_array_add (priv->responsible_ids, g_strdup (stp_session_get_user_id (priv->session)));
  users = stp_store_list_login_users (priv->store, NULL);
  for (guint i = 0; users != NULL && i < users->len; i++)
    {
      StpUser *user = g_ptr_array_index (users, i);

      if (user->role == STP_ROLE_VOLUNTEER)
        continue;
      gtk_string_list_append (people, user->full_name);
      g_ptr_array_add (priv->responsible_ids, g_strdup (user->meta.id));
    }
  gtk_drop_down_set_model (priv->responsible_dropdown, G_LIST_MODEL (people));
}

void
stp_list_page_set_periods (StpListPage        *self,
                           const char * const *labels,
                           guint               selected)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  g_autoptr(GtkStringList) periods = gtk_string_list_new (labels);

  g_return_if_fail (STP_IS_LIST_PAGE (self));

  gtk_drop_down_set_model (priv->period_dropdown, G_LIST_MODEL (periods));
  gtk_drop_down_set_selected (priv->period_dropdown, selected);
}

/* --- Accessors ------------------------------------------------------------- */

gboolean
stp_list_page_is_loading (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  g_return_val_if_fail (STP_IS_LIST_PAGE (self), FALSE);
  return priv->loading;
}

guint
stp_list_page_get_count (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  g_return_val_if_fail (STP_IS_LIST_PAGE (self), 0);
  return priv->counts.n_items;
}

const StpWorkCounts *
stp_list_page_get_counts (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  g_return_val_if_fail (STP_IS_LIST_PAGE (self), NULL);
  return &priv->counts;
}

GListModel *
stp_list_page_get_model (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  g_return_val_if_fail (STP_IS_LIST_PAGE (self), NULL);
  return G_LIST_MODEL (priv->rows);
}

void
stp_list_page_set_texts (StpListPage *self,
                         const char  *heading,
                         const char  *empty_title)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  gtk_label_set_text (priv->heading_label, heading);
  adw_status_page_set_title (priv->empty_page, empty_title);
}

StpStore *
stp_list_page_get_store (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  return priv->store;
}

StpSession *
stp_list_page_get_session (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  return priv->session;
}

/* --- GObject ----------------------------------------------------------------- */

enum {
  PROP_0,
  PROP_STORE,
  PROP_SESSION,
  N_PROPS
};

static void
stp_list_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (STP_LIST_PAGE (object));

  switch (prop_id)
    {
    case PROP_STORE:
      priv->store = g_value_dup_object (value);
      break;
    case PROP_SESSION:
      priv->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_list_page_constructed (GObject *object)
{
  StpListPage *self = STP_LIST_PAGE (object);
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  G_OBJECT_CLASS (stp_list_page_parent_class)->constructed (object);

  if (priv->store != NULL && priv->session != NULL)
    {
      fill_responsible (self);
      priv->filters_ready = TRUE;
    }
}

static void
stp_list_page_dispose (GObject *object)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (STP_LIST_PAGE (object));

  g_clear_object (&priv->session);
  g_clear_object (&priv->store);
  g_clear_pointer (&priv->responsible_ids, g_ptr_array_unref);
  /* (GtkBox's dispose unparents the template's children.) */
  G_OBJECT_CLASS (stp_list_page_parent_class)->dispose (object);
}

static void
stp_list_page_finalize (GObject *object)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (STP_LIST_PAGE (object));

  g_clear_object (&priv->rows);
  G_OBJECT_CLASS (stp_list_page_parent_class)->finalize (object);
}

static void
stp_list_page_class_init (StpListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = stp_list_page_constructed;
  object_class->dispose = stp_list_page_dispose;
  object_class->finalize = stp_list_page_finalize;
  object_class->set_property = stp_list_page_set_property;

  g_object_class_install_property (object_class, PROP_STORE,
    g_param_spec_object ("store", NULL, NULL, STP_TYPE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_SESSION,
    g_param_spec_object ("session", NULL, NULL, STP_TYPE_SESSION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  signals[RESIDENT_ACTIVATED] =
    g_signal_new ("resident-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * StpListPage::loaded:
   *
   * Emitted when a reload's results are shown (stp_list_page_get_counts()
   * then has them).
   */
  signals[LOADED] =
    g_signal_new ("loaded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-list-page.ui");
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, heading_label);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, responsible_dropdown);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, period_dropdown);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, summary_label);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, list_stack);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, list_view);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
stp_list_page_init (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkNoSelection) selection = NULL;

  priv->responsible_ids = g_ptr_array_new_with_free_func (g_free);
  priv->rows = g_list_store_new (STP_TYPE_WORK_ROW);

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  gtk_list_view_set_factory (priv->list_view, factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (priv->rows)));
  gtk_list_view_set_model (priv->list_view, GTK_SELECTION_MODEL (selection));
  gtk_stack_set_visible_child_name (priv->list_stack, "list");
}
