/* test-fit.c: every window works on a small laptop screen.  Each window's
 * minimum size is measured against 1024×600, and every main screen is
 * shown at 1024×600 and at 1280×1024 with a picture saved of each
 * (fit-<width>x<height>-<screen>.png in the build directory). */
#define G_LOG_DOMAIN "test-fit"

#include "card-test-util.h"

#include "stp-card-page.h"
#include "stp-first-run-window.h"
#include "stp-import-dialog.h"
#include "stp-restore-dialog.h"
#include "stp-login-window.h"
#include "stp-resident-window.h"
#include "stp-window.h"
#include "stp-gui-test-helpers.h"

#define SMALL_WIDTH 1024
#define SMALL_HEIGHT 600

static const char *main_pages[] = {
  "residents", "intake", "follow-ups", "referrals", "reports", "conflicts", "audit", "settings",
};
static const char *card_pages[] = {
  "profile", "program", "family", "consents", "journal", "follow-ups", "referrals", "court",
};

typedef struct
{
  CardTestDb  db;
  char       *resident_id;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(GError) error = NULL;

  card_test_db_open (&fixture->db);
  resident->surname = g_strdup ("Константинопольский");
  resident->name = g_strdup ("Александр");
  resident->patronymic = g_strdup ("Владимирович");
  resident->birth_date = g_strdup ("1979-03-02");
  resident->sex = STP_SEX_MALE;
  g_assert_true (stp_store_save_resident (fixture->db.store, fixture->db.session, resident, &error));
  g_assert_no_error (error);
  fixture->resident_id = g_strdup (resident->meta.id);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  stp_test_iterate ();
  card_test_db_close (&fixture->db);
  g_free (fixture->resident_id);
}

/* The smallest size @window can take, as GTK measures it. */
static void
assert_fits_small_screen (GtkWidget  *window,
                          const char *what)
{
  int min_width = 0;
  int min_height = 0;

  gtk_widget_measure (window, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
  gtk_widget_measure (window, GTK_ORIENTATION_VERTICAL, SMALL_WIDTH, &min_height, NULL, NULL, NULL);
  g_test_message ("%s: minimum %d×%d", what, min_width, min_height);
  if (min_width > SMALL_WIDTH || min_height > SMALL_HEIGHT)
    g_error ("%s needs at least %d×%d, more than a %d×%d screen",
             what, min_width, min_height, SMALL_WIDTH, SMALL_HEIGHT);
}

/* Shows @window at @width×@height and checks it took that size. */
static void
show_at (GtkWindow *window,
         int        width,
         int        height)
{
  gtk_window_set_default_size (window, width, height);
  stp_test_show (window);
  stp_test_iterate ();
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (window)), <=, height);
}

static char *
picture_name (const char *screen,
              int         width,
              int         height)
{
  return g_strdup_printf ("fit-%dx%d-%s.png", width, height, screen);
}

static void
check_main_window (Fixture *fixture,
                   int      width,
                   int      height)
{
  StpWindow *window = stp_window_new (NULL, fixture->db.store, fixture->db.session);

  assert_fits_small_screen (GTK_WIDGET (window), "main window");
  show_at (GTK_WINDOW (window), width, height);
  for (guint i = 0; i < G_N_ELEMENTS (main_pages); i++)
    {
      g_autofree char *name = picture_name (main_pages[i], width, height);

      if (!stp_window_show_page (window, main_pages[i]))
        continue;
      stp_test_wait (300);
      assert_fits_small_screen (GTK_WIDGET (window), main_pages[i]);
      stp_test_save_picture (GTK_WINDOW (window), name);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
check_card (Fixture *fixture,
            int      width,
            int      height)
{
  GtkWindow *window = stp_resident_window_new (NULL, fixture->db.store, fixture->db.session,
                                               fixture->resident_id);
  AdwViewStack *stack;

  assert_fits_small_screen (GTK_WIDGET (window), "resident card");
  show_at (window, width, height);
  stack = ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (window), ADW_TYPE_VIEW_STACK));
  for (guint i = 0; i < G_N_ELEMENTS (card_pages); i++)
    {
      g_autofree char *screen = g_strconcat ("card-", card_pages[i], NULL);
      g_autofree char *name = picture_name (screen, width, height);

      /* Every page is a StpCardPage (reload, "changed"). */
      g_assert_true (STP_IS_CARD_PAGE (adw_view_stack_get_child_by_name (stack, card_pages[i])));
      adw_view_stack_set_visible_child_name (stack, card_pages[i]);
      stp_test_wait (200);
      assert_fits_small_screen (GTK_WIDGET (window), screen);
      stp_test_save_picture (window, name);
    }
  gtk_window_destroy (window);
}

