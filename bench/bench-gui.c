/* bench-gui: start-up and smoothness of the desktop program on a generated
 * center (DESIGN.md budgets: first drawn window < 400 ms after start, no
 * main-loop stall over 50 ms while typing a search).
 *
 *   xvfb-run -a dbus-run-session -- stupeni-bench-gui CENTER.db
 *
 * Runs the real application on the file (it must have been generated with
 * stupeni-generate: the login "director" / "stupeni-demo" is used) and
 * prints:
 *   - process start → first painted login window (since exec, and since
 *     main ());
 *   - the login (argon2id and its audit event) 4 s after the window
 *     appeared, then session → first painted main
 *     window, → «Обзор» (the first page) counted and shown, and → the whole
 *     list of residents loaded (the residents page is then shown for the
 *     typing);
 *   - the longest main-loop stall while "иван петр" is typed one key at a
 *     time (8 keys a second), while its results arrive, and when the search
 *     is cleared and every resident is listed again;
 *   - RSS with the center open and every resident listed, and the peak.
 * A 5 ms timer on the main loop measures the stalls: a gap between two
 * ticks longer than 5 ms is time the loop could not answer. */
#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "stp-i18n.h"
#include "stp-application.h"
#include "stp-login-window.h"
#include "stp-overview-page.h"
#include "stp-residents-page.h"
#include "stp-window.h"

#define TICK_MS 5
#define KEY_INTERVAL_MS 125
#define LOGIN_PAUSE_MS 4000

typedef enum
{
  PHASE_START,
  PHASE_MAIN_WINDOW,
  PHASE_TYPING,
  PHASE_RESULTS,
  PHASE_CLEARED,
  PHASE_DONE,
  N_PHASES
} Phase;

static const char *phase_names[N_PHASES] = {
  "start-up (login window)",
  "main window, «Обзор» and the list of every resident",
  "typing \"иван петр\" (one key every 125 ms)",
  "results of the last key arriving",
  "search cleared: every resident listed again",
  "",
};

typedef struct
{
  StpApplication   *app;
  const char       *path;
  double            first_paint_ms;
  double            first_paint_cpu_ms;
  gint64            main_start;     /* g_get_monotonic_time () at main () */
  Phase             phase;
  gint64            last_tick;
  gint64            last_tick_cpu;
  gint64            max_stall[N_PHASES];
  gint64            max_stall_cpu[N_PHASES];  /* main thread CPU between two ticks */
  gint64            layout_start_cpu;
  gint64            max_layout_cpu[N_PHASES];
  double            session_build_ms;          /* the window made, one main-loop turn */
  double            session_build_cpu_ms;
  gboolean          presenting;                /* the main window realized since the last tick */
  double            present_ms;                /* the turn that showed it (measure, realize) */
  double            present_cpu_ms;
  gint64            login_painted;
  gint64            login_start;
  double            password_ms;
  gint64            session_started;
  gint64            main_painted;
  gint64            overview_shown;
  gint64            list_shown;
  guint             list_rows;
  guint             result_rows;
  StpWindow        *window;
  StpResidentsPage *page;
  GtkEditable      *search;
  guint             key;
  gint64            results_start;   /* the last key */
  gboolean          last_key_searched;
  gint64            results_loaded;  /* its results in the model */
  double            results_ms;      /* → the frame showing them drawn */
  double            results_loaded_ms;
  gboolean          failed;
  gboolean          startup_only;
  long              rss_open_kb;
  gint64            layout_start;
  gint64            paint_start;
  gint64            max_layout[N_PHASES];
  gint64            max_paint[N_PHASES];
} Bench;

static const char *keys[] = { "и", "ив", "ива", "иван", "иван ", "иван п", "иван пе", "иван пет", "иван петр" };

static double
ms (gint64 from,
    gint64 to)
{
  return (to - from) / 1000.0;
}

/* Milliseconds from the exec of this process to now, from the kernel's
 * start time (clock ticks since boot: 10 ms resolution). */
