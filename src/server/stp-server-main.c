#define G_LOG_DOMAIN "stp-server-main"

#include "config.h"

#include "stp-server.h"
#include "stp-server-exchange.h"

#include "stp-protocol.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

static char *opt_config = NULL;
static char *opt_admin_password = NULL;
static gboolean opt_dev = FALSE;
static int opt_port = -1;
static int opt_valid_minutes = STP_SERVER_CODE_VALID_HOURS * 60;
static gint64 opt_after = 0;

static const GOptionEntry entries[] = {
  { "config", 'c', 0, G_OPTION_ARG_FILENAME, &opt_config, N_("Configuration file"), N_("FILE") },
  { "admin-password", 0, 0, G_OPTION_ARG_STRING, &opt_admin_password,
    N_("Password of the regional summary page (init)"), N_("PASSWORD") },
  { "dev", 0, 0, G_OPTION_ARG_NONE, &opt_dev,
    N_("Make a self-signed certificate in the state directory (init, serve)"), NULL },
  { "port", 'p', 0, G_OPTION_ARG_INT, &opt_port, N_("Port to listen on; 0 picks a free one (serve)"),
    N_("PORT") },
  { "valid-minutes", 0, 0, G_OPTION_ARG_INT, &opt_valid_minutes,
    N_("How long a new enrollment code is valid, in minutes (center add, center code)"),
    N_("MINUTES") },
  { "after", 0, 0, G_OPTION_ARG_INT64, &opt_after,
    N_("Write the batches after this seq (export)"), N_("SEQ") },
  { NULL }
};

