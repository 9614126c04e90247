/* stp-sync-store-image.c: (sync store) a snapshot held in memory instead
 * of a scratch file (docs/ARCHITECTURE.md, "First sync from a snapshot").
 *
 * A snapshot of a big center is hundreds of MB.  Through a scratch file
 * the system copies it again and again: VACUUM INTO writes it, packing
 * reads it back; on the new computer unpacking writes it and the install
 * reads it.  Here the copy is made with VACUUM INTO a file of a tiny VFS
 * that keeps its files in memory (SQLite's own "memdb" does not hand out
 * the buffer of a database shared between connections, which VACUUM INTO
 * needs), stripped there and packed from that buffer; the new computer
 * unpacks into one buffer that SQLite opens where it lies
 * (sqlite3_deserialize) and installs from it.  Up to a size the caller
 * gives: bigger snapshots still go through files. */
#define G_LOG_DOMAIN "stp-core"

#include "config.h"

#include "stp-sync-store.h"
#include "stp-sync-store-private.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

struct _StpSnapshotImage
{
  gboolean  made;       /* made here: @buffer is g_malloc'd */
  guint8   *buffer;     /* to install: sqlite3_malloc64'd, until SQLite takes it */
  gsize     len;
  gsize     capacity;
};

/* --- A VFS of files in memory, for the copy ------------------------------------- */

#define MEMORY_VFS "stp-snapshot-memory"

typedef struct
{
  char    *name;
  guint8  *data;
  gsize    size;
  gsize    capacity;
  gsize    max;        /* writing past it: SQLITE_FULL */
  guint    opened;
  gboolean deleted;    /* freed at the last close */
} MemEntry;

typedef struct
{
  sqlite3_file  base;
  MemEntry     *entry;
} MemHandle;

static GMutex      mem_lock;
static GHashTable *mem_files;   /* name → MemEntry */

static void
mem_entry_free (MemEntry *entry)
{
  g_free (entry->name);
  g_free (entry->data);
  g_free (entry);
}

/* Drops @entry from the table (under the lock); freed now or at its last
 * close. */
static void
mem_entry_delete_locked (MemEntry *entry)
{
  if (g_hash_table_lookup (mem_files, entry->name) == entry)
    g_hash_table_steal (mem_files, entry->name);
  if (entry->opened == 0)
    mem_entry_free (entry);
  else
    entry->deleted = TRUE;
}

static int
mem_close (sqlite3_file *file)
{
  MemEntry *entry = ((MemHandle *) file)->entry;

  g_mutex_lock (&mem_lock);
  entry->opened--;
  if (entry->opened == 0 && entry->deleted)
    mem_entry_free (entry);
  g_mutex_unlock (&mem_lock);
  return SQLITE_OK;
}

static int
mem_read (sqlite3_file *file,
          void         *buf,
          int           amount,
          sqlite3_int64 offset)
{
  MemEntry *entry = ((MemHandle *) file)->entry;
  gsize n = 0;

  if ((gsize) offset < entry->size)
    n = MIN ((gsize) amount, entry->size - (gsize) offset);
  memcpy (buf, entry->data + offset, n);
  if (n < (gsize) amount)
    {
      memset ((guint8 *) buf + n, 0, (gsize) amount - n);
      return SQLITE_IOERR_SHORT_READ;
    }
  return SQLITE_OK;
}

static int
mem_write (sqlite3_file *file,
           const void   *buf,
           int           amount,
           sqlite3_int64 offset)
{
  MemEntry *entry = ((MemHandle *) file)->entry;
  gsize end = (gsize) offset + (gsize) amount;

  if (end > entry->max)
    return SQLITE_FULL;
  if (end > entry->capacity)
    {
      /* Doubling: a realloc of a big block moves no bytes (mremap). */
      gsize capacity = MAX (end, MIN (entry->max, MAX (entry->capacity * 2, (gsize) 1 << 20)));
      guint8 *data = g_try_realloc (entry->data, capacity);

      if (data == NULL)
        return SQLITE_NOMEM;
      entry->data = data;
      entry->capacity = capacity;
    }
  if ((gsize) offset > entry->size)
    memset (entry->data + entry->size, 0, (gsize) offset - entry->size);
  memcpy (entry->data + offset, buf, (gsize) amount);
  entry->size = MAX (entry->size, end);
  return SQLITE_OK;
}