static double
since_exec_ms (void)
{
  g_autofree char *stat = NULL;
  const char *p;
  unsigned long long start_ticks = 0;
  struct timespec now;

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL))
    return -1;
  p = strrchr (stat, ')');
  if (p == NULL)
    return -1;
  /* Field 22 (starttime); p points at the end of field 2. */
  for (int field = 2; field < 22 && p != NULL; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL || sscanf (p + 1, "%llu", &start_ticks) != 1)
    return -1;
  clock_gettime (CLOCK_BOOTTIME, &now);
  return (now.tv_sec + now.tv_nsec / 1e9) * 1000.0 - start_ticks * 1000.0 / sysconf (_SC_CLK_TCK);
}

/* CPU time of the calling (main) thread, in microseconds: on a loaded
 * machine a stall's wall time is mostly waiting for a core. */
static gint64
thread_cpu_us (void)
{
  struct timespec cpu;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &cpu);
  return cpu.tv_sec * G_USEC_PER_SEC + cpu.tv_nsec / 1000;
}

/* "VmHWM:" (peak) or "VmRSS:" (now) from /proc/self/status, in kB. */
static long
rss_kb (const char *key)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  p = strstr (status, key);
  return p != NULL ? strtol (p + strlen (key), NULL, 10) : -1;
}

static GtkWidget *
find_widget (GtkWidget  *root,
             const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_type (GtkWidget *root,
           GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void find_residents_page (Bench *b);

static gboolean
on_tick (gpointer user_data)
{
  Bench *b = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 cpu = thread_cpu_us ();
  gint64 previous_cpu = b->last_tick_cpu;

  if (b->last_tick > 0 && cpu - previous_cpu > b->max_stall_cpu[b->phase])
    b->max_stall_cpu[b->phase] = cpu - previous_cpu;
  b->last_tick_cpu = cpu;
  if (b->phase == PHASE_MAIN_WINDOW && b->page == NULL)
    find_residents_page (b);
  if (g_getenv ("STUPENI_BENCH_TRACE") != NULL && b->last_tick > 0 && now - b->last_tick > 30000)
    g_printerr ("TRACE %.1f stall of %.1f ms ended (CPU %.1f ms)\n", now / 1000.0, (now - b->last_tick) / 1000.0,
                (cpu - previous_cpu) / 1000.0);
  if (b->presenting && b->last_tick > 0)
    {
      /* The ticks' interval that showed the main window (the application
       * shows it a turn after the login's turn made it). */
      b->presenting = FALSE;
      b->present_ms = ms (b->last_tick, now) - TICK_MS;
      b->present_cpu_ms = (cpu - previous_cpu) / 1000.0;
    }
  if (b->last_tick > 0 && now - b->last_tick - TICK_MS * 1000 > b->max_stall[b->phase])
    b->max_stall[b->phase] = now - b->last_tick - TICK_MS * 1000;
  b->last_tick = now;
  return G_SOURCE_CONTINUE;
}

static void
finish (Bench *b)
{
  b->rss_open_kb = rss_kb ("VmRSS:");
  b->phase = PHASE_DONE;
  g_application_quit (G_APPLICATION (b->app));
}

static gboolean
type_next_key (gpointer user_data)
{
  Bench *b = user_data;

  /* What a key press in the entry does (the text changes; the entry's
   * own key handling is not measured). */
  if (b->key + 1 == G_N_ELEMENTS (keys))
    {
      b->results_start = g_get_monotonic_time ();
      b->phase = PHASE_RESULTS;
    }
  {
    /* The key's letter at the end of the text, as typing does it (setting
     * the whole text would empty the entry first, which searches for
     * everyone). */
    const char *typed = keys[b->key];
    const char *before = b->key > 0 ? keys[b->key - 1] : "";
    int position = -1;

    g_assert (g_str_has_prefix (typed, before));
    gtk_editable_set_position (b->search, -1);
    position = gtk_editable_get_position (b->search);
    gtk_editable_insert_text (b->search, typed + strlen (before), -1, &position);
  }
  b->key++;
  return b->key < G_N_ELEMENTS (keys) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
on_results_painted (GdkFrameClock *clock,
                    Bench         *b)
{
  g_signal_handlers_disconnect_by_func (clock, on_results_painted, b);
  b->results_ms = ms (b->results_start, g_get_monotonic_time ());
  b->results_loaded_ms = ms (b->results_start, b->results_loaded);
  b->phase = PHASE_CLEARED;
  gtk_editable_set_text (b->search, "");
}

static void
on_search_changed (GtkSearchEntry *entry,
                   Bench          *b)
{
  /* After the page's own handler, which started the search. */
  if (b->phase == PHASE_RESULTS)
    b->last_key_searched = TRUE;
}

/* Typing starts once both the list and «Обзор» are done. */
static void
start_typing (Bench *b)
{
  if (b->list_shown == 0 || b->overview_shown == 0 || b->phase != PHASE_MAIN_WINDOW)
    return;
  b->last_tick = 0;
  b->phase = PHASE_TYPING;
  b->key = 0;
  stp_window_show_page (b->window, "residents");
  gtk_widget_grab_focus (GTK_WIDGET (b->search));
  g_timeout_add (KEY_INTERVAL_MS, type_next_key, b);
}

static void
on_overview_loaded (StpOverviewPage *page,
                    Bench           *b)
{
  if (b->overview_shown == 0)
    b->overview_shown = g_get_monotonic_time ();
  if (g_getenv ("STUPENI_BENCH_TRACE") != NULL)
    g_printerr ("TRACE %.1f «Обзор» loaded\n", g_get_monotonic_time () / 1000.0);
  start_typing (b);
}

static void
on_residents_loaded (StpResidentsPage *page,
                     Bench            *b)
{
  guint n = g_list_model_get_n_items (stp_residents_page_get_model (page));

  switch (b->phase)
    {
    case PHASE_MAIN_WINDOW:
      if (stp_residents_page_is_loading (page))
        return;
      if (b->list_shown == 0)
        b->list_shown = g_get_monotonic_time ();
      if (g_getenv ("STUPENI_BENCH_TRACE") != NULL)
        g_printerr ("TRACE %.1f list loaded\n", g_get_monotonic_time () / 1000.0);
      b->list_rows = n;
      start_typing (b);
      break;

    case PHASE_RESULTS:
      /* Not the results of an earlier key arriving meanwhile. */
      if (!b->last_key_searched || stp_residents_page_is_loading (page) || b->results_loaded > 0)
        return;
      /* Measured to the end of the frame that shows them. */
      b->results_loaded = g_get_monotonic_time ();
      b->result_rows = n;
      g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b->window)), "after-paint",
                        G_CALLBACK (on_results_painted), b);
      gtk_widget_queue_draw (GTK_WIDGET (page));
      break;

    case PHASE_CLEARED:
      if (stp_residents_page_is_loading (page) || n < b->list_rows)
        return;
      finish (b);
      break;

    case PHASE_START:
    case PHASE_TYPING:
    case PHASE_DONE:
    case N_PHASES:
    default:
      break;
    }
}

