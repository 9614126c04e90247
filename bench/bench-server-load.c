/* bench-server-load: many centers at once against a real stupeni-server on
 * loopback (issue 14).  Bounded in time and count; loopback only.
 *
 *   stupeni-bench-server-load STUPENI_SERVER [sqlite|postgresql|both] [SECONDS] [RUNS]
 *
 * 1. Levels of 1, 5, 20 and 50 clients, each an enrolled device of its own
 *    center, each pushing one small envelope and pulling what is new, in a
 *    loop for SECONDS (default 5): requests per second and p50/p99 latency.
 * 2. One client pulling a page of about 14 MB over and over while 5 others
 *    push small envelopes: the pushes' p50/p99, with the server's default
 *    worker pools and again with workers=1.
 * Each is repeated RUNS times (default 3); min/median/max are printed, with
 * the CPU time of the server and of the clients beside the wall time and
 * the load average, and at the end the two goals with PASS/OVER.
 * BENCH_PHASES=levels or =mixed runs one part only; BENCH_LEVELS=1,20 runs
 * only those levels; BENCH_WORKERS=N sets the pool size.  The server's request log (one line per request, with
 * where its time went) goes to stderr. */
#include "config.h"

#include "sync-harness.h"

/* The core and the protocol each define the HLC macros, the same way. */
#undef STP_HLC_MAKE
#undef STP_HLC_MILLIS
#undef STP_HLC_COUNTER
#include "stp-envelope.h"
#include "stp-sync-client.h"

#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#define SMALL_PLAINTEXT 1024
#define BIG_ENVELOPES   10
#define BIG_PLAINTEXT   (1024 * 1024)     /* 10 x 1 MiB -> a 14 MB page in base64 */

typedef struct
{
  Server     *server;
  char       *center;
  char       *device;
  char       *token;
  guint       index;
  gboolean    big_puller;
  gboolean    push_only;
  gint64      deadline;
  GArray     *latencies;                  /* gint64 µs, of the requests that count */
  guint       requests;
  guint       failures;
  gint64      last_seq;
} Client;

static guint8 key[32];

static gboolean
accept_any (SoupMessage *msg, GTlsCertificate *cert, GTlsCertificateFlags errors, gpointer data)
{
  return TRUE;
}

static SoupSession *
new_session (void)
{
  return soup_session_new_with_options ("timeout", 120, "max-conns-per-host", 2, NULL);
}

/* One request; returns the HTTP status (0 on a transport error). */
static guint
send_request (SoupSession  *session,
              Client       *client,
              const char   *method,
              const char   *path,
              const char   *body,
              GBytes      **reply)
{
  g_autofree char *url = g_strdup_printf ("%s%s", client->server->url, path);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) response = NULL;

  if (client->token != NULL)
    {
      g_autofree char *auth = g_strdup_printf ("Bearer %s", client->token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  response = soup_session_send_and_read (session, msg, NULL, &error);
  if (response == NULL)
    {
      g_printerr ("request failed: %s\n", error->message);
      return 0;
    }
  if (reply != NULL)
    *reply = g_steal_pointer (&response);
  return soup_message_get_status (msg);
}

/* GET @path, reading the reply in 64 KiB reads and keeping none of it: the
 * big puller stands for another center's computer, and should cost this
 * process (which shares the machine with the server) as little as it can. */
static guint
read_and_drop (SoupSession *session,
               Client      *client,
               const char  *path,
               gsize       *size)
{
  g_autofree char *url = g_strdup_printf ("%s%s", client->server->url, path);
  g_autofree char *auth = g_strdup_printf ("Bearer %s", client->token);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *buffer = g_malloc (64 * 1024);
  gssize n;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  *size = 0;
  if ((stream = soup_session_send (session, msg, NULL, &error)) == NULL)
    {
      g_printerr ("request failed: %s\n", error->message);
      return 0;
    }
  while ((n = g_input_stream_read (stream, buffer, 64 * 1024, NULL, &error)) > 0)
    *size += (gsize) n;
  if (n < 0)
    {
      g_printerr ("reading the reply failed: %s\n", error->message);
      return 0;
    }
  g_input_stream_close (stream, NULL, NULL);
  return soup_message_get_status (msg);
}

static char *
push_body (Client *client,
           guint   n,
           gsize   plaintext_len)
{
  GString *out = g_string_new ("{\"envelopes\":[");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("%s.%u.%" G_GINT64_FORMAT, client->device, i,
                                                 g_get_real_time ());
      g_autoptr(StpEnvelope) envelope = stp_envelope_new (client->center, client->device, msg_id,
                                                          STP_HLC_MAKE (g_get_real_time () / 1000, i),
                                                          1, "key-1");
      g_autofree guint8 *plain = g_malloc (plaintext_len);
      g_autofree char *json = NULL;

      for (gsize j = 0; j < plaintext_len; j++)
        plain[j] = (guint8) g_random_int ();
      g_assert_true (stp_envelope_seal (envelope, key, plain, plaintext_len, NULL));
      json = stp_envelope_to_json (envelope);
      g_string_append_printf (out, "%s%s", i > 0 ? "," : "", json);
    }
  g_string_append (out, "]}");
  return g_string_free (out, FALSE);
}