static int
mem_truncate (sqlite3_file *file,
              sqlite3_int64 size)
{
  MemEntry *entry = ((MemHandle *) file)->entry;

  if ((gsize) size < entry->size)
    entry->size = (gsize) size;
  return SQLITE_OK;
}

static int
mem_sync (sqlite3_file *file,
          int           flags)
{
  return SQLITE_OK;
}

static int
mem_file_size (sqlite3_file  *file,
               sqlite3_int64 *size)
{
  *size = (sqlite3_int64) ((MemHandle *) file)->entry->size;
  return SQLITE_OK;
}

/* One connection at a time uses a file (VACUUM INTO, then the
 * stripping): no locks needed. */
static int
mem_lock_file (sqlite3_file *file,
               int           level)
{
  return SQLITE_OK;
}

static int
mem_check_reserved (sqlite3_file *file,
                    int          *out)
{
  *out = 0;
  return SQLITE_OK;
}

static int
mem_file_control (sqlite3_file *file,
                  int           op,
                  void         *arg)
{
  return SQLITE_NOTFOUND;
}

static int
mem_sector_size (sqlite3_file *file)
{
  return 4096;
}

static int
mem_device_characteristics (sqlite3_file *file)
{
  return SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_SAFE_APPEND | SQLITE_IOCAP_SEQUENTIAL |
         SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

static const sqlite3_io_methods mem_io_methods = {
  1,
  mem_close, mem_read, mem_write, mem_truncate, mem_sync, mem_file_size,
  mem_lock_file, mem_lock_file, mem_check_reserved, mem_file_control,
  mem_sector_size, mem_device_characteristics,
};

static int
mem_open (sqlite3_vfs  *vfs,
          const char   *name,
          sqlite3_file *file,
          int           flags,
          int          *out_flags)
{
  MemHandle *handle = (MemHandle *) file;
  MemEntry *entry;

  g_mutex_lock (&mem_lock);
  entry = name != NULL ? g_hash_table_lookup (mem_files, name) : NULL;
  if (entry == NULL)
    {
      entry = g_new0 (MemEntry, 1);
      entry->name = name != NULL ? g_strdup (name) : g_strdup_printf ("temp-%p", (void *) entry);
      entry->max = G_MAXSIZE / 2;
      g_hash_table_insert (mem_files, entry->name, entry);
    }
  entry->opened++;
  if (flags & SQLITE_OPEN_DELETEONCLOSE)
    mem_entry_delete_locked (entry);
  g_mutex_unlock (&mem_lock);
  handle->entry = entry;
  handle->base.pMethods = &mem_io_methods;
  if (out_flags != NULL)
    *out_flags = flags;
  return SQLITE_OK;
}

static int
mem_delete (sqlite3_vfs *vfs,
            const char  *name,
            int          sync_dir)
{
  MemEntry *entry;

  g_mutex_lock (&mem_lock);
  if ((entry = g_hash_table_lookup (mem_files, name)) != NULL)
    mem_entry_delete_locked (entry);
  g_mutex_unlock (&mem_lock);
  return SQLITE_OK;
}

static int
mem_access (sqlite3_vfs *vfs,
            const char  *name,
            int          flags,
            int         *out)
{
  MemEntry *entry;

  g_mutex_lock (&mem_lock);
  entry = g_hash_table_lookup (mem_files, name);
  *out = entry != NULL && entry->size > 0;
  g_mutex_unlock (&mem_lock);
  return SQLITE_OK;
}

static int
mem_full_pathname (sqlite3_vfs *vfs,
                   const char  *name,
                   int          n,
                   char        *out)
{
  g_strlcpy (out, name, (gsize) n);
  return SQLITE_OK;
}

static int
mem_randomness (sqlite3_vfs *vfs,
                int          n,
                char        *out)
{
  sqlite3_vfs *base = vfs->pAppData;

  return base->xRandomness (base, n, out);
}

static int
mem_sleep (sqlite3_vfs *vfs,
           int          usec)
{
  sqlite3_vfs *base = vfs->pAppData;

  return base->xSleep (base, usec);
}

static int
mem_current_time (sqlite3_vfs *vfs,
                  double      *out)
{
  sqlite3_vfs *base = vfs->pAppData;

  return base->xCurrentTime (base, out);
}

static int
mem_get_last_error (sqlite3_vfs *vfs,
                    int          n,
                    char        *out)
{
  return 0;
}

static sqlite3_vfs mem_vfs = {
  1, sizeof (MemHandle), 512, NULL, MEMORY_VFS, NULL,
  mem_open, mem_delete, mem_access, mem_full_pathname,
  NULL, NULL, NULL, NULL,
  mem_randomness, mem_sleep, mem_current_time, mem_get_last_error,
};

static gboolean
mem_vfs_register (void)
{
  static gsize done = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&done))
    {
      mem_vfs.pAppData = sqlite3_vfs_find (NULL);
      mem_files = g_hash_table_new (g_str_hash, g_str_equal);
      ok = mem_vfs.pAppData != NULL && sqlite3_vfs_register (&mem_vfs, 0) == SQLITE_OK;
      g_once_init_leave (&done, 1);
    }
  return ok;
}

