/* stp-stats.c: the numbers of the center report for a period (DOMAIN.md,
 * report 2), all counted in SQL.  Periods are inclusive on both ends;
 * residents with a tombstone are left out everywhere. */
#define G_LOG_DOMAIN "stp-stats"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-stats.h"
#include "stp-error.h"
#include "stp-store-private.h"

#include <stdlib.h>
#include <string.h>

/* Rows whose resident has no tombstone (the partial index of deleted
 * residents is tiny, so this costs nothing per row). */
#define LIVE(column) \
  " " column " NOT IN (SELECT id FROM residents INDEXED BY residents_deleted WHERE deleted <> 0) "

typedef struct
{
  StpStore       *store;
  StpCenterStats *stats;
  const char     *section;
  const char     *section_label;
  gboolean        no_tombstones;  /* no resident has one: LIVE () is true */
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

void
stp_stats_period_bounds (StpStatsPeriod  period,
                         const char     *today,
                         char          **from,
                         char          **to)
{
  int year, month, quarter;
  static const char *quarter_ends[] = { "03-31", "06-30", "09-30", "12-31" };

  g_return_if_fail (today != NULL && strlen (today) >= 10);
  g_return_if_fail (from != NULL && to != NULL);

  year = atoi (today);
  month = atoi (today + 5);
  switch (period)
    {
    case STP_STATS_PERIOD_LAST_QUARTER:
      quarter = (month - 1) / 3 - 1;
      if (quarter < 0)
        {
          quarter = 3;
          year--;
        }
      *from = g_strdup_printf ("%04d-%02d-01", year, quarter * 3 + 1);
      *to = g_strdup_printf ("%04d-%s", year, quarter_ends[quarter]);
      break;
    case STP_STATS_PERIOD_LAST_YEAR:
      *from = g_strdup_printf ("%04d-01-01", year - 1);
      *to = g_strdup_printf ("%04d-12-31", year - 1);
      break;
    case STP_STATS_PERIOD_YEAR_TO_DATE:
    default:
      *from = g_strdup_printf ("%04d-01-01", year);
      *to = g_strndup (today, 10);
      break;
    }
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

/* Counts per key: text keys (NULL counted as "") to gint64 values. */
static GHashTable *
counts_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
counts_add (GHashTable *counts,
            const char *key,
            gint64      n)
{
  gint64 *value;

  if (key == NULL)
    key = "";
  value = g_hash_table_lookup (counts, key);
  if (value == NULL)
    {
      value = g_new0 (gint64, 1);
      g_hash_table_insert (counts, g_strdup (key), value);
    }
  *value += n;
}

/* Runs a "SELECT key, count" query into a table (NULL keys as ""). */
static GHashTable *
count_by_key (Builder      *b,
              sqlite3_stmt *stmt,
              GError      **error)
{
  g_autoptr(GHashTable) counts = counts_new ();
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    counts_add (counts, (const char *) sqlite3_column_text (stmt, 0),
                sqlite3_column_int64 (stmt, 1));
  if (!finish (b, stmt, rc, error))
    return NULL;
  return g_steal_pointer (&counts);
}

static gint64
lookup_count (GHashTable *counts,
              const char *key)
{
  gint64 *value = g_hash_table_lookup (counts, key);

  return value != NULL ? *value : 0;
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
        total += *(gint64 *) value;
    }
  if (with_total)
    add_row (b, "total", C_("stats", "Total"), total);
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
  gpointer value;

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
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += *(gint64 *) value;
  if (lookup_count (counts, "") > 0)
    add_row (b, "no_stage", C_("stats", "No stage"), lookup_count (counts, ""));
  add_row (b, "total", C_("stats", "Total"), total);
  return TRUE;
}

/* The same counts by stage kind (schema 006): every kind always, stages
 * without a kind (or no stage) as «другое», then "total". */
static gboolean
add_stage_kind_rows (Builder    *b,
                     GHashTable *counts,
                     GError    **error)
{
  const StpEnumItem *items = stp_enum_get_items (STP_ENUM_STAGE_KIND);
  gint64 by_kind[STP_STAGE_KIND_OTHER + 1] = { 0, };
  g_autoptr(GHashTable) kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  GHashTableIter iter;
  gpointer key, value;
  gint64 total = 0;
  int rc;

  stmt = stp_store_prepare (b->store,
                            "SELECT id, coalesce (kind, 'other') FROM stages"
                            " WHERE deleted = 0 AND id IS NOT NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int kind = stp_enum_from_code (STP_ENUM_STAGE_KIND, (const char *) sqlite3_column_text (stmt, 1));

      g_hash_table_insert (kinds, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                           GINT_TO_POINTER ((kind >= 0 ? kind : STP_STAGE_KIND_OTHER) + 1));
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer kind = g_hash_table_lookup (kinds, key);

      by_kind[kind != NULL ? GPOINTER_TO_INT (kind) - 1 : STP_STAGE_KIND_OTHER] += *(gint64 *) value;
      total += *(gint64 *) value;
    }
  for (guint i = 0; items[i].code != NULL; i++)
    add_row (b, items[i].code, stp_enum_to_label (STP_ENUM_STAGE_KIND, items[i].value),
             by_kind[items[i].value]);
  add_row (b, "total", C_("stats", "Total"), total);
  return TRUE;
}

/* The follow-ups of one kind (6 or 12 months) due in the period. */
typedef struct
{
  gint64 due;
  gint64 yes;
  gint64 no;
  gint64 unknown;
  gint64 lost;
  gint64 reached;
} Remission;

/* An episode admitted in the period, for the age and sex of its resident:
 * the year and "MM-DD" of admission. */
typedef struct
{
  const char *resident_id;
  gint64      year;
  const char *month_day;
} Admission;

/* What the walks over the data count.  Several sections are counted in one
 * walk over an index range; the sections are written afterwards, in report
 * order.  Lists of ids are sorted by strcmp (), the order of SQLite's
 * BINARY collation, so that they can be walked beside an index. */
typedef struct
{
  GHashTable   *admitted_by_source;
  GHashTable   *admitted_by_substance;
  GHashTable   *age_groups;
  GHashTable   *sexes;
  GHashTable   *discharged_by_source;
  GHashTable   *discharged_by_substance;
  GHashTable   *outcomes;
  GHashTable   *dropped_out_by_stage;
  GHashTable   *in_program_by_stage;
  GStringChunk *strings;
  /* Ids of residents with a tombstone; LIVE () worked out in C. */
  GHashTable   *tombstones;
  gboolean      tombstone_without_id;
  GArray       *admissions;     /* of Admission, by resident */
  GArray       *drop_outs;      /* ids of episodes dropped out in the period */
  /* Residents without a tombstone in the program during the period (an
   * episode overlaps it), without repeats. */
  GPtrArray    *active;
  GPtrArray    *running;        /* episodes running at the end of the period */
  gint64        families[7];
  gint64        court_total;
  GHashTable   *court_by_basis; /* basis -> set of resident ids from @active */
  gint64        resocialization[6];
  Remission     remission[2];   /* at 6 and 12 months */
} Tally;

static void
tally_init (Tally *t)
{
  memset (t, 0, sizeof *t);
  t->admitted_by_source = counts_new ();
  t->admitted_by_substance = counts_new ();
  t->age_groups = counts_new ();
  t->sexes = counts_new ();
  t->discharged_by_source = counts_new ();
  t->discharged_by_substance = counts_new ();
  t->outcomes = counts_new ();
  t->dropped_out_by_stage = counts_new ();
  t->in_program_by_stage = counts_new ();
  t->strings = g_string_chunk_new (64 * 1024);
  t->tombstones = g_hash_table_new (g_str_hash, g_str_equal);
  t->admissions = g_array_new (FALSE, FALSE, sizeof (Admission));
  t->drop_outs = g_array_new (FALSE, FALSE, sizeof (const char *));
  t->active = g_ptr_array_new ();
  t->running = g_ptr_array_new ();
  t->court_by_basis = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_hash_table_unref);
}