/* The residents page, once the window has made it; its list is still
 * loading in its thread then. */
static void
find_residents_page (Bench *b)
{
  if (b->page != NULL || b->window == NULL)
    return;
  b->page = STP_RESIDENTS_PAGE (find_type (GTK_WIDGET (b->window), STP_TYPE_RESIDENTS_PAGE));
  if (b->page == NULL)
    {
      if (stp_window_is_built (b->window))
        {
          g_printerr ("The main window has no residents page\n");
          b->failed = TRUE;
          finish (b);
        }
      return;
    }
  b->search = GTK_EDITABLE (find_widget (GTK_WIDGET (b->page), "search"));
  if (b->search == NULL)
    {
      g_printerr ("The residents page has no search entry\n");
      b->failed = TRUE;
      finish (b);
      return;
    }
  g_signal_connect (b->page, "loaded", G_CALLBACK (on_residents_loaded), b);
  g_signal_connect_after (b->search, "search-changed", G_CALLBACK (on_search_changed), b);
  if (!stp_residents_page_is_loading (b->page))
    on_residents_loaded (b->page, b);
}

static void
on_main_after_paint (GdkFrameClock *clock,
                     Bench         *b)
{
  if (b->main_painted == 0)
    b->main_painted = g_get_monotonic_time ();
  if (g_getenv ("STUPENI_BENCH_TRACE") != NULL)
    g_printerr ("TRACE %.1f main window painted\n", g_get_monotonic_time () / 1000.0);
  g_signal_handlers_disconnect_by_func (clock, on_main_after_paint, b);
}

