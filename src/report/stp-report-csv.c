#define G_LOG_DOMAIN "stp-report-csv"

#include "config.h"

#include "stp-report-csv.h"

#include <string.h>

struct _StpCsv
{
  GString  *data;
  gboolean  row_started;
};

StpCsv *
stp_csv_new (void)
{
  StpCsv *csv = g_new0 (StpCsv, 1);

  /* The byte order mark tells spreadsheets that the file is UTF-8. */
  csv->data = g_string_new ("\xEF\xBB\xBF");
  return csv;
}

void
stp_csv_free (StpCsv *csv)
{
  if (csv == NULL)
    return;
  g_string_free (csv->data, TRUE);
  g_free (csv);
}

static void
separate (StpCsv *csv)
{
  if (csv->row_started)
    g_string_append_c (csv->data, ';');
  csv->row_started = TRUE;
}

void
stp_csv_add_text (StpCsv     *csv,
                  const char *text)
{
  g_return_if_fail (csv != NULL);

  separate (csv);
  if (text == NULL)
    return;

  /* Commas are quoted too: an import that splits on them as well as on
   * `;` (LibreOffice, Gnumeric with both ticked) keeps such a field whole;
   * so are edge spaces, which importers trim otherwise. */
  if (strpbrk (text, ";,\"\r\n") == NULL && text[0] != ' ' &&
      (text[0] == '\0' || text[strlen (text) - 1] != ' '))
    {
      g_string_append (csv->data, text);
      return;
    }

  g_string_append_c (csv->data, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv->data, '"');
      g_string_append_c (csv->data, *p);
    }
  g_string_append_c (csv->data, '"');
}

void
stp_csv_add_number (StpCsv *csv,
                    gint64  number)
{
  g_return_if_fail (csv != NULL);

  separate (csv);
  g_string_append_printf (csv->data, "%" G_GINT64_FORMAT, number);
}

void
stp_csv_end_row (StpCsv *csv)
{
  g_return_if_fail (csv != NULL);

  g_string_append (csv->data, "\r\n");
  csv->row_started = FALSE;
}

const char *
stp_csv_get_data (StpCsv *csv,
                  gsize  *out_length)
{
  g_return_val_if_fail (csv != NULL, NULL);

  if (out_length != NULL)
    *out_length = csv->data->len;
  return csv->data->str;
}

gboolean
stp_csv_write (StpCsv      *csv,
               const char  *path,
               GError     **error)
{
  g_return_val_if_fail (csv != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_file_set_contents (path, csv->data->str, csv->data->len, error);
}