static void
enroll_client (Server *server,
               Client *client)
{
  g_autoptr(SoupSession) session = new_session ();
  g_autofree char *code = NULL;
  g_autofree char *body = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *object;

  client->server = server;
  g_free (h_new_center (server, &code));
  body = g_strdup_printf ("{\"code\":\"%s\",\"device_name\":\"bench %u\"}", code, client->index);
  g_assert_cmpuint (send_request (session, client, "POST", "/v1/enroll", body, &reply), ==, 200);
  json = stp_json_parse (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), NULL);
  object = json_node_get_object (json);
  client->center = g_strdup (json_object_get_string_member (object, "center"));
  client->device = g_strdup (json_object_get_string_member (object, "device"));
  client->token = g_strdup (json_object_get_string_member (object, "token"));
}

/* One push or one pull of the real desktop client's HTTP layer
 * (StpSyncClient): its session, its flags, its bounded read and its JSON
 * parse, so that the bench's clients cost what a center's computer does. */
static guint
client_request (StpSyncClient *sync_client,
                const char    *method,
                const char    *path,
                const char    *body,
                gint64        *last_seq)
{
  g_autoptr(GError) error = NULL;
  StpSyncReply reply;
  guint status;

  if (!stp_sync_client_request (sync_client, method, path, body, body != NULL ? strlen (body) : 0,
                                &reply, NULL, &error))
    {
      g_printerr ("request failed: %s\n", error->message);
      stp_sync_reply_clear (&reply);
      return 0;
    }
  status = reply.status;
  if (last_seq != NULL && stp_sync_reply_is_ok_object (&reply))
    *last_seq = json_object_get_int_member (json_node_get_object (reply.json), "last_seq");
  stp_sync_reply_clear (&reply);
  return status;
}

