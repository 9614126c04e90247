/* stp-server-summary-html.c: the regional summary as one HTML page with
 * its charts drawn here as inline SVG (no script, no other request), so
 * that it prints and saves as a single file.  The desktop's charts
 * (src/report/stp-chart.c) use cairo, which the server does not link;
 * these follow the same rules: values printed on the bars, one dark
 * colour that stays apart from the paper in greyscale print. */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-summary.h"

#include <glib/gi18n-lib.h>
#include <libintl.h>
#include <string.h>

#define CHART_WIDTH      720
#define CHART_LABELS     300     /* the names' column */
#define CHART_BARS       330     /* the longest bar */
#define CHART_ROW        24
#define CHART_TOP        34
#define CHART_MAX_NAME   44      /* characters of a name before «…» */

typedef struct
{
  const char *label;
  gint64      value;      /* bar length; 0 draws no bar */
  char       *text;       /* printed after the bar */
} Bar;

static void
append_escaped (GString    *out,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);

  g_string_append (out, escaped);
}

static char *
shorten (const char *text)
{
  if (g_utf8_strlen (text, -1) <= CHART_MAX_NAME)
    return g_strdup (text);
  {
    g_autofree char *head = g_utf8_substring (text, 0, CHART_MAX_NAME - 1);

    return g_strconcat (head, "…", NULL);
  }
}

/* A chart of horizontal bars, one per @bars, as an <svg> element. */
static void
append_chart (GString    *out,
              const char *id,
              const char *title,
              Bar        *bars,
              guint       n_bars)
{
  gint64 max = 0;
  gboolean marked = FALSE;
  guint height;

  for (guint i = 0; i < n_bars; i++)
    {
      max = MAX (max, bars[i].value);
      marked |= g_str_equal (bars[i].text, "<5") || g_str_equal (bars[i].text, "…");
    }
  height = CHART_TOP + n_bars * CHART_ROW + (marked ? 28 : 10);

  g_string_append_printf (out,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" "
                          "aria-labelledby=\"%s\" width=\"%d\" height=\"%u\" viewBox=\"0 0 %d %u\" "
                          "font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"13\">",
                          id, CHART_WIDTH, height, CHART_WIDTH, height);
  g_string_append_printf (out, "<title id=\"%s\">", id);
  append_escaped (out, title);
  g_string_append (out, "</title>");
  g_string_append_printf (out, "<rect width=\"%d\" height=\"%u\" fill=\"#ffffff\"/>", CHART_WIDTH, height);
  g_string_append (out, "<text x=\"0\" y=\"18\" font-weight=\"bold\" font-size=\"14\" fill=\"#000000\">");
  append_escaped (out, title);
  g_string_append (out, "</text>");
  g_string_append_printf (out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%u\" stroke=\"#555555\"/>",
                          CHART_LABELS, CHART_TOP - 4, CHART_LABELS, CHART_TOP + n_bars * CHART_ROW);

  for (guint i = 0; i < n_bars; i++)
    {
      guint y = CHART_TOP + i * CHART_ROW;
      guint length = max > 0 ? (guint) (bars[i].value * CHART_BARS / max) : 0;
      g_autofree char *name = shorten (bars[i].label);

      g_string_append_printf (out, "<text x=\"%d\" y=\"%u\" text-anchor=\"end\" fill=\"#000000\">",
                              CHART_LABELS - 6, y + 16);
      append_escaped (out, name);
      g_string_append (out, "</text>");
      if (length > 0)
        g_string_append_printf (out, "<rect x=\"%d\" y=\"%u\" width=\"%u\" height=\"%d\" fill=\"#2f5f98\"/>",
                                CHART_LABELS, y + 3, length, CHART_ROW - 6);
      g_string_append_printf (out, "<text x=\"%u\" y=\"%u\" fill=\"#000000\">", CHART_LABELS + length + 6, y + 16);
      append_escaped (out, bars[i].text);
      g_string_append (out, "</text>");
    }
  if (marked)
    {
      g_string_append_printf (out, "<text x=\"%d\" y=\"%u\" font-size=\"12\" fill=\"#000000\">",
                              CHART_LABELS, CHART_TOP + n_bars * CHART_ROW + 18);
      append_escaped (out, C_("summary", "«<5» and «…»: hidden, no bar is drawn"));
      g_string_append (out, "</text>");
    }
  g_string_append (out, "</svg>\n");
}

