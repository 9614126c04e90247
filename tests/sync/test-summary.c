/* test-summary.c: the regional summary, end to end, on both server
 * backends.  Three centers, each a real desktop database with its own
 * program and custom stages of a kind, count their statistics with the
 * core (stp_store_center_stats), send them with the sync engine, and the
 * administrator reads /admin/summary and /admin/summary.csv from the real
 * stupeni-server:
 *
 *   «Север» (2025): 6 residents in «Трудовая терапия» (main course),
 *                   2 in «Знакомство» (motivation), 9 admitted, 1 of
 *                   them dropped out at «Знакомство»;
 *   «Юг», a branch (2025): 3 in «Духовное окормление» (main course),
 *                   5 in «Первичный приём» (motivation), 8 admitted;
 *   «Запад» (Q4 2025 only): 5 in «Трудотерапия» (main course).
 *
 * The summary adds Север and Юг by stage kind.  The counts are made so
 * that hiding only the small ones would give them away by subtraction:
 *
 *                     Север   Юг   total
 *   motivation          2      5     7      7 − 5 = 2, 8 − 6 = 2
 *   main course         6      3     9      9 − 6 = 3, 8 − 5 = 3
 *   «Всего»             8      8    16
 *
 * so the 5 and the 6 are hidden as well («…», complementary
 * suppression), the totals stay true sums.  Север's one drop-out makes
 * totals under 5 (outcomes, discharges): «<5» in the total column, in
 * the CSV's total row and in the chart of outcomes.  Every row and every
 * center's «Всего» of the page and of the CSV is checked to hold no
 * hidden number alone.  Запад is shown apart under its own period.  The
 * page, the table and each chart are saved to the build directory
 * (summary-BACKEND.html, .csv, summary-BACKEND-N.svg and .png when
 * rsvg-convert is there). */
#include "config.h"

#include "sync-harness.h"
#include "stp-stats.h"

#include <libsoup/soup.h>

#define ADMIN_PASSWORD "admin-пароль"

static char *server_binary;

typedef struct
{
  char          *path;
  StpStore      *store;
  StpSession    *director;
  StpSyncEngine *engine;
} Center;

static void
center_clear (Center *c)
{
  g_clear_object (&c->engine);
  g_clear_object (&c->director);
  g_clear_object (&c->store);
  g_free (c->path);
}

static char *
add_stage (Center       *c,
           const char   *program_id,
           int           position,
           const char   *name,
           StpStageKind  kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStage) stage = stp_stage_new ();

  stage->program_id = g_strdup (program_id);
  stage->position = position;
  stage->name = g_strdup (name);
  stage->kind = kind;
  g_assert_true (stp_store_save_stage (c->store, c->director, stage, &error));
  g_assert_no_error (error);
  return g_strdup (stage->meta.id);
}

/* A center database with one program of two custom stages: @at_first
 * residents stay at the first stage, @at_second move to the second, and
 * @dropped_out more leave the program early from the first. */
