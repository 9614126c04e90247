/* generate.c: writes a generated center into a new database file.
 *
 *   stupeni-generate [--residents N] [--seed S] --out FILE
 *
 * The data is in the "already synced" state (no outbox, no field
 * versions); see stp-demo.h. */
#define G_LOG_DOMAIN "stp-generate"

#include "config.h"

#include "stp-demo.h"
#include "stp-store-private.h"

#include <glib/gstdio.h>
#include <stdlib.h>

int
main (int   argc,
      char *argv[])
{
  int residents = 100000;
  int seed = 1;
  g_autofree char *out = NULL;
  gboolean force = FALSE;
  GOptionEntry entries[] = {
    { "residents", 'n', 0, G_OPTION_ARG_INT, &residents, "Number of residents (100000)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, "Random seed (1)", "S" },
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Database file to create", "FILE" },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Replace an existing file", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- generate a center");
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  gint64 start;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (out == NULL || residents < 0)
    {
      g_printerr ("Usage: stupeni-generate [--residents N] [--seed S] --out FILE\n");
      return 2;
    }
  if (g_file_test (out, G_FILE_TEST_EXISTS))
    {
      const char *suffixes[] = { "", "-wal", "-shm", "-journal", ".lock", ".clean" };

      if (!force)
        {
          g_printerr ("%s exists (use --force to replace it)\n", out);
          return 1;
        }
      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *path = g_strconcat (out, suffixes[i], NULL);

          (void) g_remove (path);
        }
    }

  start = g_get_monotonic_time ();
  store = stp_store_open (out, &error);
  if (store == NULL)
    {
      g_printerr ("Cannot open %s: %s\n", out, error->message);
      return 1;
    }
  /* A big page cache makes the bulk insert much faster; only here. */
  if (!stp_store_exec (store, "PRAGMA cache_size = -262144", &error)
      || !stp_demo_generate (store, (guint) residents, (guint32) seed, &error))
    {
      g_printerr ("Generation failed: %s\n", error->message);
      return 1;
    }
  if (!stp_store_exec (store, "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE", &error))
    {
      g_printerr ("Finishing failed: %s\n", error->message);
      return 1;
    }
  g_print ("Generated %d residents (seed %d) into %s in %.1f s\n", residents, seed, out,
           (g_get_monotonic_time () - start) / 1e6);
  return 0;
}
