/* stp-backup-read.c: reading a backup copy (inspect, extract) and keeping
 * the right generations of copies in a folder (prune)
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

/* --- Reading -------------------------------------------------------------- */

static gboolean
read_exact (FILE   *file,
            void   *buf,
            gsize   len)
{
  return len == 0 || fread (buf, 1, len, file) == len;
}

void
stp_backup_set_damaged (GError **error)
{
  g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                       _("The backup copy is damaged or incomplete (cut short). "
                         "Nothing was changed; choose another copy."));
}

/* Reads the clear part of @file: format, center id, creation time, the key
 * derivation; leaves @file after it and the bytes in *out_prefix. */
gboolean
stp_backup_read_prefix (FILE        *file,
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
      stp_backup_set_damaged (error);
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
      stp_backup_set_damaged (error);
      return FALSE;
    }
  g_byte_array_append (prefix, (guint8 *) &header_len, 4);
  header_len = GUINT32_FROM_LE (header_len);
  if (header_len > MAX_HEADER_BYTES)
    {
      stp_backup_set_damaged (error);
      return FALSE;
    }
  header = g_malloc0 (header_len + 1);
  if (!read_exact (file, header, header_len) ||
      !g_key_file_load_from_data (kf, header, header_len, G_KEY_FILE_NONE, NULL) ||
      !read_exact (file, salt, SALT_LEN) || !read_exact (file, &ops, 8) ||
      !read_exact (file, &mem, 8) ||
      !read_exact (file, stream_header, crypto_secretstream_xchacha20poly1305_HEADERBYTES))
    {
      stp_backup_set_damaged (error);
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
      stp_backup_set_damaged (error);
      return FALSE;
    }
  *out_center_id = g_key_file_get_string (kf, "backup", "center_id", NULL);
  *out_created = g_key_file_get_int64 (kf, "backup", "created", NULL);
  if (*out_center_id == NULL)
    {
      stp_backup_set_damaged (error);
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

gboolean
stp_backup_read_copy (const char            *path,
                      const char            *password,
                      const StpBackupKey    *given_key,
                      gboolean               info_only,
                      const char            *dest_path,
                      StpBackupProgressFunc  progress,
                      gpointer               user_data,
                      StpBackupInfo        **out_info,
                      StpBackupKey         **out_key,
                      guint8                *out_hash,
                      GCancellable          *cancellable,
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
  if (!stp_backup_read_prefix (file, &prefix, &clear_center, &clear_created, salt, &ops, &mem,
                    stream_header, error))
    goto out;

  if (given_key != NULL && memcmp (given_key->salt, salt, SALT_LEN) == 0 &&
      given_key->opslimit == ops && given_key->memlimit == mem)
    key = stp_backup_key_copy (given_key);
  else if (password != NULL)
    {
      if (!(key = stp_backup_derive_key (password, salt, ops, mem, error)))
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
      stp_backup_set_damaged (error);
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
      stp_backup_set_damaged (error);
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
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (!open_message (file, &state, cipher, plain, &plain_len, NULL, 0, &tag))
        {
          stp_backup_set_damaged (error);
          goto out;
        }
      read_bytes += plain_len;
      if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL)
        break;
      if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE)
        {
          stp_backup_set_damaged (error);
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
                stp_backup_set_damaged (error);
                goto out;
              }
            crypto_generichash_update (&hstate, outbuf, output.pos);
            written += output.pos;
            if (dest != NULL && !stp_backup_write_all (dest, outbuf, output.pos, dest_path, error))
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
        stp_backup_set_damaged (error);
        goto out;
      }
    {
      g_autofree char *stored = g_key_file_get_string (end, "end", "blake2b", NULL);

      if (g_key_file_get_int64 (end, "end", "size", NULL) != written ||
          written != info->database_size || g_strcmp0 (stored, hex) != 0)
        {
          stp_backup_set_damaged (error);
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
    stp_backup_remove_database (dest_path);
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

  if (!stp_backup_read_copy (path, password, NULL, TRUE, NULL, NULL, NULL, &info, out_key, NULL, NULL,
                             error))
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

  stp_backup_remove_database (dest_path);
  return stp_backup_read_copy (path, NULL, key, FALSE, dest_path, progress, user_data, NULL, NULL, NULL,
                               NULL, error);
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
      ours = stp_backup_read_prefix (file, &prefix, &file_center, &created, salt, &ops, &mem, header, NULL) &&
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
      g_autoptr(GDateTime) local = stp_backup_local_time_from_usec (entry->created);
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
