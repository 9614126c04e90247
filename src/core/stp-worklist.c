/* stp-worklist.c: the working lists «Катамнез» and «Направления» grouped
 * per resident.  One query each, ordered overdue first; the rows are
 * gathered into groups in the order their residents first appear. */
#define G_LOG_DOMAIN "stp-worklist"

#include "config.h"

#include "stp-worklist.h"
#include "stp-error.h"
#include "stp-query-private.h"

#include <string.h>

void
stp_work_group_free (StpWorkGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->resident_id);
  g_free (group->resident_name);
  g_free (group->file_number);
  g_free (group->responsible_user_id);
  g_free (group->responsible_name);
  g_clear_pointer (&group->items, g_ptr_array_unref);
  g_free (group);
}

void
stp_work_groups_count (GPtrArray     *groups,
                       StpWorkCounts *counts)
{
  g_return_if_fail (counts != NULL);

  memset (counts, 0, sizeof *counts);
  for (guint i = 0; groups != NULL && i < groups->len; i++)
    {
      StpWorkGroup *group = g_ptr_array_index (groups, i);

      counts->n_residents++;
      counts->n_items += group->items->len;
      counts->n_overdue += group->n_overdue;
    }
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static void
bind_or_null (sqlite3_stmt *stmt,
              int           index,
              const char   *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* The group of the row's resident, made at its first row.  The columns
 * from @first: surname, name, patronymic, file number, responsible id,
 * responsible name. */
static StpWorkGroup *
group_for_row (GPtrArray      *groups,
               GHashTable     *by_resident,
               const char     *resident_id,
               sqlite3_stmt   *stmt,
               int             first,
               GDestroyNotify  free_item)
{
  StpWorkGroup *group = g_hash_table_lookup (by_resident, resident_id != NULL ? resident_id : "");

  if (group != NULL)
    return group;

  group = g_new0 (StpWorkGroup, 1);
  group->resident_id = g_strdup (resident_id);
  group->resident_name = stp_query_join_name (stmt, first);
  group->file_number = column_dup (stmt, first + 3);
  group->responsible_user_id = column_dup (stmt, first + 4);
  group->responsible_name = column_dup (stmt, first + 5);
  group->items = g_ptr_array_new_with_free_func (free_item);
  g_hash_table_insert (by_resident, g_strdup (resident_id != NULL ? resident_id : ""), group);
  g_ptr_array_add (groups, group);
  return group;
}

/* Makes one item from the row; sets its resident and whether it is
 * overdue.  @next is the first column after the record's. */
typedef gpointer (*ItemFromRow) (StpSession          *session,
                                 const StpWorkFilter *filter,
                                 sqlite3_stmt        *stmt,
                                 int                 *next,
                                 const char         **resident_id,
                                 gboolean            *overdue);

/* Steps @stmt to its end and groups its items by resident, in the
 * order of each resident's first row. */
static GPtrArray *
walk_groups (StpStore            *self,
             StpSession          *session,
             const StpWorkFilter *filter,
             sqlite3_stmt        *stmt,
             ItemFromRow          item_from_row,
             GDestroyNotify       free_item,
             GError             **error)
{
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_work_group_free);
  g_autoptr(GHashTable) by_resident = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *resident_id = NULL;
      gboolean overdue = FALSE;
      int next = 0;
      gpointer item = item_from_row (session, filter, stmt, &next, &resident_id, &overdue);
      StpWorkGroup *group = group_for_row (groups, by_resident, resident_id, stmt, next, free_item);

      if (overdue)
        group->n_overdue++;
      g_ptr_array_add (group->items, item);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&groups);
}

static gpointer
follow_up_from_row (StpSession          *session,
                    const StpWorkFilter *filter,
                    sqlite3_stmt        *stmt,
                    int                 *next,
                    const char         **resident_id,
                    gboolean            *overdue)
{
  StpFollowUpDue *due = g_new0 (StpFollowUpDue, 1);

  due->follow_up = stp_query_record_from_stmt (STP_KIND_FOLLOW_UP, session, stmt, 0, next);
  due->resident_name = stp_query_join_name (stmt, *next);
  due->file_number = column_dup (stmt, *next + 3);
  due->overdue = due->follow_up->due_on != NULL && strcmp (due->follow_up->due_on, filter->today) < 0;
  *resident_id = due->follow_up->resident_id;
  *overdue = due->overdue;
  return due;
}

static gpointer
referral_from_row (StpSession          *session,
                   const StpWorkFilter *filter,
                   sqlite3_stmt        *stmt,
                   int                 *next,
                   const char         **resident_id,
                   gboolean            *overdue)
{
  StpReferralItem *item = g_new0 (StpReferralItem, 1);

  item->referral = stp_query_record_from_stmt (STP_KIND_REFERRAL, session, stmt, 0, next);
  item->resident_name = stp_query_join_name (stmt, *next);
  item->file_number = column_dup (stmt, *next + 3);
  item->overdue = sqlite3_column_int (stmt, *next + 6) != 0;
  *resident_id = item->referral->resident_id;
  *overdue = item->overdue;
  return item;
}

