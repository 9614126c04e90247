/* «Обмен через файл» in the settings, driven like a user: one computer
 * writes a file, another reads it, a damaged file is refused in Russian.
 * A real stupeni-server (SQLite) on loopback enrolls the two computers;
 * the files then go without it.  Arguments: --tap SERVER_BINARY */
#include "config.h"

#include "stp-gui-test-helpers.h"
#include "sync-harness.h"
#include "stp-exchange-group.h"

#define PASSPHRASE "пароль центра"

static char *server_binary;

static void
wait_idle (StpExchangeGroup *group)
{
  gint64 end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!stp_exchange_group_is_idle (group) && g_get_monotonic_time () < end)
    stp_test_wait (20);
  g_assert_true (stp_exchange_group_is_idle (group));
}

static GtkWindow *
group_window (StpStore          *store,
              StpExchangeGroup **out_group)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = stp_exchange_group_new (store, NULL);

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_set_default_size (GTK_WINDOW (window), 720, 420);
  stp_test_show (GTK_WINDOW (window));
  *out_group = STP_EXCHANGE_GROUP (group);
  return GTK_WINDOW (window);
}

static const char *
status_text (GtkWindow *window)
{
  return gtk_label_get_text (GTK_LABEL (stp_test_get (GTK_WIDGET (window), "exchange-status")));
}

static void
test_exchange_gui (void)
{
  static Server server = { "sqlite" };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *code = NULL, *center = NULL, *file = NULL, *bad = NULL;
  g_autofree char *path_a = NULL, *path_b = NULL, *contents = NULL;
  g_autoptr(StpStore) a = NULL;
  g_autoptr(StpStore) b = NULL;
  StpExchangeGroup *ga, *gb;
  GtkWindow *wa, *wb;
  gsize len = 0;
  const char *row = "01890000-0000-7000-8000-0000000000f1";

  g_assert_true (h_server_start (&server, server_binary, 1024 * 1024));
  dir = g_dir_make_tmp ("stupeni-exchange-gui-XXXXXX", &error);
  g_assert_no_error (error);
  center = h_new_center (&server, &code);
  path_a = g_build_filename (dir, "a.db", NULL);
  path_b = g_build_filename (dir, "b.db", NULL);
  a = stp_store_open (path_a, &error);
  g_assert_no_error (error);
  b = stp_store_open (path_b, &error);
  g_assert_no_error (error);
  /* The window's engine is the store's: enroll it. */
  g_assert_true (h_enroll (stp_sync_engine_get_for_store (a), &server, code, PASSPHRASE, &error));
  g_clear_pointer (&code, g_free);
  code = h_new_code (&server, center);
  g_assert_true (h_enroll (stp_sync_engine_get_for_store (b), &server, code, PASSPHRASE, &error));
  g_assert_no_error (error);
  h_write (a, "residents", row, "surname", "Флешкин");
  h_write (a, "residents", row, "phone", "8-900-000-00-00");

  wa = group_window (a, &ga);
  wb = group_window (b, &gb);
  g_assert_true (gtk_widget_is_sensitive (stp_test_get (GTK_WIDGET (wa), "exchange-write")));

  file = g_build_filename (dir, "na-fleshke", NULL);
  stp_exchange_group_write_file (ga, file);
  wait_idle (ga);
  g_test_message ("written: %s", status_text (wa));
  g_assert_nonnull (strstr (status_text (wa), "2 изменения"));
  g_clear_pointer (&file, g_free);
  file = g_build_filename (dir, "na-fleshke.stupeni-obmen", NULL);
  g_assert_true (g_file_test (file, G_FILE_TEST_EXISTS));
  stp_test_save_picture (wa, "exchange-written.png");

  stp_exchange_group_read_file (gb, file);
  wait_idle (gb);
  g_test_message ("read: %s", status_text (wb));
  g_assert_nonnull (strstr (status_text (wb), "2 изменения"));
  {
    g_autofree char *surname = h_read (b, "residents", row, "surname");
    g_assert_cmpstr (surname, ==, "Флешкин");
  }

  /* Cut short on the way: refused, in Russian, nothing applied. */
  g_assert_true (g_file_get_contents (file, &contents, &len, &error));
  bad = g_build_filename (dir, "cut.stupeni-obmen", NULL);
  g_assert_true (g_file_set_contents (bad, contents, (gssize) (len / 2), &error));
  h_write (a, "residents", row, "phone", "новый");
  stp_exchange_group_read_file (gb, bad);
  wait_idle (gb);
  g_test_message ("refused: %s", status_text (wb));
  g_assert_nonnull (strstr (status_text (wb), "повреждён"));
  stp_test_save_picture (wb, "exchange-refused.png");

  gtk_window_destroy (wa);
  gtk_window_destroy (wb);
  g_clear_object (&a);
  g_clear_object (&b);
  h_server_destroy (&server);
  h_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc < 2)
    {
      g_printerr ("usage: %s [--tap] STUPENI_SERVER\n", argv[0]);
      return 2;
    }
  stp_test_gui_init (&argc, &argv);
  server_binary = argv[argc - 1];
  g_test_add_func ("/sync-gui/exchange-file", test_exchange_gui);
  return g_test_run ();
}
