/* stp-i18n.c: locale and message catalogue set-up.
 *
 * The catalogue comes from the installed locale directory, or from
 * STUPENI_LOCALEDIR (`make run` points it at the build tree, where meson
 * compiles po/ru.po).  The desktop program speaks Russian when the machine
 * has no locale at all (C or POSIX): its users are Russian centers, and a
 * fresh server-room install often has no LANG set. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "stp-i18n.h"

static gboolean
locale_is_unset (const char *name)
{
  return name == NULL || strcmp (name, "C") == 0 || strcmp (name, "POSIX") == 0;
}

void
stp_i18n_init (gboolean russian_by_default)
{
  const char *localedir = g_getenv ("STUPENI_LOCALEDIR");
  const char *messages;

  setlocale (LC_ALL, "");
  messages = setlocale (LC_MESSAGES, NULL);
  if (russian_by_default && locale_is_unset (messages) && g_getenv ("LANGUAGE") == NULL)
    {
      /* Through the environment: gtk_init () calls setlocale () again.
       * gettext ignores LANGUAGE only in the plain C locale. */
      g_setenv ("LC_ALL", setlocale (LC_ALL, "ru_RU.UTF-8") != NULL ? "ru_RU.UTF-8" : "C.UTF-8", TRUE);
      g_setenv ("LANGUAGE", "ru", TRUE);
      setlocale (LC_ALL, "");
    }

  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

char *
stp_format_date (const char *iso_date)
{
  unsigned year, month, day;

  if (iso_date == NULL)
    return g_strdup ("");
  if (sscanf (iso_date, "%4u-%2u-%2u", &year, &month, &day) != 3
      || !g_date_valid_dmy (day, month, year))
    return g_strdup (iso_date);
  return g_strdup_printf ("%02u.%02u.%04u", day, month, year);
}
