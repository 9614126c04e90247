/* stp-sync-store-apply.c: (sync store) applying other devices' changes:
 * last writer wins per field by HLC, a conflict row when a local change
 * lost, changes for unknown tables or fields parked until an update knows
 * them, and the rows written in few statements per page (PageApplier). */
#define G_LOG_DOMAIN "stp-sync-store"

#include "config.h"

#include "stp-sync-store.h"
#include "stp-sync-store-private.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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
  _stp_sync_store_bind_text (stmt, 4, change->value);
  sqlite3_bind_int64 (stmt, 5, (gint64) change->hlc);
  sqlite3_bind_text (stmt, 6, change->device ? change->device : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, (gint64) change->base_hlc);
  _stp_sync_store_bind_text (stmt, 8, change->base_device);
  sqlite3_bind_text (stmt, 9, now, -1, SQLITE_TRANSIENT);
  return _stp_sync_store_step (store, stmt, error);
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
      *out_base_device = _stp_sync_store_column_text (stmt, 1);
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
  _stp_sync_store_bind_text (stmt, 4, winner_value);
  sqlite3_bind_int64 (stmt, 5, (gint64) winner_hlc);
  sqlite3_bind_text (stmt, 6, winner_device, -1, SQLITE_TRANSIENT);
  _stp_sync_store_bind_text (stmt, 7, loser_value);
  sqlite3_bind_int64 (stmt, 8, (gint64) loser_hlc);
  sqlite3_bind_text (stmt, 9, loser_device, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 10, now, -1, SQLITE_TRANSIENT);
  if (!_stp_sync_store_step (store, stmt, error))
    return FALSE;
  *out_written = sqlite3_changes (stp_store_get_db (store)) > 0;
  return TRUE;
}

/* A change made on top of the value a conflict kept (someone saw it and
 * chose, on another computer: resolving writes the chosen value as a new
 * change) settles that conflict here too.  resolved_by stays NULL: the
 * choice was made elsewhere. */
static gboolean
settle_conflicts (StpStore    *store,
                  const char  *table,
                  const char  *row_id,
                  const char  *field,
                  guint64      winner_hlc,
                  const char  *winner_device,
                  const char  *now,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = stp_store_prepare (store,
                            "UPDATE conflicts SET resolved_at = ?1, resolved_by = NULL "
                            "WHERE tbl = ?2 AND row_id = ?3 AND field = ?4 AND resolved_at IS NULL "
                            "AND winner_hlc = ?5 AND winner_device = ?6",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, table, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, row_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, field, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, (gint64) winner_hlc);
  _stp_sync_store_bind_text (stmt, 6, winner_device);
  return _stp_sync_store_step (store, stmt, error);
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
} IncomingField;

typedef struct
{
  const StpKindInfo *info;
  char              *row_id;
  gboolean           exists;
  GHashTable        *fields;   /* column name (descriptor string) -> IncomingField */
} RowState;

typedef struct
{
  StpStore      *store;
  const char    *now;
  StpApplyStats *stats;
  GHashTable    *rows;         /* "table\x1frow" -> RowState */
  GPtrArray     *order;        /* RowState, first seen first */
} PageApplier;

static void
incoming_field_free (IncomingField *fs)
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

static IncomingField *
row_field (RowState   *row,
           const char *column)
{
  IncomingField *fs = g_hash_table_lookup (row->fields, column);

  if (fs == NULL)
    {
      fs = g_new0 (IncomingField, 1);
      g_hash_table_insert (row->fields, (gpointer) column, fs);
    }
  return fs;
}

static RowState *
applier_get_row (PageApplier        *applier,
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
                                       (GDestroyNotify) incoming_field_free);

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
          const char *column = _stp_sync_store_known_column (info, sqlite3_column_name (stmt, c));

          if (column != NULL)
            row_field (row, column)->value = _stp_sync_store_column_text (stmt, c);
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
          const char *column = _stp_sync_store_known_column (info, (const char *) sqlite3_column_text (stmt, 0));
          IncomingField *fs;

          if (column == NULL)
            continue;
          fs = row_field (row, column);
          fs->have_version = TRUE;
          fs->hlc = (guint64) sqlite3_column_int64 (stmt, 1);
          g_free (fs->device);
          fs->device = _stp_sync_store_column_text (stmt, 2);
        }
      sqlite3_reset (stmt);
    }

  g_hash_table_insert (applier->rows, g_steal_pointer (&key), row);
  g_ptr_array_add (applier->order, row);
  return row;
}

