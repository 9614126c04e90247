/* stp-stats.c: the numbers of the center report for a period (DOMAIN.md,
 * report 2), all counted in SQL.  Periods are inclusive on both ends;
 * residents with a tombstone are left out everywhere. */
#define G_LOG_DOMAIN "stp-stats"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-stats.h"
#include "stp-error.h"
#include "stp-store-private.h"

#include <string.h>

/* Rows whose resident has no tombstone (the partial index of deleted
 * residents is tiny, so this costs nothing per row). */
#define LIVE(column) \
  " " column " NOT IN (SELECT id FROM residents INDEXED BY residents_deleted WHERE deleted <> 0) "

/* Residents with an episode that overlaps the period (?1..?2), in id
 * order; two index ranges instead of a scan of every episode. */
#define ACTIVE_RESIDENTS \
  " a AS MATERIALIZED (SELECT id FROM" \
  " (SELECT resident_id AS id FROM episodes" \
  "  WHERE discharged_on >= ?1 AND deleted = 0 AND admitted_on <= ?2" \
  "  UNION SELECT resident_id FROM episodes" \
  "  WHERE discharged_on IS NULL AND deleted = 0 AND admitted_on <= ?2)" \
  " WHERE" LIVE ("id") ") "

typedef struct
{
  StpStore       *store;
  StpCenterStats *stats;
  const char     *section;
  const char     *section_label;
} Builder;

static void
stat_row_free (StpStatRow *row)
{
  g_free (row->section);
  g_free (row->section_label);
  g_free (row->key);
  g_free (row->label);
  g_free (row);
}

void
stp_center_stats_free (StpCenterStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->from);
  g_free (stats->to);
  g_clear_pointer (&stats->rows, g_ptr_array_unref);
  g_free (stats);
}

gint64
stp_center_stats_get (StpCenterStats *stats,
                      const char     *section,
                      const char     *key)
{
  g_return_val_if_fail (stats != NULL, -1);
  g_return_val_if_fail (section != NULL, -1);
  g_return_val_if_fail (key != NULL, -1);

  for (guint i = 0; i < stats->rows->len; i++)
    {
      StpStatRow *row = g_ptr_array_index (stats->rows, i);

      if (strcmp (row->section, section) == 0 && strcmp (row->key, key) == 0)
        return row->value;
    }
  return -1;
}

static void
begin_section (Builder    *b,
               const char *section,
               const char *label)
{
  b->section = section;
  b->section_label = label;
}

/* @label is translated already. */
static void
add_row (Builder    *b,
         const char *key,
         const char *label,
         gint64      value)
{
  StpStatRow *row = g_new0 (StpStatRow, 1);

  row->section = g_strdup (b->section);
  row->section_label = g_strdup (g_dpgettext2 (GETTEXT_PACKAGE, "stats", b->section_label));
  row->key = g_strdup (key);
  row->label = g_strdup (label);
  row->value = value;
  g_ptr_array_add (b->stats->rows, row);
}

static sqlite3_stmt *
prepare_period (Builder    *b,
                const char *sql,
                GError    **error)
{
  sqlite3_stmt *stmt = stp_store_prepare (b->store, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, b->stats->from, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, b->stats->to, -1, SQLITE_TRANSIENT);
  return stmt;
}

static void
bind_code (sqlite3_stmt *stmt,
           int           index,
           StpEnumType   type,
           int           value)
{
  sqlite3_bind_text (stmt, index, stp_enum_to_code (type, value), -1, SQLITE_TRANSIENT);
}

static gboolean
finish (Builder      *b,
        sqlite3_stmt *stmt,
        int           rc,
        GError      **error)
{
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      stp_store_set_sqlite_error (b->store, error);
      return FALSE;
    }
  return TRUE;
}

