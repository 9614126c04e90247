/* stp-backup.c: encrypted backup copies and restoring them (stp-backup.h
 * describes the file; docs/ARCHITECTURE.md, "Backups", the rules).
 */
#define G_LOG_DOMAIN "stp-core"

#include "config.h"

#include "stp-backup.h"
#include "stp-store-private.h"
#include "stp-error.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <zstd.h>

#define BACKUP_MAGIC        "STUPENI-BACKUP\n"   /* with its NUL: 16 bytes */
#define BACKUP_MAGIC_LEN    16
#define SALT_LEN            crypto_pwhash_SALTBYTES
#define KEY_LEN             crypto_secretstream_xchacha20poly1305_KEYBYTES
#define HASH_LEN            32
/* Plaintext per message: what zstd gives is cut into pieces this big. */
#define CHUNK_BYTES         (1024 * 1024)
/* Bounds a reader accepts, far above what a writer makes. */
#define MAX_HEADER_BYTES    (64 * 1024)
#define MAX_MESSAGE_BYTES   (4 * 1024 * 1024)
#define MAX_OPSLIMIT        16
#define MAX_MEMLIMIT        (G_GUINT64_CONSTANT (1) << 30)
#define ZSTD_LEVEL          3

#define SETTING_SALT        "backup.salt"
#define SETTING_KEY         "backup.key"
#define SETTING_OPSLIMIT    "backup.opslimit"
#define SETTING_MEMLIMIT    "backup.memlimit"
#define SETTING_LAST_OUTBOX "backup.last_outbox"

struct _StpBackupKey
{
  guint8  salt[SALT_LEN];
  guint8  key[KEY_LEN];
  guint64 opslimit;
  guint64 memlimit;
};

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

static StpBackupKey *
derive_key (const char    *password,
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
  return derive_key (password, salt, crypto_pwhash_OPSLIMIT_INTERACTIVE,
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

static void
remove_database (const char *path)
{
  static const char * const suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = g_strconcat (path, suffixes[i], NULL);
      g_remove (name);
    }
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);
  g_byte_array_append (out, (const guint8 *) &le, 4);
}

static void
put_u64 (GByteArray *out,
         guint64     value)
{
  guint64 le = GUINT64_TO_LE (value);
  g_byte_array_append (out, (const guint8 *) &le, 8);
}

static gboolean
write_all (FILE          *file,
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

static gint64
query_int (sqlite3    *db,
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

static char *
query_text (sqlite3    *db,
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

static gboolean
exec_sql (sqlite3     *db,
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

static sqlite3 *
open_file (const char  *path,
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

static void
sync_directory (const char *dir)
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

/* --- Writing -------------------------------------------------------------- */

static GDateTime *
local_time_from_usec (gint64 usec)
{
  return g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
}

/* The clear part: magic, format, header, key derivation, stream header. */
static GByteArray *
make_prefix (const char         *center_id,
             gint64              created_usec,
             const StpBackupKey *key,
             const guint8       *stream_header)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *text = NULL;
  gsize len = 0;
  GByteArray *out = g_byte_array_new ();

  g_key_file_set_string (kf, "backup", "center_id", center_id);
  g_key_file_set_int64 (kf, "backup", "created", created_usec);
  text = g_key_file_to_data (kf, &len, NULL);
  g_byte_array_append (out, (const guint8 *) BACKUP_MAGIC, BACKUP_MAGIC_LEN);
  put_u32 (out, STP_BACKUP_FORMAT);
  put_u32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) text, len);
  g_byte_array_append (out, key->salt, SALT_LEN);
  put_u64 (out, key->opslimit);
  put_u64 (out, key->memlimit);
  g_byte_array_append (out, stream_header,
                       crypto_secretstream_xchacha20poly1305_HEADERBYTES);
  return out;
}

typedef struct
{
  FILE                                      *file;
  const char                                *path;
  crypto_secretstream_xchacha20poly1305_state state;
  guint8                                    *cipher;
} Sealer;

static gboolean
seal_message (Sealer        *s,
              const guint8  *data,
              gsize          len,
              const guint8  *ad,
              gsize          ad_len,
              guint8         tag,
              GError       **error)
{
  unsigned long long clen = 0;
  guint32 le;

  g_assert (len <= MAX_MESSAGE_BYTES);
  crypto_secretstream_xchacha20poly1305_push (&s->state, s->cipher, &clen, data, len,
                                              ad, ad_len, tag);
  le = GUINT32_TO_LE ((guint32) clen);
  return write_all (s->file, &le, 4, s->path, error) &&
         write_all (s->file, s->cipher, clen, s->path, error);
}

static char *
make_trailer (gint64        size,
              const guint8 *hash)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *hex = NULL;
  GString *h = g_string_new (NULL);

  for (guint i = 0; i < HASH_LEN; i++)
    g_string_append_printf (h, "%02x", hash[i]);
  hex = g_string_free (h, FALSE);
  g_key_file_set_int64 (kf, "end", "size", size);
  g_key_file_set_string (kf, "end", "blake2b", hex);
  return g_key_file_to_data (kf, NULL, NULL);
}

/* Compresses and seals the database @plain_path into @file. */
static gboolean
write_stream (Sealer                 *s,
              const char             *plain_path,
              gint64                  plain_size,
              guint8                 *hash_out,
              StpBackupProgressFunc   progress,
              gpointer                user_data,
              GError                **error)
{
  FILE *in = g_fopen (plain_path, "rb");
  ZSTD_CCtx *cctx = ZSTD_createCCtx ();
  crypto_generichash_state hstate;
  g_autofree guint8 *inbuf = g_malloc (CHUNK_BYTES);
  gsize outcap = ZSTD_CStreamOutSize ();
  g_autofree guint8 *outbuf = g_malloc (outcap);
  g_autoptr(GByteArray) pending = g_byte_array_sized_new (CHUNK_BYTES + outcap);
  gint64 done = 0;
  gboolean ok = FALSE;
  gboolean finished = FALSE;

  if (in == NULL)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot read the database copy %s: %s"), plain_path, g_strerror (errno));
      ZSTD_freeCCtx (cctx);
      return FALSE;
    }
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_compressionLevel, ZSTD_LEVEL);
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_checksumFlag, 1);
  /* Ignored by a libzstd built without threads. */
  ZSTD_CCtx_setParameter (cctx, ZSTD_c_nbWorkers, 2);
  crypto_generichash_init (&hstate, NULL, 0, HASH_LEN);

  while (!finished)
    {
      gsize n = fread (inbuf, 1, CHUNK_BYTES, in);
      ZSTD_EndDirective mode = n < CHUNK_BYTES ? ZSTD_e_end : ZSTD_e_continue;
      ZSTD_inBuffer input = { inbuf, n, 0 };

      if (n < CHUNK_BYTES && ferror (in))
        {
          g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                       _("Cannot read the database copy %s: %s"), plain_path, g_strerror (errno));
          goto out;
        }
      crypto_generichash_update (&hstate, inbuf, n);
      done += n;
      for (;;)
        {
          ZSTD_outBuffer output = { outbuf, outcap, 0 };
          size_t left = ZSTD_compressStream2 (cctx, &output, &input, mode);

          if (ZSTD_isError (left))
            {
              g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("The backup copy could not be compressed: %s"),
                           ZSTD_getErrorName (left));
              goto out;
            }
          g_byte_array_append (pending, outbuf, output.pos);
          while (pending->len >= CHUNK_BYTES)
            {
              if (!seal_message (s, pending->data, CHUNK_BYTES, NULL, 0,
                                 crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, error))
                goto out;
              g_byte_array_remove_range (pending, 0, CHUNK_BYTES);
            }
          /* Drain as the API asks: until the input is used and, when
           * ending, until nothing is left inside zstd. */
          if (mode == ZSTD_e_end ? left == 0 : input.pos == input.size)
            break;
        }
      if (mode == ZSTD_e_end)
        finished = TRUE;
      if (progress != NULL && plain_size > 0)
        progress (0.9 * MIN (1.0, (double) done / plain_size), user_data);
    }
  if (pending->len > 0 &&
      !seal_message (s, pending->data, pending->len, NULL, 0,
                     crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, error))
    goto out;
  crypto_generichash_final (&hstate, hash_out, HASH_LEN);
  {
    g_autofree char *trailer = make_trailer (done, hash_out);

    if (!seal_message (s, (const guint8 *) trailer, strlen (trailer), NULL, 0,
                       crypto_secretstream_xchacha20poly1305_TAG_FINAL, error))
      goto out;
  }
  ok = TRUE;

