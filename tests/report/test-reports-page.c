/* The reports page and the card's report buttons: which reports each role
 * is offered, what the controls show, and a picture of the page. */
#define G_LOG_DOMAIN "test-reports-page"

#include "config.h"

#include "stp-reports-page.h"
#include "stp-report-print.h"
#include "stp-report.h"
#include "stp-store.h"
#include "stp-demo.h"
#include "stp-gui-test-helpers.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

static char *dir;
static StpStore *store;
static StpSession *director;

static gint64
fixed_clock (gpointer user_data)
{
  return (gint64) 1781524800 * G_USEC_PER_SEC;   /* 15.06.2026 */
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
iterate (void)
{
  for (int i = 0; i < 50 && g_main_context_pending (NULL); i++)
    g_main_context_iteration (NULL, FALSE);
}

static void
save_picture (GtkWidget  *window,
              const char *name)
{
  const char *build = g_getenv ("G_TEST_BUILDDIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width = gtk_widget_get_width (window);
  int height = gtk_widget_get_height (window);

  if (build == NULL || width <= 0 || height <= 0)
    return;
  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (build, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static StpSession *
make_user (const char *login,
           StpRole     role)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(GError) error = NULL;

  user->login = g_strdup (login);
  user->full_name = g_strdup (login);
  user->role = role;
  user->active = TRUE;
  stp_store_save_user_with_password (store, director, user, "пароль-для-теста-1", &error);
  g_assert_no_error (error);
  return stp_session_new (user->meta.id, login, login, role);
}

static void
test_director_page (void)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = stp_reports_page_new (store, director);
  GtkWidget *report_row = find_named (page, "report-row");
  GtkWidget *from_row = find_named (page, "from-row");
  GtkWidget *to_row = find_named (page, "to-row");
  GtkWidget *csv_button = find_named (page, "csv-button");
  GListModel *model;

  g_assert_nonnull (report_row);
  g_assert_nonnull (from_row);
  g_assert_nonnull (csv_button);

  /* The director gets the census, the follow-ups and the center report. */
  model = adw_combo_row_get_model (ADW_COMBO_ROW (report_row));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);

  /* The period defaults to this year (by the store's clock). */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (from_row)), ==, "01.01.2026");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (to_row)), ==, "31.12.2026");

  /* CSV and the start date only for the center report. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (report_row), 0);
  g_assert_false (gtk_widget_get_visible (csv_button));
  adw_combo_row_set_selected (ADW_COMBO_ROW (report_row), 2);
  g_assert_true (gtk_widget_get_visible (csv_button));
  g_assert_true (gtk_widget_get_visible (from_row));

  gtk_window_set_default_size (GTK_WINDOW (window), 800, 560);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 20; i++)
    {
      iterate ();
      g_usleep (10000);
    }
  save_picture (window, "reports-page.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_preview_loaded (gboolean *flag)
{
  *flag = TRUE;
}

/* The center report on the page before printing: its pages, charts
 * included, for the period typed, on a generated demo center. */
static void
test_center_preview (void)
{
  g_autofree char *demo_path = g_build_filename (dir, "demo.db", NULL);
  g_autoptr(StpStore) demo = NULL;
  g_autoptr(StpSession) demo_director = NULL;
  g_autoptr(StpReportLayout) expected = stp_report_layout_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *today = NULL;
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page;
  GtkWidget *preview;
  GtkWidget *scroller;
  gboolean loaded = FALSE;
  guint n_pages;

  demo = stp_store_open (demo_path, &error);
  g_assert_no_error (error);
  g_assert_true (stp_demo_generate (demo, 300, 3, &error));
  g_assert_no_error (error);
  demo_director = stp_store_login (demo, "director", "stupeni-demo", &error);
  g_assert_no_error (error);

  page = stp_reports_page_new (demo, demo_director);
  g_signal_connect_swapped (page, "preview-loaded", G_CALLBACK (on_preview_loaded), &loaded);
  adw_combo_row_set_selected (ADW_COMBO_ROW (find_named (page, "report-row")), 2);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 1000);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < 3000 && !loaded; i++)
    {
      iterate ();
      g_usleep (10000);
    }
  g_assert_true (loaded);

  /* The same pages as the printed report of the period shown. */
  today = stp_store_today (demo);
  from = g_strdup_printf ("%.4s-01-01", today);
  to = g_strdup_printf ("%.4s-12-31", today);
  g_assert_true (stp_report_center_render (expected, demo, demo_director, from, to, &error));
  g_assert_no_error (error);
  preview = find_named (page, "report-preview");
  g_assert_nonnull (preview);
  n_pages = 0;
  for (GtkWidget *child = gtk_widget_get_first_child (preview); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n_pages++;
  g_assert_cmpuint (n_pages, ==, (guint) stp_report_layout_get_n_pages (expected));
  g_assert_cmpuint (n_pages, >=, 3);
  g_assert_nonnull (find_named (page, "report-preview-page-1"));

  /* The period picker at the top, the first page and its first chart
   * under it, for the picture. */
  scroller = gtk_widget_get_ancestor (preview, GTK_TYPE_SCROLLED_WINDOW);
  for (int i = 0; i < 30; i++)
    {
      iterate ();
      g_usleep (10000);
    }
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller)), 0);
  for (int i = 0; i < 30; i++)
    {
      iterate ();
      g_usleep (10000);
    }
  save_picture (window, "reports-center-chart.png");

  /* A period that cannot be read shows no report, says why. */
  loaded = FALSE;
  gtk_editable_set_text (GTK_EDITABLE (find_named (page, "to-row")), "31.13.2026");
  for (int i = 0; i < 60; i++)
    {
      iterate ();
      g_usleep (10000);
    }
  g_assert_null (gtk_widget_get_first_child (preview));
  g_assert_false (loaded);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_staff_page (void)
{
  g_autoptr(StpSession) staff = make_user ("staff", STP_ROLE_STAFF);
  GtkWidget *page = g_object_ref_sink (stp_reports_page_new (store, staff));
  GtkWidget *report_row = find_named (page, "report-row");
  GListModel *model = adw_combo_row_get_model (ADW_COMBO_ROW (report_row));

  /* No center report for staff (director only). */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 2);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (model), i), !=,
                     _("Center report"));
  g_object_unref (page);
}

