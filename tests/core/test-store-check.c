/* The full check of the database file: skipped after a clean close by this
 * program (the PATH.clean marker), made after anything else, and asked for
 * while the file is open (docs/ARCHITECTURE.md, "Crash safety"). */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <sqlite3.h>
#include <string.h>

#include "test-util.h"

/* A center with some residents, closed cleanly. */
static char *
make_center (const char *dir)
{
  char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = stp_store_open (path, &error);
  g_autoptr(StpSession) system = stp_session_new_system ();

  g_assert_no_error (error);
  for (int i = 0; i < 300; i++)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      r->surname = g_strdup_printf ("Фамилия%d", i);
      r->name = g_strdup ("Имя");
      g_assert_true (stp_store_save_resident (store, system, r, &error));
      g_assert_no_error (error);
    }
  return path;
}

/* Garbles the last 8 pages of @contents (outbox rows, not the schema). */
static void
garble_tail (char  *contents,
             gsize  len)
{
  g_assert_cmpuint (len, >, 16 * 4096);
  for (gsize i = len - 8 * 4096; i < len; i++)
    contents[i] = (char) (i * 13 + 5);
}

/* Damages the tail of the closed file @path; the file is replaced, so its
 * inode and time change. */
static void
damage_tail (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize len;

  contents = test_read_file (path, &len);
  garble_tail (contents, len);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
}

/* Damages the tail of @path while the program holds it open, as a failing
 * disk would: written in place.  Replacing the file (damage_tail) is not
 * possible then on Windows, which refuses to delete or rename over a file
 * another handle has open; writing through a second handle is allowed
 * (SQLite shares its handles for reading and writing). */
static void
damage_tail_in_place (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len;
  FILE *file;

  contents = test_read_file (path, &len);
  garble_tail (contents, len);
  file = g_fopen (path, "r+b");
  g_assert_nonnull (file);
  g_assert_cmpint (fseek (file, (long) (len - 8 * 4096), SEEK_SET), ==, 0);
  g_assert_cmpuint (fwrite (contents + len - 8 * 4096, 1, 8 * 4096, file), ==, 8 * 4096);
  g_assert_cmpint (fclose (file), ==, 0);
}

static gboolean
save_one (StpStore  *store,
          GError   **error)
{
  g_autoptr(StpSession) system = stp_session_new_system ();
  g_autoptr(StpResident) r = stp_resident_new ();

  r->surname = g_strdup ("Новый");
  r->name = g_strdup ("Иван");
  return stp_store_save_resident (store, system, r, error);
}

/* A cleanly closed center in a temporary directory, and its marker. */
typedef struct
{
  char *dir;
  char *path;
  char *marker;
} Fx;

static void
fx_setup (Fx            *fx,
          gconstpointer  data)
{
  fx->dir = test_make_dir ();
  fx->path = make_center (fx->dir);
  fx->marker = g_strconcat (fx->path, ".clean", NULL);
}

static void
fx_teardown (Fx            *fx,
             gconstpointer  data)
{
  test_remove_dir (fx->dir);
  g_free (fx->dir);
  g_free (fx->path);
  g_free (fx->marker);
}