out:
  fclose (in);
  ZSTD_freeCCtx (cctx);
  return ok;
}

/* What the copy holds, read from the copy itself. */
static gboolean
describe_copy (const char     *plain_path,
               StpBackupInfo  *info,
               GError        **error)
{
  sqlite3 *db = open_file (plain_path, SQLITE_OPEN_READWRITE, error);

  if (db == NULL)
    return FALSE;
  /* VACUUM INTO keeps the source's journal mode in the header: make the
   * copy a plain file that opens without a log. */
  sqlite3_exec (db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  /* A copy of a damaged database would restore the damage: refuse it
   * here, on the worker thread; a restore then trusts the hash. */
  {
    g_autofree char *check = query_text (db, "PRAGMA quick_check");

    if (g_strcmp0 (check, "ok") != 0)
      {
        sqlite3_close (db);
        g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                             _("The database failed its integrity check, so no copy was made. "
                               "Restore it from an earlier copy."));
        return FALSE;
      }
  }
  info->center_id = query_text (db, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  info->center_name = query_text (db, "SELECT name FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  info->residents = query_int (db, "SELECT count(*) FROM residents WHERE deleted = 0", 0);
  info->schema_version = (int) query_int (db, "PRAGMA user_version", 0);
  sqlite3_close (db);
  if (info->center_id == NULL)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                           _("The database holds no center yet: there is nothing to back up."));
      return FALSE;
    }
  return TRUE;
}

