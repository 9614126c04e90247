#define G_LOG_DOMAIN "stp-report-lists"

#include "config.h"

#include "stp-report-lists.h"
#include "stp-report-common.h"
#include "stp-query.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>

static char *
add_days (const char *iso_date,
          int         days)
{
  int year, month, day;
  g_autoptr(GDate) date = NULL;
  char buffer[16];

  if (iso_date == NULL || sscanf (iso_date, "%4d-%2d-%2d", &year, &month, &day) != 3 ||
      !g_date_valid_dmy (day, month, year))
    return g_strdup (iso_date);
  date = g_date_new_dmy (day, month, year);
  g_date_add_days (date, days);
  g_snprintf (buffer, sizeof buffer, "%04d-%02d-%02d",
              g_date_get_year (date), g_date_get_month (date), g_date_get_day (date));
  return g_strdup (buffer);
}

gboolean
stp_report_follow_ups_render (StpReportLayout  *layout,
                              StpStore         *store,
                              StpSession       *session,
                              const char       *until,
                              GError          **error)
{
  static const double widths[] = { 0.6, 4, 2, 1.3, 1.6, 1.8 };
  const char *headers[] = { "№", _("Resident"), _("File number"), _("Months"), _("Due"), _("Overdue") };
  g_autofree char *today = NULL;
  g_autofree char *default_until = NULL;
  g_autofree char *until_text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) due = NULL;
  guint n_overdue = 0;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return FALSE;

  today = stp_store_today (store);
  if (until == NULL)
    until = default_until = add_days (today, 30);

  due = stp_store_list_follow_ups_due (store, session, today, until, error);
  if (due == NULL)
    return FALSE;

  until_text = stp_format_date (until);
  /* TRANSLATORS: %s is a date (дд.мм.гггг). */
  title = g_strdup_printf (_("Follow-ups due by %s"), until_text);
  if (!stp_report_begin (layout, store, session, title, error))
    return FALSE;

  for (guint i = 0; i < due->len; i++)
    if (((StpFollowUpDue *) g_ptr_array_index (due, i))->overdue)
      n_overdue++;
  summary = g_strdup_printf (_("Follow-ups to do: %u, of them overdue: %u."), due->len, n_overdue);
  stp_report_layout_add_paragraph (layout, summary);

  if (due->len > 0)
    {
      stp_report_layout_begin_table (layout, G_N_ELEMENTS (headers), headers, widths);
      for (guint i = 0; i < due->len; i++)
        {
          const StpFollowUpDue *item = g_ptr_array_index (due, i);
          g_autofree char *number = g_strdup_printf ("%u", i + 1);
          g_autofree char *months = g_strdup_printf ("%d", item->follow_up->months);
          g_autofree char *due_on = stp_format_date (item->follow_up->due_on);
          const char *cells[] = {
            number, item->resident_name, item->file_number, months, due_on,
            item->overdue ? _("overdue") : "",
          };

          stp_report_layout_add_row (layout, cells);
        }
      stp_report_layout_end_table (layout);
    }

  stp_report_end (layout, store);
  return TRUE;
}

gboolean
stp_report_follow_ups_to_pdf (StpStore    *store,
                              StpSession  *session,
                              const char  *until,
                              const char  *path,
                              GError     **error)
{
  g_autoptr(StpReportLayout) layout = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  layout = stp_report_layout_new ();
  if (!stp_report_follow_ups_render (layout, store, session, until, error))
    return FALSE;
  return stp_report_save_pdf (layout, store, session, path, "follow_ups", NULL,
                              "follow-ups due", error);
}

gboolean
stp_report_census_render (StpReportLayout  *layout,
                          StpStore         *store,
                          StpSession       *session,
                          GError          **error)
{
  static const double widths[] = { 0.5, 4.3, 2, 1.9, 1.9, 2.4 };
  const char *headers[] = { "№", _("Resident"), _("File number"), _("Admitted on"),
                            _("On the stage since"), _("Responsible") };
  g_autoptr(GPtrArray) census = NULL;
  g_autofree char *today = NULL;
  g_autofree char *today_text = NULL;
  g_autofree char *title = NULL;
  g_autofree char *total = NULL;
  const char *stage = NULL;
  gboolean first = TRUE;
  guint number = 0;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  census = stp_store_census (store, session, error);
  if (census == NULL)
    return FALSE;

  today = stp_store_today (store);
  today_text = stp_format_date (today);
  /* TRANSLATORS: %s is a date (дд.мм.гггг). */
  title = g_strdup_printf (_("Residents in the center by stage on %s"), today_text);
  if (!stp_report_begin (layout, store, session, title, error))
    return FALSE;
  total = g_strdup_printf (_("Residents in the center: %u."), census->len);
  stp_report_layout_add_paragraph (layout, total);

  for (guint i = 0; i < census->len; i++)
    {
      const StpResidentSummary *summary = g_ptr_array_index (census, i);
      g_autofree char *name = g_strdup_printf ("%s %s%s%s", summary->surname ? summary->surname : "",
                                               summary->name ? summary->name : "",
                                               summary->patronymic ? " " : "",
                                               summary->patronymic ? summary->patronymic : "");
      g_autofree char *index = NULL;
      g_autofree char *admitted = stp_format_date (summary->admitted_on);
      g_autofree char *since = stp_format_date (summary->stage_started_on);
      const char *cells[6];

      if (first || g_strcmp0 (stage, summary->stage_name) != 0)
        {
          guint count = 0;
          g_autofree char *heading = NULL;

          for (guint j = i; j < census->len; j++)
            {
              const StpResidentSummary *other = g_ptr_array_index (census, j);

              if (g_strcmp0 (other->stage_name, summary->stage_name) != 0)
                break;
              count++;
            }
          if (!first)
            stp_report_layout_end_table (layout);
          first = FALSE;
          stage = summary->stage_name;
          heading = g_strdup_printf ("%s: %u", stage != NULL ? stage : _("Intake, no stage yet"), count);
          stp_report_layout_add_heading (layout, heading);
          stp_report_layout_begin_table (layout, G_N_ELEMENTS (headers), headers, widths);
          number = 0;
        }

      index = g_strdup_printf ("%u", ++number);
      cells[0] = index;
      cells[1] = name;
      cells[2] = summary->file_number;
      cells[3] = admitted;
      cells[4] = since;
      cells[5] = summary->responsible_name;
      stp_report_layout_add_row (layout, cells);
    }
  if (!first)
    stp_report_layout_end_table (layout);

  stp_report_end (layout, store);
  return TRUE;
}

gboolean
stp_report_census_to_pdf (StpStore    *store,
                          StpSession  *session,
                          const char  *path,
                          GError     **error)
{
  g_autoptr(StpReportLayout) layout = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  layout = stp_report_layout_new ();
  if (!stp_report_census_render (layout, store, session, error))
    return FALSE;
  return stp_report_save_pdf (layout, store, session, path, "residents", NULL, "census", error);
}
