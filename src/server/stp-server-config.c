#define G_LOG_DOMAIN "stp-server-config"

#include "config.h"

#include "stp-server.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#define GROUP "server"

static char *
get_string (GKeyFile   *file,
            const char *key,
            const char *fallback)
{
  char *value = g_key_file_get_string (file, GROUP, key, NULL);

  if (value == NULL)
    return g_strdup (fallback);
  g_strstrip (value);
  return value;
}

static guint64
get_uint (GKeyFile  *file,
          const char *key,
          guint64     fallback,
          guint64     max,
          GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  guint64 value;

  if (!g_key_file_has_key (file, GROUP, key, NULL))
    return fallback;
  value = g_key_file_get_uint64 (file, GROUP, key, &local_error);
  if (local_error != NULL || value > max)
    {
      g_autofree char *max_text = g_strdup_printf ("%" G_GUINT64_FORMAT, max);

      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_CONFIG,
                   _("The setting “%s” must be a number up to %s"), key, max_text);
      return fallback;
    }
  return value;
}

/**
 * stp_server_config_load:
 *
 * Reads the [server] group of @path.  A missing file gives the defaults,
 * so that `init` can create it.
 */
/* The configuration is read whole and checked before GKeyFile parses it:
 * at most STP_SERVER_MAX_CONFIG_BYTES and valid UTF-8.  A missing file is
 * G_FILE_ERROR_NOENT as from g_key_file_load_from_file(). */
static gboolean
load_key_file (GKeyFile    *file,
               const char  *path,
               GError     **error)
{
  g_autofree char *text = NULL;
  GStatBuf st;
  gsize len = 0;

  if (g_stat (path, &st) == 0 && st.st_size > STP_SERVER_MAX_CONFIG_BYTES)
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           _("The file is larger than a configuration can be"));
      return FALSE;
    }
  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  if (len > STP_SERVER_MAX_CONFIG_BYTES || !g_utf8_validate_len (text, len, NULL))
    {
      g_set_error_literal (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
                           _("The file is not UTF-8 text of a sensible size"));
      return FALSE;
    }
  return g_key_file_load_from_data (file, text, len, G_KEY_FILE_KEEP_COMMENTS, error);
}

StpServerConfig *
stp_server_config_load (const char  *path,
                        GError     **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(StpServerConfig) config = g_new0 (StpServerConfig, 1);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (!load_key_file (file, path, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_CONFIG,
                   _("Cannot read the configuration %s: %s"), path, local_error->message);
      return NULL;
    }
  g_clear_error (&local_error);

  config->path = g_strdup (path);
  config->listen = get_string (file, "listen", "127.0.0.1");
  config->state_dir = get_string (file, "state_dir", "/var/lib/stupeni-server");
  config->database = get_string (file, "database", "");
  config->tls_certificate = get_string (file, "tls_certificate", "");
  config->tls_key = get_string (file, "tls_key", "");
  config->admin_password_hash = get_string (file, "admin_password", "");

  /* Relative paths are taken from the configuration file's directory. */
  dir = g_path_get_dirname (path);
  if (!g_path_is_absolute (config->state_dir))
    {
      char *abs = g_build_filename (dir, config->state_dir, NULL);
      g_free (config->state_dir);
      config->state_dir = abs;
    }

  config->port = (guint) get_uint (file, "port", 8443, 65535, &local_error);
  if (local_error == NULL)
    config->max_body_bytes = (gsize) get_uint (file, "max_body_bytes",
                                               STP_SERVER_DEFAULT_MAX_BODY_BYTES,
                                               G_GUINT64_CONSTANT (1) << 32, &local_error);
  if (local_error == NULL)
    config->max_snapshot_bytes = (gint64) get_uint (file, "max_snapshot_bytes",
                                                    STP_SERVER_DEFAULT_MAX_SNAPSHOT_BYTES,
                                                    G_MAXINT64, &local_error);
  if (local_error == NULL)
    config->max_pull_limit = (guint) get_uint (file, "max_pull_limit",
                                               STP_SERVER_DEFAULT_MAX_PULL_LIMIT,
                                               100000, &local_error);
  if (local_error == NULL)
    config->enroll_attempts_per_minute = (guint) get_uint (file, "enroll_attempts_per_minute",
                                                           STP_SERVER_DEFAULT_ENROLL_RATE,
                                                           100000, &local_error);
  if (local_error == NULL)
    config->max_pull_bytes = (gsize) get_uint (file, "max_pull_bytes",
                                               STP_SERVER_DEFAULT_MAX_PULL_BYTES,
                                               G_GUINT64_CONSTANT (1) << 32, &local_error);
  if (local_error == NULL)
    config->workers = (guint) get_uint (file, "workers", STP_SERVER_DEFAULT_WORKERS,
                                        STP_SERVER_MAX_WORKERS, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (config->workers < 1)
    config->workers = 1;
  if (config->max_body_bytes < 1024 || config->max_pull_limit < 1 ||
      config->max_snapshot_bytes < 1)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_CONFIG,
                           _("max_body_bytes must be at least 1024, max_pull_limit and max_snapshot_bytes at least 1"));
      return NULL;
    }

  return g_steal_pointer (&config);
}

