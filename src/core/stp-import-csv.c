/* stp-import-csv.c: the CSV side of the import: reading a table saved by
 * Excel or LibreOffice (encoding, delimiter, quotes) and writing the
 * summary of imported and skipped rows (stp-import.h). */
#define G_LOG_DOMAIN "stp-core"

#include "config.h"

#include "stp-import.h"
#include "stp-import-private.h"
#include "stp-error.h"

#include <string.h>

#include <glib/gi18n-lib.h>

/* --- Reading -------------------------------------------------------------- */

/* The first line's separator: the more frequent of ';' and ',' outside
 * quotes; 0 when neither. */
static char
guess_delimiter (const char *text)
{
  guint semicolons = 0, commas = 0;
  gboolean quoted = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        quoted = !quoted;
      else if (!quoted && (*p == '\n' || *p == '\r'))
        break;
      else if (!quoted && *p == ';')
        semicolons++;
      else if (!quoted && *p == ',')
        commas++;
    }
  if (semicolons == 0 && commas == 0)
    return 0;
  return semicolons >= commas ? ';' : ',';
}

static gboolean
row_is_empty (GPtrArray *fields)
{
  for (guint i = 0; i < fields->len; i++)
    if (*(char *) fields->pdata[i] != '\0')
      return FALSE;
  return TRUE;
}

static gboolean
finish_field (GString    *field,
              GPtrArray  *fields,
              guint       line,
              GError    **error)
{
  char *text;

  if (fields->len >= STP_IMPORT_MAX_COLUMNS)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                   _("Line %u has more than %d columns. This does not look like a table of residents."),
                   line, STP_IMPORT_MAX_COLUMNS);
      return FALSE;
    }
  if (g_utf8_strlen (field->str, field->len) > STP_IMPORT_MAX_FIELD_CHARS)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                   _("Line %u has a field longer than %d characters. This does not look like a table of residents."),
                   line, STP_IMPORT_MAX_FIELD_CHARS);
      return FALSE;
    }
  text = g_strstrip (g_strndup (field->str, field->len));
  g_ptr_array_add (fields, text);
  g_string_truncate (field, 0);
  return TRUE;
}

