#define G_LOG_DOMAIN "stp-server-store"

#include "config.h"

#include "stp-server-store-private.h"
#include "stp-server-store-schema.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

G_DEFINE_QUARK (stp-server-error-quark, stp_server_error)

void
stp_server_result_free (StpServerResult *result)
{
  if (result == NULL)
    return;
  for (guint i = 0; i < result->n_rows * result->n_cols; i++)
    g_free (result->cells[i]);
  g_free (result->cells);
  g_free (result);
}

const char *
stp_server_result_get (StpServerResult *result,
                       guint            row,
                       guint            col)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (row < result->n_rows && col < result->n_cols, NULL);

  return result->cells[row * result->n_cols + col];
}

void
stp_server_device_clear (StpServerDevice *device)
{
  g_clear_pointer (&device->id, g_free);
  g_clear_pointer (&device->center, g_free);
  device->revoked = FALSE;
}

/* Tokens and enrollment codes are long random strings, so a plain SHA-256
 * is enough to keep them out of the database. */
char *
stp_server_hash_secret (const char *secret)
{
  guint8 digest[crypto_hash_sha256_BYTES];
  char hex[crypto_hash_sha256_BYTES * 2 + 1];

  crypto_hash_sha256 (digest, (const guint8 *) secret, strlen (secret));
  sodium_bin2hex (hex, sizeof hex, digest, sizeof digest);
  return g_strdup (hex);
}

gint64
stp_server_now_millis (void)
{
  return g_get_real_time () / 1000;
}

static gboolean migrate (StpServerStore  *store,
                         GError         **error);

StpServerStore *
stp_server_store_open (const char  *database,
                       const char  *state_dir,
                       GError     **error)
{
  StpServerStore *store;

  if (database == NULL || database[0] == '\0')
    {
      g_autofree char *path = NULL;

      if (state_dir == NULL || state_dir[0] == '\0')
        {
          g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_CONFIG,
                               _("Neither database nor state_dir is set in the configuration"));
          return NULL;
        }
      path = g_build_filename (state_dir, "server.db", NULL);
      store = stp_server_store_sqlite_open (path, error);
    }
  else if (g_str_has_prefix (database, "sqlite:"))
    store = stp_server_store_sqlite_open (database + strlen ("sqlite:"), error);
  else if (g_str_has_prefix (database, "postgresql://") ||
           g_str_has_prefix (database, "postgres://") ||
           strchr (database, '=') != NULL)
    store = stp_server_store_pg_open (database, error);
  else
    store = stp_server_store_sqlite_open (database, error);

  if (store == NULL)
    return NULL;

  if (!store->vtable->exec_script (store, store->vtable->setup_sql, error) ||
      !migrate (store, error))
    {
      stp_server_store_free (store);
      return NULL;
    }

  return store;
}

void
stp_server_store_free (StpServerStore *store)
{
  if (store != NULL)
    store->vtable->free (store);
}

const char *
stp_server_store_get_kind (StpServerStore *store)
{
  return store->vtable->name;
}

StpServerResult *
_stp_server_store_query (StpServerStore      *store,
                         const char          *sql,
                         const char * const  *params,
                         guint                n_params,
                         GError             **error)
{
  return store->vtable->query (store, sql, params, n_params, error);
}

gboolean
_stp_server_store_query_rows (StpServerStore      *store,
                              const char          *sql,
                              const char * const  *params,
                              guint                n_params,
                              StpServerRowFunc     func,
                              gpointer             user_data,
                              GError             **error)
{
  return store->vtable->query_rows (store, sql, params, n_params, func, user_data, error);
}

gboolean
_stp_server_store_exec (StpServerStore      *store,
                        const char          *sql,
                        const char * const  *params,
                        guint                n_params,
                        GError             **error)
{
  g_autoptr(StpServerResult) result = _stp_server_store_query (store, sql, params, n_params, error);

  return result != NULL;
}

static void
release_write_lock (StpServerStore *store)
{
  if (store->holds_write_lock)
    {
      store->holds_write_lock = FALSE;
      g_mutex_unlock (store->vtable->write_lock);
    }
}

gboolean
_stp_server_store_begin (StpServerStore  *store,
                         GError         **error)
{
  if (store->vtable->write_lock != NULL && !store->holds_write_lock)
    {
      g_mutex_lock (store->vtable->write_lock);
      store->holds_write_lock = TRUE;
    }
  if (!_stp_server_store_exec (store, store->vtable->begin_sql, NULL, 0, error))
    {
      release_write_lock (store);
      return FALSE;
    }
  return TRUE;
}

