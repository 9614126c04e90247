#define G_LOG_DOMAIN "stp-sync-store"

#include "config.h"

#include "stp-sync-store.h"
#include "stp-store-private.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* Rough wire size of a change beyond its strings (JSON keys, numbers). */
#define CHANGE_OVERHEAD 96

void
stp_conflict_free (StpConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->table);
  g_free (conflict->row_id);
  g_free (conflict->field);
  g_free (conflict->field_label);
  g_free (conflict->winner_value);
  g_free (conflict->winner_device);
  g_free (conflict->loser_value);
  g_free (conflict->loser_device);
  g_free (conflict->detected_at);
  g_free (conflict->resident_id);
  g_free (conflict->resident_name);
  g_free (conflict);
}

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

static void
bind_text_or_null (sqlite3_stmt *stmt,
                   int           idx,
                   const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, text, -1, SQLITE_TRANSIENT);
}

/* --- Outbox --------------------------------------------------------------- */

GPtrArray *
stp_sync_store_peek_outbox (StpStore  *store,
                            gsize      max_bytes,
                            guint      max_rows,
                            GError   **error)
{
  return stp_sync_store_peek_outbox_after (store, 0, max_bytes, max_rows, error);
}

GPtrArray *
stp_sync_store_peek_outbox_after (StpStore  *store,
                                  gint64     after_id,
                                  gsize      max_bytes,
                                  guint      max_rows,
                                  GError   **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) changes = NULL;
  gsize bytes = 0;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = stp_store_prepare (store,
                            "SELECT id, tbl, row_id, field, value, hlc, device, "
                            "base_hlc, base_device FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, after_id);
  sqlite3_bind_int64 (stmt, 2, max_rows > 0 ? (gint64) max_rows : G_MAXINT64);

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpChange *change = stp_change_new ();
      gsize size;

      change->outbox_id = sqlite3_column_int64 (stmt, 0);
      change->table = dup_column_text (stmt, 1);
      change->row_id = dup_column_text (stmt, 2);
      change->field = dup_column_text (stmt, 3);
      change->value = dup_column_text (stmt, 4);
      change->hlc = (guint64) sqlite3_column_int64 (stmt, 5);
      change->device = dup_column_text (stmt, 6);
      change->base_hlc = (guint64) sqlite3_column_int64 (stmt, 7);
      change->base_device = dup_column_text (stmt, 8);

      size = CHANGE_OVERHEAD
             + strlen (change->table) + strlen (change->row_id)
             + strlen (change->field) + strlen (change->device)
             + (change->value ? strlen (change->value) * 2 : 0)
             + (change->base_device ? strlen (change->base_device) : 0);
      if (changes->len > 0 && max_bytes > 0 && bytes + size > max_bytes)
        {
          stp_change_free (change);
          break;
        }
      bytes += size;
      g_ptr_array_add (changes, change);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (store, error);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);

  return g_steal_pointer (&changes);
}

static gboolean write_cursor (StpStore    *store,
                              const char  *cursor_key,
                              gint64       cursor,
                              GError     **error);

gboolean
stp_sync_store_ack_outbox (StpStore      *store,
                           const gint64  *outbox_ids,
                           guint          n,
                           GError       **error)
{
  return stp_sync_store_ack_outbox_at (store, outbox_ids, n, NULL, 0, error);
}