/* @error holds "the file is damaged"; cleared. */
static void
assert_corrupt (GError **error)
{
  g_assert_error (*error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
  g_clear_error (error);
}

/* A store whose full check runs at open: a save goes through and the
 * check ends well. */
static void
assert_checked_save (StpStore *store)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (stp_store_get_check_state (store), !=, STP_STORE_CHECK_NONE);
  g_assert_true (save_one (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (stp_store_get_check_state (store), ==, STP_STORE_CHECK_OK);
}

static void
test_clean_close_skips_check (Fx            *fx,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;

  /* Closed cleanly: the marker is there, and the log is gone. */
  g_assert_true (g_file_test (fx->marker, G_FILE_TEST_IS_REGULAR));

  /* Every file counts as big: without the marker the check would run. */
  g_setenv ("STUPENI_SYNC_CHECK_LIMIT", "0", TRUE);
  store = stp_store_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stp_store_get_check_state (store), ==, STP_STORE_CHECK_NONE);
  /* Taken at open: a crash from here leaves no marker. */
  g_assert_false (g_file_test (fx->marker, G_FILE_TEST_EXISTS));
  g_assert_true (save_one (store, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_true (g_file_test (fx->marker, G_FILE_TEST_IS_REGULAR));

  /* $STUPENI_FULL_CHECK asks for the check all the same. */
  g_setenv ("STUPENI_FULL_CHECK", "1", TRUE);
  store = stp_store_open (fx->path, &error);
  g_unsetenv ("STUPENI_FULL_CHECK");
  g_assert_no_error (error);
  assert_checked_save (store);
  g_clear_object (&store);
  g_unsetenv ("STUPENI_SYNC_CHECK_LIMIT");
}

static void
test_unclean_exit_checks (Fx            *fx,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;

  /* No marker, as after a crash or a kill: the full check runs. */
  g_assert_cmpint (g_unlink (fx->marker), ==, 0);
  g_setenv ("STUPENI_SYNC_CHECK_LIMIT", "0", TRUE);
  store = stp_store_open (fx->path, &error);
  g_unsetenv ("STUPENI_SYNC_CHECK_LIMIT");
  g_assert_no_error (error);
  assert_checked_save (store);
  g_clear_object (&store);
}

/* The file changed after the clean close (copied over, damaged, written by
 * another program): the marker no longer matches and the damage is found. */
static void
test_changed_file_checked (Fx            *fx,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *after = NULL;
  gsize len, after_len;

  g_assert_true (g_file_test (fx->marker, G_FILE_TEST_IS_REGULAR));
  damage_tail (fx->path);
  contents = test_read_file (fx->path, &len);

  /* A small file: checked at once and refused. */
  store = stp_store_open (fx->path, &error);
  g_assert_null (store);
  assert_corrupt (&error);
  g_assert_false (g_file_test (fx->marker, G_FILE_TEST_EXISTS));
  after = test_read_file (fx->path, &after_len);
  g_assert_cmpmem (contents, len, after, after_len);
}

/* A check asked for while the file is open: the writes go on while it runs;
 * once it has found damage every write is refused and no marker is left. */
static void
test_check_on_demand (Fx            *fx,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;

  store = stp_store_open (fx->path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stp_store_get_check_state (store), ==, STP_STORE_CHECK_NONE);
  g_assert_true (stp_store_start_check (store));
  while (stp_store_get_check_state (store) == STP_STORE_CHECK_RUNNING)
    {
      double fraction = stp_store_get_check_fraction (store);

      g_assert_true (fraction == -1 || (fraction >= 0 && fraction <= 1));
      g_usleep (1000);
    }
  g_assert_cmpint (stp_store_get_check_state (store), ==, STP_STORE_CHECK_OK);
  /* No check runs: no fraction. */
  g_assert_cmpfloat (stp_store_get_check_fraction (store), ==, -1);
  g_assert_true (stp_store_get_check_result (store, &error));
  g_assert_true (save_one (store, &error));
  g_assert_no_error (error);
  g_assert_true (stp_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", &error));

  /* Damage under the open file (a failing disk), then ask again. */
  damage_tail_in_place (fx->path);
  g_assert_true (stp_store_start_check (store));
  while (stp_store_get_check_state (store) == STP_STORE_CHECK_RUNNING)
    g_usleep (1000);
  g_assert_cmpint (stp_store_get_check_state (store), ==, STP_STORE_CHECK_FAILED);
  g_assert_false (stp_store_get_check_result (store, &error));
  assert_corrupt (&error);
  g_assert_false (save_one (store, &error));
  assert_corrupt (&error);
  g_assert_false (stp_store_set_setting (store, "k", "v", &error));
  assert_corrupt (&error);
  g_clear_object (&store);
  /* Closed, but not cleanly vouched for: the next open checks it all. */
  g_assert_false (g_file_test (fx->marker, G_FILE_TEST_EXISTS));
}

/* A file another tool left in rollback-journal mode (the sqlite3 shell,
 * VACUUM INTO), with no marker: the check runs in the background and the
 * switch to WAL is not blocked by its read (it was: "database is locked",
 * reported as a damaged file). */
static void
test_rollback_journal_file (Fx            *fx,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (g_unlink (fx->marker), ==, 0);
  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  db = NULL;

  g_setenv ("STUPENI_SYNC_CHECK_LIMIT", "0", TRUE);
  store = stp_store_open (fx->path, &error);
  g_unsetenv ("STUPENI_SYNC_CHECK_LIMIT");
  g_assert_no_error (error);
  g_assert_nonnull (store);
  assert_checked_save (store);
  g_clear_object (&store);

  /* It is a WAL file now. */
  g_assert_cmpint (sqlite3_open (fx->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/store-check/clean-close-skips-check", Fx, NULL, fx_setup,
              test_clean_close_skips_check, fx_teardown);
  g_test_add ("/store-check/unclean-exit-checks", Fx, NULL, fx_setup,
              test_unclean_exit_checks, fx_teardown);
  g_test_add ("/store-check/changed-file-checked", Fx, NULL, fx_setup,
              test_changed_file_checked, fx_teardown);
  g_test_add ("/store-check/check-on-demand", Fx, NULL, fx_setup,
              test_check_on_demand, fx_teardown);
  g_test_add ("/store-check/rollback-journal-file", Fx, NULL, fx_setup,
              test_rollback_journal_file, fx_teardown);
  return g_test_run ();
}