/* A new empty file @name of at most @max bytes. */
static void
mem_file_create (const char *name,
                 gsize       max)
{
  MemEntry *entry = g_new0 (MemEntry, 1);

  entry->name = g_strdup (name);
  entry->max = max;
  g_mutex_lock (&mem_lock);
  g_hash_table_insert (mem_files, entry->name, entry);
  g_mutex_unlock (&mem_lock);
}

/* Takes the file @name out of the VFS (no connection may have it open):
 * its bytes, g_free()d by the caller. */
static guint8 *
mem_file_take (const char *name,
               gsize      *size)
{
  MemEntry *entry;
  guint8 *data = NULL;

  *size = 0;
  g_mutex_lock (&mem_lock);
  entry = g_hash_table_lookup (mem_files, name);
  if (entry != NULL && entry->opened == 0)
    {
      g_hash_table_steal (mem_files, entry->name);
      data = g_steal_pointer (&entry->data);
      *size = entry->size;
      mem_entry_free (entry);
    }
  g_mutex_unlock (&mem_lock);
  return data;
}

static void
mem_file_remove (const char *name)
{
  MemEntry *entry;

  g_mutex_lock (&mem_lock);
  if ((entry = g_hash_table_lookup (mem_files, name)) != NULL)
    mem_entry_delete_locked (entry);
  g_mutex_unlock (&mem_lock);
}

/* --- Snapshots in memory --------------------------------------------------------- */

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