gboolean
stp_sync_store_ack_outbox_at (StpStore      *store,
                              const gint64  *outbox_ids,
                              guint          n,
                              const char    *cursor_key,
                              gint64         new_cursor,
                              GError       **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (n == 0 || outbox_ids != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n == 0 && cursor_key == NULL)
    return TRUE;
  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  if (cursor_key != NULL && !write_cursor (store, cursor_key, new_cursor, error))
    return FALSE;
  /* A batch is a run of consecutive ids (peeked in id order), so each run
   * is one range delete instead of one statement per row. */
  stmt = stp_store_prepare (store, "DELETE FROM outbox WHERE id BETWEEN ? AND ?", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n;)
    {
      guint end = i + 1;

      while (end < n && outbox_ids[end] == outbox_ids[end - 1] + 1)
        end++;
      sqlite3_bind_int64 (stmt, 1, outbox_ids[i]);
      sqlite3_bind_int64 (stmt, 2, outbox_ids[end - 1]);
      if (sqlite3_step (stmt) != SQLITE_DONE)
        {
          stp_store_set_sqlite_error (store, error);
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
      i = end;
    }
  return stp_store_transaction_commit (&tx, error);
}

gsize
stp_sync_store_count_pending (StpStore *store)
{
  g_return_val_if_fail (STP_IS_STORE (store), 0);
  return (gsize) MAX (stp_store_query_int (store, "SELECT count(*) FROM outbox", 0), 0);
}

gsize
stp_sync_store_count_parked (StpStore *store)
{
  g_return_val_if_fail (STP_IS_STORE (store), 0);
  return (gsize) MAX (stp_store_query_int (store, "SELECT count(*) FROM parked_changes", 0), 0);
}

gsize
stp_sync_store_count_conflicts (StpStore *store)
{
  g_return_val_if_fail (STP_IS_STORE (store), 0);
  return (gsize) MAX (stp_store_query_int (store, "SELECT count(*) FROM conflicts WHERE resolved_at IS NULL", 0), 0);
}

void
stp_sync_store_observe_hlc (StpStore *store,
                            guint64   hlc)
{
  g_return_if_fail (STP_IS_STORE (store));

  if (hlc != 0)
    stp_store_observe_hlc (store, hlc);
}

/* --- Cursor --------------------------------------------------------------- */

gint64
stp_sync_store_get_cursor (StpStore   *store,
                           const char *cursor_key)
{
  sqlite3_stmt *stmt;
  gint64 cursor = 0;

  g_return_val_if_fail (STP_IS_STORE (store), 0);
  g_return_val_if_fail (cursor_key != NULL, 0);

  stmt = stp_store_prepare (store, "SELECT value FROM meta WHERE key = ?", NULL);
  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, cursor_key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    cursor = g_ascii_strtoll ((const char *) sqlite3_column_text (stmt, 0), NULL, 10);
  sqlite3_reset (stmt);
  return cursor;
}

static gboolean
write_cursor (StpStore    *store,
              const char  *cursor_key,
              gint64       cursor,
              GError     **error)
{
  sqlite3_stmt *stmt;
  char buf[32];

  stmt = stp_store_prepare (store,
                            "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                            error);
  if (stmt == NULL)
    return FALSE;
  g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, cursor);
  sqlite3_bind_text (stmt, 1, cursor_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, buf, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (store, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
stp_sync_store_set_cursor (StpStore    *store,
                           const char  *cursor_key,
                           gint64       cursor,
                           GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (cursor_key != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return write_cursor (store, cursor_key, cursor, error);
}

/* --- Applying ------------------------------------------------------------- */

/* The column a change names, validated against the descriptors; NULL when
 * this version does not know it.  Only names returned here are put into
 * SQL text. */
static const char *
known_column (const StpKindInfo *info,
              const char        *field)
{
  const StpFieldInfo *fi;

  if (info == NULL || field == NULL)
    return NULL;
  if (g_str_equal (field, "deleted"))
    return "deleted";
  if (g_str_equal (field, "created_at"))
    return "created_at";
  fi = stp_kind_info_find_field (info, field);
  return fi ? fi->name : NULL;
}

static gboolean
is_deleted_value (const char *value)
{
  return value != NULL && *value != '\0' && !g_str_equal (value, "0");
}

static gboolean
version_equal (guint64     a,
               const char *a_device,
               guint64     b,
               const char *b_device)
{
  return a == b && g_strcmp0 (a_device, b_device) == 0;
}

static gboolean
step_done (StpStore      *store,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      stp_store_set_sqlite_error (store, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
park_change (StpStore         *store,
             const StpChange  *change,
             const char       *now,
             GError          **error)
{
  sqlite3_stmt *stmt;

  stmt = stp_store_prepare (store,
                            "INSERT INTO parked_changes (tbl, row_id, field, value, hlc, device, "
                            "base_hlc, base_device, received_at) "
                            "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 WHERE NOT EXISTS ("
                            "SELECT 1 FROM parked_changes WHERE tbl = ?1 AND row_id = ?2 "
                            "AND field = ?3 AND hlc = ?5 AND device = ?6)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, change->table ? change->table : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, change->row_id ? change->row_id : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, change->field ? change->field : "", -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 4, change->value);
  sqlite3_bind_int64 (stmt, 5, (gint64) change->hlc);
  sqlite3_bind_text (stmt, 6, change->device ? change->device : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, (gint64) change->base_hlc);
  bind_text_or_null (stmt, 8, change->base_device);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  return step_done (store, stmt, error);
}

/* The base a local, still unsent change was written on (the outbox keeps
 * it); FALSE when unknown. */
static gboolean
lookup_local_base (StpStore    *store,
                   const char  *table,
                   const char  *row_id,
                   const char  *field,
                   guint64      hlc,
                   const char  *device,
                   guint64     *out_base,
                   char       **out_base_device)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  stmt = stp_store_prepare (store,
                            "SELECT base_hlc, base_device FROM outbox WHERE tbl = ? AND row_id = ? "
                            "AND field = ? AND hlc = ? AND device = ? LIMIT 1",
                            NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, (gint64) hlc);
  sqlite3_bind_text (stmt, 5, device, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      *out_base = (guint64) sqlite3_column_int64 (stmt, 0);
      *out_base_device = dup_column_text (stmt, 1);
    }
  sqlite3_reset (stmt);
  return found;
}

static gboolean
record_conflict (StpStore     *store,
                 const char   *table,
                 const char   *row_id,
                 const char   *field,
                 const char   *winner_value,
                 guint64       winner_hlc,
                 const char   *winner_device,
                 const char   *loser_value,
                 guint64       loser_hlc,
                 const char   *loser_device,
                 const char   *now,
                 gboolean     *out_written,
                 GError      **error)
{
  sqlite3_stmt *stmt;

  /* The same pair delivered twice must not make a second row. */
  stmt = stp_store_prepare (store,
                            "INSERT INTO conflicts (tbl, row_id, field, winner_value, winner_hlc, "
                            "winner_device, loser_value, loser_hlc, loser_device, detected_at) "
                            "SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10 WHERE NOT EXISTS ("
                            "SELECT 1 FROM conflicts WHERE tbl = ?1 AND row_id = ?2 AND field = ?3 "
                            "AND loser_hlc = ?8 AND loser_device = ?9)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, table, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, field, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 4, winner_value);
  sqlite3_bind_int64 (stmt, 5, (gint64) winner_hlc);
  sqlite3_bind_text (stmt, 6, winner_device, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 7, loser_value);
  sqlite3_bind_int64 (stmt, 8, (gint64) loser_hlc);
  sqlite3_bind_text (stmt, 9, loser_device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, now, -1, SQLITE_TRANSIENT);
  if (!step_done (store, stmt, error))
    return FALSE;
  *out_written = sqlite3_changes (stp_store_get_db (store)) > 0;
  return TRUE;
}

/* Changes are decided in memory per row and written with one INSERT or
 * UPDATE per row: the search triggers on residents then run once per row
 * instead of once per field. */
typedef struct
{
  char     *value;
  guint64   hlc;
  char     *device;
  gboolean  have_version;
  gboolean  dirty;
} FieldState;

typedef struct
{
  const StpKindInfo *info;
  char              *row_id;
  gboolean           exists;
  GHashTable        *fields;   /* column name (descriptor string) -> FieldState */
} RowState;

typedef struct
{
  StpStore      *store;
  const char    *now;
  StpApplyStats *stats;
  GHashTable    *rows;         /* "table\x1frow" -> RowState */
  GPtrArray     *order;        /* RowState, first seen first */
} Applier;

static void
field_state_free (FieldState *fs)
{
  g_free (fs->value);
  g_free (fs->device);
  g_free (fs);
}

static void
row_state_free (RowState *row)
{
  g_free (row->row_id);
  g_hash_table_unref (row->fields);
  g_free (row);
}

static FieldState *
row_field (RowState   *row,
           const char *column)
{
  FieldState *fs = g_hash_table_lookup (row->fields, column);

  if (fs == NULL)
    {
      fs = g_new0 (FieldState, 1);
      g_hash_table_insert (row->fields, (gpointer) column, fs);
    }
  return fs;
}

static RowState *
applier_get_row (Applier            *applier,
                 const StpKindInfo  *info,
                 const char         *row_id,
                 GError            **error)
{
  g_autofree char *key = g_strconcat (info->table, "\x1f", row_id, NULL);
  g_autofree char *sql = NULL;
  RowState *row = g_hash_table_lookup (applier->rows, key);
  sqlite3_stmt *stmt;

  if (row != NULL)
    return row;

  row = g_new0 (RowState, 1);
  row->info = info;
  row->row_id = g_strdup (row_id);
  row->fields = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) field_state_free);

  sql = g_strdup_printf ("SELECT * FROM \"%s\" WHERE id = ?", info->table);
  stmt = stp_store_prepare (applier->store, sql, error);
  if (stmt == NULL)
    {
      row_state_free (row);
      return NULL;
    }
  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      row->exists = TRUE;
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          const char *column = known_column (info, sqlite3_column_name (stmt, c));

          if (column != NULL)
            row_field (row, column)->value = dup_column_text (stmt, c);
        }
    }
  sqlite3_reset (stmt);

  if (row->exists)
    {
      stmt = stp_store_prepare (applier->store,
                                "SELECT field, hlc, device FROM field_versions "
                                "WHERE tbl = ? AND row_id = ?",
                                error);
      if (stmt == NULL)
        {
          row_state_free (row);
          return NULL;
        }
      sqlite3_bind_text (stmt, 1, info->table, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, row_id, -1, SQLITE_TRANSIENT);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          const char *column = known_column (info, (const char *) sqlite3_column_text (stmt, 0));
          FieldState *fs;

          if (column == NULL)
            continue;
          fs = row_field (row, column);
          fs->have_version = TRUE;
          fs->hlc = (guint64) sqlite3_column_int64 (stmt, 1);
          g_free (fs->device);
          fs->device = dup_column_text (stmt, 2);
        }
      sqlite3_reset (stmt);
    }

  g_hash_table_insert (applier->rows, g_steal_pointer (&key), row);
  g_ptr_array_add (applier->order, row);
  return row;
}

static gboolean
applier_add (Applier          *applier,
             const StpChange  *change,
             GError          **error)
{
  StpApplyStats *stats = applier->stats;
  const StpKindInfo *info;
  const char *column;
  RowState *row;
  FieldState *fs;
  gboolean incoming_wins = TRUE;
  const char *incoming_value;

  if (change->table == NULL || change->row_id == NULL || *change->row_id == '\0'
      || change->field == NULL || change->device == NULL)
    {
      /* Malformed: keep it rather than fail the batch. */
      stats->parked++;
      return park_change (applier->store, change, applier->now, error);
    }

  info = stp_kind_info_for_table (change->table);
  column = known_column (info, change->field);
  if (column == NULL)
    {
      stats->parked++;
      return park_change (applier->store, change, applier->now, error);
    }

  stp_store_observe_hlc (applier->store, change->hlc);

  row = applier_get_row (applier, info, change->row_id, error);
  if (row == NULL)
    return FALSE;
  fs = g_hash_table_lookup (row->fields, column);
  incoming_value = change->value;
  if (g_str_equal (column, "deleted"))
    incoming_value = is_deleted_value (change->value) ? "1" : "0";

  if (fs != NULL && fs->have_version)
    {
      gboolean incoming_descends;
      gboolean local_descends = FALSE;
      gboolean values_differ;
      gboolean concurrent;
      guint64 local_base = 0;
      g_autofree char *local_base_device = NULL;

      if (version_equal (fs->hlc, fs->device, change->hlc, change->device))
        {
          stats->ignored++;   /* a duplicate delivery */
          return TRUE;
        }

      values_differ = g_strcmp0 (fs->value, incoming_value) != 0;
      incoming_descends = version_equal (change->base_hlc, change->base_device,
                                         fs->hlc, fs->device);
      if (lookup_local_base (applier->store, info->table, change->row_id, column,
                             fs->hlc, fs->device, &local_base, &local_base_device))
        local_descends = version_equal (local_base, local_base_device,
                                        change->hlc, change->device);
      /* Neither writer saw the other's value. */
      concurrent = !incoming_descends && !local_descends;
      incoming_wins = stp_hlc_compare (change->hlc, change->device, fs->hlc, fs->device) > 0;

      if (g_str_equal (column, "deleted")
          && is_deleted_value (incoming_value) != is_deleted_value (fs->value))
        {
          /* Tombstones are permanent: only an undelete made on top of the
           * delete itself (its base is the delete) clears one. */
          if (is_deleted_value (incoming_value))
            incoming_wins = !local_descends;
          else
            incoming_wins = incoming_descends;
        }
      else if (concurrent && values_differ)
        {
          gboolean written = FALSE;
          gboolean ok;

          if (incoming_wins)
            ok = record_conflict (applier->store, info->table, change->row_id, column,
                                  incoming_value, change->hlc, change->device,
                                  fs->value, fs->hlc, fs->device,
                                  applier->now, &written, error);
          else
            ok = record_conflict (applier->store, info->table, change->row_id, column,
                                  fs->value, fs->hlc, fs->device,
                                  incoming_value, change->hlc, change->device,
                                  applier->now, &written, error);
          if (!ok)
            return FALSE;
          if (written)
            stats->conflicts++;
        }
    }

  if (!incoming_wins)
    {
      stats->ignored++;
      return TRUE;
    }

  fs = row_field (row, column);
  g_free (fs->value);
  fs->value = g_strdup (incoming_value);
  fs->hlc = change->hlc;
  g_free (fs->device);
  fs->device = g_strdup (change->device);
  fs->have_version = TRUE;
  fs->dirty = TRUE;
  stats->applied++;
  return TRUE;
}

static void
bind_field (sqlite3_stmt *stmt,
            int           idx,
            const char   *column,
            FieldState   *fs)
{
  if (g_str_equal (column, "deleted"))
    sqlite3_bind_int (stmt, idx, is_deleted_value (fs->value) ? 1 : 0);
  else
    bind_text_or_null (stmt, idx, fs->value);
}

/* Rows and versions per statement: every statement that reaches the FTS5
 * index (through the search triggers) makes it flush, so new rows are
 * inserted many per statement.  Well under SQLite's 32766 variables. */
#define ROWS_PER_INSERT      64
#define VERSIONS_PER_INSERT  150

/* The dirty columns of @row in a fixed order (deleted, created_at, then the
 * descriptor's), so that equal sets give equal statement text. */
static GPtrArray *
dirty_columns (RowState *row)
{
  const StpKindInfo *info = row->info;
  GPtrArray *columns = g_ptr_array_new ();
  FieldState *fs;

  fs = g_hash_table_lookup (row->fields, "deleted");
  if (fs != NULL && fs->dirty)
    g_ptr_array_add (columns, (gpointer) "deleted");
  fs = g_hash_table_lookup (row->fields, "created_at");
  if (fs != NULL && fs->dirty)
    g_ptr_array_add (columns, (gpointer) "created_at");
  for (guint f = 0; f < info->n_fields; f++)
    {
      fs = g_hash_table_lookup (row->fields, info->fields[f].name);
      if (fs != NULL && fs->dirty)
        g_ptr_array_add (columns, (gpointer) info->fields[f].name);
    }
  return columns;
}

static gboolean
same_columns (GPtrArray *a,
              GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (a->pdata[i] != b->pdata[i])
      return FALSE;
  return TRUE;
}

static gboolean
has_column (GPtrArray  *columns,
            const char *name)
{
  for (guint i = 0; i < columns->len; i++)
    if (g_str_equal (columns->pdata[i], name))
      return TRUE;
  return FALSE;
}

/* One INSERT for @n new rows of one table with the same @columns. */
static gboolean
insert_rows (Applier    *applier,
             RowState  **rows,
             guint       n,
             GPtrArray  *columns,
             GError    **error)
{
  const StpKindInfo *info = rows[0]->info;
  gboolean with_created = !has_column (columns, "created_at");
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int idx = 1;

  g_string_printf (sql, "INSERT INTO \"%s\" (id, updated_at%s", info->table,
                   with_created ? ", created_at" : "");
  for (guint i = 0; i < columns->len; i++)
    g_string_append_printf (sql, ", \"%s\"", (const char *) columns->pdata[i]);
  g_string_append (sql, ") VALUES ");
  for (guint r = 0; r < n; r++)
    {
      g_string_append (sql, r > 0 ? ", (?, ?" : "(?, ?");
      if (with_created)
        g_string_append (sql, ", ?");
      for (guint i = 0; i < columns->len; i++)
        g_string_append (sql, ", ?");
      g_string_append_c (sql, ')');
    }
  stmt = stp_store_prepare (applier->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint r = 0; r < n; r++)
    {
      sqlite3_bind_text (stmt, idx++, rows[r]->row_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, idx++, applier->now, -1, SQLITE_TRANSIENT);
      if (with_created)
        sqlite3_bind_text (stmt, idx++, applier->now, -1, SQLITE_TRANSIENT);
      for (guint i = 0; i < columns->len; i++, idx++)
        bind_field (stmt, idx, columns->pdata[i],
                    g_hash_table_lookup (rows[r]->fields, columns->pdata[i]));
    }
  if (!step_done (applier->store, stmt, error))
    return FALSE;
  for (guint r = 0; r < n; r++)
    rows[r]->exists = TRUE;
  return TRUE;
}

static gboolean
update_row (Applier    *applier,
            RowState   *row,
            GPtrArray  *columns,
            GError    **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  sqlite3_stmt *stmt;
  int idx = 1;

  g_string_printf (sql, "UPDATE \"%s\" SET ", row->info->table);
  for (guint i = 0; i < columns->len; i++)
    g_string_append_printf (sql, "\"%s\" = ?, ", (const char *) columns->pdata[i]);
  g_string_append (sql, "updated_at = ? WHERE id = ?");
  stmt = stp_store_prepare (applier->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < columns->len; i++, idx++)
    bind_field (stmt, idx, columns->pdata[i], g_hash_table_lookup (row->fields, columns->pdata[i]));
  sqlite3_bind_text (stmt, idx++, applier->now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, idx++, row->row_id, -1, SQLITE_TRANSIENT);
  return step_done (applier->store, stmt, error);
}

typedef struct
{
  RowState   *row;
  const char *column;
} VersionRef;

static gboolean
write_versions (Applier     *applier,
                VersionRef  *refs,
                guint        n,
                GError     **error)
{
  g_autoptr(GString) sql = g_string_new ("INSERT OR REPLACE INTO field_versions "
                                         "(tbl, row_id, field, hlc, device) VALUES ");
  sqlite3_stmt *stmt;
  int idx = 1;

  for (guint i = 0; i < n; i++)
    g_string_append (sql, i > 0 ? ", (?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?)");
  stmt = stp_store_prepare (applier->store, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      FieldState *fs = g_hash_table_lookup (refs[i].row->fields, refs[i].column);

      sqlite3_bind_text (stmt, idx++, refs[i].row->info->table, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, idx++, refs[i].row->row_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, idx++, refs[i].column, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, idx++, (gint64) fs->hlc);
      sqlite3_bind_text (stmt, idx++, fs->device, -1, SQLITE_TRANSIENT);
    }
  return step_done (applier->store, stmt, error);
}

static gboolean
applier_flush (Applier  *applier,
               GError  **error)
{
  g_autoptr(GPtrArray) all_columns = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GArray) versions = g_array_new (FALSE, FALSE, sizeof (VersionRef));
  RowState *batch[ROWS_PER_INSERT];
  GPtrArray *batch_columns = NULL;
  guint n_batch = 0;

  for (guint i = 0; i < applier->order->len; i++)
    {
      RowState *row = g_ptr_array_index (applier->order, i);
      GPtrArray *columns = dirty_columns (row);

      g_ptr_array_add (all_columns, columns);
      if (columns->len == 0)
        continue;
      for (guint c = 0; c < columns->len; c++)
        {
          VersionRef ref = { row, columns->pdata[c] };
          g_array_append_val (versions, ref);
        }

      if (row->exists)
        {
          if (!update_row (applier, row, columns, error))
            return FALSE;
          continue;
        }
      /* New rows: gathered while the table and columns stay the same. */
      if (n_batch > 0 && (n_batch == ROWS_PER_INSERT || batch[0]->info != row->info
                          || !same_columns (batch_columns, columns)))
        {
          if (!insert_rows (applier, batch, n_batch, batch_columns, error))
            return FALSE;
          n_batch = 0;
        }
      if (n_batch == 0)
        batch_columns = columns;
      batch[n_batch++] = row;
    }
  if (n_batch > 0 && !insert_rows (applier, batch, n_batch, batch_columns, error))
    return FALSE;

  for (guint i = 0; i < versions->len; i += VERSIONS_PER_INSERT)
    if (!write_versions (applier, &g_array_index (versions, VersionRef, i),
                         MIN (VERSIONS_PER_INSERT, versions->len - i), error))
      return FALSE;
  for (guint i = 0; i < versions->len; i++)
    {
      VersionRef *ref = &g_array_index (versions, VersionRef, i);
      ((FieldState *) g_hash_table_lookup (ref->row->fields, ref->column))->dirty = FALSE;
    }
  return TRUE;
}

static void
applier_init (Applier       *applier,
              StpStore      *store,
              const char    *now,
              StpApplyStats *stats)
{
  applier->store = store;
  applier->now = now;
  applier->stats = stats;
  applier->rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) row_state_free);
  applier->order = g_ptr_array_new ();
}

