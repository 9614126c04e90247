/* GUI of sync, driven like a user: enroll through the settings page, watch
 * the header-bar status, press «Synchronize Now», resolve a conflict on the
 * conflicts page.  A real stupeni-server (SQLite) on loopback.
 * Arguments: --tap SERVER_BINARY */
#include "config.h"

#include <adwaita.h>

#include "sync-harness.h"
#include "stp-sync-page.h"
#include "stp-sync-status.h"
#include "stp-conflicts-page.h"

#define PASSPHRASE "пароль центра"

static char *server_binary;

static gboolean
engine_idle (gpointer data)
{
  StpSyncEngine *engine = data;

  return stp_sync_engine_get_state (engine) != STP_SYNC_STATE_SYNCING;
}

static gboolean
engine_enrolled_idle (gpointer data)
{
  return stp_sync_engine_is_enrolled (data) && engine_idle (data);
}

static gboolean
wait_until (gboolean (*cond) (gpointer),
            gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        return FALSE;
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return TRUE;
}

static GtkWidget *
find_button (GtkWidget  *root,
             const char *label)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (child)), label) == 0)
        return child;
      if ((found = find_button (child, label)) != NULL)
        return found;
    }
  return NULL;
}

static void
set_row_text (GtkWidget  *page,
              const char *name,
              const char *text)
{
  GObject *row = gtk_widget_get_template_child (page, STP_TYPE_SYNC_PAGE, name);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/* The header-bar text each time the received count changes. */
static void
record_status_text (StpSyncEngine *engine,
                    GParamSpec    *pspec,
                    gpointer       user_data)
{
  GPtrArray *texts = g_object_get_data (G_OBJECT (user_data), "texts");

  g_ptr_array_add (texts, g_strdup (stp_sync_status_get_text (STP_SYNC_STATUS (user_data))));
}

static void
test_sync_gui (void)
{
  Server server = { "sqlite" };
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) session = stp_session_new_system ();
  g_autofree char *dir = NULL;
  g_autofree char *pa = NULL, *pb = NULL;
  g_autofree char *code = NULL, *center = NULL, *code2 = NULL;
  g_autofree char *value = NULL;
  g_autoptr(StpStore) a = NULL;
  g_autoptr(StpStore) b = NULL;
  g_autoptr(StpSyncEngine) eb = NULL;
  StpSyncEngine *ea;
  GtkWidget *window, *box, *page, *status, *conflicts, *button;
  const char *row_id = "01890000-0000-7000-8000-00000000c0de";

  if (!h_server_start (&server, server_binary, 65536))
    {
      g_test_skip ("the server cannot start here");
      return;
    }
  dir = g_dir_make_tmp ("stupeni-sync-gui-XXXXXX", &error);
  g_assert_no_error (error);
  pa = g_build_filename (dir, "a.db", NULL);
  pb = g_build_filename (dir, "b.db", NULL);
  a = stp_store_open (pa, &error);
  g_assert_no_error (error);
  center = h_new_center (&server, &code);

  ea = stp_sync_engine_get_for_store (a);
  stp_sync_engine_set_fast_kdf (ea, TRUE);
  window = gtk_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  status = stp_sync_status_new (a);
  page = stp_sync_page_new (a, session);
  gtk_box_append (GTK_BOX (box), status);
  gtk_box_append (GTK_BOX (box), page);
  /* As in the program: inside a scrolled, width-limited area. */
  {
    GtkWidget *scrolled = gtk_scrolled_window_new ();
    GtkWidget *clamp = adw_clamp_new ();

    gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
    adw_clamp_set_child (ADW_CLAMP (clamp), box);
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
    gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
    gtk_window_set_child (GTK_WINDOW (window), scrolled);
  }
  gtk_window_present (GTK_WINDOW (window));
  /* Not enrolled: no status in the header bar. */
  g_assert_false (gtk_widget_get_visible (status));

  /* Enroll through the form. */
  set_row_text (page, "url_row", server.url);
  set_row_text (page, "code_row", code);
  set_row_text (page, "passphrase_row", PASSPHRASE);
  /* The first computer: the passphrase twice, and written down. */
  set_row_text (page, "passphrase_repeat_row", PASSPHRASE);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (gtk_widget_get_template_child (page, STP_TYPE_SYNC_PAGE,
                                                                                  "written_down_check")),
                               TRUE);
  set_row_text (page, "fingerprint_row", server.fingerprint);
  button = find_button (page, "Connect");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (wait_until (engine_enrolled_idle, ea));
  g_assert_true (wait_until (engine_idle, ea));
  g_assert_true (gtk_widget_get_visible (status));
  g_assert_cmpstr (stp_sync_status_get_text (STP_SYNC_STATUS (status)), ==, "Synchronized");
  g_assert_cmpint (stp_sync_engine_get_state (ea), ==, STP_SYNC_STATE_IDLE);
  /* The settings hold the enrollment; the form is gone. */
  value = stp_store_get_setting (a, "sync.center");
  g_assert_cmpstr (value, ==, center);
  g_assert_false (gtk_widget_get_visible (find_button (page, "Connect")));

  /* A local edit shows as waiting; «Synchronize Now» sends it. */
  h_write (a, "residents", row_id, "surname", "Гуев");
  stp_sync_engine_refresh_pending (ea);
  g_assert_cmpstr (stp_sync_status_get_text (STP_SYNC_STATUS (status)), ==, "1 change waiting to be sent");
  button = find_button (page, "Synchronize Now");
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (wait_until (engine_idle, ea));
  g_assert_cmpuint (stp_sync_store_count_pending (a), ==, 0);
  g_assert_cmpstr (stp_sync_status_get_text (STP_SYNC_STATUS (status)), ==, "Synchronized");

  {
    guint sent = 99, received = 99;

    stp_sync_engine_get_progress (ea, &sent, &received);
    g_assert_cmpuint (sent, ==, 1);
    g_assert_cmpuint (received, ==, 0);
  }

  /* A parked batch (one this version could not read; here one that will
   * never read) is shown after the next run, which tries it again. */
  g_assert_true (stp_sync_store_park_batch (a, 999999, "d-newer", "key-x", "{\"v\":99}",
                                            "newer", NULL, 0, &error));
  g_assert_no_error (error);
  stp_sync_engine_sync_now (ea);
  g_assert_true (wait_until (engine_idle, ea));
  g_assert_cmpuint (stp_sync_engine_get_parked_batches (ea), ==, 1);
  g_assert_cmpstr (stp_sync_status_get_text (STP_SYNC_STATUS (status)), ==,
                   "Batches from other computers not read: 1 — they are kept and will be applied "
                   "after the program is updated");
  g_assert_true (stp_store_exec (a, "DELETE FROM parked_batches", &error));
  g_assert_no_error (error);

  /* A second device edits the same field as A: a conflict on A. */
  b = stp_store_open (pb, &error);
  g_assert_no_error (error);
  eb = stp_sync_engine_new (b);
  code2 = h_new_code (&server, center);
  h_enroll (eb, &server, code2, PASSPHRASE, &error);
  g_assert_no_error (error);
  h_sync (eb, &error);
  g_assert_no_error (error);
  h_write (b, "residents", row_id, "phone", "222");
  h_write (a, "residents", row_id, "phone", "111");
  h_sync (eb, &error);
  g_assert_no_error (error);
  /* While it runs, the header bar counts the changes each way. */
  g_object_set_data_full (G_OBJECT (status), "texts",
                          g_ptr_array_new_with_free_func (g_free), (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (ea, "notify::received", G_CALLBACK (record_status_text), status);
  stp_sync_engine_sync_now (ea);
  g_assert_true (wait_until (engine_idle, ea));
  g_signal_handlers_disconnect_by_func (ea, record_status_text, status);
  g_assert_cmpuint (stp_sync_store_count_conflicts (a), ==, 1);
  {
    GPtrArray *texts = g_object_get_data (G_OBJECT (status), "texts");
    guint sent = 0, received = 0;

    stp_sync_engine_get_progress (ea, &sent, &received);
    g_assert_cmpuint (sent, ==, 1);
    g_assert_cmpuint (received, ==, 1);
    /* The count rose while the sync still ran. */
    g_assert_cmpuint (texts->len, ==, 1);
    g_assert_cmpstr (g_ptr_array_index (texts, 0), ==, "Synchronizing… ↑1 ↓1");
  }

  conflicts = stp_conflicts_page_new (a, session);
  gtk_box_append (GTK_BOX (box), conflicts);
  stp_conflicts_page_reload (STP_CONFLICTS_PAGE (conflicts));
  button = find_button (conflicts, "Restore Other Value");
  g_assert_nonnull (button);
  {
    g_autofree char *before = h_read (a, "residents", row_id, "phone");
    g_autofree char *after = NULL;

    g_signal_emit_by_name (button, "clicked");
    g_assert_cmpuint (stp_sync_store_count_conflicts (a), ==, 0);
    after = h_read (a, "residents", row_id, "phone");
    g_assert_cmpstr (after, !=, before);
    /* The choice syncs to B. */
    stp_sync_engine_sync_now (ea);
    g_assert_true (wait_until (engine_idle, ea));
    h_sync (eb, &error);
    g_assert_no_error (error);
    g_clear_pointer (&before, g_free);
    before = h_read (b, "residents", row_id, "phone");
    g_assert_cmpstr (before, ==, after);
  }
  g_assert_null (find_button (conflicts, "Restore Other Value"));

  gtk_window_destroy (GTK_WINDOW (window));
  h_server_destroy (&server);
  h_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    {
      g_printerr ("usage: %s [--tap] STUPENI_SERVER\n", argv[0]);
      return 2;
    }
  server_binary = argv[1];
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  adw_init ();
  g_test_add_func ("/sync-gui/enroll-status-conflicts", test_sync_gui);
  return g_test_run ();
}
