/* main.c: the stupeni desktop program. */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "stp-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(StpApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = stp_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
