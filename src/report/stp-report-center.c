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

gboolean
stp_report_center_render (StpReportLayout  *layout,
                          StpStore         *store,
                          StpSession       *session,
                          const char       *from,
                          const char       *to,
                          GError          **error)
{
  static const double widths[] = { 5, 1 };
  const char *headers[] = { _("Indicator"), _("Value") };
  g_autoptr(StpCenterStats) stats = NULL;
  g_autofree char *period = NULL;
  g_autofree char *title = NULL;
  const char *section = NULL;

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

  period = period_text (from, to);
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
            stp_report_layout_end_table (layout);
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
    stp_report_layout_end_table (layout);

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

  csv = stp_csv_new ();
  stp_csv_add_text (csv, "section");
  stp_csv_add_text (csv, "key");
  stp_csv_add_text (csv, _("Section"));
  stp_csv_add_text (csv, _("Indicator"));
  stp_csv_add_text (csv, _("Value"));
  stp_csv_end_row (csv);
  for (guint i = 0; i < stats->rows->len; i++)
    {
      const StpStatRow *row = g_ptr_array_index (stats->rows, i);

      stp_csv_add_text (csv, row->section);
      stp_csv_add_text (csv, row->key);
      stp_csv_add_text (csv, row->section_label);
      stp_csv_add_text (csv, row->label);
      stp_csv_add_number (csv, row->value);
      stp_csv_end_row (csv);
    }

  if (!stp_csv_write (csv, path, error))
    return FALSE;

  basename = g_path_get_basename (path);
  detail = g_strdup_printf ("center report %s..%s (csv: %s)", from, to, basename);
  return stp_store_audit (store, session, STP_AUDIT_EXPORT, NULL, NULL, detail, error);
}
