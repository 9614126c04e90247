/* Opening, locking, migrations and crash safety of the store. */
#include "config.h"

#include <gio/gio.h>
#include <string.h>
#ifdef G_OS_UNIX
# include <unistd.h>
#endif

#include "stp-i18n.h"
#include "test-util.h"

static const char *self_exe;

static void
test_open_create (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "sub", "center.db", NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autofree char *mode = NULL;
  int version = -1;

  g_mkdir_with_parents (parent, 0700);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_true (stp_store_is_empty (store));
  g_assert_cmpint (test_count (store, "PRAGMA user_version"), ==, STP_SCHEMA_VERSION);
  g_assert_cmpint (test_count (store, "PRAGMA foreign_keys"), ==, 1);
  g_assert_cmpint (test_count (store, "PRAGMA synchronous"), ==, 2);
  /* Deleted rows are zeroed, whatever the SQLite build's default. */
  g_assert_cmpint (test_count (store, "PRAGMA secure_delete"), ==, 1);
  mode = test_text (store, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_nonnull (stp_store_get_device_id (store));
  g_assert_cmpint (strlen (stp_store_get_device_id (store)), ==, 36);
  g_assert_cmpstr (stp_store_get_device_code (store), ==, "00");
  /* The SQL functions of the search part are registered. */
  {
    g_autofree char *n = test_text (store, "SELECT stp_norm ('  Пётр   ИВАНОВ ')");
    g_assert_cmpstr (n, ==, "петр иванов");
  }
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  g_clear_object (&store);

  g_assert_true (stp_store_check_file (path, &version, &error));
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, STP_SCHEMA_VERSION);
  /* A fresh file needs no backup copy. */
  {
    g_autofree char *bak = g_strdup_printf ("%s.v0.bak", path);
    g_assert_false (g_file_test (bak, G_FILE_TEST_EXISTS));
  }
  test_remove_dir (parent);
  test_remove_dir (dir);
}

static void
test_default_path (void)
{
  g_autofree char *p = NULL;

  g_setenv ("STUPENI_DATABASE", "/tmp/some/where.db", TRUE);
  p = stp_store_default_path ();
  g_assert_cmpstr (p, ==, "/tmp/some/where.db");
  g_unsetenv ("STUPENI_DATABASE");
  g_free (p);
  p = stp_store_default_path ();
  g_assert_true (g_str_has_suffix (p, G_DIR_SEPARATOR_S "stupeni" G_DIR_SEPARATOR_S "center.db"));
}

static void
test_reopen (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(StpSession) director = NULL;
  g_autoptr(StpCenter) loaded = NULL;
  g_autofree char *device = NULL;
  g_autofree char *bak = g_strdup_printf ("%s.v%d.bak", path, STP_SCHEMA_VERSION);

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  center->name = g_strdup ("Центр");
  director = stp_store_create_center (store, center, "boss", "Директор", "secret-1", &error);
  g_assert_no_error (error);
  g_assert_true (stp_store_set_setting (store, "theme", "dark", &error));
  device = g_strdup (stp_store_get_device_id (store));
  g_clear_object (&store);

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_false (stp_store_is_empty (store));
  loaded = stp_store_get_center (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->name, ==, "Центр");
  g_assert_cmpstr (stp_store_get_device_id (store), ==, device);
  {
    g_autofree char *theme = stp_store_get_setting (store, "theme");
    g_assert_cmpstr (theme, ==, "dark");
  }
  /* A file at the current version is reopened without a copy. */
  g_assert_false (g_file_test (bak, G_FILE_TEST_EXISTS));
  g_clear_object (&store);
  test_remove_dir (dir);
}

static void
test_corrupt_refused (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  GString *junk = g_string_new ("This is not a database at all. ");

  for (int i = 0; i < 200; i++)
    g_string_append_printf (junk, "line %d of garbage\n", i);
  g_file_set_contents (path, junk->str, junk->len, &error);
  g_assert_no_error (error);
  g_string_free (junk, TRUE);
  before = test_read_file (path, &before_len);

  store = stp_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, path));

  after = test_read_file (path, &after_len);
  g_assert_cmpmem (before, before_len, after, after_len);
  g_clear_error (&error);

  /* The lock is released: the file can be replaced and opened. */
  g_remove (path);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  test_remove_dir (dir);
}