/* Runs a "SELECT key, count" query into a table (NULL keys as ""). */
static GHashTable *
count_by_key (Builder      *b,
              sqlite3_stmt *stmt,
              GError      **error)
{
  g_autoptr(GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *key = (const char *) sqlite3_column_text (stmt, 0);
      gint64 value = sqlite3_column_int64 (stmt, 1);
      gint64 old = GPOINTER_TO_SIZE (g_hash_table_lookup (counts, key != NULL ? key : ""));

      g_hash_table_insert (counts, g_strdup (key != NULL ? key : ""),
                           GSIZE_TO_POINTER ((gsize) (old + value)));
    }
  if (!finish (b, stmt, rc, error))
    return NULL;
  return g_steal_pointer (&counts);
}

static gint64
lookup_count (GHashTable *counts,
              const char *key)
{
  return (gint64) GPOINTER_TO_SIZE (g_hash_table_lookup (counts, key));
}

/* One row per value of @type from @first on (in enum order), plus "total"
 * of those values and of unknown codes. */
static void
add_enum_rows (Builder     *b,
               GHashTable  *counts,
               StpEnumType  type,
               int          first,
               gboolean     with_total)
{
  const StpEnumItem *items = stp_enum_get_items (type);
  gint64 total = 0;
  GHashTableIter iter;
  gpointer key, value;

  for (guint i = 0; items[i].code != NULL; i++)
    {
      if (items[i].value < first)
        continue;
      add_row (b, items[i].code, stp_enum_to_label (type, items[i].value),
               lookup_count (counts, items[i].code));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int v = stp_enum_from_code (type, key);

      if (v < 0 || v >= first)
        total += (gint64) GPOINTER_TO_SIZE (value);
    }
  if (with_total)
    add_row (b, "total", C_("stats", "Total"), total);
}

static gboolean
section_by_enum (Builder     *b,
                 const char  *section,
                 const char  *label,
                 const char  *sql,
                 StpEnumType  type,
                 int          first,
                 GError     **error)
{
  g_autoptr(GHashTable) counts = NULL;
  sqlite3_stmt *stmt = prepare_period (b, sql, error);

  if (stmt == NULL)
    return FALSE;
  counts = count_by_key (b, stmt, error);
  if (counts == NULL)
    return FALSE;
  begin_section (b, section, label);
  add_enum_rows (b, counts, type, first, TRUE);
  return TRUE;
}

/* Rows per stage for @counts keyed by stage id: stages of active programs
 * always, other stages when counted; then "no_stage" and "total". */
