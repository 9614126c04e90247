/* test-backup.c: encrypted backup copies and restoring them, against real
 * SQLite files in a temporary directory. */
#include "config.h"

#include <string.h>
#include <sodium.h>

#include "test-util.h"
#include "stp-backup.h"
#include "stp-sync-batch.h"

#define PASSWORD "копия-2026"

/* Tables that belong to the computer, not to the center's data: a restore
 * keeps this computer's version of them on purpose. */
static gboolean
is_own_table (const char *name)
{
  static const char * const own[] = { "meta", "settings", "audit_events", "login_failures",
                                       "sqlite_sequence", NULL };
  return g_strv_contains (own, name);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* Every row of every data table as text, sorted: two equal dumps mean the
 * same rows. */
static char *
dump_data (sqlite3 *db)
{
  g_autoptr(GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                           "AND name NOT LIKE 'sqlite_%' ORDER BY name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      if (!is_own_table (name))
        g_ptr_array_add (tables, g_strdup (name));
    }
  sqlite3_finalize (stmt);
  g_assert_cmpuint (tables->len, >=, 15);

  for (guint t = 0; t < tables->len; t++)
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", (char *) tables->pdata[t]);

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          GString *row = g_string_new (NULL);
          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const char *v = (const char *) sqlite3_column_text (stmt, c);
              g_string_append_printf (row, "%s|", v != NULL ? v : "∅");
            }
          g_ptr_array_add (rows, g_string_free (row, FALSE));
        }
      sqlite3_finalize (stmt);
      g_ptr_array_sort (rows, compare_strings);
      g_string_append_printf (out, "== %s (%u)\n", (char *) tables->pdata[t], rows->len);
      for (guint r = 0; r < rows->len; r++)
        g_string_append_printf (out, "%s\n", (char *) rows->pdata[r]);
    }
  return g_string_free (out, FALSE);
}

/* Everything, own tables included: "nothing changed" means this. */
static char *
dump_all (StpStore *store)
{
  g_autofree char *data = dump_data (stp_store_get_db (store));
  return g_strdup_printf ("%s\nmeta=%" G_GINT64_FORMAT " settings=%" G_GINT64_FORMAT
                          " audit=%" G_GINT64_FORMAT " outbox=%" G_GINT64_FORMAT "\n", data,
                          test_count (store, "SELECT count(*) FROM meta"),
                          test_count (store, "SELECT count(*) FROM settings"),
                          test_count (store, "SELECT count(*) FROM audit_events"),
                          test_count (store, "SELECT count(*) FROM outbox"));
}

static void
fill_center (TestCenter *tc,
             guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program_id = test_first_program_id (tc);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *surname = g_strdup_printf ("Иванов-%u", i);
      g_autoptr(StpResident) r = test_add_resident (tc, surname, "Сергей");
      g_autoptr(StpRelative) rel = stp_relative_new ();

      rel->resident_id = g_strdup (r->meta.id);
      rel->full_name = g_strdup ("Иванова Мария Петровна");
      rel->relation = STP_RELATION_MOTHER;
      g_assert_true (stp_store_save_relative (tc->store, tc->director, rel, &error));
      g_assert_no_error (error);
      if (i % 3 == 0)
        {
          g_autoptr(StpEpisode) ep = stp_episode_new ();
          ep->resident_id = g_strdup (r->meta.id);
          ep->program_id = g_strdup (program_id);
          ep->admitted_on = g_strdup ("2026-02-01");
          g_assert_true (stp_store_admit (tc->store, tc->director, ep, &error));
          g_assert_no_error (error);
        }
    }
}

static void
set_up_backup (TestCenter *tc,
               const char *folder)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_backup_set_password (tc->store, tc->director, PASSWORD, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_true (stp_backup_set_folder (tc->store, tc->director, folder, &error));
  g_assert_no_error (error);
}

static StpBackupInfo *
make_copy (TestCenter *tc,
           const char *folder,
           gint64      now)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpBackupKey) key = stp_backup_get_key (tc->store);
  StpBackupInfo *info;

  g_assert_nonnull (key);
  info = stp_backup_write (tc->path, key, folder, now, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_assert_true (stp_backup_record_success (tc->store, tc->director, info, &error));
  g_assert_no_error (error);
  return info;
}

