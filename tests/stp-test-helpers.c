#define G_LOG_DOMAIN "stp-test"

#include "config.h"

#include "stp-test-helpers.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define PG_BIN PG_BINDIR  /* config.h: pg_config --bindir */

char *
stp_test_run (const char * const *argv,
              int                *status_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (status_out != NULL)
    *status_out = status;
  else if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", argv[0], out, err);
  return g_steal_pointer (&out);
}

char *
stp_test_field (const char *output,
                const char *name)
{
  g_auto(GStrv) lines = g_strsplit (output, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%s: ", name);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strdup (lines[i] + strlen (prefix));
  g_error ("no %s in %s", name, output);
  return NULL;
}

void
stp_test_remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = NULL;
  const char *name;

  if (dir == NULL || (handle = g_dir_open (dir, 0, NULL)) == NULL)
    return;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        stp_test_remove_tree (path);
      else
        g_remove (path);
    }
  g_rmdir (dir);
}

gboolean
stp_test_postgres_available (void)
{
  return g_file_test (PG_BIN "/initdb", G_FILE_TEST_IS_EXECUTABLE)
         && g_file_test (PG_BIN "/pg_ctl", G_FILE_TEST_IS_EXECUTABLE);
}

static gboolean
running_as_root (void)
{
#ifdef G_OS_UNIX
  return getuid () == 0;
#else
  return FALSE;   /* the PostgreSQL tests run on Linux only */
#endif
}

/* The cluster belongs to the postgres user when the tests run as root
 * (PostgreSQL refuses to run as root). */
static void
add_as_postgres (GPtrArray *argv)
{
  if (running_as_root ())
    {
      g_ptr_array_add (argv, (char *) "runuser");
      g_ptr_array_add (argv, (char *) "-u");
      g_ptr_array_add (argv, (char *) "postgres");
      g_ptr_array_add (argv, (char *) "--");
    }
}

static void
run_as_postgres (const char *first,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  add_as_postgres (argv);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_free (stp_test_run ((const char * const *) argv->pdata, NULL));
}

/* Stops and removes the cluster if this test dies on a failed assertion;
 * after a normal end it finds the directory gone. */
static void
start_watchdog (const char *dir,
                const char *data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pid = g_strdup_printf ("%d", (int) getpid ());
  const char *watchdog[] = {
    "sh", "-c",
    "while kill -0 \"$0\" 2>/dev/null; do sleep 1; done; "
    "if [ -d \"$1\" ]; then "
    "  if [ \"$(id -u)\" = 0 ]; then runuser -u postgres -- \"$2\" -D \"$1\" -m immediate stop; "
    "  else \"$2\" -D \"$1\" -m immediate stop; fi; "
    "  rm -rf \"$3\"; "
    "fi",
    pid, data, PG_BIN "/pg_ctl", dir, NULL
  };

  g_spawn_async (NULL, (char **) watchdog, NULL,
                 G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

char *
stp_test_postgres_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("stupeni-pg-XXXXXX", &error);
  g_autofree char *data = NULL;
  g_autofree char *log = NULL;
  g_autofree char *options = NULL;

  g_assert_no_error (error);
  data = g_build_filename (dir, "data", NULL);
  log = g_build_filename (dir, "log", NULL);
  if (running_as_root ())
    {
      const char *argv[] = { "chown", "postgres:postgres", dir, NULL };
      g_free (stp_test_run (argv, NULL));
    }
  run_as_postgres (PG_BIN "/initdb", "-D", data, "-A", "trust", "-U", "postgres",
                   "-E", "UTF8", "--no-sync", NULL);
  options = g_strdup_printf ("-k %s -c listen_addresses='' -F", dir);
  run_as_postgres (PG_BIN "/pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start", NULL);
  start_watchdog (dir, data);
  return g_steal_pointer (&dir);
}

void
stp_test_postgres_stop (const char *dir)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *data = NULL;
  const char *rm[] = { "rm", "-rf", dir, NULL };
  int status;

  if (dir == NULL)
    return;
  data = g_build_filename (dir, "data", NULL);
  add_as_postgres (argv);
  g_ptr_array_add (argv, (char *) PG_BIN "/pg_ctl");
  g_ptr_array_add (argv, (char *) "-D");
  g_ptr_array_add (argv, data);
  g_ptr_array_add (argv, (char *) "-m");
  g_ptr_array_add (argv, (char *) "immediate");
  g_ptr_array_add (argv, (char *) "-w");
  g_ptr_array_add (argv, (char *) "stop");
  g_ptr_array_add (argv, NULL);
  /* A cluster that is already gone is no failure here. */
  g_free (stp_test_run ((const char * const *) argv->pdata, &status));
  /* Files of the postgres user: rm as this (root) user. */
  g_free (stp_test_run (rm, NULL));
}
