/* stp-sync-store-conflicts.c: (sync store) listing the conflicts sync
 * found, with whose record they are, and resolving one by writing the
 * chosen value as a new local change. */
#define G_LOG_DOMAIN "stp-sync-store"

#include "config.h"

#include "stp-sync-store.h"
#include "stp-sync-store-private.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

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
        resident_id = _stp_sync_store_column_text (stmt, 0);
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
    *out_name = _stp_sync_store_column_text (stmt, 0);
  sqlite3_reset (stmt);
  *out_id = g_steal_pointer (&resident_id);
}

/* The value of @column in @table now (NULL when empty or no row). */
static gboolean
read_current_value (StpStore    *store,
                    const char  *table,
                    const char  *row_id,
                    const char  *column,
                    char       **out_value,
                    GError     **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT \"%s\" FROM \"%s\" WHERE id = ?", column, table);
  sqlite3_stmt *stmt = stp_store_prepare (store, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, row_id, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    *out_value = _stp_sync_store_column_text (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

/* Conflicts matching @where (SQL text, with ?1 bound to @since when not
 * NULL), in @order. */
static GPtrArray *
list_conflicts (StpStore    *store,
                StpSession  *session,
                const char  *where,
                const char  *since,
                GError     **error)
{
  sqlite3_stmt *stmt;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autofree char *sql = NULL;
  gboolean restricted;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;
  restricted = stp_session_can (session, STP_PERMISSION_READ_RESTRICTED);

  sql = g_strdup_printf ("SELECT id, tbl, row_id, field, winner_value, winner_hlc, winner_device, "
                         "loser_value, loser_hlc, loser_device, detected_at, resolved_at, resolved_by "
                         "FROM conflicts WHERE %s", where);
  stmt = stp_store_prepare (store, sql, error);
  if (stmt == NULL)
    return NULL;
  if (since != NULL)
    sqlite3_bind_text (stmt, 1, since, -1, SQLITE_TRANSIENT);
  conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_conflict_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpConflict *c = g_new0 (StpConflict, 1);

      c->id = sqlite3_column_int64 (stmt, 0);
      c->table = _stp_sync_store_column_text (stmt, 1);
      c->row_id = _stp_sync_store_column_text (stmt, 2);
      c->field = _stp_sync_store_column_text (stmt, 3);
      c->winner_value = _stp_sync_store_column_text (stmt, 4);
      c->winner_hlc = (guint64) sqlite3_column_int64 (stmt, 5);
      c->winner_device = _stp_sync_store_column_text (stmt, 6);
      c->loser_value = _stp_sync_store_column_text (stmt, 7);
      c->loser_hlc = (guint64) sqlite3_column_int64 (stmt, 8);
      c->loser_device = _stp_sync_store_column_text (stmt, 9);
      c->detected_at = _stp_sync_store_column_text (stmt, 10);
      c->resolved_at = _stp_sync_store_column_text (stmt, 11);
      c->resolved_by = _stp_sync_store_column_text (stmt, 12);
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
      const char *column = _stp_sync_store_known_column (info, c->field);

      c->field_label = g_strdup (fi && fi->label ? fi->label : c->field);
      if (fi != NULL && (fi->flags & (STP_FIELD_SECRET | STP_FIELD_HEALTH)) != 0
          && (!restricted || (fi->flags & STP_FIELD_SECRET) != 0))
        {
          c->hidden = TRUE;
          g_clear_pointer (&c->winner_value, g_free);
          g_clear_pointer (&c->loser_value, g_free);
        }
      else if (c->resolved_at != NULL && column != NULL
               && !read_current_value (store, info->table, c->row_id, column, &c->current_value, error))
        return NULL;
      find_resident (store, c->table, c->row_id, &c->resident_id, &c->resident_name);
    }

  return g_steal_pointer (&conflicts);
}

GPtrArray *
stp_sync_store_list_conflicts (StpStore    *store,
                               StpSession  *session,
                               GError     **error)
{
  return list_conflicts (store, session, "resolved_at IS NULL ORDER BY id DESC", NULL, error);
}

GPtrArray *
stp_sync_store_list_resolved_conflicts (StpStore    *store,
                                        StpSession  *session,
                                        gint64       since_usec,
                                        GError     **error)
{
  g_autofree char *since = stp_format_moment (since_usec);

  return list_conflicts (store, session,
                         "resolved_at IS NOT NULL AND resolved_at >= ?1 ORDER BY resolved_at DESC, id DESC",
                         since, error);
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
      table = _stp_sync_store_column_text (stmt, 0);
      row_id = _stp_sync_store_column_text (stmt, 1);
      field = _stp_sync_store_column_text (stmt, 2);
      loser_value = _stp_sync_store_column_text (stmt, 3);
    }
  sqlite3_reset (stmt);
  if (!found)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                   _("The conflict was already resolved or does not exist"));
      return FALSE;
    }

  /* Either choice is written as a new change made on top of the value in
   * effect: other computers that found the same conflict see it settled
   * when the change arrives (stp-sync-store-apply.c, settle_conflicts). */
  {
    const StpKindInfo *info = stp_kind_info_for_table (table);
    const char *column = _stp_sync_store_known_column (info, field);
    g_autofree char *chosen = NULL;

    if (column == NULL)
      {
        g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                     _("This version of the program does not know the field"));
        return FALSE;
      }
    if (keep_loser)
      chosen = g_strdup (loser_value);
    else if (!read_current_value (store, info->table, row_id, column, &chosen, error))
      return FALSE;
    if (!stp_store_write_field (store, info->table, row_id, column, chosen, error))
      return FALSE;
  }

  now = stp_format_moment (stp_store_now (store));
  stmt = stp_store_prepare (store,
                            "UPDATE conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, now, -1, SQLITE_TRANSIENT);
  _stp_sync_store_bind_text (stmt, 2, stp_session_get_login (session));
  sqlite3_bind_int64 (stmt, 3, conflict_id);
  if (!_stp_sync_store_step (store, stmt, error))
    return FALSE;

  return stp_store_transaction_commit (&tx, error);
}