static void
tally_clear (Tally *t)
{
  g_clear_pointer (&t->admitted_by_source, g_hash_table_unref);
  g_clear_pointer (&t->admitted_by_substance, g_hash_table_unref);
  g_clear_pointer (&t->age_groups, g_hash_table_unref);
  g_clear_pointer (&t->sexes, g_hash_table_unref);
  g_clear_pointer (&t->discharged_by_source, g_hash_table_unref);
  g_clear_pointer (&t->discharged_by_substance, g_hash_table_unref);
  g_clear_pointer (&t->outcomes, g_hash_table_unref);
  g_clear_pointer (&t->dropped_out_by_stage, g_hash_table_unref);
  g_clear_pointer (&t->in_program_by_stage, g_hash_table_unref);
  g_clear_pointer (&t->admissions, g_array_unref);
  g_clear_pointer (&t->drop_outs, g_array_unref);
  g_clear_pointer (&t->active, g_ptr_array_unref);
  g_clear_pointer (&t->running, g_ptr_array_unref);
  g_clear_pointer (&t->court_by_basis, g_hash_table_unref);
  g_clear_pointer (&t->tombstones, g_hash_table_unref);
  g_clear_pointer (&t->strings, g_string_chunk_free);
}

/* Sorts by the string each element starts with. */
static int
compare_first_string (gconstpointer a,
                      gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorts @ids and drops repeats. */
static void
sort_unique (GPtrArray *ids)
{
  guint n = 0;

  g_ptr_array_sort (ids, compare_first_string);
  for (guint i = 0; i < ids->len; i++)
    if (n == 0 || strcmp (ids->pdata[n - 1], ids->pdata[i]) != 0)
      ids->pdata[n++] = ids->pdata[i];
  g_ptr_array_set_size (ids, n);
}

/* The index of @id in the sorted @ids, or -1. */
static gssize
find_id (GPtrArray  *ids,
         const char *id)
{
  gsize lo = 0, hi = ids->len;

  while (lo < hi)
    {
      gsize mid = lo + (hi - lo) / 2;
      int cmp = strcmp (ids->pdata[mid], id);

      if (cmp == 0)
        return (gssize) mid;
      if (cmp < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return -1;
}

static const char *
column_string (Tally        *t,
               sqlite3_stmt *stmt,
               int           column)
{
  return g_string_chunk_insert (t->strings, (const char *) sqlite3_column_text (stmt, column));
}

static gboolean
load_tombstones (Builder *b,
                 Tally   *t,
                 GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = stp_store_prepare (b->store,
                            "SELECT id FROM residents INDEXED BY residents_deleted WHERE deleted <> 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        t->tombstone_without_id = TRUE;
      else
        g_hash_table_add (t->tombstones, (char *) column_string (t, stmt, 0));
    }
  b->no_tombstones = g_hash_table_size (t->tombstones) == 0 && !t->tombstone_without_id;
  return finish (b, stmt, rc, error);
}

/* What LIVE (column) gives for the current row: "column NOT IN (ids of
 * residents with a tombstone)" is true when there are none, else false
 * for NULL (and for anything when a NULL id is in the list). */
static gboolean
column_is_live (Tally        *t,
                sqlite3_stmt *stmt,
                int           column)
{
  if (g_hash_table_size (t->tombstones) == 0 && !t->tombstone_without_id)
    return TRUE;
  if (t->tombstone_without_id || sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return FALSE;
  return !g_hash_table_contains (t->tombstones, sqlite3_column_text (stmt, column));
}

/* Episodes admitted in the period: by referral source and main substance
 * (residents with a tombstone left out); kept for the age and sex. */
static gboolean
count_admitted (Builder *b,
                Tally   *t,
                GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_period (b,
                         "SELECT referral_source, main_substance, resident_id,"
                         " CAST (substr (admitted_on, 1, 4) AS INTEGER),"
                         " substr (admitted_on, 6, 5)"
                         " FROM episodes INDEXED BY episodes_report_admitted"
                         " WHERE admitted_on BETWEEN ?1 AND ?2 AND deleted = 0",
                         error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (column_is_live (t, stmt, 2))
        {
          counts_add (t->admitted_by_source, (const char *) sqlite3_column_text (stmt, 0), 1);
          counts_add (t->admitted_by_substance, (const char *) sqlite3_column_text (stmt, 1), 1);
        }
      /* A row without a resident joins no resident. */
      if (sqlite3_column_type (stmt, 2) == SQLITE_TEXT)
        {
          Admission a = {
            column_string (t, stmt, 2),
            sqlite3_column_int64 (stmt, 3),
            column_string (t, stmt, 4),
          };

          g_array_append_val (t->admissions, a);
        }
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;
  g_array_sort (t->admissions, compare_first_string);
  return TRUE;
}

/* One walk over episodes discharged from the start of the period on, then
 * over those not discharged: the discharged sections (by referral source,
 * main substance and outcome, dropped-out episodes kept for their stage),
 * the residents in the program during the period and the episodes running
 * at its end.  Residents with a tombstone are left out. */
static gboolean
count_episodes (Builder *b,
                Tally   *t,
                GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_period (b,
                         "SELECT resident_id, id, admitted_on <= ?2, discharged_on <= ?2,"
                         " referral_source, main_substance, status, status = ?3"
                         " FROM episodes INDEXED BY episodes_report_discharged"
                         " WHERE discharged_on >= ?1 AND deleted = 0"
                         " UNION ALL SELECT resident_id, id, 1, 0, NULL, NULL, NULL, 0"
                         " FROM episodes INDEXED BY episodes_report_discharged"
                         " WHERE discharged_on IS NULL AND deleted = 0 AND admitted_on <= ?2",
                         error);
  if (stmt == NULL)
    return FALSE;
  bind_code (stmt, 3, STP_ENUM_EPISODE_STATUS, STP_EPISODE_DROPPED_OUT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gboolean discharged = sqlite3_column_int (stmt, 3) != 0;

      if (!column_is_live (t, stmt, 0))
        continue;

      if (discharged)
        {
          counts_add (t->discharged_by_source, (const char *) sqlite3_column_text (stmt, 4), 1);
          counts_add (t->discharged_by_substance, (const char *) sqlite3_column_text (stmt, 5), 1);
          counts_add (t->outcomes, (const char *) sqlite3_column_text (stmt, 6), 1);
          if (sqlite3_column_int (stmt, 7) != 0)
            {
              /* Without an id no stage entry joins it. */
              if (sqlite3_column_type (stmt, 1) == SQLITE_TEXT)
                {
                  const char *id = column_string (t, stmt, 1);

                  g_array_append_val (t->drop_outs, id);
                }
              else
                counts_add (t->dropped_out_by_stage, NULL, 1);
            }
        }
      if (sqlite3_column_int (stmt, 2) == 0)
        continue;
      /* A row without a resident or an id joins nothing. */
      if (sqlite3_column_type (stmt, 0) == SQLITE_TEXT)
        g_ptr_array_add (t->active, (char *) column_string (t, stmt, 0));
      if (!discharged && sqlite3_column_type (stmt, 1) == SQLITE_TEXT)
        g_ptr_array_add (t->running, (char *) column_string (t, stmt, 1));
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;
  sort_unique (t->active);
  sort_unique (t->running);
  return TRUE;
}

/* The stage of the entry that was open when the resident left, as kept
 * per episode (episode_exit_stages, schema 002).  Episodes are looked up
 * in id order, so the table is read front to back. */
static gboolean
count_dropped_out (Builder *b,
                   Tally   *t,
                   GError **error)
{
  sqlite3_stmt *stmt;

  stmt = stp_store_prepare (b->store,
                            "SELECT stage_id FROM episode_exit_stages WHERE episode_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  g_array_sort (t->drop_outs, compare_first_string);
  for (guint i = 0; i < t->drop_outs->len; i++)
    {
      const char *stage = NULL;
      int rc;

      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, g_array_index (t->drop_outs, const char *, i), -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        stage = (const char *) sqlite3_column_text (stmt, 0);
      else if (rc != SQLITE_DONE)
        return finish (b, stmt, rc, error);
      counts_add (t->dropped_out_by_stage, stage, 1);
    }
  return finish (b, stmt, SQLITE_DONE, error);
}

/* A running episode (a pointer into Tally.running) at a stage. */
typedef struct
{
  const char *episode_id;
  const char *stage_id;
} EpisodeStage;

static int
compare_episode_stages (gconstpointer a,
                        gconstpointer b)
{
  const EpisodeStage *x = a, *y = b;

  if (x->episode_id != y->episode_id)
    return x->episode_id < y->episode_id ? -1 : 1;
  return strcmp (x->stage_id, y->stage_id);
}

/* Episodes running at the end of the period, by the stage entry open then
 * (an entry ended on ?2 gave way to the next one started on ?2); an episode
 * counts once per stage.  When few entries are open at the end of the
 * period (it ended lately), those entries are walked and kept when their
 * episode runs; otherwise each running episode's entries are looked up,
 * in id order, so that index is read front to back. */
static gboolean
count_in_program (Builder *b,
                  Tally   *t,
                  GError **error)
{
  g_autoptr(GArray) pairs = g_array_new (FALSE, FALSE, sizeof (EpisodeStage));
  gint64 limit = 8 * (gint64) t->running->len + 64;
  gint64 open = 0;
  sqlite3_stmt *stmt;
  int rc;

  if (t->running->len == 0)
    return TRUE;
  stmt = prepare_period (b,
                         "SELECT count (*) FROM (SELECT 1 FROM stage_entries"
                         "  INDEXED BY stage_entries_report_open WHERE ended_on IS NULL"
                         " UNION ALL SELECT 1 FROM stage_entries"
                         "  INDEXED BY stage_entries_report_open WHERE ended_on > ?2"
                         " LIMIT ?3)",
                         error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 3, limit);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    open = sqlite3_column_int64 (stmt, 0);
  if (!finish (b, stmt, rc, error))
    return FALSE;

  if (open < limit)
    {
      stmt = prepare_period (b,
                             "SELECT episode_id, stage_id FROM stage_entries"
                             " INDEXED BY stage_entries_report_open"
                             " WHERE ended_on IS NULL AND deleted = 0 AND started_on <= ?2"
                             " UNION ALL SELECT episode_id, stage_id FROM stage_entries"
                             " INDEXED BY stage_entries_report_open"
                             " WHERE ended_on > ?2 AND deleted = 0 AND started_on <= ?2",
                             error);
      if (stmt == NULL)
        return FALSE;
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          EpisodeStage pair;
          gssize i;

          if (sqlite3_column_type (stmt, 0) != SQLITE_TEXT)
            continue;
          i = find_id (t->running, (const char *) sqlite3_column_text (stmt, 0));
          if (i < 0)
            continue;
          pair.episode_id = t->running->pdata[i];
          pair.stage_id = sqlite3_column_type (stmt, 1) == SQLITE_NULL
                          ? "" : column_string (t, stmt, 1);
          g_array_append_val (pairs, pair);
        }
    }
  else
    {
      stmt = prepare_period (b,
                             "SELECT stage_id FROM stage_entries INDEXED BY stage_entries_report"
                             " WHERE episode_id = ?3 AND deleted = 0 AND started_on <= ?2"
                             " AND (ended_on IS NULL OR ended_on > ?2)",
                             error);
      if (stmt == NULL)
        return FALSE;
      rc = SQLITE_DONE;
      for (guint i = 0; i < t->running->len && rc == SQLITE_DONE; i++)
        {
          sqlite3_reset (stmt);
          sqlite3_bind_text (stmt, 3, t->running->pdata[i], -1, SQLITE_STATIC);
          while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
            {
              EpisodeStage pair;

              pair.episode_id = t->running->pdata[i];
              pair.stage_id = sqlite3_column_type (stmt, 0) == SQLITE_NULL
                              ? "" : column_string (t, stmt, 0);
              g_array_append_val (pairs, pair);
            }
        }
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;

  g_array_sort (pairs, compare_episode_stages);
  for (guint i = 0; i < pairs->len; i++)
    if (i == 0 || compare_episode_stages (&g_array_index (pairs, EpisodeStage, i - 1),
                                          &g_array_index (pairs, EpisodeStage, i)) != 0)
      counts_add (t->in_program_by_stage, g_array_index (pairs, EpisodeStage, i).stage_id, 1);
  return TRUE;
}

/* What the SQL expressions of the report give for a column of the current
 * row, worked out here so that a walk over many rows only reads columns.
 * Text compares bytewise (the BINARY collation); numbers sort before text
 * and blobs. */

/* column = 0 */
static gboolean
column_is_zero (sqlite3_stmt *stmt,
                int           column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_INTEGER:
      return sqlite3_column_int64 (stmt, column) == 0;
    case SQLITE_FLOAT:
      return sqlite3_column_double (stmt, column) == 0.0;
    default:
      return FALSE;
    }
}

/* coalesce (column, 0) > 0 */
static gboolean
column_is_positive (sqlite3_stmt *stmt,
                    int           column)
{
  switch (sqlite3_column_type (stmt, column))
    {
    case SQLITE_NULL:
      return FALSE;
    case SQLITE_INTEGER:
      return sqlite3_column_int64 (stmt, column) > 0;
    case SQLITE_FLOAT:
      return sqlite3_column_double (stmt, column) > 0.0;
    default:
      return TRUE;
    }
}

/* column = @text, for a column of text affinity */
static gboolean
column_equals (sqlite3_stmt *stmt,
               int           column,
               const char   *text)
{
  return sqlite3_column_type (stmt, column) == SQLITE_TEXT
         && strcmp ((const char *) sqlite3_column_text (stmt, column), text) == 0;
}

/* column BETWEEN @from AND @to, for a column of text affinity */
static gboolean
column_between (sqlite3_stmt *stmt,
                int           column,
                const char   *from,
                const char   *to)
{
  const char *value;

  if (sqlite3_column_type (stmt, column) != SQLITE_TEXT)
    return FALSE;
  value = (const char *) sqlite3_column_text (stmt, column);
  return strcmp (value, from) >= 0 && strcmp (value, to) <= 0;
}

/* A birth date as the age expression of the report reads it. */
typedef struct
{
  gboolean    known;       /* length (birth_date) >= 10 */
  gint64      year;        /* CAST (substr (birth_date, 1, 4) AS INTEGER) */
  const char *month_day;   /* substr (birth_date, 6, 5), if text */
  char        buffer[6];
} BirthDate;

/* Reads column @column of @stmt into @date: plain ASCII dates here, any
 * other value through SQLite's own functions. */
static gboolean
read_birth_date (Builder      *b,
                 sqlite3_stmt *stmt,
                 int           column,
                 BirthDate    *date,
                 GError      **error)
{
  const unsigned char *text;
  sqlite3_stmt *eval;
  gsize n = 0;
  int rc;

  memset (date, 0, sizeof *date);
  if (sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return TRUE;
  if (sqlite3_column_type (stmt, column) == SQLITE_TEXT)
    {
      text = sqlite3_column_text (stmt, column);
      while (text[n] != 0 && text[n] < 0x80)
        n++;
      if (text[n] == 0)
        {
          if (n < 10)
            return TRUE;
          if (g_ascii_isdigit (text[0]) && g_ascii_isdigit (text[1])
              && g_ascii_isdigit (text[2]) && g_ascii_isdigit (text[3]))
            {
              date->known = TRUE;
              date->year = (text[0] - '0') * 1000 + (text[1] - '0') * 100
                           + (text[2] - '0') * 10 + (text[3] - '0');
              memcpy (date->buffer, text + 5, 5);
              date->month_day = date->buffer;
              return TRUE;
            }
        }
    }

  eval = stp_store_prepare (b->store,
                            "SELECT length (?1) >= 10, CAST (substr (?1, 1, 4) AS INTEGER),"
                            " substr (?1, 6, 5)",
                            error);
  if (eval == NULL)
    return FALSE;
  sqlite3_bind_value (eval, 1, sqlite3_column_value (stmt, column));
  rc = sqlite3_step (eval);
  if (rc == SQLITE_ROW && sqlite3_column_int (eval, 0) != 0)
    {
      date->known = TRUE;
      date->year = sqlite3_column_int64 (eval, 1);
      /* A blob sorts after any text: the admission's "MM-DD" is less. */
      if (sqlite3_column_type (eval, 2) == SQLITE_TEXT)
        {
          g_strlcpy (date->buffer, (const char *) sqlite3_column_text (eval, 2), sizeof date->buffer);
          date->month_day = date->buffer;
        }
    }
  return finish (b, eval, rc, error);
}

/* The age group of full years on the day of admission. */
static const char *
age_group (const BirthDate *birth,
           const Admission *a)
{
  gint64 age;

  if (!birth->known)
    return "unknown";
  age = a->year - birth->year
        - (birth->month_day == NULL || strcmp (a->month_day, birth->month_day) < 0);
  if (age < 18)
    return "under_18";
  if (age < 25)
    return "18_24";
  if (age < 35)
    return "25_34";
  if (age < 45)
    return "35_44";
  if (age < 55)
    return "45_54";
  return "55_plus";
}

/* Relatives (not deleted) of the residents in the program during the
 * period, from their counts per resident (kept by triggers, schema 002),
 * walked in resident order beside the sorted ids. */
static gboolean
count_relatives (Builder *b,
                 Tally   *t,
                 gint64  *relatives,
                 double  *codependents,
                 guint8  *minor,
                 GError **error)
{
  GPtrArray *active = t->active;
  sqlite3_stmt *stmt;
  guint i = 0;
  int rc;

  stmt = prepare_period (b,
                         "SELECT resident_id, relatives, codependents, minors > 0"
                         " FROM relative_counts WHERE resident_id BETWEEN ?3 AND ?4"
                         " ORDER BY resident_id",
                         error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 3, active->pdata[0], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, active->pdata[active->len - 1], -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id;
      int cmp = 1;

      if (sqlite3_column_type (stmt, 0) != SQLITE_TEXT)
        continue;
      id = (const char *) sqlite3_column_text (stmt, 0);
      while (i < active->len && (cmp = strcmp (active->pdata[i], id)) < 0)
        i++;
      if (i == active->len)
        break;
      if (cmp != 0)
        continue;
      relatives[i] = sqlite3_column_int64 (stmt, 1);
      codependents[i] = sqlite3_column_double (stmt, 2);
      minor[i] = sqlite3_column_int (stmt, 3) != 0;
    }
  return finish (b, stmt, rc, error);
}

/* One walk over the residents, beside the residents in the program
 * (work with families) and the admissions (age and sex; only residents
 * whose row is there without a tombstone). */
static gboolean
count_residents (Builder *b,
                 Tally   *t,
                 GError **error)
{
  GPtrArray *active = t->active;
  GArray *admissions = t->admissions;
  g_autofree gint64 *relatives = g_new0 (gint64, active->len + 1);
  g_autofree double *codependents = g_new0 (double, active->len + 1);
  g_autofree guint8 *minor = g_new0 (guint8, active->len + 1);
  const char *sop = stp_enum_to_code (STP_ENUM_FAMILY_STATUS, STP_FAMILY_STATUS_SOP);
  const char *tzhs = stp_enum_to_code (STP_ENUM_FAMILY_STATUS, STP_FAMILY_STATUS_TZHS);
  const char *first = NULL, *last = NULL;
  double codependents_total = 0;
  sqlite3_stmt *stmt;
  guint i = 0, k = 0;
  int rc;

  if (active->len > 0)
    {
      first = active->pdata[0];
      last = active->pdata[active->len - 1];
      if (!count_relatives (b, t, relatives, codependents, minor, error))
        return FALSE;
    }
  if (admissions->len > 0)
    {
      const char *a = g_array_index (admissions, Admission, 0).resident_id;
      const char *z = g_array_index (admissions, Admission, admissions->len - 1).resident_id;

      if (first == NULL || strcmp (a, first) < 0)
        first = a;
      if (last == NULL || strcmp (z, last) > 0)
        last = z;
    }
  if (first == NULL)
    return TRUE;

  stmt = prepare_period (b,
                         "SELECT id, deleted, sex, birth_date, minors_in_household, family_status,"
                         " kdn_informed_on FROM residents INDEXED BY residents_report"
                         " WHERE id BETWEEN ?3 AND ?4 ORDER BY id",
                         error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 3, first, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, last, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id;
      int cmp = 1;

      if (sqlite3_column_type (stmt, 0) != SQLITE_TEXT)
        continue;
      id = (const char *) sqlite3_column_text (stmt, 0);

      while (i < active->len && (cmp = strcmp (active->pdata[i], id)) < 0)
        i++;
      if (i < active->len && cmp == 0)
        {
          t->families[0] += relatives[i];
          codependents_total += codependents[i];
          t->families[2] += column_is_positive (stmt, 4) || minor[i];
          t->families[3] += column_equals (stmt, 5, sop);
          t->families[4] += column_equals (stmt, 5, tzhs);
          t->families[5] += column_between (stmt, 6, b->stats->from, b->stats->to);
          t->families[6]++;
        }

      while (k < admissions->len
             && (cmp = strcmp (g_array_index (admissions, Admission, k).resident_id, id)) < 0)
        k++;
      if (k < admissions->len && cmp == 0 && column_is_zero (stmt, 1))
        {
          const char *sex = (const char *) sqlite3_column_text (stmt, 2);
          BirthDate birth;

          if (!read_birth_date (b, stmt, 3, &birth, error))
            {
              sqlite3_reset (stmt);
              return FALSE;
            }
          for (; k < admissions->len
                 && strcmp (g_array_index (admissions, Admission, k).resident_id, id) == 0; k++)
            {
              counts_add (t->sexes, sex, 1);
              counts_add (t->age_groups,
                          age_group (&birth, &g_array_index (admissions, Admission, k)), 1);
            }
        }
    }
  t->families[1] = (gint64) codependents_total;
  return finish (b, stmt, rc, error);
}

/* Court-ordered residents in the program during the period, each counted
 * once per basis and once in the total (residents with a tombstone are not
 * in the program list). */
static gboolean
count_court (Builder *b,
             Tally   *t,
             GError **error)
{
  g_autoptr(GHashTable) all = g_hash_table_new (NULL, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_period (b,
                         "SELECT resident_id, basis FROM court_obligations"
                         " INDEXED BY court_obligations_report WHERE deleted = 0",
                         error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *basis = (const char *) sqlite3_column_text (stmt, 1);
      GHashTable *residents;
      gssize i;

      if (sqlite3_column_type (stmt, 0) != SQLITE_TEXT)
        continue;
      i = find_id (t->active, (const char *) sqlite3_column_text (stmt, 0));
      if (i < 0)
        continue;
      g_hash_table_add (all, t->active->pdata[i]);
      if (basis == NULL)
        basis = "";
      residents = g_hash_table_lookup (t->court_by_basis, basis);
      if (residents == NULL)
        {
          residents = g_hash_table_new (NULL, NULL);
          g_hash_table_insert (t->court_by_basis, g_strdup (basis), residents);
        }
      g_hash_table_add (residents, t->active->pdata[i]);
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;
  t->court_total = g_hash_table_size (all);
  return TRUE;
}

/* Residents with a follow-up done in the period (each counted once), and
 * those of them for whom any such follow-up noted each result
 * (max (coalesce (x, 0)) > 0 holds when some coalesce (x, 0) > 0). */
static gboolean
count_resocialization (Builder *b,
                       Tally   *t,
                       GError **error)
{
  /* Resident id -> index + 1 in @flags. */
  g_autoptr(GHashTable) residents = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) flags = g_array_new (FALSE, TRUE, sizeof (guint));
  guint null_group = 0;
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare_period (b,
                         "SELECT f.resident_id, f.employed, f.documents_restored,"
                         " f.returned_to_family, f.housing, f.attends_groups"
                         " FROM follow_ups f INDEXED BY follow_ups_report_done"
                         " WHERE f.done_on BETWEEN ?1 AND ?2 AND f.deleted = 0 AND f.outcome = ?3",
                         error);
  if (stmt == NULL)
    return FALSE;
  bind_code (stmt, 3, STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_DONE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      /* Bit 0 marks a resident seen; bits 1..5 the results. */
      guint row = 1;
      guint index;

      if (!column_is_live (t, stmt, 0))
        continue;

      for (int k = 1; k <= 5; k++)
        if (column_is_positive (stmt, k))
          row |= 1u << k;
      if (sqlite3_column_type (stmt, 0) == SQLITE_NULL)
        {
          /* Rows without a resident form one group. */
          if (null_group == 0)
            {
              g_array_set_size (flags, flags->len + 1);
              null_group = flags->len;
            }
          index = null_group;
        }
      else
        {
          const char *id = (const char *) sqlite3_column_text (stmt, 0);

          index = GPOINTER_TO_UINT (g_hash_table_lookup (residents, id));
          if (index == 0)
            {
              g_array_set_size (flags, flags->len + 1);
              index = flags->len;
              g_hash_table_insert (residents, g_string_chunk_insert (t->strings, id),
                                   GUINT_TO_POINTER (index));
            }
        }
      g_array_index (flags, guint, index - 1) |= row;
    }
  if (!finish (b, stmt, rc, error))
    return FALSE;

  for (guint i = 0; i < flags->len; i++)
    for (int k = 0; k <= 5; k++)
      if (g_array_index (flags, guint, i) & (1u << k))
        t->resocialization[k]++;
  return TRUE;
}

static gboolean
count_remission (Builder    *b,
                 int         months,
                 Remission  *r,
                 GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  /* Follow-ups of @months whose due date falls in the period. */
#define REMISSION_SQL(live) \
  "SELECT count (*)," \
  " total (f.outcome = ?4 AND f.remission = ?5)," \
  " total (f.outcome = ?4 AND f.remission = ?6)," \
  " total (f.outcome = ?4 AND coalesce (f.remission, ?7) = ?7)," \
  " total (f.outcome = ?8)," \
  " total (f.outcome = ?4)" \
  " FROM follow_ups f" \
  " WHERE f.months = ?3 AND f.due_on BETWEEN ?1 AND ?2 AND f.deleted = 0" live
  stmt = prepare_period (b,
                         b->no_tombstones ? REMISSION_SQL ("")
                                          : REMISSION_SQL (" AND" LIVE ("f.resident_id")),
                         error);
#undef REMISSION_SQL
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
      r->due = sqlite3_column_int64 (stmt, 0);
      r->yes = (gint64) sqlite3_column_double (stmt, 1);
      r->no = (gint64) sqlite3_column_double (stmt, 2);
      r->unknown = (gint64) sqlite3_column_double (stmt, 3);
      r->lost = (gint64) sqlite3_column_double (stmt, 4);
      r->reached = (gint64) sqlite3_column_double (stmt, 5);
    }
  return finish (b, stmt, rc, error);
}

static void
section_remission (Builder         *b,
                   int              months,
                   const Remission *r)
{
  gint64 due = r->due, reached = r->reached, lost = r->lost;

  if (months == 6)
    begin_section (b, "remission_6", NC_("stats", "Remission at 6 months"));
  else
    begin_section (b, "remission_12", NC_("stats", "Remission at 12 months"));
  add_row (b, "yes", C_("stats", "In remission"), r->yes);
  add_row (b, "no", C_("stats", "Not in remission"), r->no);
  add_row (b, "unknown", C_("stats", "Remission unknown"), r->unknown);
  add_row (b, "lost", stp_enum_to_label (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_LOST_CONTACT), lost);
  add_row (b, "pending", C_("stats", "Not done yet"), due - reached - lost);
  add_row (b, "reached", C_("stats", "Reached"), reached);
  add_row (b, "due", C_("stats", "Due in the period"), due);
  add_row (b, "reached_percent", C_("stats", "Reached, %"), due > 0 ? (reached * 100 + due / 2) / due : 0);
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
section_in_program_by_stage (Builder *b,
                             Tally   *t,
                             GError **error)
{
  begin_section (b, "in_program_by_stage", NC_("stats", "In the program at the end of the period, by stage"));
  if (!add_stage_rows (b, t->in_program_by_stage, TRUE, error))
    return FALSE;
  begin_section (b, "in_program_by_stage_kind",
                 NC_("stats", "In the program at the end of the period, by kind of stage"));
  return add_stage_kind_rows (b, t->in_program_by_stage, error);
}

static gboolean
section_dropped_out_by_stage (Builder *b,
                              Tally   *t,
                              GError **error)
{
  begin_section (b, "dropped_out_by_stage", NC_("stats", "Dropped out, by stage"));
  if (!add_stage_rows (b, t->dropped_out_by_stage, FALSE, error))
    return FALSE;
  begin_section (b, "dropped_out_by_stage_kind", NC_("stats", "Dropped out, by kind of stage"));
  return add_stage_kind_rows (b, t->dropped_out_by_stage, error);
}

static void
section_resocialization (Builder *b,
                         Tally   *t)
{
  gint64 *v = t->resocialization;

  begin_section (b, "resocialization", NC_("stats", "Resocialization (follow-ups done in the period)"));
  add_row (b, "employed", C_("stats", "Employed"), v[1]);
  add_row (b, "documents_restored", C_("stats", "Documents restored"), v[2]);
  add_row (b, "returned_to_family", C_("stats", "Returned to family"), v[3]);
  add_row (b, "housing", C_("stats", "Have housing"), v[4]);
  add_row (b, "attends_groups", C_("stats", "Attend self-help groups"), v[5]);
  add_row (b, "total", C_("stats", "Residents reached"), v[0]);
}

static void
section_families (Builder *b,
                  Tally   *t)
{
  gint64 *v = t->families;

  begin_section (b, "families", NC_("stats", "Work with families"));
  add_row (b, "relatives_served", C_("stats", "Relatives served"), v[0]);
  add_row (b, "codependents", C_("stats", "Codependent relatives"), v[1]);
  add_row (b, "families_with_minors", C_("stats", "Families with minors"), v[2]);
  add_row (b, "sop", C_("stats", "Families in a socially dangerous situation"), v[3]);
  add_row (b, "tzhs", C_("stats", "Families in a difficult life situation"), v[4]);
  add_row (b, "kdn_informed", C_("stats", "Commission on minors informed"), v[5]);
  add_row (b, "residents", C_("stats", "Residents in the program during the period"), v[6]);
}

static void
section_court (Builder *b,
               Tally   *t)
{
  const StpEnumItem *items = stp_enum_get_items (STP_ENUM_COURT_BASIS);

  begin_section (b, "court", NC_("stats", "Court-ordered residents"));
  for (guint i = 0; items[i].code != NULL; i++)
    {
      GHashTable *residents = g_hash_table_lookup (t->court_by_basis, items[i].code);

      add_row (b, items[i].code, stp_enum_to_label (STP_ENUM_COURT_BASIS, items[i].value),
               residents != NULL ? g_hash_table_size (residents) : 0);
    }
  add_row (b, "total", C_("stats", "Total"), t->court_total);
}

static void
section_age_and_sex (Builder *b,
                     Tally   *t)
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
  gint64 total = 0;
  gint64 male, female;

  begin_section (b, "age_groups", NC_("stats", "Age at admission"));
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      gint64 n = lookup_count (t->age_groups, groups[i].key);

      add_row (b, groups[i].key, g_dpgettext2 (GETTEXT_PACKAGE, "stats", groups[i].label), n);
      total += n;
    }
  add_row (b, "total", C_("stats", "Total"), total);

  begin_section (b, "sex", NC_("stats", "Sex of admitted"));
  male = lookup_count (t->sexes, stp_enum_to_code (STP_ENUM_SEX, STP_SEX_MALE));
  female = lookup_count (t->sexes, stp_enum_to_code (STP_ENUM_SEX, STP_SEX_FEMALE));
  add_row (b, "male", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_MALE), male);
  add_row (b, "female", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_FEMALE), female);
  add_row (b, "unknown", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_UNKNOWN), total - male - female);
  add_row (b, "total", C_("stats", "Total"), total);
}

/* The admissions and the follow-up sections are counted on a second
 * connection in a worker thread while this one walks the discharged
 * episodes; the walk over residents then waits for the admissions.  The
 * main connection holds the write lock from its BEGIN IMMEDIATE on, so no
 * commit can fall between its snapshot and the worker's: both read the
 * same data. */
typedef struct
{
  Builder   builder;         /* on the second connection; adds no rows */
  /* Its own strings; the tombstones are shared, read only; the admission
   * fields are the main tally's, untouched there until admitted_done. */
  Tally     tally;
  GMutex    mutex;
  GCond     cond;
  gboolean  admitted_done;   /* under @mutex */
  gboolean  admitted_ok;     /* under @mutex */
  gboolean  ok;
  GError   *error;
} SideWork;

static gboolean
count_follow_ups (Builder *b,
                  Tally   *t,
                  GError **error)
{
  return count_resocialization (b, t, error)
         && count_remission (b, 6, &t->remission[0], error)
         && count_remission (b, 12, &t->remission[1], error);
}

static gpointer
side_work_thread (gpointer data)
{
  SideWork *w = data;
  StpStore *store = w->builder.store;

  w->ok = stp_store_exec (store, "BEGIN", &w->error)
          && count_admitted (&w->builder, &w->tally, &w->error);
  g_mutex_lock (&w->mutex);
  w->admitted_done = TRUE;
  w->admitted_ok = w->ok;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->mutex);
  w->ok = w->ok && count_follow_ups (&w->builder, &w->tally, &w->error);
  if (!sqlite3_get_autocommit (stp_store_get_db (store)))
    stp_store_exec (store, w->ok ? "COMMIT" : "ROLLBACK", NULL);
  return NULL;
}

static gboolean
build_stats (Builder *b,
             Tally   *t,
             gboolean parallel,
             GError **error)
{
  g_autoptr(StpStore) second = NULL;
  SideWork work = { { 0, }, };
  GThread *thread = NULL;
  gboolean ok;

  if (!load_tombstones (b, t, error))
    return FALSE;
  /* Only when this call began the transaction: otherwise the other
   * connection would not see what this one wrote in it. */
  if (parallel)
    second = stp_store_open_secondary (b->store, NULL);
  if (second != NULL)
    {
      work.builder = *b;
      work.builder.store = second;
      work.tally.strings = g_string_chunk_new (64 * 1024);
      work.tally.tombstones = t->tombstones;
      work.tally.tombstone_without_id = t->tombstone_without_id;
      work.tally.admitted_by_source = t->admitted_by_source;
      work.tally.admitted_by_substance = t->admitted_by_substance;
      work.tally.admissions = t->admissions;
      g_mutex_init (&work.mutex);
      g_cond_init (&work.cond);
      thread = g_thread_new ("stp-stats", side_work_thread, &work);
    }

  ok = (thread != NULL || count_admitted (b, t, error))
       && count_episodes (b, t, error)
       && count_dropped_out (b, t, error)
       && count_in_program (b, t, error);
  if (thread != NULL)
    {
      g_mutex_lock (&work.mutex);
      while (!work.admitted_done)
        g_cond_wait (&work.cond, &work.mutex);
      ok = ok && work.admitted_ok;
      g_mutex_unlock (&work.mutex);
    }
  ok = ok && count_residents (b, t, error) && count_court (b, t, error);

  if (thread != NULL)
    {
      g_thread_join (thread);
      g_mutex_clear (&work.mutex);
      g_cond_clear (&work.cond);
      g_string_chunk_free (work.tally.strings);
      memcpy (t->resocialization, work.tally.resocialization, sizeof t->resocialization);
      memcpy (t->remission, work.tally.remission, sizeof t->remission);
      if (!work.ok && (error == NULL || *error == NULL))
        g_propagate_error (error, g_steal_pointer (&work.error));
      if (!work.ok)
        ok = FALSE;
      g_clear_error (&work.error);
    }
  else
    ok = ok && count_follow_ups (b, t, error);
  if (!ok)
    return FALSE;

  begin_section (b, "admitted_by_source", NC_("stats", "Admitted by referral source"));
  add_enum_rows (b, t->admitted_by_source, STP_ENUM_REFERRAL_SOURCE, 0, TRUE);
  begin_section (b, "admitted_by_substance", NC_("stats", "Admitted by main substance"));
  add_enum_rows (b, t->admitted_by_substance, STP_ENUM_SUBSTANCE, 0, TRUE);
  begin_section (b, "discharged_by_source", NC_("stats", "Discharged by referral source"));
  add_enum_rows (b, t->discharged_by_source, STP_ENUM_REFERRAL_SOURCE, 0, TRUE);
  begin_section (b, "discharged_by_substance", NC_("stats", "Discharged by main substance"));
  add_enum_rows (b, t->discharged_by_substance, STP_ENUM_SUBSTANCE, 0, TRUE);
  if (!section_in_program_by_stage (b, t, error))
    return FALSE;
  begin_section (b, "outcomes", NC_("stats", "Discharge outcomes"));
  add_enum_rows (b, t->outcomes, STP_ENUM_EPISODE_STATUS, STP_EPISODE_COMPLETED, TRUE);
  if (!section_dropped_out_by_stage (b, t, error))
    return FALSE;
  section_remission (b, 6, &t->remission[0]);
  section_remission (b, 12, &t->remission[1]);
  section_resocialization (b, t);
  section_families (b, t);
  section_court (b, t);
  if (!section_referrals (b, error))
    return FALSE;
  section_age_and_sex (b, t);
  return TRUE;
}

StpCenterStats *
stp_store_center_stats (StpStore   *self,
                        StpSession *session,
                        const char *from,
                        const char *to,
                        GError    **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  g_autoptr(StpCenterStats) stats = NULL;
  Builder b = { 0, };
  Tally t;
  gboolean parallel;
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
  parallel = sqlite3_get_autocommit (stp_store_get_db (self)) != 0;
  if (!stp_store_transaction_begin (&tx, self, error))
    return NULL;
  tally_init (&t);
  ok = build_stats (&b, &t, parallel, error);
  tally_clear (&t);
  if (!ok || !stp_store_transaction_commit (&tx, error))
    return NULL;
  return g_steal_pointer (&stats);
}
