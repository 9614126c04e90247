/* test-backup-gui.c: «Резервные копии» in the settings, the header-bar
 * warning, and restoring through the real dialog, from the settings and
 * from the first-run window. */
#include "config.h"

#include <glib/gstdio.h>

#include "stp-gui-test-helpers.h"
#include "stp-test-store.h"
#include "stp-backup.h"
#include "stp-backup-group.h"
#include "stp-backup-status.h"
#include "stp-first-run-window.h"
#include "stp-restore-dialog.h"
#include "stp-quit-backup.h"
#include "stp-settings-page.h"
#include "stp-window.h"
#include "stp-store-private.h"

#define PASSWORD "пароль-копий-1"

typedef struct
{
  StpStore   *store;
  StpSession *director;
  char       *folder;
} Center;

static void
center_init (Center *c,
             guint   n_residents)
{
  g_autoptr(GError) error = NULL;

  c->store = stp_test_store_new ();
  c->director = stp_test_create_center (c->store, "Центр «Рассвет»", "Хабаровский край");
  for (guint i = 0; i < n_residents; i++)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      r->surname = g_strdup_printf ("Кузнецов-%u", i);
      r->name = g_strdup ("Пётр");
      r->birth_date = g_strdup ("1988-04-02");
      r->sex = STP_SEX_MALE;
      g_assert_true (stp_store_save_resident (c->store, c->director, r, &error));
      g_assert_no_error (error);
    }
  c->folder = g_dir_make_tmp ("stupeni-copies-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
center_clear (Center *c)
{
  stp_test_remove_tree (c->folder);
  g_free (c->folder);
  g_clear_object (&c->director);
  g_clear_object (&c->store);
}

static const char *
label_text (GtkWidget  *root,
            const char *name)
{
  GtkWidget *widget = stp_test_find_widget (root, name);

  g_assert_nonnull (widget);
  return gtk_label_get_text (GTK_LABEL (widget));
}

static const char *
row_subtitle (GtkWidget  *root,
              const char *name)
{
  GtkWidget *widget = stp_test_find_widget (root, name);

  g_assert_nonnull (widget);
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (widget));
}

/* Waits until the labelled widget is visible. */
static gboolean
wait_visible (GtkWidget  *root,
              const char *name,
              guint       timeout_ms)
{
  GtkWidget *widget = stp_test_find_widget (root, name);
  gint64 end = g_get_monotonic_time () + timeout_ms * 1000;

  g_assert_nonnull (widget);
  while (!gtk_widget_get_visible (widget) && g_get_monotonic_time () < end)
    stp_test_wait (50);
  return gtk_widget_get_visible (widget);
}

static void
on_flag (gpointer  instance,
         gboolean *flag)
{
  *flag = TRUE;
}

static void
on_action_flag (GSimpleAction *action,
                GVariant      *parameter,
                gboolean      *flag)
{
  *flag = TRUE;
}