static char *
copy_file_name (const char *folder,
                gint64      created_usec)
{
  g_autoptr(GDateTime) local = local_time_from_usec (created_usec);
  g_autofree char *stamp = g_date_time_format (local, "%Y-%m-%d-%H%M%S");

  for (guint i = 1; ; i++)
    {
      g_autofree char *name = i == 1 ? g_strdup_printf ("stupeni-%s%s", stamp, STP_BACKUP_SUFFIX)
                                     : g_strdup_printf ("stupeni-%s-%u%s", stamp, i, STP_BACKUP_SUFFIX);
      char *path = g_build_filename (folder, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
}

static gboolean read_copy (const char            *path,
                           const char            *password,
                           const StpBackupKey    *given_key,
                           gboolean               info_only,
                           const char            *dest_path,
                           StpBackupProgressFunc  progress,
                           gpointer               user_data,
                           StpBackupInfo        **out_info,
                           StpBackupKey         **out_key,
                           guint8                *out_hash,
                           GError               **error);

StpBackupInfo *
stp_backup_write (const char            *db_path,
                  const StpBackupKey    *key,
                  const char            *folder,
                  gint64                 now_usec,
                  StpBackupProgressFunc  progress,
                  gpointer               user_data,
                  GError               **error)
{
  g_autoptr(StpBackupInfo) info = g_new0 (StpBackupInfo, 1);
  g_autofree char *plain = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *base = NULL;
  g_autoptr(GByteArray) prefix = NULL;
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *info_text = NULL;
  guint8 stream_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  guint8 hash[HASH_LEN], check[HASH_LEN];
  GStatBuf st;
  Sealer s = { 0 };
  sqlite3 *src = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (db_path != NULL && key != NULL && folder != NULL, NULL);

  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                   _("The backup folder %s is not available. Connect the drive or choose another folder."),
                   folder);
      return NULL;
    }
  info->format = STP_BACKUP_FORMAT;
  info->created_usec = now_usec > 0 ? now_usec : g_get_real_time ();

  /* A consistent copy from a connection of its own: VACUUM INTO reads in
   * one transaction while the window keeps saving.  It stays next to the
   * database (the same disk, the same protection), never in @folder. */
  plain = g_strconcat (db_path, ".backup-tmp", NULL);
  remove_database (plain);
  if (!(src = open_file (db_path, SQLITE_OPEN_READONLY, error)))
    return NULL;
  sqlite3_exec (src, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
  rc = sqlite3_prepare_v2 (src, "VACUUM INTO ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, plain, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The database could not be copied: %s"), sqlite3_errmsg (src));
      sqlite3_finalize (stmt);
      sqlite3_close (src);
      remove_database (plain);
      return NULL;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (src);
  if (progress != NULL)
    progress (0.05, user_data);

  if (!describe_copy (plain, info, error) || g_stat (plain, &st) != 0)
    goto out;
  info->database_size = st.st_size;

  info->path = copy_file_name (folder, info->created_usec);
  base = g_path_get_basename (info->path);
  tmp = g_strdup_printf ("%s%c.%s.tmp", folder, G_DIR_SEPARATOR, base);
  if (!(s.file = g_fopen (tmp, "wb")))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot write the backup copy %s: %s"), tmp, g_strerror (errno));
      goto out;
    }
  s.path = tmp;
  s.cipher = g_malloc (MAX_MESSAGE_BYTES + crypto_secretstream_xchacha20poly1305_ABYTES);
  crypto_secretstream_xchacha20poly1305_init_push (&s.state, stream_header, key->key);
  prefix = make_prefix (info->center_id, info->created_usec, key, stream_header);
  g_key_file_set_string (kf, "backup", "center_id", info->center_id);
  g_key_file_set_string (kf, "backup", "center_name", info->center_name ? info->center_name : "");
  g_key_file_set_int64 (kf, "backup", "created", info->created_usec);
  g_key_file_set_int64 (kf, "backup", "residents", info->residents);
  g_key_file_set_integer (kf, "backup", "schema", info->schema_version);
  g_key_file_set_int64 (kf, "backup", "database_size", info->database_size);
  info_text = g_key_file_to_data (kf, NULL, NULL);
  if (!write_all (s.file, prefix->data, prefix->len, tmp, error) ||
      !seal_message (&s, (const guint8 *) info_text, strlen (info_text), prefix->data, prefix->len,
                     crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, error) ||
      !write_stream (&s, plain, info->database_size, hash, progress, user_data, error))
    goto out;
  if (fflush (s.file) != 0 || g_fsync (fileno (s.file)) != 0)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot write the backup copy %s: %s"), tmp, g_strerror (errno));
      goto out;
    }
  fclose (s.file);
  s.file = NULL;
  if (g_rename (tmp, info->path) != 0)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot write the backup copy %s: %s"), info->path, g_strerror (errno));
      goto out;
    }
  sync_directory (folder);

  /* Read the new file back, as a restore would, before trusting it. */
  {
    g_autoptr(GError) local_error = NULL;

    if (!read_copy (info->path, NULL, key, FALSE, NULL, NULL, NULL, NULL, NULL, check, &local_error) ||
        memcmp (check, hash, HASH_LEN) != 0)
      {
        g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                     _("The new backup copy %s did not read back correctly (%s). "
                       "It was removed; check the drive."), info->path,
                     local_error != NULL ? local_error->message : _("the contents differ"));
        g_remove (info->path);
        goto out;
      }
  }
  if (g_stat (info->path, &st) == 0)
    info->file_size = st.st_size;
  if (progress != NULL)
    progress (1.0, user_data);

  {
    g_autoptr(GError) prune_error = NULL;
    guint removed = 0;

    /* A failed clean-up does not make the new copy bad. */
    if (!stp_backup_prune (folder, info->center_id, info->path, &removed, &prune_error))
      g_warning ("Old backup copies were not removed: %s", prune_error->message);
  }
  ok = TRUE;

out:
  if (s.file != NULL)
    fclose (s.file);
  if (!ok && tmp != NULL)
    g_remove (tmp);
  if (s.cipher != NULL)
    g_free (s.cipher);
  sodium_memzero (&s.state, sizeof s.state);
  remove_database (plain);
  return ok ? g_steal_pointer (&info) : NULL;
}

/* --- Reading -------------------------------------------------------------- */

static gboolean
read_exact (FILE   *file,
            void   *buf,
            gsize   len)
{
  return len == 0 || fread (buf, 1, len, file) == len;
}

static void
set_damaged (GError **error)
{
  g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                       _("The backup copy is damaged or incomplete (cut short). "
                         "Nothing was changed; choose another copy."));
}

