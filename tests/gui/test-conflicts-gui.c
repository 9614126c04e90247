/* Issue 12, item 9: a conflict resolved on one computer shows as resolved
 * on the other's «Конфликты» page once the choice has synced, with nothing
 * left to flip back.  Two database files, a real stupeni-server (SQLite)
 * on loopback with TLS; pictures at 1024×600, light and dark.
 * Arguments: --tap SERVER_BINARY */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "stp-gui-test-helpers.h"
#include "sync-harness.h"
#include "stp-conflicts-page.h"
#include "stp-sync-store.h"

#define PASSPHRASE "пароль центра"

static const char *server_binary;
static const char *R1 = "01890000-0000-7000-8000-00000000c0fe";

static GtkWindow *
page_window (StpStore   *store,
             StpSession *session,
             GtkWidget **page_out)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = stp_conflicts_page_new (store, session);

  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 600);
  gtk_window_set_child (GTK_WINDOW (window), page);
  stp_test_show (GTK_WINDOW (window));
  *page_out = page;
  return GTK_WINDOW (window);
}

static void
sync_ok (StpStore *store)
{
  g_autoptr(GError) error = NULL;

  h_sync (stp_sync_engine_get_for_store (store), &error);
  g_assert_no_error (error);
}

static void
test_resolved_elsewhere (void)
{
  Server server = { "sqlite" };
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) session = stp_session_new_system ();
  g_autoptr(StpStore) a = NULL;
  g_autoptr(StpStore) b = NULL;
  g_autofree char *dir = NULL, *pa = NULL, *pb = NULL;
  g_autofree char *center = NULL, *code = NULL, *code2 = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();
  GtkWindow *wa, *wb;
  GtkWidget *page_a, *page_b, *label;

  if (!h_server_start_two (&server, server_binary, "stupeni-conflicts-gui-XXXXXX", &dir, &pa, &pb))
    return;
  a = stp_store_open (pa, &error);
  g_assert_no_error (error);
  b = stp_store_open (pb, &error);
  g_assert_no_error (error);
  center = h_new_center (&server, &code);
  h_enroll (stp_sync_engine_get_for_store (a), &server, code, PASSPHRASE, &error);
  g_assert_no_error (error);
  code2 = h_new_code (&server, center);
  h_enroll (stp_sync_engine_get_for_store (b), &server, code2, PASSPHRASE, &error);
  g_assert_no_error (error);

  h_write (a, "residents", R1, "surname", "Кузнецов");
  h_write (a, "residents", R1, "name", "Павел");
  sync_ok (a);
  sync_ok (b);
  /* Both computers change the phone before they synchronize. */
  h_write (a, "residents", R1, "phone", "+7 900 111-11-11");
  h_write (b, "residents", R1, "phone", "+7 900 222-22-22");
  sync_ok (a);
  sync_ok (b);
  sync_ok (a);
  g_assert_cmpuint (stp_sync_store_count_conflicts (a), ==, 1);
  g_assert_cmpuint (stp_sync_store_count_conflicts (b), ==, 1);

  wa = page_window (a, session, &page_a);
  wb = page_window (b, session, &page_b);
  g_assert_nonnull (stp_test_find_widget (page_b, "keep-winner"));
  stp_test_save_picture (wb, "conflicts-open-1024.png");

  /* A keeps the value in effect. */
  stp_test_click (page_a, "keep-winner");
  g_assert_cmpuint (stp_sync_store_count_conflicts (a), ==, 0);
  g_assert_null (stp_test_find_widget (page_a, "keep-winner"));
  label = stp_test_get (page_a, "conflict-resolved");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "system"));

  /* B still offers the choice until the choice arrives… */
  g_assert_nonnull (stp_test_find_widget (page_b, "keep-winner"));
  sync_ok (a);
  sync_ok (b);
  stp_test_iterate ();
  /* …then shows it made elsewhere, with the value now and no buttons. */
  g_assert_cmpuint (stp_sync_store_count_conflicts (b), ==, 0);
  g_assert_null (stp_test_find_widget (page_b, "keep-winner"));
  g_assert_null (stp_test_find_widget (page_b, "keep-loser"));
  label = stp_test_get (page_b, "conflict-resolved");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "на другом компьютере"));
  label = stp_test_get (page_b, "conflict-value-now");
  g_assert_nonnull (strstr (gtk_label_get_label (GTK_LABEL (label)), "+7 900 222-22-22"));
  g_assert_null (stp_test_find_label (page_b, "Действует:"));
  stp_test_save_picture (wb, "conflicts-resolved-elsewhere-1024.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  stp_test_save_picture (wb, "conflicts-resolved-elsewhere-1024-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);

  gtk_window_destroy (wa);
  gtk_window_destroy (wb);
  stp_test_iterate ();
  g_clear_object (&a);
  g_clear_object (&b);
  h_server_destroy (&server);
  stp_test_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  server_binary = stp_test_gui_init_server (&argc, &argv);
  g_test_add_func ("/gui/conflicts/resolved-elsewhere", test_resolved_elsewhere);
  return g_test_run ();
}