static void
test_damaged_page_refused (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *after = NULL;
  gsize len, after_len;

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (stp_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", &error));
  g_clear_object (&store);

  /* Overwrite the pages after the header with garbage. */
  contents = test_read_file (path, &len);
  g_assert_cmpuint (len, >, 8192);
  for (gsize i = 4096; i < len; i++)
    contents[i] = (char) (i * 7 + 3);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);

  store = stp_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
  after = test_read_file (path, &after_len);
  g_assert_cmpmem (contents, len, after, after_len);
  test_remove_dir (dir);
}

static void
test_damaged_big_file_never_written (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSession) system = stp_session_new_system ();
  g_autofree char *contents = NULL;
  g_autofree char *after = NULL;
  gsize len, after_len;

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  for (int i = 0; i < 300; i++)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      r->surname = g_strdup_printf ("Фамилия%d", i);
      r->name = g_strdup ("Имя");
      g_assert_true (stp_store_save_resident (store, system, r, &error));
    }
  g_assert_true (stp_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE)", &error));
  g_clear_object (&store);

  /* Damage the last pages (outbox data), not the schema. */
  contents = test_read_file (path, &len);
  for (gsize i = len - 8 * 4096; i < len; i++)
    contents[i] = (char) (i * 13 + 5);
  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);

  /* Every file counts as big: the full check runs in the background. */
  g_setenv ("STUPENI_SYNC_CHECK_LIMIT", "0", TRUE);
  store = stp_store_open (path, &error);
  g_unsetenv ("STUPENI_SYNC_CHECK_LIMIT");
  if (store != NULL)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      g_test_message ("opened; the background check refuses writes");
      r->surname = g_strdup ("Новый");
      r->name = g_strdup ("Иван");
      g_assert_false (stp_store_save_resident (store, system, r, &error));
      g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
      g_clear_error (&error);
      g_assert_false (stp_store_set_setting (store, "k", "v", &error));
      g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
      g_clear_object (&store);
    }
  else
    g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);

  after = test_read_file (path, &after_len);
  g_assert_cmpmem (contents, len, after, after_len);
  test_remove_dir (dir);
}

static void
test_too_new_refused (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_len, after_len;
  sqlite3 *db;
  int version = 0;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE future (x); INSERT INTO future VALUES (1);"
                                     "PRAGMA user_version = 99;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = test_read_file (path, &before_len);

  store = stp_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW);
  g_clear_error (&error);
  g_assert_false (stp_store_check_file (path, &version, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW);
  g_assert_cmpint (version, ==, 99);

  after = test_read_file (path, &after_len);
  g_assert_cmpmem (before, before_len, after, after_len);
  test_remove_dir (dir);
}

static void
test_migrate_from_version_0 (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autofree char *bak = g_strdup_printf ("%s.v0.bak", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autofree char *before = NULL;
  g_autofree char *copy = NULL;
  gsize before_len, copy_len;
  sqlite3 *db;

  /* A version-0 file: SQLite, but none of our tables yet. */
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me');",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  before = test_read_file (path, &before_len);

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_count (store, "PRAGMA user_version"), ==, STP_SCHEMA_VERSION);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM residents"), ==, 0);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM resident_summaries"), ==, 0);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM notes"), ==, 1);

  g_assert_true (g_file_test (bak, G_FILE_TEST_IS_REGULAR));
  copy = test_read_file (bak, &copy_len);
  g_assert_cmpmem (before, before_len, copy, copy_len);
  g_clear_object (&store);
  test_remove_dir (dir);
}

/* A file of schema version 1 (as shipped first) gets the report part of
 * version 2, with the relatives counted from the rows already there. */
