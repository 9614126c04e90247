#define G_LOG_DOMAIN "stp-residents-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-residents-page.h"
#include "stp-list-cell.h"
#include "stp-resident-item.h"
#include "stp-resident-list.h"
#include "stp-query.h"
#include "stp-query-worker.h"

#include <adwaita.h>

/* A search with text stops at this many matches: typing more narrows it. */
#define SEARCH_LIMIT 500

typedef struct
{
  StpSession *session;
  char       *text;
  int         status;
  gboolean    in_center_only;
  char       *stage_id;
  char       *responsible_user_id;
  int         limit;
  char       *today;
} SearchData;

struct _StpResidentsPage
{
  GtkBox          parent_instance;

  StpStore       *store;
  StpSession     *session;
  GCancellable   *cancellable;
  GPtrArray      *stage_ids;        /* (element-type utf8); index 0 is "any" */
  GPtrArray      *responsible_ids;  /* (element-type utf8); index 0 is "any" */
  gboolean        loading;
  gboolean        filters_ready;
  char           *searched_text;    /* of the latest search started */

  GtkSearchEntry *search_entry;
  GtkDropDown    *status_dropdown;
  GtkStack       *list_stack;
  AdwStatusPage  *empty_page;
  GtkDropDown    *stage_dropdown;
  GtkDropDown    *responsible_dropdown;
  GtkColumnView  *column_view;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *file_number_column;
  GtkColumnViewColumn *age_column;
  GtkColumnViewColumn *stage_column;
  GtkColumnViewColumn *outcome_column;
  GtkColumnViewColumn *day_column;
  GtkColumnViewColumn *responsible_column;
  GtkSingleSelection *selection;
  StpResidentList *residents;
  GtkSpinner     *spinner;
  GtkLabel       *count_label;
};

G_DEFINE_FINAL_TYPE (StpResidentsPage, stp_residents_page, GTK_TYPE_BOX)

enum {
  RESIDENT_ACTIVATED,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* The first two entries of the status filter come before the statuses. */
enum {
  STATUS_ANY,
  STATUS_IN_CENTER,
  STATUS_FIRST_VALUE,
};

static void
search_data_free (SearchData *data)
{
  g_clear_object (&data->session);
  g_free (data->text);
  g_free (data->stage_id);
  g_free (data->responsible_user_id);
  g_free (data->today);
  g_free (data);
}

/* On the worker thread: the matching residents as StpResidentItems. */
static gpointer
search (StpStore  *store,
        gpointer   user_data,
        GError   **error)
{
  SearchData *data = user_data;
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  g_autoptr(GPtrArray) summaries = NULL;
  GPtrArray *items;
  gint64 start, searched;

  query.text = data->text;
  query.status = data->status;
  query.in_center_only = data->in_center_only;
  query.stage_id = data->stage_id;
  query.responsible_user_id = data->responsible_user_id;
  query.limit = data->limit;

  start = g_get_monotonic_time ();
  summaries = stp_store_search_residents (store, data->session, &query, error);
  if (summaries == NULL)
    return NULL;
  searched = g_get_monotonic_time ();
  items = g_ptr_array_new_full (summaries->len, g_object_unref);
  for (guint i = 0; i < summaries->len; i++)
    g_ptr_array_add (items, stp_resident_item_new (g_ptr_array_index (summaries, i), data->today));
  /* G_MESSAGES_DEBUG=stp-residents-page */
  g_debug ("search \"%s\": %u rows, query %.1f ms, rows made %.1f ms",
           data->text != NULL ? data->text : "", summaries->len,
           (searched - start) / 1000.0, (g_get_monotonic_time () - searched) / 1000.0);
  if (summaries->len >= 1000)
    {
      /* The 14 strings of each of 100 000 summaries are garbage now: give
       * the pages back rather than keep them in this thread's heap. */
      g_clear_pointer (&summaries, g_ptr_array_unref);
      stp_resident_list_trim_heap ();
    }
  return items;
}

/* An empty list says why and what to try instead of staying blank. */
static void
show_empty_page (StpResidentsPage *self,
                 const SearchData *data,
                 gboolean          empty)
{
  gboolean filtered = data->status >= 0 || data->in_center_only || data->stage_id != NULL ||
                      data->responsible_user_id != NULL;

  if (empty)
    adw_status_page_set_description (self->empty_page,
                                     filtered ? _("Nobody matches the search and the filters. Try «Any status» "
                                                  "or other filters, or check the spelling.")
                                              : data->text != NULL
                                              ? _("Nobody matches the search. Check the spelling, or search by "
                                                  "the file number or the phone.")
                                              : _("No residents yet: register the first one in «Intake»."));
  gtk_stack_set_visible_child_name (self->list_stack, empty ? "empty" : "list");
}

static void
search_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  StpResidentsPage *self = STP_RESIDENTS_PAGE (object);
  SearchData *data = stp_query_worker_run_get_data (result);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  guint n_items;