static void
center_open (Center       *c,
             const char   *dir,
             const char   *name,
             const char   *first_stage,
             StpStageKind  first_kind,
             const char   *second_stage,
             StpStageKind  second_kind,
             guint         at_first,
             guint         at_second,
             guint         dropped_out,
             const char   *admitted_on)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(StpProgram) program = stp_program_new ();
  g_autofree char *stage0 = NULL;
  g_autofree char *stage1 = NULL;

  c->path = g_build_filename (dir, name, NULL);
  c->store = stp_store_open (c->path, &error);
  g_assert_no_error (error);
  center->name = g_strdup (name);
  c->director = stp_store_create_center (c->store, center, "director", "Орлова Анна Петровна",
                                         "correct horse battery", &error);
  g_assert_no_error (error);

  program->name = g_strdup ("Программа центра");
  program->model = STP_PROGRAM_MODEL_THERAPEUTIC_COMMUNITY;
  program->active = TRUE;
  g_assert_true (stp_store_save_program (c->store, c->director, program, &error));
  g_assert_no_error (error);
  stage0 = add_stage (c, program->meta.id, 0, first_stage, first_kind);
  stage1 = add_stage (c, program->meta.id, 1, second_stage, second_kind);

  for (guint i = 0; i < at_first + at_second + dropped_out; i++)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      g_autoptr(StpEpisode) e = stp_episode_new ();

      r->surname = g_strdup_printf ("Жителев%u", i);
      r->name = g_strdup ("Иван");
      r->birth_date = g_strdup_printf ("1985-03-0%u", i % 9 + 1);
      r->sex = STP_SEX_MALE;
      g_assert_true (stp_store_save_resident (c->store, c->director, r, &error));
      g_assert_no_error (error);

      e->resident_id = g_strdup (r->meta.id);
      e->program_id = g_strdup (program->meta.id);
      e->admitted_on = g_strdup (admitted_on);
      e->referral_source = STP_REFERRAL_SOURCE_SELF;
      e->main_substance = STP_SUBSTANCE_ALCOHOL;
      e->responsible_user_id = g_strdup (stp_session_get_user_id (c->director));
      g_assert_true (stp_store_admit (c->store, c->director, e, &error));
      g_assert_no_error (error);
      if (i >= at_first + at_second)
        {
          g_autofree char *left_on = g_strdup_printf ("%.8s20", admitted_on);

          g_assert_true (stp_store_discharge (c->store, c->director, e->meta.id,
                                              STP_EPISODE_DROPPED_OUT, left_on, "ушёл сам", &error));
          g_assert_no_error (error);
        }
      else if (i >= at_first)
        {
          g_autofree char *moved_on = g_strdup_printf ("%.8s28", admitted_on);

          g_assert_true (stp_store_next_stage (c->store, c->director, e->meta.id, moved_on, NULL, &error));
          g_assert_no_error (error);
        }
    }
  c->engine = stp_sync_engine_new (c->store);
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Counts the center report for the period and sends it, as the director's
 * «Отправить статистику в регион» does. */
static void
center_send (Center     *c,
             const char *from,
             const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenterStats) stats = stp_store_center_stats (c->store, c->director, from, to, &error);
  GAsyncResult *result = NULL;

  g_assert_no_error (error);
  stp_sync_engine_send_aggregates_async (c->engine, stats, NULL, got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (stp_sync_engine_send_aggregates_finish (c->engine, result, &error));
  g_assert_no_error (error);
  g_object_unref (result);
}

static void
center_enroll (Center     *c,
               Server     *server,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = h_admin (server, "center", "add", name, NULL);
  g_autofree char *code = stp_test_field (out, "enrollment_code");

  g_assert_true (h_enroll (c->engine, server, code, "пароль центра", &error));
  g_assert_no_error (error);
}

/* Where the pictures go: the test's build directory (meson runs tests
 * from the build root). */
static char *
out_path (const char *name)
{
  const char *root = g_getenv ("STUPENI_TEST_BUILD_ROOT");

  if (root == NULL)
    return g_strdup (name);
  return g_build_filename (root, "tests", "sync", name, NULL);
}

/* HTTP as the administrator's browser. */

static gboolean
accept_any (SoupMessage          *msg,
            GTlsCertificate      *peer,
            GTlsCertificateFlags  errors,
            gpointer              user_data)
{
  return TRUE;      /* the dev certificate of the loopback server */
}

