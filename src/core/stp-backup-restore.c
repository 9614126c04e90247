/* stp-backup-restore.c: putting an extracted copy in place of the database
 * (stp_backup_install, stp_backup_restore)
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
  gint64 value = MAX (stp_backup_query_int (snap, q1, 0), stp_backup_query_int (snap, q2, 0));

  sql = sqlite3_mprintf ("DELETE FROM main.sqlite_sequence WHERE name = %Q;"
                         "INSERT INTO main.sqlite_sequence (name, seq) VALUES (%Q, %lld);",
                         name, name, (long long) value);
  ok = stp_backup_exec_sql (snap, sql, error);
  sqlite3_free (sql);
  return ok;
}

/* Puts this computer's own bookkeeping into the copy (its connection, with
 * the database attached as "live"), in one transaction. */
static gboolean
merge_own_tables (sqlite3     *snap,
                  GError     **error)
{
  if (!stp_backup_exec_sql (snap, "BEGIN", error))
    return FALSE;
  /* This computer stays itself: its device id; its clock and its file
   * numbers never go back. */
  if (!stp_backup_exec_sql (snap,
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
      !stp_backup_exec_sql (snap, "COMMIT", error))
    {
      sqlite3_exec (snap, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

/* Copies @from over the store's database in one write transaction; the
 * own tables are merged again when something was saved meanwhile. */
/* Pages per step of the copy: about 4 MB, a progress report each. */
#define COPY_STEP_PAGES 1024

static gboolean
copy_into_store (StpStore              *store,
                 sqlite3               *snap,
                 gboolean               merge,
                 StpBackupProgressFunc  progress,
                 gpointer               user_data,
                 GError               **error)
{
  sqlite3 *db = stp_store_get_db (store);

  for (guint attempt = 0; attempt < 5; attempt++)
    {
      sqlite3_backup *backup;
      gint64 before = stp_backup_query_int (snap, "PRAGMA live.data_version", -1);
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
      after = stp_backup_query_int (snap, "PRAGMA live.data_version", -2);
      if (rc == SQLITE_OK && (!merge || before == after))
        {
          /* The write lock stays taken from the first step to the last
           * (SQLite's backup API); stepping only lets the window show
           * how far it is. */
          while ((rc = sqlite3_backup_step (backup, COPY_STEP_PAGES)) == SQLITE_OK)
            if (progress != NULL && sqlite3_backup_pagecount (backup) > 0)
              progress (1.0 - (double) sqlite3_backup_remaining (backup) /
                              sqlite3_backup_pagecount (backup), user_data);
          if (rc == SQLITE_DONE && progress != NULL)
            progress (1.0, user_data);
        }
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

  stp_backup_remove_database (aside);
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
      stp_backup_remove_database (aside);
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
  return stp_backup_install_with_progress (store, session, extracted_path, NULL, NULL, error);
}

gboolean
stp_backup_install_with_progress (StpStore              *store,
                                  StpSession            *session,
                                  const char            *extracted_path,
                                  StpBackupProgressFunc  progress,
                                  gpointer               user_data,
                                  GError               **error)
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

  if (!(snap = stp_backup_open_file (extracted_path, SQLITE_OPEN_READWRITE, error)))
    goto out;
  /* The writer checked the database (quick_check) and stp_backup_extract()
   * its hash: a light check is enough here, and spares minutes on a big
   * center. */
  check = stp_backup_query_text (snap, "SELECT CASE WHEN count(*) > 0 THEN 'ok' END FROM sqlite_schema");
  schema = stp_backup_query_int (snap, "PRAGMA user_version", -1);
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
          !(snap = stp_backup_open_file (extracted_path, SQLITE_OPEN_READWRITE, error)))
        goto out;
    }
  stp_store_register_functions (snap);
  copy_center = stp_backup_query_text (snap, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  if (copy_center == NULL)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                           _("The backup copy holds no center. Nothing was changed."));
      goto out;
    }
  live_center = stp_backup_query_text (db, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  if (live_center != NULL && g_strcmp0 (live_center, copy_center) != 0)
    {
      g_autofree char *name = stp_backup_query_text (snap, "SELECT name FROM centers WHERE deleted = 0 "
                                                "ORDER BY created_at LIMIT 1");

      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                   _("This backup copy belongs to another center («%s»). Nothing was changed."),
                   name != NULL ? name : "");
      goto out;
    }
  if (stp_backup_query_int (snap, "PRAGMA page_size", -1) != stp_backup_query_int (db, "PRAGMA page_size", -2))
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("The backup copy has another page size than this database. "
                             "Nothing was changed."));
      goto out;
    }
  if (!stp_backup_exec_sql (snap, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;", error) ||
      !attach_file (snap, stp_store_get_path (store), "live", error))
    goto out;

  /* The current file is kept aside until the restored one opened cleanly
   * (and stays there for the director: DB.before-restore). */
  aside = g_strconcat (stp_store_get_path (store), ".before-restore", NULL);
  if (!keep_aside (store, aside, error))
    goto out;
  if (!copy_into_store (store, snap, TRUE, progress, user_data, error))
    goto out;

  /* Opened cleanly: the schema and the center read back.  The pages are
   * byte copies of the checked file, so no full check. */
  g_clear_pointer (&check, g_free);
  check = stp_backup_query_text (db, "SELECT id FROM centers WHERE deleted = 0 ORDER BY created_at LIMIT 1");
  if (g_strcmp0 (check, copy_center) != 0)
    {
      g_autoptr(GError) back_error = NULL;
      sqlite3 *before = stp_backup_open_file (aside, SQLITE_OPEN_READONLY, &back_error);

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
  stp_backup_remove_database (extracted_path);
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
