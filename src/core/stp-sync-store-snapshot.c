/* stp-sync-store-snapshot.c: (sync store) a database file as a snapshot for a new computer
 * (docs/ARCHITECTURE.md, "First sync from a snapshot").
 *
 * Writing copies the file on a connection of its own into a new file, in
 * one read transaction of the live file (a consistent state while the
 * window and the worker keep writing): the schema, then every table but
 * the ones that belong to the computer, not the center (meta, settings,
 * the outbox, the audit log and failed logins: created empty), with
 * INSERT ... SELECT *, which SQLite copies as VACUUM does (whole records in
 * key order, a compact file), then the triggers and views.  Installing
 * copies those tables of this computer into the snapshot and then the
 * snapshot over this computer's file, in one write transaction: the file
 * is either as it was or the snapshot with this computer's own
 * bookkeeping, never in between.
 */
#define G_LOG_DOMAIN "stp-core"

#include "config.h"

#include "stp-sync-store.h"
#include "stp-store-private.h"
#include "stp-sync-store-private.h"
#include "stp-backup-private.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#define META_SNAPSHOT_SEQ "snapshot.seq"
#define META_SNAPSHOT_HLC "snapshot.hlc"
/* Attempts to find the computer's file unchanged between copying its own
 * tables and taking its write lock. */
#define INSTALL_ATTEMPTS  5

/* Runs @sql on a snapshot's connection. */
static gboolean
exec_sql (StpStore    *db,
          const char  *sql,
          GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (stp_store_exec (db, sql, &local_error))
    return TRUE;
  g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
               _("The snapshot could not be prepared: %s"), local_error->message);
  return FALSE;
}

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

/* The tables that belong to this computer, not the center: created empty
 * in a snapshot (sqlite_sequence gets the rows of the other tables). */
static gboolean
is_own_table (const char *name)
{
  static const char * const own[] = { "meta", "settings", "login_failures", "outbox",
                                      "audit_events", "sqlite_sequence" };

  for (guint i = 0; i < G_N_ELEMENTS (own); i++)
    if (g_str_equal (name, own[i]))
      return TRUE;
  return FALSE;
}

/* Runs @sql on the copy's connection. */
static gboolean
copy_exec (sqlite3     *db,
           const char  *sql,
           GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) == SQLITE_OK)
    return TRUE;
  g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
               _("The snapshot could not be prepared: %s"), sqlite3_errmsg (db));
  return FALSE;
}

/* One object of the live file's schema. */
typedef struct
{
  char   *type;
  char   *name;
  char   *sql;
  gint64  rootpage;
} SchemaRow;

static void
schema_row_clear (gpointer data)
{
  SchemaRow *row = data;

  g_free (row->type);
  g_free (row->name);
  g_free (row->sql);
}

/* What the copy does, in its one transaction on the new file with the
 * live one attached: the live file's schema (tables and indexes, empty),
 * its rows except this computer's own, then its triggers and views — the
 * order of VACUUM, so that SQLite copies each table and index as whole
 * records in key order, not row by row. */