/* A window holding the backup group alone, as the settings page shows it. */
static GtkWindow *
group_window (Center *c)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *overlay = adw_toast_overlay_new ();
  GtkWidget *page = adw_preferences_page_new ();

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page),
                            ADW_PREFERENCES_GROUP (stp_backup_group_new (c->store, c->director)));
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), page);
  adw_window_set_content (ADW_WINDOW (window), overlay);
  gtk_window_set_default_size (GTK_WINDOW (window), 760, 860);
  stp_test_show (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

/* The settings group: folder, password twice, a copy now with progress;
 * then the warning when the copy grows old or the folder goes away. */
static void
test_settings_group (void)
{
  Center c = { 0 };
  GtkWindow *window;
  GtkWidget *root;
  g_autoptr(StpSettingsPage) page = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint copies = 0;
  gint64 last = 0;

  center_init (&c, 12);

  /* The real settings page carries the group. */
  page = g_object_ref_sink (stp_settings_page_new (c.store, c.director, NULL));
  g_assert_nonnull (stp_test_find_widget (GTK_WIDGET (page), "backup-now"));

  window = group_window (&c);
  root = GTK_WIDGET (window);
  g_assert_false (gtk_widget_is_sensitive (stp_test_find_widget (root, "backup-now")));
  g_assert_nonnull (strstr (row_subtitle (root, "backup-status"), "Не настроено"));

  /* A folder that does not exist is refused. */
  stp_test_set_text (root, "backup-folder", "/no/such/folder");
  g_signal_emit_by_name (stp_test_find_widget (root, "backup-folder"), "apply");
  g_assert_nonnull (strstr (label_text (root, "backup-message"), "не существует"));
  g_assert_null (stp_backup_get_folder (c.store));
  stp_test_set_text (root, "backup-folder", c.folder);
  g_signal_emit_by_name (stp_test_find_widget (root, "backup-folder"), "apply");
  {
    g_autofree char *folder = stp_backup_get_folder (c.store);
    g_assert_cmpstr (folder, ==, c.folder);
  }

  /* Two different passwords are refused. */
  stp_test_set_text (root, "backup-password", PASSWORD);
  stp_test_set_text (root, "backup-password-repeat", "другой-пароль");
  stp_test_click (root, "backup-save-password");
  g_assert_nonnull (strstr (label_text (root, "backup-message"), "различаются"));
  g_assert_null (stp_backup_get_key (c.store));
  stp_test_set_text (root, "backup-password-repeat", PASSWORD);
  stp_test_click (root, "backup-save-password");
  {
    g_autoptr(StpBackupKey) key = stp_backup_get_key (c.store);
    g_assert_nonnull (key);
  }
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (stp_test_find_widget (root, "backup-password"))), ==, "");

  /* «Создать копию сейчас». */
  stp_test_click (root, "backup-now");
  g_assert_true (gtk_widget_get_visible (stp_test_find_widget (root, "backup-progress")));
  for (guint i = 0; i < 400 && stp_backup_get_state (c.store, &last) != STP_BACKUP_STATE_OK; i++)
    stp_test_wait (50);
  g_assert_cmpint (stp_backup_get_state (c.store, NULL), ==, STP_BACKUP_STATE_OK);
  stp_test_wait (100);
  g_assert_false (gtk_widget_get_visible (stp_test_find_widget (root, "backup-progress")));
  g_assert_nonnull (strstr (label_text (root, "backup-message"), "проверена"));
  g_assert_false (strstr (row_subtitle (root, "backup-status"), "Не настроено"));
  dir = g_dir_open (c.folder, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, STP_BACKUP_SUFFIX))
      copies++;
  g_assert_cmpuint (copies, ==, 1);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM audit_events WHERE action = 'backup'"), >=, 2);
  stp_test_save_picture (window, "backup-settings.png");

  /* The header-bar warning: hidden now, shown for an old copy and for a
   * missing folder. */
  {
    GtkWidget *status = g_object_ref_sink (stp_backup_status_new (c.store));
    g_autoptr(GError) error = NULL;
    g_autofree char *old = g_strdup_printf ("%" G_GINT64_FORMAT,
                                            g_get_real_time () - (gint64) G_USEC_PER_SEC * 86400 * 8);

    g_assert_null (stp_backup_status_get_text (STP_BACKUP_STATUS (status)));
    g_assert_true (stp_store_set_setting (c.store, STP_BACKUP_SETTING_LAST_GOOD, old, &error));
    stp_backup_group_refresh (STP_BACKUP_GROUP (stp_test_find_widget (root, "backup-status") != NULL
                                                ? gtk_widget_get_ancestor (stp_test_find_widget (root, "backup-status"),
                                                                           STP_TYPE_BACKUP_GROUP)
                                                : NULL));
    g_assert_nonnull (strstr (row_subtitle (root, "backup-status"), "более 7 дней"));
    /* The check would start the daily copy: the folder goes away first. */
    {
      g_autofree char *moved = g_strconcat (c.folder, "-away", NULL);
      g_assert_cmpint (g_rename (c.folder, moved), ==, 0);
      stp_backup_status_check (STP_BACKUP_STATUS (status));
      g_assert_nonnull (stp_backup_status_get_text (STP_BACKUP_STATUS (status)));
      g_assert_nonnull (strstr (stp_backup_status_get_text (STP_BACKUP_STATUS (status)), "недоступна"));
      stp_backup_group_refresh (STP_BACKUP_GROUP (gtk_widget_get_ancestor (
        stp_test_find_widget (root, "backup-status"), STP_TYPE_BACKUP_GROUP)));
      g_assert_nonnull (strstr (row_subtitle (root, "backup-status"), "недоступна"));
      stp_test_save_picture (window, "backup-settings-warning.png");
      /* And in the main window's header bar. */
      {
        StpWindow *main_window = stp_window_new (NULL, c.store, c.director);
        GtkWidget *warning;

        gtk_window_set_default_size (GTK_WINDOW (main_window), 1100, 700);
        stp_test_show (GTK_WINDOW (main_window));
        warning = stp_test_find_widget (GTK_WIDGET (main_window), "backup-warning");
        g_assert_nonnull (warning);
        g_assert_true (gtk_widget_get_visible (warning));
        gtk_menu_button_popup (GTK_MENU_BUTTON (warning));
        stp_test_wait (300);
        stp_test_save_picture (GTK_WINDOW (main_window), "backup-warning-header.png");
        gtk_menu_button_popdown (GTK_MENU_BUTTON (warning));
        gtk_window_destroy (GTK_WINDOW (main_window));
      }
      g_assert_cmpint (g_rename (moved, c.folder), ==, 0);
    }
    /* Back, and a week old: the daily copy starts by itself. */
    stp_backup_status_check (STP_BACKUP_STATUS (status));
    for (guint i = 0; i < 400 && stp_backup_get_state (c.store, NULL) != STP_BACKUP_STATE_OK; i++)
      stp_test_wait (50);
    g_assert_cmpint (stp_backup_get_state (c.store, NULL), ==, STP_BACKUP_STATE_OK);
    stp_test_wait (100);
    g_assert_null (stp_backup_status_get_text (STP_BACKUP_STATUS (status)));
    g_object_unref (status);
  }

  gtk_window_destroy (window);
  center_clear (&c);
}

