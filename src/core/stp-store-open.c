/* stp-store-open.c: opening a store file: the checks of an existing file
 * (fully, or for a big one lightly at once and fully in the background),
 * the copy before an upgrade, the numbered migrations from
 * schema/NNN-*.sql, the connection's settings and the device identity. */
#define G_LOG_DOMAIN "stp-store"

#include "config.h"

#include "stp-store-private.h"
#include "stp-core-resources.h"
#include "stp-error.h"
#include "stp-uuid.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#ifdef __linux__
# include <sys/syscall.h>
# include <unistd.h>
#endif
#ifdef G_OS_WIN32
# include <windows.h>
#endif

char *
stp_store_default_path (void)
{
  const char *env = g_getenv ("STUPENI_DATABASE");
  g_autofree char *dir = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  dir = g_build_filename (g_get_user_data_dir (), "stupeni", NULL);
  g_mkdir_with_parents (dir, 0700);
  return g_build_filename (dir, "center.db", NULL);
}

static char *
newest_backup (const char *path)
{
  for (int v = STP_SCHEMA_VERSION; v >= 0; v--)
    {
      g_autofree char *bak = g_strdup_printf ("%s.v%d.bak", path, v);
      if (g_file_test (bak, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&bak);
    }
  return NULL;
}

static void
set_corrupt_error (const char  *path,
                   const char  *detail,
                   GError     **error)
{
  g_autofree char *bak = newest_backup (path);

  if (bak != NULL)
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                 _("The database file %s is damaged (%s). Restore it from the automatic copy %s "
                   "or from a backup."), path, detail, bak);
  else
    g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                 _("The database file %s is damaged or is not a Stupeni database (%s). "
                   "Restore it from a backup."), path, detail);
}

/* Opens @path read-only and runs @probe: with @expect, its one row must
 * be that text; then reads the schema version, which must not be newer
 * than this program's. */
static gboolean
probe_file (const char  *path,
            const char  *probe,
            const char  *expect,
            int         *out_version,
            GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gboolean ok = FALSE;
  int version;
  int rc;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      set_corrupt_error (path, db != NULL ? sqlite3_errmsg (db) : "open", error);
      goto out;
    }
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, probe, -1, &stmt, NULL) != SQLITE_OK)
    {
      set_corrupt_error (path, sqlite3_errmsg (db), error);
      goto out;
    }
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW
      || (expect != NULL && g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), expect) != 0))
    {
      set_corrupt_error (path,
                         rc == SQLITE_ROW ? (const char *) sqlite3_column_text (stmt, 0)
                                          : sqlite3_errmsg (db), error);
      goto out;
    }
  sqlite3_finalize (stmt);
  stmt = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK
      || sqlite3_step (stmt) != SQLITE_ROW)
    {
      set_corrupt_error (path, sqlite3_errmsg (db), error);
      goto out;
    }
  version = sqlite3_column_int (stmt, 0);
  if (out_version != NULL)
    *out_version = version;
  if (version > STP_SCHEMA_VERSION)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW,
                   _("The database file %s was written by a newer version of Stupeni "
                     "(schema %d; this version knows %d). Install the newer version of the program."),
                   path, version, STP_SCHEMA_VERSION);
      goto out;
    }
  ok = TRUE;

out:
  if (stmt != NULL)
    sqlite3_finalize (stmt);
  if (db != NULL)
    sqlite3_close_v2 (db);
  return ok;
}

static gboolean light_check (const char  *path,
                             int         *out_version,
                             GError     **error);

gboolean
stp_store_check_file (const char  *path,
                      int         *out_schema_version,
                      GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                   _("The database file %s does not exist."), path);
      return FALSE;
    }
  return probe_file (path, "PRAGMA quick_check", "ok", out_schema_version, error);
}

gboolean
stp_store_needs_upgrade (const char *path)
{
  int version = STP_SCHEMA_VERSION;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, FALSE);

  if (g_stat (path, &st) != 0 || st.st_size == 0)
    return FALSE;
  /* A file that cannot be read is stp_store_open()'s to refuse. */
  if (!light_check (path, &version, NULL))
    return FALSE;
  return version < STP_SCHEMA_VERSION;
}

/* --- The clean-close marker --------------------------------------------- */

#ifdef G_OS_WIN32
/* Size, last write time to 100 ns and file index of @path.  GLib's g_stat
 * on Windows has whole seconds and no inode, which cannot tell a file
 * replaced within the same second by one of the same size. */