static gpointer
client_thread (gpointer data)
{
  Client *client = data;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(StpSyncClient) sync_client = NULL;
  g_autofree char *push_path = g_strdup_printf ("/v1/centers/%s/push", client->center);

  /* The big puller reads and drops (below); the others are real clients,
   * each keeping its session (and so its connection) for the whole run,
   * as one sync job does. */
  if (client->big_puller)
    session = new_session ();
  else
    sync_client = stp_sync_client_new (client->server->url, client->token, NULL, NULL, 0);

  while (g_get_monotonic_time () < client->deadline)
    {
      gint64 start = g_get_monotonic_time ();
      guint status;

      if (client->big_puller)
        {
          g_autofree char *path = g_strdup_printf ("/v1/centers/%s/pull?after=0&limit=1000&max_bytes=%d",
                                                   client->center, 16 * 1024 * 1024);
          gsize size = 0;

          status = read_and_drop (session, client, path, &size);
          if (status == 200 && size < 13 * 1000 * 1000)
            g_error ("the big page has only %" G_GSIZE_FORMAT " bytes", size);
        }
      else
        {
          g_autofree char *body = push_body (client, 1, SMALL_PLAINTEXT);

          /* The time of the request alone, not of sealing its envelope. */
          start = g_get_monotonic_time ();
          status = client_request (sync_client, "POST", push_path, body, NULL);
          if (status == 200)
            {
              gint64 us = g_get_monotonic_time () - start;
              g_array_append_val (client->latencies, us);
            }
          client->requests++;
          if (status != 200)
            client->failures++;
          if (client->push_only || g_get_monotonic_time () >= client->deadline)
            continue;

          start = g_get_monotonic_time ();
          {
            g_autofree char *path = g_strdup_printf ("/v1/centers/%s/pull?after=%" G_GINT64_FORMAT
                                                     "&limit=100", client->center, client->last_seq);

            status = client_request (sync_client, "GET", path, NULL, &client->last_seq);
          }
        }
      if (status == 200)
        {
          gint64 us = g_get_monotonic_time () - start;
          if (!client->big_puller)
            g_array_append_val (client->latencies, us);
        }
      client->requests++;
      if (status != 200)
        client->failures++;
    }
  return NULL;
}

static int
compare_int64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

static double
percentile_ms (GArray *values, double p)
{
  guint i;

  if (values->len == 0)
    return 0;
  g_array_sort (values, compare_int64);
  i = (guint) MIN ((double) values->len - 1, p * values->len);
  return g_array_index (values, gint64, i) / 1000.0;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
print_stats (const char *what, GArray *values)
{
  g_array_sort (values, compare_double);
  printf ("    %-22s min %9.1f  median %9.1f  max %9.1f\n", what,
          g_array_index (values, double, 0), g_array_index (values, double, values->len / 2),
          g_array_index (values, double, values->len - 1));
}

static void
load_average (void)
{
  g_autofree char *text = NULL;

  if (g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    printf ("    load average (1, 5, 15 min): %s", text);
}

/* CPU seconds (user + system) the server process has used so far: on a
 * shared, loaded machine the time per request it costs says more than
 * wall-clock rates do. */
static double
server_cpu_seconds (Server *server)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", g_subprocess_get_identifier (server->process));
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return 0;
  fields = g_strsplit (end + 2, " ", -1);
  /* After "pid (comm) ": state is field 0, utime 11 and stime 12. */
  if (g_strv_length (fields) < 13)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) / sysconf (_SC_CLK_TCK);
}

/* The server's resident memory now and at its peak (kB), from
 * /proc/PID/status: what keeping large buffers in the heap costs
 * (keep_large_buffers() in src/server/stp-server-main.c). */
static void
print_server_memory (Server *server, const char *when)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (server->process));
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint64 rss = 0, hwm = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "VmRSS:"))
        rss = g_ascii_strtoull (lines[i] + 6, NULL, 10);
      else if (g_str_has_prefix (lines[i], "VmHWM:"))
        hwm = g_ascii_strtoull (lines[i] + 6, NULL, 10);
    }
  printf ("server memory %s: RSS %.1f MB, peak %.1f MB\n", when, rss / 1024.0, hwm / 1024.0);
}

/* Runs @n clients (the first @n of @clients) for @seconds; fills req/s and
 * the latency percentiles of the requests that count. */