static void
applier_clear (Applier *applier)
{
  g_clear_pointer (&applier->order, g_ptr_array_unref);
  g_clear_pointer (&applier->rows, g_hash_table_unref);
}

gboolean
stp_sync_store_apply_page (StpStore       *store,
                           GPtrArray      *changes,
                           const char     *cursor_key,
                           gint64          new_cursor,
                           StpApplyStats  *out,
                           GError        **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  StpApplyStats stats = { 0, };
  g_autofree char *now = NULL;
  Applier applier;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  now = stp_format_moment (stp_store_now (store));
  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  applier_init (&applier, store, now, &stats);
  for (guint i = 0; i < changes->len; i++)
    {
      if (!applier_add (&applier, g_ptr_array_index (changes, i), error))
        goto fail;
    }
  if (!applier_flush (&applier, error))
    goto fail;
  if (cursor_key != NULL && !write_cursor (store, cursor_key, new_cursor, error))
    goto fail;
  applier_clear (&applier);
  if (!stp_store_transaction_commit (&tx, error))
    return FALSE;

  if (out != NULL)
    *out = stats;
  return TRUE;

fail:
  applier_clear (&applier);
  return FALSE;
}

gboolean
stp_sync_store_retry_parked (StpStore  *store,
                             GError   **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) parked = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autofree char *now = NULL;
  StpApplyStats stats = { 0, };
  Applier applier = { 0, };
  int rc;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = stp_store_prepare (store,
                            "SELECT id, tbl, row_id, field, value, hlc, device, base_hlc, "
                            "base_device FROM parked_changes ORDER BY id",
                            error);
  if (stmt == NULL)
    return FALSE;
  parked = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(StpChange) change = stp_change_new ();
      const StpKindInfo *info;
      gint64 id = sqlite3_column_int64 (stmt, 0);

      change->table = dup_column_text (stmt, 1);
      change->row_id = dup_column_text (stmt, 2);
      change->field = dup_column_text (stmt, 3);
      change->value = dup_column_text (stmt, 4);
      change->hlc = (guint64) sqlite3_column_int64 (stmt, 5);
      change->device = dup_column_text (stmt, 6);
      change->base_hlc = (guint64) sqlite3_column_int64 (stmt, 7);
      change->base_device = dup_column_text (stmt, 8);

      info = stp_kind_info_for_table (change->table);
      if (known_column (info, change->field) == NULL
          || change->row_id == NULL || *change->row_id == '\0')
        continue;
      g_array_append_val (ids, id);
      g_ptr_array_add (parked, g_steal_pointer (&change));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (store, error);
      return FALSE;
    }
  if (parked->len == 0)
    return TRUE;

  now = stp_format_moment (stp_store_now (store));
  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  applier_init (&applier, store, now, &stats);
  for (guint i = 0; i < parked->len; i++)
    {
      if (!applier_add (&applier, g_ptr_array_index (parked, i), error))
        goto fail;
    }
  if (!applier_flush (&applier, error))
    goto fail;
  applier_clear (&applier);
  stmt = stp_store_prepare (store, "DELETE FROM parked_changes WHERE id = ?", error);
  if (stmt == NULL)
    goto fail;
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      if (!step_done (store, stmt, error))
        goto fail;
    }
  return stp_store_transaction_commit (&tx, error);

