/* bench-sync: first sync of N residents x 12 fields from device A through a
 * real stupeni-server on loopback to a new device B, with each backend.
 * Prints field changes per second, total time and the longest main-loop
 * stall on B (the loop runs a 5 ms timer while B syncs).
 *   bench-sync STUPENI_SERVER [N] [sqlite|postgresql|both] */
#include "config.h"

#include "sync-harness.h"

#include <stdio.h>
#include <stdlib.h>

static gint64 last_tick;
static gint64 max_stall;

static gboolean
on_tick (gpointer user_data)
{
  gint64 now = g_get_monotonic_time ();

  if (last_tick > 0 && now - last_tick > max_stall)
    max_stall = now - last_tick;
  last_tick = now;
  return G_SOURCE_CONTINUE;
}

static const char *fields[] = { "surname", "name", "patronymic", "birth_date", "sex",
                                "citizenship", "phone", "registration_address",
                                "actual_address", "education", "profession", "employment" };

/* Device A's local edits: @n residents of 12 fields, in one transaction. */
static void
write_a (const char *path,
         guint       n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) a = stp_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (stp_store_begin (a, &error));
  for (guint r = 0; r < n; r++)
    {
      char row[40];

      g_snprintf (row, sizeof row, "01890000-0000-7000-8000-%012u", r);
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          char value[64];

          g_snprintf (value, sizeof value, "%s %u", fields[f], r);
          if (!stp_store_write_field (a, "residents", row, fields[f], value, &error))
            g_error ("%s", error->message);
        }
    }
  stp_store_commit (a, &error);
  g_assert_no_error (error);
}

static void
run_backend (const char *binary,
             const char *backend,
             guint       n)
{
  Server server = { backend };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pa = NULL, *pb = NULL;
  g_autofree char *code = NULL, *center = NULL, *code2 = NULL;
  g_autoptr(StpStore) a = NULL;
  g_autoptr(StpStore) b = NULL;
  g_autoptr(StpSyncEngine) ea = NULL;
  g_autoptr(StpSyncEngine) eb = NULL;
  g_autofree char *cached = NULL;
  gint64 t0, t_written, t1, t2, t3, t4;
  guint tick;
  double changes = (double) n * G_N_ELEMENTS (fields);

  if (!h_server_start (&server, binary, 8 * 1024 * 1024))
    {
      g_print ("%s: backend not available, skipped\n", backend);
      return;
    }
  dir = g_dir_make_tmp ("stupeni-bench-sync-XXXXXX", &error);
  g_assert_no_error (error);
  pa = g_build_filename (dir, "a.db", NULL);
  pb = g_build_filename (dir, "b.db", NULL);
  /* A's outbox is written before A enrolls (its changes carry A's own
   * HLC device id, not the server's), so a file written once can be
   * copied for every run: BENCH_SYNC_CACHE=DIR keeps it there. */
  cached = g_getenv ("BENCH_SYNC_CACHE") != NULL
           ? g_strdup_printf ("%s/bench-sync-a-%u.db", g_getenv ("BENCH_SYNC_CACHE"), n) : NULL;
  t0 = g_get_monotonic_time ();
  if (cached == NULL || !g_file_test (cached, G_FILE_TEST_EXISTS))
    write_a (cached != NULL ? cached : pa, n);
  t_written = g_get_monotonic_time ();
  if (cached != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len = 0;

      g_file_get_contents (cached, &contents, &len, &error);
      g_assert_no_error (error);
      g_file_set_contents (pa, contents, (gssize) len, &error);
      g_assert_no_error (error);
    }
  a = stp_store_open (pa, &error);
  g_assert_no_error (error);
  ea = stp_sync_engine_new (a);
  if (g_getenv ("BENCH_SYNC_NO_SNAPSHOT") != NULL)
    stp_sync_engine_set_snapshot_min_bytes (ea, 0);
  center = h_new_center (&server, &code);
  h_enroll (ea, &server, code, "пароль", &error);
  g_assert_no_error (error);
  t1 = g_get_monotonic_time ();
  h_sync (ea, &error);
  g_assert_no_error (error);
  t2 = g_get_monotonic_time ();

  b = stp_store_open (pb, &error);
  g_assert_no_error (error);
  eb = stp_sync_engine_new (b);
  code2 = h_new_code (&server, center);
  h_enroll (eb, &server, code2, "пароль", &error);
  g_assert_no_error (error);
  last_tick = 0;
  max_stall = 0;
  tick = g_timeout_add (5, on_tick, NULL);
  t3 = g_get_monotonic_time ();
  h_sync (eb, &error);
  g_assert_no_error (error);
  t4 = g_get_monotonic_time ();
  g_source_remove (tick);
  if (h_count (b, "SELECT count(*) FROM field_versions") != (gint64) changes)
    g_error ("B has %" G_GINT64_FORMAT " field versions, expected %.0f",
             h_count (b, "SELECT count(*) FROM field_versions"), changes);
  {
    g_autofree char *ha = stp_sync_store_canonical_hash (a);
    g_autofree char *hb = stp_sync_store_canonical_hash (b);

    if (g_strcmp0 (ha, hb) != 0)
      g_error ("A and B hold different data after the sync");
  }

  g_print ("%s: %u residents x 12 = %.0f field changes\n", backend, n, changes);
  g_print ("  local writes on A:         %6.2f s%s\n", (t_written - t0) / 1e6,
           t_written - t0 < 1000 ? " (copied from BENCH_SYNC_CACHE)" : "");
  g_print ("  A: push%s:   %6.2f s  %8.0f changes/s\n",
           g_getenv ("BENCH_SYNC_NO_SNAPSHOT") != NULL ? " (no snapshot)   " : " + send snapshot",
           (t2 - t1) / 1e6, changes / ((t2 - t1) / 1e6));
  g_print ("  B: first sync (pull/snapshot): %6.2f s  %8.0f changes/s\n",
           (t4 - t3) / 1e6, changes / ((t4 - t3) / 1e6));
  g_print ("  sync total (push + pull):  %6.2f s  %8.0f changes/s\n",
           ((t2 - t1) + (t4 - t3)) / 1e6, changes / (((t2 - t1) + (t4 - t3)) / 1e6));
  g_print ("  longest main-loop stall on B: %.1f ms\n", max_stall / 1e3);
  h_server_destroy (&server);
  if (g_getenv ("BENCH_SYNC_KEEP") != NULL)
    g_print ("  kept %s\n", dir);
  else
    h_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  guint n = argc > 2 ? (guint) atoi (argv[2]) : 10000;
  const char *which = argc > 3 ? argv[3] : "both";

  if (argc < 2)
    {
      g_printerr ("usage: %s STUPENI_SERVER [N] [sqlite|postgresql|both]\n", argv[0]);
      return 2;
    }
  if (g_str_equal (which, "sqlite") || g_str_equal (which, "both"))
    run_backend (argv[1], "sqlite", n);
  if (g_str_equal (which, "postgresql") || g_str_equal (which, "both"))
    run_backend (argv[1], "postgresql", n);
  return 0;
}