static void
run_level (Client *clients, guint n, guint seconds, double *rps, double *p50, double *p99,
           guint *failures)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (gint64));
  GThread **threads = g_new (GThread *, n);
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) seconds * G_USEC_PER_SEC;
  guint requests = 0;

  *failures = 0;
  for (guint i = 0; i < n; i++)
    {
      clients[i].deadline = deadline;
      clients[i].requests = 0;
      clients[i].failures = 0;
      clients[i].latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[i] = g_thread_new ("client", client_thread, &clients[i]);
    }
  for (guint i = 0; i < n; i++)
    {
      g_thread_join (threads[i]);
      if (!clients[i].big_puller)
        {
          requests += clients[i].requests;
          g_array_append_vals (all, clients[i].latencies->data, clients[i].latencies->len);
        }
      *failures += clients[i].failures;
      g_array_unref (clients[i].latencies);
    }
  *rps = requests / ((g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC);
  *p50 = percentile_ms (all, 0.50);
  *p99 = percentile_ms (all, 0.99);
  g_free (threads);
}

/* The server in a session of its own: with the kernel's autogroup
 * scheduling (Debian's default) it then gets its own share of the CPU
 * instead of sharing one with the benchmark's 50 client threads, so that
 * what is measured is the server and not the clients' competition for it. */
static void
server_child_setup (gpointer user_data)
{
  setsid ();
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_server (Server *server)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_child_setup (launcher, server_child_setup, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (launcher, &error, server->binary,
                                                 "--config", server->config_path,
                                                 "serve", "--dev", "--port", "0", NULL);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  server->port = 0;
  while (server->port == 0)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);     /* the server died before listening */
      if (g_str_has_prefix (line, "listening on https://127.0.0.1:"))
        server->port = (guint) g_ascii_strtoull (line + strlen ("listening on https://127.0.0.1:"),
                                                 NULL, 10);
    }
  g_free (server->url);
  server->url = g_strdup_printf ("https://127.0.0.1:%u", server->port);
}

static void
restart_with (Server *server, const char *extra)
{
  g_autofree char *text = NULL;
  g_autofree char *more = NULL;
  g_autoptr(GError) error = NULL;

  h_stop_process (server);
  g_file_get_contents (server->config_path, &text, NULL, &error);
  g_assert_no_error (error);
  /* Later settings are appended; drop earlier copies of the same keys. */
  {
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
    GString *out = g_string_new (NULL);

    for (guint i = 0; lines[i] != NULL; i++)
      if (lines[i][0] != '\0' && !g_str_has_prefix (lines[i], "workers=") &&
          !g_str_has_prefix (lines[i], "max_pull_bytes=") &&
          !g_str_has_prefix (lines[i], "max_body_bytes="))
        g_string_append_printf (out, "%s\n", lines[i]);
    g_string_append (out, extra);
    more = g_string_free (out, FALSE);
  }
  g_file_set_contents (server->config_path, more, -1, &error);
  g_assert_no_error (error);
  start_server (server);
}

/* CPU seconds (user + system) this process, the clients, has used. */
static double
bench_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static double
median_of (GArray *values)
{
  g_array_sort (values, compare_double);
  return values->len > 0 ? g_array_index (values, double, values->len / 2) : 0;
}

/* BENCH_PHASES=levels or =mixed runs only that part (default both). */
static gboolean
run_phase (const char *name)
{
  const char *phases = g_getenv ("BENCH_PHASES");

  return phases == NULL || strstr (phases, name) != NULL;
}

