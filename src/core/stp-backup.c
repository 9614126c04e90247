/* stp-backup.c: encrypted backup copies: keys, settings, state and the
 * small file helpers the other stp-backup-*.c share (stp-backup.h describes
 * the file; docs/ARCHITECTURE.md, "Backups", the rules)
 */
#define G_LOG_DOMAIN "stp-core"

#include "config.h"

#include "stp-backup.h"
#include "stp-backup-private.h"
#include "stp-store-private.h"
#include "stp-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <zstd.h>

void
stp_backup_info_free (StpBackupInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->center_id);
  g_free (info->center_name);
  g_free (info->path);
  g_free (info);
}

/* --- Keys ----------------------------------------------------------------- */

StpBackupKey *
stp_backup_derive_key (const char    *password,
                       const guint8  *salt,
                       guint64        opslimit,
                       guint64        memlimit,
                       GError       **error)
{
  StpBackupKey *key = sodium_malloc (sizeof (StpBackupKey));

  g_assert (key != NULL);
  memcpy (key->salt, salt, SALT_LEN);
  key->opslimit = opslimit;
  key->memlimit = memlimit;
  if (crypto_pwhash (key->key, KEY_LEN, password, strlen (password), salt,
                     opslimit, (size_t) memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      sodium_free (key);
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("Not enough memory to derive the backup key."));
      return NULL;
    }
  return key;
}

StpBackupKey *
stp_backup_key_derive (const char  *password,
                       GError     **error)
{
  guint8 salt[SALT_LEN];

  g_return_val_if_fail (password != NULL, NULL);

  randombytes_buf (salt, sizeof salt);
  return stp_backup_derive_key (password, salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                     crypto_pwhash_MEMLIMIT_INTERACTIVE, error);
}

StpBackupKey *
stp_backup_key_copy (const StpBackupKey *key)
{
  StpBackupKey *copy;

  g_return_val_if_fail (key != NULL, NULL);
  copy = sodium_malloc (sizeof (StpBackupKey));
  g_assert (copy != NULL);
  memcpy (copy, key, sizeof *copy);
  return copy;
}

void
stp_backup_key_free (StpBackupKey *key)
{
  if (key != NULL)
    sodium_free (key);
}

static char *
to_base64 (const guint8 *data,
           gsize         len)
{
  return g_base64_encode (data, len);
}

static gboolean
from_base64 (const char *text,
             guint8     *out,
             gsize       len)
{
  gsize got = 0;
  g_autofree guint8 *data = NULL;

  if (text == NULL)
    return FALSE;
  data = g_base64_decode (text, &got);
  if (got != len)
    {
      if (data != NULL)
        sodium_memzero (data, got);
      return FALSE;
    }
  memcpy (out, data, len);
  sodium_memzero (data, got);
  return TRUE;
}

/* --- Settings ------------------------------------------------------------- */

gboolean
stp_backup_set_password (StpStore    *store,
                         StpSession  *session,
                         const char  *password,
                         const char  *repeat,
                         GError     **error)
{
  g_autoptr(StpBackupKey) key = NULL;
  g_autofree char *salt = NULL;
  g_autofree char *key_text = NULL;
  g_autofree char *ops = NULL;
  g_autofree char *mem = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);

  if (!stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return FALSE;
  if (password == NULL || g_utf8_strlen (password, -1) < 8)
    {
      stp_set_field_error (error, "backup_password",
                           _("The backup password must have at least 8 characters."));
      return FALSE;
    }
  if (g_strcmp0 (password, repeat) != 0)
    {
      stp_set_field_error (error, "backup_password_repeat",
                           _("The two backup passwords differ. Type the same password twice."));
      return FALSE;
    }
  if (!(key = stp_backup_key_derive (password, error)))
    return FALSE;
  salt = to_base64 (key->salt, SALT_LEN);
  key_text = to_base64 (key->key, KEY_LEN);
  ops = g_strdup_printf ("%" G_GUINT64_FORMAT, key->opslimit);
  mem = g_strdup_printf ("%" G_GUINT64_FORMAT, key->memlimit);
  if (!stp_store_begin (store, error))
    return FALSE;
  if (!stp_store_set_setting (store, SETTING_SALT, salt, error) ||
      !stp_store_set_setting (store, SETTING_KEY, key_text, error) ||
      !stp_store_set_setting (store, SETTING_OPSLIMIT, ops, error) ||
      !stp_store_set_setting (store, SETTING_MEMLIMIT, mem, error) ||
      !stp_store_audit (store, session, STP_AUDIT_BACKUP, NULL, NULL, "password", error) ||
      !stp_store_commit (store, error))
    {
      stp_store_rollback (store);
      sodium_memzero (key_text, strlen (key_text));
      return FALSE;
    }
  sodium_memzero (key_text, strlen (key_text));
  return TRUE;
}