/* The print path (GtkPrintOperation's begin-print and draw-page on a
 * GtkPrintContext) gives the same pages as the PDF export. */
static void
test_print_operation (void)
{
  g_autoptr(StpReportLayout) layout = stp_report_layout_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *path = g_build_filename (dir, "printed.pdf", NULL);
  g_autofree char *text = NULL;
  g_autofree char *last = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  guint pages = 0;
  int n_pages;

  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return;
    }

  stp_report_census_render (layout, store, director, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 150; i++)
    stp_report_layout_add_paragraph (layout, "Строка для проверки печати ПЕЧАТЬ-МЕТКА");
  stp_report_layout_add_paragraph (layout, "ПОСЛЕДНЯЯ-СТРОКА");
  g_assert_true (stp_report_print_layout_export (layout, path, &error));
  g_assert_no_error (error);
  n_pages = stp_report_layout_get_n_pages (layout);
  g_assert_cmpint (n_pages, >=, 2);

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              "pdftotext", "-layout", path, "-", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &text, NULL, &error);
  g_assert_no_error (error);
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\f')
      pages++;
  g_assert_cmpuint (pages, ==, (guint) n_pages);
  g_assert_nonnull (strstr (text, "ПОСЛЕДНЯЯ-СТРОКА"));
  g_assert_nonnull (strstr (text, "АНО «Ступени к жизни»"));
  last = g_strdup_printf (_("page %d of %u"), n_pages, (guint) n_pages);
  g_assert_nonnull (strstr (text, last));
}

static guint
count_children (GtkWidget *box)
{
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (box);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;
  return n;
}

static void
test_card_actions (void)
{
  g_autoptr(StpSession) staff = make_user ("staff2", STP_ROLE_STAFF);
  g_autoptr(StpSession) volunteer = make_user ("volunteer", STP_ROLE_VOLUNTEER);
  GtkWidget *staff_box = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));
  GtkWidget *volunteer_box = g_object_ref_sink (gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6));

  stp_report_actions_add_to_card (staff_box, store, staff, "00000000-0000-0000-0000-000000000000");
  g_assert_cmpuint (count_children (staff_box), ==, 2);
  g_assert_nonnull (find_named (staff_box, "report-print-button"));
  g_assert_nonnull (find_named (staff_box, "report-pdf-button"));

  /* Volunteers may not print resident reports: no buttons at all. */
  stp_report_actions_add_to_card (volunteer_box, store, volunteer, "00000000-0000-0000-0000-000000000000");
  g_assert_cmpuint (count_children (volunteer_box), ==, 0);

  g_object_unref (staff_box);
  g_object_unref (volunteer_box);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  int result;

  if (setlocale (LC_ALL, "ru_RU.UTF-8") == NULL)
    setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  stp_test_gui_tolerate_wine ();
  /* Keep the Russian locale chosen above. */
  gtk_disable_setlocale ();
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display to run GTK on\n");
      return 0;
    }
  stp_test_gui_windows_font ();
  adw_init ();

  dir = g_dir_make_tmp ("stupeni-reports-page-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "center.db", NULL);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  stp_store_set_clock (store, fixed_clock, NULL);
  center->name = g_strdup ("АНО «Ступени к жизни»");
  director = stp_store_create_center (store, center, "director", "Смирнова Ольга Николаевна",
                                      "пароль-директора-1", &error);
  g_assert_no_error (error);

  g_test_add_func ("/report/page/director", test_director_page);
  g_test_add_func ("/report/page/staff", test_staff_page);
  g_test_add_func ("/report/page/center-preview", test_center_preview);
  g_test_add_func ("/report/page/card-actions", test_card_actions);
  g_test_add_func ("/report/page/print-operation", test_print_operation);
  result = g_test_run ();

  g_clear_object (&director);
  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
  }
  g_rmdir (dir);
  g_free (dir);
  return result;
}
