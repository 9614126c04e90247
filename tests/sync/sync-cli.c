/* stupeni-sync-cli: a test helper that syncs one device database file, so
 * that tests can kill a device in the middle of a pull.
 *   stupeni-sync-cli DB sync [--die-after-chunks N] [--pull-limit N]
 *   stupeni-sync-cli DB enroll URL CODE PASSPHRASE [FINGERPRINT] */
#include "config.h"

#include <glib.h>
#include <stdlib.h>
#include <unistd.h>

#include "stp-store.h"
#include "stp-sync-engine.h"
#include "stp-sync-engine-testing.h"

static int die_after = 0;

static void
page_hook (guint    chunks,
           gpointer user_data)
{
  if (die_after > 0 && chunks >= (guint) die_after)
    _exit (9);   /* as if the program were killed: no cleanup */
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSyncEngine) engine = NULL;
  GAsyncResult *result = NULL;
  gboolean ok;

  if (argc < 3)
    {
      g_printerr ("usage: %s DB sync|enroll ...\n", argv[0]);
      return 2;
    }
  store = stp_store_open (argv[1], &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  engine = stp_sync_engine_new (store);

  if (g_str_equal (argv[2], "sync"))
    {
      for (int i = 3; i + 1 < argc; i += 2)
        {
          if (g_str_equal (argv[i], "--die-after-chunks"))
            die_after = atoi (argv[i + 1]);
          else if (g_str_equal (argv[i], "--pull-limit"))
            stp_sync_engine_set_pull_limit (engine, (guint) atoi (argv[i + 1]));
        }
      stp_sync_engine_set_page_hook (engine, page_hook, NULL);
      stp_sync_engine_sync_async (engine, NULL, got_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      ok = stp_sync_engine_sync_finish (engine, result, &error);
    }
  else if (g_str_equal (argv[2], "enroll") && argc >= 6)
    {
      stp_sync_engine_enroll_async (engine, argv[3], argv[4], argv[5], argc > 6 ? argv[6] : NULL,
                                    NULL, got_result, &result);
      while (result == NULL)
        g_main_context_iteration (NULL, TRUE);
      ok = stp_sync_engine_enroll_finish (engine, result, &error);
    }
  else
    {
      g_printerr ("unknown command %s\n", argv[2]);
      return 2;
    }
  g_clear_object (&result);
  if (!ok)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  g_print ("ok, %u pending\n", stp_sync_engine_get_pending (engine));
  return 0;
}
