#define G_LOG_DOMAIN "stp-report-fonts"

/* stp-report-fonts.c: the fonts the reports and the window are drawn with.
 *
 * The reports ask for "DejaVu Sans" by name.  On Linux fontconfig finds it
 * (fonts-dejavu-core).  On Windows the installer puts the DejaVu Sans faces
 * into Windows' Fonts folder (build-aux/windows/stupeni.nsi): pango 1.50's
 * Windows font map lists only DirectWrite's system font collection, which
 * never contains fonts a process registers for itself.  The program also
 * registers the files it ships in <install>/share/fonts/dejavu
 * (AddFontResourceExW, FR_PRIVATE) before pango's font map is created; GDI
 * sees them, pango 1.50 does not, so this only matters with a pango that
 * reads GDI's fonts too.  STUPENI_FONTDIR names another directory. */

#include "config.h"

#include "stp-report-fonts.h"

#ifdef G_OS_WIN32
#include <windows.h>
#include <wingdi.h>

static guint
register_fonts (void)
{
  const char *env = g_getenv ("STUPENI_FONTDIR");
  g_autofree char *installdir = NULL;
  g_autofree char *dirname = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint count = 0;

  if (env != NULL && *env != '\0')
    dirname = g_strdup (env);
  else
    {
      installdir = g_win32_get_package_installation_directory_of_module (NULL);
      dirname = g_build_filename (installdir, "share", "fonts", "dejavu", NULL);
    }
  dir = g_dir_open (dirname, 0, NULL);
  if (dir == NULL)
    {
      g_warning ("no fonts in %s: text may be drawn with another face", dirname);
      return 0;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree gunichar2 *wpath = NULL;

      if (!g_str_has_suffix (name, ".ttf"))
        continue;
      path = g_build_filename (dirname, name, NULL);
      wpath = g_utf8_to_utf16 (path, -1, NULL, NULL, NULL);
      if (wpath != NULL && AddFontResourceExW (wpath, FR_PRIVATE, 0) > 0)
        count++;
      else
        g_warning ("could not register the font %s", path);
    }
  g_debug ("%u fonts registered from %s", count, dirname);
  return count;
}
#endif

/* Registers the shipped fonts once; returns how many (0 off Windows). */
guint
stp_report_fonts_init (void)
{
#ifdef G_OS_WIN32
  static gsize done = 0;
  static guint count = 0;

  if (g_once_init_enter (&done))
    {
      count = register_fonts ();
      g_once_init_leave (&done, 1);
    }
  return count;
#else
  return 0;
#endif
}