static void
test_migrate_from_version_1 (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autofree char *bak = g_strdup_printf ("%s.v1.bak", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  sqlite3 *db;

  /* The current version less what versions 2, 3 and 5 added is version 1
   * (4 and 5 replace triggers that version 1 has, with the same names). */
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (stp_store_exec (store,
                                 "DROP TRIGGER resident_summaries_insert;"
                                 /* What version 8 added. */
                                 "DROP TABLE parked_batches;"
                                 /* What version 6 added. */
                                 "DROP TABLE intake_drafts;"
                                 "ALTER TABLE centers DROP COLUMN agencies;"
                                 "DROP TRIGGER resident_prefixes_update;"
                                 "DROP TRIGGER resident_prefixes_delete;"
                                 "DROP TABLE resident_prefixes;"
                                 "INSERT INTO resident_summaries (resident_id, full_key) VALUES"
                                 " ('r1', 'иванов петр'), ('r3', 'сидоров');"
                                 "UPDATE resident_summaries SET deleted = 1 WHERE resident_id = 'r3';"
                                 "DROP TRIGGER relatives_counts_insert;"
                                 "DROP TRIGGER relatives_counts_update;"
                                 "DROP TRIGGER relatives_counts_delete;"
                                 "DROP TABLE relative_counts;"
                                 "DROP TRIGGER episodes_exit_stage_insert;"
                                 "DROP TRIGGER episodes_exit_stage_update;"
                                 "DROP TRIGGER episodes_exit_stage_delete;"
                                 "DROP TRIGGER stage_entries_exit_stage_insert;"
                                 "DROP TRIGGER stage_entries_exit_stage_update;"
                                 "DROP TRIGGER stage_entries_exit_stage_delete;"
                                 "DROP TABLE episode_exit_stages;"
                                 "DROP INDEX stage_entries_report_open;"
                                 "DROP INDEX court_obligations_report;"
                                 "INSERT INTO episodes (id, resident_id, admitted_on, discharged_on) VALUES"
                                 " ('e1', 'r1', '2025-01-01', '2025-03-10'), ('e2', 'r2', '2025-01-01', NULL);"
                                 "INSERT INTO stage_entries (id, created_at, episode_id, stage_id, started_on) VALUES"
                                 " ('s1', '2025-01-01T00:00:00Z', 'e1', 'first', '2025-01-01'),"
                                 " ('s2', '2025-02-01T00:00:00Z', 'e1', 'second', '2025-02-01'),"
                                 " ('s3', '2025-03-11T00:00:00Z', 'e1', 'third', '2025-03-11'),"
                                 " ('s4', '2025-01-01T00:00:00Z', 'e2', 'first', '2025-01-01');"
                                 "INSERT INTO relatives (id, resident_id, deleted, codependent, minor) VALUES"
                                 " ('v1', 'r1', 0, 1, 0), ('v2', 'r1', 0, NULL, 1),"
                                 " ('v3', 'r1', 1, 1, 1), ('v4', 'r2', 0, 0, NULL),"
                                 " ('v5', NULL, 0, 1, 1);"
                                 "ALTER TABLE stages DROP COLUMN kind;"
                                 "PRAGMA user_version = 1;", &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "SELECT count (*) FROM relative_counts", NULL, NULL, NULL),
                   !=, SQLITE_OK);
  sqlite3_close (db);

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_count (store, "PRAGMA user_version"), ==, STP_SCHEMA_VERSION);
  g_assert_true (g_file_test (bak, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (test_count (store, "SELECT count (*) FROM relative_counts"), ==, 2);
  g_assert_cmpint (test_count (store, "SELECT count (*) FROM parked_batches"), ==, 0);
  /* Version 3 indexed the name prefixes of the residents already there,
   * not of those with a tombstone. */
  g_assert_cmpint (test_count (store, "SELECT count (*) FROM resident_prefixes"), ==, 6);
  g_assert_cmpint (test_count (store, "SELECT count (*) FROM resident_prefixes WHERE prefix = 'ива'"), ==, 1);
  g_assert_cmpint (test_count (store, "SELECT relatives * 100 + codependents * 10 + minors"
                                      " FROM relative_counts WHERE resident_id = 'r1'"), ==, 211);
  g_assert_cmpint (test_count (store, "SELECT relatives * 100 + codependents * 10 + minors"
                                      " FROM relative_counts WHERE resident_id = 'r2'"), ==, 100);
  g_assert_cmpint (test_count (store, "SELECT count (*) FROM sqlite_master"
                                      " WHERE name = 'stage_entries_report_open'"), ==, 1);
  {
    g_autofree char *e1 = test_text (store, "SELECT stage_id FROM episode_exit_stages"
                                            " WHERE episode_id = 'e1'");
    g_autofree char *e2 = test_text (store, "SELECT coalesce (stage_id, 'none') FROM episode_exit_stages"
                                            " WHERE episode_id = 'e2'");

    g_assert_cmpstr (e1, ==, "second");
    g_assert_cmpstr (e2, ==, "none");
  }

  /* The triggers run from now on. */
  g_assert_true (stp_store_exec (store, "UPDATE relatives SET deleted = 1 WHERE id = 'v1';"
                                        "UPDATE relatives SET resident_id = 'r2' WHERE id = 'v2';",
                                 &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count (store, "SELECT relatives * 100 + codependents * 10 + minors"
                                      " FROM relative_counts WHERE resident_id = 'r1'"), ==, 0);
  g_assert_cmpint (test_count (store, "SELECT relatives * 100 + codependents * 10 + minors"
                                      " FROM relative_counts WHERE resident_id = 'r2'"), ==, 201);
  g_assert_true (stp_store_exec (store, "UPDATE stage_entries SET deleted = 1 WHERE id = 's2';"
                                        "UPDATE episodes SET discharged_on = '2025-04-01' WHERE id = 'e2';",
                                 &error));
  g_assert_no_error (error);
  {
    g_autofree char *e1 = test_text (store, "SELECT stage_id FROM episode_exit_stages"
                                            " WHERE episode_id = 'e1'");
    g_autofree char *e2 = test_text (store, "SELECT stage_id FROM episode_exit_stages"
                                            " WHERE episode_id = 'e2'");

    g_assert_cmpstr (e1, ==, "first");
    g_assert_cmpstr (e2, ==, "first");
  }
  g_clear_object (&store);
  test_remove_dir (dir);
}

static void
test_lock_in_process (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpStore) second = NULL;
  g_autoptr(StpStore) worker = NULL;

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  second = stp_store_open (path, &error);
  g_assert_null (second);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED);
  g_clear_error (&error);

  worker = stp_store_open_secondary (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stp_store_get_device_id (worker), ==, stp_store_get_device_id (store));
  g_assert_true (stp_store_set_setting (worker, "from", "worker", &error));
  {
    g_autofree char *v = stp_store_get_setting (store, "from");
    g_assert_cmpstr (v, ==, "worker");
  }
  /* The lock lives while the worker does. */
  g_clear_object (&store);
  second = stp_store_open (path, &error);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED);
  g_clear_error (&error);
  g_clear_object (&worker);
  second = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&second);
  test_remove_dir (dir);
}