  items = stp_query_worker_run_finish (result, &error);
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      /* A newer search replaced this one; it will report itself.  Its rows
       * (100 000 of them for the whole list) are freed in a thread. */
      if (items != NULL)
        stp_resident_list_release (g_steal_pointer (&items));
      return;
    }
  if (items == NULL)
    {
      self->loading = FALSE;
      gtk_spinner_stop (self->spinner);
      /* Rows of an earlier search must not pass for this one's results. */
      gtk_label_set_text (self->count_label, error->message);
      stp_resident_list_replace (self->residents, NULL);
      return;
    }

  self->loading = FALSE;
  gtk_spinner_stop (self->spinner);

  n_items = items->len;

  if (data->limit > 0 && n_items >= (guint) data->limit)
    text = g_strdup_printf (_("The first %u matches are shown: type more to narrow the search"),
                            n_items);
  else
    text = g_strdup_printf (_("Residents shown: %u"), n_items);
  gtk_label_set_text (self->count_label, text);
  show_empty_page (self, data, n_items == 0);

  /* "loaded" comes from on_list_filled, once every row is in the model. */
  stp_resident_list_replace (self->residents, g_steal_pointer (&items));
}

static void
on_list_filled (StpResidentsPage *self)
{
  /* At once for a short list; a few main-loop turns later for a long one,
   * which grows in steps. */
  if (!self->loading)
    g_signal_emit (self, signals[LOADED], 0);
}

void
stp_residents_page_reload (StpResidentsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  StpQueryWorker *worker;
  SearchData *data;
  guint status, stage, responsible;

  g_return_if_fail (STP_IS_RESIDENTS_PAGE (self));

  if (!self->filters_ready)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  worker = stp_query_worker_get_for_store (self->store, &error);
  if (worker == NULL)
    {
      /* Not on the window's connection: that one is the main thread's. */
      gtk_label_set_text (self->count_label, error->message);
      stp_resident_list_replace (self->residents, NULL);
      return;
    }

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  g_free (self->searched_text);
  self->searched_text = g_strdup (text);
  status = gtk_drop_down_get_selected (self->status_dropdown);
  stage = gtk_drop_down_get_selected (self->stage_dropdown);
  responsible = gtk_drop_down_get_selected (self->responsible_dropdown);

  data = g_new0 (SearchData, 1);
  data->session = g_object_ref (self->session);
  data->text = *text != '\0' ? g_steal_pointer (&text) : NULL;
  data->status = status >= STATUS_FIRST_VALUE ? (int) (status - STATUS_FIRST_VALUE) : -1;
  data->in_center_only = status == STATUS_IN_CENTER;
  if (stage != GTK_INVALID_LIST_POSITION && stage > 0 && stage < self->stage_ids->len)
    data->stage_id = g_strdup (g_ptr_array_index (self->stage_ids, stage));
  if (responsible != GTK_INVALID_LIST_POSITION && responsible > 0 && responsible < self->responsible_ids->len)
    data->responsible_user_id = g_strdup (g_ptr_array_index (self->responsible_ids, responsible));
  /* The whole list loads off the main thread; typed searches stop early. */
  data->limit = data->text != NULL ? SEARCH_LIMIT : 0;
  data->today = stp_store_today (self->store);

  self->loading = TRUE;
  gtk_spinner_start (self->spinner);

  /* search_done () takes a cancelled search's rows itself. */
  stp_query_worker_run_async (worker, self, search, data, (GDestroyNotify) search_data_free,
                              (GDestroyNotify) g_ptr_array_unref, self->cancellable,
                              search_done, NULL);
}

static void
on_search_changed (StpResidentsPage *self)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));

  /* The entry reports an emptied search at once and may report it again:
   * the whole list is not loaded twice. */
  if (g_strcmp0 (text, self->searched_text) == 0)
    return;
  stp_residents_page_reload (self);
}