/* Reads the clear part of @file: format, center id, creation time, the key
 * derivation; leaves @file after it and the bytes in *out_prefix. */
static gboolean
read_prefix (FILE        *file,
             GByteArray **out_prefix,
             char       **out_center_id,
             gint64      *out_created,
             guint8      *salt,
             guint64     *opslimit,
             guint64     *memlimit,
             guint8      *stream_header,
             GError     **error)
{
  g_autoptr(GByteArray) prefix = g_byte_array_new ();
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  guint8 magic[BACKUP_MAGIC_LEN];
  guint32 format, header_len;
  g_autofree char *header = NULL;
  guint64 ops, mem;

  if (!read_exact (file, magic, BACKUP_MAGIC_LEN) ||
      memcmp (magic, BACKUP_MAGIC, BACKUP_MAGIC_LEN) != 0)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                           _("The file is not a backup copy of Stupeni."));
      return FALSE;
    }
  g_byte_array_append (prefix, magic, BACKUP_MAGIC_LEN);
  if (!read_exact (file, &format, 4))
    {
      set_damaged (error);
      return FALSE;
    }
  g_byte_array_append (prefix, (guint8 *) &format, 4);
  format = GUINT32_FROM_LE (format);
  if (format > STP_BACKUP_FORMAT)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW,
                           _("The backup copy was made by a newer version of the program. "
                             "Update the program, then restore it."));
      return FALSE;
    }
  if (format == 0 || !read_exact (file, &header_len, 4))
    {
      set_damaged (error);
      return FALSE;
    }
  g_byte_array_append (prefix, (guint8 *) &header_len, 4);
  header_len = GUINT32_FROM_LE (header_len);
  if (header_len > MAX_HEADER_BYTES)
    {
      set_damaged (error);
      return FALSE;
    }
  header = g_malloc0 (header_len + 1);
  if (!read_exact (file, header, header_len) ||
      !g_key_file_load_from_data (kf, header, header_len, G_KEY_FILE_NONE, NULL) ||
      !read_exact (file, salt, SALT_LEN) || !read_exact (file, &ops, 8) ||
      !read_exact (file, &mem, 8) ||
      !read_exact (file, stream_header, crypto_secretstream_xchacha20poly1305_HEADERBYTES))
    {
      set_damaged (error);
      return FALSE;
    }
  g_byte_array_append (prefix, (guint8 *) header, header_len);
  g_byte_array_append (prefix, salt, SALT_LEN);
  g_byte_array_append (prefix, (guint8 *) &ops, 8);
  g_byte_array_append (prefix, (guint8 *) &mem, 8);
  g_byte_array_append (prefix, stream_header, crypto_secretstream_xchacha20poly1305_HEADERBYTES);
  *opslimit = GUINT64_FROM_LE (ops);
  *memlimit = GUINT64_FROM_LE (mem);
  if (*opslimit < crypto_pwhash_OPSLIMIT_MIN || *opslimit > MAX_OPSLIMIT ||
      *memlimit < crypto_pwhash_MEMLIMIT_MIN || *memlimit > MAX_MEMLIMIT)
    {
      set_damaged (error);
      return FALSE;
    }
  *out_center_id = g_key_file_get_string (kf, "backup", "center_id", NULL);
  *out_created = g_key_file_get_int64 (kf, "backup", "created", NULL);
  if (*out_center_id == NULL)
    {
      set_damaged (error);
      return FALSE;
    }
  *out_prefix = g_steal_pointer (&prefix);
  return TRUE;
}

/* Reads one sealed message into @plain (capacity MAX_MESSAGE_BYTES);
 * FALSE at the end of the file or on a bad message. */
static gboolean
open_message (FILE                                        *file,
              crypto_secretstream_xchacha20poly1305_state *state,
              guint8                                      *cipher,
              guint8                                      *plain,
              gsize                                       *plain_len,
              const guint8                                *ad,
              gsize                                        ad_len,
              guint8                                      *tag)
{
  guint32 len;
  unsigned long long mlen = 0;

  if (!read_exact (file, &len, 4))
    return FALSE;
  len = GUINT32_FROM_LE (len);
  if (len < crypto_secretstream_xchacha20poly1305_ABYTES ||
      len > MAX_MESSAGE_BYTES + crypto_secretstream_xchacha20poly1305_ABYTES ||
      !read_exact (file, cipher, len))
    return FALSE;
  if (crypto_secretstream_xchacha20poly1305_pull (state, plain, &mlen, tag, cipher, len,
                                                  ad, ad_len) != 0)
    return FALSE;
  *plain_len = mlen;
  return TRUE;
}

