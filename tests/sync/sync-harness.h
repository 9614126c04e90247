/* sync-harness.h: starts a real stupeni-server (SQLite or a throwaway
 * PostgreSQL cluster from tests/stp-test-helpers.c) and drives client stores with
 * StpSyncEngine.  Shared by test-sync.c and bench-sync.c. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

#include "stp-store-private.h"
#include "stp-test-store.h"
#include "stp-sync-store.h"
#include "stp-sync-engine.h"
#include "stp-sync-engine-testing.h"

#define PG_BIN PG_BINDIR  /* config.h: pg_config --bindir */

typedef struct
{
  const char  *backend;        /* "sqlite" or "postgresql" */
  char        *binary;
  char        *dir;
  char        *pg_dir;
  char        *config_path;
  GSubprocess *process;
  guint        port;
  char        *fingerprint;
  char        *url;
} Server;

G_GNUC_UNUSED static char *
h_run (const char * const *argv,
       int                *status_out)
{
  return stp_test_run (argv, status_out);
}

G_GNUC_UNUSED static void
h_remove_tree (const char *path)
{
  stp_test_remove_tree (path);
}

G_GNUC_UNUSED static void
h_as_postgres (GPtrArray *argv)
{
  if (getuid () == 0)
    {
      g_ptr_array_add (argv, (char *) "runuser");
      g_ptr_array_add (argv, (char *) "-u");
      g_ptr_array_add (argv, (char *) "postgres");
      g_ptr_array_add (argv, (char *) "--");
    }
}

G_GNUC_UNUSED static void
h_start_postgres (Server *server)
{
  server->pg_dir = stp_test_postgres_start ();
}

G_GNUC_UNUSED static void
h_stop_postgres (Server *server)
{
  stp_test_postgres_stop (server->pg_dir);
  g_clear_pointer (&server->pg_dir, g_free);
}

G_GNUC_UNUSED static char *
h_admin (Server     *server,
         const char *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, server->binary);
  g_ptr_array_add (argv, (char *) "--config");
  g_ptr_array_add (argv, server->config_path);
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  return h_run ((const char * const *) argv->pdata, NULL);
}

/* Starts `serve --dev`; @port 0 picks one, else reuses the old port. */
static void
h_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

G_GNUC_UNUSED static void
h_start_process (Server     *server,
                 guint       port,
                 const char *crash_after)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) input = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port_text = g_strdup_printf ("%u", port);

  /* A test that fails aborts without its teardown: the server must not
   * outlive it (it would keep the test's output pipe open). */
  g_subprocess_launcher_set_child_setup (launcher, h_die_with_parent, NULL, NULL);
  if (crash_after != NULL)
    g_subprocess_launcher_setenv (launcher, "STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT", crash_after, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "STUPENI_SERVER_TEST_CRASH_AFTER_COMMIT");
  server->process = g_subprocess_launcher_spawn (launcher, &error, server->binary,
                                                 "--config", server->config_path,
                                                 "serve", "--dev", "--port", port_text, NULL);
  g_assert_no_error (error);

  input = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (input, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);     /* the server died before listening */
      if (g_str_has_prefix (line, "certificate sha256 fingerprint "))
        {
          g_free (server->fingerprint);
          server->fingerprint = g_strdup (line + strlen ("certificate sha256 fingerprint "));
        }
      if (g_str_has_prefix (line, "listening on https://127.0.0.1:"))
        {
          server->port = (guint) g_ascii_strtoull (line + strlen ("listening on https://127.0.0.1:"),
                                                   NULL, 10);
          break;
        }
    }
  g_assert_cmpuint (server->port, >, 0);
  g_free (server->url);
  server->url = g_strdup_printf ("https://127.0.0.1:%u", server->port);
}

G_GNUC_UNUSED static void
h_stop_process (Server *server)
{
  if (server->process == NULL)
    return;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
}