/* Restoring from the settings: a wrong password, then the preview, then
 * the data replaced. */
static void
test_restore_from_settings (void)
{
  Center c = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(StpBackupKey) key = NULL;
  g_autoptr(StpBackupInfo) info = NULL;
  GtkWindow *window;
  StpRestoreDialog *dialog;
  GtkWidget *droot;
  gboolean restored = FALSE;
  gboolean logged_out = FALSE;

  center_init (&c, 25);
  g_assert_true (stp_backup_set_password (c.store, c.director, PASSWORD, PASSWORD, &error));
  g_assert_true (stp_backup_set_folder (c.store, c.director, c.folder, &error));
  key = stp_backup_get_key (c.store);
  info = stp_backup_write (stp_store_get_path (c.store), key, c.folder, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  /* After the copy, 5 more residents. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      r->surname = g_strdup_printf ("Позже-%u", i);
      r->name = g_strdup ("Иван");
      g_assert_true (stp_store_save_resident (c.store, c.director, r, &error));
    }
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, 30);

  window = group_window (&c);
  /* The group asks the window to log out after a restore. */
  {
    GSimpleActionGroup *group = g_simple_action_group_new ();
    GSimpleAction *logout = g_simple_action_new ("logout", NULL);
    g_signal_connect (logout, "activate", G_CALLBACK (on_action_flag), &logged_out);
    g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (logout));
    gtk_widget_insert_action_group (GTK_WIDGET (window), "win", G_ACTION_GROUP (group));
    g_object_unref (logout);
    g_object_unref (group);
  }
  stp_test_click (GTK_WIDGET (window), "backup-restore");
  stp_test_wait (100);
  dialog = STP_RESTORE_DIALOG (stp_test_find_window (STP_TYPE_RESTORE_DIALOG));
  g_assert_nonnull (dialog);
  droot = GTK_WIDGET (dialog);
  g_signal_connect (dialog, "restored", G_CALLBACK (on_flag), &restored);
  stp_restore_dialog_set_file (dialog, info->path);

  stp_test_set_text (droot, "restore-password", "неверный-пароль");
  stp_test_click (droot, "restore-inspect");
  g_assert_true (wait_visible (droot, "restore-message", 20000));
  g_assert_nonnull (strstr (label_text (droot, "restore-message"), "Неверный пароль"));
  g_assert_false (gtk_widget_get_visible (stp_test_find_widget (droot, "restore-replace")));

  stp_test_set_text (droot, "restore-password", PASSWORD);
  stp_test_click (droot, "restore-inspect");
  g_assert_true (wait_visible (droot, "restore-replace", 20000));
  g_assert_cmpstr (row_subtitle (droot, "restore-center"), ==, "Центр «Рассвет»");
  g_assert_cmpstr (row_subtitle (droot, "restore-residents"), ==, "25");
  g_assert_true (gtk_widget_get_visible (stp_test_find_widget (droot, "restore-warning")));
  stp_test_save_picture (GTK_WINDOW (dialog), "restore-preview.png");
  /* Nothing was replaced by looking. */
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, 30);

  /* Clicked without running the loop: the small center is replaced
   * within a few rounds of it. */
  g_signal_emit_by_name (stp_test_get (droot, "restore-replace"), "clicked");
  /* Closing is refused while the data is being replaced. */
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_nonnull (STP_RESTORE_DIALOG (stp_test_find_window (STP_TYPE_RESTORE_DIALOG)));
  g_assert_true (stp_test_wait_for (&restored, 30000));
  g_assert_true (logged_out);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, 25);
  g_assert_cmpint (stp_test_count (c.store, "SELECT count(*) FROM audit_events WHERE action = 'restore'"), ==, 1);
  stp_test_wait (100);
  g_assert_null (STP_RESTORE_DIALOG (stp_test_find_window (STP_TYPE_RESTORE_DIALOG)));

  gtk_window_destroy (window);
  center_clear (&c);
}