StpBackupKey *
stp_backup_get_key (StpStore *store)
{
  g_autofree char *salt = stp_store_get_setting (store, SETTING_SALT);
  g_autofree char *key_text = stp_store_get_setting (store, SETTING_KEY);
  g_autofree char *ops = stp_store_get_setting (store, SETTING_OPSLIMIT);
  g_autofree char *mem = stp_store_get_setting (store, SETTING_MEMLIMIT);
  StpBackupKey *key;

  if (salt == NULL || key_text == NULL || ops == NULL || mem == NULL)
    return NULL;
  key = sodium_malloc (sizeof (StpBackupKey));
  g_assert (key != NULL);
  key->opslimit = g_ascii_strtoull (ops, NULL, 10);
  key->memlimit = g_ascii_strtoull (mem, NULL, 10);
  if (!from_base64 (salt, key->salt, SALT_LEN) || !from_base64 (key_text, key->key, KEY_LEN))
    {
      sodium_free (key);
      return NULL;
    }
  sodium_memzero (key_text, strlen (key_text));
  return key;
}

gboolean
stp_backup_set_folder (StpStore    *store,
                       StpSession  *session,
                       const char  *folder,
                       GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);

  if (!stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return FALSE;
  if (folder == NULL || !g_path_is_absolute (folder))
    {
      stp_set_field_error (error, "backup_folder", _("Choose a folder for backup copies."));
      return FALSE;
    }
  return stp_store_set_setting (store, STP_BACKUP_SETTING_FOLDER, folder, error);
}

char *
stp_backup_get_folder (StpStore *store)
{
  char *folder = stp_store_get_setting (store, STP_BACKUP_SETTING_FOLDER);

  if (folder != NULL && *folder == '\0')
    g_clear_pointer (&folder, g_free);
  return folder;
}