StpImportTable *
stp_import_parse (const char  *data,
                  gsize        len,
                  const char  *file_name,
                  GError     **error)
{
  g_autoptr(StpImportTable) table = g_new0 (StpImportTable, 1);
  g_autofree char *converted = NULL;
  g_autoptr(GString) field = g_string_new (NULL);
  g_autoptr(GPtrArray) fields = NULL;
  const char *text;
  gsize text_len;
  gboolean quoted = FALSE;
  gboolean after_quote = FALSE;
  guint line = 1, start_line = 1;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  if (len > STP_IMPORT_MAX_BYTES)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                   _("The file is larger than %d MB. Save the table in parts."),
                   STP_IMPORT_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  if (len == 0 || memchr (data, '\0', len) != NULL)
    {
      stp_import_set_refused (error, _("The file is not a CSV table (it is empty or holds binary data). "
                                       "In Excel or LibreOffice save the table as “CSV”."));
      return NULL;
    }
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      text = data + 3;
      text_len = len - 3;
      if (!g_utf8_validate (text, text_len, NULL))
        {
          stp_import_set_refused (error, _("The file says it is in UTF-8 but is not. Save the table again as “CSV UTF-8”."));
          return NULL;
        }
      table->encoding = g_strdup ("UTF-8");
    }
  else if (g_utf8_validate (data, len, NULL))
    {
      text = data;
      text_len = len;
      table->encoding = g_strdup ("UTF-8");
    }
  else
    {
      converted = g_convert (data, len, "UTF-8", "WINDOWS-1251", NULL, &text_len, NULL);
      if (converted == NULL)
        {
          stp_import_set_refused (error, _("The encoding of the file is not recognized. Save the table as CSV "
                                           "in UTF-8 or in Windows-1251."));
          return NULL;
        }
      text = converted;
      table->encoding = g_strdup ("WINDOWS-1251");
    }
  table->delimiter = guess_delimiter (text);
  if (table->delimiter == 0)
    {
      stp_import_set_refused (error, _("The first line has no “;” or “,” between columns: this is not a CSV table. "
                                       "The first line must name the columns."));
      return NULL;
    }
  table->file_name = file_name != NULL ? g_path_get_basename (file_name) : NULL;
  table->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  table->lines = g_array_new (FALSE, FALSE, sizeof (guint));
  fields = g_ptr_array_new_with_free_func (g_free);

  for (gsize i = 0; i <= text_len; i++)
    {
      char c = i < text_len ? text[i] : '\n';
      gboolean end_of_row = FALSE;

      if (quoted)
        {
          if (i == text_len)
            {
              g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                           _("Line %u: a quote is not closed. Check the file in Excel or LibreOffice."),
                           start_line);
              return NULL;
            }
          if (c == '"')
            {
              if (i + 1 < text_len && text[i + 1] == '"')
                {
                  g_string_append_c (field, '"');
                  i++;
                }
              else
                {
                  quoted = FALSE;
                  after_quote = TRUE;
                }
            }
          else
            {
              if (c == '\n')
                line++;
              g_string_append_c (field, c);
            }
          continue;
        }
      if (c == '"' && field->len == 0 && !after_quote)
        {
          quoted = TRUE;
          continue;
        }
      if (c == table->delimiter)
        {
          if (!finish_field (field, fields, start_line, error))
            return NULL;
          after_quote = FALSE;
          continue;
        }
      if (c == '\r')
        continue;
      if (c == '\n')
        end_of_row = TRUE;
      else
        g_string_append_c (field, c);
      if (!end_of_row)
        continue;

      if (!finish_field (field, fields, start_line, error))
        return NULL;
      after_quote = FALSE;
      if (!row_is_empty (fields))
        {
          if (table->header == NULL)
            {
              table->header = g_steal_pointer (&fields);
              for (guint k = 0; k < table->header->len; k++)
                if (*(char *) table->header->pdata[k] == '\0')
                  {
                    g_free (table->header->pdata[k]);
                    table->header->pdata[k] = g_strdup_printf (_("Column %u"), k + 1);
                  }
            }
          else
            {
              GStrvBuilder *builder;

              if (table->rows->len >= STP_IMPORT_MAX_ROWS)
                {
                  g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                               _("The file has more than %d rows. Save the table in parts."),
                               STP_IMPORT_MAX_ROWS);
                  return NULL;
                }
              /* Short rows are padded; what lies beyond the header's
               * columns is not imported. */
              builder = g_strv_builder_new ();
              for (guint k = 0; k < table->header->len; k++)
                g_strv_builder_add (builder, k < fields->len ? (char *) fields->pdata[k] : "");
              g_ptr_array_add (table->rows, g_strv_builder_end (builder));
              g_strv_builder_unref (builder);
              g_array_append_val (table->lines, start_line);
            }
        }
      if (fields == NULL)
        fields = g_ptr_array_new_with_free_func (g_free);
      else
        g_ptr_array_set_size (fields, 0);
      line++;
      start_line = line;
    }
  if (table->header == NULL || table->rows->len == 0)
    {
      stp_import_set_refused (error, _("The file has no rows of data under the line of column names."));
      return NULL;
    }
  return g_steal_pointer (&table);
}

StpImportTable *
stp_import_read_file (const char  *path,
                      GError     **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                   _("Cannot read %s: %s"), path, local_error->message);
      g_error_free (local_error);
      return NULL;
    }
  return stp_import_parse (g_mapped_file_get_contents (mapped), g_mapped_file_get_length (mapped),
                           path, error);
}

/* --- The summary --------------------------------------------------------- */

static void
append_csv_field (GString    *out,
                  const char *text)
{
  g_string_append_c (out, '"');
  for (const char *p = text != NULL ? text : ""; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

char *
stp_import_report_csv (GPtrArray *rows)
{
  GString *out = g_string_new ("\xEF\xBB\xBF");

  g_return_val_if_fail (rows != NULL, NULL);

  append_csv_field (out, _("Line"));
  g_string_append_c (out, ';');
  append_csv_field (out, _("Result"));
  g_string_append_c (out, ';');
  append_csv_field (out, _("Resident"));
  g_string_append_c (out, ';');
  append_csv_field (out, _("Reason"));
  g_string_append (out, "\r\n");
  for (guint i = 0; i < rows->len; i++)
    {
      StpImportRow *row = g_ptr_array_index (rows, i);
      const char *result;

      switch (row->status)
        {
        case STP_IMPORT_ROW_OK: result = row->resident_id != NULL ? _("imported") : _("will be imported"); break;
        case STP_IMPORT_ROW_INVALID: result = _("skipped: errors"); break;
        case STP_IMPORT_ROW_DUPLICATE_EXISTING:
        case STP_IMPORT_ROW_DUPLICATE_IN_FILE:
        default:
          result = _("skipped: duplicate");
          break;
        }
      g_string_append_printf (out, "%u;", row->line);
      append_csv_field (out, result);
      g_string_append_c (out, ';');
      append_csv_field (out, row->display);
      g_string_append_c (out, ';');
      append_csv_field (out, row->problems != NULL ? row->problems : row->warnings);
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}