static gboolean
add_stage_rows (Builder    *b,
                GHashTable *counts,
                gboolean    all_active,
                GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 total = 0;
  int rc;
  GHashTableIter iter;
  gpointer key, value;

  stmt = stp_store_prepare (b->store,
                            "SELECT s.id, s.name, p.name, coalesce (p.active, 0),"
                            " coalesce (s.retired, 0)"
                            " FROM stages s LEFT JOIN programs p ON p.id = s.program_id"
                            " WHERE s.deleted = 0 ORDER BY p.name, s.position, s.id",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *stage = (const char *) sqlite3_column_text (stmt, 1);
      const char *program = (const char *) sqlite3_column_text (stmt, 2);
      gboolean shown = all_active && sqlite3_column_int (stmt, 3) != 0
                       && sqlite3_column_int (stmt, 4) == 0;
      gint64 count = lookup_count (counts, id);
      g_autofree char *label = NULL;

      if (!shown && count == 0)
        continue;
      label = g_strdup_printf ("%s: %s", program != NULL ? program : "—",
                               stage != NULL ? stage : "—");
      add_row (b, id, label, count);
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    total += (gint64) GPOINTER_TO_SIZE (value);
  if (lookup_count (counts, "") > 0)
    add_row (b, "no_stage", C_("stats", "No stage"), lookup_count (counts, ""));
  add_row (b, "total", C_("stats", "Total"), total);
  return TRUE;
}

static gboolean
section_in_program_by_stage (Builder *b,
                             GError **error)
{
  g_autoptr(GHashTable) counts = NULL;
  sqlite3_stmt *stmt;

  /* Episodes running at the end of the period, by the stage entry open
   * then (an entry ended on ?2 gave way to the next one started on ?2). */
  stmt = prepare_period (b,
                         "SELECT se.stage_id, count (DISTINCT e.id) FROM"
                         " (SELECT id, resident_id FROM episodes"
                         "  WHERE discharged_on IS NULL AND deleted = 0 AND admitted_on <= ?2"
                         "  UNION ALL SELECT id, resident_id FROM episodes"
                         "  WHERE discharged_on > ?2 AND deleted = 0 AND admitted_on <= ?2) e"
                         " JOIN stage_entries se ON se.episode_id = e.id AND se.deleted = 0"
                         " AND se.started_on <= ?2 AND (se.ended_on IS NULL OR se.ended_on > ?2)"
                         " WHERE" LIVE ("e.resident_id")
                         " GROUP BY se.stage_id",
                         error);
  if (stmt == NULL)
    return FALSE;
  counts = count_by_key (b, stmt, error);
  if (counts == NULL)
    return FALSE;
  begin_section (b, "in_program_by_stage", NC_("stats", "In the program at the end of the period, by stage"));
  return add_stage_rows (b, counts, TRUE, error);
}

static gboolean
section_dropped_out_by_stage (Builder *b,
                              GError **error)
{
  g_autoptr(GHashTable) counts = NULL;
  sqlite3_stmt *stmt;

  /* The stage of the entry that was open when the resident left. */
  stmt = prepare_period (b,
                         "WITH d AS MATERIALIZED (SELECT (SELECT se.stage_id FROM stage_entries se"
                         "  WHERE se.episode_id = e.id AND se.deleted = 0"
                         "  AND se.started_on <= e.discharged_on"
                         "  ORDER BY se.started_on DESC, se.created_at DESC LIMIT 1) AS st"
                         " FROM episodes e"
                         " WHERE e.discharged_on BETWEEN ?1 AND ?2 AND e.deleted = 0 AND e.status = ?3"
                         " AND" LIVE ("e.resident_id") ")"
                         " SELECT st, count (*) FROM d GROUP BY st",
                         error);
  if (stmt == NULL)
    return FALSE;
  bind_code (stmt, 3, STP_ENUM_EPISODE_STATUS, STP_EPISODE_DROPPED_OUT);
  counts = count_by_key (b, stmt, error);
  if (counts == NULL)
    return FALSE;
  begin_section (b, "dropped_out_by_stage", NC_("stats", "Dropped out, by stage"));
  return add_stage_rows (b, counts, FALSE, error);
}

static gboolean
section_remission (Builder    *b,
                   int         months,
                   GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 due = 0, yes = 0, no = 0, unknown = 0, lost = 0, reached = 0;
  int rc;

  /* Follow-ups of @months whose due date falls in the period. */
  stmt = prepare_period (b,
                         "SELECT count (*),"
                         " total (f.outcome = ?4 AND f.remission = ?5),"
                         " total (f.outcome = ?4 AND f.remission = ?6),"
                         " total (f.outcome = ?4 AND coalesce (f.remission, ?7) = ?7),"
                         " total (f.outcome = ?8),"
                         " total (f.outcome = ?4)"
                         " FROM follow_ups f"
                         " WHERE f.months = ?3 AND f.due_on BETWEEN ?1 AND ?2 AND f.deleted = 0"
                         " AND" LIVE ("f.resident_id"),
                         error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 3, months);
  bind_code (stmt, 4, STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_DONE);
  bind_code (stmt, 5, STP_ENUM_REMISSION, STP_REMISSION_YES);
  bind_code (stmt, 6, STP_ENUM_REMISSION, STP_REMISSION_NO);
  bind_code (stmt, 7, STP_ENUM_REMISSION, STP_REMISSION_UNKNOWN);
  bind_code (stmt, 8, STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_LOST_CONTACT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      due = sqlite3_column_int64 (stmt, 0);
      yes = (gint64) sqlite3_column_double (stmt, 1);
      no = (gint64) sqlite3_column_double (stmt, 2);
      unknown = (gint64) sqlite3_column_double (stmt, 3);
      lost = (gint64) sqlite3_column_double (stmt, 4);
      reached = (gint64) sqlite3_column_double (stmt, 5);
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;

  if (months == 6)
    begin_section (b, "remission_6", NC_("stats", "Remission at 6 months"));
  else
    begin_section (b, "remission_12", NC_("stats", "Remission at 12 months"));
  add_row (b, "yes", C_("stats", "In remission"), yes);
  add_row (b, "no", C_("stats", "Not in remission"), no);
  add_row (b, "unknown", C_("stats", "Remission unknown"), unknown);
  add_row (b, "lost", stp_enum_to_label (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_LOST_CONTACT), lost);
  add_row (b, "pending", C_("stats", "Not done yet"), due - reached - lost);
  add_row (b, "reached", C_("stats", "Reached"), reached);
  add_row (b, "due", C_("stats", "Due in the period"), due);
  add_row (b, "reached_percent", C_("stats", "Reached, %"), due > 0 ? (reached * 100 + due / 2) / due : 0);
  return TRUE;
}

static gboolean
section_resocialization (Builder *b,
                         GError **error)
{
  sqlite3_stmt *stmt;
  gint64 v[6] = { 0, };
  int rc;

  /* Residents with a follow-up done in the period (each counted once). */
  stmt = prepare_period (b,
                         "SELECT count (*), total (employed > 0), total (documents_restored > 0),"
                         " total (returned_to_family > 0), total (housing > 0), total (attends_groups > 0)"
                         " FROM (SELECT max (coalesce (f.employed, 0)) AS employed,"
                         "  max (coalesce (f.documents_restored, 0)) AS documents_restored,"
                         "  max (coalesce (f.returned_to_family, 0)) AS returned_to_family,"
                         "  max (coalesce (f.housing, 0)) AS housing,"
                         "  max (coalesce (f.attends_groups, 0)) AS attends_groups"
                         "  FROM follow_ups f"
                         "  WHERE f.done_on BETWEEN ?1 AND ?2 AND f.deleted = 0 AND f.outcome = ?3"
                         "  AND" LIVE ("f.resident_id") "GROUP BY f.resident_id)",
                         error);
  if (stmt == NULL)
    return FALSE;
  bind_code (stmt, 3, STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_DONE);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    for (int i = 0; i < 6; i++)
      v[i] = (gint64) sqlite3_column_double (stmt, i);
  if (!finish (b, stmt, rc, error))
    return FALSE;

  begin_section (b, "resocialization", NC_("stats", "Resocialization (follow-ups done in the period)"));
  add_row (b, "employed", C_("stats", "Employed"), v[1]);
  add_row (b, "documents_restored", C_("stats", "Documents restored"), v[2]);
  add_row (b, "returned_to_family", C_("stats", "Returned to family"), v[3]);
  add_row (b, "housing", C_("stats", "Have housing"), v[4]);
  add_row (b, "attends_groups", C_("stats", "Attend self-help groups"), v[5]);
  add_row (b, "total", C_("stats", "Residents reached"), v[0]);
  return TRUE;
}

static gboolean
section_families (Builder *b,
                  GError **error)
{
  sqlite3_stmt *stmt;
  gint64 v[7] = { 0, };
  int rc;

  stmt = prepare_period (b,
                         "WITH" ACTIVE_RESIDENTS
                         "SELECT total (n), total (codependent), total (minors > 0 OR minor > 0),"
                         " total (family_status = ?3), total (family_status = ?4),"
                         " total (kdn_informed_on BETWEEN ?1 AND ?2), count (*)"
                         " FROM (SELECT a.id, coalesce (r.minors_in_household, 0) AS minors,"
                         "  r.family_status, r.kdn_informed_on, count (v.resident_id) AS n,"
                         "  total (v.codependent) AS codependent, max (coalesce (v.minor, 0)) AS minor"
                         "  FROM a JOIN residents r INDEXED BY residents_report ON r.id = a.id"
                         "  LEFT JOIN relatives v INDEXED BY relatives_report"
                         "  ON v.resident_id = a.id AND v.deleted = 0"
                         "  GROUP BY a.id)",
                         error);
  if (stmt == NULL)
    return FALSE;
  bind_code (stmt, 3, STP_ENUM_FAMILY_STATUS, STP_FAMILY_STATUS_SOP);
  bind_code (stmt, 4, STP_ENUM_FAMILY_STATUS, STP_FAMILY_STATUS_TZHS);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    for (int i = 0; i < 7; i++)
      v[i] = (gint64) sqlite3_column_double (stmt, i);
  if (!finish (b, stmt, rc, error))
    return FALSE;

  begin_section (b, "families", NC_("stats", "Work with families"));
  add_row (b, "relatives_served", C_("stats", "Relatives served"), v[0]);
  add_row (b, "codependents", C_("stats", "Codependent relatives"), v[1]);
  add_row (b, "families_with_minors", C_("stats", "Families with minors"), v[2]);
  add_row (b, "sop", C_("stats", "Families in a socially dangerous situation"), v[3]);
  add_row (b, "tzhs", C_("stats", "Families in a difficult life situation"), v[4]);
  add_row (b, "kdn_informed", C_("stats", "Commission on minors informed"), v[5]);
  add_row (b, "residents", C_("stats", "Residents in the program during the period"), v[6]);
  return TRUE;
}

static gboolean
section_court (Builder *b,
               GError **error)
{
  g_autoptr(GHashTable) counts = NULL;
  sqlite3_stmt *stmt;
  gint64 total = 0;
  const StpEnumItem *items;
  int rc;

  stmt = prepare_period (b,
                         "SELECT c.basis, count (DISTINCT c.resident_id) FROM court_obligations c"
                         " WHERE c.deleted = 0 AND" LIVE ("c.resident_id")
                         " AND EXISTS (SELECT 1 FROM episodes e WHERE e.resident_id = c.resident_id"
                         "  AND e.admitted_on <= ?2 AND e.deleted = 0"
                         "  AND (e.discharged_on IS NULL OR e.discharged_on >= ?1))"
                         " GROUP BY c.basis",
                         error);
  if (stmt == NULL)
    return FALSE;
  counts = count_by_key (b, stmt, error);
  if (counts == NULL)
    return FALSE;

  stmt = prepare_period (b,
                         "SELECT count (DISTINCT c.resident_id) FROM court_obligations c"
                         " WHERE c.deleted = 0 AND" LIVE ("c.resident_id")
                         " AND EXISTS (SELECT 1 FROM episodes e WHERE e.resident_id = c.resident_id"
                         "  AND e.admitted_on <= ?2 AND e.deleted = 0"
                         "  AND (e.discharged_on IS NULL OR e.discharged_on >= ?1))",
                         error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    total = sqlite3_column_int64 (stmt, 0);
  if (!finish (b, stmt, rc, error))
    return FALSE;

  begin_section (b, "court", NC_("stats", "Court-ordered residents"));
  items = stp_enum_get_items (STP_ENUM_COURT_BASIS);
  for (guint i = 0; items[i].code != NULL; i++)
    add_row (b, items[i].code, stp_enum_to_label (STP_ENUM_COURT_BASIS, items[i].value),
             lookup_count (counts, items[i].code));
  add_row (b, "total", C_("stats", "Total"), total);
  return TRUE;
}

static gboolean
section_referrals (Builder *b,
                   GError **error)
{
  g_autoptr(GHashTable) counts = NULL;
  sqlite3_stmt *stmt;
  gint64 in_time = 0, late = 0, unanswered = 0;
  int rc;

  stmt = prepare_period (b,
                         "SELECT f.agency_kind, count (*) FROM referrals f"
                         " WHERE f.sent_on BETWEEN ?1 AND ?2 AND f.deleted = 0 AND f.direction = ?3"
                         " AND" LIVE ("f.resident_id") "GROUP BY f.agency_kind",
                         error);
  if (stmt == NULL)
    return FALSE;
  bind_code (stmt, 3, STP_ENUM_DIRECTION, STP_DIRECTION_OUTGOING);
  counts = count_by_key (b, stmt, error);
  if (counts == NULL)
    return FALSE;

  stmt = prepare_period (b,
                         "SELECT"
                         " total (f.response_on IS NOT NULL AND (f.due_on IS NULL OR f.response_on <= f.due_on)),"
                         " total (f.response_on IS NOT NULL AND f.due_on IS NOT NULL AND f.response_on > f.due_on),"
                         " total (f.response_on IS NULL)"
                         " FROM referrals f"
                         " WHERE f.sent_on BETWEEN ?1 AND ?2 AND f.deleted = 0 AND f.direction = ?3"
                         " AND" LIVE ("f.resident_id"),
                         error);
  if (stmt == NULL)
    return FALSE;
  bind_code (stmt, 3, STP_ENUM_DIRECTION, STP_DIRECTION_OUTGOING);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      in_time = (gint64) sqlite3_column_double (stmt, 0);
      late = (gint64) sqlite3_column_double (stmt, 1);
      unanswered = (gint64) sqlite3_column_double (stmt, 2);
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;

  begin_section (b, "referrals", NC_("stats", "Referrals sent to agencies"));
  add_enum_rows (b, counts, STP_ENUM_AGENCY_KIND, 0, TRUE);
  add_row (b, "answered_in_time", C_("stats", "Answered in time"), in_time);
  add_row (b, "answered_late", C_("stats", "Answered late"), late);
  add_row (b, "unanswered", C_("stats", "Not answered"), unanswered);
  return TRUE;
}

static gboolean
section_age_and_sex (Builder *b,
                     GError **error)
{
  static const struct { const char *key; const char *label; } groups[] = {
    { "under_18", NC_("stats", "Under 18") },
    { "18_24", NC_("stats", "18–24") },
    { "25_34", NC_("stats", "25–34") },
    { "35_44", NC_("stats", "35–44") },
    { "45_54", NC_("stats", "45–54") },
    { "55_plus", NC_("stats", "55 and over") },
    { "unknown", NC_("stats", "Age unknown") },
  };
  g_autoptr(GHashTable) ages = NULL;
  g_autoptr(GHashTable) sexes = NULL;
  sqlite3_stmt *stmt;
  gint64 total = 0;

  /* Age in full years on the day of admission. */
  stmt = prepare_period (b,
                         "SELECT CASE WHEN age IS NULL THEN 'unknown'"
                         " WHEN age < 18 THEN 'under_18' WHEN age < 25 THEN '18_24'"
                         " WHEN age < 35 THEN '25_34' WHEN age < 45 THEN '35_44'"
                         " WHEN age < 55 THEN '45_54' ELSE '55_plus' END, count (*)"
                         " FROM (SELECT CASE WHEN length (r.birth_date) >= 10 THEN"
                         "  CAST (substr (e.admitted_on, 1, 4) AS INTEGER)"
                         "  - CAST (substr (r.birth_date, 1, 4) AS INTEGER)"
                         "  - (substr (e.admitted_on, 6, 5) < substr (r.birth_date, 6, 5)) END AS age"
                         "  FROM episodes e JOIN residents r INDEXED BY residents_report ON r.id = e.resident_id"
                         "  WHERE e.admitted_on BETWEEN ?1 AND ?2 AND e.deleted = 0 AND r.deleted = 0)"
                         " GROUP BY 1",
                         error);
  if (stmt == NULL)
    return FALSE;
  ages = count_by_key (b, stmt, error);
  if (ages == NULL)
    return FALSE;
  begin_section (b, "age_groups", NC_("stats", "Age at admission"));
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      gint64 n = lookup_count (ages, groups[i].key);

      add_row (b, groups[i].key, g_dpgettext2 (GETTEXT_PACKAGE, "stats", groups[i].label), n);
      total += n;
    }
  add_row (b, "total", C_("stats", "Total"), total);

  stmt = prepare_period (b,
                         "SELECT r.sex, count (*) FROM episodes e"
                         " JOIN residents r INDEXED BY residents_report ON r.id = e.resident_id"
                         " WHERE e.admitted_on BETWEEN ?1 AND ?2 AND e.deleted = 0 AND r.deleted = 0"
                         " GROUP BY r.sex",
                         error);
  if (stmt == NULL)
    return FALSE;
  sexes = count_by_key (b, stmt, error);
  if (sexes == NULL)
    return FALSE;
  begin_section (b, "sex", NC_("stats", "Sex of admitted"));
  {
    gint64 male = lookup_count (sexes, stp_enum_to_code (STP_ENUM_SEX, STP_SEX_MALE));
    gint64 female = lookup_count (sexes, stp_enum_to_code (STP_ENUM_SEX, STP_SEX_FEMALE));

    add_row (b, "male", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_MALE), male);
    add_row (b, "female", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_FEMALE), female);
    add_row (b, "unknown", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_UNKNOWN), total - male - female);
    add_row (b, "total", C_("stats", "Total"), total);
  }
  return TRUE;
}