fail:
  applier_clear (&applier);
  return FALSE;
}

/* --- Conflicts ------------------------------------------------------------ */

static void
find_resident (StpStore     *store,
               const char   *table,
               const char   *row_id,
               char        **out_id,
               char        **out_name)
{
  const StpKindInfo *info = stp_kind_info_for_table (table);
  g_autofree char *resident_id = NULL;
  sqlite3_stmt *stmt;

  if (info == NULL)
    return;
  if (info->kind == STP_KIND_RESIDENT)
    resident_id = g_strdup (row_id);
  else if (stp_kind_info_find_field (info, "resident_id") != NULL)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT resident_id FROM \"%s\" WHERE id = ?",
                                              info->table);
      stmt = stp_store_prepare (store, sql, NULL);
      if (stmt == NULL)
        return;
      sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        resident_id = dup_column_text (stmt, 0);
      sqlite3_reset (stmt);
    }
  if (resident_id == NULL)
    return;

  stmt = stp_store_prepare (store,
                            "SELECT trim (coalesce (surname, '') || ' ' || coalesce (name, '') "
                            "|| ' ' || coalesce (patronymic, '')) FROM residents WHERE id = ?",
                            NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_text (stmt, 1, resident_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *out_name = dup_column_text (stmt, 0);
  sqlite3_reset (stmt);
  *out_id = g_steal_pointer (&resident_id);
}

GPtrArray *
stp_sync_store_list_conflicts (StpStore    *store,
                               StpSession  *session,
                               GError     **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) conflicts = NULL;
  gboolean restricted;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;
  restricted = stp_session_can (session, STP_PERMISSION_READ_RESTRICTED);

  stmt = stp_store_prepare (store,
                            "SELECT id, tbl, row_id, field, winner_value, winner_hlc, winner_device, "
                            "loser_value, loser_hlc, loser_device, detected_at FROM conflicts "
                            "WHERE resolved_at IS NULL ORDER BY id DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_conflict_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpConflict *c = g_new0 (StpConflict, 1);

      c->id = sqlite3_column_int64 (stmt, 0);
      c->table = dup_column_text (stmt, 1);
      c->row_id = dup_column_text (stmt, 2);
      c->field = dup_column_text (stmt, 3);
      c->winner_value = dup_column_text (stmt, 4);
      c->winner_hlc = (guint64) sqlite3_column_int64 (stmt, 5);
      c->winner_device = dup_column_text (stmt, 6);
      c->loser_value = dup_column_text (stmt, 7);
      c->loser_hlc = (guint64) sqlite3_column_int64 (stmt, 8);
      c->loser_device = dup_column_text (stmt, 9);
      c->detected_at = dup_column_text (stmt, 10);
      c->winner_usec = (gint64) STP_HLC_MILLIS (c->winner_hlc) * 1000;
      c->loser_usec = (gint64) STP_HLC_MILLIS (c->loser_hlc) * 1000;
      g_ptr_array_add (conflicts, c);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (store, error);
      return NULL;
    }

  /* Second pass: the statement above is reset before other queries run. */
  for (guint i = 0; i < conflicts->len; i++)
    {
      StpConflict *c = g_ptr_array_index (conflicts, i);
      const StpKindInfo *info = stp_kind_info_for_table (c->table);
      const StpFieldInfo *fi = info ? stp_kind_info_find_field (info, c->field) : NULL;

      c->field_label = g_strdup (fi && fi->label ? fi->label : c->field);
      if (fi != NULL && (fi->flags & (STP_FIELD_SECRET | STP_FIELD_HEALTH)) != 0
          && (!restricted || (fi->flags & STP_FIELD_SECRET) != 0))
        {
          c->hidden = TRUE;
          g_clear_pointer (&c->winner_value, g_free);
          g_clear_pointer (&c->loser_value, g_free);
        }
      find_resident (store, c->table, c->row_id, &c->resident_id, &c->resident_name);
    }

  return g_steal_pointer (&conflicts);
}