static void
on_layout (GdkFrameClock *clock,
           Bench         *b)
{
  b->layout_start = g_get_monotonic_time ();
  b->layout_start_cpu = thread_cpu_us ();
}

static void
on_paint (GdkFrameClock *clock,
          Bench         *b)
{
  b->paint_start = g_get_monotonic_time ();
  if (b->layout_start > 0 && thread_cpu_us () - b->layout_start_cpu > b->max_layout_cpu[b->phase])
    b->max_layout_cpu[b->phase] = thread_cpu_us () - b->layout_start_cpu;
  if (g_getenv ("STUPENI_BENCH_TRACE") != NULL && b->layout_start > 0 && b->paint_start - b->layout_start > 15000)
    g_printerr ("TRACE %.1f layout of %.1f ms (CPU %.1f ms)\n", b->paint_start / 1000.0,
                (b->paint_start - b->layout_start) / 1000.0, (thread_cpu_us () - b->layout_start_cpu) / 1000.0);
  if (b->layout_start > 0 && b->paint_start - b->layout_start > b->max_layout[b->phase])
    b->max_layout[b->phase] = b->paint_start - b->layout_start;
}

static void
on_after_paint (GdkFrameClock *clock,
                Bench         *b)
{
  gint64 now = g_get_monotonic_time ();

  if (b->paint_start > 0 && now - b->paint_start > b->max_paint[b->phase])
    b->max_paint[b->phase] = now - b->paint_start;
  b->layout_start = b->paint_start = 0;
}

static void
on_main_realize (GtkWidget *window,
                 Bench     *b)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (window);

  b->presenting = TRUE;
  /* How much of a stall is the window's own layout and drawing. */
  g_signal_connect (clock, "layout", G_CALLBACK (on_layout), b);
  g_signal_connect (clock, "paint", G_CALLBACK (on_paint), b);
  g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), b);

  /* The residents page comes a main-loop turn after the window
   * (stp_window_new_staged): found by find_residents_page (). */
  find_residents_page (b);
  {
    GtkWidget *overview = find_type (window, STP_TYPE_OVERVIEW_PAGE);

    if (overview != NULL)
      g_signal_connect (overview, "loaded", G_CALLBACK (on_overview_loaded), b);
    else
      b->overview_shown = -1;
  }
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_main_after_paint), b);
}

static void
logged_in (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Bench *b = user_data;
  GtkWindow *login = gtk_application_get_active_window (GTK_APPLICATION (b->app));
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gint64 cpu = thread_cpu_us ();
  gint64 wall = g_get_monotonic_time ();

  /* What the login window does when the check is done (its audit event,
   * then the signal the application answers with the main window), in
   * one turn of the main loop. */
  session = stp_store_login_finish (STP_STORE (source), result, &error);
  if (session == NULL)
    {
      g_printerr ("Cannot log in as director/stupeni-demo: %s\n", error->message);
      b->failed = TRUE;
      finish (b);
      return;
    }
  b->password_ms = ms (b->login_start, g_get_monotonic_time ());
  b->phase = PHASE_MAIN_WINDOW;
  b->session_started = g_get_monotonic_time ();
  if (g_getenv ("STUPENI_BENCH_TRACE") != NULL)
    g_printerr ("TRACE %.1f session started\n", b->session_started / 1000.0);
  g_signal_emit_by_name (login, "session-started", session);
  b->session_build_ms = ms (wall, g_get_monotonic_time ());
  b->session_build_cpu_ms = (thread_cpu_us () - cpu) / 1000.0;
  b->last_tick = 0;
}

static gboolean
log_in (gpointer user_data)
{
  Bench *b = user_data;

  /* The password's check runs on a thread, as the login button does it
   * (stp-login-window.c); its stalls count in the start-up phase. */
  b->login_start = g_get_monotonic_time ();
  stp_store_login_async (stp_application_get_store (b->app), "director", "stupeni-demo", logged_in, b);
  return G_SOURCE_REMOVE;
}

