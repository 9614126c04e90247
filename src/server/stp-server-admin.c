/* stp-server-admin.c: the regional summary for the administrator. */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-private.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

static gboolean
check_admin (StpServer         *self,
             StpRequest        *msg)
{
  SoupMessageHeaders *headers = msg->request_headers;
  const char *auth = soup_message_headers_get_one (headers, "Authorization");
  gboolean ok = FALSE;

  if (auth != NULL && g_ascii_strncasecmp (auth, "Basic ", 6) == 0 &&
      self->config->admin_password_hash[0] != '\0')
    {
      gsize len = 0;
      g_autofree char *decoded = (char *) g_base64_decode (auth + 6, &len);
      g_autofree char *text = g_strndup (decoded, len);
      const char *colon = strchr (text, ':');

      if (colon != NULL)
        ok = crypto_pwhash_str_verify (self->config->admin_password_hash,
                                       colon + 1, strlen (colon + 1)) == 0;
    }

  if (!ok)
    {
      soup_message_headers_replace (msg->response_headers,
                                    "WWW-Authenticate", "Basic realm=\"Stupeni\", charset=\"UTF-8\"");
      respond_error (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                     _("The administrator password is required"));
    }
  return ok;
}

/* GET /admin/summary and /admin/summary.csv */

typedef struct
{
  char       *center;
  char       *name;
  char       *period_from;
  char       *period_to;
  JsonObject *counts;
} SummaryRow;

static void
summary_row_free (SummaryRow *row)
{
  g_free (row->center);
  g_free (row->name);
  g_free (row->period_from);
  g_free (row->period_to);
  g_clear_pointer (&row->counts, json_object_unref);
  g_free (row);
}

/* Counts under 5 could point at a person, so they are shown as «<5».
 * Totals add the exact values, and a total under 5 is hidden the same way. */
static char *
format_count (gint64 value)
{
  if (value < 5)
    return g_strdup ("<5");
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static gboolean
load_summary (StpServerStore  *store,
              GPtrArray      **rows_out,
              GPtrArray      **keys_out,
              GHashTable     **totals_out,
              GError         **error)
{
  g_autoptr(StpServerResult) result = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) summary_row_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *previous = NULL;

  if (!(result = stp_server_store_aggregates (store, error)))
    return FALSE;

  for (guint i = 0; i < result->n_rows; i++)
    {
      const char *center = stp_server_result_get (result, i, 0);
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(GList) names = NULL;
      SummaryRow *row;
      JsonNode *counts;

      if (g_strcmp0 (center, previous) == 0)
        continue;            /* an older report of the same center */
      previous = center;

      node = json_from_string (stp_server_result_get (result, i, 5), NULL);
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      counts = json_object_get_member (json_node_get_object (node), "counts");
      if (counts == NULL || !JSON_NODE_HOLDS_OBJECT (counts))
        continue;

      row = g_new0 (SummaryRow, 1);
      row->center = g_strdup (center);
      row->name = g_strdup (stp_server_result_get (result, i, 1));
      row->period_from = g_strdup (stp_server_result_get (result, i, 2));
      row->period_to = g_strdup (stp_server_result_get (result, i, 3));
      row->counts = json_object_ref (json_node_get_object (counts));
      g_ptr_array_add (rows, row);

      names = json_object_get_members (row->counts);
      for (GList *l = names; l != NULL; l = l->next)
        {
          gint64 *total = g_hash_table_lookup (totals, l->data);

          if (total == NULL)
            {
              total = g_new0 (gint64, 1);
              g_hash_table_insert (totals, g_strdup (l->data), total);
              g_ptr_array_add (keys, g_strdup (l->data));
            }
          *total += json_object_get_int_member (row->counts, l->data);
        }
    }

  g_ptr_array_sort (keys, compare_keys);
  *rows_out = g_steal_pointer (&rows);
  *keys_out = g_steal_pointer (&keys);
  *totals_out = g_steal_pointer (&totals);
  return TRUE;
}

static void
csv_field (GString    *out,
           const char *text)
{
  if (strpbrk (text, ";\"\r\n") != NULL)
    {
      g_autofree char *escaped = NULL;
      g_auto(GStrv) parts = g_strsplit (text, "\"", -1);

      escaped = g_strjoinv ("\"\"", parts);
      g_string_append_printf (out, "\"%s\"", escaped);
    }
  else
    g_string_append (out, text);
}

