#define G_LOG_DOMAIN "stp-report-center"

#include "config.h"

#include "stp-report-center.h"
#include "stp-report-common.h"
#include "stp-report-csv.h"
#include "stp-stats.h"

#include <glib/gi18n-lib.h>

static char *
period_text (const char *from,
             const char *to)
{
  g_autofree char *from_text = stp_format_date (from);
  g_autofree char *to_text = stp_format_date (to);

  return g_strdup_printf ("%s – %s", from_text, to_text);
}

/* How a section of the report is charted beside its table. */
typedef struct
{
  const char *section;
  gboolean    skip_zeros;    /* long lists of codes: only those that occur */
  gboolean    vertical;      /* short labels */
} SectionChart;

static const SectionChart section_charts[] = {
  { "admitted_by_source", TRUE, FALSE },
  { "admitted_by_substance", TRUE, FALSE },
  { "in_program_by_stage_kind", FALSE, FALSE },
  { "outcomes", FALSE, FALSE },
  { "dropped_out_by_stage_kind", FALSE, FALSE },
  { "referrals", TRUE, FALSE },
  { "age_groups", FALSE, TRUE },
};

static gboolean
is_summary_key (const char *key)
{
  return g_str_equal (key, "total") || g_str_equal (key, "answered_in_time")
         || g_str_equal (key, "answered_late") || g_str_equal (key, "unanswered");
}

/* The chart of @section, or NULL when it has none or nothing to show. */
static StpChart *
section_chart (StpCenterStats *stats,
               const char     *section)
{
  const SectionChart *spec = NULL;
  g_autoptr(StpChart) chart = NULL;
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 sum = 0;

  for (guint i = 0; i < G_N_ELEMENTS (section_charts); i++)
    if (g_str_equal (section_charts[i].section, section))
      spec = &section_charts[i];
  if (spec == NULL)
    return NULL;

  for (guint i = 0; i < stats->rows->len; i++)
    {
      const StpStatRow *row = g_ptr_array_index (stats->rows, i);

      if (!g_str_equal (row->section, section) || is_summary_key (row->key))
        continue;
      if (chart == NULL)
        {
          chart = stp_chart_new (STP_CHART_BARS, row->section_label);
          stp_chart_set_horizontal (chart, !spec->vertical);
        }
      if (spec->skip_zeros && row->value == 0)
        continue;
      stp_chart_add_category (chart, row->label != NULL ? row->label : row->key);
      g_array_append_val (values, row->value);
      sum += row->value;
    }
  if (chart == NULL || values->len == 0 || sum == 0)
    return NULL;
  stp_chart_add_series (chart, _("Residents"), (gint64 *) values->data, values->len);
  return g_steal_pointer (&chart);
}

/* Remission at 6 and 12 months as two stacked bars of one chart. */
static StpChart *
remission_chart (StpCenterStats *stats)
{
  static const char *keys[] = { "yes", "no", "unknown", "lost", "pending" };
  const char *names[] = {
    C_("stats", "In remission"), C_("stats", "Not in remission"), C_("stats", "Remission unknown"),
    _("Contact lost"), C_("stats", "Not done yet"),
  };
  g_autoptr(StpChart) chart = stp_chart_new (STP_CHART_STACKED_BARS,
                                             _("Follow-ups due in the period: remission"));
  gint64 sum = 0;

  stp_chart_set_horizontal (chart, TRUE);
  stp_chart_add_category (chart, _("After 6 months"));
  stp_chart_add_category (chart, _("After 12 months"));
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      gint64 values[2] = {
        MAX (stp_center_stats_get (stats, "remission_6", keys[k]), 0),
        MAX (stp_center_stats_get (stats, "remission_12", keys[k]), 0),
      };

      sum += values[0] + values[1];
      stp_chart_add_series (chart, names[k], values, 2);
    }
  return sum > 0 ? g_steal_pointer (&chart) : NULL;
}

GPtrArray *
stp_report_center_charts (StpCenterStats *stats)
{
  GPtrArray *charts = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_chart_unref);
  const char *section = NULL;

  g_return_val_if_fail (stats != NULL, charts);

  for (guint i = 0; i < stats->rows->len; i++)
    {
      const StpStatRow *row = g_ptr_array_index (stats->rows, i);
      StpChart *chart;

      if (g_strcmp0 (section, row->section) == 0)
        continue;
      section = row->section;
      chart = g_str_equal (section, "remission_12") ? remission_chart (stats)
                                                     : section_chart (stats, section);
      if (chart != NULL)
        g_ptr_array_add (charts, chart);
    }
  return charts;
}