static gboolean
file_identity (const char *path,
               gint64     *size,
               gint64     *sec,
               long       *nsec,
               guint64    *ino)
{
  g_autofree gunichar2 *wpath = g_utf8_to_utf16 (path, -1, NULL, NULL, NULL);
  BY_HANDLE_FILE_INFORMATION info;
  HANDLE handle;
  guint64 t;
  gboolean ok;

  if (wpath == NULL)
    return FALSE;
  /* No access asked for: allowed while SQLite has the file open. */
  handle = CreateFileW (wpath, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                        NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (handle == INVALID_HANDLE_VALUE)
    return FALSE;
  ok = GetFileInformationByHandle (handle, &info);
  CloseHandle (handle);
  if (!ok)
    return FALSE;
  t = ((guint64) info.ftLastWriteTime.dwHighDateTime << 32) | info.ftLastWriteTime.dwLowDateTime;
  *size = (gint64) (((guint64) info.nFileSizeHigh << 32) | info.nFileSizeLow);
  *sec = (gint64) (t / 10000000);
  *nsec = (long) (t % 10000000) * 100;
  *ino = ((guint64) info.nFileIndexHigh << 32) | info.nFileIndexLow;
  return TRUE;
}
#else
static gboolean
file_identity (const char *path,
               gint64     *size,
               gint64     *sec,
               long       *nsec,
               guint64    *ino)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return FALSE;
  *size = (gint64) st.st_size;
  *sec = (gint64) st.st_mtime;
  *nsec = st.st_mtim.tv_nsec;
  *ino = (guint64) st.st_ino;
  return TRUE;
}
#endif

/* What the marker says about @db_path as it is now, or NULL when the file
 * cannot be vouched for (missing, or a write-ahead log with content). */
static char *
clean_marker_text (const char *db_path)
{
  g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
  GStatBuf wal_st;
  gint64 size, sec;
  long nsec;
  guint64 ino;

  if (!file_identity (db_path, &size, &sec, &nsec, &ino))
    return NULL;
  if (g_stat (wal, &wal_st) == 0 && wal_st.st_size > 0)
    return NULL;
  return g_strdup_printf ("stupeni clean close 1\nsize %" G_GINT64_FORMAT "\nmtime %" G_GINT64_FORMAT ".%09ld\n"
                          "inode %" G_GUINT64_FORMAT "\n",
                          size, sec, nsec, ino);
}

void
stp_store_write_clean_marker (const char *db_path)
{
  g_autofree char *marker = g_strconcat (db_path, ".clean", NULL);
  g_autofree char *text = clean_marker_text (db_path);
  g_autoptr(GError) error = NULL;

  if (text != NULL && !g_file_set_contents (marker, text, -1, &error))
    g_debug ("No clean-close marker for %s: %s", db_path, error->message);
}

/* Removes the marker of @path and tells whether it was there and still
 * describes the file: closed cleanly by this program after a good check,
 * and not changed since.  The marker is gone before anything is written,
 * so a crash from now on leaves none. */