static int
child_open (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = stp_store_open (path, &error);

  if (store != NULL)
    return 10;
  if (g_error_matches (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED))
    return 20;
  return 30;
}

static int
run_child (const char *mode,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) child = NULL;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, self_exe, mode, path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (child));
  return g_subprocess_get_exit_status (child);
}

static void
test_lock_other_process (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_child ("--child-open", path), ==, 20);
  g_clear_object (&store);
  /* Closed here: the other process may open it now. */
  g_assert_cmpint (run_child ("--child-open", path), ==, 10);
  test_remove_dir (dir);
}

/* A database under a plain file, or in a folder that does not exist: a
 * plain message about the folder (not about a lock file or another
 * window), and nothing is created. */
static void
test_open_not_a_folder (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *file = g_build_filename (dir, "hostname", NULL);
  g_autofree char *under_file = g_build_filename (file, "x.db", NULL);
  g_autofree char *deep = g_build_filename (file, "a", "b", "x.db", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", "x.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;

  g_assert_true (g_file_set_contents (file, "host\n", -1, &error));
  g_assert_no_error (error);

  store = stp_store_open (under_file, &error);
  g_assert_null (store);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_nonnull (strstr (error->message, file));
  g_assert_null (strstr (error->message, "lock"));
  g_assert_null (strstr (error->message, "window"));
  g_clear_error (&error);

  /* A file further up the path is named. */
  store = stp_store_open (deep, &error);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_nonnull (strstr (error->message, file));
  g_clear_error (&error);

  store = stp_store_open (missing, &error);
  g_assert_null (store);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, "missing"));
  g_clear_error (&error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* In Russian, as the program shows it (a child with the build's
   * catalogue). */
  {
    g_autoptr(GSubprocess) child = NULL;
    g_autofree char *out = NULL;

    child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              self_exe, "--child-open-ru", under_file, NULL);
    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (child, NULL, NULL, &out, NULL, &error));
    g_assert_no_error (error);
    g_test_message ("%s", out);
    if (strstr (out, "cannot be opened") != NULL)
      g_test_incomplete ("no Russian locale or catalogue here");
    else
      {
        g_assert_nonnull (strstr (out, "это файл, а не папка"));
        g_assert_nonnull (strstr (out, file));
      }
  }
  test_remove_dir (dir);
}