static char *
make_folder (TestCenter *tc)
{
  char *folder = g_build_filename (tc->dir, "copies", NULL);
  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  return folder;
}

static void
remove_tree (const char *dir)
{
  test_remove_dir (dir);
}

/* --- Tests ------------------------------------------------------------------ */

static void
test_password_rules (TestCenter    *tc,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (stp_backup_set_password (tc->store, tc->director, "short", "short", &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (stp_backup_set_password (tc->store, tc->director, PASSWORD, "другой-пароль", &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (stp_backup_get_key (tc->store));
  g_assert_cmpint (stp_backup_get_state (tc->store, NULL), ==, STP_BACKUP_STATE_NOT_SET_UP);
  g_assert_true (stp_backup_set_password (tc->store, tc->director, PASSWORD, PASSWORD, &error));
  g_assert_no_error (error);
  /* The password itself is not stored, only the derived key. */
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM settings WHERE value LIKE '%копия%'"), ==, 0);
}

/* A copy restored over a changed database gives back exactly the rows of
 * every data table at the time of the copy. */
static void
test_roundtrip (TestCenter    *tc,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder (tc);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *device = g_strdup (stp_store_get_device_id (tc->store));
  g_autoptr(StpBackupInfo) info = NULL;
  g_autoptr(StpBackupInfo) seen = NULL;
  g_autoptr(StpResident) extra = NULL;
  gint64 audit_before;

  fill_center (tc, 30);
  set_up_backup (tc, folder);
  g_assert_cmpint (stp_backup_get_state (tc->store, NULL), ==, STP_BACKUP_STATE_NEVER);
  g_assert_true (stp_backup_is_due (tc->store, TRUE));
  before = dump_data (stp_store_get_db (tc->store));
  info = make_copy (tc, folder, 0);
  g_assert_cmpint (info->residents, ==, 30);
  g_assert_true (g_str_has_suffix (info->path, STP_BACKUP_SUFFIX));
  g_assert_cmpint (stp_backup_get_state (tc->store, NULL), ==, STP_BACKUP_STATE_OK);
  g_assert_false (stp_backup_is_due (tc->store, FALSE));
  /* The copy was named by the real clock; the store's clock says a day
   * later: a daily copy is due, and a week later the copy is stale. */
  test_now_usec = info->created_usec + (gint64) G_USEC_PER_SEC * 86400;
  g_assert_true (stp_backup_is_due (tc->store, TRUE));
  test_now_usec = info->created_usec + (gint64) G_USEC_PER_SEC * 3600;
  g_assert_false (stp_backup_is_due (tc->store, TRUE));
  test_now_usec = info->created_usec + (gint64) G_USEC_PER_SEC * 86400 * 8;
  g_assert_cmpint (stp_backup_get_state (tc->store, NULL), ==, STP_BACKUP_STATE_STALE);
  test_now_usec = TEST_NOW;

  /* The file does not show the data in clear. */
  {
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_assert_true (g_file_get_contents (info->path, &contents, &len, NULL));
    g_assert_null (g_strstr_len (contents, len, "Иванов"));
    g_assert_null (g_strstr_len (contents, len, "SQLite format"));
  }

  /* Changes after the copy. */
  extra = test_add_resident (tc, "Новиков", "Олег");
  g_assert_true (stp_store_delete (tc->store, tc->director, STP_KIND_RESIDENT, extra->meta.id, &error));
  stp_resident_free (test_add_resident (tc, "Орлов", "Павел"));
  g_assert_true (stp_backup_is_due (tc->store, FALSE));
  g_assert_cmpstr (before, !=, (after = dump_data (stp_store_get_db (tc->store))));
  g_clear_pointer (&after, g_free);

  seen = stp_backup_inspect (info->path, PASSWORD, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (seen->center_id, ==, info->center_id);
  g_assert_cmpstr (seen->center_name, ==, "Центр «Ступени»");
  g_assert_cmpint (seen->residents, ==, 30);
  g_assert_cmpint (seen->created_usec, ==, info->created_usec);

  audit_before = test_count (tc->store, "SELECT count(*) FROM audit_events");
  g_assert_true (stp_backup_restore (tc->store, tc->director, info->path, PASSWORD, NULL, NULL, &error));
  g_assert_no_error (error);
  after = dump_data (stp_store_get_db (tc->store));
  g_assert_cmpstr (before, ==, after);
  /* This computer stays itself, its audit log only grew, the current file
   * was kept aside, and no temporary file is left. */
  g_assert_cmpstr (stp_store_get_device_id (tc->store), ==, device);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM audit_events"), >, audit_before);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM audit_events WHERE action = 'restore'"), ==, 1);
  {
    g_autofree char *aside = g_strconcat (tc->path, ".before-restore", NULL);
    g_autofree char *in = g_strconcat (tc->path, ".restore-in", NULL);
    g_autofree char *tmp = g_strconcat (tc->path, ".backup-tmp", NULL);
    g_assert_true (g_file_test (aside, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (in, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  }
  /* The backup settings are today's. */
  {
    g_autofree char *f = stp_backup_get_folder (tc->store);
    g_assert_cmpstr (f, ==, folder);
    g_assert_cmpint (stp_backup_get_state (tc->store, NULL), ==, STP_BACKUP_STATE_OK);
  }
  /* The store goes on working. */
  stp_resident_free (test_add_resident (tc, "Зайцев", "Илья"));
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, 31);
  remove_tree (folder);
}

/* The first-run window of a new computer restores a copy: the data is the
 * copy's, the device id the new computer's. */
static void
test_restore_on_new_computer (TestCenter    *tc,
                              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder (tc);
  g_autofree char *path = g_build_filename (tc->dir, "new.db", NULL);
  g_autoptr(StpStore) fresh = NULL;
  g_autoptr(StpBackupInfo) info = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *fresh_device = NULL;

  fill_center (tc, 10);
  set_up_backup (tc, folder);
  g_assert_true (stp_store_set_setting (tc->store, "sync.token", "token-of-a", &error));
  before = dump_data (stp_store_get_db (tc->store));
  info = make_copy (tc, folder, 0);

  fresh = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (stp_store_is_empty (fresh));
  fresh_device = g_strdup (stp_store_get_device_id (fresh));
  g_assert_true (stp_backup_restore (fresh, NULL, info->path, PASSWORD, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (stp_store_is_empty (fresh));
  after = dump_data (stp_store_get_db (fresh));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpstr (stp_store_get_device_id (fresh), ==, fresh_device);
  {
    g_autofree char *stored = test_text (fresh, "SELECT value FROM meta WHERE key = 'device_id'");
    g_assert_cmpstr (stored, ==, fresh_device);
  }
  g_assert_cmpstr (stp_store_get_device_code (fresh), ==, "AB");
  {
    g_autofree char *token = stp_store_get_setting (fresh, "sync.token");
    g_assert_cmpstr (token, ==, "token-of-a");
  }
  /* The director logs in with the password of the copy. */
  {
    g_autoptr(StpSession) s = stp_store_login (fresh, "director", "secret-1", &error);
    g_assert_no_error (error);
    g_assert_nonnull (s);
  }
  remove_tree (folder);
}

static void
assert_refused (TestCenter  *tc,
                const char  *path,
                const char  *password,
                GQuark       domain,
                int          code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *before = dump_all (tc->store);
  g_autofree char *after = NULL;
  g_autofree char *in = g_strconcat (tc->path, ".restore-in", NULL);

  g_assert_false (stp_backup_restore (tc->store, tc->director, path, password, NULL, NULL, &error));
  g_assert_error (error, domain, code);
  g_test_message ("refused: %s", error->message);
  after = dump_all (tc->store);
  g_assert_cmpstr (before, ==, after);
  g_assert_false (g_file_test (in, G_FILE_TEST_EXISTS));
}

static char *
copy_file (const char *from,
           const char *to,
           gsize       keep_bytes,   /* 0: all */
           gssize      patch_at,
           guint8      patch_value)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (from, &contents, &len, NULL));
  if (keep_bytes > 0)
    len = MIN (len, keep_bytes);
  if (patch_at >= 0)
    contents[patch_at] = patch_value;
  g_assert_true (g_file_set_contents (to, contents, len, NULL));
  return g_strdup (to);
}

static void
test_refused (TestCenter    *tc,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder (tc);
  g_autoptr(StpBackupInfo) info = NULL;
  g_autofree char *bad = g_build_filename (tc->dir, "bad.stpbak", NULL);
  TestCenter other = { 0 };
  gsize len;

  fill_center (tc, 10);
  set_up_backup (tc, folder);
  info = make_copy (tc, folder, 0);
  stp_resident_free (test_add_resident (tc, "После", "Копии"));
  len = info->file_size;

  /* A wrong password. */
  assert_refused (tc, info->path, "не-тот-пароль", STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
  g_assert_null (stp_backup_inspect (info->path, "не-тот-пароль", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
  g_clear_error (&error);

  /* Truncated: at several places, the last one just before the end. */
  {
    gsize cuts[] = { 10, 200, len / 2, len - 40, len - 1 };
    for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
      {
        g_autofree char *p = copy_file (info->path, bad, cuts[i], -1, 0);
        g_autoptr(GError) e = NULL;
        g_assert_false (stp_backup_restore (tc->store, tc->director, p, PASSWORD, NULL, NULL, &e));
        g_assert_true (g_error_matches (e, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT) ||
                       g_error_matches (e, STP_CORE_ERROR, STP_CORE_ERROR_AUTH));
      }
    g_free (copy_file (info->path, bad, len - 1, -1, 0));
    assert_refused (tc, bad, PASSWORD, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
    g_free (copy_file (info->path, bad, len / 2, -1, 0));
    assert_refused (tc, bad, PASSWORD, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
  }
  /* A flipped byte in the middle of the data. */
  {
    g_autofree char *contents = NULL;
    g_assert_true (g_file_get_contents (info->path, &contents, NULL, NULL));
    g_free (copy_file (info->path, bad, 0, len / 2, contents[len / 2] ^ 0x01));
    assert_refused (tc, bad, PASSWORD, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
  }
  /* A newer format (byte 16 is the format's low byte). */
  g_free (copy_file (info->path, bad, 0, 16, STP_BACKUP_FORMAT + 1));
  assert_refused (tc, bad, PASSWORD, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW);
  /* A copy of a database from a newer program version (newer schema). */
  {
    g_autofree char *newer_db = g_build_filename (tc->dir, "newer.db", NULL);
    g_autoptr(StpBackupKey) key = stp_backup_get_key (tc->store);
    g_autoptr(StpBackupInfo) newer = NULL;
    sqlite3 *db = NULL;
    char *vacuum = sqlite3_mprintf ("VACUUM INTO %Q", newer_db);

    g_assert_cmpint (sqlite3_exec (stp_store_get_db (tc->store), vacuum, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_free (vacuum);
    g_assert_cmpint (sqlite3_open (newer_db, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    /* Another folder: in the same one, pruning would keep only the newest
     * copy of the day. */
    newer = stp_backup_write (newer_db, key, tc->dir, 0, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (newer->schema_version, ==, 99);
    assert_refused (tc, newer->path, PASSWORD, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW);
    /* Installing it directly is refused too. */
    {
      g_autofree char *in = g_strconcat (tc->path, ".restore-in", NULL);
      g_autofree char *before = dump_all (tc->store);
      g_autofree char *after = NULL;
      g_assert_true (stp_backup_extract (newer->path, key, in, NULL, NULL, &error));
      g_assert_false (stp_backup_install (tc->store, tc->director, in, &error));
      g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW);
      g_clear_error (&error);
      after = dump_all (tc->store);
      g_assert_cmpstr (before, ==, after);
    }
    g_remove (newer->path);
    g_remove (newer_db);
  }
  /* Not a copy at all. */
  g_free (copy_file (tc->path, bad, 0, -1, 0));
  assert_refused (tc, bad, PASSWORD, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);

  /* A copy of another center, even under the same password. */
  test_center_setup (&other, NULL);
  {
    g_autofree char *other_folder = make_folder (&other);
    g_autoptr(StpBackupInfo) other_info = NULL;

    set_up_backup (&other, other_folder);
    other_info = make_copy (&other, other_folder, 0);
    assert_refused (tc, other_info->path, PASSWORD, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT);
    remove_tree (other_folder);
  }
  test_center_teardown (&other, NULL);

  /* A staff member may not restore. */
  {
    g_autoptr(StpSession) staff = stp_session_new ("u", "staff", "Сотрудник", STP_ROLE_STAFF);
    g_assert_false (stp_backup_restore (tc->store, staff, info->path, PASSWORD, NULL, NULL, &error));
    g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
    g_clear_error (&error);
  }
  /* And the good copy still restores. */
  g_assert_true (stp_backup_restore (tc->store, tc->director, info->path, PASSWORD, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, 10);
  remove_tree (folder);
}

/* --- A copy while another connection keeps saving ------------------------- */

typedef struct
{
  char          *db_path;
  StpBackupKey  *key;
  char          *folder;
  StpBackupInfo *info;
  GError        *error;
  gint           progress_calls;
} WriterJob;

static void
count_progress (double   fraction,
                gpointer user_data)
{
  WriterJob *job = user_data;
  g_assert_cmpfloat (fraction, >=, 0.0);
  g_assert_cmpfloat (fraction, <=, 1.0);
  g_atomic_int_inc (&job->progress_calls);
}

static gpointer
writer_thread (gpointer data)
{
  WriterJob *job = data;

  job->info = stp_backup_write (job->db_path, job->key, job->folder, 0, count_progress, job, &job->error);
  return NULL;
}

static void
test_while_writing (TestCenter    *tc,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder (tc);
  g_autofree char *path = g_build_filename (tc->dir, "restored.db", NULL);
  g_autoptr(StpStore) fresh = NULL;
  WriterJob job = { 0 };
  GThread *thread;
  guint saved = 0;
  gint64 in_copy;

  fill_center (tc, 200);
  set_up_backup (tc, folder);
  job.db_path = tc->path;
  job.key = stp_backup_get_key (tc->store);
  job.folder = folder;
  thread = g_thread_new ("backup", writer_thread, &job);
  /* The window keeps saving while the copy is made. */
  while (saved < 400)
    {
      g_autofree char *surname = g_strdup_printf ("Параллельный-%u", saved++);
      g_autoptr(StpResident) r = test_add_resident (tc, surname, "Антон");
    }
  g_thread_join (thread);
  g_assert_no_error (job.error);
  g_assert_nonnull (job.info);
  g_assert_cmpint (job.progress_calls, >, 0);
  in_copy = job.info->residents;
  g_test_message ("the copy holds %" G_GINT64_FORMAT " of %u residents", in_copy, 200 + saved);
  g_assert_cmpint (in_copy, >=, 200);
  g_assert_cmpint (in_copy, <=, 200 + saved);

  /* The copy is consistent: restored on a new computer, each resident has
   * its relative and its search summary, and it holds what it said. */
  fresh = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (stp_backup_restore (fresh, NULL, job.info->path, PASSWORD, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count (fresh, "SELECT count(*) FROM residents WHERE deleted = 0"), ==, in_copy);
  g_assert_cmpint (test_count (fresh, "SELECT count(*) FROM resident_summaries"), ==,
                   test_count (fresh, "SELECT count(*) FROM residents"));
  {
    g_autofree char *ok = test_text (fresh, "PRAGMA integrity_check");
    g_assert_cmpstr (ok, ==, "ok");
  }
  stp_backup_info_free (job.info);
  stp_backup_key_free (job.key);
  remove_tree (folder);
}

/* --- Retention ------------------------------------------------------------ */

/* A file with the clear part of a copy (stp-backup.h): enough for
 * stp_backup_prune, which reads only that. */
static void
write_fake_copy (const char *folder,
                 const char *center_id,
                 gint64      created,
                 char      **out_path)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (created / G_USEC_PER_SEC);
  g_autofree char *stamp = g_date_time_format (local, "%Y-%m-%d-%H%M%S");
  g_autofree char *name = g_strdup_printf ("stupeni-%s.stpbak", stamp);
  g_autofree char *header = g_strdup_printf ("[backup]\ncenter_id=%s\ncreated=%" G_GINT64_FORMAT "\n",
                                             center_id, created);
  GByteArray *out = g_byte_array_new ();
  guint32 u32;
  guint64 u64;
  guint8 zeros[64] = { 0 };
  char *path = g_build_filename (folder, name, NULL);

  g_byte_array_append (out, (const guint8 *) "STUPENI-BACKUP\n", 16);
  u32 = GUINT32_TO_LE (1);
  g_byte_array_append (out, (guint8 *) &u32, 4);
  u32 = GUINT32_TO_LE (strlen (header));
  g_byte_array_append (out, (guint8 *) &u32, 4);
  g_byte_array_append (out, (guint8 *) header, strlen (header));
  g_byte_array_append (out, zeros, crypto_pwhash_SALTBYTES);
  u64 = GUINT64_TO_LE (crypto_pwhash_OPSLIMIT_INTERACTIVE);
  g_byte_array_append (out, (guint8 *) &u64, 8);
  u64 = GUINT64_TO_LE (crypto_pwhash_MEMLIMIT_INTERACTIVE);
  g_byte_array_append (out, (guint8 *) &u64, 8);
  g_byte_array_append (out, zeros, crypto_secretstream_xchacha20poly1305_HEADERBYTES);
  g_assert_true (g_file_set_contents (path, (char *) out->data, out->len, NULL));
  g_byte_array_unref (out);
  if (out_path != NULL)
    *out_path = path;
  else
    g_free (path);
}

static void
test_retention (TestCenter    *tc,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder (tc);
  g_autofree char *oldest = NULL;
  g_autofree char *foreign = NULL;
  g_autofree char *other_name = g_build_filename (folder, "notes.txt", NULL);
  g_autoptr(GHashTable) kept_days = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Two copies a day (09:00 and 18:00 local) for 400 days up to 2026-03-10. */
  g_autoptr(GDateTime) last_day = g_date_time_new_local (2026, 3, 10, 18, 0, 0);
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint removed = 0, left = 0;

  for (int d = 0; d < 400; d++)
    for (int h = 0; h < 2; h++)
      {
        g_autoptr(GDateTime) t1 = g_date_time_add_days (last_day, -d);
        g_autoptr(GDateTime) t = g_date_time_add_hours (t1, h == 0 ? 0 : -9);
        write_fake_copy (folder, "center-a", g_date_time_to_unix (t) * G_USEC_PER_SEC,
                         d == 399 && h == 1 ? &oldest : NULL);
      }
  /* Another center's copy and another file in the same folder stay. */
  {
    g_autoptr(GDateTime) t = g_date_time_add_days (last_day, -300);
    write_fake_copy (folder, "center-b", (g_date_time_to_unix (t) + 3600) * G_USEC_PER_SEC, &foreign);
  }
  g_assert_true (g_file_set_contents (other_name, "x", 1, NULL));

  g_assert_true (stp_backup_prune (folder, "center-a", oldest, &removed, &error));
  g_assert_no_error (error);

  dir = g_dir_open (folder, 0, NULL);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (!g_str_has_prefix (name, "stupeni-"))
        continue;
      left++;
      if (g_str_has_suffix (foreign, name))
        continue;
      /* At most one copy of a day is kept. */
      {
        g_autofree char *day = g_strndup (name + 8, 10);
        g_assert_false (g_hash_table_contains (kept_days, day));
        g_hash_table_add (kept_days, g_steal_pointer (&day));
      }
    }
  g_test_message ("kept %u, removed %u", left, removed);
  g_assert_cmpuint (left + removed, ==, 801);
  /* The 7 newest days, each by its newest (18:00) copy. */
  for (int d = 0; d < 7; d++)
    {
      g_autoptr(GDateTime) t = g_date_time_add_days (last_day, -d);
      g_autofree char *stamp = g_date_time_format (t, "%Y-%m-%d-180000");
      g_autofree char *p = g_strdup_printf ("%s/stupeni-%s.stpbak", folder, stamp);
      g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
    }
  /* The newest copy of each of the 12 newest months: 2026-03 back to 2025-04. */
  {
    const char *month_ends[] = { "2026-03-10", "2026-02-28", "2026-01-31", "2025-12-31",
                                 "2025-11-30", "2025-10-31", "2025-09-30", "2025-08-31",
                                 "2025-07-31", "2025-06-30", "2025-05-31", "2025-04-30" };
    for (guint i = 0; i < G_N_ELEMENTS (month_ends); i++)
      {
        g_autofree char *p = g_strdup_printf ("%s/stupeni-%s-180000.stpbak", folder, month_ends[i]);
        g_assert_true (g_file_test (p, G_FILE_TEST_EXISTS));
      }
    /* Nothing older than those months but the copy asked to keep. */
    g_assert_false (g_file_test ("%s/stupeni-2025-03-31-180000.stpbak", G_FILE_TEST_EXISTS));
  }
  /* 7 days + weeks not covered by them + months not covered: 7 + 3 + 11
   * at most (the newest week and month hold the newest day), plus the copy
   * asked to keep, plus the other center's. */
  g_assert_cmpuint (left, <=, 7 + 4 + 12 + 1 + 1);
  g_assert_cmpuint (left, >=, 7 + 11 + 1 + 1);
  g_assert_true (g_file_test (oldest, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (foreign, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other_name, G_FILE_TEST_EXISTS));

  /* Pruning again removes nothing more. */
  g_assert_true (stp_backup_prune (folder, "center-a", oldest, &removed, &error));
  g_assert_cmpuint (removed, ==, 0);

  /* The only copy is never removed, however old. */
  {
    g_autofree char *alone = g_build_filename (tc->dir, "alone", NULL);
    g_autofree char *only = NULL;
    g_assert_cmpint (g_mkdir (alone, 0700), ==, 0);
    write_fake_copy (alone, "center-a", G_GINT64_CONSTANT (1500000000) * G_USEC_PER_SEC, &only);
    g_assert_true (stp_backup_prune (alone, "center-a", NULL, &removed, &error));
    g_assert_cmpuint (removed, ==, 0);
    g_assert_true (g_file_test (only, G_FILE_TEST_EXISTS));
    remove_tree (alone);
  }
  remove_tree (folder);
}

/* --- A restored computer does not hand out ids again ----------------------- */

/* Peeks the whole outbox as one batch and returns its msg_id ("sending"),
 * collecting outbox ids and HLCs; then acknowledges it. */
static char *
send_outbox (StpStore   *store,
             GHashTable *outbox_ids,
             guint64    *max_hlc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) changes = stp_sync_store_peek_outbox (store, 64 * 1024 * 1024, 100000, &error);
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GBytes) plain = NULL;
  guint64 batch_hlc = 0;
  char *msg_id;

  g_assert_no_error (error);
  g_assert_cmpuint (changes->len, >, 0);
  for (guint i = 0; i < changes->len; i++)
    {
      StpChange *c = g_ptr_array_index (changes, i);
      g_array_append_val (ids, c->outbox_id);
      if (outbox_ids != NULL)
        {
          g_assert_false (g_hash_table_contains (outbox_ids, &c->outbox_id));
          g_hash_table_add (outbox_ids, g_memdup2 (&c->outbox_id, sizeof (gint64)));
        }
      if (max_hlc != NULL)
        *max_hlc = MAX (*max_hlc, c->hlc);
    }
  plain = stp_sync_batch_encode (changes, &batch_hlc);
  msg_id = stp_sync_batch_msg_id (stp_store_get_device_id (store), plain);
  g_assert_true (stp_sync_store_ack_outbox (store, (gint64 *) ids->data, ids->len, &error));
  g_assert_no_error (error);
  return msg_id;
}

static void
test_ids_after_restore (TestCenter    *tc,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *folder = make_folder (tc);
  g_autoptr(GHashTable) outbox_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GHashTable) msg_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) file_numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(StpBackupInfo) info = NULL;
  g_autofree char *device = g_strdup (stp_store_get_device_id (tc->store));
  g_autofree char *resent = NULL;
  guint64 max_hlc_before = 0;
  guint64 max_hlc_after = 0;
  gint64 max_outbox_before;

  fill_center (tc, 5);
  /* The copy is taken with changes not yet sent. */
  set_up_backup (tc, folder);
  info = make_copy (tc, folder, 0);
  g_hash_table_add (msg_ids, send_outbox (tc->store, outbox_ids, &max_hlc_before));
  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < 4; i++)
        {
          g_autofree char *s = g_strdup_printf ("После-%u-%u", round, i);
          g_autoptr(StpResident) r = test_add_resident (tc, s, "Иван");
          g_assert_nonnull (r->file_number);
          g_hash_table_add (file_numbers, g_strdup (r->file_number));
        }
      g_hash_table_add (msg_ids, send_outbox (tc->store, outbox_ids, &max_hlc_before));
    }
  max_outbox_before = test_count (tc->store, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'");

  /* Restore the older copy: its unsent changes come back to the outbox. */
  g_assert_true (stp_backup_restore (tc->store, tc->director, info->path, PASSWORD, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stp_store_get_device_id (tc->store), ==, device);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM outbox"), >, 0);
  g_assert_cmpint (test_count (tc->store, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"),
                   ==, max_outbox_before);
  /* Sending them again gives the first batch's id: the server answers it
   * with the seq it stored, which is right, as the rows are the same. */
  resent = send_outbox (tc->store, NULL, NULL);
  g_assert_true (g_hash_table_contains (msg_ids, resent));

  /* New work after the restore: new outbox ids, new HLCs, new file
   * numbers, new message ids. */
  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < 4; i++)
        {
          g_autofree char *s = g_strdup_printf ("После-%u-%u", round, i);   /* the same names */
          g_autoptr(StpResident) r = test_add_resident (tc, s, "Иван");
          g_assert_false (g_hash_table_contains (file_numbers, r->file_number));
        }
      {
        char *id = send_outbox (tc->store, outbox_ids, &max_hlc_after);
        g_assert_false (g_hash_table_contains (msg_ids, id));
        g_hash_table_add (msg_ids, id);
      }
    }
  {
    g_autofree char *first_after = test_text (tc->store, "SELECT min(id) FROM outbox");
    g_assert_null (first_after);   /* all acknowledged */
  }
  g_assert_cmpint (test_count (tc->store, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"),
                   >, max_outbox_before);
  g_assert_cmpuint (max_hlc_after, >, max_hlc_before);
  remove_tree (folder);
}


/* A damaged database gives no copy: a copy of it would restore the damage
 * over a good one.  The refusal says why, and the folder stays as it was
 * (no copy, no temporary file), with no plain copy left beside the file. */
static void
test_corrupt_database (TestCenter    *tc,
                       gconstpointer  data)
{
  g_autofree char *folder = make_folder (tc);
  g_autofree char *damaged = g_build_filename (tc->dir, "damaged.db", NULL);
  g_autofree char *plain = g_strconcat (damaged, ".backup-tmp", NULL);
  g_autoptr(StpBackupKey) key = NULL;
  g_autoptr(StpBackupInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GDir) dir = NULL;
  gsize len = 0;
  int page;

  set_up_backup (tc, folder);
  fill_center (tc, 300);
  key = stp_backup_get_key (tc->store);
  /* The good file gives a copy... */
  info = stp_backup_write (tc->path, key, folder, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (info);
  g_remove (info->path);
  g_clear_pointer (&info, stp_backup_info_free);

  /* ...a file whose table pages are overwritten does not. */
  g_assert_cmpint (sqlite3_exec (stp_store_get_db (tc->store), "PRAGMA wal_checkpoint(TRUNCATE)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_true (g_file_get_contents (tc->path, &contents, &len, &error));
  page = (int) test_count (tc->store, "PRAGMA page_size");
  g_assert_cmpuint (len, >, (gsize) page * 12);
  for (gsize p = len / 3 / page; p < 2 * len / 3 / page; p++)
    memset (contents + p * page + 8, 0x5a, page / 2);
  g_assert_true (g_file_set_contents (damaged, contents, (gssize) len, &error));
  g_assert_no_error (error);

  info = stp_backup_write (damaged, key, folder, 0, NULL, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "integrity check"));
  dir = g_dir_open (folder, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
  g_assert_false (g_file_test (plain, G_FILE_TEST_EXISTS));
  remove_tree (folder);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (sodium_init (), >=, 0);

#define ADD(path, func) \
  g_test_add (path, TestCenter, NULL, test_center_setup, func, test_center_teardown)

  ADD ("/backup/password-rules", test_password_rules);
  ADD ("/backup/roundtrip", test_roundtrip);
  ADD ("/backup/new-computer", test_restore_on_new_computer);
  ADD ("/backup/refused", test_refused);
  ADD ("/backup/while-writing", test_while_writing);
  ADD ("/backup/retention", test_retention);
  ADD ("/backup/ids-after-restore", test_ids_after_restore);
  ADD ("/backup/corrupt-database", test_corrupt_database);

  return g_test_run ();
}