/* The group's total of indicator @index as shown: the true sum, «<5» or
 * «…» (stp-server-summary-suppress.c). */
static char *
format_total (StpSummaryGroup *group,
              guint            index)
{
  if (!group->present[index])
    return g_strdup ("");
  return stp_summary_format_value (group->totals[index], group->total_states[index]);
}

/* A bar's length: none for a hidden number. */
static gint64
bar_value (gint64 value,
           guint8 state)
{
  return state == STP_SUMMARY_STATE_SHOWN && value > 0 ? value : 0;
}

/* Bars of the group's totals for every indicator of @section but its
 * "total". */
static void
append_section_chart (GString         *out,
                      StpSummaryGroup *group,
                      guint            group_index,
                      const char      *section)
{
  g_autoptr(GArray) bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_autofree char *id = NULL;
  guint section_index = 0;
  gboolean any = FALSE;

  for (guint i = 0; i < stp_summary_get_n_indicators (); i++)
    {
      const StpSummaryIndicator *indicator = stp_summary_get_indicator (i);
      Bar bar;

      if (!g_str_equal (indicator->section, section))
        continue;
      section_index = indicator->section_index;
      any |= group->present[i];
      if (g_str_equal (indicator->key, "total"))
        continue;
      bar.label = stp_summary_indicator_label (i);
      bar.value = bar_value (group->totals[i], group->total_states[i]);
      bar.text = group->present[i] ? format_total (group, i) : g_strdup ("—");
      g_array_append_val (bars, bar);
    }
  id = g_strdup_printf ("chart-%u-%u", group_index, section_index);
  if (any)
    append_chart (out, id, stp_summary_section_title (section_index), (Bar *) bars->data, bars->len);
  for (guint b = 0; b < bars->len; b++)
    g_free (g_array_index (bars, Bar, b).text);
}

/* One bar per center: its admissions, «<5» or «…» without a bar when
 * hidden. */
static void
append_centers_chart (GString         *out,
                      StpSummaryGroup *group,
                      guint            group_index)
{
  int index = stp_summary_find_indicator ("admitted_by_source.total");
  g_autoptr(GArray) bars = g_array_new (FALSE, TRUE, sizeof (Bar));
  g_autofree char *id = g_strdup_printf ("chart-%u-centers", group_index);

  g_assert (index >= 0);
  if (!group->present[index])
    return;
  for (guint r = 0; r < group->reports->len; r++)
    {
      StpSummaryReport *report = g_ptr_array_index (group->reports, r);
      gint64 value = report->values[index];
      Bar bar = { report->name, bar_value (value, report->states[index]),
                  value >= 0 ? stp_summary_format_value (value, report->states[index]) : g_strdup ("—") };

      g_array_append_val (bars, bar);
    }
  append_chart (out, id, C_("summary", "Admitted in the period, by center"),
                (Bar *) bars->data, bars->len);
  for (guint b = 0; b < bars->len; b++)
    g_free (g_array_index (bars, Bar, b).text);
}

static void
append_centers (GString         *out,
                StpSummaryGroup *group)
{
  g_string_append_printf (out, "<table class=\"centers\"><thead><tr><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
                          C_("summary", "Center"), C_("summary", "Statistics sent"),
                          C_("summary", "Last sent"));
  for (guint r = 0; r < group->reports->len; r++)
    {
      StpSummaryReport *report = g_ptr_array_index (group->reports, r);
      g_autofree char *sent = stp_summary_format_time (report->sent_at);
      g_autofree char *last = stp_summary_format_time (report->last_sent_at);

      g_string_append (out, "<tr><td>");
      append_escaped (out, report->name);
      g_string_append_printf (out, "</td><td>%s</td><td>", sent);
      if (report->last_sent_at > report->sent_at)
        {
          g_autofree char *period = stp_summary_format_period (report->last_from, report->last_to);
          /* TRANSLATORS: when a center last sent statistics, and for which period */
          g_autofree char *text = g_strdup_printf (C_("summary", "%s, for %s"), last, period);

          append_escaped (out, text);
        }
      else
        g_string_append (out, last);
      g_string_append (out, "</td></tr>");
    }
  g_string_append (out, "</tbody></table>\n");
}

