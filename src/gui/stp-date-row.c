#define G_LOG_DOMAIN "stp-date-row"

#include "config.h"

#include "stp-date-row.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

struct _StpDateRow
{
  AdwEntryRow parent_instance;
};

G_DEFINE_FINAL_TYPE (StpDateRow, stp_date_row, ADW_TYPE_ENTRY_ROW)

char *
stp_date_parse_ru (const char *text)
{
  g_auto(GStrv) parts = NULL;
  g_autofree char *stripped = NULL;
  guint64 numbers[3];

  if (text == NULL)
    return NULL;
  stripped = g_strstrip (g_strdup (text));
  parts = g_strsplit (stripped, ".", -1);
  if (g_strv_length (parts) != 3)
    return NULL;
  for (guint i = 0; i < 3; i++)
    {
      if (!g_ascii_string_to_unsigned (parts[i], 10, 0, 9999, &numbers[i], NULL))
        return NULL;
    }
  /* A four-digit year keeps "1.2.20" from meaning the year 20. */
  if (strlen (parts[2]) != 4 || numbers[2] < 1000)
    return NULL;
  if (!g_date_valid_dmy ((GDateDay) numbers[0], (GDateMonth) numbers[1], (GDateYear) numbers[2]))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d",
                          (int) numbers[2], (int) numbers[1], (int) numbers[0]);
}

static void
stp_date_row_changed (GtkEditable *editable,
                      StpDateRow  *self)
{
  const char *text = gtk_editable_get_text (editable);
  g_autofree char *iso = NULL;

  /* Clear the error mark as soon as the text becomes a real date. */
  if (text == NULL || *text == '\0' || (iso = stp_date_parse_ru (text)) != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self), "error");
}

static void
stp_date_row_class_init (StpDateRowClass *klass)
{
}

static void
stp_date_row_init (StpDateRow *self)
{
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (self), GTK_INPUT_PURPOSE_DIGITS);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Date as dd.mm.yyyy"));
  g_signal_connect (self, "changed", G_CALLBACK (stp_date_row_changed), self);
}

GtkWidget *
stp_date_row_new (const char *title)
{
  return g_object_new (STP_TYPE_DATE_ROW, "title", title, NULL);
}

void
stp_date_row_set_iso (StpDateRow *self,
                      const char *iso_date)
{
  g_autofree char *text = NULL;

  g_return_if_fail (STP_IS_DATE_ROW (self));

  text = stp_format_date (iso_date);
  gtk_editable_set_text (GTK_EDITABLE (self), text);
}

gboolean
stp_date_row_get_iso (StpDateRow  *self,
                      char       **out_iso_date,
                      GError     **error)
{
  const char *text;
  g_autofree char *stripped = NULL;
  char *iso;

  g_return_val_if_fail (STP_IS_DATE_ROW (self), FALSE);
  g_return_val_if_fail (out_iso_date != NULL, FALSE);

  *out_iso_date = NULL;
  text = gtk_editable_get_text (GTK_EDITABLE (self));
  stripped = g_strstrip (g_strdup (text ? text : ""));
  if (*stripped == '\0')
    return TRUE;
  iso = stp_date_parse_ru (stripped);
  if (iso == NULL)
    {
      unsigned day, month, year;
      int consumed = 0;

      /* Typed right but impossible (31.02.1990): say the day does not
       * exist rather than explain the format again. */
      if (sscanf (stripped, "%2u.%2u.%4u%n", &day, &month, &year, &consumed) == 3 &&
          stripped[consumed] == '\0' && year >= 1000)
        g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                     _("“%s”: there is no such date. Check the day and the month."), stripped);
      else
        g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                     _("“%s” is not a valid date: type it as dd.mm.yyyy"), stripped);
      return FALSE;
    }
  *out_iso_date = iso;
  return TRUE;
}
