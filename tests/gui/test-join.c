/* A second computer joins a center that already syncs, from the first-run
 * window: a wrong passphrase is refused with nothing written, then the
 * right one brings the center's data (from the snapshot the first
 * computer sent) and its users, and the director logs in with the usual
 * password.  A real stupeni-server (SQLite) on loopback.
 * Arguments: --tap SERVER_BINARY */
#include "config.h"

#include <glib/gi18n.h>

#include "stp-gui-test-helpers.h"
#include "sync-harness.h"
#include "stp-first-run-window.h"

#define PASSPHRASE "пароль центра"
#define DIRECTOR_PASSWORD "пароль директора"

static const char *server_binary;

static void
on_joined (GtkWidget *window,
           gboolean  *flag)
{
  *flag = TRUE;
}

static gboolean
status_shows_error (gpointer data)
{
  GtkWidget *label = data;

  return gtk_widget_get_visible (label) && gtk_widget_has_css_class (label, "error");
}

static void
set_text (GtkWidget  *window,
          const char *name,
          const char *text)
{
  GtkWidget *row = stp_test_find_widget (window, name);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
test_join (void)
{
  Server server = { "sqlite" };
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) a = NULL;
  g_autoptr(StpStore) b = NULL;
  g_autoptr(StpSession) director = NULL;
  g_autoptr(StpSession) login = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autofree char *dir = NULL;
  g_autofree char *pa = NULL, *pb = NULL;
  g_autofree char *center_id = NULL, *code = NULL, *code2 = NULL;
  StpSyncEngine *ea, *eb;
  StpFirstRunWindow *window;
  GtkWidget *status, *button;
  gboolean joined = FALSE;

  if (!h_server_start_two (&server, server_binary, "stupeni-join-XXXXXX", &dir, &pa, &pb))
    return;

  /* The center's first computer: a director, 200 residents, synced, and
   * a snapshot sent. */
  a = stp_store_open (pa, &error);
  g_assert_no_error (error);
  center->name = g_strdup ("Центр «Ступени»");
  director = stp_store_create_center (a, center, "director", "Иванова Анна Петровна",
                                      DIRECTOR_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_true (stp_store_begin (a, &error));
  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *row = g_strdup_printf ("01890000-0000-7000-8004-%012u", i);
      g_autofree char *surname = g_strdup_printf ("Подключаев-%u", i);

      g_assert_true (stp_store_write_field (a, "residents", row, "surname", surname, &error));
      g_assert_true (stp_store_write_field (a, "residents", row, "name", "Олег", &error));
    }
  g_assert_true (stp_store_commit (a, &error));
  ea = stp_sync_engine_get_for_store (a);
  stp_sync_engine_set_snapshot_min_bytes (ea, 1);
  center_id = h_new_center (&server, &code);
  g_assert_true (h_enroll (ea, &server, code, PASSPHRASE, &error));
  g_assert_no_error (error);
  g_assert_true (h_sync (ea, &error));
  g_assert_no_error (error);

  /* The new computer: an empty file, the first-run window. */
  b = stp_store_open (pb, &error);
  g_assert_no_error (error);
  g_assert_true (stp_store_is_empty (b));
  eb = stp_sync_engine_get_for_store (b);
  stp_sync_engine_set_fast_kdf (eb, TRUE);
  window = stp_first_run_window_new (NULL, b);
  g_signal_connect (window, "joined", G_CALLBACK (on_joined), &joined);
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 1000);
  stp_test_show (GTK_WINDOW (window));
  status = stp_test_find_widget (GTK_WIDGET (window), "join-status");
  button = stp_test_find_widget (GTK_WIDGET (window), "join-button");
  g_assert_nonnull (status);
  g_assert_nonnull (button);

  /* Nothing typed: told what is missing. */
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (status_shows_error (status));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==,
                   _("Enter the server address, the enrollment code and the center passphrase"));

  /* A mistyped fingerprint: said plainly, nothing sent. */
  set_text (GTK_WIDGET (window), "join-url", server.url);
  set_text (GTK_WIDGET (window), "join-code", "XXXX-XXXX");
  set_text (GTK_WIDGET (window), "join-passphrase", PASSPHRASE);
  set_text (GTK_WIDGET (window), "join-fingerprint", "95:F5:0D:1G");
  g_signal_emit_by_name (button, "clicked");
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

    while (!status_shows_error (status) && g_get_monotonic_time () < deadline)
      stp_test_wait (20);
  }
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (status)), ==,
                   _("The certificate fingerprint must be 64 hexadecimal digits "
                     "(in pairs, separated by “:”), as the server printed it"));
  g_assert_false (stp_sync_engine_is_enrolled (eb));

  code2 = h_new_code (&server, center_id);
  set_text (GTK_WIDGET (window), "join-url", server.url);
  set_text (GTK_WIDGET (window), "join-code", code2);
  set_text (GTK_WIDGET (window), "join-fingerprint", server.fingerprint);
  set_text (GTK_WIDGET (window), "join-passphrase", "не тот пароль");
  g_signal_emit_by_name (button, "clicked");
  {
    gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

    while (!status_shows_error (status) && g_get_monotonic_time () < deadline)
      stp_test_wait (20);
  }
  g_assert_true (status_shows_error (status));
  g_assert_false (stp_sync_engine_is_enrolled (eb));
  g_assert_true (stp_store_is_empty (b));
  stp_test_save_picture (GTK_WINDOW (window), "join-wrong-passphrase.png");

  /* The right passphrase; the same code (it was not used up). */
  set_text (GTK_WIDGET (window), "join-passphrase", PASSPHRASE);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (stp_test_wait_for (&joined, 60000));
  g_assert_false (stp_store_is_empty (b));
  g_assert_cmpint (h_count (b, "SELECT count(*) FROM residents"), ==, 200);
  g_assert_cmpint (h_count (b, "SELECT count(*) FROM audit_events "
                               "WHERE detail LIKE '%started from a snapshot%'"), ==, 1);
  login = stp_store_login (b, "director", DIRECTOR_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (login);
  g_assert_cmpstr (stp_store_get_device_id (b), !=, stp_store_get_device_id (a));

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&b);
  g_clear_object (&a);
  h_server_destroy (&server);
  stp_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  server_binary = stp_test_gui_init_server (&argc, &argv);
  g_test_add_func ("/gui/join-center", test_join);
  return g_test_run ();
}
