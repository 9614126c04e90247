/* bench-stats.c: the center report's numbers alone (issue #16 item 4),
 * for the calendar year and the last 365 days, on a center made by
 * stupeni-generate.
 *
 *   stupeni-bench-stats [--runs N] [--dump FILE] [--cold] CENTER.db
 *
 * Prints each run's wall time and the process CPU time (the numbers are
 * counted on three threads; on a loaded machine the wall time is mostly
 * waiting for a core) and what it read (/proc/self/io: read calls, which
 * are SQLite's 4 KiB pages missing from its own cache, and the bytes that
 * came from the disk), then min / median / max, the budget lines (< 300
 * ms, PASS or OVER) and the load average.  The page count does not depend
 * on the load: it is the figure to compare two builds by.  --cold first
 * drops the file's pages from the system's cache (posix_fadvise, no root
 * needed), so the first run reads from the disk.  --dump writes every row
 * (period, section, key, value) of the first run of each period, so that
 * two builds can be compared with diff. */
#include "config.h"

#include "stp-stats.h"
#include "stp-store.h"
#include "bench-util.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef G_OS_UNIX
# include <fcntl.h>
# include <unistd.h>
#endif


/* Read calls and bytes read from the disk by this process so far (-1
 * where /proc/self/io is missing). */
static void
read_io (gint64 *calls,
         gint64 *disk_bytes)
{
  g_autofree char *io = NULL;
  const char *line;

  *calls = *disk_bytes = -1;
  if (!g_file_get_contents ("/proc/self/io", &io, NULL, NULL))
    return;
  if ((line = strstr (io, "syscr:")) != NULL)
    *calls = g_ascii_strtoll (line + 6, NULL, 10);
  if ((line = strstr (io, "\nread_bytes:")) != NULL)
    *disk_bytes = g_ascii_strtoll (line + 12, NULL, 10);
}

static double
process_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static void
print_spread (const char *what,
              GArray     *values)
{
  g_array_sort (values, compare_doubles);
  g_print ("%-28s min / median / max %8.1f / %8.1f / %8.1f ms\n", what,
           g_array_index (values, double, 0),
           g_array_index (values, double, values->len / 2),
           g_array_index (values, double, values->len - 1));
}

static void
print_verdict (const char *what,
               double      ms)
{
  g_print ("%-40s %9.1f ms  budget < 300 ms: %s\n", what, ms, ms < 300 ? "PASS" : "OVER");
}

static void
print_load (void)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    g_print ("load average: %s", load);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSession) session = stp_session_new_system ();
  g_autofree char *today = NULL;
  g_autofree char *dump_path = NULL;
  g_autoptr(GString) dump = g_string_new (NULL);
  int runs = 3;
  gboolean cold = FALSE;
  double first_ms[2] = { 0, }, median_ms[2] = { 0, };
  gint64 start;
  int i = 1;

  setlocale (LC_ALL, "");
  for (; i < argc && argv[i][0] == '-'; i++)
    {
      if (strcmp (argv[i], "--runs") == 0 && i + 1 < argc)
        runs = atoi (argv[++i]);
      else if (strcmp (argv[i], "--dump") == 0 && i + 1 < argc)
        dump_path = g_strdup (argv[++i]);
      else if (strcmp (argv[i], "--cold") == 0)
        cold = TRUE;
      else
        break;
    }
  if (i != argc - 1 || runs < 1)
    {
      g_printerr ("Usage: stupeni-bench-stats [--runs N] [--dump FILE] [--cold] CENTER.db\n");
      return 2;
    }
  /* Opening a missing file would create an empty center. */
  if (!g_file_test (argv[i], G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("%s: no such file\n", argv[i]);
      return 2;
    }
  if (cold)
    stp_bench_drop_file_cache (argv[i]);
  store = stp_store_open (argv[i], &error);
  if (store == NULL)
    {
      g_printerr ("Cannot open %s: %s\n", argv[i], error->message);
      return 1;
    }
  today = stp_store_today (store);
  print_load ();

  for (int p = 0; p < 2; p++)
    {
      g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autofree char *from = NULL;
      g_autofree char *to = NULL;
      const char *name = p == 0 ? "calendar year" : "last 365 days";

      if (p == 0)
        {
          from = g_strdup_printf ("%.4s-01-01", today);
          to = g_strdup_printf ("%.4s-12-31", today);
        }
      else
        {
          from = g_strdup_printf ("%d%s", atoi (today) - 1, today + 4);
          to = g_strdup (today);
        }
      for (int r = 0; r < runs; r++)
        {
          g_autoptr(StpCenterStats) stats = NULL;
          double cpu0 = process_cpu_ms (), ms, c;
          gint64 calls0, disk0, calls1, disk1;

          read_io (&calls0, &disk0);
          start = g_get_monotonic_time ();
          stats = stp_store_center_stats (store, session, from, to, &error);
          ms = (g_get_monotonic_time () - start) / 1000.0;
          c = process_cpu_ms () - cpu0;
          read_io (&calls1, &disk1);
          if (stats == NULL)
            {
              g_printerr ("Report failed: %s\n", error->message);
              return 1;
            }
          g_print ("%s %s..%s run %d: %8.1f ms wall, %8.1f ms CPU, %6" G_GINT64_FORMAT
                   " reads, %6.1f MiB from the disk\n", name, from, to, r + 1, ms, c,
                   calls1 - calls0, (disk1 - disk0) / 1048576.0);
          if (r == 0)
            first_ms[p] = ms;
          g_array_append_val (wall, ms);
          g_array_append_val (cpu, c);
          if (r == 0)
            for (guint k = 0; k < stats->rows->len; k++)
              {
                StpStatRow *row = g_ptr_array_index (stats->rows, k);

                g_string_append_printf (dump, "%s..%s\t%s\t%s\t%" G_GINT64_FORMAT "\n",
                                        from, to, row->section, row->key, row->value);
              }
        }
      g_print ("%s:\n", name);
      print_spread ("  wall", wall);
      median_ms[p] = g_array_index (wall, double, wall->len / 2);
      print_spread ("  CPU (process)", cpu);
    }
  g_print ("--- budgets (%s cache) ---\n", cold ? "cold" : "warm");
  print_verdict (cold ? "calendar year, first run (cold)" : "calendar year, first run", first_ms[0]);
  print_verdict ("calendar year, median", median_ms[0]);
  print_verdict ("last 365 days, median", median_ms[1]);
  print_load ();
  if (dump_path != NULL && !g_file_set_contents (dump_path, dump->str, dump->len, &error))
    {
      g_printerr ("Cannot write %s: %s\n", dump_path, error->message);
      return 1;
    }
  return 0;
}