static void
append_table (GString         *out,
              StpSummaryGroup *group)
{
  guint n_columns = group->reports->len + 2;
  guint previous_section = G_MAXUINT;

  g_string_append_printf (out, "<table class=\"summary\"><thead><tr><th>%s</th>", C_("summary", "Indicator"));
  for (guint r = 0; r < group->reports->len; r++)
    {
      StpSummaryReport *report = g_ptr_array_index (group->reports, r);

      g_string_append (out, "<th scope=\"col\">");
      append_escaped (out, report->name);
      g_string_append (out, "</th>");
    }
  g_string_append_printf (out, "<th scope=\"col\" class=\"total\">%s</th></tr></thead><tbody>",
                          C_("summary", "Total"));

  for (guint i = 0; i < stp_summary_get_n_indicators (); i++)
    {
      const StpSummaryIndicator *indicator = stp_summary_get_indicator (i);
      g_autofree char *total = NULL;

      if (!group->present[i])
        continue;
      if (indicator->section_index != previous_section)
        {
          previous_section = indicator->section_index;
          g_string_append_printf (out, "<tr class=\"section\"><th colspan=\"%u\">", n_columns);
          append_escaped (out, stp_summary_section_title (indicator->section_index));
          g_string_append (out, "</th></tr>");
        }
      g_string_append (out, "<tr><th scope=\"row\">");
      append_escaped (out, stp_summary_indicator_label (i));
      g_string_append (out, "</th>");
      for (guint r = 0; r < group->reports->len; r++)
        {
          StpSummaryReport *report = g_ptr_array_index (group->reports, r);
          g_autofree char *value = report->values[i] >= 0
                                   ? stp_summary_format_value (report->values[i], report->states[i])
                                   : g_strdup ("—");

          g_string_append (out, "<td class=\"n\">");
          append_escaped (out, value);
          g_string_append (out, "</td>");
        }
      total = format_total (group, i);
      g_string_append (out, "<td class=\"n total\">");
      append_escaped (out, total);
      g_string_append (out, "</td></tr>");
    }
  g_string_append (out, "</tbody></table>\n");
  if (group->n_small > 0 || group->n_hidden > 0)
    {
      g_string_append (out, "<p class=\"note\">");
      append_escaped (out, C_("summary", "«<5»: a number from 1 to 4 (a total too). «…»: a number of 5 "
                              "or more, hidden so that a «<5» cannot be found by subtraction: every "
                              "row, every «Total» of a center and every pair of numbers that count the "
                              "same people hold either no hidden number or at least two, so the "
                              "totals are the true sums and still give no «<5» away. Zero is shown: "
                              "it points at nobody."));
      g_string_append (out, "</p>\n");
    }
}