static int
child_open_russian (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;

  g_setenv ("LC_ALL", "ru_RU.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "ru", TRUE);
  g_setenv ("STUPENI_LOCALEDIR", BUILD_LOCALEDIR, TRUE);
  stp_i18n_init (TRUE);
  store = stp_store_open (path, &error);
  g_print ("%s\n", error != NULL ? error->message : "opened");
  return store == NULL ? 0 : 1;
}

#ifdef G_OS_UNIX
static int
child_crash (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = stp_store_open (path, &error);
  g_autoptr(StpSession) system = stp_session_new_system ();

  if (store == NULL)
    return 30;
  {
    g_autoptr(StpResident) r = stp_resident_new ();
    r->surname = g_strdup ("Сохранённый");
    r->name = g_strdup ("Иван");
    if (!stp_store_save_resident (store, system, r, &error))
      return 31;
  }
  if (!stp_store_begin (store, &error))
    return 32;
  for (int i = 0; i < 200; i++)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      r->surname = g_strdup_printf ("Недописанный%d", i);
      r->name = g_strdup ("Пётр");
      if (!stp_store_save_resident (store, system, r, &error))
        return 33;
    }
  /* Tell the parent we are inside the transaction, then wait to die. */
  if (write (STDOUT_FILENO, "ready\n", 6) != 6)
    return 34;
  g_usleep (60 * G_USEC_PER_SEC);
  return 35;
}

static void
test_crash_inside_transaction (void)
{
  g_autofree char *dir = test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "center.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  int version = -1;

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                            self_exe, "--child-crash", path, NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "ready");
  g_subprocess_force_exit (child);   /* SIGKILL */
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_false (g_subprocess_get_if_exited (child));
  g_assert_true (g_subprocess_get_if_signaled (child));

  g_assert_true (stp_store_check_file (path, &version, &error));
  g_assert_no_error (error);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM residents WHERE surname = 'Сохранённый'"), ==, 1);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM residents WHERE surname LIKE 'Недописанный%'"), ==, 0);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM outbox WHERE row_id NOT IN (SELECT id FROM residents)"), ==, 0);
  {
    g_autofree char *check = test_text (store, "PRAGMA quick_check");
    g_assert_cmpstr (check, ==, "ok");
  }
  g_clear_object (&store);
  test_remove_dir (dir);
}
#endif

int
main (int   argc,
      char *argv[])
{
  self_exe = argv[0];
  if (argc == 3 && g_str_equal (argv[1], "--child-open"))
    return child_open (argv[2]);
  if (argc == 3 && g_str_equal (argv[1], "--child-open-ru"))
    return child_open_russian (argv[2]);
#ifdef G_OS_UNIX
  if (argc == 3 && g_str_equal (argv[1], "--child-crash"))
    return child_crash (argv[2]);
#endif

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/open-create", test_open_create);
  g_test_add_func ("/store/default-path", test_default_path);
  g_test_add_func ("/store/reopen", test_reopen);
  g_test_add_func ("/store/corrupt-refused", test_corrupt_refused);
  g_test_add_func ("/store/damaged-page-refused", test_damaged_page_refused);
  g_test_add_func ("/store/too-new-refused", test_too_new_refused);
  g_test_add_func ("/store/damaged-big-file-never-written", test_damaged_big_file_never_written);
  g_test_add_func ("/store/migrate-from-version-0", test_migrate_from_version_0);
  g_test_add_func ("/store/migrate-from-version-1", test_migrate_from_version_1);
  g_test_add_func ("/store/lock-in-process", test_lock_in_process);
  g_test_add_func ("/store/lock-other-process", test_lock_other_process);
  g_test_add_func ("/store/open-not-a-folder", test_open_not_a_folder);
#ifdef G_OS_UNIX
  g_test_add_func ("/store/crash-inside-transaction", test_crash_inside_transaction);
#endif
  return g_test_run ();
}
