/* stp-i18n.c: locale and message catalogue set-up.
 *
 * The catalogue comes from the installed locale directory, or from
 * STUPENI_LOCALEDIR (`make run` points it at the build tree, where meson
 * compiles po/ru.po).  The desktop program speaks Russian when the machine
 * has no locale at all (C or POSIX): its users are Russian centers, and a
 * fresh server-room install often has no LANG set.
 *
 * On Windows the catalogue is found relative to the executable
 * (<install>/share/locale), and Russian is the default even on a Windows
 * whose display language is English: most centers' computers are set up
 * that way.  English only when asked for: STUPENI_LANG=en, or LANGUAGE,
 * LC_ALL, LC_MESSAGES or LANG in the environment.  STUPENI_LANG works on
 * every system. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "stp-i18n.h"

#ifndef G_OS_WIN32
static gboolean
locale_is_unset (const char *name)
{
  return name == NULL || strcmp (name, "C") == 0 || strcmp (name, "POSIX") == 0;
}
#endif

void
stp_i18n_init (gboolean russian_by_default)
{
  const char *localedir = g_getenv ("STUPENI_LOCALEDIR");
  const char *lang = g_getenv ("STUPENI_LANG");
  const char *messages;
#ifdef G_OS_WIN32
  g_autofree char *installdir = NULL;
  g_autofree char *win_localedir = NULL;
#endif

  if (lang != NULL && *lang != '\0')
    g_setenv ("LANGUAGE", lang, TRUE);
  setlocale (LC_ALL, "");
#ifdef G_OS_WIN32
  /* The C runtime has no LC_MESSAGES and its locale names say nothing to
   * gettext: what counts is the environment. */
  messages = NULL;
  if (g_getenv ("LANGUAGE") != NULL || g_getenv ("LC_ALL") != NULL ||
      g_getenv ("LC_MESSAGES") != NULL || g_getenv ("LANG") != NULL)
    messages = "set";
  if (russian_by_default && messages == NULL)
    {
      g_setenv ("LC_ALL", "ru_RU.UTF-8", TRUE);
      g_setenv ("LANGUAGE", "ru", TRUE);
    }
#else
  messages = setlocale (LC_MESSAGES, NULL);
  if (russian_by_default && locale_is_unset (messages) && g_getenv ("LANGUAGE") == NULL)
    {
      /* Through the environment: gtk_init () calls setlocale () again.
       * gettext ignores LANGUAGE only in the plain C locale. */
      g_setenv ("LC_ALL", setlocale (LC_ALL, "ru_RU.UTF-8") != NULL ? "ru_RU.UTF-8" : "C.UTF-8", TRUE);
      g_setenv ("LANGUAGE", "ru", TRUE);
      setlocale (LC_ALL, "");
    }
#endif

#ifdef G_OS_WIN32
  if (localedir == NULL || *localedir == '\0')
    {
      installdir = g_win32_get_package_installation_directory_of_module (NULL);
      win_localedir = g_build_filename (installdir, "share", "locale", NULL);
      localedir = win_localedir;
    }
#else
  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
#endif
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
