/* stp-test-store.h: helpers for tests that look into a store's SQLite file
 * directly (core, sync and GUI tests); compiled once into
 * tests/libstupeni-test-store-helpers.a, built with the desktop. */
#pragma once

#include "stp-store.h"
#include "stp-test-helpers.h"

G_BEGIN_DECLS

/* The first column of the first row of @sql (a count), -1 without a row;
 * a statement that does not prepare fails the test. */
gint64     stp_test_count       (StpStore   *store,
                                 const char *sql);
/* The first column of the first row of @sql as text, or NULL. */
char      *stp_test_text        (StpStore   *store,
                                 const char *sql);
/* @column of the row @row_id of @table as text, or NULL. */
char      *stp_test_read        (StpStore   *store,
                                 const char *table,
                                 const char *row_id,
                                 const char *column);
/* The date @days from the store's today (negative: before), "YYYY-MM-DD". */
char      *stp_test_days_from_today (StpStore *store,
                                     int       days);

G_END_DECLS
