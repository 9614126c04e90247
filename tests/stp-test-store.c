#define G_LOG_DOMAIN "stp-test"

#include "config.h"

#include "stp-test-store.h"
#include "stp-store-private.h"

gint64
stp_test_count (StpStore   *store,
                const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (stp_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

char *
stp_test_text (StpStore   *store,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *s = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (stp_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    s = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return s;
}

char *
stp_test_read (StpStore   *store,
               const char *table,
               const char *row_id,
               const char *column)
{
  g_autofree char *sql = g_strdup_printf ("SELECT \"%s\" FROM \"%s\" WHERE id = ?", column, table);
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (stp_store_get_db (store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

char *
stp_test_days_from_today (StpStore *store,
                          int       days)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (stp_store_now (store) / G_USEC_PER_SEC);
  g_autoptr(GDateTime) then = g_date_time_add_days (now, days);

  return g_date_time_format (then, "%Y-%m-%d");
}