char *
stp_summary_to_html (StpSummary *summary)
{
  GString *out = g_string_new ("<!DOCTYPE html>\n");
  /* TRANSLATORS: the language code of this translation, for <html lang> */
  const char *language = C_("summary", "en");

  g_return_val_if_fail (summary != NULL, NULL);

  g_string_append_printf (out, "<html lang=\"%s\"><head><meta charset=\"utf-8\">", language);
  g_string_append_printf (out, "<title>%s</title>", C_("summary", "Regional summary"));
  g_string_append (out,
                   "<style>"
                   "body{font-family:'DejaVu Sans',Verdana,sans-serif;margin:1.5em;color:#000;background:#fff}"
                   "table{border-collapse:collapse;margin:0.5em 0 1em}"
                   "td,th{border:1px solid #999;padding:3px 8px;text-align:left;vertical-align:top}"
                   "td.n{text-align:right;white-space:nowrap}"
                   "td.total,th.total{font-weight:bold;background:#f0f0f0}"
                   "tr.section th{background:#e4e8ef;padding-top:6px}"
                   "section.other{border-left:6px solid #999;padding-left:1em;margin-top:2em}"
                   ".note{color:#333;max-width:60em}"
                   "svg.chart{display:block;margin:0.5em 0 1em;max-width:100%;height:auto}"
                   "</style></head><body>\n");
  g_string_append_printf (out, "<h1>%s</h1>\n", C_("summary", "Regional summary"));
  g_string_append (out, "<p class=\"note\">");
  append_escaped (out, C_("summary", "The statistics the centers chose to send: numbers only, nothing "
                          "about any person. Numbers from 1 to 4 are shown as «<5», and some others "
                          "as «…» so that a «<5» cannot be found by subtraction; the totals are "
                          "the true sums. Stages of the centers’ own programs are added up by "
                          "their kind."));
  g_string_append (out, "</p>\n");

  if (summary->n_centers == 0)
    {
      g_string_append_printf (out, "<p>%s</p>", C_("summary", "No center has sent statistics yet."));
      g_string_append (out, "</body></html>\n");
      return g_string_free (out, FALSE);
    }

  g_string_append (out, "<p>");
  g_string_append_printf (out,
                          dngettext (GETTEXT_PACKAGE, "%u center has sent statistics.",
                                       "%u centers have sent statistics.", summary->n_centers),
                          summary->n_centers);
  if (summary->periods->len > 1)
    {
      g_string_append_printf (out, " %s", C_("summary", "Periods sent:"));
      for (guint p = 0; p < summary->periods->len; p++)
        {
          const char *key = g_ptr_array_index (summary->periods, p);
          g_autofree char *from = g_strndup (key, 10);
          g_autofree char *period = stp_summary_format_period (from, key + 11);

          g_string_append_printf (out, "%s <a href=\"summary?from=%s&amp;to=%s\">%s</a>",
                                  p > 0 ? "," : "", from, key + 11, period);
        }
      g_string_append_c (out, '.');
    }
  g_string_append_printf (out, " <a href=\"summary.csv?from=%s&amp;to=%s\">%s</a></p>\n",
                          summary->groups->len > 0 ? ((StpSummaryGroup *) summary->groups->pdata[0])->from : "",
                          summary->groups->len > 0 ? ((StpSummaryGroup *) summary->groups->pdata[0])->to : "",
                          C_("summary", "Download the table (CSV)"));
  if (summary->n_left_out > 0)
    {
      g_string_append (out, "<p class=\"note\">");
      g_string_append_printf (out,
                              dngettext (GETTEXT_PACKAGE,
                                           "%u name of a number is not shown: a stage of a center’s own "
                                           "program (stages are added up by kind) or a name this server "
                                           "does not know.",
                                           "%u names of numbers are not shown: stages of the centers’ own "
                                           "programs (stages are added up by kind) or names this server "
                                           "does not know.", summary->n_left_out),
                              summary->n_left_out);
      g_string_append (out, "</p>\n");
    }

  for (guint g = 0; g < summary->groups->len; g++)
    {
      StpSummaryGroup *group = g_ptr_array_index (summary->groups, g);
      g_autofree char *period = stp_summary_format_period (group->from, group->to);

      if (g == 0)
        {
          g_string_append (out, "<section class=\"main\">");
          g_string_append_printf (out, "<h2>%s ", C_("summary", "Period:"));
          append_escaped (out, period);
          g_string_append (out, "</h2>\n");
          if (group->reports->len == 0)
            {
              g_string_append_printf (out, "<p>%s</p></section>\n",
                                      C_("summary", "No center has sent statistics for this period."));
              continue;
            }
        }
      else
        {
          g_string_append (out, "<section class=\"other\">");
          g_string_append_printf (out, "<h2>%s ", C_("summary", "Another period:"));
          append_escaped (out, period);
          g_string_append_printf (out, "</h2>\n<p class=\"note\">%s</p>\n",
                                  C_("summary", "These centers sent statistics for another period. "
                                     "Their numbers are shown apart and are not added to the "
                                     "totals of the other periods."));
        }
      append_centers (out, group);
      append_section_chart (out, group, g, "in_program_by_stage_kind");
      append_section_chart (out, group, g, "outcomes");
      append_centers_chart (out, group, g);
      append_table (out, group);
      g_string_append (out, "</section>\n");
    }
  g_string_append (out, "</body></html>\n");
  return g_string_free (out, FALSE);
}