static void
on_login_after_paint (GdkFrameClock *clock,
                      Bench         *b)
{
  if (b->login_painted == 0)
    {
      b->login_painted = g_get_monotonic_time ();
      b->first_paint_ms = since_exec_ms ();
      {
        struct timespec cpu;

        /* On a loaded machine the wall time mostly measures waiting for
         * a core: the CPU the process used (all its threads) tells more. */
        clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &cpu);
        b->first_paint_cpu_ms = cpu.tv_sec * 1000.0 + cpu.tv_nsec / 1e6;
      }
      g_print ("first painted window (login)  %8.1f ms after exec, %.1f ms after main (), %.1f ms of CPU\n",
               b->first_paint_ms, ms (b->main_start, b->login_painted), b->first_paint_cpu_ms);
      if (b->startup_only)
        {
          finish (b);
          g_signal_handlers_disconnect_by_func (clock, on_login_after_paint, b);
          return;
        }
      /* A person takes seconds to type a password; on a large file the
       * store's integrity check runs meanwhile, and the first write (the
       * login's audit event) would wait for it. */
      g_timeout_add (LOGIN_PAUSE_MS, log_in, b);
    }
  g_signal_handlers_disconnect_by_func (clock, on_login_after_paint, b);
}

static void
on_login_realize (GtkWidget *window,
                  Bench     *b)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (on_login_after_paint), b);
}

static void
on_window_added (GtkApplication *app,
                 GtkWindow      *window,
                 Bench          *b)
{
  if (STP_IS_LOGIN_WINDOW (window) && b->login_painted == 0)
    {
      g_signal_connect (window, "realize", G_CALLBACK (on_login_realize), b);
    }
  else if (STP_IS_WINDOW (window) && b->window == NULL)
    {
      b->window = STP_WINDOW (window);
      g_signal_connect (window, "realize", G_CALLBACK (on_main_realize), b);
    }
  else if (!STP_IS_LOGIN_WINDOW (window))
    {
      g_printerr ("Unexpected first window %s (is %s a generated center?)\n",
                  G_OBJECT_TYPE_NAME (window), b->path);
      b->failed = TRUE;
      finish (b);
    }
}