static gboolean
read_copy (const char            *path,
           const char            *password,
           const StpBackupKey    *given_key,
           gboolean               info_only,
           const char            *dest_path,
           StpBackupProgressFunc  progress,
           gpointer               user_data,
           StpBackupInfo        **out_info,
           StpBackupKey         **out_key,
           guint8                *out_hash,
           GError               **error)
{
  FILE *file = NULL;
  FILE *dest = NULL;
  g_autoptr(GByteArray) prefix = NULL;
  g_autoptr(StpBackupKey) key = NULL;
  g_autoptr(StpBackupInfo) info = g_new0 (StpBackupInfo, 1);
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *clear_center = NULL;
  gint64 clear_created = 0;
  guint8 salt[SALT_LEN];
  guint8 stream_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  guint64 ops = 0, mem = 0;
  crypto_secretstream_xchacha20poly1305_state state;
  crypto_generichash_state hstate;
  g_autofree guint8 *cipher = g_malloc (MAX_MESSAGE_BYTES + crypto_secretstream_xchacha20poly1305_ABYTES);
  g_autofree guint8 *plain = g_malloc (MAX_MESSAGE_BYTES + 1);
  gsize outcap = ZSTD_DStreamOutSize ();
  g_autofree guint8 *outbuf = g_malloc (outcap);
  ZSTD_DCtx *dctx = NULL;
  gsize plain_len = 0;
  guint8 tag = 0;
  gint64 written = 0;
  gint64 read_bytes = 0;
  size_t zstd_left = 1;
  GStatBuf st;
  gboolean ok = FALSE;

  if (!(file = g_fopen (path, "rb")))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                   _("Cannot open the backup copy %s: %s"), path, g_strerror (errno));
      return FALSE;
    }
  if (!read_prefix (file, &prefix, &clear_center, &clear_created, salt, &ops, &mem,
                    stream_header, error))
    goto out;

  if (given_key != NULL && memcmp (given_key->salt, salt, SALT_LEN) == 0 &&
      given_key->opslimit == ops && given_key->memlimit == mem)
    key = stp_backup_key_copy (given_key);
  else if (password != NULL)
    {
      if (!(key = derive_key (password, salt, ops, mem, error)))
        goto out;
    }
  else
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH,
                           _("This backup copy was made under another backup password. Enter it."));
      goto out;
    }

  if (crypto_secretstream_xchacha20poly1305_init_pull (&state, stream_header, key->key) != 0 ||
      !open_message (file, &state, cipher, plain, &plain_len, prefix->data, prefix->len, &tag) ||
      tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH,
                           _("The password is wrong, or the backup copy is damaged. "
                             "Nothing was changed."));
      goto out;
    }
  plain[plain_len] = '\0';
  if (!g_key_file_load_from_data (kf, (const char *) plain, plain_len, G_KEY_FILE_NONE, NULL))
    {
      set_damaged (error);
      goto out;
    }
  info->format = STP_BACKUP_FORMAT;
  info->center_id = g_key_file_get_string (kf, "backup", "center_id", NULL);
  info->center_name = g_key_file_get_string (kf, "backup", "center_name", NULL);
  info->created_usec = g_key_file_get_int64 (kf, "backup", "created", NULL);
  info->residents = g_key_file_get_int64 (kf, "backup", "residents", NULL);
  info->schema_version = g_key_file_get_integer (kf, "backup", "schema", NULL);
  info->database_size = g_key_file_get_int64 (kf, "backup", "database_size", NULL);
  info->path = g_strdup (path);
  if (g_stat (path, &st) == 0)
    info->file_size = st.st_size;
  if (g_strcmp0 (info->center_id, clear_center) != 0 || info->created_usec != clear_created ||
      info->database_size <= 0)
    {
      set_damaged (error);
      goto out;
    }
  if (info_only)
    {
      ok = TRUE;
      goto out;
    }

  if (dest_path != NULL && !(dest = g_fopen (dest_path, "wb")))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot write %s: %s"), dest_path, g_strerror (errno));
      goto out;
    }
  dctx = ZSTD_createDCtx ();
  crypto_generichash_init (&hstate, NULL, 0, HASH_LEN);
  for (;;)
    {
      if (!open_message (file, &state, cipher, plain, &plain_len, NULL, 0, &tag))
        {
          set_damaged (error);
          goto out;
        }
      read_bytes += plain_len;
      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        break;
      if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        {
          set_damaged (error);
          goto out;
        }
      {
        ZSTD_inBuffer input = { plain, plain_len, 0 };

        while (input.pos < input.size)
          {
            ZSTD_outBuffer output = { outbuf, outcap, 0 };

            zstd_left = ZSTD_decompressStream (dctx, &output, &input);
            if (ZSTD_isError (zstd_left) || written + (gint64) output.pos > info->database_size)
              {
                set_damaged (error);
                goto out;
              }
            crypto_generichash_update (&hstate, outbuf, output.pos);
            written += output.pos;
            if (dest != NULL && !write_all (dest, outbuf, output.pos, dest_path, error))
              goto out;
          }
      }
      if (progress != NULL && info->file_size > 0)
        progress (MIN (1.0, (double) read_bytes / info->file_size), user_data);
    }
  /* The FINAL message: size and hash, and nothing after it. */
  {
    g_autoptr(GKeyFile) end = g_key_file_new ();
    g_autofree char *hex = NULL;
    GString *h = g_string_new (NULL);
    guint8 hash[HASH_LEN];
    guint8 extra;

    plain[plain_len] = '\0';
    crypto_generichash_final (&hstate, hash, HASH_LEN);
    for (guint i = 0; i < HASH_LEN; i++)
      g_string_append_printf (h, "%02x", hash[i]);
    hex = g_string_free (h, FALSE);
    if (zstd_left != 0 || fread (&extra, 1, 1, file) != 0 ||
        !g_key_file_load_from_data (end, (const char *) plain, plain_len, G_KEY_FILE_NONE, NULL))
      {
        set_damaged (error);
        goto out;
      }
    {
      g_autofree char *stored = g_key_file_get_string (end, "end", "blake2b", NULL);

      if (g_key_file_get_int64 (end, "end", "size", NULL) != written ||
          written != info->database_size || g_strcmp0 (stored, hex) != 0)
        {
          set_damaged (error);
          goto out;
        }
    }
    if (out_hash != NULL)
      memcpy (out_hash, hash, HASH_LEN);
  }
  if (dest != NULL)
    {
      if (fflush (dest) != 0)
        {
          g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                       _("Cannot write %s: %s"), dest_path, g_strerror (errno));
          goto out;
        }
    }
  ok = TRUE;