/* FALSE (with a skip) when the backend cannot run here. */
G_GNUC_UNUSED static gboolean
h_server_start (Server     *server,
                const char *binary,
                gsize       max_body_bytes)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *database = NULL;
  g_autofree char *text = NULL;

  server->binary = g_strdup (binary);
  if (g_str_equal (server->backend, "postgresql"))
    {
      if (!stp_test_postgres_available ())
        return FALSE;
      h_start_postgres (server);
    }
  server->dir = g_dir_make_tmp ("stupeni-sync-server-XXXXXX", &error);
  g_assert_no_error (error);
  if (server->pg_dir != NULL)
    database = g_strdup_printf ("host=%s dbname=postgres user=postgres", server->pg_dir);
  else
    database = g_strdup_printf ("sqlite:%s/state/server.db", server->dir);
  text = g_strdup_printf ("[server]\nlisten=127.0.0.1\nport=0\nstate_dir=%s/state\ndatabase=%s\n"
                          "max_body_bytes=%" G_GSIZE_FORMAT "\nmax_pull_limit=50\n"
                          "enroll_attempts_per_minute=100000\n",
                          server->dir, database, max_body_bytes);
  server->config_path = g_build_filename (server->dir, "server.conf", NULL);
  g_file_set_contents (server->config_path, text, -1, &error);
  g_assert_no_error (error);
  g_free (h_admin (server, "init", "--dev", "--admin-password", "admin-пароль", NULL));
  h_start_process (server, 0, NULL);
  return TRUE;
}

G_GNUC_UNUSED static void
h_server_destroy (Server *server)
{
  h_stop_process (server);
  h_stop_postgres (server);
  h_remove_tree (server->dir);
  g_clear_pointer (&server->dir, g_free);
  g_clear_pointer (&server->config_path, g_free);
  g_clear_pointer (&server->fingerprint, g_free);
  g_clear_pointer (&server->url, g_free);
  g_clear_pointer (&server->binary, g_free);
}

/* A new center on the server; returns its id and puts a code in @code. */
G_GNUC_UNUSED static char *
h_new_center (Server  *server,
              char   **code)
{
  g_autofree char *out = h_admin (server, "center", "add", "Центр «Ступени»", NULL);

  *code = stp_test_field (out, "enrollment_code");
  return stp_test_field (out, "center_id");
}

G_GNUC_UNUSED static char *
h_new_code (Server     *server,
            const char *center)
{
  g_autofree char *out = h_admin (server, "center", "code", center, NULL);

  return stp_test_field (out, "enrollment_code");
}

/* --- Clients ------------------------------------------------------------- */

G_GNUC_UNUSED static void
h_got_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

G_GNUC_UNUSED static gboolean
h_sync (StpSyncEngine  *engine,
        GError        **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  stp_sync_engine_sync_async (engine, NULL, h_got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = stp_sync_engine_sync_finish (engine, result, error);
  g_object_unref (result);
  return ok;
}

G_GNUC_UNUSED static gboolean
h_enroll (StpSyncEngine  *engine,
          Server         *server,
          const char     *code,
          const char     *passphrase,
          GError        **error)
{
  GAsyncResult *result = NULL;
  gboolean ok;

  stp_sync_engine_set_fast_kdf (engine, TRUE);
  stp_sync_engine_enroll_async (engine, server->url, code, passphrase, server->fingerprint,
                                NULL, h_got_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = stp_sync_engine_enroll_finish (engine, result, error);
  g_object_unref (result);
  return ok;
}

G_GNUC_UNUSED static void
h_write (StpStore   *store,
         const char *table,
         const char *row_id,
         const char *field,
         const char *value)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_store_begin (store, &error));
  stp_store_write_field (store, table, row_id, field, value, &error);
  g_assert_no_error (error);
  stp_store_commit (store, &error);
  g_assert_no_error (error);
}

G_GNUC_UNUSED static char *
h_read (StpStore   *store,
        const char *table,
        const char *row_id,
        const char *column)
{
  return stp_test_read (store, table, row_id, column);
}

G_GNUC_UNUSED static gint64
h_count (StpStore   *store,
         const char *sql)
{
  return stp_test_count (store, sql);
}

/* For the two-computer GUI tests: starts @server (SQLite, 64 KiB bodies)
 * and makes a temporary folder from @dir_template with the paths of two
 * database files in it, a.db and b.db.  FALSE, with the test skipped,
 * when the server cannot start here. */
G_GNUC_UNUSED static gboolean
h_server_start_two (Server      *server,
                    const char  *binary,
                    const char  *dir_template,
                    char       **dir,
                    char       **path_a,
                    char       **path_b)
{
  g_autoptr(GError) error = NULL;

  if (!h_server_start (server, binary, 65536))
    {
      g_test_skip ("the server cannot start here");
      return FALSE;
    }
  *dir = g_dir_make_tmp (dir_template, &error);
  g_assert_no_error (error);
  *path_a = g_build_filename (*dir, "a.db", NULL);
  *path_b = g_build_filename (*dir, "b.db", NULL);
  return TRUE;
}
