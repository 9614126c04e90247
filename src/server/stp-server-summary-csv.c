/* stp-server-summary-csv.c: the regional summary as a table for
 * spreadsheets: UTF-8 with a byte order mark, ";" between fields, CRLF,
 * Russian headers.  One row per center with its own period, and after the
 * centers of each period a total row of that period only: periods are
 * never added together.  Numbers 1–4 are «<5», the complementary hidden
 * ones «…», the totals true sums (stp-server-summary-suppress.c), as on
 * the page. */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-summary.h"

#include <glib/gi18n-lib.h>
#include <string.h>

static void
csv_field (GString    *out,
           const char *text)
{
  if (strpbrk (text, ";,\"\r\n") != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (text, "\"", -1);
      g_autofree char *escaped = g_strjoinv ("\"\"", parts);

      g_string_append_printf (out, "\"%s\"", escaped);
    }
  else
    g_string_append (out, text);
}

static char *
format_date (const char *iso)
{
  return g_strdup_printf ("%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

static void
append_period (GString    *out,
               const char *from,
               const char *to)
{
  g_autofree char *from_text = format_date (from);
  g_autofree char *to_text = format_date (to);

  g_string_append_printf (out, ";%s;%s", from_text, to_text);
}

char *
stp_summary_to_csv (StpSummary *summary)
{
  guint n = stp_summary_get_n_indicators ();
  g_autofree gboolean *shown = g_new0 (gboolean, n);
  GString *out = g_string_new ("\xEF\xBB\xBF");

  g_return_val_if_fail (summary != NULL, NULL);

  /* The columns: every indicator some center sent. */
  for (guint g = 0; g < summary->groups->len; g++)
    {
      StpSummaryGroup *group = g_ptr_array_index (summary->groups, g);

      for (guint i = 0; i < n; i++)
        shown[i] |= group->present[i];
    }

  csv_field (out, C_("summary", "Center"));
  g_string_append_c (out, ';');
  csv_field (out, C_("summary", "Period from"));
  g_string_append_c (out, ';');
  csv_field (out, C_("summary", "Period to"));
  g_string_append_c (out, ';');
  csv_field (out, C_("summary", "Statistics sent"));
  for (guint i = 0; i < n; i++)
    {
      const StpSummaryIndicator *indicator = stp_summary_get_indicator (i);
      g_autofree char *header = NULL;

      if (!shown[i])
        continue;
      /* TRANSLATORS: a column of the summary table: a section, then a number of it */
      header = g_strdup_printf (C_("summary", "%s: %s"),
                                stp_summary_section_title (indicator->section_index),
                                stp_summary_indicator_label (i));
      g_string_append_c (out, ';');
      csv_field (out, header);
    }
  g_string_append (out, "\r\n");

  for (guint g = 0; g < summary->groups->len; g++)
    {
      StpSummaryGroup *group = g_ptr_array_index (summary->groups, g);

      if (group->reports->len == 0)
        continue;
      for (guint r = 0; r < group->reports->len; r++)
        {
          StpSummaryReport *report = g_ptr_array_index (group->reports, r);
          g_autofree char *sent = stp_summary_format_time (report->sent_at);

          csv_field (out, report->name);
          append_period (out, report->from, report->to);
          g_string_append_printf (out, ";%s", sent);
          for (guint i = 0; i < n; i++)
            {
              g_autofree char *value = NULL;

              if (!shown[i])
                continue;
              value = stp_summary_format_value (report->values[i], report->states[i]);
              g_string_append_c (out, ';');
              csv_field (out, value);
            }
          g_string_append (out, "\r\n");
        }

      csv_field (out, C_("summary", "Total"));
      append_period (out, group->from, group->to);
      g_string_append_c (out, ';');
      for (guint i = 0; i < n; i++)
        {
          if (!shown[i])
            continue;
          g_string_append_c (out, ';');
          if (group->present[i])
            {
              g_autofree char *total = stp_summary_format_value (group->totals[i],
                                                                 group->total_states[i]);

              csv_field (out, total);
            }
        }
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}
