/* bench-report: times the resident report to PDF and the center report for
 * a year on an existing database (DESIGN.md budgets: < 100 ms and < 300 ms).
 *
 *   bench-report --database FILE [--resident ID] [--year YYYY] [--runs N] [--cold]
 *
 * --cold drops the file's pages from the operating system's cache before
 * opening it (posix_fadvise), as after a reboot.
 */
#define G_LOG_DOMAIN "bench-report"

#include "config.h"

#include "stp-report.h"
#include "stp-query.h"
#include "stp-stats.h"
#include "bench-util.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#ifdef G_OS_UNIX
# include <fcntl.h>
# include <unistd.h>
#endif


static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
print_times (const char *what,
             GArray     *times,
             double      budget)
{
  double median;

  g_array_sort (times, compare_doubles);
  median = g_array_index (times, double, times->len / 2);
  g_print ("%-34s min %8.1f ms  median %8.1f ms  max %8.1f ms  (budget %.0f ms: %s)\n",
           what, g_array_index (times, double, 0), median,
           g_array_index (times, double, times->len - 1), budget,
           median < budget ? "PASS" : "OVER");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *database = NULL;
  g_autofree char *resident_id = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GArray) resident_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) center_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) csv_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) stats_times = g_array_new (FALSE, FALSE, sizeof (double));
  int year = 0;
  int runs = 5;
  gboolean cold = FALSE;
  g_autoptr(GArray) days_times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *days_from = NULL;
  GOptionEntry entries[] = {
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database, "The center database", "FILE" },
    { "resident", 'r', 0, G_OPTION_ARG_STRING, &resident_id, "Resident id (default: the first found)", "ID" },
    { "year", 'y', 0, G_OPTION_ARG_INT, &year, "Year of the center report (default: this year)", "YYYY" },
    { "runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Runs of each report (default 5)", "N" },
    { "cold", 0, 0, G_OPTION_ARG_NONE, &cold, "Drop the file from the page cache first", NULL },
    { NULL }
  };

  context = g_option_context_new ("— time the reports");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || database == NULL)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--database FILE is required");
      return EXIT_FAILURE;
    }
  runs = MAX (runs, 1);

  if (cold)
    stp_bench_drop_file_cache (database);
  store = stp_store_open (database, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  session = stp_session_new_system ();

  if (year <= 0)
    {
      g_autofree char *today = stp_store_today (store);

      year = atoi (today);
    }
  from = g_strdup_printf ("%04d-01-01", year);
  to = g_strdup_printf ("%04d-12-31", year);
  {
    g_autofree char *today = stp_store_today (store);

    days_from = g_strdup_printf ("%04d%s", atoi (today) - 1, today + 4);
  }

  if (resident_id == NULL)
    {
      StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
      g_autoptr(GPtrArray) found = NULL;

      query.limit = 1;
      query.in_center_only = TRUE;
      found = stp_store_search_residents (store, session, &query, &error);
      if (found == NULL || found->len == 0)
        {
          g_printerr ("No resident found: %s\n", error != NULL ? error->message : "empty database");
          return EXIT_FAILURE;
        }
      resident_id = g_strdup (((StpResidentSummary *) g_ptr_array_index (found, 0))->id);
    }

  dir = g_dir_make_tmp ("bench-report-XXXXXX", &error);
  g_assert_no_error (error);
  pdf = g_build_filename (dir, "report.pdf", NULL);
  csv = g_build_filename (dir, "report.csv", NULL);

  /* The first run, timed apart: right after opening (with --cold, from the
   * disk); a file not closed cleanly makes it wait for the full check. */
  {
    gint64 start = g_get_monotonic_time ();

    if (!stp_report_resident_to_pdf (store, session, resident_id, pdf, &error))
      {
        g_printerr ("%s\n", error->message);
        return EXIT_FAILURE;
      }
    double ms = (g_get_monotonic_time () - start) / 1000.0;

    g_print ("first resident report after opening (%s cache): %.1f ms (budget 100 ms: %s)\n",
             cold ? "cold" : "warm", ms, ms < 100 ? "PASS" : "OVER");
  }

  for (int i = 0; i < runs; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double ms;

      if (!stp_report_resident_to_pdf (store, session, resident_id, pdf, &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (resident_times, ms);

      /* The core's numbers alone, to tell report time from query time. */
      start = g_get_monotonic_time ();
      {
        g_autoptr(StpCenterStats) stats = stp_store_center_stats (store, session, from, to, &error);

        if (stats == NULL)
          {
            g_printerr ("%s\n", error->message);
            return EXIT_FAILURE;
          }
      }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (stats_times, ms);

      start = g_get_monotonic_time ();
      {
        g_autofree char *today = stp_store_today (store);
        g_autoptr(StpCenterStats) stats = stp_store_center_stats (store, session, days_from, today, &error);

        if (stats == NULL)
          {
            g_printerr ("%s\n", error->message);
            return EXIT_FAILURE;
          }
      }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (days_times, ms);

      start = g_get_monotonic_time ();
      if (!stp_report_center_to_pdf (store, session, from, to, pdf, &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (center_times, ms);

      start = g_get_monotonic_time ();
      if (!stp_report_center_to_csv (store, session, from, to, csv, &error))
        {
          g_printerr ("%s\n", error->message);
          return EXIT_FAILURE;
        }
      ms = (g_get_monotonic_time () - start) / 1000.0;
      g_array_append_val (csv_times, ms);
    }

  g_print ("database %s, resident %s, year %d, %d runs\n", database, resident_id, year, runs);
  print_times ("resident report -> PDF", resident_times, 100);
  print_times ("center stats alone (core query)", stats_times, 300);
  print_times ("center stats, last 365 days", days_times, 300);
  print_times ("center report for a year -> PDF", center_times, 300);
  print_times ("center report for a year -> CSV", csv_times, 300);

  g_unlink (pdf);
  g_unlink (csv);
  g_rmdir (dir);
  return EXIT_SUCCESS;
}