int
main (int   argc,
      char *argv[])
{
  Bench b = { 0, };
  char *app_argv[4];
  int status;

  b.main_start = g_get_monotonic_time ();
  stp_i18n_init (TRUE);

  if (argc == 3 && strcmp (argv[1], "--startup-only") == 0)
    {
      /* Only the start-up (for profiling it, or timing it many times). */
      b.startup_only = TRUE;
      argv++;
      argc--;
    }
  if (argc != 2)
    {
      g_printerr ("Usage: %s [--startup-only] CENTER.db  (a center made by stupeni-generate; run under a display)\n", argv[0]);
      return 2;
    }
  b.path = argv[1];
  if (!g_file_test (b.path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("%s: no such file\n", b.path);
      return 2;
    }

  b.app = stp_application_new ();
  g_application_set_flags (G_APPLICATION (b.app),
                           g_application_get_flags (G_APPLICATION (b.app)) | G_APPLICATION_NON_UNIQUE);
  g_signal_connect (b.app, "window-added", G_CALLBACK (on_window_added), &b);
  g_timeout_add (TICK_MS, on_tick, &b);

  app_argv[0] = argv[0];
  app_argv[1] = (char *) "--database";
  app_argv[2] = argv[1];
  app_argv[3] = NULL;
  status = g_application_run (G_APPLICATION (b.app), 3, app_argv);

  if (b.failed || b.phase != PHASE_DONE)
    {
      g_printerr ("The measurement did not finish\n");
      return 1;
    }
  if (b.startup_only)
    {
      g_print ("%-40s %9.1f ms  budget < 400 ms: %s\n", "start → first painted window",
               b.first_paint_ms, b.first_paint_ms < 400 ? "PASS" : "OVER");
      g_print ("%-40s %9.1f ms  (CPU of the process until then)\n", "", b.first_paint_cpu_ms);
      g_object_unref (b.app);
      return status;
    }

  g_print ("login (argon2id on a thread, then audit), %d ms after the login window  %.1f ms\n",
           LOGIN_PAUSE_MS, b.password_ms);
  g_print ("session → main window painted %8.1f ms\n", ms (b.session_started, b.main_painted));
  if (b.overview_shown > 0)
    g_print ("session → «Обзор» counted, shown %8.1f ms\n", ms (b.session_started, b.overview_shown));
  g_print ("session → %u residents listed %8.1f ms\n", b.list_rows, ms (b.session_started, b.list_shown));
  g_print ("last key → %u results shown  %8.1f ms (in the model after %.1f ms, then drawn)\n",
           b.result_rows, b.results_ms, b.results_loaded_ms);
  g_print ("login → main window made  %8.1f ms (CPU %.1f ms)\n",
           b.session_build_ms, b.session_build_cpu_ms);
  g_print ("next turn: main window shown (measured, realized)  %8.1f ms (CPU %.1f ms)\n",
           b.present_ms, b.present_cpu_ms);
  g_print ("longest main-loop stall (and the longest layout, paint of a frame in it);\n"
           "  CPU of the main thread: most between two ticks, most in one layout:\n");
  for (Phase p = PHASE_START; p < PHASE_DONE; p++)
    g_print ("  %-48s %6.1f ms  (%.1f, %.1f)  CPU %.1f, %.1f ms\n", phase_names[p], b.max_stall[p] / 1000.0,
             b.max_layout[p] / 1000.0, b.max_paint[p] / 1000.0,
             b.max_stall_cpu[p] / 1000.0, b.max_layout_cpu[p] / 1000.0);
  g_print ("RSS with the whole list shown  %8.1f MB (peak %.1f MB)\n",
           b.rss_open_kb / 1024.0, rss_kb ("VmHWM:") / 1024.0);

  /* Against the budgets of DESIGN.md. */
  {
    double worst = 0;

    for (Phase p = PHASE_START; p < PHASE_DONE; p++)
      worst = MAX (worst, b.max_stall[p] / 1000.0);
    g_print ("--- budgets ---\n");
    g_print ("%-40s %9.1f ms  budget < 400 ms: %s\n", "start → first painted window",
             b.first_paint_ms, b.first_paint_ms < 400 ? "PASS" : "OVER");
    g_print ("%-40s %9.1f ms  (CPU of the process until then)\n", "", b.first_paint_cpu_ms);
    g_print ("%-40s %9.1f ms  budget < 50 ms: %s\n", "start-up stall",
             b.max_stall[PHASE_START] / 1000.0, b.max_stall[PHASE_START] / 1000.0 < 50 ? "PASS" : "OVER");
    g_print ("%-40s %9.1f ms  budget < 50 ms: %s\n", "longest main-loop stall, phases above",
             worst, worst < 50 ? "PASS" : "OVER");
    {
      double worst_cpu = 0;

      for (Phase p = PHASE_START; p < PHASE_DONE; p++)
        worst_cpu = MAX (worst_cpu, b.max_stall_cpu[p] / 1000.0);
      g_print ("%-40s %9.1f ms  (CPU of the main thread in the worst stall)\n", "", worst_cpu);
    }
    /* The turn of the main loop after the password's check (its audit
     * event, written on the check's thread since session 4, and the main
     * window made, stp-application.c), and the next one, which shows the
     * window; both are main-loop stalls too. */
    g_print ("%-40s %9.1f ms  budget < 50 ms: %s\n", "login turn: audit + main window made",
             b.session_build_ms, b.session_build_ms < 50 ? "PASS" : "OVER");
    g_print ("%-40s %9.1f ms  (CPU of the main thread in it)\n", "", b.session_build_cpu_ms);
    g_print ("%-40s %9.1f ms  budget < 50 ms: %s\n", "next turn: main window shown",
             b.present_ms, b.present_ms < 50 ? "PASS" : "OVER");
    g_print ("%-40s %9.1f ms  (CPU of the main thread in it)\n", "", b.present_cpu_ms);
    g_print ("%-40s %9.1f ms  budget < 50 ms: %s\n", "keystroke → list updated, drawn",
             b.results_ms, b.results_ms < 50 ? "PASS" : "OVER");
    g_print ("%-40s %9.1f MB  budget < 150 MB: %s\n", "RSS with every resident listed",
             b.rss_open_kb / 1024.0, b.rss_open_kb / 1024.0 < 150 ? "PASS" : "OVER");
  }

  g_object_unref (b.app);
  return status;
}