static gboolean
copy_database (sqlite3     *db,
               const char  *cursor_key,
               gboolean     allow_unsent,
               gint64      *seq,
               guint64     *hlc,
               gint64      *outbox_last,
               gboolean    *unsent,
               GError     **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (SchemaRow));
  g_autoptr(GHashTable) made = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt = NULL;
  char *sql;
  gboolean ok;

  g_array_set_clear_func (rows, schema_row_clear);
  *unsent = FALSE;
  /* The live file is read in one read transaction, from its first
   * statement here to the COMMIT: a consistent state, while the window
   * and the worker keep writing (the write-ahead log). */
  if (!copy_exec (db, "BEGIN", error))
    return FALSE;
  /* Rows the server acknowledged are marked and removed at the end of the
   * push, maybe beside this copy; rows after the mark are not sent yet:
   * changes not yet on the server would reach a new computer before any
   * other, so a snapshot is only made of a file that has sent everything. */
  if (!allow_unsent &&
      stp_backup_query_int (db, "SELECT count(*) FROM live.outbox WHERE id > coalesce("
                                "(SELECT CAST(value AS INTEGER) FROM live.meta WHERE key = '"
                                META_OUTBOX_ACKED "'), 0)", -1) != 0)
    {
      *unsent = TRUE;
      return FALSE;
    }
  *outbox_last = stp_backup_query_int (db, "SELECT max(id) FROM live.outbox", 0);
  sql = sqlite3_mprintf ("SELECT CAST(value AS INTEGER) FROM live.meta WHERE key = %Q", cursor_key);
  *seq = stp_backup_query_int (db, sql, 0);
  sqlite3_free (sql);
  /* (Text: an unsigned 64-bit number.) */
  if (sqlite3_prepare_v2 (db, "SELECT value FROM live.meta WHERE key = 'hlc_last'", -1, &stmt,
                          NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW &&
      sqlite3_column_text (stmt, 0) != NULL)
    *hlc = g_ascii_strtoull ((const char *) sqlite3_column_text (stmt, 0), NULL, 10);
  sqlite3_finalize (stmt);
  stmt = NULL;
  if (stp_backup_query_int (db, "SELECT count(*) FROM live.sqlite_schema WHERE type = 'trigger' "
                                "AND name = 'audit_events_no_delete'", 0) != 1)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("The snapshot could not be prepared: the audit log is not protected"));
      return FALSE;
    }
  if (sqlite3_prepare_v2 (db, "SELECT type, name, sql, rootpage FROM live.sqlite_schema "
                              "WHERE sql IS NOT NULL ORDER BY rowid", -1, &stmt, NULL) != SQLITE_OK)
    return copy_exec (db, "SELECT 1 FROM no_such_table", error);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      SchemaRow row;

      row.type = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      row.name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      row.sql = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      row.rootpage = sqlite3_column_int64 (stmt, 3);
      g_array_append_val (rows, row);
    }
  sqlite3_finalize (stmt);

  /* Tables first: a virtual table makes its shadow tables (with rows of
   * their own, replaced by the live ones below), then the indexes. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < rows->len; i++)
      {
        SchemaRow *row = &g_array_index (rows, SchemaRow, i);

        if (!g_str_equal (row->type, pass == 0 ? "table" : "index") ||
            g_str_equal (row->name, "sqlite_sequence") ||
            g_hash_table_contains (made, row->name))
          continue;
        if (!copy_exec (db, row->sql, error))
          return FALSE;
        if (row->rootpage != 0)
          continue;
        /* A virtual table: note the tables it made. */
        if (sqlite3_prepare_v2 (db, "SELECT name FROM main.sqlite_schema WHERE type = 'table'",
                                -1, &stmt, NULL) != SQLITE_OK)
          return copy_exec (db, "SELECT 1 FROM no_such_table", error);
        while (sqlite3_step (stmt) == SQLITE_ROW)
          g_hash_table_add (made, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
        sqlite3_finalize (stmt);
      }
  /* The rows, table by table, into empty tables. */
  for (guint i = 0; i < rows->len; i++)
    {
      SchemaRow *row = &g_array_index (rows, SchemaRow, i);

      if (!g_str_equal (row->type, "table") || row->rootpage == 0 || is_own_table (row->name))
        continue;
      sql = sqlite3_mprintf ("DELETE FROM main.\"%w\"; INSERT INTO main.\"%w\" SELECT * FROM live.\"%w\";",
                             row->name, row->name, row->name);
      ok = copy_exec (db, sql, error);
      sqlite3_free (sql);
      if (!ok)
        return FALSE;
    }
  if (stp_backup_query_int (db, "SELECT count(*) FROM main.sqlite_schema WHERE name = 'sqlite_sequence'", 0) > 0 &&
      !copy_exec (db, "INSERT INTO main.sqlite_sequence SELECT * FROM live.sqlite_sequence "
                      "WHERE name NOT IN ('outbox', 'audit_events')", error))
    return FALSE;
  for (guint i = 0; i < rows->len; i++)
    {
      SchemaRow *row = &g_array_index (rows, SchemaRow, i);

      if ((g_str_equal (row->type, "trigger") || g_str_equal (row->type, "view")) &&
          !copy_exec (db, row->sql, error))
        return FALSE;
    }
  sql = sqlite3_mprintf ("INSERT INTO main.meta (key, value) VALUES ('" META_SNAPSHOT_SEQ "', '%lld'), "
                         "('" META_SNAPSHOT_HLC "', '%llu');"
                         "PRAGMA main.user_version = %lld;",
                         (long long) *seq, (unsigned long long) *hlc,
                         (long long) stp_backup_query_int (db, "PRAGMA live.user_version", 0));
  ok = copy_exec (db, sql, error);
  sqlite3_free (sql);
  return ok && copy_exec (db, "COMMIT", error);
}

/* Copies the file at @live_path to a snapshot file at @path, on a
 * connection of its own (so on any thread: the worker's connection may be
 * pushing or removing the outbox meanwhile), writing a scratch file: no
 * journal, not flushed, the live file's page size (the install requires
 * it). */