gboolean
stp_sync_store_resolve_conflict (StpStore    *store,
                                 StpSession  *session,
                                 gint64       conflict_id,
                                 gboolean     keep_loser,
                                 GError     **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  sqlite3_stmt *stmt;
  g_autofree char *table = NULL;
  g_autofree char *row_id = NULL;
  g_autofree char *field = NULL;
  g_autofree char *loser_value = NULL;
  g_autofree char *now = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_EDIT_CARE, error))
    return FALSE;

  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  stmt = stp_store_prepare (store,
                            "SELECT tbl, row_id, field, loser_value FROM conflicts "
                            "WHERE id = ? AND resolved_at IS NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, conflict_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      found = TRUE;
      table = dup_column_text (stmt, 0);
      row_id = dup_column_text (stmt, 1);
      field = dup_column_text (stmt, 2);
      loser_value = dup_column_text (stmt, 3);
    }
  sqlite3_reset (stmt);
  if (!found)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                   _("The conflict was already resolved or does not exist"));
      return FALSE;
    }

  if (keep_loser)
    {
      const StpKindInfo *info = stp_kind_info_for_table (table);
      const char *column = known_column (info, field);

      if (column == NULL)
        {
          g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                       _("This version of the program does not know the field"));
          return FALSE;
        }
      if (!stp_store_write_field (store, info->table, row_id, column, loser_value, error))
        return FALSE;
    }

  now = stp_format_moment (stp_store_now (store));
  stmt = stp_store_prepare (store,
                            "UPDATE conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  bind_text_or_null (stmt, 2, stp_session_get_login (session));
  sqlite3_bind_int64 (stmt, 3, conflict_id);
  if (!step_done (store, stmt, error))
    return FALSE;

  return stp_store_transaction_commit (&tx, error);
}

