/* main.c: the stupeni desktop program. */
#include "config.h"

#include <glib/gi18n.h>

#include "stp-i18n.h"
#include "stp-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(StpApplication) app = NULL;

  stp_i18n_init (TRUE);

  app = stp_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