gboolean
_stp_server_store_commit (StpServerStore  *store,
                          GError         **error)
{
  gboolean ok = _stp_server_store_exec (store, "COMMIT", NULL, 0, error);

  release_write_lock (store);
  return ok;
}

void
_stp_server_store_rollback (StpServerStore *store)
{
  g_autoptr(GError) error = NULL;

  if (!_stp_server_store_exec (store, "ROLLBACK", NULL, 0, &error))
    g_warning ("Rollback failed: %s", error->message);
  release_write_lock (store);
}

/* Migrations */

static const char * const migrations[] = STP_SERVER_STORE_MIGRATIONS;

guint
stp_server_store_latest_version (void)
{
  return G_N_ELEMENTS (migrations);
}

gint64
stp_server_store_get_version (StpServerStore  *store,
                              GError         **error)
{
  g_autoptr(StpServerResult) result = _stp_server_store_query (store, "SELECT COALESCE(MAX(version), 0) FROM schema_version",
                                                               NULL, 0, error);

  if (result == NULL)
    return -1;
  return g_ascii_strtoll (stp_server_result_get (result, 0, 0), NULL, 10);
}

/* Brings the database to the latest version in one transaction, under a
 * lock, so that processes starting together apply each step once. */
static gboolean
migrate (StpServerStore  *store,
         GError         **error)
{
  gint64 version;

  if (!_stp_server_store_begin (store, error))
    return FALSE;
  if ((store->vtable->lock_sql != NULL && !_stp_server_store_exec (store, store->vtable->lock_sql, NULL, 0, error)) ||
      !store->vtable->exec_script (store, "CREATE TABLE IF NOT EXISTS schema_version ("
                                          "  version INTEGER PRIMARY KEY,"
                                          "  applied_at BIGINT NOT NULL)", error) ||
      (version = stp_server_store_get_version (store, error)) < 0)
    goto failed;

  if (version > (gint64) G_N_ELEMENTS (migrations))
    {
      g_set_error (error, STP_SERVER_ERROR, STP_SERVER_ERROR_CONFIG,
                   _("The database was made by a newer stupeni-server (schema version %d); "
                     "update this one"), (int) version);
      goto failed;
    }

  for (gint64 v = version; v < (gint64) G_N_ELEMENTS (migrations); v++)
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, v + 1);
      g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, stp_server_now_millis ());
      const char *params[] = { number, now };

      if (!store->vtable->exec_script (store, migrations[v], error) ||
          !_stp_server_store_exec (store, "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
                                   params, 2, error))
        goto failed;
      if (v > 0 || version > 0)
        g_info ("Server database migrated to version %" G_GINT64_FORMAT, v + 1);
    }
  return _stp_server_store_commit (store, error);

failed:
  _stp_server_store_rollback (store);
  return FALSE;
}

gboolean
stp_server_store_add_center (StpServerStore  *store,
                             const char      *name,
                             char           **id_out,
                             GError         **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *now = g_strdup_printf ("%" G_GINT64_FORMAT, stp_server_now_millis ());
  const char *params[] = { id, name, now };

  if (!_stp_server_store_begin (store, error))
    return FALSE;
  if (!_stp_server_store_exec (store, "INSERT INTO centers (id, name, created_at, key) VALUES ($1, $2, $3, NULL)",
                               params, 3, error) ||
      !_stp_server_store_exec (store, "INSERT INTO center_counters (center, next_seq) VALUES ($1, 1)",
                               params, 1, error) ||
      !_stp_server_store_commit (store, error))
    {
      _stp_server_store_rollback (store);
      return FALSE;
    }

  *id_out = g_steal_pointer (&id);
  return TRUE;
}

gboolean
stp_server_store_get_center (StpServerStore  *store,
                             const char      *id,
                             char           **name_out,
                             char           **key_out,
                             GError         **error)
{
  const char *params[] = { id };
  g_autoptr(StpServerResult) result = NULL;

  result = _stp_server_store_query (store, "SELECT name, key FROM centers WHERE id = $1", params, 1, error);
  if (result == NULL)
    return FALSE;
  if (result->n_rows == 0)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                           _("No such center"));
      return FALSE;
    }
  if (name_out != NULL)
    *name_out = g_strdup (stp_server_result_get (result, 0, 0));
  if (key_out != NULL)
    *key_out = g_strdup (stp_server_result_get (result, 0, 1));
  return TRUE;
}