static gboolean
applier_add (PageApplier      *applier,
             const StpChange  *change,
             GError          **error)
{
  StpApplyStats *stats = applier->stats;
  const StpKindInfo *info;
  const char *column;
  RowState *row;
  IncomingField *fs;
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
  column = _stp_sync_store_known_column (info, change->field);
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
      else if (incoming_descends)
        {
          if (!settle_conflicts (applier->store, info->table, change->row_id, column,
                                 fs->hlc, fs->device, applier->now, error))
            return FALSE;
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
            IncomingField *fs)
{
  if (g_str_equal (column, "deleted"))
    sqlite3_bind_int (stmt, idx, is_deleted_value (fs->value) ? 1 : 0);
  else
    _stp_sync_store_bind_text (stmt, idx, fs->value);
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
  IncomingField *fs;

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
insert_rows (PageApplier *applier,
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
  if (!_stp_sync_store_step (applier->store, stmt, error))
    return FALSE;
  for (guint r = 0; r < n; r++)
    rows[r]->exists = TRUE;
  return TRUE;
}

static gboolean
update_row (PageApplier *applier,
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
  return _stp_sync_store_step (applier->store, stmt, error);
}

typedef struct
{
  RowState   *row;
  const char *column;
} VersionRef;

static gboolean
write_versions (PageApplier *applier,
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
      IncomingField *fs = g_hash_table_lookup (refs[i].row->fields, refs[i].column);

      sqlite3_bind_text (stmt, idx++, refs[i].row->info->table, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, idx++, refs[i].row->row_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, idx++, refs[i].column, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, idx++, (gint64) fs->hlc);
      sqlite3_bind_text (stmt, idx++, fs->device, -1, SQLITE_TRANSIENT);
    }
  return _stp_sync_store_step (applier->store, stmt, error);
}

static gboolean
applier_flush (PageApplier *applier,
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
      ((IncomingField *) g_hash_table_lookup (ref->row->fields, ref->column))->dirty = FALSE;
    }
  return TRUE;
}

static void
applier_init (PageApplier   *applier,
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
applier_clear (PageApplier *applier)
{
  g_clear_pointer (&applier->order, g_ptr_array_unref);
  g_clear_pointer (&applier->rows, g_hash_table_unref);
}

/* Applies @changes inside the caller's transaction: last writer wins per
 * field, in few statements; adds to @stats. */
static gboolean
apply_all (StpStore       *store,
           GPtrArray      *changes,
           StpApplyStats  *stats,
           GError        **error)
{
  g_autofree char *now = stp_format_moment (stp_store_now (store));
  PageApplier applier;
  gboolean ok = TRUE;

  applier_init (&applier, store, now, stats);
  for (guint i = 0; ok && i < changes->len; i++)
    ok = applier_add (&applier, g_ptr_array_index (changes, i), error);
  if (ok)
    ok = applier_flush (&applier, error);
  applier_clear (&applier);
  return ok;
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

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A worker's connection has a small page cache (stp-store-open.c); bulk
   * writes to every index want the window's size. */
  stp_store_exec (store, "PRAGMA cache_size = -16000", NULL);
  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  if (!apply_all (store, changes, &stats, error))
    return FALSE;
  if (cursor_key != NULL && !_stp_sync_store_write_cursor (store, cursor_key, new_cursor, error))
    return FALSE;
  if (!stp_store_transaction_commit (&tx, error))
    return FALSE;

  if (out != NULL)
    *out = stats;
  return TRUE;
}

gboolean
stp_sync_store_apply_parked_batch (StpStore       *store,
                                   gint64          id,
                                   GPtrArray      *changes,
                                   StpApplyStats  *out,
                                   GError        **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  StpApplyStats stats = { 0, };
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (changes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  if (!apply_all (store, changes, &stats, error))
    return FALSE;
  stmt = stp_store_prepare (store, "DELETE FROM parked_batches WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_stp_sync_store_step (store, stmt, error))
    return FALSE;
  if (!stp_store_transaction_commit (&tx, error))
    return FALSE;
  if (out != NULL)
    *out = stats;
  return TRUE;
}

gboolean
stp_sync_store_retry_parked (StpStore  *store,
                             GError   **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) parked = NULL;
  g_autoptr(GArray) ids = NULL;
  StpApplyStats stats = { 0, };
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

      change->table = _stp_sync_store_column_text (stmt, 1);
      change->row_id = _stp_sync_store_column_text (stmt, 2);
      change->field = _stp_sync_store_column_text (stmt, 3);
      change->value = _stp_sync_store_column_text (stmt, 4);
      change->hlc = (guint64) sqlite3_column_int64 (stmt, 5);
      change->device = _stp_sync_store_column_text (stmt, 6);
      change->base_hlc = (guint64) sqlite3_column_int64 (stmt, 7);
      change->base_device = _stp_sync_store_column_text (stmt, 8);

      info = stp_kind_info_for_table (change->table);
      if (_stp_sync_store_known_column (info, change->field) == NULL
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

  if (!stp_store_transaction_begin (&tx, store, error))
    return FALSE;
  if (!apply_all (store, parked, &stats, error))
    return FALSE;
  stmt = stp_store_prepare (store, "DELETE FROM parked_changes WHERE id = ?", error);
  if (stmt == NULL)
    return FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_bind_int64 (stmt, 1, g_array_index (ids, gint64, i));
      if (!_stp_sync_store_step (store, stmt, error))
        return FALSE;
    }
  return stp_store_transaction_commit (&tx, error);
}