static gboolean
take_clean_marker (const char *path)
{
  g_autofree char *marker = g_strconcat (path, ".clean", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *expected = NULL;

  if (!g_file_get_contents (marker, &contents, NULL, NULL))
    return FALSE;
  if (g_unlink (marker) != 0)
    return FALSE;
  if (g_getenv ("STUPENI_FULL_CHECK") != NULL)
    return FALSE;
  expected = clean_marker_text (path);
  return expected != NULL && strcmp (contents, expected) == 0;
}

/* --- Full checks in the background --------------------------------------- */

static gpointer
check_thread_func (gpointer data)
{
  StpStore *self = data;
  GError *local_error = NULL;

#ifdef __linux__
  g_atomic_int_set (&self->check_tid, (gint) syscall (SYS_gettid));
#endif
  if (!stp_store_check_file (self->path, NULL, &local_error))
    {
      self->check_error = local_error;
      self->check_failed = TRUE;
      stp_store_lock_mark_damaged (self->lock);
      g_atomic_int_set (&self->check_state, STP_STORE_CHECK_FAILED);
    }
  else
    g_atomic_int_set (&self->check_state, STP_STORE_CHECK_OK);
  g_atomic_int_set (&self->check_tid, 0);
  return NULL;
}

double
stp_store_get_check_fraction (StpStore *self)
{
#ifdef __linux__
  gint tid;
  g_autofree char *io_path = NULL;
  g_autofree char *io = NULL;
  const char *rchar;
  GStatBuf st;

  g_return_val_if_fail (STP_IS_STORE (self), -1);

  /* The check thread reads the file once, front to back: the bytes it has
   * read (rchar of its task) over the file's size. */
  tid = g_atomic_int_get (&self->check_tid);
  if (tid == 0 || g_stat (self->path, &st) != 0 || st.st_size <= 0)
    return -1;
  io_path = g_strdup_printf ("/proc/self/task/%d/io", tid);
  if (!g_file_get_contents (io_path, &io, NULL, NULL)
      || (rchar = strstr (io, "rchar:")) == NULL)
    return -1;
  return CLAMP ((double) g_ascii_strtoull (rchar + 6, NULL, 10) / (double) st.st_size, 0.0, 1.0);
#else
  g_return_val_if_fail (STP_IS_STORE (self), -1);
  return -1;
#endif
}

gboolean
stp_store_wait_for_check (StpStore  *self,
                          GError   **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);

  /* Only the check made at open holds the writes back; one asked for
   * later reports through the lock once it finds damage. */
  if (self->check_thread != NULL && self->check_blocks_commits)
    g_thread_join (g_steal_pointer (&self->check_thread));
  if (self->check_blocks_commits && self->check_failed)
    {
      if (error != NULL)
        *error = g_error_copy (self->check_error);
      return FALSE;
    }
  if (self->lock != NULL && stp_store_lock_is_damaged (self->lock))
    {
      if (error != NULL)
        g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                     _("The database file %s is damaged. Restore it from a backup."), self->path);
      return FALSE;
    }
  return TRUE;
}

StpStoreCheckState
stp_store_get_check_state (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), STP_STORE_CHECK_NONE);

  return (StpStoreCheckState) g_atomic_int_get (&self->check_state);
}

gboolean
stp_store_start_check (StpStore *self)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);

  if (g_atomic_int_get (&self->check_state) == STP_STORE_CHECK_RUNNING)
    return FALSE;
  if (self->check_thread != NULL)
    g_thread_join (g_steal_pointer (&self->check_thread));
  g_clear_error (&self->check_error);
  self->check_failed = FALSE;
  /* Asked for while the file is in use: writes go on meanwhile (the file
   * passed its check at open, or its clean-close marker vouched for it);
   * damage found refuses every write from then on. */
  self->check_blocks_commits = FALSE;
  g_atomic_int_set (&self->check_state, STP_STORE_CHECK_RUNNING);
  self->check_thread = g_thread_new ("stp-full-check", check_thread_func, self);
  return TRUE;
}

gboolean
stp_store_get_check_result (StpStore  *self,
                            GError   **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);

  if (g_atomic_int_get (&self->check_state) == STP_STORE_CHECK_FAILED)
    {
      if (error != NULL && self->check_error != NULL)
        *error = g_error_copy (self->check_error);
      return FALSE;
    }
  return TRUE;
}

static int
commit_hook (void *data)
{
  StpStore *self = data;

  /* Non-zero turns the commit into a rollback: a damaged file is never
   * written, whatever path the write took. */
  return stp_store_wait_for_check (self, NULL) ? 0 : 1;
}

/* Files above this size get the quick header check at open and the full
 * one in the background ($STUPENI_SYNC_CHECK_LIMIT, bytes, for tests). */
static gint64
sync_check_limit (void)
{
  const char *env = g_getenv ("STUPENI_SYNC_CHECK_LIMIT");

  if (env != NULL && *env != '\0')
    return g_ascii_strtoll (env, NULL, 10);
  return 64 * 1024 * 1024;
}

