/* test-overview-page.c: «Обзор» in the real window on a generated demo
 * center: the first page of a director, not of a volunteer; the numbers
 * shown are the core's; it counts again after an edit on the window's
 * connection; its to-do rows open the working lists; pictures at 1024×600
 * and 1280×1024 in the light and the dark style. */
#define G_LOG_DOMAIN "test-overview-page"

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "stp-chart-view.h"
#include "stp-demo.h"
#include "stp-gui-test-helpers.h"
#include "stp-overview-page.h"
#include "stp-stats.h"
#include "stp-sync-page.h"
#include "stp-window.h"

#define N_RESIDENTS 400

static StpStore *store;
static StpSession *director;

static GtkWidget *
find_by_type (GtkWidget *root,
              GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_by_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The window's page stack: the one holding the page named "residents". */
static GtkStack *
stack_of (StpWindow *window)
{
  GtkWidget *residents = NULL;
  GtkWidget *stack = find_by_type (GTK_WIDGET (window), GTK_TYPE_STACK);

  /* The first stack found may be another one: look for the pages'. */
  while (stack != NULL && (residents = gtk_stack_get_child_by_name (GTK_STACK (stack), "residents")) == NULL)
    stack = find_by_type (gtk_widget_get_first_child (stack), GTK_TYPE_STACK);
  g_assert_nonnull (residents);
  return GTK_STACK (stack);
}

static GtkWidget *
overview_of (StpWindow *window)
{
  return gtk_stack_get_child_by_name (stack_of (window), "overview");
}

static void
on_loaded (gboolean *flag)
{
  *flag = TRUE;
}

static void
wait_loaded (StpOverviewPage *page)
{
  gboolean loaded = FALSE;
  gulong id = g_signal_connect_swapped (page, "loaded", G_CALLBACK (on_loaded), &loaded);

  if (stp_overview_page_get_overview (page) == NULL || !loaded)
    g_assert_true (stp_test_wait_for (&loaded, 30000));
  g_signal_handler_disconnect (page, id);
}

static const char *
card_number (GtkWidget  *root,
             const char *name)
{
  GtkWidget *card = stp_test_find_widget (root, name);

  g_assert_nonnull (card);
  return gtk_label_get_text (GTK_LABEL (gtk_widget_get_first_child (card)));
}

static StpWindow *
open_window (StpSession *session,
             int         width,
             int         height)
{
  StpWindow *window = stp_window_new (NULL, store, session);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  stp_test_show (GTK_WINDOW (window));
  return window;
}

static void
save_both_styles (StpWindow  *window,
                  const char *size)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = g_strdup_printf ("overview-%s-light.png", size);
  g_autofree char *dark = g_strdup_printf ("overview-%s-dark.png", size);

  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  stp_test_wait (300);
  stp_test_save_picture (GTK_WINDOW (window), light);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  stp_test_wait (300);
  g_assert_true (adw_style_manager_get_dark (style));
  stp_test_save_picture (GTK_WINDOW (window), dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
}

static void
test_director_overview (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpOverview) expected = NULL;
  StpWindow *window = open_window (director, 1024, 600);
  GtkWidget *page = overview_of (window);
  GtkWidget *stack;
  const StpOverview *shown;
  g_autofree char *occupied = NULL;
  GtkWidget *row;

  g_assert_nonnull (page);
  stack = gtk_widget_get_parent (page);
  g_assert_true (gtk_stack_get_visible_child (GTK_STACK (stack)) == page);
  wait_loaded (STP_OVERVIEW_PAGE (page));

  /* What is shown is what the core counts on the window's connection. */
  expected = stp_store_compute_overview (store, director, &error);
  g_assert_no_error (error);
  shown = stp_overview_page_get_overview (STP_OVERVIEW_PAGE (page));
  g_assert_cmpint (shown->in_center, ==, expected->in_center);
  g_assert_cmpint (shown->in_center, >, 0);
  for (guint m = 0; m < STP_OVERVIEW_MONTHS; m++)
    g_assert_cmpint (shown->admitted[m], ==, expected->admitted[m]);
  occupied = expected->seats_total > 0
             ? g_strdup_printf ("%d из %d", (int) expected->in_center, (int) expected->seats_total)
             : g_strdup_printf ("%d", (int) expected->in_center);
  g_assert_cmpstr (card_number (page, "seats-occupied"), ==, occupied);
  /* The month chart carries the same numbers. */
  {
    StpChart *chart = stp_chart_view_get_chart (STP_CHART_VIEW (stp_test_find_widget (page, "overview-months-chart")));

    g_assert_nonnull (chart);
    g_assert_cmpuint (stp_chart_get_n_categories (chart), ==, STP_OVERVIEW_MONTHS);
    for (guint m = 0; m < STP_OVERVIEW_MONTHS; m++)
      {
        g_assert_cmpint (stp_chart_get_value (chart, 0, m), ==, expected->admitted[m]);
        g_assert_cmpint (stp_chart_get_value (chart, 1, m), ==, expected->discharged[m]);
      }
  }
  g_assert_nonnull (stp_test_find_label (page, "Центр на "));
  g_assert_nonnull (stp_test_find_label (page, "Дела на этой неделе"));

  /* Before its numbers a page already holds their places (issue 13: the
   * numbers must not move and repaint the whole page): its charts want
   * the heights they will have, hidden; with the numbers they show. */
  {
    static const char *names[] = { "overview-months-chart", "overview-outcomes-chart",
                                   "overview-dropped-chart", "overview-remission-chart" };
    GtkWidget *fresh = g_object_ref_sink (stp_overview_page_new (store, director));

    g_assert_null (stp_overview_page_get_overview (STP_OVERVIEW_PAGE (fresh)));
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        GtkWidget *empty = stp_test_find_widget (fresh, names[i]);
        GtkWidget *full = stp_test_find_widget (page, names[i]);
        int empty_height = 0, full_height = 0;

        g_assert_nonnull (empty);
        g_assert_nonnull (full);
        gtk_widget_measure (empty, GTK_ORIENTATION_VERTICAL, 420, &empty_height, NULL, NULL, NULL);
        gtk_widget_measure (full, GTK_ORIENTATION_VERTICAL, 420, &full_height, NULL, NULL, NULL);
        g_assert_cmpint (full_height, >, 0);
        g_assert_cmpint (empty_height, ==, full_height);
        g_assert_cmpfloat (gtk_widget_get_opacity (empty), ==, 0.0);
        g_assert_cmpfloat (gtk_widget_get_opacity (full), ==, 1.0);
      }
    g_assert_cmpfloat (gtk_widget_get_opacity (stp_test_find_widget (page, "overview-results")), ==, 1.0);
    g_object_unref (fresh);
  }

  save_both_styles (window, "1024x600");

  /* A to-do row opens its working list. */
  row = stp_test_find_widget (page, "todo-follow-ups-overdue");
  g_assert_nonnull (row);
  g_signal_emit_by_name (row, "activated");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "follow-ups");
  row = stp_test_find_widget (page, "todo-referrals");
  g_signal_emit_by_name (row, "activated");
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "referrals");
  g_assert_true (stp_window_show_page (window, "overview"));

  /* An admission on the window's connection: the page counts again by
   * itself (it watches data_version), off the main thread; then a
   * discharge written on another connection. */
  {
    g_autoptr(StpResident) resident = stp_resident_new ();
    g_autoptr(StpEpisode) episode = stp_episode_new ();
    g_autoptr(GPtrArray) programs = stp_store_list (store, director, STP_KIND_PROGRAM, NULL, NULL, &error);
    gint64 before = shown->in_center;
    gint64 before_month = shown->admitted[STP_OVERVIEW_MONTHS - 1];
    gboolean changed = FALSE;

    g_assert_no_error (error);
    resident->surname = g_strdup ("Новиков");
    resident->name = g_strdup ("Пётр");
    resident->birth_date = g_strdup ("1990-01-01");
    resident->sex = STP_SEX_MALE;
    g_assert_true (stp_store_save (store, director, STP_KIND_RESIDENT, resident, &error));
    g_assert_no_error (error);
    episode->resident_id = g_strdup (resident->meta.id);
    episode->program_id = g_strdup (((StpProgram *) programs->pdata[0])->meta.id);
    episode->admitted_on = stp_store_today (store);
    episode->responsible_user_id = g_strdup (stp_session_get_user_id (director));
    g_assert_true (stp_store_admit (store, director, episode, &error));
    g_assert_no_error (error);

    for (int i = 0; i < 100 && !changed; i++)
      {
        stp_test_wait (100);
        shown = stp_overview_page_get_overview (STP_OVERVIEW_PAGE (page));
        changed = shown->in_center == before + 1;
      }
    g_assert_true (changed);
    g_assert_cmpint (shown->admitted[STP_OVERVIEW_MONTHS - 1], ==, before_month + 1);

    /* A write on another connection, as a sync applies what other
     * computers sent: the discharge shows up too. */
    {
      g_autoptr(StpStore) sync_connection = stp_store_open_secondary (store, &error);
      g_autofree char *today = stp_store_today (store);

      g_assert_no_error (error);
      g_assert_true (stp_store_discharge (sync_connection, director, episode->meta.id,
                                          STP_EPISODE_COMPLETED, today, "—", &error));
      g_assert_no_error (error);
      changed = FALSE;
      for (int i = 0; i < 100 && !changed; i++)
        {
          stp_test_wait (100);
          shown = stp_overview_page_get_overview (STP_OVERVIEW_PAGE (page));
          changed = shown->in_center == before;
        }
      g_assert_true (changed);
    }
  }
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_window (director, 1280, 1024);
  page = overview_of (window);
  wait_loaded (STP_OVERVIEW_PAGE (page));
  save_both_styles (window, "1280x1024");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_volunteer_keeps_list (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) volunteer = stp_store_login (store, "volunteer", "stupeni-demo", &error);
  StpWindow *window;
  GtkWidget *stack;

  g_assert_no_error (error);
  window = open_window (volunteer, 1024, 600);
  g_assert_null (overview_of (window));
  stack = GTK_WIDGET (stack_of (window));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stack)), ==, "residents");
  g_assert_false (stp_window_show_page (window, "overview"));
  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return window;
    }
  return NULL;
}