out:
  sodium_memzero (&state, sizeof state);
  if (dctx != NULL)
    ZSTD_freeDCtx (dctx);
  if (dest != NULL)
    fclose (dest);
  if (!ok && dest_path != NULL)
    remove_database (dest_path);
  fclose (file);
  if (ok && out_info != NULL)
    *out_info = g_steal_pointer (&info);
  if (ok && out_key != NULL)
    *out_key = g_steal_pointer (&key);
  return ok;
}

StpBackupInfo *
stp_backup_inspect (const char    *path,
                    const char    *password,
                    StpBackupKey **out_key,
                    GError       **error)
{
  StpBackupInfo *info = NULL;

  g_return_val_if_fail (path != NULL && password != NULL, NULL);

  if (!read_copy (path, password, NULL, TRUE, NULL, NULL, NULL, &info, out_key, NULL, error))
    return NULL;
  return info;
}

gboolean
stp_backup_extract (const char            *path,
                    const StpBackupKey    *key,
                    const char            *dest_path,
                    StpBackupProgressFunc  progress,
                    gpointer               user_data,
                    GError               **error)
{
  g_return_val_if_fail (path != NULL && key != NULL && dest_path != NULL, FALSE);

  remove_database (dest_path);
  return read_copy (path, NULL, key, FALSE, dest_path, progress, user_data, NULL, NULL, NULL, error);
}

/* --- Retention ------------------------------------------------------------ */

typedef struct
{
  char   *path;
  gint64  created;
} CopyEntry;

static void
copy_entry_free (CopyEntry *entry)
{
  g_free (entry->path);
  g_free (entry);
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const CopyEntry *x = *(CopyEntry **) a;
  const CopyEntry *y = *(CopyEntry **) b;

  if (x->created != y->created)
    return x->created > y->created ? -1 : 1;
  return g_strcmp0 (y->path, x->path);
}

gboolean
stp_backup_prune (const char  *folder,
                  const char  *center_id,
                  const char  *keep_path,
                  guint       *out_removed,
                  GError     **error)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GPtrArray) copies = g_ptr_array_new_with_free_func ((GDestroyNotify) copy_entry_free);
  g_autoptr(GHashTable) days = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) weeks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) months = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *name;
  guint removed = 0;

  g_return_val_if_fail (folder != NULL && center_id != NULL, FALSE);

  if (out_removed != NULL)
    *out_removed = 0;
  if (!(dir = g_dir_open (folder, 0, error)))
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autoptr(GByteArray) prefix = NULL;
      g_autofree char *file_center = NULL;
      guint8 salt[SALT_LEN], header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
      guint64 ops, mem;
      gint64 created = 0;
      FILE *file;
      gboolean ours;

      if (!g_str_has_prefix (name, "stupeni-") || !g_str_has_suffix (name, STP_BACKUP_SUFFIX))
        continue;
      path = g_build_filename (folder, name, NULL);
      if (!(file = g_fopen (path, "rb")))
        continue;
      ours = read_prefix (file, &prefix, &file_center, &created, salt, &ops, &mem, header, NULL) &&
             g_strcmp0 (file_center, center_id) == 0;
      fclose (file);
      if (ours)
        {
          CopyEntry *entry = g_new0 (CopyEntry, 1);

          entry->path = g_steal_pointer (&path);
          entry->created = created;
          g_ptr_array_add (copies, entry);
        }
    }
  g_ptr_array_sort (copies, compare_newest_first);

  for (guint i = 0; i < copies->len; i++)
    {
      CopyEntry *entry = g_ptr_array_index (copies, i);
      g_autoptr(GDateTime) local = local_time_from_usec (entry->created);
      g_autofree char *day = g_date_time_format (local, "%Y-%m-%d");
      g_autofree char *week = g_date_time_format (local, "%G-%V");
      g_autofree char *month = g_date_time_format (local, "%Y-%m");
      gboolean keep = g_strcmp0 (entry->path, keep_path) == 0;

      /* The newest copy of each of the 7 newest days, 4 newest weeks and
       * 12 newest months that have copies. */
      if (!g_hash_table_contains (days, day) && g_hash_table_size (days) < 7)
        {
          g_hash_table_add (days, g_steal_pointer (&day));
          keep = TRUE;
        }
      if (!g_hash_table_contains (weeks, week) && g_hash_table_size (weeks) < 4)
        {
          g_hash_table_add (weeks, g_steal_pointer (&week));
          keep = TRUE;
        }
      if (!g_hash_table_contains (months, month) && g_hash_table_size (months) < 12)
        {
          g_hash_table_add (months, g_steal_pointer (&month));
          keep = TRUE;
        }
      if (!keep && g_remove (entry->path) == 0)
        removed++;
    }
  if (out_removed != NULL)
    *out_removed = removed;
  return TRUE;
}

/* --- Restoring ------------------------------------------------------------ */

static void
remove_migration_copies (const char *path)
{
  g_autofree char *dirname = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *prefix = g_strconcat (base, ".v", NULL);
  g_autoptr(GDir) dir = g_dir_open (dirname, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, prefix) && g_str_has_suffix (name, ".bak"))
      {
        g_autofree char *p = g_build_filename (dirname, name, NULL);
        g_remove (p);
      }
}