StpCenterStats *
stp_store_center_stats (StpStore   *self,
                        StpSession *session,
                        const char *from,
                        const char *to,
                        GError    **error)
{
  g_autoptr(StpCenterStats) stats = NULL;
  Builder b = { 0, };
  gboolean ok;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (from != NULL && to != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_CENTER_STATS, error))
    return NULL;
  if (strcmp (from, to) > 0)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID,
                   C_("stats", "The period starts after it ends"));
      return NULL;
    }

  stats = g_new0 (StpCenterStats, 1);
  stats->from = g_strdup (from);
  stats->to = g_strdup (to);
  stats->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) stat_row_free);
  b.store = self;
  b.stats = stats;

  /* One read transaction: every number sees the same data. */
  if (!stp_store_begin (self, error))
    return NULL;
  ok = section_by_enum (&b, "admitted_by_source", NC_("stats", "Admitted by referral source"),
                        "SELECT e.referral_source, count (*) FROM episodes e"
                        " WHERE e.admitted_on BETWEEN ?1 AND ?2 AND e.deleted = 0"
                        " AND" LIVE ("e.resident_id") "GROUP BY 1",
                        STP_ENUM_REFERRAL_SOURCE, 0, error)
       && section_by_enum (&b, "admitted_by_substance", NC_("stats", "Admitted by main substance"),
                           "SELECT e.main_substance, count (*) FROM episodes e"
                           " WHERE e.admitted_on BETWEEN ?1 AND ?2 AND e.deleted = 0"
                           " AND" LIVE ("e.resident_id") "GROUP BY 1",
                           STP_ENUM_SUBSTANCE, 0, error)
       && section_by_enum (&b, "discharged_by_source", NC_("stats", "Discharged by referral source"),
                           "SELECT e.referral_source, count (*) FROM episodes e"
                           " WHERE e.discharged_on BETWEEN ?1 AND ?2 AND e.deleted = 0"
                           " AND" LIVE ("e.resident_id") "GROUP BY 1",
                           STP_ENUM_REFERRAL_SOURCE, 0, error)
       && section_by_enum (&b, "discharged_by_substance", NC_("stats", "Discharged by main substance"),
                           "SELECT e.main_substance, count (*) FROM episodes e"
                           " WHERE e.discharged_on BETWEEN ?1 AND ?2 AND e.deleted = 0"
                           " AND" LIVE ("e.resident_id") "GROUP BY 1",
                           STP_ENUM_SUBSTANCE, 0, error)
       && section_in_program_by_stage (&b, error)
       && section_by_enum (&b, "outcomes", NC_("stats", "Discharge outcomes"),
                           "SELECT e.status, count (*) FROM episodes e"
                           " WHERE e.discharged_on BETWEEN ?1 AND ?2 AND e.deleted = 0"
                           " AND" LIVE ("e.resident_id") "GROUP BY 1",
                           STP_ENUM_EPISODE_STATUS, STP_EPISODE_COMPLETED, error)
       && section_dropped_out_by_stage (&b, error)
       && section_remission (&b, 6, error)
       && section_remission (&b, 12, error)
       && section_resocialization (&b, error)
       && section_families (&b, error)
       && section_court (&b, error)
       && section_referrals (&b, error)
       && section_age_and_sex (&b, error);
  if (!ok)
    {
      stp_store_rollback (self);
      return NULL;
    }
  if (!stp_store_commit (self, error))
    return NULL;
  return g_steal_pointer (&stats);
}
