/* stp-store-lock.c: the lock file beside a store's database: one program
 * (one window) opens a file at a time.  Held for the store's lifetime and
 * shared with its secondary connections, released when the last one goes. */
#define G_LOG_DOMAIN "stp-store"

#include "config.h"

#include "stp-store-private.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <fcntl.h>

#ifdef G_OS_WIN32
# include <windows.h>
# include <io.h>
#else
# include <sys/file.h>
# include <unistd.h>
# include <errno.h>
#endif

struct _StpStoreLock
{
  char *path;
  char *db_path;
  /* Set once the file was opened and found good (or its clean marker
   * trusted); cleared for good by any sign of damage.  The clean-close
   * marker is written only when it is still set at the release. */
  gint  clean;
  gint  damaged;
#ifdef G_OS_WIN32
  HANDLE handle;
#else
  int fd;
#endif
};

static void
stp_store_lock_clear (StpStoreLock *lock)
{
  /* Every connection of this process is closed: the last one has
   * checkpointed and removed the write-ahead log, so the file is final. */
  if (g_atomic_int_get (&lock->clean) && !g_atomic_int_get (&lock->damaged))
    stp_store_write_clean_marker (lock->db_path);
#ifdef G_OS_WIN32
  if (lock->handle != INVALID_HANDLE_VALUE)
    {
      OVERLAPPED ov = { 0 };
      UnlockFileEx (lock->handle, 0, 1, 0, &ov);
      CloseHandle (lock->handle);
    }
#else
  if (lock->fd >= 0)
    close (lock->fd);   /* closing releases the flock */
#endif
  g_free (lock->path);
  g_free (lock->db_path);
}

void
stp_store_lock_set_clean (StpStoreLock *lock)
{
  g_atomic_int_set (&lock->clean, 1);
}

void
stp_store_lock_mark_damaged (StpStoreLock *lock)
{
  g_atomic_int_set (&lock->damaged, 1);
}

gboolean
stp_store_lock_is_damaged (StpStoreLock *lock)
{
  return g_atomic_int_get (&lock->damaged) != 0;
}

void
stp_store_lock_unref (StpStoreLock *lock)
{
  g_atomic_rc_box_release_full (lock, (GDestroyNotify) stp_store_lock_clear);
}

StpStoreLock *
stp_store_lock_acquire (const char  *db_path,
                    GError     **error)
{
  StpStoreLock *lock = g_atomic_rc_box_new0 (StpStoreLock);

  lock->path = g_strconcat (db_path, ".lock", NULL);
  lock->db_path = g_strdup (db_path);
#ifdef G_OS_WIN32
  {
    g_autofree gunichar2 *wpath = g_utf8_to_utf16 (lock->path, -1, NULL, NULL, NULL);
    OVERLAPPED ov = { 0 };

    lock->handle = CreateFileW ((LPCWSTR) wpath, GENERIC_READ | GENERIC_WRITE,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                NULL, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (lock->handle == INVALID_HANDLE_VALUE ||
        !LockFileEx (lock->handle, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY,
                     0, 1, 0, &ov))
      {
        g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED,
                     _("The database %s is already open in another window of the program. "
                       "Close it there first."), db_path);
        stp_store_lock_unref (lock);
        return NULL;
      }
  }
#else
  lock->fd = g_open (lock->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock->fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot create the lock file %s: %s"), lock->path, g_strerror (saved));
      stp_store_lock_unref (lock);
      return NULL;
    }
  /* flock locks belong to the open file, so even a second open in this
   * process is refused. */
  if (flock (lock->fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED,
                   _("The database %s is already open in another window of the program. "
                     "Close it there first."), db_path);
      stp_store_lock_unref (lock);
      return NULL;
    }
  {
    g_autofree char *pid = g_strdup_printf ("%ld\n", (long) getpid ());
    if (ftruncate (lock->fd, 0) == 0 && write (lock->fd, pid, strlen (pid)) < 0)
      g_debug ("Could not write the pid into %s", lock->path);
  }
#endif
  return lock;
}

StpStoreLock *
stp_store_lock_ref (StpStoreLock *lock)
{
  return g_atomic_rc_box_acquire (lock);
}