static void
check_login (Fixture *fixture,
             int      width,
             int      height)
{
  g_autofree char *name = picture_name ("login", width, height);
  StpLoginWindow *window = stp_login_window_new (NULL, fixture->db.store);

  assert_fits_small_screen (GTK_WIDGET (window), "login window");
  show_at (GTK_WINDOW (window), width, height);
  stp_test_save_picture (GTK_WINDOW (window), name);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
check_first_run (int width,
                 int height)
{
  g_autofree char *name = picture_name ("first-run", width, height);
  g_autoptr(StpStore) store = stp_test_store_new ();
  StpFirstRunWindow *window = stp_first_run_window_new (NULL, store);

  assert_fits_small_screen (GTK_WIDGET (window), "first-run window");
  show_at (GTK_WINDOW (window), width, height);
  stp_test_save_picture (GTK_WINDOW (window), name);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A dialog of the main window, and the shortcuts window, at @width×@height. */
static void
check_dialog (GtkWindow  *dialog,
              const char *screen,
              int         width,
              int         height)
{
  g_autofree char *name = picture_name (screen, width, height);

  assert_fits_small_screen (GTK_WIDGET (dialog), screen);
  show_at (dialog, width, height);
  stp_test_save_picture (dialog, name);
  gtk_window_destroy (dialog);
}

static void
check_dialogs (Fixture *fixture,
               int      width,
               int      height)
{
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *shortcuts;

  check_dialog (GTK_WINDOW (stp_import_dialog_new (fixture->db.store, fixture->db.session)),
                "import-dialog", width, height);
  check_dialog (GTK_WINDOW (stp_restore_dialog_new (fixture->db.store, fixture->db.session)),
                "restore-dialog", width, height);
  builder = gtk_builder_new_from_resource ("/org/stupeni/Stupeni/shortcuts.ui");
  shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  check_dialog (shortcuts, "shortcuts", width, height);
}

static void
test_dialogs (Fixture       *fixture,
              gconstpointer  data)
{
  check_dialogs (fixture, SMALL_WIDTH, SMALL_HEIGHT);
  check_dialogs (fixture, 1280, 1024);
}

/* Admits @count residents with long names, a stage and a responsible
 * specialist, so that every column of the residents list has text. */
static void
admit_residents (Fixture *fixture,
                 guint    count)
{
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GError) error = NULL;

  programs = stp_store_list (fixture->db.store, fixture->db.session, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(StpResident) resident = stp_resident_new ();
      g_autoptr(StpEpisode) episode = stp_episode_new ();

      resident->surname = g_strdup_printf ("Преображенский-Водопьянов%u", i);
      resident->name = g_strdup ("Максимилиан");
      resident->patronymic = g_strdup ("Святославович");
      resident->birth_date = g_strdup ("1979-03-02");
      resident->sex = STP_SEX_MALE;
      resident->file_number = g_strdup_printf ("2026-П-%04u", i);
      g_assert_true (stp_store_save_resident (fixture->db.store, fixture->db.session, resident, &error));
      g_assert_no_error (error);
      episode->resident_id = g_strdup (resident->meta.id);
      episode->program_id = g_strdup (((StpProgram *) g_ptr_array_index (programs, 0))->meta.id);
      episode->admitted_on = g_strdup ("2026-01-15");
      episode->referral_source = STP_REFERRAL_SOURCE_RELATIVES;
      episode->payment_source = STP_PAYMENT_FREE;
      episode->responsible_user_id = g_strdup (stp_session_get_user_id (fixture->db.session));
      stp_store_admit (fixture->db.store, fixture->db.session, episode, &error);
      g_assert_no_error (error);
    }
}

/* The residents list shows every column without scrolling sideways. */
static void
check_residents_columns (Fixture *fixture,
                         int      width,
                         int      height)
{
  g_autofree char *name = picture_name ("residents-columns", width, height);
  StpWindow *window = stp_window_new (NULL, fixture->db.store, fixture->db.session);
  GtkWidget *column_view;
  GtkWidget *scrolled;
  GtkAdjustment *adjustment;

  show_at (GTK_WINDOW (window), width, height);
  g_assert_true (stp_window_show_page (window, "residents"));
  stp_test_wait_for_residents (GTK_WINDOW (window));
  stp_test_wait (300);
  column_view = stp_test_get (GTK_WIDGET (window), "residents");
  g_assert_cmpuint (g_list_model_get_n_items (stp_residents_page_get_model (stp_test_residents_page (GTK_WINDOW (window)))),
                    ==, 12);
  scrolled = gtk_widget_get_ancestor (column_view, GTK_TYPE_SCROLLED_WINDOW);
  adjustment = gtk_scrolled_window_get_hadjustment (GTK_SCROLLED_WINDOW (scrolled));
  g_test_message ("residents list at %d×%d: %d px wide, columns need %.0f px",
                  width, height, gtk_widget_get_width (scrolled), gtk_adjustment_get_upper (adjustment));
  stp_test_save_picture (GTK_WINDOW (window), name);
  g_assert_cmpfloat (gtk_adjustment_get_upper (adjustment), <=, gtk_adjustment_get_page_size (adjustment) + 0.5);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_residents_columns (Fixture       *fixture,
                        gconstpointer  data)
{
  admit_residents (fixture, 12);
  check_residents_columns (fixture, SMALL_WIDTH, SMALL_HEIGHT);
  check_residents_columns (fixture, 1280, 1024);
}

static void
test_small_screen (Fixture       *fixture,
                   gconstpointer  data)
{
  check_card (fixture, SMALL_WIDTH, SMALL_HEIGHT);
  check_main_window (fixture, SMALL_WIDTH, SMALL_HEIGHT);
  check_login (fixture, SMALL_WIDTH, SMALL_HEIGHT);
  check_first_run (SMALL_WIDTH, SMALL_HEIGHT);
}

static void
test_big_screen (Fixture       *fixture,
                 gconstpointer  data)
{
  check_card (fixture, 1280, 1024);
  check_main_window (fixture, 1280, 1024);
  check_login (fixture, 1280, 1024);
  check_first_run (1280, 1024);
}

int
main (int    argc,
      char **argv)
{
  card_test_init (&argc, &argv);

  g_test_add ("/fit/small-screen", Fixture, NULL, fixture_set_up, test_small_screen, fixture_tear_down);
  g_test_add ("/fit/big-screen", Fixture, NULL, fixture_set_up, test_big_screen, fixture_tear_down);
  g_test_add ("/fit/dialogs", Fixture, NULL, fixture_set_up, test_dialogs, fixture_tear_down);
  g_test_add ("/fit/residents-columns", Fixture, NULL, fixture_set_up, test_residents_columns, fixture_tear_down);

  return card_test_finish (g_test_run ());
}