/* Brings an older copy to this program's schema (stp_store_open migrates). */
static gboolean
migrate_copy (const char  *path,
              GError     **error)
{
  g_autoptr(StpStore) tmp = stp_store_open (path, error);

  if (tmp == NULL)
    return FALSE;
  g_clear_object (&tmp);
  remove_migration_copies (path);
  return TRUE;
}

static gboolean
set_sequence (sqlite3     *snap,
              const char  *name,
              GError     **error)
{
  char *sql;
  gboolean ok;
  g_autofree char *q1 = g_strdup_printf ("SELECT seq FROM main.sqlite_sequence WHERE name = '%s'", name);
  g_autofree char *q2 = g_strdup_printf ("SELECT seq FROM live.sqlite_sequence WHERE name = '%s'", name);
  gint64 value = MAX (query_int (snap, q1, 0), query_int (snap, q2, 0));

  sql = sqlite3_mprintf ("DELETE FROM main.sqlite_sequence WHERE name = %Q;"
                         "INSERT INTO main.sqlite_sequence (name, seq) VALUES (%Q, %lld);",
                         name, name, (long long) value);
  ok = exec_sql (snap, sql, error);
  sqlite3_free (sql);
  return ok;
}

/* Puts this computer's own bookkeeping into the copy (its connection, with
 * the database attached as "live"), in one transaction. */
static gboolean
merge_own_tables (sqlite3     *snap,
                  GError     **error)
{
  if (!exec_sql (snap, "BEGIN", error))
    return FALSE;
  /* This computer stays itself: its device id; its clock and its file
   * numbers never go back. */
  if (!exec_sql (snap,
                 "INSERT OR REPLACE INTO main.meta (key, value) "
                 "  SELECT key, value FROM live.meta WHERE key = 'device_id';"
                 "INSERT OR REPLACE INTO main.meta (key, value) "
                 "  SELECT l.key, CAST(max(CAST(l.value AS INTEGER), coalesce("
                 "    (SELECT CAST(m.value AS INTEGER) FROM main.meta m WHERE m.key = l.key), 0)) AS TEXT)"
                 "  FROM live.meta l WHERE l.key = 'hlc_last' OR l.key LIKE 'file\\_counter\\_%' ESCAPE '\\';"
                 /* Its backup settings are today's, not the copy's. */
                 "DELETE FROM main.settings WHERE key LIKE 'backup.%';"
                 "INSERT INTO main.settings SELECT * FROM live.settings WHERE key LIKE 'backup.%';"
                 "DELETE FROM main.login_failures;"
                 "INSERT INTO main.login_failures SELECT * FROM live.login_failures;"
                 /* The audit log only grows: what happened since the copy stays. */
                 "INSERT OR IGNORE INTO main.audit_events SELECT * FROM live.audit_events;",
                 error) ||
      !set_sequence (snap, "outbox", error) ||
      !set_sequence (snap, "audit_events", error) ||
      !exec_sql (snap, "COMMIT", error))
    {
      sqlite3_exec (snap, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/* Copies @from over the store's database in one write transaction; the
 * own tables are merged again when something was saved meanwhile. */
static gboolean
copy_into_store (StpStore    *store,
                 sqlite3     *snap,
                 gboolean     merge,
                 GError     **error)
{
  sqlite3 *db = stp_store_get_db (store);

  for (guint attempt = 0; attempt < 5; attempt++)
    {
      sqlite3_backup *backup;
      gint64 before = query_int (snap, "PRAGMA live.data_version", -1);
      gint64 after;
      int rc;

      if (merge && !merge_own_tables (snap, error))
        return FALSE;
      backup = sqlite3_backup_init (db, "main", snap, "main");
      if (backup == NULL)
        {
          g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                       _("The backup copy could not be restored: %s"), sqlite3_errmsg (db));
          return FALSE;
        }
      /* Takes the write lock first, then checks nothing was saved since
       * the own tables were read. */
      rc = sqlite3_backup_step (backup, 0);
      after = query_int (snap, "PRAGMA live.data_version", -2);
      if (rc == SQLITE_OK && (!merge || before == after))
        rc = sqlite3_backup_step (backup, -1);
      else if (rc == SQLITE_OK)
        rc = SQLITE_BUSY;
      sqlite3_backup_finish (backup);
      if (rc == SQLITE_DONE)
        return TRUE;
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
        {
          g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                       _("The backup copy could not be restored: %s"), sqlite3_errstr (rc));
          return FALSE;
        }
    }
  g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED,
                       _("The backup copy could not be restored: the database was busy. Try again."));
  return FALSE;
}

static gboolean
attach_file (sqlite3     *db,
             const char  *path,
             const char  *name,
             GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  g_autofree char *sql = g_strdup_printf ("ATTACH DATABASE ?1 AS %s", name);
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The backup copy could not be restored: %s"), sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

static gboolean
keep_aside (StpStore    *store,
            const char  *aside,
            GError     **error)
{
  sqlite3 *db = stp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  remove_database (aside);
  rc = sqlite3_prepare_v2 (db, "VACUUM INTO ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, aside, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The current database could not be kept aside: %s"), sqlite3_errmsg (db));
      remove_database (aside);
      return FALSE;
    }
  return TRUE;
}