static gboolean
write_copy (const char  *live_path,
            const char  *path,
            const char  *cursor_key,
            gboolean     allow_unsent,
            gint64      *seq_out,
            guint64     *hlc_out,
            gint64      *outbox_last,
            GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *attach = NULL;
  gboolean unsent = FALSE;
  gint64 seq = 0;
  guint64 hlc = 0;
  char *sql;
  gboolean ok;

  *seq_out = -1;
  *hlc_out = 0;
  *outbox_last = 0;
  remove_database (path);
  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                       NULL) != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be prepared: %s"), db != NULL ? sqlite3_errmsg (db) : "");
      goto fail;
    }
  sqlite3_busy_timeout (db, 10000);
  stp_store_register_functions (db);
  if (sqlite3_prepare_v2 (db, "ATTACH DATABASE ?1 AS live", -1, &attach, NULL) != SQLITE_OK)
    {
      copy_exec (db, "SELECT 1 FROM no_such_table", error);
      goto fail;
    }
  sqlite3_bind_text (attach, 1, live_path, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (attach) != SQLITE_DONE)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be prepared: %s"), sqlite3_errmsg (db));
      sqlite3_finalize (attach);
      goto fail;
    }
  sqlite3_finalize (attach);
  /* (The new file is still empty: its page size can be set.) */
  sql = sqlite3_mprintf ("PRAGMA main.page_size = %lld; PRAGMA main.journal_mode = OFF;"
                         "PRAGMA main.synchronous = OFF; PRAGMA main.locking_mode = EXCLUSIVE;"
                         "PRAGMA secure_delete = ON; PRAGMA foreign_keys = OFF;",
                         (long long) stp_backup_query_int (db, "PRAGMA live.page_size", 4096));
  ok = copy_exec (db, sql, error);
  sqlite3_free (sql);
  if (!ok)
    goto fail;
  if (!copy_database (db, cursor_key, allow_unsent, &seq, &hlc, outbox_last, &unsent, error))
    {
      if (!unsent)
        goto fail;
      g_debug ("No snapshot: changes not sent yet");
      sqlite3_close (db);
      remove_database (path);
      return TRUE;
    }
  if (sqlite3_close (db) != SQLITE_OK)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be prepared: %s"), sqlite3_errmsg (db));
      db = NULL;
      goto fail;
    }
  *seq_out = seq;
  *hlc_out = hlc;
  return TRUE;

fail:
  sqlite3_close (db);
  remove_database (path);
  return FALSE;
}

gboolean
stp_sync_store_write_snapshot (StpStore    *store,
                               const char  *path,
                               const char  *cursor_key,
                               gint64      *seq_out,
                               guint64     *hlc_out,
                               GError     **error)
{
  gint64 outbox_last;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL && cursor_key != NULL, FALSE);
  g_return_val_if_fail (!stp_store_in_transaction (store), FALSE);

  return write_copy (stp_store_get_path (store), path, cursor_key, FALSE, seq_out, hlc_out,
                     &outbox_last, error);
}

gboolean
stp_sync_store_write_snapshot_early (const char  *live_path,
                                     const char  *path,
                                     const char  *cursor_key,
                                     gint64      *cursor_out,
                                     guint64     *hlc_out,
                                     gint64      *outbox_last_out,
                                     GError     **error)
{
  g_return_val_if_fail (live_path != NULL && path != NULL && cursor_key != NULL, FALSE);

  return write_copy (live_path, path, cursor_key, TRUE, cursor_out, hlc_out, outbox_last_out,
                     error);
}

/* Copies this computer's own tables into the snapshot (its connection,
 * with the computer's file attached as "live"), inside one transaction.
 * FALSE with *unsent set when the computer has changes not sent yet. */