gboolean
stp_sync_store_write_snapshot_image (StpStore          *store,
                                     const char        *cursor_key,
                                     gint64             max_bytes,
                                     StpSnapshotImage **image_out,
                                     gboolean          *too_big,
                                     gint64            *seq_out,
                                     guint64           *hlc_out,
                                     GError           **error)
{
  g_autoptr(StpStore) holder = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *name = g_strconcat ("stp-snapshot-", uuid, ".db", NULL);
  g_autofree char *uri = g_strdup_printf ("file:%s?vfs=" MEMORY_VFS, name);
  sqlite3 *src = NULL;
  guint8 *data;
  gsize size = 0;
  gint64 estimate;
  int rc = SQLITE_OK;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (cursor_key != NULL && image_out != NULL, FALSE);

  *image_out = NULL;
  *too_big = FALSE;
  *seq_out = -1;
  *hlc_out = 0;
  if (max_bytes <= 0 || !mem_vfs_register ())
    {
      *too_big = TRUE;
      return TRUE;
    }
  /* A connection of its own that understands "file:" names (the store's
   * need not), with the program's functions for the indexes on them. */
  if (sqlite3_open_v2 (stp_store_get_path (store), &src,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be prepared: %s"), sqlite3_errmsg (src));
      sqlite3_close (src);
      return FALSE;
    }
  sqlite3_busy_timeout (src, 10000);
  stp_store_register_functions (src);
  /* The used pages are about what VACUUM writes. */
  estimate = (query_int (src, "PRAGMA page_count") - query_int (src, "PRAGMA freelist_count")) *
             query_int (src, "PRAGMA page_size");
  if (estimate > max_bytes)
    {
      g_debug ("Snapshot of about %" G_GINT64_FORMAT " bytes: through a file", estimate);
      *too_big = TRUE;
      sqlite3_close (src);
      return TRUE;
    }
  /* The copy may not grow past @max_bytes (SQLITE_FULL). */
  mem_file_create (name, (gsize) max_bytes);
  if (!_stp_sync_store_vacuum_into (src, uri, &rc, &local_error))
    {
      sqlite3_close (src);
      mem_file_remove (name);
      if ((rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_NOMEM)
        {
          g_debug ("Snapshot too big for memory (%s): through a file", local_error->message);
          *too_big = TRUE;
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  sqlite3_close (src);
  if (!(holder = stp_store_open_memory_scratch (name, MEMORY_VFS, error)) ||
      !_stp_sync_store_strip_snapshot (holder, cursor_key, seq_out, hlc_out, error))
    {
      *seq_out = -1;
      g_clear_object (&holder);
      mem_file_remove (name);
      return FALSE;
    }
  g_clear_object (&holder);
  data = mem_file_take (name, &size);
  if (*seq_out < 0)
    {
      g_free (data);
      return TRUE;
    }
  if (data == NULL || size == 0)
    {
      g_free (data);
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("The snapshot could not be prepared: out of memory"));
      *seq_out = -1;
      return FALSE;
    }
  *image_out = g_new0 (StpSnapshotImage, 1);
  (*image_out)->made = TRUE;
  (*image_out)->buffer = data;
  (*image_out)->len = size;
  (*image_out)->capacity = size;
  return TRUE;
}

StpSnapshotImage *
stp_snapshot_image_new (gsize capacity)
{
  StpSnapshotImage *image;
  guint8 *buffer = sqlite3_malloc64 (MAX (capacity, 1));

  if (buffer == NULL)
    return NULL;
  image = g_new0 (StpSnapshotImage, 1);
  image->buffer = buffer;
  image->capacity = capacity;
  return image;
}

guint8 *
stp_snapshot_image_get_data (StpSnapshotImage *image,
                             gsize            *len)
{
  if (len != NULL)
    *len = image->len;
  return image->buffer;
}

gsize
stp_snapshot_image_get_capacity (StpSnapshotImage *image)
{
  return image->capacity;
}

void
stp_snapshot_image_set_length (StpSnapshotImage *image,
                               gsize             len)
{
  g_return_if_fail (!image->made && len <= image->capacity);
  image->len = len;
}

void
stp_snapshot_image_free (StpSnapshotImage *image)
{
  if (image == NULL)
    return;
  if (image->made)
    g_free (image->buffer);
  else
    sqlite3_free (image->buffer);
  g_free (image);
}

gboolean
stp_sync_store_install_snapshot_image (StpStore          *store,
                                       StpSnapshotImage  *image,
                                       const char        *cursor_key,
                                       gint64            *seq_out,
                                       guint64           *hlc_out,
                                       GError           **error)
{
  g_autoptr(StpStore) snap = NULL;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (image != NULL && !image->made && image->buffer != NULL, FALSE);
  g_return_val_if_fail (!stp_store_in_transaction (store), FALSE);

  *seq_out = -1;
  *hlc_out = 0;
  if (!(snap = stp_store_open_memory_scratch (NULL, NULL, error)))
    return FALSE;
  /* SQLite takes the buffer (freed with the connection, grown with
   * realloc when this computer's own tables are copied in). */
  rc = sqlite3_deserialize (stp_store_get_db (snap), "main", image->buffer, (sqlite3_int64) image->len,
                            (sqlite3_int64) image->capacity,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  image->buffer = NULL;
  image->len = image->capacity = 0;
  if (rc != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be installed: %s"), sqlite3_errstr (rc));
      return FALSE;
    }
  return _stp_sync_store_install_from (store, snap, cursor_key, seq_out, hlc_out, error);
}
