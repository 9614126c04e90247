/* stp-backup-write.c: writing a backup copy (stp_backup_write): a consistent
 * copy of the database, compressed with zstd, sealed with secretstream,
 * then read back
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

/* --- Writing -------------------------------------------------------------- */

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
  stp_backup_put_u32 (out, STP_BACKUP_FORMAT);
  stp_backup_put_u32 (out, (guint32) len);
  g_byte_array_append (out, (const guint8 *) text, len);
  g_byte_array_append (out, key->salt, SALT_LEN);
  stp_backup_put_u64 (out, key->opslimit);
  stp_backup_put_u64 (out, key->memlimit);
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
  return stp_backup_write_all (s->file, &le, 4, s->path, error) &&
         stp_backup_write_all (s->file, s->cipher, clen, s->path, error);
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
              GCancellable           *cancellable,
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

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
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
  sqlite3 *db = stp_backup_open_file (plain_path, SQLITE_OPEN_READWRITE, error);

  if (db == NULL)
    return FALSE;
  /* VACUUM INTO keeps the source's journal mode in the header: make the
   * copy a plain file that opens without a log. */
  sqlite3_exec (db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  /* A copy of a damaged database would restore the damage: refuse it
   * here, on the worker thread; a restore then trusts the hash. */
  {
    g_autofree char *check = stp_backup_query_text (db, "PRAGMA quick_check");

    if (g_strcmp0 (check, "ok") != 0)
      {
        sqlite3_close (db);
        g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                             _("The database failed its integrity check, so no copy was made. "
                               "Restore it from an earlier copy."));
        return FALSE;
      }
  }
  info->center_id = stp_backup_query_text (db, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  info->center_name = stp_backup_query_text (db, "SELECT name FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  info->residents = stp_backup_query_int (db, "SELECT count(*) FROM residents WHERE deleted = 0", 0);
  info->schema_version = (int) stp_backup_query_int (db, "PRAGMA user_version", 0);
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
  g_autoptr(GDateTime) local = stp_backup_local_time_from_usec (created_usec);
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

/* Stops VACUUM INTO when the copy is cancelled. */
static int
vacuum_progress (void *data)
{
  return g_cancellable_is_cancelled (data) ? 1 : 0;
}

StpBackupInfo *
stp_backup_write (const char            *db_path,
                  const StpBackupKey    *key,
                  const char            *folder,
                  gint64                 now_usec,
                  StpBackupProgressFunc  progress,
                  gpointer               user_data,
                  GError               **error)
{
  return stp_backup_write_cancellable (db_path, key, folder, now_usec, progress, user_data,
                                       NULL, error);
}

StpBackupInfo *
stp_backup_write_cancellable (const char            *db_path,
                              const StpBackupKey    *key,
                              const char            *folder,
                              gint64                 now_usec,
                              StpBackupProgressFunc  progress,
                              gpointer               user_data,
                              GCancellable          *cancellable,
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
  stp_backup_remove_database (plain);
  if (!(src = stp_backup_open_file (db_path, SQLITE_OPEN_READONLY, error)))
    return NULL;
  sqlite3_exec (src, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
  if (cancellable != NULL)
    sqlite3_progress_handler (src, 10000, vacuum_progress, cancellable);
  rc = sqlite3_prepare_v2 (src, "VACUUM INTO ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, plain, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
    }
  /* A damaged table stops the copy itself: say so as the check below
   * would, not in SQLite's words. */
  if (rc == SQLITE_INTERRUPT && g_cancellable_set_error_if_cancelled (cancellable, error))
    ;
  else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB)
    g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                         _("The database failed its integrity check, so no copy was made. "
                           "Restore it from an earlier copy."));
  else if (rc != SQLITE_DONE)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                 _("The database could not be copied: %s"), sqlite3_errmsg (src));
  if (rc != SQLITE_DONE)
    {
      sqlite3_finalize (stmt);
      sqlite3_close (src);
      stp_backup_remove_database (plain);
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
  if (!stp_backup_write_all (s.file, prefix->data, prefix->len, tmp, error) ||
      !seal_message (&s, (const guint8 *) info_text, strlen (info_text), prefix->data, prefix->len,
                     crypto_secretstream_xchacha20poly1305_TAG_MESSAGE, error) ||
      !write_stream (&s, plain, info->database_size, hash, progress, user_data, cancellable,
                    error))
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
  stp_backup_sync_directory (folder);

  /* Read the new file back, as a restore would, before trusting it. */
  {
    g_autoptr(GError) local_error = NULL;

    if (!stp_backup_read_copy (info->path, NULL, key, FALSE, NULL, NULL, NULL, NULL, NULL, check,
                               cancellable, &local_error) &&
        g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      {
        /* Skipped while checking: an unchecked copy is not kept. */
        g_propagate_error (error, g_steal_pointer (&local_error));
        g_remove (info->path);
        goto out;
      }
    if (local_error != NULL || memcmp (check, hash, HASH_LEN) != 0)
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
  stp_backup_remove_database (plain);
  return ok ? g_steal_pointer (&info) : NULL;
}
