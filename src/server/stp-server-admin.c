/* stp-server-admin.c: the regional summary for the administrator. */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-private.h"
#include "stp-server-summary.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
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

/* The page is for people in the region: Russian, whatever the server's
 * own locale, unless the browser asks for English first.  The choice is
 * made for this worker thread only (uselocale), so requests in other
 * threads keep theirs.  (LANGUAGE in the server's environment, if set,
 * still comes first: gettext reads it before the locale.) */
static locale_t
summary_locale (StpRequest *msg)
{
  const char *accept = soup_message_headers_get_one (msg->request_headers, "Accept-Language");
  locale_t base = duplocale (LC_GLOBAL_LOCALE);
  locale_t chosen = (locale_t) 0;

  if (base == (locale_t) 0)
    return (locale_t) 0;
  if (accept != NULL && g_ascii_strncasecmp (accept, "en", 2) == 0)
    chosen = newlocale (LC_MESSAGES_MASK, "C", base);
  else
    {
      chosen = newlocale (LC_MESSAGES_MASK, "ru_RU.UTF-8", base);
      if (chosen == (locale_t) 0)
        g_warning ("The locale ru_RU.UTF-8 is not installed: the regional summary is shown "
                   "in the server's language");
    }
  if (chosen == (locale_t) 0)
    freelocale (base);
  return chosen;
}

static gboolean
is_date (const char *text)
{
  guint64 y, m, d;
  g_auto(GStrv) parts = NULL;

  if (text == NULL || strlen (text) != 10 || text[4] != '-' || text[7] != '-')
    return FALSE;
  parts = g_strsplit (text, "-", 3);
  return g_ascii_string_to_unsigned (parts[0], 10, 1, 9999, &y, NULL) &&
         g_ascii_string_to_unsigned (parts[1], 10, 1, 12, &m, NULL) &&
         g_ascii_string_to_unsigned (parts[2], 10, 1, 31, &d, NULL) &&
         g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y);
}

void
stp_server_handle_summary (StpServer         *self,
                           StpRequest        *msg,
                           gboolean           csv)
{
  g_autoptr(StpSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  const char *from = NULL;
  const char *to = NULL;
  locale_t locale, previous = (locale_t) 0;
  char *text;

  if (!check_admin (self, msg))
    return;

  /* ?from=YYYY-MM-DD&to=YYYY-MM-DD chooses the main period. */
  if (msg->query != NULL)
    {
      from = g_hash_table_lookup (msg->query, "from");
      to = g_hash_table_lookup (msg->query, "to");
    }
  if ((from != NULL && *from == '\0' && to != NULL && *to == '\0'))
    from = to = NULL;
  if ((from != NULL || to != NULL) &&
      (!is_date (from) || !is_date (to) || strcmp (from, to) > 0))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "invalid",
                     _("from and to must be dates YYYY-MM-DD, in order"));
      return;
    }

  if (!(summary = stp_summary_load (msg->store, from, to, &error)))
    {
      respond_internal (msg, error);
      return;
    }

  locale = summary_locale (msg);
  if (locale != (locale_t) 0)
    previous = uselocale (locale);
  text = csv ? stp_summary_to_csv (summary) : stp_summary_to_html (summary);
  if (locale != (locale_t) 0)
    {
      uselocale (previous);
      freelocale (locale);
    }

  if (csv)
    {
      soup_message_headers_replace (msg->response_headers,
                                    "Content-Disposition",
                                    "attachment; filename=\"summary.csv\"");
      respond_text (msg, SOUP_STATUS_OK, "text/csv; charset=utf-8", text);
    }
  else
    respond_text (msg, SOUP_STATUS_OK, "text/html; charset=utf-8", text);
}