/* Stores the argon2id hash of @password in the configuration file,
 * keeping the file's other settings and comments. */
gboolean
stp_server_config_set_admin_password (StpServerConfig  *config,
                                      const char       *password,
                                      GError          **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  char hash[crypto_pwhash_STRBYTES];

  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
                           _("Not enough memory to hash the password"));
      return FALSE;
    }

  if (!load_key_file (file, config->path, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_key_file_set_string (file, GROUP, "admin_password", hash);
  if (!g_key_file_has_key (file, GROUP, "state_dir", NULL))
    g_key_file_set_string (file, GROUP, "state_dir", config->state_dir);
  if (!g_key_file_save_to_file (file, config->path, error))
    return FALSE;
  g_chmod (config->path, 0600);

  g_free (config->admin_password_hash);
  config->admin_password_hash = g_strdup (hash);
  return TRUE;
}

void
stp_server_config_free (StpServerConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_free (config->listen);
  g_free (config->state_dir);
  g_free (config->database);
  g_free (config->tls_certificate);
  g_free (config->tls_key);
  g_free (config->admin_password_hash);
  g_free (config);
}

/* SHA-256 of the DER certificate, upper-case hex pairs separated by colons
 * (the form `openssl x509 -fingerprint -sha256` prints). */
char *
stp_server_certificate_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out = g_string_new (NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  for (gsize i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }
  return g_string_free (out, FALSE);
}

gboolean
stp_server_make_dev_certificate (const char  *cert_path,
                                 const char  *key_path,
                                 GError     **error)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autofree char *output = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                              error,
                              "openssl", "req", "-x509", "-newkey", "ec",
                              "-pkeyopt", "ec_paramgen_curve:prime256v1",
                              "-nodes", "-days", "825", "-subj", "/CN=localhost",
                              "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                              "-keyout", key_path, "-out", cert_path, NULL);
  if (process == NULL)
    return FALSE;
  if (!g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, error))
    return FALSE;
  if (!g_subprocess_get_successful (process))
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_FAILED,
                   _("openssl could not make a certificate: %s"), output);
      return FALSE;
    }
  g_chmod (key_path, 0600);
  return TRUE;
}

/* Enrollment codes: 80 random bits in an alphabet without look-alikes,
 * shown as four groups of four. */
#define CODE_ALPHABET "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

char *
stp_server_generate_code (void)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < 16; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, '-');
      g_string_append_c (out, CODE_ALPHABET[randombytes_uniform (strlen (CODE_ALPHABET))]);
    }
  return g_string_free (out, FALSE);
}

char *
stp_server_normalize_code (const char *code)
{
  GString *out = g_string_new (NULL);

  for (const char *p = code; *p != '\0'; p++)
    {
      if (*p == '-' || *p == ' ')
        continue;
      g_string_append_c (out, g_ascii_toupper (*p));
    }
  return g_string_free (out, FALSE);
}
