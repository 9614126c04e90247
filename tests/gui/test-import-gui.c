/* test-import-gui.c: «Импорт из таблицы» through the real dialog: a
 * generated 1 000-row registry in cp1251 with ';' and in UTF-8 with ',',
 * with bad rows and duplicates; the database is checked afterwards. */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "stp-gui-test-helpers.h"
#include "stp-test-store.h"
#include "stp-import.h"
#include "stp-import-dialog.h"
#include "stp-store-private.h"
#include "../core/import-csv-util.h"

#define N_ROWS 1000

static gboolean
wait_page (StpImportDialog *dialog,
           const char      *page,
           guint            timeout_ms)
{
  GtkStack *stack = NULL;
  GtkWidget *w = stp_test_find_widget (GTK_WIDGET (dialog), "import-mapping");
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  stack = GTK_STACK (gtk_widget_get_ancestor (w, GTK_TYPE_STACK));
  while (g_strcmp0 (gtk_stack_get_visible_child_name (stack), page) != 0 &&
         g_get_monotonic_time () < end)
    stp_test_wait (50);
  return g_strcmp0 (gtk_stack_get_visible_child_name (stack), page) == 0;
}

typedef struct
{
  StpStore   *store;
  StpSession *director;
  char       *dir;
  guint       existing;
} Center;

static void
center_init (Center *c)
{
  g_autoptr(GError) error = NULL;

  c->store = stp_test_store_new ();
  c->director = stp_test_create_center (c->store, "Центр «Исток»", "Пермский край");
  c->dir = g_dir_make_tmp ("stupeni-import-XXXXXX", &error);
  g_assert_no_error (error);
  /* People of the file who are already here. */
  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autoptr(StpResident) r = NULL;
      if (!csv_is_existing (i) || csv_is_bad (i) || csv_is_repeat (i))
        continue;
      r = stp_resident_new ();
      r->surname = csv_surname (i);
      r->name = g_strdup (csv_name (i));
      r->patronymic = g_strdup ("Иванович");
      r->birth_date = csv_birth_iso (i);
      r->sex = STP_SEX_MALE;
      g_assert_true (stp_store_save_resident (c->store, c->director, r, &error));
      c->existing++;
    }
}

static void
center_clear (Center *c)
{
  stp_test_remove_tree (c->dir);
  g_free (c->dir);
  g_clear_object (&c->director);
  g_clear_object (&c->store);
}

/* Writes the registry; returns its path. */
static char *
write_registry (Center     *c,
                char        sep,
                gboolean    cp1251,
                CsvPlan    *plan)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program = stp_test_text (c->store, "SELECT p.name FROM programs p JOIN stages s ON s.program_id = p.id "
                                                      "GROUP BY p.id ORDER BY count(*) DESC, p.created_at LIMIT 1");
  g_autofree char *program_id = stp_test_text (c->store, "SELECT p.id FROM programs p JOIN stages s ON s.program_id = p.id "
                                                         "GROUP BY p.id ORDER BY count(*) DESC, p.created_at LIMIT 1");
  g_autofree char *sql = g_strdup_printf ("SELECT name FROM stages WHERE program_id = '%s' "
                                          "ORDER BY position LIMIT 1 OFFSET 1", program_id);
  g_autofree char *stage = stp_test_text (c->store, sql);
  g_autofree char *csv = csv_generate (sep, N_ROWS, program, stage, plan);
  g_autofree char *data = NULL;
  gsize len;
  char *path = g_build_filename (c->dir, cp1251 ? "реестр-1251.csv" : "реестр-utf8.csv", NULL);

  if (cp1251)
    data = g_convert (csv, -1, "WINDOWS-1251", "UTF-8", NULL, &len, &error);
  else
    {
      data = g_strdup (csv);
      len = strlen (data);
    }
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, data, len, &error));
  return path;
}

/* Opens the dialog from its settings row, reads @path, checks, imports;
 * returns the text of the preview summary. */