static gboolean
ensure_state_dir (StpServerConfig  *config,
                  GError          **error)
{
  if (g_mkdir_with_parents (config->state_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the state directory %s: %s"),
                   config->state_dir, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

/* With --dev and no certificate configured, a self-signed one is kept in
 * the state directory and reused on the next start. */
static gboolean
resolve_certificate (StpServerConfig  *config,
                     GError          **error)
{
  if (!opt_dev)
    {
      if (config->tls_certificate[0] == '\0' || config->tls_key[0] == '\0')
        {
          g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_CONFIG,
                               _("tls_certificate and tls_key must be set in the configuration, "
                                 "or use --dev for a self-signed certificate"));
          return FALSE;
        }
      return TRUE;
    }

  if (config->tls_certificate[0] == '\0' || config->tls_key[0] == '\0')
    {
      g_free (config->tls_certificate);
      g_free (config->tls_key);
      config->tls_certificate = g_build_filename (config->state_dir, "dev-certificate.pem", NULL);
      config->tls_key = g_build_filename (config->state_dir, "dev-key.pem", NULL);
    }
  if (!g_file_test (config->tls_certificate, G_FILE_TEST_EXISTS) ||
      !g_file_test (config->tls_key, G_FILE_TEST_EXISTS))
    {
      if (!ensure_state_dir (config, error) ||
          !stp_server_make_dev_certificate (config->tls_certificate, config->tls_key, error))
        return FALSE;
    }
  return TRUE;
}

static GTlsCertificate *
load_certificate (StpServerConfig  *config,
                  GError          **error)
{
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autofree char *fingerprint = NULL;

  if (!resolve_certificate (config, error))
    return NULL;
  certificate = g_tls_certificate_new_from_files (config->tls_certificate, config->tls_key, error);
  if (certificate == NULL)
    return NULL;

  fingerprint = stp_server_certificate_fingerprint (certificate);
  g_print ("certificate sha256 fingerprint %s\n", fingerprint);
  return g_steal_pointer (&certificate);
}

static gboolean
on_signal (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

/* A pull page of several MB is built from large buffers (SQLite's copy
 * of each body, the reply's pieces) and freed once sent.  glibc gives
 * such buffers to the kernel on free (munmap, or trimming the heap) and
 * takes them back for the next page, one page fault per 4 KiB: half of a
 * 14 MB pull's CPU (perf).  Kept in the heap instead, a pull costs a third
 * of the CPU; the price is that the memory of the largest pages served at
 * once stays with the process (tens of MB). */
static void
keep_large_buffers (void)
{
#ifdef __GLIBC__
  mallopt (M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt (M_TRIM_THRESHOLD, 128 * 1024 * 1024);
#endif
}

static int
command_serve (StpServerConfig *config,
               StpServerStore  *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  StpServer *server;
  guint port = opt_port >= 0 ? (guint) opt_port : config->port;
  guint bound = 0;

  if (!(certificate = load_certificate (config, &error)))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  keep_large_buffers ();
  server = stp_server_new (config, store, certificate);
  if (!stp_server_listen (server, port, &bound, &error))
    {
      g_printerr (_("Cannot listen on %s port %u: %s\n"), config->listen, port, error->message);
      stp_server_free (server);
      return 1;
    }

  if (strchr (config->listen, ':') != NULL)
    g_print ("listening on https://[%s]:%u\n", config->listen, bound);
  else
    g_print ("listening on https://%s:%u\n", config->listen, bound);
  fflush (stdout);
  g_info ("Serving with the %s store", stp_server_store_get_kind (store));

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);

  stp_server_free (server);
  return 0;
}

static int
print_new_code (StpServerStore *store,
                const char     *center)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *code = stp_server_generate_code ();
  g_autofree char *normalized = stp_server_normalize_code (code);
  g_autofree char *hash = stp_server_hash_secret (normalized);
  g_autoptr(GDateTime) expires = NULL;
  g_autofree char *expires_text = NULL;
  gint64 expires_at = stp_server_now_millis () + (gint64) opt_valid_minutes * 60000;

  if (!stp_server_store_add_code (store, center, hash, expires_at, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  expires = g_date_time_new_from_unix_utc (expires_at / 1000);
  expires_text = g_date_time_format (expires, "%Y-%m-%dT%H:%M:%SZ");
  g_print ("enrollment_code: %s\n", code);
  g_print ("expires_at: %s\n", expires_text);
  return 0;
}

static int
command_center (StpServerStore *store,
                char          **args,
                int             n_args)
{
  g_autoptr(GError) error = NULL;

  if (n_args == 3 && g_str_equal (args[1], "add"))
    {
      g_autofree char *id = NULL;
      g_autofree char *name = g_strstrip (g_strdup (args[2]));

      if (name[0] == '\0' || !g_utf8_validate (name, -1, NULL))
        {
          g_printerr (_("The center name is empty or not UTF-8\n"));
          return 2;
        }
      if (!stp_server_store_add_center (store, name, &id, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_print ("center_id: %s\n", id);
      return print_new_code (store, id);
    }
  if (n_args == 3 && g_str_equal (args[1], "code"))
    return print_new_code (store, args[2]);

  g_printerr (_("Usage: center add NAME | center code CENTER_ID\n"));
  return 2;
}

static int
command_device (StpServerStore *store,
                char          **args,
                int             n_args)
{
  g_autoptr(GError) error = NULL;

  if (n_args == 2 && g_str_equal (args[1], "list"))
    {
      g_autoptr(StpServerResult) rows = stp_server_store_list_devices (store, &error);

      if (rows == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_print ("id\tcenter_id\tcenter\tdevice\trevoked\tenrolled_at\tlast_seen\n");
      for (guint r = 0; r < rows->n_rows; r++)
        {
          for (guint c = 0; c < rows->n_cols; c++)
            {
              const char *value = stp_server_result_get (rows, r, c);
              g_print ("%s%s", c > 0 ? "\t" : "", value != NULL ? value : "");
            }
          g_print ("\n");
        }
      return 0;
    }
  if (n_args == 3 && g_str_equal (args[1], "revoke"))
    {
      if (!stp_server_store_revoke_device (store, args[2], &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_print ("revoked %s\n", args[2]);
      return 0;
    }

  g_printerr (_("Usage: device list | device revoke DEVICE_ID\n"));
  return 2;
}

static int
command_init (StpServerConfig *config,
              StpServerStore  *store)
{
  g_autoptr(GError) error = NULL;

  if (opt_dev)
    {
      g_autoptr(GTlsCertificate) certificate = load_certificate (config, &error);

      if (certificate == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
    }

  if (opt_admin_password == NULL && isatty (STDIN_FILENO))
    {
      char line[512];

      g_print ("%s", _("Administrator password for the regional summary: "));
      fflush (stdout);
      if (fgets (line, sizeof line, stdin) != NULL)
        opt_admin_password = g_strdup (g_strchomp (line));
    }

  if (opt_admin_password != NULL && opt_admin_password[0] != '\0')
    {
      if (!stp_server_config_set_admin_password (config, opt_admin_password, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_print ("admin password set\n");
    }

  g_print ("initialized %s store in %s\n", stp_server_store_get_kind (store), config->state_dir);
  {
    g_autoptr(GError) version_error = NULL;

    g_print ("schema version %" G_GINT64_FORMAT " of %u\n",
             stp_server_store_get_version (store, &version_error),
             stp_server_store_latest_version ());
  }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpServerConfig) config = NULL;
  StpServerStore *store;
  const char *command;
  int status;

  setlocale (LC_ALL, "");
  /* STUPENI_LOCALEDIR: the build tree's catalogue when run uninstalled. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("STUPENI_LOCALEDIR") != NULL ? g_getenv ("STUPENI_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("init | serve | center add NAME | center code CENTER_ID | "
                                    "device list | device revoke DEVICE_ID | import FILE | "
                                    "export CENTER_ID [--after SEQ] FILE"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, _("The Stupeni regional sync server."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (argc < 2)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_printerr ("%s", help);
      return 2;
    }
  command = argv[1];

  if (!stp_protocol_init (&error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (opt_config == NULL)
    opt_config = g_strdup ("/etc/stupeni/stupeni-server.conf");
  if (!(config = stp_server_config_load (opt_config, &error)))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (!ensure_state_dir (config, &error) ||
      !(store = stp_server_store_open (config->database, config->state_dir, &error)))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (g_str_equal (command, "serve") && argc == 2)
    status = command_serve (config, store);
  else if (g_str_equal (command, "init") && argc == 2)
    status = command_init (config, store);
  else if (g_str_equal (command, "center"))
    status = command_center (store, argv + 1, argc - 1);
  else if (g_str_equal (command, "device"))
    status = command_device (store, argv + 1, argc - 1);
  else if (g_str_equal (command, "import") && argc == 3)
    status = stp_server_exchange_import (store, argv[2]);
  else if (g_str_equal (command, "export") && argc == 4)
    status = stp_server_exchange_export (store, argv[2], opt_after, argv[3]);
  else
    {
      g_printerr (_("Unknown command “%s”; run with --help\n"), command);
      status = 2;
    }

  stp_server_store_free (store);
  return status;
}