static gint64
last_good_usec (StpStore *store)
{
  g_autofree char *text = stp_store_get_setting (store, STP_BACKUP_SETTING_LAST_GOOD);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

StpBackupState
stp_backup_get_state (StpStore *store,
                      gint64   *out_last_good_usec)
{
  g_autofree char *folder = stp_backup_get_folder (store);
  g_autoptr(StpBackupKey) key = stp_backup_get_key (store);
  gint64 last = last_good_usec (store);

  if (out_last_good_usec != NULL)
    *out_last_good_usec = last;
  if (folder == NULL || key == NULL)
    return STP_BACKUP_STATE_NOT_SET_UP;
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    return STP_BACKUP_STATE_FOLDER_MISSING;
  if (last == 0)
    return STP_BACKUP_STATE_NEVER;
  if (stp_store_now (store) - last > (gint64) STP_BACKUP_STALE_DAYS * G_USEC_PER_SEC * 86400)
    return STP_BACKUP_STATE_STALE;
  return STP_BACKUP_STATE_OK;
}

/* How many local changes were ever written: the outbox's id counter, which
 * acknowledged rows do not lower. */
static gint64
change_counter (StpStore *store)
{
  sqlite3_stmt *stmt = NULL;
  gint64 n = 0;

  if (sqlite3_prepare_v2 (stp_store_get_db (store),
                          "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'",
                          -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return n;
}

gboolean
stp_backup_is_due (StpStore *store,
                   gboolean  daily)
{
  StpBackupState state = stp_backup_get_state (store, NULL);
  g_autofree char *counted = NULL;
  gint64 last;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);

  if (state == STP_BACKUP_STATE_NOT_SET_UP || state == STP_BACKUP_STATE_FOLDER_MISSING)
    return FALSE;
  last = last_good_usec (store);
  if (daily)
    return stp_store_now (store) - last >= (gint64) G_USEC_PER_SEC * 86400;
  counted = stp_store_get_setting (store, SETTING_LAST_OUTBOX);
  return counted == NULL || change_counter (store) > g_ascii_strtoll (counted, NULL, 10);
}

gboolean
stp_backup_record_success (StpStore            *store,
                           StpSession          *session,
                           const StpBackupInfo *info,
                           GError             **error)
{
  g_autofree char *when = g_strdup_printf ("%" G_GINT64_FORMAT, info->created_usec);
  g_autofree char *counter = g_strdup_printf ("%" G_GINT64_FORMAT, change_counter (store));
  g_autofree char *name = g_path_get_basename (info->path);

  if (!stp_store_begin (store, error))
    return FALSE;
  if (!stp_store_set_setting (store, STP_BACKUP_SETTING_LAST_GOOD, when, error) ||
      !stp_store_set_setting (store, STP_BACKUP_SETTING_LAST_FILE, info->path, error) ||
      !stp_store_set_setting (store, SETTING_LAST_OUTBOX, counter, error) ||
      !stp_store_audit_login (store, session != NULL ? stp_session_get_login (session) : NULL,
                              STP_AUDIT_BACKUP, NULL, NULL, name, error) ||
      !stp_store_commit (store, error))
    {
      stp_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

/* --- Small file helpers --------------------------------------------------- */

void
stp_backup_remove_database (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_remove (name);
    }
}

void
stp_backup_put_u32 (GByteArray *out,
                    guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);
  g_byte_array_append (out, (const guint8 *) &le, 4);
}

void
stp_backup_put_u64 (GByteArray *out,
                    guint64     value)
{
  guint64 le = GUINT64_TO_LE (value);
  g_byte_array_append (out, (const guint8 *) &le, 8);
}

gboolean
stp_backup_write_all (FILE          *file,
                      const void    *data,
                      gsize          len,
                      const char    *path,
                      GError       **error)
{
  if (len == 0 || fwrite (data, 1, len, file) == len)
    return TRUE;
  g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
               _("Cannot write the backup copy %s: %s"), path, g_strerror (errno));
  return FALSE;
}

gint64
stp_backup_query_int (sqlite3    *db,
                      const char *sql,
                      gint64      fallback)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = fallback;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

char *
stp_backup_query_text (sqlite3    *db,
                       const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

gboolean
stp_backup_exec_sql (sqlite3     *db,
                     const char  *sql,
                     GError     **error)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) == SQLITE_OK)
    return TRUE;
  g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
               _("The backup copy could not be restored: %s"),
               message != NULL ? message : sqlite3_errmsg (db));
  sqlite3_free (message);
  return FALSE;
}

sqlite3 *
stp_backup_open_file (const char  *path,
                      int          flags,
                      GError     **error)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot open the database file %s: %s"), path,
                   db != NULL ? sqlite3_errmsg (db) : "");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_busy_timeout (db, 10000);
  return db;
}

void
stp_backup_sync_directory (const char *dir)
{
#ifdef G_OS_UNIX
  int fd = g_open (dir, O_RDONLY, 0);

  if (fd >= 0)
    {
      g_fsync (fd);
      g_close (fd, NULL);
    }
#endif
}

GDateTime *
stp_backup_local_time_from_usec (gint64 usec)
{
  return g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
}