static char *
import_through_dialog (Center     *c,
                       const char *path,
                       const char *picture)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  StpImportDialog *dialog;
  GtkWidget *root;
  char *summary;

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page),
                            ADW_PREFERENCES_GROUP (stp_import_dialog_new_settings_group (c->store, c->director)));
  adw_window_set_content (ADW_WINDOW (window), page);
  stp_test_show (GTK_WINDOW (window));
  stp_test_click (window, "import-open");
  stp_test_wait (100);
  dialog = STP_IMPORT_DIALOG (stp_test_find_window (STP_TYPE_IMPORT_DIALOG));
  g_assert_nonnull (dialog);
  root = GTK_WIDGET (dialog);

  g_assert_true (stp_import_dialog_open_file (dialog, path));
  g_assert_true (wait_page (dialog, "mapping", 1000));
  /* The columns were recognized by their names; the note is not imported. */
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (stp_test_find_widget (root, "import-column-0"))),
                    ==, STP_IMPORT_FIELD_SURNAME);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (stp_test_find_widget (root, "import-column-3"))),
                    ==, STP_IMPORT_FIELD_BIRTH_DATE);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (stp_test_find_widget (root, "import-column-15"))),
                    ==, STP_IMPORT_FIELD_NONE);
  if (picture != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s-mapping.png", picture);
      stp_test_save_picture (GTK_WINDOW (dialog), name);
    }

  stp_test_click (root, "import-check");
  g_assert_true (wait_page (dialog, "preview", 120000));
  summary = g_strdup (gtk_label_get_text (GTK_LABEL (stp_test_find_widget (root, "import-preview-summary"))));
  if (picture != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s-preview.png", picture);
      stp_test_wait (200);
      stp_test_save_picture (GTK_WINDOW (dialog), name);
    }
  if (gtk_widget_is_sensitive (stp_test_find_widget (root, "import-run")))
    {
      g_autofree char *report = g_build_filename (c->dir, "report.csv", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;

      stp_test_click (root, "import-run");
      g_assert_true (wait_page (dialog, "done", 120000));
      g_assert_true (stp_import_dialog_save_report (dialog, report, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (report, &contents, NULL, NULL));
      g_assert_nonnull (strstr (contents, "импортирована"));
      if (picture != NULL)
        {
          g_autofree char *name = g_strdup_printf ("%s-done.png", picture);
          stp_test_save_picture (GTK_WINDOW (dialog), name);
        }
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  return summary;
}

static void
check_fields (Center *c)
{
  /* A few rows, field by field. */
  static const guint people[] = { 0, 1, 2, 3, 4, 23, 500, 998 };

  for (guint k = 0; k < G_N_ELEMENTS (people); k++)
    {
      guint i = people[k];
      g_autofree char *surname = csv_surname (i);
      g_autofree char *birth = csv_birth_iso (i);
      g_autofree char *sql = g_strdup_printf ("SELECT name || '|' || patronymic || '|' || birth_date || '|' || "
                                              "phone || '|' || file_number FROM residents WHERE surname = '%s'",
                                              surname);
      g_autofree char *row = stp_test_text (c->store, sql);
      g_autofree char *expected = g_strdup_printf ("%s|Иванович|%s|+7912%03u%02u%02u|Д-%04u", csv_name (i), birth,
                                                   i % 1000, i % 100, (i / 7) % 100, i);
      g_assert_cmpstr (row, ==, expected);
    }
}

static void
test_cp1251_semicolon (void)
{
  Center c = { 0 };
  CsvPlan plan;
  g_autofree char *path = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *expected = NULL;
  guint n;

  center_init (&c);
  path = write_registry (&c, ';', TRUE, &plan);
  n = csv_expected_imported (&plan);
  summary = import_through_dialog (&c, path, "import");
  expected = g_strdup_printf ("Будет импортировано: %u. Пропускается: с ошибками — %u, повторов — %u.",
                              n, plan.bad_date + plan.no_name + plan.bad_sex, plan.dup_in_file + plan.dup_existing);
  g_assert_cmpstr (summary, ==, expected);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, c.existing + n);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM relatives WHERE deleted = 0"), ==, n);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM episodes WHERE deleted = 0"), ==, n);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM audit_events WHERE action = 'import'"), ==, 1);
  check_fields (&c);
  center_clear (&c);
}

static void
test_utf8_comma_twice (void)
{
  Center c = { 0 };
  CsvPlan plan;
  g_autofree char *path = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *expected = NULL;
  guint n;

  center_init (&c);
  path = write_registry (&c, ',', FALSE, &plan);
  n = csv_expected_imported (&plan);
  first = import_through_dialog (&c, path, NULL);
  g_assert_nonnull (strstr (first, "Будет импортировано: "));
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, c.existing + n);
  check_fields (&c);

  /* The same file again: nothing to import, and nothing imported. */
  second = import_through_dialog (&c, path, NULL);
  expected = g_strdup_printf ("Будет импортировано: 0. Пропускается: с ошибками — %u, повторов — %u.",
                              plan.bad_date + plan.no_name + plan.bad_sex,
                              n + plan.dup_in_file + plan.dup_existing);
  g_assert_cmpstr (second, ==, expected);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, c.existing + n);
  center_clear (&c);
}

/* A file that is not a table is refused with a Russian message. */
static void
test_garbage (void)
{
  Center c = { 0 };
  g_autofree char *path = NULL;
  StpImportDialog *dialog;
  GtkWidget *label;

  center_init (&c);
  path = g_build_filename (c.dir, "photo.csv", NULL);
  g_assert_true (g_file_set_contents (path, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16, NULL));
  dialog = stp_import_dialog_new (c.store, c.director);
  stp_test_show (GTK_WINDOW (dialog));
  g_assert_false (stp_import_dialog_open_file (dialog, path));
  label = stp_test_find_widget (GTK_WIDGET (dialog), "import-message");
  g_assert_true (gtk_widget_get_visible (label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "не является таблицей CSV"));
  g_assert_true (wait_page (dialog, "file", 100));
  gtk_window_destroy (GTK_WINDOW (dialog));
  center_clear (&c);
}

int
main (int   argc,
      char *argv[])
{
  stp_test_gui_init (&argc, &argv);

  g_test_add_func ("/gui/import/garbage", test_garbage);
  g_test_add_func ("/gui/import/cp1251-semicolon", test_cp1251_semicolon);
  g_test_add_func ("/gui/import/utf8-comma-twice", test_utf8_comma_twice);

  return g_test_run ();
}
