/* main-cli.c: a command-line front of the core, used until the window
 * exists: stupeni --version, stupeni --check-database FILE. */
#define G_LOG_DOMAIN "stupeni"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "stp-i18n.h"
#include "stp-store.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gboolean version = FALSE;
  g_autofree char *check = NULL;
  GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, N_("Print the version"), NULL },
    { "check-database", 0, 0, G_OPTION_ARG_FILENAME, &check, N_("Check a database file"), N_("FILE") },
    { NULL }
  };

  stp_i18n_init (FALSE);

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (version)
    {
      g_print ("stupeni %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (check != NULL)
    {
      int schema = 0;

      if (!stp_store_check_file (check, &schema, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_print (_("The database is intact (schema version %d).\n"), schema);
      return 0;
    }

  g_print ("stupeni %s\n", PACKAGE_VERSION);
  return 0;
}