static gboolean
copy_own_tables (StpStore    *snap,
                 const char  *cursor_key,
                 gint64       seq,
                 gboolean    *unsent,
                 GError     **error)
{
  char *sql;
  gboolean ok;

  *unsent = FALSE;
  if (!exec_sql (snap, "BEGIN", error))
    return FALSE;
  if (stp_store_query_int (snap, "SELECT count(*) FROM live.outbox", -1) != 0)
    {
      *unsent = TRUE;
      exec_sql (snap, "ROLLBACK", NULL);
      return FALSE;
    }
  sql = sqlite3_mprintf ("DELETE FROM main.meta; INSERT INTO main.meta SELECT * FROM live.meta;"
                         "DELETE FROM main.settings; INSERT INTO main.settings SELECT * FROM live.settings;"
                         "DELETE FROM main.login_failures;"
                         "INSERT INTO main.login_failures SELECT * FROM live.login_failures;"
                         "INSERT OR IGNORE INTO main.audit_events SELECT * FROM live.audit_events;"
                         "DELETE FROM main.sqlite_sequence WHERE name IN ('outbox', 'audit_events');"
                         "INSERT INTO main.sqlite_sequence SELECT * FROM live.sqlite_sequence "
                         "  WHERE name IN ('outbox', 'audit_events');"
                         "INSERT OR REPLACE INTO main.meta (key, value) VALUES (%Q, '%lld');"
                         "COMMIT;", cursor_key, (long long) seq);
  ok = exec_sql (snap, sql, error);
  sqlite3_free (sql);
  if (!ok)
    exec_sql (snap, "ROLLBACK", NULL);
  return ok;
}

/* Moves the installed pages from the write-ahead log into the file, on a
 * connection of its own, while the data is already in use.  It starts at
 * once so that it, not a save in the window, holds the checkpoint lock:
 * the automatic checkpoints of other connections find the lock taken and
 * skip, and no save waits for the copy. */
static gpointer
checkpoint_thread (gpointer data)
{
  g_autofree char *path = data;
  sqlite3 *db = NULL;
  gint64 start = g_get_monotonic_time ();
  int rc = SQLITE_CANTOPEN;
  int log_frames = -1, done_frames = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) == SQLITE_OK)
    {
      sqlite3_busy_timeout (db, 10000);
      /* A connection learns that the file uses a log at its first read. */
      sqlite3_exec (db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
      rc = sqlite3_wal_checkpoint_v2 (db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                      &log_frames, &done_frames);
    }
  sqlite3_close (db);
  g_debug ("Checkpoint after a snapshot: %s, %d of %d frames in %.2f s", sqlite3_errstr (rc),
           done_frames, log_frames, (g_get_monotonic_time () - start) / 1e6);
  return NULL;
}

typedef enum
{
  ATTEMPT_DONE,       /* installed, or not (unsent changes): *@seq says */
  ATTEMPT_AGAIN,      /* the computer's file changed meanwhile */
  ATTEMPT_FAILED,
} Attempt;

/* One try at copying the snapshot over the computer's file: its own
 * tables first, then, if nothing was saved in between, the pages. */
static Attempt
install_attempt (StpStore     *store,
                 StpStore     *snap,
                 const char   *cursor_key,
                 gint64       *seq,
                 GError      **error)
{
  sqlite3 *db = stp_store_get_db (store);
  sqlite3_backup *backup;
  gboolean unsent = FALSE;
  gint64 before, after;
  int rc;

  /* Two readings of data_version differ when another connection
   * committed to the computer's file in between. */
  before = stp_store_query_int (snap, "PRAGMA live.data_version", -1);
  if (!copy_own_tables (snap, cursor_key, *seq, &unsent, error))
    {
      if (!unsent)
        return ATTEMPT_FAILED;
      /* Not an error: the log is replayed instead. */
      g_debug ("Snapshot not installed: this computer has changes not sent yet");
      *seq = -1;
      return ATTEMPT_DONE;
    }
  /* The install's commit is not flushed at once (the checkpoint that
   * follows is): lost to a power cut, it is simply done again, since
   * the cursor went back to 0 with it. */
  sqlite3_exec (db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
  backup = sqlite3_backup_init (db, "main", stp_store_get_db (snap), "main");
  if (backup == NULL)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be installed: %s"), sqlite3_errmsg (db));
      sqlite3_exec (db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
      return ATTEMPT_FAILED;
    }
  /* Takes this computer's write lock without copying anything yet. */
  rc = sqlite3_backup_step (backup, 0);
  after = stp_store_query_int (snap, "PRAGMA live.data_version", -2);
  if (rc == SQLITE_OK && before == after)
    {
      gint64 t0 = g_get_monotonic_time ();

      /* The checkpoint is left to checkpoint_thread(): this connection
       * would otherwise do it at its next statement. */
      sqlite3_wal_autocheckpoint (db, 0);
      rc = sqlite3_backup_step (backup, -1);
      g_debug ("Snapshot copied into the database in %.2f s",
               (g_get_monotonic_time () - t0) / 1e6);
    }
  else if (rc == SQLITE_OK)
    rc = SQLITE_BUSY;     /* something was saved meanwhile: copy again */
  sqlite3_backup_finish (backup);
  /* A statement with automatic checkpoints off takes the count of new
   * log frames this connection would have acted on. */
  sqlite3_exec (db, "PRAGMA synchronous = FULL", NULL, NULL, NULL);
  sqlite3_wal_autocheckpoint (db, 1000);
  if (rc == SQLITE_DONE)
    return ATTEMPT_DONE;
  if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be installed: %s"), sqlite3_errstr (rc));
      return ATTEMPT_FAILED;
    }
  return ATTEMPT_AGAIN;
}