static char *
fetch (Server     *server,
       const char *path,
       const char *password,
       const char *language,
       guint      *status,
       char      **content_type)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s%s", server->url, path);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autofree char *credentials = g_strdup_printf ("admin:%s", password);
  g_autofree char *encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
  g_autofree char *basic = g_strdup_printf ("Basic %s", encoded);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", basic);
  if (language != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept-Language", language);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_any), NULL);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL));
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

/* The cells of the table row whose header is @label, after @from. */
static GStrv
html_row (const char *html,
          const char *label)
{
  g_autofree char *head = g_strdup_printf ("<tr><th scope=\"row\">%s</th>", label);
  const char *start = strstr (html, head);
  const char *end;
  g_autofree char *row = NULL;
  g_autoptr(GRegex) regex = g_regex_new ("<td class=\"n[^\"]*\">([^<]*)</td>", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autoptr(GPtrArray) cells = g_ptr_array_new ();

  g_assert_nonnull (start);
  end = strstr (start, "</tr>");
  row = g_strndup (start, end - start);
  g_regex_match (regex, row, 0, &match);
  while (g_match_info_matches (match))
    {
      g_ptr_array_add (cells, g_match_info_fetch (match, 1));
      g_match_info_next (match, NULL);
    }
  g_ptr_array_add (cells, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&cells), FALSE);
}

static void
assert_row (const char *html,
            const char *label,
            const char *expected)
{
  g_auto(GStrv) cells = html_row (html, label);
  g_autofree char *joined = g_strjoinv ("|", cells);

  g_assert_cmpstr (joined, ==, expected);
}

/* The rows of the table's section @title (up to the next section). */
static char *
html_section (const char *html,
              const char *title)
{
  g_autofree char *head = g_strdup_printf ("\">%s</th></tr>", title);
  const char *start = strstr (html, head);
  const char *end;

  g_assert_nonnull (start);
  end = strstr (start + 1, "<tr class=\"section\">");
  if (end == NULL)
    end = strstr (start, "</tbody>");
  g_assert_nonnull (end);
  return g_strndup (start, end - start);
}

static gboolean
is_hidden (const char *cell)
{
  return g_str_equal (cell, "&lt;5") || g_str_equal (cell, "<5") || g_str_equal (cell, "…");
}

/* No hidden number can be found by subtraction from one sum: in every
 * row of the table (centers and total) and in every column of a section
 * with a «Всего» row, hidden numbers are none or at least two.  Returns
 * how many numbers are hidden. */
static guint
assert_html_leak_free (const char *table)
{
  g_autoptr(GRegex) row_regex = g_regex_new ("<tr><th scope=\"row\">([^<]*)</th>(.*?)</tr>", 0, 0, NULL);
  g_autoptr(GRegex) cell_regex = g_regex_new ("<td class=\"n[^\"]*\">([^<]*)</td>", 0, 0, NULL);
  g_auto(GStrv) sections = g_strsplit (table, "<tr class=\"section\">", -1);
  guint n_hidden = 0;

  for (guint s = 0; sections[s] != NULL; s++)
    {
      g_autoptr(GMatchInfo) row = NULL;
      guint per_column[64] = { 0 };
      guint n_columns = 0;
      gboolean has_total = FALSE;

      g_regex_match (row_regex, sections[s], 0, &row);
      while (g_match_info_matches (row))
        {
          g_autofree char *label = g_match_info_fetch (row, 1);
          g_autofree char *cells = g_match_info_fetch (row, 2);
          g_autoptr(GMatchInfo) cell = NULL;
          guint column = 0, in_row = 0;

          has_total |= g_str_equal (label, "Всего");
          g_regex_match (cell_regex, cells, 0, &cell);
          while (g_match_info_matches (cell))
            {
              g_autofree char *text = g_match_info_fetch (cell, 1);

              g_assert_cmpuint (column, <, G_N_ELEMENTS (per_column));
              if (is_hidden (text))
                {
                  in_row++;
                  per_column[column]++;
                }
              column++;
              g_match_info_next (cell, NULL);
            }
          if (in_row == 1)
            g_error ("the row «%s» has one hidden number: %s", label, cells);
          n_hidden += in_row;
          n_columns = MAX (n_columns, column);
          g_match_info_next (row, NULL);
        }
      for (guint c = 0; has_total && c < n_columns; c++)
        if (per_column[c] == 1)
          g_error ("column %u of a section has one hidden number: %s", c, sections[s]);
    }
  return n_hidden;
}

/* The same for the CSV: in each period, every column (centers and the
 * total row) and every center's section with a «Всего» column. */
static void
assert_csv_leak_free (GStrv lines)
{
  g_auto(GStrv) header = g_strsplit (lines[0], ";", -1);
  guint n = g_strv_length (header);
  g_autofree guint *per_column = g_new0 (guint, n);
  g_autofree char **section = g_new0 (char *, n);

  for (guint i = 0; i < n; i++)
    {
      char *name = header[i];
      char *colon;

      if (name[0] == '"')
        name++;
      colon = g_strrstr (name, ": ");
      section[i] = colon != NULL ? g_strndup (name, colon - name) : NULL;
    }
  for (guint r = 1; lines[r] != NULL && lines[r][0] != '\0'; r++)
    {
      const char *line = lines[r][0] == '"' ? strstr (lines[r] + 1, "\"") + 1 : lines[r];
      g_autofree char *row = g_strconcat ("x", line, NULL);
      g_auto(GStrv) fields = g_strsplit (row, ";", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, n);
      for (guint i = 4; i < n; i++)
        {
          g_autofree char *total = g_strdup_printf ("%s: Всего", section[i]);
          guint in_section = 0;

          per_column[i] += is_hidden (fields[i]);
          /* A section with a «Всего» column, counted at its first column. */
          if (section[i] == NULL || (i > 4 && g_strcmp0 (section[i - 1], section[i]) == 0))
            continue;
          for (guint j = i; j < n && g_strcmp0 (section[j], section[i]) == 0; j++)
            in_section += is_hidden (fields[j]);
          for (guint j = 0; j < n; j++)
            if (g_str_has_prefix (header[j] + (header[j][0] == '"'), total) && in_section == 1)
              g_error ("the CSV row %u has one hidden number in «%s»", r, section[i]);
        }
      if (g_str_has_prefix (lines[r], "Итого;"))
        for (guint i = 4; i < n; i++)
          {
            if (per_column[i] == 1)
              g_error ("the CSV column «%s» has one hidden number", header[i]);
            per_column[i] = 0;
          }
    }
  for (guint i = 0; i < n; i++)
    g_free (section[i]);
}

/* Writes each <svg> of @html next to the page and, with rsvg-convert,
 * renders it to PNG: the charts must be SVG a renderer accepts. */
static guint
save_charts (const char *html,
             const char *backend)
{
  g_autofree char *rsvg = g_find_program_in_path ("rsvg-convert");
  const char *p = html;
  guint n = 0;

  while ((p = strstr (p, "<svg ")) != NULL)
    {
      const char *end = strstr (p, "</svg>");
      g_autofree char *svg = NULL;
      g_autofree char *svg_name = g_strdup_printf ("summary-%s-%u.svg", backend, n);
      g_autofree char *png_name = g_strdup_printf ("summary-%s-%u.png", backend, n);
      g_autofree char *svg_path = out_path (svg_name);
      g_autofree char *png_path = out_path (png_name);
      g_autoptr(GError) error = NULL;

      g_assert_nonnull (end);
      svg = g_strndup (p, end + strlen ("</svg>") - p);
      g_assert_true (g_file_set_contents (svg_path, svg, -1, &error));
      g_assert_no_error (error);
      if (rsvg != NULL)
        {
          const char *argv[] = { rsvg, "-o", png_path, svg_path, NULL };
          int status = -1;
          GStatBuf st;

          g_free (stp_test_run (argv, &status));
          g_assert_cmpint (status, ==, 0);
          g_assert_cmpint (g_stat (png_path, &st), ==, 0);
          g_assert_cmpint (st.st_size, >, 1000);
        }
      p = end;
      n++;
    }
  if (rsvg == NULL)
    g_test_message ("rsvg-convert not found: the charts were not rendered");
  return n;
}

/* The table through LibreOffice Calc's CSV import (";", UTF-8) and out
 * again with tabs: every row keeps the header's number of fields, the
 * branch's name with its comma stays one cell, «<5» stays text. */
static void
calc_round_trip (const char *csv_path,
                 const char *dir)
{
  g_autofree char *soffice = g_find_program_in_path ("soffice");
  g_autofree char *profile = g_strdup_printf ("-env:UserInstallation=file://%s/lo-profile", dir);
  g_autofree char *out_dir = g_build_filename (dir, "calc", NULL);
  g_autofree char *base = g_path_get_basename (csv_path);
  g_autofree char *back_path = g_build_filename (out_dir, base, NULL);
  g_autofree char *back = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  int main_course = -1;
  guint n_rows = 0;
  const char *expected[] = { "…", "<5", "9", "5", "5" };

  if (soffice == NULL)
    {
      g_test_message ("LibreOffice is not installed: the CSV was not read back through Calc");
      return;
    }
  {
    const char *argv[] = { soffice, profile, "--headless", "--infilter=CSV:59,34,76,1",
                           "--convert-to", "csv:Text - txt - csv (StarCalc):9,34,76,1",
                           "--outdir", out_dir, csv_path, NULL };
    int status = -1;

    g_free (stp_test_run (argv, &status));
    g_assert_cmpint (status, ==, 0);
  }
  g_assert_true (g_file_get_contents (back_path, &back, NULL, &error));
  g_assert_no_error (error);
  lines = g_strsplit (back, "\n", -1);
  header = g_strsplit (lines[0], "\t", -1);
  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], "\"В программе на конец периода, по видам этапов: Основной курс\""))
      main_course = (int) i;
  g_assert_cmpint (main_course, >, 0);
  for (guint r = 1; lines[r] != NULL && *lines[r] != '\0'; r++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[r], "\t", -1);
      g_autofree char *cell = g_strdup (fields[main_course]);

      g_assert_cmpuint (g_strv_length (fields), ==, g_strv_length (header));
      if (cell[0] == '"')
        {
          cell[strlen (cell) - 1] = '\0';
          memmove (cell, cell + 1, strlen (cell));
        }
      g_assert_cmpuint (n_rows, <, G_N_ELEMENTS (expected));
      g_assert_cmpstr (cell, ==, expected[n_rows]);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, G_N_ELEMENTS (expected));
  g_assert_true (g_str_has_prefix (lines[2], "\"Центр «Юг», филиал\"\t"));
}