/* BENCH_LEVELS=1,20 runs only those numbers of clients (default all). */
static gboolean
run_level_count (guint n)
{
  const char *wanted = g_getenv ("BENCH_LEVELS");
  g_auto(GStrv) parts = NULL;

  if (wanted == NULL || wanted[0] == '\0')
    return TRUE;
  parts = g_strsplit (wanted, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if ((guint) atoi (parts[i]) == n)
      return TRUE;
  return FALSE;
}

static void
bench_backend (const char *binary, const char *backend, guint seconds, guint runs)
{
  const guint levels[] = { 1, 5, 20, 50 };
  Server server = { backend };
  Client clients[51] = { { 0 } };
  Client *big = &clients[50];
  double base_rps = 0, rps_20 = 0, mixed_p99 = -1;
  g_autofree char *mixed_detail = NULL;

  if (!h_server_start (&server, binary, 16 * 1024 * 1024))
    {
      printf ("%s: skipped (no PostgreSQL server binaries)\n", backend);
      return;
    }
  {
    /* BENCH_WORKERS=N tries another pool size than the server's default. */
    const char *workers = g_getenv ("BENCH_WORKERS");
    g_autofree char *extra = g_strdup_printf ("max_body_bytes=16777216\nmax_pull_bytes=16777216\n%s%s%s",
                                              workers != NULL ? "workers=" : "",
                                              workers != NULL ? workers : "",
                                              workers != NULL ? "\n" : "");

    restart_with (&server, extra);
    printf ("%s backend, workers=%s%s\n", backend, workers != NULL ? workers : "default",
            g_strcmp0 (g_getenv ("STUPENI_SERVER_NO_GROUP_COMMIT"), "1") == 0
              ? ", every push commits alone (STUPENI_SERVER_NO_GROUP_COMMIT=1)" : "");
  }
  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      clients[i].index = i;
      enroll_client (&server, &clients[i]);
    }
  print_server_memory (&server, "after enrolment");

  printf ("  clients  req/s (min/median/max over %u runs of %u s), p50 and p99 in ms (median run)\n",
          runs, seconds);
  for (guint l = 0; l < G_N_ELEMENTS (levels) && run_phase ("levels"); l++)
    {
      g_autoptr(GArray) rps = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) p50s = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) p99s = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
      guint failures = 0;

      g_autoptr(GArray) bench_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) bench_per_request = g_array_new (FALSE, FALSE, sizeof (double));

      if (!run_level_count (levels[l]))
        continue;
      g_printerr ("bench: level %u\n", levels[l]);
      for (guint r = 0; r < runs; r++)
        {
          double x, p50, p99, cpu_before = server_cpu_seconds (&server), per_request;
          double bench_before = bench_cpu_seconds (), bench_share;
          guint f;

          run_level (clients, levels[l], seconds, &x, &p50, &p99, &f);
          per_request = (server_cpu_seconds (&server) - cpu_before) * 1000.0 / MAX (x * seconds, 1);
          bench_share = (bench_cpu_seconds () - bench_before) / seconds;
          g_array_append_val (cpu, per_request);
          g_array_append_val (bench_cpu, bench_share);
          bench_share = bench_share * 1000.0 / MAX (x, 1);
          g_array_append_val (bench_per_request, bench_share);
          g_array_append_val (rps, x);
          g_array_append_val (p50s, p50);
          g_array_append_val (p99s, p99);
          failures += f;
        }
      printf ("  %u client(s), %u failed requests\n", levels[l], failures);
      print_stats ("req/s", rps);
      print_stats ("p50 ms", p50s);
      print_stats ("p99 ms", p99s);
      print_stats ("server CPU ms/request", cpu);
      print_stats ("clients' CPU ms/request", bench_per_request);
      print_stats ("clients' CPU (cores)", bench_cpu);
      load_average ();
      if (levels[l] == 1)
        base_rps = median_of (rps);
      else if (base_rps > 0)
        printf ("    median req/s = %.2f x one client\n", median_of (rps) / base_rps);
      if (levels[l] == 20)
        rps_20 = median_of (rps);
    }

  /* The big page: 10 envelopes of 1 MiB plaintext in one center. */
  {
    g_autoptr(SoupSession) session = new_session ();
    g_autofree char *path = g_strdup_printf ("/v1/centers/%s/push", big->center);

    for (guint i = 0; i < BIG_ENVELOPES; i++)
      {
        g_autofree char *body = push_body (big, 1, BIG_PLAINTEXT);
        g_assert_cmpuint (send_request (session, big, "POST", path, body, NULL), ==, 200);
      }
    big->big_puller = TRUE;
  }

  /* The 14 MB pull alone: what one costs the server, in CPU. */
  if (run_phase ("mixed"))
    {
      g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) walls = g_array_new (FALSE, FALSE, sizeof (double));
      Client alone[1];

      restart_with (&server, "max_body_bytes=16777216\nmax_pull_bytes=16777216\n");
      g_printerr ("bench: 14 MB pulls alone\n");
      for (guint r = 0; r < runs; r++)
        {
          double x, p50, p99, server_before = server_cpu_seconds (&server), per_pull;
          guint f;

          alone[0] = *big;
          alone[0].requests = 0;
          run_level (alone, 1, seconds, &x, &p50, &p99, &f);
          per_pull = (server_cpu_seconds (&server) - server_before) * 1000.0 / MAX (alone[0].requests, 1);
          g_array_append_val (cpu, per_pull);
          x = seconds * 1000.0 / MAX (alone[0].requests, 1);
          g_array_append_val (walls, x);
        }
      printf ("  1 client pulling 14 MB pages alone\n");
      print_stats ("ms per pull (wall)", walls);
      print_stats ("server CPU ms per pull", cpu);
      load_average ();
    }

  /* The same 5 pushers with no pull running: the baseline the pull is
   * compared with (client and server share the machine). */
  if (run_phase ("mixed"))
    {
      g_autoptr(GArray) p50s = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) p99s = g_array_new (FALSE, FALSE, sizeof (double));
      Client set[5];

      for (guint i = 0; i < 5; i++)
        {
          set[i] = clients[i];
          set[i].push_only = TRUE;
        }
      g_autoptr(GArray) rates = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) server_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) bench_cpu = g_array_new (FALSE, FALSE, sizeof (double));

      g_printerr ("bench: 5 pushers, no pull\n");
      for (guint r = 0; r < runs; r++)
        {
          double x, p50, p99, server_before = server_cpu_seconds (&server);
          double bench_before = bench_cpu_seconds (), per_push;
          guint f, pushes = 0;

          run_level (set, 5, seconds, &x, &p50, &p99, &f);
          for (guint i = 0; i < 5; i++)
            pushes += set[i].requests;
          g_array_append_val (p50s, p50);
          g_array_append_val (p99s, p99);
          g_array_append_val (rates, x);
          per_push = (server_cpu_seconds (&server) - server_before) * 1000.0 / MAX (pushes, 1);
          g_array_append_val (server_cpu, per_push);
          per_push = (bench_cpu_seconds () - bench_before) * 1000.0 / MAX (pushes, 1);
          g_array_append_val (bench_cpu, per_push);
        }
      printf ("  5 clients pushing, no pull running (baseline)\n");
      print_stats ("push p50 ms", p50s);
      print_stats ("push p99 ms", p99s);
      print_stats ("pushes/s", rates);
      print_stats ("server CPU ms/push", server_cpu);
      print_stats ("clients' CPU ms/push", bench_cpu);
      load_average ();
    }

  for (guint pass = 0; pass < 2 && run_phase ("mixed"); pass++)
    {
      g_autoptr(GArray) p50s = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) p99s = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) pulls = g_array_new (FALSE, FALSE, sizeof (double));
      Client set[6];

      restart_with (&server, pass == 0 ? "max_body_bytes=16777216\nmax_pull_bytes=16777216\n"
                                       : "max_body_bytes=16777216\nmax_pull_bytes=16777216\nworkers=1\n");
      for (guint i = 0; i < 5; i++)
        {
          set[i] = clients[i];
          set[i].push_only = TRUE;
        }
      set[5] = *big;
      /* A mark in the server's request log (stderr) between the passes. */
      g_printerr ("bench: mixed pass, %s\n", pass == 0 ? "default workers" : "workers=1");
      g_autoptr(GArray) server_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) bench_cpu = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) walls = g_array_new (FALSE, FALSE, sizeof (double));

      for (guint r = 0; r < runs; r++)
        {
          double x, p50, p99, n_pulls, wall;
          double server_before = server_cpu_seconds (&server), bench_before = bench_cpu_seconds ();
          gint64 start = g_get_monotonic_time ();
          guint f;

          set[5].requests = 0;
          run_level (set, 6, seconds, &x, &p50, &p99, &f);
          wall = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
          n_pulls = set[5].requests;
          g_array_append_val (p50s, p50);
          g_array_append_val (p99s, p99);
          g_array_append_val (pulls, n_pulls);
          g_array_append_val (walls, wall);
          x = server_cpu_seconds (&server) - server_before;
          g_array_append_val (server_cpu, x);
          x = bench_cpu_seconds () - bench_before;
          g_array_append_val (bench_cpu, x);
        }
      printf ("  5 clients pushing while 1 pulls 14 MB pages, %s\n",
              pass == 0 ? "default workers (4 for small requests, 2 for large replies)"
                        : "workers=1 (1 for small requests, 1 for large replies)");
      print_stats ("push p50 ms", p50s);
      print_stats ("push p99 ms", p99s);
      print_stats ("14 MB pulls per run", pulls);
      print_stats ("wall s per run", walls);
      print_stats ("server CPU s per run", server_cpu);
      print_stats ("clients' CPU s per run", bench_cpu);
      load_average ();
      if (pass == 0)
        {
          g_autoptr(GArray) sorted = g_array_copy (p99s);

          g_array_sort (sorted, compare_double);
          mixed_p99 = median_of (p99s);
          mixed_detail = g_strdup_printf ("p99 min / median / max %.1f / %.1f / %.1f ms over %u runs; "
                                          "server CPU %.2f s, clients' CPU %.2f s in %.2f s of wall "
                                          "(median run)",
                                          g_array_index (sorted, double, 0), mixed_p99,
                                          g_array_index (sorted, double, sorted->len - 1), runs,
                                          median_of (server_cpu), median_of (bench_cpu), median_of (walls));
        }
    }

  /* The two goals, for the lead's quiet-machine runs. */
  printf ("--- budgets (%s; the goals are for SQLite on 2 cores%s) ---\n", backend,
          g_str_equal (backend, "sqlite") ? "" : ", these are figures only");
  if (base_rps > 0 && rps_20 > 0)
    printf ("20 clients vs 1, median req/s        %6.1f / %.1f = %.2fx  budget >= 2x: %s\n",
            rps_20, base_rps, rps_20 / base_rps, rps_20 / base_rps >= 2.0 ? "PASS" : "OVER");
  if (mixed_p99 >= 0)
    {
      printf ("small-push p99 while 14 MB pulls run  %8.1f ms  budget < 50 ms: %s\n",
              mixed_p99, mixed_p99 < 50.0 ? "PASS" : "OVER");
      printf ("  (%s)\n", mixed_detail);
    }
  load_average ();
  print_server_memory (&server, "at the end");

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      g_free (clients[i].center);
      g_free (clients[i].device);
      g_free (clients[i].token);
    }
  h_server_destroy (&server);
}

int
main (int argc, char *argv[])
{
  const char *backend = argc > 2 ? argv[2] : "both";
  guint seconds = argc > 3 ? (guint) atoi (argv[3]) : 5;
  guint runs = argc > 4 ? (guint) atoi (argv[4]) : 3;

  if (argc < 2)
    {
      g_printerr ("usage: %s STUPENI_SERVER [sqlite|postgresql|both] [SECONDS] [RUNS]\n", argv[0]);
      return 2;
    }
  g_assert_true (stp_protocol_init (NULL));
  seconds = CLAMP (seconds, 1, 60);
  runs = CLAMP (runs, 1, 10);
  for (guint i = 0; i < sizeof key; i++)
    key[i] = (guint8) i;
  setvbuf (stdout, NULL, _IOLBF, 0);
  if (g_str_equal (backend, "sqlite") || g_str_equal (backend, "both"))
    bench_backend (argv[1], "sqlite", seconds, runs);
  if (g_str_equal (backend, "postgresql") || g_str_equal (backend, "both"))
    bench_backend (argv[1], "postgresql", seconds, runs);
  return 0;
}