/* Opens the snapshot at @path, checks it is one this program can install
 * here and attaches the computer's file as "live". */
static StpStore *
open_snapshot (StpStore    *store,
               const char  *path,
               gint64      *seq,
               char       **hlc_text,
               GError     **error)
{
  g_autoptr(StpStore) snap = NULL;
  sqlite3_stmt *attach;

  if (!(snap = stp_store_open_scratch (path, error)))
    return NULL;
  if (stp_store_query_int (snap, "PRAGMA user_version", -1) != STP_SCHEMA_VERSION)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_TOO_NEW,
                           _("The snapshot was made by another version of the program"));
      return NULL;
    }
  if (stp_store_query_int (snap, "PRAGMA page_size", -1) != stp_store_query_int (store, "PRAGMA page_size", -2))
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("The snapshot has another page size than this database"));
      return NULL;
    }
  *seq = stp_store_query_int (snap, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = '" META_SNAPSHOT_SEQ "'", -1);
  *hlc_text = stp_store_query_text (snap, "SELECT value FROM meta WHERE key = '" META_SNAPSHOT_HLC "'");
  if (*seq < 0 || *hlc_text == NULL ||
      stp_store_query_int (snap, "SELECT count(*) FROM meta", -1) != 2)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                           _("The file is not a snapshot of a center's database"));
      return NULL;
    }
  if (!exec_sql (snap, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;", error))
    return NULL;
  if (!(attach = stp_store_prepare (snap, "ATTACH DATABASE ?1 AS live", NULL)))
    {
      exec_sql (snap, "SELECT 1 FROM no_such_table", error);
      return NULL;
    }
  sqlite3_bind_text (attach, 1, stp_store_get_path (store), -1, SQLITE_TRANSIENT);
  if (sqlite3_step (attach) != SQLITE_DONE)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The snapshot could not be installed: %s"), sqlite3_errmsg (stp_store_get_db (snap)));
      sqlite3_reset (attach);
      return NULL;
    }
  sqlite3_reset (attach);
  return g_steal_pointer (&snap);
}

gboolean
stp_sync_store_install_snapshot (StpStore    *store,
                                 const char  *path,
                                 const char  *cursor_key,
                                 gint64       described_seq,
                                 gint64      *seq_out,
                                 guint64     *hlc_out,
                                 GError     **error)
{
  g_autoptr(StpStore) snap = NULL;
  g_autofree char *hlc_text = NULL;
  Attempt attempt = ATTEMPT_AGAIN;
  gint64 seq = -1;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL && cursor_key != NULL, FALSE);
  g_return_val_if_fail (!stp_store_in_transaction (store), FALSE);

  *seq_out = -1;
  *hlc_out = 0;
  /* Bulk writes to every index: the window's page cache size, not a
   * worker's (stp-store-open.c). */
  stp_store_exec (store, "PRAGMA cache_size = -16000", NULL);
  if (!(snap = open_snapshot (store, path, &seq, &hlc_text, error)))
    return FALSE;
  /* A copy made beside a push holds the cursor from before it. */
  if (described_seq >= 0 && described_seq < seq)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CORRUPT,
                           _("The snapshot does not match its description"));
      return FALSE;
    }
  if (described_seq >= 0)
    seq = described_seq;
  for (guint n = 0; n < INSTALL_ATTEMPTS && attempt == ATTEMPT_AGAIN; n++)
    {
      attempt = install_attempt (store, snap, cursor_key, &seq, error);
      if (attempt == ATTEMPT_AGAIN)
        g_debug ("Snapshot install: the database changed meanwhile (attempt %u)", n + 1);
    }
  if (attempt == ATTEMPT_AGAIN)
    g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_LOCKED,
                         _("The snapshot could not be installed: the database was busy"));
  if (attempt != ATTEMPT_DONE)
    return FALSE;
  *seq_out = seq;
  *hlc_out = seq >= 0 ? g_ascii_strtoull (hlc_text, NULL, 10) : 0;
  g_clear_object (&snap);
  if (seq >= 0)
    g_thread_unref (g_thread_new ("stp-checkpoint", checkpoint_thread,
                                  g_strdup (stp_store_get_path (store))));
  return TRUE;
}