static void
on_search_activate (StpResidentsPage *self)
{
  /* Enter on the search opens the single match, or moves into the list. */
  if (g_list_model_get_n_items (G_LIST_MODEL (self->selection)) == 1)
    {
      g_autoptr(StpResidentItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), 0);

      g_signal_emit (self, signals[RESIDENT_ACTIVATED], 0, stp_resident_item_get_id (item));
    }
  else
    {
      gtk_widget_child_focus (GTK_WIDGET (self->column_view), GTK_DIR_TAB_FORWARD);
    }
}

static void
on_filter_changed (StpResidentsPage *self)
{
  stp_residents_page_reload (self);
}

static void
on_row_activated (StpResidentsPage *self,
                  guint             position)
{
  g_autoptr(StpResidentItem) item = NULL;

  item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  if (item != NULL)
    g_signal_emit (self, signals[RESIDENT_ACTIVATED], 0, stp_resident_item_get_id (item));
}

static void
stp_residents_page_fill_filters (StpResidentsPage *self)
{
  g_autoptr(GtkStringList) statuses = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) stages = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) people = gtk_string_list_new (NULL);
  g_autoptr(GPtrArray) programs = NULL;
  const StpEnumItem *items;

  gtk_string_list_append (statuses, _("Any status"));
  gtk_string_list_append (statuses, _("In the center"));
  items = stp_enum_get_items (STP_ENUM_EPISODE_STATUS);
  for (guint i = 0; items[i].code != NULL; i++)
    {
      /* The filter's positions map to enum values. */
      g_assert ((guint) items[i].value == i);
      gtk_string_list_append (statuses, stp_enum_to_label (STP_ENUM_EPISODE_STATUS, items[i].value));
    }
  gtk_drop_down_set_model (self->status_dropdown, G_LIST_MODEL (statuses));
  /* Daily work is about the people in the program; the others are a click away. */
  gtk_drop_down_set_selected (self->status_dropdown, STATUS_FIRST_VALUE + STP_EPISODE_IN_PROGRAM);

  gtk_string_list_append (stages, _("Any stage"));
  g_ptr_array_add (self->stage_ids, NULL);
  programs = stp_store_list (self->store, self->session, STP_KIND_PROGRAM, NULL, NULL, NULL);
  for (guint p = 0; programs != NULL && p < programs->len; p++)
    {
      StpProgram *program = g_ptr_array_index (programs, p);
      g_autoptr(GPtrArray) program_stages = NULL;

      if (!program->active)
        continue;

      program_stages = stp_store_list_stages (self->store, self->session, program->meta.id, NULL);
      for (guint s = 0; program_stages != NULL && s < program_stages->len; s++)
        {
          StpStage *stage = g_ptr_array_index (program_stages, s);

          if (stage->retired)
            continue;
          gtk_string_list_append (stages, stage->name);
          g_ptr_array_add (self->stage_ids, g_strdup (stage->meta.id));
        }
    }
  gtk_drop_down_set_model (self->stage_dropdown, G_LIST_MODEL (stages));

  gtk_string_list_append (people, _("Anyone responsible"));
  g_ptr_array_add (self->responsible_ids, NULL);
  if (stp_session_can (self->session, STP_PERMISSION_READ_CARD))
    {
      /* Translators: the residents the logged-in user is responsible for. */
      gtk_string_list_append (people, C_("residents", "Mine"));
      g_ptr_array_add (self->responsible_ids, g_strdup (stp_session_get_user_id (self->session)));
      g_autoptr(GPtrArray) users = stp_store_list_login_users (self->store, NULL);

      for (guint i = 0; users != NULL && i < users->len; i++)
        {
          StpUser *user = g_ptr_array_index (users, i);

          if (user->role == STP_ROLE_VOLUNTEER)
            continue;
          gtk_string_list_append (people, user->full_name);
          g_ptr_array_add (self->responsible_ids, g_strdup (user->meta.id));
        }
    }
  gtk_drop_down_set_model (self->responsible_dropdown, G_LIST_MODEL (people));

  self->filters_ready = TRUE;
}

static void
stp_residents_page_dispose (GObject *object)
{
  StpResidentsPage *self = STP_RESIDENTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->stage_ids, g_ptr_array_unref);
  g_clear_pointer (&self->responsible_ids, g_ptr_array_unref);
  g_clear_pointer (&self->searched_text, g_free);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_RESIDENTS_PAGE);

  G_OBJECT_CLASS (stp_residents_page_parent_class)->dispose (object);
}

