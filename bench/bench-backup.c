/* bench-backup.c: time and size of a backup copy and of restoring it, for
 * a generated center (docs/ARCHITECTURE.md, "Backups").
 *
 *   stupeni-bench-backup [--runs N] CENTER.db
 *
 * Each run writes a copy of CENTER.db into a fresh folder (VACUUM INTO,
 * zstd, secretstream, read back), then restores it into a new empty
 * database as the first-run window does (extract, then install).  Prints
 * min/median/max of each step.  CENTER.db is only read. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>
#include <sodium.h>

#include "stp-core.h"
#include "bench-util.h"

static void
report (const char *what,
        GArray     *values)
{
  g_array_sort (values, stp_bench_compare_doubles);
  printf ("%-28s min %7.2f  median %7.2f  max %7.2f  (n=%u)\n", what,
          g_array_index (values, double, 0),
          g_array_index (values, double, values->len / 2),
          g_array_index (values, double, values->len - 1), values->len);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      g_remove (p);
    }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  int runs = 3;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) write_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) extract_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) install_s = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) size_mb = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(StpBackupKey) key = NULL;
  GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &runs, "Runs (3)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("CENTER.db - time backup copies");
  GStatBuf st;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2 || runs < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: stupeni-bench-backup [--runs N] CENTER.db");
      return 2;
    }
  if (sodium_init () < 0)
    return 1;
  key = stp_backup_key_derive ("bench-password", &error);
  g_stat (argv[1], &st);
  printf ("database %s: %.1f MB\n", argv[1], st.st_size / 1e6);

  for (int run = 0; run < runs; run++)
    {
      g_autofree char *dir = g_dir_make_tmp ("stupeni-bench-backup-XXXXXX", &error);
      g_autofree char *folder = g_build_filename (dir, "copies", NULL);
      g_autofree char *fresh_path = g_build_filename (dir, "restored.db", NULL);
      g_autofree char *in = g_build_filename (dir, "restored.db.restore-in", NULL);
      g_autoptr(StpBackupInfo) info = NULL;
      g_autoptr(StpStore) fresh = NULL;
      gint64 t0;
      double s;

      g_mkdir (folder, 0700);
      t0 = g_get_monotonic_time ();
      info = stp_backup_write (argv[1], key, folder, 0, NULL, NULL, &error);
      if (info == NULL)
        g_error ("backup: %s", error->message);
      s = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (write_s, s);
      s = info->file_size / 1e6;
      g_array_append_val (size_mb, s);
      printf ("run %d: copy %.1f MB of %.1f MB, %" G_GINT64_FORMAT " residents, %.2f s\n", run + 1,
              info->file_size / 1e6, info->database_size / 1e6, info->residents,
              g_array_index (write_s, double, write_s->len - 1));

      fresh = stp_store_open (fresh_path, &error);
      if (fresh == NULL)
        g_error ("open: %s", error->message);
      t0 = g_get_monotonic_time ();
      if (!stp_backup_extract (info->path, key, in, NULL, NULL, &error))
        g_error ("extract: %s", error->message);
      s = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (extract_s, s);
      t0 = g_get_monotonic_time ();
      if (!stp_backup_install (fresh, NULL, in, &error))
        g_error ("install: %s", error->message);
      s = (g_get_monotonic_time () - t0) / 1e6;
      g_array_append_val (install_s, s);
      printf ("run %d: restore: extract %.2f s, install %.2f s\n", run + 1,
              g_array_index (extract_s, double, extract_s->len - 1), s);
      g_clear_object (&fresh);
      remove_tree (folder);
      remove_tree (dir);
    }
  report ("copy (s)", write_s);
  report ("copy size (MB)", size_mb);
  report ("restore: extract (s)", extract_s);
  report ("restore: install (s)", install_s);
  return 0;
}