void
stp_server_handle_summary (StpServer         *self,
                           StpRequest        *msg,
                           gboolean           csv)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GHashTable) totals = NULL;
  g_autoptr(GError) error = NULL;
  GString *out;

  if (!check_admin (self, msg))
    return;

  if (!load_summary (msg->store, &rows, &keys, &totals, &error))
    {
      respond_internal (msg, error);
      return;
    }

  if (csv)
    {
      /* UTF-8 with a byte order mark, so that spreadsheets read it right. */
      out = g_string_new ("\xEF\xBB\xBF");
      csv_field (out, C_("summary", "Center"));
      g_string_append_c (out, ';');
      csv_field (out, C_("summary", "Period from"));
      g_string_append_c (out, ';');
      csv_field (out, C_("summary", "Period to"));
      for (guint k = 0; k < keys->len; k++)
        {
          g_string_append_c (out, ';');
          csv_field (out, g_ptr_array_index (keys, k));
        }
      g_string_append (out, "\r\n");

      for (guint r = 0; r < rows->len; r++)
        {
          SummaryRow *row = g_ptr_array_index (rows, r);

          csv_field (out, row->name);
          g_string_append_printf (out, ";%s;%s", row->period_from, row->period_to);
          for (guint k = 0; k < keys->len; k++)
            {
              const char *key = g_ptr_array_index (keys, k);
              g_autofree char *value = NULL;

              g_string_append_c (out, ';');
              if (json_object_has_member (row->counts, key))
                {
                  value = format_count (json_object_get_int_member (row->counts, key));
                  g_string_append (out, value);
                }
            }
          g_string_append (out, "\r\n");
        }

      csv_field (out, C_("summary", "Total"));
      g_string_append (out, ";;");
      for (guint k = 0; k < keys->len; k++)
        {
          g_autofree char *value = format_count (*(gint64 *) g_hash_table_lookup (totals, g_ptr_array_index (keys, k)));

          g_string_append_printf (out, ";%s", value);
        }
      g_string_append (out, "\r\n");

      soup_message_headers_replace (msg->response_headers,
                                    "Content-Disposition",
                                    "attachment; filename=\"summary.csv\"");
      respond_text (msg, SOUP_STATUS_OK, "text/csv; charset=utf-8", g_string_free (out, FALSE));
      return;
    }

  out = g_string_new ("<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">");
  g_string_append_printf (out, "<title>%s</title>", C_("summary", "Regional summary"));
  g_string_append (out, "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
                        "td,th{border:1px solid #999;padding:4px 8px}td.n{text-align:right}"
                        "</style></head><body>");
  g_string_append_printf (out, "<h1>%s</h1>", C_("summary", "Regional summary"));
  {
    g_autofree char *note = g_markup_printf_escaped ("<p>%s</p>",
                                                     C_("summary", "The latest report of each center. "
                                                        "Counts under 5 are shown as «<5» so that "
                                                        "no person can be recognized."));
    g_string_append (out, note);
  }
  if (rows->len == 0)
    g_string_append_printf (out, "<p>%s</p>", C_("summary", "No center has sent a report yet."));

  g_string_append_printf (out, "<table><thead><tr><th>%s</th><th>%s</th>",
                          C_("summary", "Center"), C_("summary", "Period"));
  for (guint k = 0; k < keys->len; k++)
    {
      g_autofree char *key = g_markup_escape_text (g_ptr_array_index (keys, k), -1);
      g_string_append_printf (out, "<th>%s</th>", key);
    }
  g_string_append (out, "</tr></thead><tbody>");

  for (guint r = 0; r < rows->len; r++)
    {
      SummaryRow *row = g_ptr_array_index (rows, r);
      g_autofree char *name = g_markup_escape_text (row->name, -1);

      g_string_append_printf (out, "<tr><td>%s</td><td>%s – %s</td>",
                              name, row->period_from, row->period_to);
      for (guint k = 0; k < keys->len; k++)
        {
          const char *key = g_ptr_array_index (keys, k);
          g_autofree char *value = NULL;

          if (json_object_has_member (row->counts, key))
            {
              g_autofree char *raw = format_count (json_object_get_int_member (row->counts, key));
              value = g_markup_escape_text (raw, -1);
            }
          g_string_append_printf (out, "<td class=\"n\">%s</td>", value != NULL ? value : "");
        }
      g_string_append (out, "</tr>");
    }

  g_string_append_printf (out, "</tbody><tfoot><tr><th>%s</th><th></th>", C_("summary", "Total"));
  for (guint k = 0; k < keys->len; k++)
    {
      g_autofree char *raw = format_count (*(gint64 *) g_hash_table_lookup (totals, g_ptr_array_index (keys, k)));
      g_autofree char *value = g_markup_escape_text (raw, -1);

      g_string_append_printf (out, "<th class=\"n\">%s</th>", value);
    }
  g_string_append (out, "</tr></tfoot></table></body></html>\n");

  respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", g_string_free (out, FALSE));
}