/* --- Canonical hash ------------------------------------------------------- */

char *
stp_sync_store_canonical_hash (StpStore *store)
{
  g_autoptr(GChecksum) sum = NULL;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  sum = g_checksum_new (G_CHECKSUM_SHA256);
  for (int kind = 0; kind < STP_N_KINDS; kind++)
    {
      const StpKindInfo *info = stp_kind_info ((StpRecordKind) kind);
      g_autoptr(GString) sql = NULL;
      sqlite3_stmt *stmt;

      if (info == NULL)
        continue;
      /* Columns in descriptor order, then the tombstone; rows by id. */
      sql = g_string_new ("SELECT id, deleted");
      for (guint f = 0; f < info->n_fields; f++)
        g_string_append_printf (sql, ", \"%s\"", info->fields[f].name);
      g_string_append_printf (sql, " FROM \"%s\" ORDER BY id", info->table);
      stmt = stp_store_prepare (store, sql->str, NULL);
      if (stmt == NULL)
        return NULL;
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          int n = sqlite3_column_count (stmt);

          g_checksum_update (sum, (const guchar *) info->table, -1);
          g_checksum_update (sum, (const guchar *) "\x1e", 1);
          for (int c = 0; c < n; c++)
            {
              const char *name = sqlite3_column_name (stmt, c);
              const char *text = (const char *) sqlite3_column_text (stmt, c);

              g_checksum_update (sum, (const guchar *) name, -1);
              if (text == NULL)
                g_checksum_update (sum, (const guchar *) "\x1f\x01", 2);
              else
                {
                  g_checksum_update (sum, (const guchar *) "\x1f", 1);
                  g_checksum_update (sum, (const guchar *) text, -1);
                }
              g_checksum_update (sum, (const guchar *) "\x1d", 1);
            }
        }
      sqlite3_reset (stmt);
    }

  return g_strdup (g_checksum_get_string (sum));
}

gboolean
stp_sync_store_audit_run (StpStore    *store,
                          const char  *detail,
                          GError     **error)
{
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (detail != NULL, FALSE);

  return stp_store_audit_login (store, NULL, STP_AUDIT_SYNC, NULL, NULL, detail, error);
}