GPtrArray *
stp_store_list_follow_up_groups (StpStore            *self,
                                 StpSession          *session,
                                 const StpWorkFilter *filter,
                                 GError             **error)
{
  g_autofree char *columns = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (filter != NULL && filter->today != NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;

  columns = stp_query_record_columns (STP_KIND_FOLLOW_UP, "f");
  /* Whose the follow-up is: its episode's specialist, else the one of
   * the resident's newest episode. */
#define WHO "coalesce (e.responsible_user_id, s.responsible_user_id)"
  sql = g_strdup_printf ("SELECT %s, r.surname, r.name, r.patronymic, r.file_number,"
                         " " WHO ", u.full_name"
                         " FROM follow_ups f"
                         " LEFT JOIN residents r ON r.id = f.resident_id"
                         " LEFT JOIN episodes e ON e.id = f.episode_id"
                         " LEFT JOIN resident_summaries s ON s.resident_id = f.resident_id"
                         " LEFT JOIN users u ON u.id = " WHO
                         " WHERE f.done_on IS NULL AND f.deleted = 0"
                         " AND (f.outcome IS NULL OR f.outcome = ?4)"
                         " AND coalesce (r.deleted, 0) = 0"
                         " AND (f.due_on < ?1 OR ((?2 IS NULL OR f.due_on >= ?2)"
                         "                        AND (?3 IS NULL OR f.due_on <= ?3)))"
                         " AND (?5 IS NULL OR " WHO " = ?5)"
                         " ORDER BY f.due_on < ?1 DESC, f.due_on, r.surname, r.name, f.id",
                         columns);
#undef WHO
  stmt = stp_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, filter->today, -1, SQLITE_TRANSIENT);
  bind_or_null (stmt, 2, filter->from);
  bind_or_null (stmt, 3, filter->until);
  sqlite3_bind_text (stmt, 4, stp_enum_to_code (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_PENDING),
                     -1, SQLITE_TRANSIENT);
  bind_or_null (stmt, 5, filter->responsible_user_id);

  return walk_groups (self, session, filter, stmt, follow_up_from_row,
                      (GDestroyNotify) stp_follow_up_due_free, error);
}

GPtrArray *
stp_store_list_referral_groups (StpStore            *self,
                                StpSession          *session,
                                const StpWorkFilter *filter,
                                GError             **error)
{
  g_autofree char *columns = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (filter != NULL && filter->today != NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;

  columns = stp_query_record_columns (STP_KIND_REFERRAL, "f");
  sql = g_strdup_printf ("SELECT %s, r.surname, r.name, r.patronymic, r.file_number,"
                         " s.responsible_user_id, s.responsible_name,"
                         " (f.response_on IS NULL AND f.due_on IS NOT NULL AND f.due_on < ?1) AS overdue,"
                         " (f.response_on IS NULL AND f.due_on IS NOT NULL) AS awaiting"
                         " FROM referrals f"
                         " LEFT JOIN residents r ON r.id = f.resident_id"
                         " LEFT JOIN resident_summaries s ON s.resident_id = f.resident_id"
                         " WHERE f.deleted = 0 AND coalesce (r.deleted, 0) = 0"
                         " AND ((f.response_on IS NULL AND f.due_on IS NOT NULL AND f.due_on < ?1)"
                         "      OR ((?2 IS NULL OR f.sent_on >= ?2) AND (?3 IS NULL OR f.sent_on <= ?3)))"
                         " AND (?4 IS NULL OR s.responsible_user_id = ?4)"
                         /* Overdue, then awaiting an answer (the nearest due first),
                          * then the rest, newest first. */
                         " ORDER BY overdue DESC, awaiting DESC,"
                         " CASE WHEN awaiting THEN f.due_on END, f.sent_on DESC, f.created_at DESC, f.id",
                         columns);
  stmt = stp_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, filter->today, -1, SQLITE_TRANSIENT);
  bind_or_null (stmt, 2, filter->from);
  bind_or_null (stmt, 3, filter->until);
  bind_or_null (stmt, 4, filter->responsible_user_id);

  return walk_groups (self, session, filter, stmt, referral_from_row,
                      (GDestroyNotify) stp_referral_item_free, error);
}

static gboolean
count_one (StpStore    *self,
           const char  *sql,
           const char  *today,
           const char  *pending,
           guint       *out,
           GError     **error)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, today, -1, SQLITE_TRANSIENT);
  if (pending != NULL)
    sqlite3_bind_text (stmt, 2, pending, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = (guint) sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      stp_store_set_sqlite_error (self, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
stp_store_count_overdue_work (StpStore         *self,
                              StpSession       *session,
                              const char       *today,
                              StpOverdueCounts *counts,
                              GError          **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (session != NULL, FALSE);
  g_return_val_if_fail (today != NULL, FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof *counts);
  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return FALSE;

  /* The same rows as the lists' overdue ones; the partial indexes of
   * what is not done or not answered keep them cheap. */
  return count_one (self,
                    "SELECT count(*) FROM follow_ups f INDEXED BY follow_ups_due"
                    " WHERE f.done_on IS NULL AND f.due_on < ?1 AND f.deleted = 0"
                    " AND (f.outcome IS NULL OR f.outcome = ?2)"
                    " AND f.resident_id NOT IN (SELECT id FROM residents WHERE deleted <> 0)",
                    today, stp_enum_to_code (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_PENDING),
                    &counts->follow_ups, error)
         && count_one (self,
                       "SELECT count(*) FROM referrals f INDEXED BY referrals_due"
                       " WHERE f.response_on IS NULL AND f.due_on IS NOT NULL AND f.due_on < ?1"
                       " AND f.deleted = 0"
                       " AND f.resident_id NOT IN (SELECT id FROM residents WHERE deleted <> 0)",
                       today, NULL, &counts->referrals, error);
}