gboolean
stp_backup_install (StpStore    *store,
                    StpSession  *session,
                    const char  *extracted_path,
                    GError     **error)
{
  sqlite3 *db;
  sqlite3 *snap = NULL;
  g_autofree char *aside = NULL;
  g_autofree char *copy_center = NULL;
  g_autofree char *live_center = NULL;
  g_autofree char *check = NULL;
  g_autofree char *code = NULL;
  gboolean empty;
  gboolean ok = FALSE;
  gint64 schema;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (extracted_path != NULL, FALSE);
  g_return_val_if_fail (!stp_store_in_transaction (store), FALSE);

  db = stp_store_get_db (store);
  empty = stp_store_is_empty (store);
  if (!empty && !stp_session_require (session, STP_PERMISSION_ADMIN, error))
    goto out;

  if (!(snap = open_file (extracted_path, SQLITE_OPEN_READWRITE, error)))
    goto out;
  /* The writer checked the database (quick_check) and stp_backup_extract()
   * its hash: a light check is enough here, and spares minutes on a big
   * center. */
  check = query_text (snap, "SELECT CASE WHEN count(*) > 0 THEN 'ok' END FROM sqlite_schema");
  schema = query_int (snap, "PRAGMA user_version", -1);
  if (g_strcmp0 (check, "ok") != 0 || schema <= 0)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                           _("The database inside the backup copy is damaged. Nothing was changed."));
      goto out;
    }
  if (schema > STP_SCHEMA_VERSION)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW,
                           _("The backup copy was made by a newer version of the program. "
                             "Update the program, then restore it."));
      goto out;
    }
  if (schema < STP_SCHEMA_VERSION)
    {
      sqlite3_close (snap);
      snap = NULL;
      if (!migrate_copy (extracted_path, error) ||
          !(snap = open_file (extracted_path, SQLITE_OPEN_READWRITE, error)))
        goto out;
    }
  stp_store_register_functions (snap);
  copy_center = query_text (snap, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  if (copy_center == NULL)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                           _("The backup copy holds no center. Nothing was changed."));
      goto out;
    }
  live_center = query_text (db, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  if (live_center != NULL && g_strcmp0 (live_center, copy_center) != 0)
    {
      g_autofree char *name = query_text (snap, "SELECT name FROM centers WHERE deleted = 0 "
                                                "ORDER BY created_at LIMIT 1");

      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                   _("This backup copy belongs to another center («%s»). Nothing was changed."),
                   name != NULL ? name : "");
      goto out;
    }
  if (query_int (snap, "PRAGMA page_size", -1) != query_int (db, "PRAGMA page_size", -2))
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("The backup copy has another page size than this database. "
                             "Nothing was changed."));
      goto out;
    }
  if (!exec_sql (snap, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;", error) ||
      !attach_file (snap, stp_store_get_path (store), "live", error))
    goto out;

  /* The current file is kept aside until the restored one opened cleanly
   * (and stays there for the director: DB.before-restore). */
  aside = g_strconcat (stp_store_get_path (store), ".before-restore", NULL);
  if (!keep_aside (store, aside, error))
    goto out;
  if (!copy_into_store (store, snap, TRUE, error))
    goto out;

  /* Opened cleanly: the schema and the center read back.  The pages are
   * byte copies of the checked file, so no full check. */
  g_clear_pointer (&check, g_free);
  check = query_text (db, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  if (g_strcmp0 (check, copy_center) != 0)
    {
      g_autoptr(GError) back_error = NULL;
      sqlite3 *before = open_file (aside, SQLITE_OPEN_READONLY, &back_error);

      /* Put the kept file back. */
      if (before != NULL)
        {
          sqlite3_backup *backup = sqlite3_backup_init (db, "main", before, "main");
          if (backup != NULL)
            {
              sqlite3_backup_step (backup, -1);
              sqlite3_backup_finish (backup);
            }
          sqlite3_close (before);
        }
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                           _("The restored database did not open cleanly; the previous one was put back."));
      goto out;
    }

  /* The device code came with the copy (file numbers go on as there). */
  code = stp_store_get_meta (store, "device_code");
  if (code != NULL && g_strcmp0 (code, stp_store_get_device_code (store)) != 0 &&
      !stp_store_set_device_code (store, code, error))
    goto out;
  if (!stp_store_audit_login (store, session != NULL ? stp_session_get_login (session) : NULL,
                              STP_AUDIT_RESTORE, "centers", copy_center, NULL, error))
    goto out;
  ok = TRUE;

out:
  if (snap != NULL)
    sqlite3_close (snap);
  remove_database (extracted_path);
  return ok;
}

gboolean
stp_backup_restore (StpStore              *store,
                    StpSession            *session,
                    const char            *path,
                    const char            *password,
                    StpBackupProgressFunc  progress,
                    gpointer               user_data,
                    GError               **error)
{
  g_autoptr(StpBackupKey) key = NULL;
  g_autoptr(StpBackupInfo) info = NULL;
  g_autofree char *dest = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);

  if (!stp_store_is_empty (store) && !stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return FALSE;
  if (!(info = stp_backup_inspect (path, password, &key, error)))
    return FALSE;
  if (info->schema_version > STP_SCHEMA_VERSION)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW,
                           _("The backup copy was made by a newer version of the program. "
                             "Update the program, then restore it."));
      return FALSE;
    }
  dest = g_strconcat (stp_store_get_path (store), ".restore-in", NULL);
  if (!stp_backup_extract (path, key, dest, progress, user_data, error))
    return FALSE;
  return stp_backup_install (store, session, dest, error);
}

void
stp_backup_refresh_store (StpStore *store)
{
  g_autofree char *code = NULL;

  g_return_if_fail (STP_IS_STORE (store));

  code = stp_store_get_meta (store, "device_code");
  if (code != NULL && g_strcmp0 (code, stp_store_get_device_code (store)) != 0 &&
      !stp_store_set_device_code (store, code, NULL))
    g_warning ("The device code of the restored database was not taken");
}
