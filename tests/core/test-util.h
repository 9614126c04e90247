/* test-util.h: shared helpers of the core tests. */
#pragma once

#include <glib/gstdio.h>

#include "stp-core.h"
#include "stp-store-private.h"
#include "stp-test-store.h"

static gint64 test_now_usec;

G_GNUC_UNUSED static gint64
test_clock (gpointer user_data)
{
  return test_now_usec;
}

/* 2026-03-10 12:00:00 UTC, a fixed "now" for date-dependent tests. */
#define TEST_NOW G_GINT64_CONSTANT (1773144000000000)

typedef struct
{
  char       *dir;
  char       *path;
  StpStore   *store;
  StpSession *director;
} TestCenter;

G_GNUC_UNUSED static char *
test_make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("stp-core-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

G_GNUC_UNUSED static void
test_remove_dir (const char *dir)
{
  stp_test_remove_tree (dir);
}

/* The whole of the file @path (which must be readable) and its length. */
G_GNUC_UNUSED static char *
test_read_file (const char *path,
                gsize      *len)
{
  char *contents = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return contents;
}

G_GNUC_UNUSED static void
test_center_setup (TestCenter    *tc,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();

  test_now_usec = TEST_NOW;
  tc->dir = test_make_dir ();
  tc->path = g_build_filename (tc->dir, "center.db", NULL);
  tc->store = stp_store_open (tc->path, &error);
  g_assert_no_error (error);
  stp_store_set_clock (tc->store, test_clock, NULL);
  g_assert_true (stp_store_set_device_code (tc->store, "AB", &error));
  g_assert_no_error (error);

  center->name = g_strdup ("Центр «Ступени»");
  center->region = g_strdup ("Пермский край");
  center->seats_total = 30;
  tc->director = stp_store_create_center (tc->store, center, "director", "Петров Иван Сергеевич",
                                          "secret-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (tc->director);
}

G_GNUC_UNUSED static void
test_center_teardown (TestCenter    *tc,
                      gconstpointer  data)
{
  g_clear_object (&tc->director);
  g_clear_object (&tc->store);
  test_remove_dir (tc->dir);
  g_free (tc->dir);
  g_free (tc->path);
}

G_GNUC_UNUSED static gint64
test_count (StpStore   *store,
            const char *sql)
{
  return stp_test_count (store, sql);
}

G_GNUC_UNUSED static char *
test_text (StpStore   *store,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *s = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (stp_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    s = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return s;
}

/* A saved resident by @session (director when NULL). */
G_GNUC_UNUSED static StpResident *
test_add_resident (TestCenter *tc,
                   const char *surname,
                   const char *name)
{
  g_autoptr(GError) error = NULL;
  StpResident *r = stp_resident_new ();

  r->surname = g_strdup (surname);
  r->name = g_strdup (name);
  r->patronymic = g_strdup ("Петрович");
  r->birth_date = g_strdup ("1990-05-17");
  r->sex = STP_SEX_MALE;
  r->phone = g_strdup ("8 (912) 345-67-89");
  g_assert_true (stp_store_save_resident (tc->store, tc->director, r, &error));
  g_assert_no_error (error);
  return r;
}

G_GNUC_UNUSED static char *
test_first_program_id (TestCenter *tc)
{
  return test_text (tc->store,
                    "SELECT p.id FROM programs p JOIN stages s ON s.program_id = p.id "
                    "GROUP BY p.id ORDER BY count(*) DESC, p.created_at LIMIT 1");
}
