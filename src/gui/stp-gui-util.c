#define G_LOG_DOMAIN "stp-gui-util"

#include "config.h"

#include "stp-gui-util.h"

static GDate *
parse_date (const char *iso_date)
{
  unsigned year, month, day;

  if (iso_date == NULL || sscanf (iso_date, "%4u-%2u-%2u", &year, &month, &day) != 3)
    return NULL;
  if (!g_date_valid_dmy (day, month, year))
    return NULL;

  return g_date_new_dmy (day, month, year);
}

char *
stp_gui_format_moment (const char *iso_moment)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_utc ();
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (iso_moment == NULL)
    return g_strdup ("");

  utc = g_date_time_new_from_iso8601 (iso_moment, tz);
  if (utc == NULL)
    return g_strdup (iso_moment);
  local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%d.%m.%Y %H:%M");
}

int
stp_gui_days_between (const char *from,
                      const char *to)
{
  g_autoptr(GDate) a = parse_date (from);
  g_autoptr(GDate) b = parse_date (to);

  if (a == NULL || b == NULL)
    return -1;

  return g_date_days_between (a, b);
}

int
stp_gui_age (const char *birth_date,
             const char *today)
{
  g_autoptr(GDate) birth = parse_date (birth_date);
  g_autoptr(GDate) now = parse_date (today);
  int years;

  if (birth == NULL || now == NULL)
    return -1;

  years = g_date_get_year (now) - g_date_get_year (birth);
  if (g_date_get_month (now) < g_date_get_month (birth) ||
      (g_date_get_month (now) == g_date_get_month (birth) &&
       g_date_get_day (now) < g_date_get_day (birth)))
    years--;

  return years;
}

void
stp_gui_remove_all_children (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    {
      if (GTK_IS_LIST_BOX (box))
        gtk_list_box_remove (GTK_LIST_BOX (box), child);
      else if (GTK_IS_BOX (box))
        gtk_box_remove (GTK_BOX (box), child);
      else
        gtk_widget_unparent (child);
    }
}