static void
test_summary (gconstpointer data)
{
  Server server = { data };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *html = NULL;
  g_autofree char *english = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *chosen = NULL;
  g_autofree char *type = NULL;
  g_autofree char *html_path = NULL;
  g_auto(GStrv) lines = NULL;
  const char *other;
  guint status;
  Center north = { 0 }, south = { 0 }, west = { 0 };

  if (!h_server_start (&server, server_binary, 1024 * 1024))
    {
      g_test_skip ("this server backend cannot run here (PostgreSQL binaries missing?)");
      return;
    }
  dir = g_dir_make_tmp ("stupeni-summary-XXXXXX", &error);
  g_assert_no_error (error);

  center_open (&north, dir, "Север", "Знакомство", STP_STAGE_KIND_MOTIVATION,
               "Трудовая терапия", STP_STAGE_KIND_MAIN_COURSE, 2, 6, 1, "2025-02-03");
  center_open (&south, dir, "Юг", "Первичный приём", STP_STAGE_KIND_MOTIVATION,
               "Духовное окормление", STP_STAGE_KIND_MAIN_COURSE, 5, 3, 0, "2025-03-10");
  center_open (&west, dir, "Запад", "Вход", STP_STAGE_KIND_MOTIVATION,
               "Трудотерапия", STP_STAGE_KIND_MAIN_COURSE, 0, 5, 0, "2025-10-06");
  center_enroll (&north, &server, "Центр «Север»");
  center_enroll (&south, &server, "Центр «Юг», филиал");
  center_enroll (&west, &server, "Центр «Запад»");

  /* Юг sent a quarter first, then the year: the year is the main period
   * (two centers), and Юг is in it with its year report. */
  center_send (&south, "2025-10-01", "2025-12-31");
  center_send (&north, "2025-01-01", "2025-12-31");
  center_send (&south, "2025-01-01", "2025-12-31");
  center_send (&west, "2025-10-01", "2025-12-31");

  /* Only the administrator. */
  g_free (fetch (&server, "/admin/summary", "wrong", NULL, &status, NULL));
  g_assert_cmpuint (status, ==, 401);

  html = fetch (&server, "/admin/summary", ADMIN_PASSWORD, NULL, &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "text/html");
  {
    g_autofree char *name = g_strdup_printf ("summary-%s.html", server.backend);

    html_path = out_path (name);
  }
  g_assert_true (g_file_set_contents (html_path, html, -1, &error));
  g_assert_no_error (error);
  g_test_message ("saved %s", html_path);

  /* Russian, with the period named and each center's sending time. */
  g_assert_nonnull (strstr (html, "<html lang=\"ru\">"));
  g_assert_nonnull (strstr (html, "Региональная сводка"));
  g_assert_nonnull (strstr (html, "Период: 01.01.2025 – 31.12.2025 (2025 год)"));
  g_assert_nonnull (strstr (html, "Центр «Юг», филиал"));
  g_assert_nonnull (strstr (html, "В программе на конец периода"));
  g_assert_null (strstr (html, "in_program"));
  g_assert_null (strstr (html, "admitted_by_source"));
  /* The server never saw a stage's name, nor a person's. */
  g_assert_null (strstr (html, "Трудовая терапия"));
  g_assert_null (strstr (html, "Жителев"));
  /* The desktop sent no per-stage keys (a center's own stage ids), so
   * the page has no note about numbers left out. */
  g_assert_null (strstr (html, "Не показано"));

  /* By stage kind: Север | Юг | total.  Primary suppression alone would
   * show Север's main course 6 beside its «Всего» 8 (8 − 6 = its 2 at
   * motivation) and Юг's motivation 5 beside the total 7 (7 − 5 = 2):
   * the 6 and the 5 are hidden too, the totals are the true sums. */
  {
    g_autofree char *kinds = html_section (html, "В программе на конец периода, по видам этапов");

    assert_row (kinds, "Мотивация и приём", "&lt;5|…|7");
    assert_row (kinds, "Основной курс", "…|&lt;5|9");
    assert_row (kinds, "Адаптация", "0|0|0");
    assert_row (kinds, "Всего", "8|8|16");
  }
  /* Totals under 5 are «<5» too: Север's one drop-out. */
  {
    g_autofree char *outcomes = html_section (html, "Исходы выбытия");

    assert_row (outcomes, "Выбыл досрочно", "&lt;5|0|&lt;5");
    assert_row (outcomes, "Всего", "&lt;5|0|&lt;5");
  }
  g_assert_nonnull (strstr (html, "«…» — число 5 или больше"));
  g_assert_null (strstr (html, "*<"));

  /* Запад sent only the last quarter: shown apart, not added. */
  other = strstr (html, "<section class=\"other\">");
  g_assert_nonnull (other);
  g_assert_nonnull (strstr (other, "Другой период: 01.10.2025 – 31.12.2025 (4-й квартал 2025)"));
  g_assert_nonnull (strstr (other, "Центр «Запад»"));
  {
    g_autofree char *main_part = g_strndup (html, other - html);

    g_assert_null (strstr (main_part, "Запад"));
    /* The first «Всего» is the admissions' total. */
    assert_row (main_part, "Всего", "9|8|17");
    /* No row, no center's «Всего» holds a hidden number alone. */
    g_assert_cmpuint (assert_html_leak_free (main_part), >=, 12);
  }
  assert_row (other, "Основной курс", "5|5");
  assert_html_leak_free (other);

  /* Charts: kinds, outcomes, admissions per center; for both periods. */
  g_assert_cmpuint (save_charts (html, server.backend), >=, 4);
  {
    /* The chart of outcomes draws no bar for the total «<5» and prints
     * no hidden number. */
    const char *chart = strstr (html, "Исходы выбытия</title>");
    g_autofree char *svg = NULL;

    g_assert_nonnull (chart);
    svg = g_strndup (chart, strstr (chart, "</svg>") - chart);
    g_assert_nonnull (strstr (svg, ">Выбыл досрочно</text>"));
    g_assert_nonnull (strstr (svg, ">&lt;5</text>"));
    g_assert_nonnull (strstr (svg, "«&lt;5» и «…»: число скрыто"));
    g_assert_null (strstr (svg, "<rect x="));
    g_assert_null (strstr (svg, ">1</text>"));
  }

  /* The browser may ask for English. */
  english = fetch (&server, "/admin/summary", ADMIN_PASSWORD, "en-GB,en;q=0.8", &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (english, "Regional summary"));
  g_assert_nonnull (strstr (english, "Main course"));

  /* Another period chosen: Юг's quarter report is used, Север is apart. */
  chosen = fetch (&server, "/admin/summary?from=2025-10-01&to=2025-12-31", ADMIN_PASSWORD, NULL,
                  &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  g_assert_nonnull (strstr (chosen, "Период: 01.10.2025 – 31.12.2025"));
  g_assert_nonnull (strstr (chosen, "Другой период: 01.01.2025 – 31.12.2025"));
  /* Юг's quarter is older than its year report: the page says so. */
  g_assert_nonnull (strstr (chosen, "Последняя отправка"));
  g_assert_nonnull (strstr (chosen, ", за период 01.01.2025 – 31.12.2025 (2025 год)"));
  g_free (fetch (&server, "/admin/summary?from=2025-13-01&to=2025-12-31", ADMIN_PASSWORD, NULL,
                 &status, NULL));
  g_assert_cmpuint (status, ==, 400);

  /* The table: BOM, ";", Russian headers, a total per period. */
  g_clear_pointer (&type, g_free);
  csv = fetch (&server, "/admin/summary.csv", ADMIN_PASSWORD, NULL, &status, &type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (type, ==, "text/csv");
  g_assert_true (g_str_has_prefix (csv, "\xEF\xBB\xBF" "Центр;Период с;Период по;Статистика отправлена;"));
  g_assert_null (strstr (csv, "in_program"));
  {
    g_autofree char *csv_name = g_strdup_printf ("summary-%s.csv", server.backend);
    g_autofree char *csv_path = out_path (csv_name);

    g_assert_true (g_file_set_contents (csv_path, csv, -1, &error));
    g_assert_no_error (error);
    /* Once is enough: the table is the same from both backends. */
    if (g_str_equal (server.backend, "sqlite"))
      calc_round_trip (csv_path, dir);
  }
  lines = g_strsplit (csv, "\r\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);   /* header, 2 + total, 1 + total, "" */
  {
    g_auto(GStrv) header = g_strsplit (lines[0], ";", -1);
    int main_course = -1, admitted = -1, motivation = -1, kinds_total = -1, dropped_out = -1;

    for (guint i = 0; header[i] != NULL; i++)
      {
        /* Quoted: the names have commas. */
        if (g_str_equal (header[i], "\"В программе на конец периода, по видам этапов: Основной курс\""))
          main_course = (int) i;
        if (g_str_equal (header[i], "\"Поступили, по источнику направления: Всего\""))
          admitted = (int) i;
        if (g_str_equal (header[i], "\"В программе на конец периода, по видам этапов: Мотивация и приём\""))
          motivation = (int) i;
        if (g_str_equal (header[i], "\"В программе на конец периода, по видам этапов: Всего\""))
          kinds_total = (int) i;
        if (g_str_equal (header[i], "Исходы выбытия: Выбыл досрочно"))
          dropped_out = (int) i;
      }
    g_assert_cmpint (main_course, >, 0);
    g_assert_cmpint (admitted, >, 0);
    g_assert_cmpint (motivation, >, 0);
    g_assert_cmpint (kinds_total, >, 0);
    g_assert_cmpint (dropped_out, >, 0);
    g_assert_true (g_str_has_prefix (lines[1], "Центр «Север»;01.01.2025;31.12.2025;"));
    g_assert_true (g_str_has_prefix (lines[2], "\"Центр «Юг», филиал\";01.01.2025;31.12.2025;"));
    g_assert_true (g_str_has_prefix (lines[3], "Итого;01.01.2025;31.12.2025;"));
    g_assert_true (g_str_has_prefix (lines[4], "Центр «Запад»;01.10.2025;31.12.2025;"));
    g_assert_true (g_str_has_prefix (lines[5], "Итого;01.10.2025;31.12.2025;"));
    {
      /* The branch's name has a comma and is quoted: split after it. */
      g_auto(GStrv) n = g_strsplit (lines[1], ";", -1);
      g_auto(GStrv) s = g_strsplit (strstr (lines[2], "\";") + 1, ";", -1);
      g_auto(GStrv) t = g_strsplit (lines[3], ";", -1);

      /* As on the page: the 6 and the 5 hidden, true totals. */
      g_assert_cmpstr (n[motivation], ==, "<5");
      g_assert_cmpstr (n[main_course], ==, "…");
      g_assert_cmpstr (n[kinds_total], ==, "8");
      g_assert_cmpstr (s[motivation], ==, "…");
      g_assert_cmpstr (s[main_course], ==, "<5");
      g_assert_cmpstr (s[kinds_total], ==, "8");
      g_assert_cmpstr (t[motivation], ==, "7");
      g_assert_cmpstr (t[main_course], ==, "9");
      g_assert_cmpstr (t[kinds_total], ==, "16");
      g_assert_cmpstr (t[admitted], ==, "17");
      /* A total under 5. */
      g_assert_cmpstr (n[dropped_out], ==, "<5");
      g_assert_cmpstr (t[dropped_out], ==, "<5");
    }
    assert_csv_leak_free (lines);
  }

  center_clear (&north);
  center_clear (&south);
  center_clear (&west);
  h_remove_tree (dir);
  h_server_destroy (&server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  /* The server shows the page in Russian from the build tree's catalogue. */
  g_setenv ("STUPENI_LOCALEDIR", BUILD_LOCALEDIR, TRUE);
  g_unsetenv ("LANGUAGE");     /* it would override the page's language */

  server_binary = g_strdup (argc > 1 ? argv[1] : g_getenv ("STUPENI_SERVER"));
  if (server_binary == NULL)
    g_error ("usage: test-summary PATH-TO-stupeni-server");

  g_test_add_data_func ("/summary/sqlite", "sqlite", test_summary);
  g_test_add_data_func ("/summary/postgresql", "postgresql", test_summary);
  return g_test_run ();
}