/* Version and schema readable: what can be learnt without reading it all. */
static gboolean
light_check (const char  *path,
             int         *out_version,
             GError     **error)
{
  return probe_file (path, "SELECT count(*) FROM sqlite_master", NULL, out_version, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
apply_migration (StpStore  *self,
                 int        version,
                 GError   **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  GResource *resource = stp_core_get_resource ();
  g_auto(GStrv) names = NULL;
  g_autofree char *prefix = g_strdup_printf ("%03d-", version);
  g_autoptr(GPtrArray) chosen = g_ptr_array_new ();
  g_autofree char *pragma = NULL;

  names = g_resource_enumerate_children (resource, "/org/stupeni/core/schema/",
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_has_prefix (names[i], prefix) && g_str_has_suffix (names[i], ".sql"))
      g_ptr_array_add (chosen, names[i]);
  g_ptr_array_sort (chosen, compare_strings);

  if (!stp_store_transaction_begin (&tx, self, error))
    return FALSE;
  for (guint i = 0; i < chosen->len; i++)
    {
      g_autofree char *rpath = g_strconcat ("/org/stupeni/core/schema/",
                                            (char *) chosen->pdata[i], NULL);
      g_autoptr(GBytes) bytes = g_resource_lookup_data (resource, rpath,
                                                        G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      g_autofree char *sql = NULL;

      if (bytes == NULL)
        return FALSE;
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      if (!stp_store_exec (self, sql, error))
        {
          g_prefix_error (error, "%s: ", rpath);
          return FALSE;
        }
    }
  pragma = g_strdup_printf ("PRAGMA user_version = %d", version);
  if (!stp_store_exec (self, pragma, error))
    return FALSE;
  return stp_store_transaction_commit (&tx, error);
}

/* SQLite's page cache per connection, KiB.  The window has up to five
 * connections (its own, the list worker, «Обзор», the reports, a sync): each
 * filled to 16 MB with the 100k center they held some 80 MB, while the
 * operating system caches the same pages anyway.  The window's connection
 * keeps 16 MB (the card, saves); the workers, which read through big tables
 * once, 4 MB. */
#define CACHE_KIB_PRIMARY   16000
#define CACHE_KIB_SECONDARY 4000

static gboolean
configure_connection (StpStore  *self,
                      int        cache_kib,
                      GError   **error)
{
  g_autofree char *sql = NULL;

  sqlite3_busy_timeout (self->db, 10000);
  stp_store_register_functions (self->db);
  sql = g_strdup_printf ("PRAGMA journal_mode = WAL;"
                         "PRAGMA synchronous = FULL;"
                         /* Deleted rows are zeroed in the file on every
                          * platform, not only where the SQLite build has
                          * it on by default (Debian's does, others not). */
                         "PRAGMA secure_delete = ON;"
                         "PRAGMA foreign_keys = ON;"
                         "PRAGMA cache_size = -%d;"
                         "PRAGMA temp_store = MEMORY;"
                         /* Keep the log file small once checkpointed. */
                         "PRAGMA journal_size_limit = 67108864;",
                         cache_kib);
  return stp_store_exec (self, sql, error);
}

static gboolean
open_connection (StpStore  *self,
                 int        cache_kib,
                 GError   **error)
{
  if (sqlite3_open_v2 (self->path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot open the database file %s: %s"), self->path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "");
      return FALSE;
    }
  sqlite3_commit_hook (self->db, commit_hook, self);
  return configure_connection (self, cache_kib, error);
}

static gboolean
load_identity (StpStore  *self,
               GError   **error)
{
  self->device_id = stp_store_get_meta (self, "device_id");
  if (self->device_id == NULL)
    {
      self->device_id = stp_uuid_new_v7 ();
      if (!stp_store_set_meta (self, "device_id", self->device_id, error))
        return FALSE;
    }
  self->device_code = stp_store_get_meta (self, "device_code");
  if (self->device_code == NULL)
    self->device_code = g_strdup ("00");
  stp_store_load_hlc (self);
  return TRUE;
}

static gboolean
copy_if_exists (const char  *from,
                const char  *to,
                GError     **error)
{
  g_autoptr(GFile) src = g_file_new_for_path (from);
  g_autoptr(GFile) dst = g_file_new_for_path (to);

  if (!g_file_query_exists (src, NULL))
    return TRUE;
  return g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, error);
}

static gboolean
backup_before_upgrade (const char  *path,
                       int          version,
                       GError     **error)
{
  g_autofree char *bak = g_strdup_printf ("%s.v%d.bak", path, version);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *bak_wal = g_strconcat (bak, "-wal", NULL);

  /* A write-ahead log left by a crash holds committed data too. */
  if (!copy_if_exists (path, bak, error) || !copy_if_exists (wal, bak_wal, error))
    {
      g_prefix_error (error, _("Could not copy the database before upgrading it: "));
      return FALSE;
    }
  return TRUE;
}

/* The database's folder must be a folder that exists: say so plainly
 * before the lock file's creation fails with a message about a lock (or,
 * on Windows, one about another window).  The nearest part of the path
 * that exists tells which: a file on the way, or a folder missing. */
static gboolean
check_folder (const char  *path,
              GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *existing = g_strdup (folder);

  if (g_file_test (folder, G_FILE_TEST_IS_DIR))
    return TRUE;
  while (!g_file_test (existing, G_FILE_TEST_EXISTS))
    {
      g_autofree char *parent = g_path_get_dirname (existing);

      if (g_str_equal (parent, existing))
        break;
      g_free (existing);
      existing = g_steal_pointer (&parent);
    }
  if (g_file_test (existing, G_FILE_TEST_EXISTS) && !g_file_test (existing, G_FILE_TEST_IS_DIR))
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR,
                 _("The database %s cannot be opened or created: %s is a file, not a folder. "
                   "Choose a database inside a folder."), path, existing);
  else
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                 _("The database %s cannot be opened or created: the folder %s does not exist."),
                 path, folder);
  return FALSE;
}

StpStore *
stp_store_open (const char  *path,
                GError     **error)
{
  g_autoptr(StpStore) self = NULL;
  gboolean existed;
  int version = 0;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  if (!check_folder (path, error))
    return NULL;

  self = g_object_new (STP_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  self->lock = stp_store_lock_acquire (path, error);
  if (self->lock == NULL)
    return NULL;

  existed = g_stat (path, &st) == 0 && st.st_size > 0;
  if (existed)
    {
      gboolean in_background = FALSE;
      gboolean closed_cleanly = take_clean_marker (path);

      if (closed_cleanly || (gint64) st.st_size > sync_check_limit ())
        {
          if (!light_check (path, &version, error))
            return NULL;
          /* An upgrade writes at once: check fully first. */
          if (version == STP_SCHEMA_VERSION)
            {
              if (closed_cleanly)
                self->full_check_skipped = TRUE;
              else
                in_background = TRUE;
            }
        }
      if (self->full_check_skipped)
        g_debug ("%s was closed cleanly: no full check at open", path);
      else if (in_background)
        {
          self->check_blocks_commits = TRUE;
          g_atomic_int_set (&self->check_state, STP_STORE_CHECK_RUNNING);
        }
      else if (!stp_store_check_file (path, &version, error))
        return NULL;
    }

  /* The copy is made before this program touches the file (switching to
   * WAL alone rewrites its header). */
  if (existed && version < STP_SCHEMA_VERSION && !backup_before_upgrade (path, version, error))
    return NULL;

  if (!open_connection (self, CACHE_KIB_PRIMARY, error))
    return NULL;

  /* The background check starts once the file is in WAL mode: its read
   * transaction would otherwise hold the lock that switching a file made
   * by another tool (rollback journal) out of it needs. */
  if (self->check_blocks_commits)
    self->check_thread = g_thread_new ("stp-quick-check", check_thread_func, self);

  for (int v = version + 1; v <= STP_SCHEMA_VERSION; v++)
    if (!apply_migration (self, v, error))
      return NULL;

  if (!load_identity (self, error))
    return NULL;

  /* From here a clean close leaves the marker (unless damage shows). */
  stp_store_lock_set_clean (self->lock);
  return g_steal_pointer (&self);
}

StpStore *
stp_store_open_secondary (StpStore  *primary,
                          GError   **error)
{
  g_autoptr(StpStore) self = NULL;

  g_return_val_if_fail (STP_IS_STORE (primary), NULL);

  if (!stp_store_wait_for_check (primary, error))
    return NULL;
  self = g_object_new (STP_TYPE_STORE, NULL);
  self->path = g_strdup (primary->path);
  self->lock = stp_store_lock_ref (primary->lock);
  self->clock = primary->clock;
  self->clock_data = primary->clock_data;
  if (!open_connection (self, CACHE_KIB_SECONDARY, error))
    return NULL;
  self->device_id = g_strdup (primary->device_id);
  self->device_code = g_strdup (primary->device_code);
  self->hlc = primary->hlc;
  stp_store_load_hlc (self);
  return g_steal_pointer (&self);
}

StpStore *
stp_store_open_scratch (const char  *path,
                        GError     **error)
{
  g_autoptr(StpStore) self = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (STP_TYPE_STORE, NULL);
  self->path = g_strdup (path);
  if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("Cannot open the database file %s: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : "");
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 10000);
  stp_store_register_functions (self->db);
  return g_steal_pointer (&self);
}