/* A new computer: the first-run window restores a copy and goes on to
 * the login, as after joining. */
static void
test_restore_from_first_run (void)
{
  Center c = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(StpBackupKey) key = NULL;
  g_autoptr(StpBackupInfo) info = NULL;
  g_autoptr(StpStore) fresh = stp_test_store_new ();
  StpFirstRunWindow *window;
  StpRestoreDialog *dialog;
  GtkWidget *droot;
  gboolean joined = FALSE;

  center_init (&c, 7);
  g_assert_true (stp_backup_set_password (c.store, c.director, PASSWORD, PASSWORD, &error));
  key = stp_backup_get_key (c.store);
  info = stp_backup_write (stp_store_get_path (c.store), key, c.folder, 0, NULL, NULL, &error);
  g_assert_no_error (error);

  window = stp_first_run_window_new (NULL, fresh);
  g_signal_connect (window, "joined", G_CALLBACK (on_flag), &joined);
  stp_test_show (GTK_WINDOW (window));
  stp_test_click (GTK_WIDGET (window), "first-run-restore");
  stp_test_wait (100);
  dialog = STP_RESTORE_DIALOG (stp_test_find_window (STP_TYPE_RESTORE_DIALOG));
  g_assert_nonnull (dialog);
  droot = GTK_WIDGET (dialog);
  stp_restore_dialog_set_file (dialog, info->path);
  stp_test_set_text (droot, "restore-password", PASSWORD);
  stp_test_click (droot, "restore-inspect");
  g_assert_true (wait_visible (droot, "restore-replace", 20000));
  g_assert_cmpstr (row_subtitle (droot, "restore-residents"), ==, "7");
  stp_test_click (droot, "restore-replace");
  g_assert_true (stp_test_wait_for (&joined, 30000));
  g_assert_false (stp_store_is_empty (fresh));
  g_assert_cmpint (stp_test_count (fresh, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, 7);
  {
    g_autoptr(StpSession) s = stp_store_login (fresh, "director", "secret-1", &error);
    g_assert_no_error (error);
  }

  gtk_window_destroy (GTK_WINDOW (window));
  center_clear (&c);
}


static guint
count_copies (const char *folder,
              guint      *out_tmp)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0, tmp = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, STP_BACKUP_SUFFIX))
      n++;
    else
      tmp++;
  *out_tmp = tmp;
  return n;
}