/* «Отправить статистику в регион» says the period as dates and shows the
 * numbers that would be sent, for the period chosen, before sending. */
static void
test_stats_dialog (void)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = stp_sync_page_new (store, director);
  GtkWidget *dialog;
  GtkWidget *summary;
  GtkWidget *periods;
  g_autofree char *today = stp_store_today (store);
  g_autofree char *expected = NULL;
  g_autofree char *in_program = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autoptr(StpCenterStats) stats = NULL;

  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 800, 600);
  stp_test_show (GTK_WINDOW (window));
  g_signal_emit_by_name (stp_test_find_widget (page, "stats-button"), "clicked");
  stp_test_wait (300);
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  summary = stp_test_find_widget (dialog, "stats-summary");
  periods = stp_test_find_widget (dialog, "stats-period");
  g_assert_nonnull (summary);
  g_assert_nonnull (periods);

  /* This year to date by default, said as dates. */
  expected = g_strdup_printf ("Период: 01.01.%.4s – %.2s.%.2s.%.4s.", today, today + 8, today + 5, today);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (summary)), expected));

  /* The last quarter: its dates and its numbers, as the core counts them. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (periods), STP_STATS_PERIOD_LAST_QUARTER);
  stp_stats_period_bounds (STP_STATS_PERIOD_LAST_QUARTER, today, &from, &to);
  stats = stp_store_center_stats (store, director, from, to, &error);
  g_assert_no_error (error);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("Период: %.2s.%.2s.%.4s – %.2s.%.2s.%.4s.",
                              from + 8, from + 5, from, to + 8, to + 5, to);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (summary)), expected));
  in_program = g_strdup_printf ("в программе на конец периода: %d (",
                                (int) stp_center_stats_get (stats, "in_program_by_stage_kind", "total"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (summary)), in_program));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (summary)), "этапы сложены по видам"));
  stp_test_save_picture (GTK_WINDOW (dialog), "stats-dialog.png");

  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  stp_test_wait (100);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  stp_test_gui_init (&argc, &argv);
  store = stp_test_store_new ();
  g_assert_true (stp_demo_generate (store, N_RESIDENTS, 7, &error));
  g_assert_no_error (error);
  director = stp_store_login (store, "director", "stupeni-demo", &error);
  g_assert_no_error (error);

  g_test_add_func ("/overview/director", test_director_overview);
  g_test_add_func ("/overview/volunteer", test_volunteer_keeps_list);
  g_test_add_func ("/sync-page/stats-dialog", test_stats_dialog);
  result = g_test_run ();

  g_clear_object (&director);
  g_clear_object (&store);
  return result;
}