gboolean
stp_server_store_add_code (StpServerStore  *store,
                           const char      *center,
                           const char      *code_hash,
                           gint64           expires_at,
                           GError         **error)
{
  g_autofree char *expires = g_strdup_printf ("%" G_GINT64_FORMAT, expires_at);
  const char *params[] = { code_hash, center, expires };

  if (!stp_server_store_get_center (store, center, NULL, NULL, error))
    return FALSE;
  return _stp_server_store_exec (store,
                                 "INSERT INTO enrollment_codes (code_hash, center, expires_at, used) "
                                 "VALUES ($1, $2, $3, 0)", params, 3, error);
}

gboolean
stp_server_store_enroll (StpServerStore         *store,
                         const char             *code_hash,
                         gint64                  now,
                         const char             *device_id,
                         const char             *device_name,
                         const char             *token_hash,
                         StpServerEnrollStatus  *status,
                         char                  **center_out,
                         gint64                 *number_out,
                         GError                **error)
{
  g_autoptr(StpServerResult) code = NULL;
  g_autoptr(StpServerResult) claimed = NULL;
  g_autoptr(StpServerResult) counter = NULL;
  gint64 number;
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  const char *code_params[] = { code_hash };
  const char *center;

  if (!_stp_server_store_begin (store, error))
    return FALSE;

  code = _stp_server_store_query (store, "SELECT center, expires_at, used FROM enrollment_codes WHERE code_hash = $1",
                                  code_params, 1, error);
  if (code == NULL)
    goto fail;

  if (code->n_rows == 0)
    *status = STP_SERVER_ENROLL_UNKNOWN_CODE;
  else if (g_strcmp0 (stp_server_result_get (code, 0, 2), "0") != 0)
    *status = STP_SERVER_ENROLL_USED_CODE;
  else if (g_ascii_strtoll (stp_server_result_get (code, 0, 1), NULL, 10) <= now)
    *status = STP_SERVER_ENROLL_EXPIRED_CODE;
  else
    *status = STP_SERVER_ENROLL_OK;

  if (*status != STP_SERVER_ENROLL_OK)
    {
      _stp_server_store_rollback (store);
      return TRUE;
    }

  center = stp_server_result_get (code, 0, 0);

  /* Only checking the code (@device_id NULL): nothing is written, the code
   * stays usable. */
  if (device_id == NULL)
    {
      *center_out = g_strdup (center);
      *number_out = 0;
      _stp_server_store_rollback (store);
      return TRUE;
    }

  /* The conditional update makes a code single-use even if two enrollments race. */
  claimed = _stp_server_store_query (store,
                                     "UPDATE enrollment_codes SET used = 1 WHERE code_hash = $1 AND used = 0 "
                                     "RETURNING code_hash", code_params, 1, error);
  if (claimed == NULL)
    goto fail;
  if (claimed->n_rows == 0)
    {
      *status = STP_SERVER_ENROLL_USED_CODE;
      _stp_server_store_rollback (store);
      return TRUE;
    }

  {
    const char *params[] = { device_id, center, device_name, token_hash, now_text };

    if (!_stp_server_store_exec (store,
                                 "INSERT INTO devices (id, center, name, token_hash, revoked, enrolled_at, last_seen) "
                                 "VALUES ($1, $2, $3, $4, 0, $5, $5)", params, 5, error))
      goto fail;
  }

  /* The upsert takes the center's counter row (a row lock in PostgreSQL,
   * the write lock in SQLite) until _stp_server_store_commit, so two enrollments never get
   * the same number, and a revoked device's number is never given again. */
  {
    const char *params[] = { center };

    counter = _stp_server_store_query (store,
                                       "INSERT INTO device_counters (center, last_number) VALUES ($1, 1) "
                                       "ON CONFLICT (center) DO UPDATE SET last_number = device_counters.last_number + 1 "
                                       "RETURNING last_number", params, 1, error);
    if (counter == NULL)
      goto fail;
    number = g_ascii_strtoll (stp_server_result_get (counter, 0, 0), NULL, 10);
  }
  {
    g_autofree char *number_text = g_strdup_printf ("%" G_GINT64_FORMAT, number);
    const char *params[] = { device_id, center, number_text };

    if (!_stp_server_store_exec (store, "INSERT INTO device_numbers (device, center, number) VALUES ($1, $2, $3)",
                                 params, 3, error))
      goto fail;
  }

  if (!_stp_server_store_commit (store, error))
    goto fail;

  *center_out = g_strdup (center);
  *number_out = number;
  return TRUE;

fail:
  _stp_server_store_rollback (store);
  return FALSE;
}