/* The copy on quit shows its progress in a window of its own that keeps
 * the program running until the copy is made, then closes; «Выйти без
 * копии» stops it at once and leaves nothing behind.  Before, the copy was
 * made in the application's shutdown with no window at all. */
static void
test_quit_backup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkApplication) app = gtk_application_new ("org.stupeni.TestQuitBackup",
                                                       G_APPLICATION_NON_UNIQUE);
  StpQuitBackup *window;
  Center c;
  guint tmp = 0;
  gint64 end;

  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  center_init (&c, 30);
  g_assert_true (stp_backup_set_password (c.store, c.director, PASSWORD, PASSWORD, &error));
  g_assert_true (stp_backup_set_folder (c.store, c.director, c.folder, &error));
  g_assert_no_error (error);
  g_assert_true (stp_backup_is_due (c.store, FALSE));

  window = stp_quit_backup_start (app, c.store);
  g_assert_nonnull (window);
  g_assert_true (stp_quit_backup_start (app, c.store) == window);   /* one at a time */
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (stp_quit_backup_find (app) != NULL && g_get_monotonic_time () < end)
    stp_test_wait (50);
  g_assert_null (stp_quit_backup_find (app));
  g_assert_cmpuint (count_copies (c.folder, &tmp), ==, 1);
  g_assert_cmpuint (tmp, ==, 0);
  g_assert_false (stp_backup_is_due (c.store, FALSE));
  /* Nothing saved since: no window, no copy. */
  g_assert_null (stp_quit_backup_start (app, c.store));

  /* A big file (some 60 MB), skipped right away: no new copy, no
   * temporary file, and the copy is still due for the next start. */
  g_assert_cmpint (sqlite3_exec (stp_store_get_db (c.store),
                                 "CREATE TABLE filler (x BLOB);"
                                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) "
                                 "INSERT INTO filler SELECT randomblob(1024 * 1024) FROM n;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  {
    g_autoptr(StpResident) r = stp_resident_new ();

    r->surname = g_strdup ("Последний");
    r->name = g_strdup ("Пётр");
    r->birth_date = g_strdup ("1990-01-02");
    r->sex = STP_SEX_MALE;
    g_assert_true (stp_store_save_resident (c.store, c.director, r, &error));
    g_assert_no_error (error);
  }
  window = stp_quit_backup_start (app, c.store);
  g_assert_nonnull (window);
  g_object_ref (window);
  stp_test_iterate ();
  stp_test_save_picture (GTK_WINDOW (window), "backup-on-quit.png");
  stp_test_click (GTK_WIDGET (window), "quit-backup-skip");
  g_object_unref (window);
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (stp_quit_backup_find (app) != NULL && g_get_monotonic_time () < end)
    stp_test_wait (50);
  g_assert_null (stp_quit_backup_find (app));
  g_assert_cmpuint (count_copies (c.folder, &tmp), ==, 1);
  g_assert_cmpuint (tmp, ==, 0);
  {
    g_autofree char *plain = g_strconcat (stp_store_get_path (c.store), ".backup-tmp", NULL);
    g_assert_false (g_file_test (plain, G_FILE_TEST_EXISTS));
  }
  g_assert_true (stp_backup_is_due (c.store, FALSE));

  center_clear (&c);
}

int
main (int   argc,
      char *argv[])
{
  stp_test_gui_init (&argc, &argv);

  g_test_add_func ("/gui/backup/settings-group", test_settings_group);
  g_test_add_func ("/gui/backup/restore-from-settings", test_restore_from_settings);
  g_test_add_func ("/gui/backup/restore-from-first-run", test_restore_from_first_run);
  g_test_add_func ("/gui/backup/quit-backup", test_quit_backup);

  return g_test_run ();
}
