#define G_LOG_DOMAIN "stp-report"

#include "config.h"

#include "stp-report-common.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

char *
stp_report_format_moment (const char *iso_moment)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GTimeZone) zone = NULL;

  if (iso_moment == NULL || iso_moment[0] == '\0')
    return g_strdup ("");
  zone = g_time_zone_new_utc ();
  utc = g_date_time_new_from_iso8601 (iso_moment, zone);
  if (utc == NULL)
    return stp_format_date (iso_moment);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%d.%m.%Y %H:%M");
}

char *
stp_report_dup_director_name (StpStore *store)
{
  g_autoptr(GPtrArray) users = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  users = stp_store_list_login_users (store, NULL);
  if (users == NULL)
    return NULL;
  for (guint i = 0; i < users->len; i++)
    {
      const StpUser *user = g_ptr_array_index (users, i);

      if (user->role == STP_ROLE_DIRECTOR && user->full_name != NULL)
        return g_strdup (user->full_name);
    }
  return NULL;
}

gboolean
stp_report_begin (StpReportLayout  *layout,
                  StpStore         *store,
                  StpSession       *session,
                  const char       *title,
                  GError          **error)
{
  g_autoptr(StpCenter) center = NULL;
  g_autofree char *today = NULL;
  g_autofree char *today_text = NULL;
  g_autofree char *footer = NULL;
  g_autoptr(GString) details = g_string_new (NULL);

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);

  center = stp_store_get_center (store, error);
  if (center == NULL)
    return FALSE;

  today = stp_store_today (store);
  today_text = stp_format_date (today);
  /* TRANSLATORS: footer of printed reports: the date and the user's full name. */
  footer = g_strdup_printf (_("Printed on %s by %s"), today_text,
                            stp_session_get_full_name (session) != NULL
                              ? stp_session_get_full_name (session)
                              : stp_session_get_login (session));
  stp_report_layout_set_header (layout, center->name);
  stp_report_layout_set_footer (layout, footer);

  stp_report_layout_add_heading (layout, center->name);
  if (center->legal_name != NULL && center->legal_name[0] != '\0')
    g_string_append (details, center->legal_name);
  if (center->inn != NULL && center->inn[0] != '\0')
    g_string_append_printf (details, "%s%s %s", details->len > 0 ? ", " : "", _("INN"), center->inn);
  if (center->ogrn != NULL && center->ogrn[0] != '\0')
    g_string_append_printf (details, "%s%s %s", details->len > 0 ? ", " : "", _("OGRN"), center->ogrn);
  if (center->address != NULL && center->address[0] != '\0')
    g_string_append_printf (details, "%s%s", details->len > 0 ? "\n" : "", center->address);
  if (details->len > 0)
    stp_report_layout_add_note (layout, details->str);
  stp_report_layout_add_space (layout, 10);
  stp_report_layout_add_title (layout, title);

  return TRUE;
}

void
stp_report_end (StpReportLayout *layout,
                StpStore        *store)
{
  g_autofree char *director = NULL;

  g_return_if_fail (STP_IS_REPORT_LAYOUT (layout));
  g_return_if_fail (STP_IS_STORE (store));

  director = stp_report_dup_director_name (store);
  /* TRANSLATORS: the signature line of a report: «Руководитель ____ / ФИО /». */
  stp_report_layout_add_signature (layout, _("Director"), director);
}

gboolean
stp_report_save_pdf (StpReportLayout  *layout,
                     StpStore         *store,
                     StpSession       *session,
                     const char       *path,
                     const char       *entity,
                     const char       *entity_id,
                     const char       *detail,
                     GError          **error)
{
  g_autofree char *basename = NULL;
  g_autofree char *full_detail = NULL;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!stp_report_layout_write_pdf (layout, path, error))
    return FALSE;

  basename = g_path_get_basename (path);
  full_detail = g_strdup_printf ("%s (pdf: %s)", detail, basename);
  return stp_store_audit (store, session, STP_AUDIT_EXPORT, entity, entity_id, full_detail, error);
}
