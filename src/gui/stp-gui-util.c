#define G_LOG_DOMAIN "stp-gui-util"

#include "config.h"

#include "stp-gui-util.h"

#include <string.h>

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

static void
name_button_by_label (GtkButton *button)
{
  if (gtk_button_get_use_underline (button) && gtk_button_get_label (button) != NULL)
    {
      const char *label = gtk_button_get_label (button);
      g_autoptr(GString) name = g_string_sized_new (strlen (label));

      /* "__" is a literal underscore; a single one marks the mnemonic. */
      for (const char *p = label; *p != '\0'; p++)
        {
          if (*p == '_' && p[1] == '_')
            g_string_append_c (name, *++p);
          else if (*p != '_')
            g_string_append_c (name, *p);
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, name->str, -1);
    }
}

void
stp_gui_fix_mnemonic_names (GtkWidget *root)
{
  g_return_if_fail (GTK_IS_WIDGET (root));

  if (GTK_IS_BUTTON (root))
    {
      name_button_by_label (GTK_BUTTON (root));
      /* A later gtk_button_set_label() sets the underscored name again. */
      if (g_object_get_data (G_OBJECT (root), "stp-named-by-label") == NULL)
        {
          g_object_set_data (G_OBJECT (root), "stp-named-by-label", GINT_TO_POINTER (TRUE));
          g_signal_connect_after (root, "notify::label", G_CALLBACK (name_button_by_label), NULL);
        }
    }
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    stp_gui_fix_mnemonic_names (child);
}
