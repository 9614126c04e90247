/* bench-core.c: times the core operations against the budgets of
 * DESIGN.md on a generated center (see generate.c); each figure is printed
 * with its budget and PASS or OVER.
 *
 *   stupeni-bench-core [--cold] FILE
 *
 * --cold first drops the file's pages from the operating system's cache
 * (posix_fadvise, no root needed), as after a reboot. */
#define G_LOG_DOMAIN "stp-bench"

#include "config.h"

#include "stp-query.h"
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


static void
print_verdict (const char *what,
               double      value,
               double      budget,
               const char *unit)
{
  g_print ("%-40s %9.1f %-3s budget < %.0f %s: %s\n", what, value, unit, budget, unit,
           value < budget ? "PASS" : "OVER");
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

static double
percentile (GArray *ms,
            double  p)
{
  guint index;

  if (ms->len == 0)
    return 0;
  g_array_sort (ms, compare_doubles);
  index = (guint) (p * (ms->len - 1) + 0.5);
  return g_array_index (ms, double, index);
}

static double
since_ms (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* CPU time of this thread in ms: on a loaded machine the wall time
 * mostly measures waiting for a core. */
static double
cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* CPU time of the whole process (the stats count on two threads). */
static double
process_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static long
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmHWM:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

/* The first @n characters of @text, lower-cased. */
static char *
prefix (const char *text,
        int         n)
{
  const char *end = text;

  for (int i = 0; i < n && *end != '\0'; i++)
    end = g_utf8_next_char (end);
  return g_utf8_strdown (text, end - text);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSession) session = stp_session_new_system ();
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GArray) search_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) card_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) report_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) search_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) card_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) report_cpu = g_array_new (FALSE, FALSE, sizeof (double));
  double cpu0, list_cpu;
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  StpResidentQuery everything = STP_RESIDENT_QUERY_INIT;
  g_autofree char *today = NULL;
  char from[16];
  gint64 start;
  double open_ms, list_ms, first_report_ms;
  guint total_results = 0;
  gboolean cold = FALSE;
  double first_card_ms = 0, first_stats_ms = 0, first_card_cpu = 0;
  double year_ms[3], days365_ms[3], year_cpu[3];
  g_autofree char *year_from = NULL;
  g_autofree char *year_to = NULL;

  /* The slow searches are printed in the terminal's charset. */
  setlocale (LC_ALL, "");

  if (argc == 3 && strcmp (argv[1], "--cold") == 0)
    {
      cold = TRUE;
      argv[1] = argv[2];
      argc = 2;
    }
  if (argc != 2 || argv[1][0] == '-')
    {
      g_printerr ("Usage: stupeni-bench-core [--cold] FILE  (a center made by stupeni-generate)\n");
      return 2;
    }
  /* Opening a missing file would create an empty center. */
  if (!g_file_test (argv[1], G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("%s: no such file\n", argv[1]);
      return 2;
    }

  if (cold)
    stp_bench_drop_file_cache (argv[1]);
  start = g_get_monotonic_time ();
  store = stp_store_open (argv[1], &error);
  open_ms = since_ms (start);
  if (store == NULL)
    {
      g_printerr ("Cannot open %s: %s\n", argv[1], error->message);
      return 1;
    }

  /* Right after opening (cold when --cold): one card and the numbers of a
   * year, before anything else has read the file. */
  {
    StpResidentQuery one = STP_RESIDENT_QUERY_INIT;
    g_autoptr(GPtrArray) first = NULL;
    g_autoptr(StpCenterStats) stats = NULL;

    one.limit = 1;
    one.in_center_only = TRUE;
    first = stp_store_search_residents (store, session, &one, &error);
    if (first != NULL && first->len > 0)
      {
        StpResidentSummary *s = g_ptr_array_index (first, 0);
        g_autoptr(StpResident) resident = NULL;
        g_autoptr(GPtrArray) episodes = NULL;
        g_autoptr(GPtrArray) journal = NULL;

        start = g_get_monotonic_time ();
        cpu0 = cpu_ms ();
        resident = stp_store_get (store, session, STP_KIND_RESIDENT, s->id, NULL);
        episodes = stp_store_list (store, session, STP_KIND_EPISODE, "resident_id", s->id, NULL);
        journal = stp_store_list (store, session, STP_KIND_JOURNAL_ENTRY, "resident_id", s->id, NULL);
        first_card_ms = since_ms (start);
        first_card_cpu = cpu_ms () - cpu0;
      }
    today = stp_store_today (store);
    year_from = g_strdup_printf ("%.4s-01-01", today);
    year_to = g_strdup_printf ("%.4s-12-31", today);
    start = g_get_monotonic_time ();
    stats = stp_store_center_stats (store, session, year_from, year_to, &error);
    first_stats_ms = since_ms (start);
    if (stats == NULL)
      {
        g_printerr ("Report failed: %s\n", error->message);
        return 1;
      }
  }

  start = g_get_monotonic_time ();
  cpu0 = cpu_ms ();
  all = stp_store_search_residents (store, session, &everything, &error);
  list_ms = since_ms (start);
  list_cpu = cpu_ms () - cpu0;
  if (all == NULL || all->len == 0)
    {
      g_printerr ("Listing failed: %s\n", error != NULL ? error->message : "no residents");
      return 1;
    }

  /* Typing: 1 to 4 letters of a surname, one query in four with a second
   * word (the first letters of the name). */
  for (int i = 0; i < 1000; i++)
    {
      StpResidentSummary *s = g_ptr_array_index (all, g_rand_int_range (rand, 0, (gint32) all->len));
      g_autofree char *a = prefix (s->surname != NULL ? s->surname : "а", g_rand_int_range (rand, 1, 5));
      g_autofree char *b = prefix (s->name != NULL ? s->name : "а", g_rand_int_range (rand, 1, 4));
      g_autofree char *text = i % 4 == 3 ? g_strdup_printf ("%s %s", a, b) : g_strdup (a);
      StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
      g_autoptr(GPtrArray) found = NULL;
      double ms;

      query.text = text;
      query.limit = 200;
      start = g_get_monotonic_time ();
      cpu0 = cpu_ms ();
      found = stp_store_search_residents (store, session, &query, &error);
      ms = since_ms (start);
      cpu0 = cpu_ms () - cpu0;
      g_array_append_val (search_cpu, cpu0);
      if (found == NULL)
        {
          g_printerr ("Search failed: %s\n", error->message);
          return 1;
        }
      total_results += found->len;
      g_array_append_val (search_ms, ms);
      if (ms > 20)
        g_print ("slow search %-12s %6.1f ms, %u results\n", text, ms, found->len);
    }

  /* Opening a resident card: the resident, episodes with stage entries,
   * relatives and the journal. */
  for (int i = 0; i < 200; i++)
    {
      StpResidentSummary *s = g_ptr_array_index (all, g_rand_int_range (rand, 0, (gint32) all->len));
      g_autoptr(StpResident) resident = NULL;
      g_autoptr(GPtrArray) episodes = NULL;
      g_autoptr(GPtrArray) relatives = NULL;
      g_autoptr(GPtrArray) journal = NULL;
      double ms;

      start = g_get_monotonic_time ();
      cpu0 = cpu_ms ();
      resident = stp_store_get (store, session, STP_KIND_RESIDENT, s->id, &error);
      episodes = stp_store_list (store, session, STP_KIND_EPISODE, "resident_id", s->id, &error);
      for (guint e = 0; episodes != NULL && e < episodes->len; e++)
        {
          StpEpisode *episode = g_ptr_array_index (episodes, e);
          g_autoptr(GPtrArray) entries = stp_store_list (store, session, STP_KIND_STAGE_ENTRY,
                                                         "episode_id", episode->meta.id, NULL);
        }
      relatives = stp_store_list (store, session, STP_KIND_RELATIVE, "resident_id", s->id, NULL);
      journal = stp_store_list (store, session, STP_KIND_JOURNAL_ENTRY, "resident_id", s->id, NULL);
      ms = since_ms (start);
      cpu0 = cpu_ms () - cpu0;
      g_array_append_val (card_cpu, cpu0);
      if (resident == NULL || episodes == NULL)
        {
          g_printerr ("Card failed: %s\n", error != NULL ? error->message : "?");
          return 1;
        }
      g_array_append_val (card_ms, ms);
    }

  g_snprintf (from, sizeof from, "%d%s", atoi (today) - 1, today + 4);
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(StpCenterStats) stats = NULL;
      double ms;

      start = g_get_monotonic_time ();
      cpu0 = cpu_ms ();
      stats = stp_store_center_stats (store, session, from, today, &error);
      ms = since_ms (start);
      cpu0 = cpu_ms () - cpu0;
      g_array_append_val (report_cpu, cpu0);
      if (stats == NULL)
        {
          g_printerr ("Report failed: %s\n", error->message);
          return 1;
        }
      if (i == 0)
        g_print ("report %s..%s: admitted %" G_GINT64_FORMAT ", discharged %" G_GINT64_FORMAT "\n",
                 from, today, stp_center_stats_get (stats, "admitted_by_source", "total"),
                 stp_center_stats_get (stats, "outcomes", "total"));
      g_array_append_val (report_ms, ms);
      days365_ms[i] = ms;
    }
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(StpCenterStats) stats = NULL;

      start = g_get_monotonic_time ();
      cpu0 = process_cpu_ms ();
      stats = stp_store_center_stats (store, session, year_from, year_to, &error);
      year_ms[i] = since_ms (start);
      year_cpu[i] = process_cpu_ms () - cpu0;
      if (stats == NULL)
        {
          g_printerr ("Report failed: %s\n", error->message);
          return 1;
        }
    }

  g_print ("residents                %u\n", all->len);
  g_print ("open                     %8.1f ms\n", open_ms);
  g_print ("list all (no limit)      %8.1f ms\n", list_ms);
  g_print ("search p50 / p95 / max   %8.2f / %.2f / %.2f ms (1000 queries, %u results)\n",
           percentile (search_ms, 0.5), percentile (search_ms, 0.95),
           percentile (search_ms, 1.0), total_results);
  g_print ("card p50 / p95 / max     %8.2f / %.2f / %.2f ms (200 cards)\n",
           percentile (card_ms, 0.5), percentile (card_ms, 0.95), percentile (card_ms, 1.0));
  /* percentile () sorts in place: the first run is read before it. */
  first_report_ms = g_array_index (report_ms, double, 0);
  g_print ("year report first / best %8.1f / %.1f ms\n",
           first_report_ms, percentile (report_ms, 0.0));
  g_print ("CPU time (this thread): list all %.1f ms; search p50 / p95 %.2f / %.2f ms;"
           " card p50 / p95 %.2f / %.2f ms; year report best %.1f ms\n",
           list_cpu, percentile (search_cpu, 0.5), percentile (search_cpu, 0.95),
           percentile (card_cpu, 0.5), percentile (card_cpu, 0.95), percentile (report_cpu, 0.0));
  g_print ("peak RSS                 %8.1f MB\n", peak_rss_kb () / 1024.0);

  /* Against the budgets of DESIGN.md (medians of the repeated ones). */
  g_print ("--- budgets (%s cache) ---\n", cold ? "cold" : "warm");
  g_print ("%-40s %9.1f ms  (no budget of its own)\n", "open", open_ms);
  print_verdict ("first card after opening", first_card_ms, 20, "ms");
  print_verdict ("card, slowest of 200", percentile (card_ms, 1.0), 20, "ms");
  g_print ("  (CPU of this thread: first card %.1f ms, slowest card %.1f ms; the rest of the\n"
           "   wall time is waiting for the disk or for a core)\n",
           first_card_cpu, percentile (card_cpu, 1.0));
  print_verdict ("search p95", percentile (search_ms, 0.95), 5, "ms");
  print_verdict ("first year numbers after opening", first_stats_ms, 300, "ms");
  {
    GArray *y = g_array_new (FALSE, FALSE, sizeof (double));
    GArray *d = g_array_new (FALSE, FALSE, sizeof (double));

    g_array_append_vals (y, year_ms, 3);
    g_array_append_vals (d, days365_ms, 3);
    print_verdict ("year numbers, calendar year (median of 3)", percentile (y, 0.5), 300, "ms");
    g_array_set_size (y, 0);
    g_array_append_vals (y, year_cpu, 3);
    g_print ("  (CPU of the process, both threads: min / median / max %.1f / %.1f / %.1f ms)\n",
             percentile (y, 0.0), percentile (y, 0.5), percentile (y, 1.0));
    print_verdict ("year numbers, last 365 days (median of 3)", percentile (d, 0.5), 300, "ms");
    g_array_unref (y);
    g_array_unref (d);
  }
  return 0;
}