gboolean
stp_server_store_find_device (StpServerStore   *store,
                              const char       *token_hash,
                              StpServerDevice  *device,
                              GError          **error)
{
  const char *params[] = { token_hash };
  g_autoptr(StpServerResult) result = NULL;

  result = _stp_server_store_query (store, "SELECT id, center, revoked FROM devices WHERE token_hash = $1",
                                    params, 1, error);
  if (result == NULL)
    return FALSE;
  if (result->n_rows == 0)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                           _("No such device"));
      return FALSE;
    }
  device->id = g_strdup (stp_server_result_get (result, 0, 0));
  device->center = g_strdup (stp_server_result_get (result, 0, 1));
  device->revoked = g_strcmp0 (stp_server_result_get (result, 0, 2), "0") != 0;
  return TRUE;
}

gboolean
stp_server_store_touch_device (StpServerStore  *store,
                               const char      *id,
                               gint64           now,
                               GError         **error)
{
  g_autofree char *now_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  const char *params[] = { id, now_text };

  /* In a transaction of its own so that, in SQLite, it queues on the
   * write mutex with the pushes instead of sleeping in the busy handler. */
  if (!_stp_server_store_begin (store, error))
    return FALSE;
  if (!_stp_server_store_exec (store, "UPDATE devices SET last_seen = $2 WHERE id = $1", params, 2, error) ||
      !_stp_server_store_commit (store, error))
    {
      _stp_server_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

StpServerResult *
stp_server_store_list_devices (StpServerStore  *store,
                               GError         **error)
{
  return _stp_server_store_query (store,
                                  "SELECT d.id, d.center, c.name, d.name, d.revoked, d.enrolled_at, d.last_seen "
                                  "FROM devices d JOIN centers c ON c.id = d.center "
                                  "ORDER BY c.name, d.enrolled_at", NULL, 0, error);
}

gboolean
stp_server_store_revoke_device (StpServerStore  *store,
                                const char      *id,
                                GError         **error)
{
  const char *params[] = { id };
  g_autoptr(StpServerResult) result = NULL;

  result = _stp_server_store_query (store, "UPDATE devices SET revoked = 1 WHERE id = $1 RETURNING id",
                                    params, 1, error);
  if (result == NULL)
    return FALSE;
  if (result->n_rows == 0)
    {
      g_set_error_literal (error, STP_SERVER_ERROR, STP_SERVER_ERROR_NOT_FOUND,
                           _("No such device"));
      return FALSE;
    }
  return TRUE;
}

gboolean
stp_server_store_set_key (StpServerStore  *store,
                          const char      *center,
                          const char      *key_json,
                          gboolean        *was_set,
                          GError         **error)
{
  const char *params[] = { center, key_json };
  g_autoptr(StpServerResult) result = NULL;

  result = _stp_server_store_query (store, "UPDATE centers SET key = $2 WHERE id = $1 AND key IS NULL RETURNING id",
                                    params, 2, error);
  if (result == NULL)
    return FALSE;
  *was_set = result->n_rows > 0;
  return TRUE;
}

gboolean
stp_server_store_add_aggregate (StpServerStore  *store,
                                const char      *center,
                                const char      *period_from,
                                const char      *period_to,
                                gint64           sent_at,
                                const char      *body,
                                GError         **error)
{
  g_autofree char *sent = g_strdup_printf ("%" G_GINT64_FORMAT, sent_at);
  const char *params[] = { center, period_from, period_to, sent, body };

  return _stp_server_store_exec (store,
                                 "INSERT INTO aggregates (center, period_from, period_to, sent_at, body) "
                                 "VALUES ($1, $2, $3, $4, $5)", params, 5, error);
}

StpServerResult *
stp_server_store_aggregates (StpServerStore  *store,
                             GError         **error)
{
  /* Newest first per center; the caller keeps the first row of each. */
  return _stp_server_store_query (store,
                                  "SELECT a.center, c.name, a.period_from, a.period_to, a.sent_at, a.body "
                                  "FROM aggregates a JOIN centers c ON c.id = a.center "
                                  "ORDER BY c.name, a.center, a.sent_at DESC, a.period_to DESC", NULL, 0, error);
}