static void
stp_residents_page_class_init (StpResidentsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_residents_page_dispose;

  g_type_ensure (STP_TYPE_RESIDENT_LIST);

  /**
   * StpResidentsPage::resident-activated:
   * @resident_id: the resident's id
   */
  signals[RESIDENT_ACTIVATED] =
    g_signal_new ("resident-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * StpResidentsPage::loaded:
   *
   * Emitted when a search's results are shown.
   */
  signals[LOADED] =
    g_signal_new ("loaded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  g_type_ensure (STP_TYPE_RESIDENT_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-residents-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, stage_dropdown);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, responsible_dropdown);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, name_column);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, file_number_column);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, age_column);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, stage_column);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, outcome_column);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, day_column);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, responsible_column);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, selection);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, residents);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, StpResidentsPage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_filter_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

/* Cells are plain labels made in code: a GtkBuilderListItemFactory parses
 * its XML for every cell it makes, which with six columns cost some 50 ms
 * each time the rows were made after a search.  Each label follows its
 * row object's property, which the residents list changes in place. */
static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *list_item,
            gpointer                  user_data)
{
  const char *property = user_data;
  gboolean numeric = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "numeric"));
  GtkWidget *cell = stp_list_cell_new (numeric ? 1.0 : 0.0);
  GtkWidget *label = GTK_WIDGET (stp_list_cell_get_label (STP_LIST_CELL (cell)));
  GtkExpression *expression;

  /* Measured without shaping its text (stp-list-cell.c). */
  gtk_list_item_set_child (list_item, cell);

  expression = gtk_property_expression_new (STP_TYPE_RESIDENT_ITEM,
                                            gtk_property_expression_new (GTK_TYPE_LIST_ITEM, NULL, "item"),
                                            property);
  gtk_expression_bind (expression, label, "label", list_item);
}

static void
set_cell_factory (GtkColumnViewColumn *column,
                  const char          *property,
                  gboolean             numeric)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_object_set_data (G_OBJECT (factory), "numeric", GINT_TO_POINTER (numeric));
  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), (gpointer) property);
  gtk_column_view_column_set_factory (column, factory);
}

static void
stp_residents_page_init (StpResidentsPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->stage_ids = g_ptr_array_new_with_free_func (g_free);
  self->responsible_ids = g_ptr_array_new_with_free_func (g_free);

  gtk_widget_init_template (GTK_WIDGET (self));

  set_cell_factory (self->name_column, "full-name", FALSE);
  set_cell_factory (self->file_number_column, "file-number", FALSE);
  set_cell_factory (self->age_column, "age-text", TRUE);
  set_cell_factory (self->stage_column, "stage", FALSE);
  set_cell_factory (self->outcome_column, "outcome", FALSE);
  set_cell_factory (self->day_column, "day-text", TRUE);
  set_cell_factory (self->responsible_column, "responsible", FALSE);
  g_signal_connect_object (self->residents, "filled", G_CALLBACK (on_list_filled),
                           self, G_CONNECT_SWAPPED);
}

StpResidentsPage *
stp_residents_page_new (StpStore   *store,
                        StpSession *session)
{
  StpResidentsPage *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_RESIDENTS_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);


  /* A volunteer sees names, file numbers and stages only. */
  if (!stp_session_can (session, STP_PERMISSION_READ_CARD))
    {
      /* Removed rather than hidden: hidden columns keep their share of the
       * width in GTK 4.8. */
      gtk_column_view_remove_column (self->column_view, self->age_column);
      gtk_column_view_remove_column (self->column_view, self->day_column);
      gtk_column_view_remove_column (self->column_view, self->responsible_column);
      gtk_widget_set_visible (GTK_WIDGET (self->responsible_dropdown), FALSE);
    }

  gtk_stack_set_visible_child_name (self->list_stack, "list");
  stp_residents_page_fill_filters (self);
  stp_residents_page_reload (self);

  return self;
}

void
stp_residents_page_focus_search (StpResidentsPage *self)
{
  g_return_if_fail (STP_IS_RESIDENTS_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

GListModel *
stp_residents_page_get_model (StpResidentsPage *self)
{
  g_return_val_if_fail (STP_IS_RESIDENTS_PAGE (self), NULL);

  return G_LIST_MODEL (self->selection);
}

gboolean
stp_residents_page_is_loading (StpResidentsPage *self)
{
  g_return_val_if_fail (STP_IS_RESIDENTS_PAGE (self), FALSE);

  return self->loading || !stp_resident_list_is_filled (self->residents);
}