/* Ends a section's table and puts its chart under it. */
static void
end_section (StpReportLayout *layout,
             StpCenterStats  *stats,
             const char      *section)
{
  g_autoptr(StpChart) chart = NULL;

  stp_report_layout_end_table (layout);
  chart = g_str_equal (section, "remission_12") ? remission_chart (stats)
                                                 : section_chart (stats, section);
  if (chart != NULL)
    stp_report_layout_add_chart (layout, chart);
}

gboolean
stp_report_center_render (StpReportLayout  *layout,
                          StpStore         *store,
                          StpSession       *session,
                          const char       *from,
                          const char       *to,
                          GError          **error)
{
  g_autoptr(StpCenterStats) stats = NULL;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (from != NULL && to != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_CENTER_STATS, error))
    return FALSE;

  stats = stp_store_center_stats (store, session, from, to, error);
  if (stats == NULL)
    return FALSE;
  return stp_report_center_render_stats (layout, store, session, stats, error);
}

gboolean
stp_report_center_render_stats (StpReportLayout  *layout,
                                StpStore         *store,
                                StpSession       *session,
                                StpCenterStats   *stats,
                                GError          **error)
{
  static const double widths[] = { 5, 1 };
  const char *headers[] = { _("Indicator"), _("Value") };
  g_autofree char *period = NULL;
  g_autofree char *title = NULL;
  const char *section = NULL;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_CENTER_STATS, error))
    return FALSE;

  period = period_text (stats->from, stats->to);
  /* TRANSLATORS: %s is a period «дд.мм.гггг – дд.мм.гггг». */
  title = g_strdup_printf (_("Period: %s"), period);
  if (!stp_report_begin (layout, store, session, _("Report on the center’s activity"), error))
    return FALSE;
  stp_report_layout_add_paragraph (layout, title);
  stp_report_layout_add_note (layout, _("Aggregated numbers without personal data. "
                                        "Numbers of residents in the program are given "
                                        "at the end of the period."));

  for (guint i = 0; i < stats->rows->len; i++)
    {
      const StpStatRow *row = g_ptr_array_index (stats->rows, i);
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, row->value);
      const char *cells[2];

      if (g_strcmp0 (section, row->section) != 0)
        {
          if (section != NULL)
            end_section (layout, stats, section);
          section = row->section;
          stp_report_layout_add_heading (layout, row->section_label != NULL ? row->section_label
                                                                            : row->section);
          stp_report_layout_begin_table (layout, 2, headers, widths);
        }
      cells[0] = row->label != NULL ? row->label : row->key;
      cells[1] = value;
      stp_report_layout_add_row (layout, cells);
    }
  if (section != NULL)
    end_section (layout, stats, section);

  stp_report_end (layout, store);
  return TRUE;
}

gboolean
stp_report_center_to_pdf (StpStore    *store,
                          StpSession  *session,
                          const char  *from,
                          const char  *to,
                          const char  *path,
                          GError     **error)
{
  g_autoptr(StpReportLayout) layout = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  layout = stp_report_layout_new ();
  if (!stp_report_center_render (layout, store, session, from, to, error))
    return FALSE;
  detail = g_strdup_printf ("center report %s..%s", from, to);
  return stp_report_save_pdf (layout, store, session, path, NULL, NULL, detail, error);
}

gboolean
stp_report_center_to_csv (StpStore    *store,
                          StpSession  *session,
                          const char  *from,
                          const char  *to,
                          const char  *path,
                          GError     **error)
{
  g_autoptr(StpCenterStats) stats = NULL;
  g_autoptr(StpCsv) csv = NULL;
  g_autofree char *period = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *detail = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (from != NULL && to != NULL && path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_CENTER_STATS, error))
    return FALSE;

  stats = stp_store_center_stats (store, session, from, to, error);
  if (stats == NULL)
    return FALSE;

  /* Russian headers only, one indicator a row, the period on every row:
   * a table that a spreadsheet opens, sorts and filters as it is. */
  period = period_text (from, to);
  csv = stp_csv_new ();
  stp_csv_add_text (csv, _("Section"));
  stp_csv_add_text (csv, _("Indicator"));
  stp_csv_add_text (csv, _("Value"));
  stp_csv_add_text (csv, _("Period"));
  stp_csv_end_row (csv);
  for (guint i = 0; i < stats->rows->len; i++)
    {
      const StpStatRow *row = g_ptr_array_index (stats->rows, i);

      stp_csv_add_text (csv, row->section_label);
      stp_csv_add_text (csv, row->label);
      stp_csv_add_number (csv, row->value);
      stp_csv_add_text (csv, period);
      stp_csv_end_row (csv);
    }

  if (!stp_csv_write (csv, path, error))
    return FALSE;

  basename = g_path_get_basename (path);
  detail = g_strdup_printf ("center report %s..%s (csv: %s)", from, to, basename);
  return stp_store_audit (store, session, STP_AUDIT_EXPORT, NULL, NULL, detail, error);
}
