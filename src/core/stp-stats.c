/* stp-stats.c: the numbers of the center report for a period (DOMAIN.md,
 * report 2), all counted in SQL.  Periods are inclusive on both ends;
 * residents with a tombstone are left out everywhere. */
#define G_LOG_DOMAIN "stp-stats"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-stats-private.h"
#include "stp-error.h"
#include "stp-store-private.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

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

void
_stp_stats_begin_section (Builder    *b,
                          const char *section,
                          const char *label)
{
  b->section = section;
  b->section_label = label;
}

/* @label is translated already. */
void
_stp_stats_add_row (Builder    *b,
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

sqlite3_stmt *
_stp_stats_prepare_period (Builder    *b,
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

void
_stp_stats_bind_code (sqlite3_stmt *stmt,
                      int           index,
                      StpEnumType   type,
                      int           value)
{
  sqlite3_bind_text (stmt, index, stp_enum_to_code (type, value), -1, SQLITE_TRANSIENT);
}

gboolean
_stp_stats_finish (Builder      *b,
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

void
_stp_stats_counts_add (GHashTable *counts,
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
GHashTable *
_stp_stats_count_by_key (Builder      *b,
                         sqlite3_stmt *stmt,
                         GError      **error)
{
  g_autoptr(GHashTable) counts = counts_new ();
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    _stp_stats_counts_add (counts, (const char *) sqlite3_column_text (stmt, 0),
                           sqlite3_column_int64 (stmt, 1));
  if (!_stp_stats_finish (b, stmt, rc, error))
    return NULL;
  return g_steal_pointer (&counts);
}

gint64
_stp_stats_lookup_count (GHashTable *counts,
                         const char *key)
{
  gint64 *value = g_hash_table_lookup (counts, key);

  return value != NULL ? *value : 0;
}

/* One row per value of @type from @first on (in enum order), plus "total"
 * of those values and of unknown codes. */
void
_stp_stats_add_enum_rows (Builder     *b,
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
      _stp_stats_add_row (b, items[i].code, stp_enum_to_label (type, items[i].value),
                          _stp_stats_lookup_count (counts, items[i].code));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      int v = stp_enum_from_code (type, key);

      if (v < 0 || v >= first)
        total += *(gint64 *) value;
    }
  if (with_total)
    _stp_stats_add_row (b, "total", C_("stats", "Total"), total);
}

/* Rows per stage for @counts keyed by stage id: stages of active programs
 * always, other stages when counted; then "no_stage" and "total". */
gboolean
_stp_stats_add_stage_rows (Builder    *b,
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
      gint64 count = _stp_stats_lookup_count (counts, id);
      g_autofree char *label = NULL;

      if (!shown && count == 0)
        continue;
      label = g_strdup_printf ("%s: %s", program != NULL ? program : "—",
                               stage != NULL ? stage : "—");
      _stp_stats_add_row (b, id, label, count);
    }
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    total += *(gint64 *) value;
  if (_stp_stats_lookup_count (counts, "") > 0)
    _stp_stats_add_row (b, "no_stage", C_("stats", "No stage"), _stp_stats_lookup_count (counts, ""));
  _stp_stats_add_row (b, "total", C_("stats", "Total"), total);
  return TRUE;
}

/* The same counts by stage kind (schema 006): every kind always, stages
 * without a kind (or no stage) as «другое», then "total". */
gboolean
_stp_stats_add_stage_kind_rows (Builder    *b,
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
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;

  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer kind = g_hash_table_lookup (kinds, key);

      by_kind[kind != NULL ? GPOINTER_TO_INT (kind) - 1 : STP_STAGE_KIND_OTHER] += *(gint64 *) value;
      total += *(gint64 *) value;
    }
  for (guint i = 0; items[i].code != NULL; i++)
    _stp_stats_add_row (b, items[i].code, stp_enum_to_label (STP_ENUM_STAGE_KIND, items[i].value),
                        by_kind[items[i].value]);
  _stp_stats_add_row (b, "total", C_("stats", "Total"), total);
  return TRUE;
}

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
  g_clear_pointer (&t->relatives, g_free);
  g_clear_pointer (&t->codependents, g_free);
  g_clear_pointer (&t->minor, g_free);
  g_clear_pointer (&t->household_minors, g_free);
  g_clear_pointer (&t->court_by_basis, g_hash_table_unref);
  g_clear_pointer (&t->tombstones, g_hash_table_unref);
  g_clear_pointer (&t->strings, g_string_chunk_free);
}

/* Sorts by the string each element starts with. */
int
_stp_stats_compare_first_string (gconstpointer a,
                                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorts @ids and drops repeats. */
void
_stp_stats_sort_unique (GPtrArray *ids)
{
  guint n = 0;

  g_ptr_array_sort (ids, _stp_stats_compare_first_string);
  for (guint i = 0; i < ids->len; i++)
    if (n == 0 || strcmp (ids->pdata[n - 1], ids->pdata[i]) != 0)
      ids->pdata[n++] = ids->pdata[i];
  g_ptr_array_set_size (ids, n);
}

/* The index of @id in the sorted @ids, or -1. */
gssize
_stp_stats_find_id (GPtrArray  *ids,
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

const char *
_stp_stats_column_string (Tally        *t,
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
        g_hash_table_add (t->tombstones, (char *) _stp_stats_column_string (t, stmt, 0));
    }
  b->no_tombstones = g_hash_table_size (t->tombstones) == 0 && !t->tombstone_without_id;
  return _stp_stats_finish (b, stmt, rc, error);
}

/* What LIVE (column) gives for the current row: "column NOT IN (ids of
 * residents with a tombstone)" is true when there are none, else false
 * for NULL (and for anything when a NULL id is in the list). */
gboolean
_stp_stats_column_is_live (Tally        *t,
                           sqlite3_stmt *stmt,
                           int           column)
{
  if (g_hash_table_size (t->tombstones) == 0 && !t->tombstone_without_id)
    return TRUE;
  if (t->tombstone_without_id || sqlite3_column_type (stmt, column) == SQLITE_NULL)
    return FALSE;
  return !g_hash_table_contains (t->tombstones, sqlite3_column_text (stmt, column));
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
  /* The main tally: once episodes_done, its @active and the per-resident
   * arrays are there; the thread walks the relatives into the arrays,
   * which the main thread reads only after the join. */
  Tally    *main_tally;
  gboolean  episodes_done;   /* under @mutex */
  gboolean  episodes_ok;     /* under @mutex */
  gboolean  ok;
  GError   *error;
} SideWork;

/* For the debug lines: on a loaded machine the wall time is mostly
 * waiting for a core. */
static double
thread_cpu_ms (void)
{
#if defined(CLOCK_THREAD_CPUTIME_ID) && !defined(G_OS_WIN32)
  /* Not on Windows: mingw's clock_gettime lives in winpthreads, which
   * the program does not link; the figure is only for debug output. */
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
#endif
  return 0;
}

static gboolean
count_follow_ups (Builder *b,
                  Tally   *t,
                  GError **error)
{
  return _stp_stats_count_resocialization (b, t, error)
         && _stp_stats_count_remission (b, 6, &t->remission[0], error)
         && _stp_stats_count_remission (b, 12, &t->remission[1], error);
}

static gpointer
side_work_thread (gpointer data)
{
  SideWork *w = data;
  StpStore *store = w->builder.store;
  double cpu0 = thread_cpu_ms (), cpu1;

  w->ok = stp_store_exec (store, "BEGIN", &w->error)
          && _stp_stats_count_admitted (&w->builder, &w->tally, &w->error);
  cpu1 = thread_cpu_ms ();
  g_debug ("admitted (side thread): CPU %6.1f ms", cpu1 - cpu0);
  g_mutex_lock (&w->mutex);
  w->admitted_done = TRUE;
  w->admitted_ok = w->ok;
  g_cond_broadcast (&w->cond);
  g_mutex_unlock (&w->mutex);
  w->ok = w->ok && count_follow_ups (&w->builder, &w->tally, &w->error);
  g_debug ("follow-ups (side thread): CPU %6.1f ms", thread_cpu_ms () - cpu1);
  cpu1 = thread_cpu_ms ();
  g_mutex_lock (&w->mutex);
  while (!w->episodes_done)
    g_cond_wait (&w->cond, &w->mutex);
  w->ok = w->ok && w->episodes_ok;
  g_mutex_unlock (&w->mutex);
  w->ok = w->ok && _stp_stats_count_relatives (&w->builder, w->main_tally, &w->error);
  g_debug ("relatives (side thread): CPU %6.1f ms", thread_cpu_ms () - cpu1);
  if (!sqlite3_get_autocommit (stp_store_get_db (store)))
    stp_store_exec (store, w->ok ? "COMMIT" : "ROLLBACK", NULL);
  return NULL;
}

/* The stage passes: the stage each drop-out left at and the stage of each
 * episode running at the end of the period.  Both need only the episodes
 * walk; on a third connection they run beside the residents walk.  On a
 * cold cache the report waits for the disk one page at a time on each
 * thread (the 100k center: some 12 000 pages of 4 KiB for a calendar year,
 * scattered over the file; 1 200 of them the drop-outs' exit stages, 1 700
 * the open stage entries), so a third reader shortens the longest chain
 * of reads; warm it moves some 100 ms of CPU off the main thread.
 * STUPENI_STATS_TWO_THREADS=1 keeps them on the main thread, to compare. */
typedef struct
{
  Builder  builder;
  Tally    tally;      /* strings of its own; the rest points into the main one */
  gboolean ok;
  GError  *error;
} StageWork;

static gpointer
stage_work_thread (gpointer data)
{
  StageWork *w = data;
  StpStore *store = w->builder.store;
  double cpu0 = thread_cpu_ms ();

  w->ok = stp_store_exec (store, "BEGIN", &w->error)
          && _stp_stats_count_dropped_out (&w->builder, &w->tally, &w->error)
          && _stp_stats_count_in_program (&w->builder, &w->tally, &w->error);
  g_debug ("stages (third thread): CPU %6.1f ms", thread_cpu_ms () - cpu0);
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
  g_autoptr(StpStore) third = NULL;
  SideWork work = { { 0, }, };
  StageWork stages = { { 0, }, };
  GThread *thread = NULL;
  GThread *stage_thread = NULL;
  gboolean ok;
  gint64 step_start = g_get_monotonic_time ();
  double step_cpu = thread_cpu_ms ();

  /* G_MESSAGES_DEBUG=stp-stats prints how long each pass took. */
#define STEP_DONE(what) \
  G_STMT_START { \
    gint64 now_ = g_get_monotonic_time (); \
    double cpu_ = thread_cpu_ms (); \
    g_debug ("%-22s %7.1f ms (CPU of this thread %6.1f ms)", what, \
             (now_ - step_start) / 1000.0, cpu_ - step_cpu); \
    step_start = now_; \
    step_cpu = cpu_; \
  } G_STMT_END
  if (!load_tombstones (b, t, error))
    return FALSE;
  STEP_DONE ("tombstones");
  /* Only when this call began the transaction: otherwise the other
   * connection would not see what this one wrote in it. */
  if (parallel)
    second = stp_store_open_secondary (b->store, NULL);
  /* A small cache: this connection is new for every report and only
   * walks index ranges once (admissions, follow-ups), so no page is read
   * twice, while every page of a bigger cache is memory touched for the
   * first time (a page fault each).  Seen on the 100k center (calendar
   * year, bench-stats): the thread's CPU 150-215 ms with 16 MB, 110-180
   * with 4 MB, 86-100 with 1 MB or less. */
  if (second != NULL)
    stp_store_exec (second, "PRAGMA cache_size = -1000", NULL);
  /* Its transaction begins while this one holds the write lock (as the
   * second's), so it reads the same data. */
  if (second != NULL && g_strcmp0 (g_getenv ("STUPENI_STATS_TWO_THREADS"), "1") != 0)
    third = stp_store_open_secondary (b->store, NULL);
  if (third != NULL)
    stp_store_exec (third, "PRAGMA cache_size = -1000", NULL);
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
      work.main_tally = t;
      g_mutex_init (&work.mutex);
      g_cond_init (&work.cond);
      thread = g_thread_new ("stp-stats", side_work_thread, &work);
    }

  ok = (thread != NULL || _stp_stats_count_admitted (b, t, error));
  STEP_DONE ("admitted");
  ok = ok && _stp_stats_count_episodes (b, t, error);
  t->relatives = g_new0 (gint64, t->active->len + 1);
  t->codependents = g_new0 (double, t->active->len + 1);
  t->minor = g_new0 (guint8, t->active->len + 1);
  t->household_minors = g_new0 (guint8, t->active->len + 1);
  /* The relatives walk needs only the residents in the program: on the
   * other thread, beside the walks below. */
  if (thread != NULL)
    {
      g_mutex_lock (&work.mutex);
      work.episodes_done = TRUE;
      work.episodes_ok = ok;
      g_cond_broadcast (&work.cond);
      g_mutex_unlock (&work.mutex);
    }
  else
    ok = ok && _stp_stats_count_relatives (b, t, error);
  STEP_DONE ("episodes");
  if (ok && third != NULL)
    {
      stages.builder = *b;
      stages.builder.store = third;
      stages.tally.strings = g_string_chunk_new (16 * 1024);
      stages.tally.drop_outs = t->drop_outs;
      stages.tally.running = t->running;
      stages.tally.dropped_out_by_stage = t->dropped_out_by_stage;
      stages.tally.in_program_by_stage = t->in_program_by_stage;
      stage_thread = g_thread_new ("stp-stats-stages", stage_work_thread, &stages);
    }
  else
    {
      ok = ok && _stp_stats_count_dropped_out (b, t, error);
      STEP_DONE ("dropped out");
      ok = ok && _stp_stats_count_in_program (b, t, error);
      STEP_DONE ("in program");
    }
  if (thread != NULL)
    {
      g_mutex_lock (&work.mutex);
      while (!work.admitted_done)
        g_cond_wait (&work.cond, &work.mutex);
      ok = ok && work.admitted_ok;
      g_mutex_unlock (&work.mutex);
    }
  STEP_DONE ("wait for admitted");
  ok = ok && _stp_stats_count_residents (b, t, error);
  STEP_DONE ("residents");
  ok = ok && _stp_stats_count_court (b, t, error);
  STEP_DONE ("court");

  if (stage_thread != NULL)
    {
      g_thread_join (stage_thread);
      g_string_chunk_free (stages.tally.strings);
      if (!stages.ok)
        {
          if (ok && (error == NULL || *error == NULL))
            g_propagate_error (error, g_steal_pointer (&stages.error));
          ok = FALSE;
        }
      g_clear_error (&stages.error);
      STEP_DONE ("stages (join)");
    }

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
  STEP_DONE ("follow-ups (join)");
  if (!ok)
    return FALSE;
  _stp_stats_finish_families (t);

  _stp_stats_begin_section (b, "admitted_by_source", NC_("stats", "Admitted by referral source"));
  _stp_stats_add_enum_rows (b, t->admitted_by_source, STP_ENUM_REFERRAL_SOURCE, 0, TRUE);
  _stp_stats_begin_section (b, "admitted_by_substance", NC_("stats", "Admitted by main substance"));
  _stp_stats_add_enum_rows (b, t->admitted_by_substance, STP_ENUM_SUBSTANCE, 0, TRUE);
  _stp_stats_begin_section (b, "discharged_by_source", NC_("stats", "Discharged by referral source"));
  _stp_stats_add_enum_rows (b, t->discharged_by_source, STP_ENUM_REFERRAL_SOURCE, 0, TRUE);
  _stp_stats_begin_section (b, "discharged_by_substance", NC_("stats", "Discharged by main substance"));
  _stp_stats_add_enum_rows (b, t->discharged_by_substance, STP_ENUM_SUBSTANCE, 0, TRUE);
  if (!_stp_stats_section_in_program_by_stage (b, t, error))
    return FALSE;
  _stp_stats_begin_section (b, "outcomes", NC_("stats", "Discharge outcomes"));
  _stp_stats_add_enum_rows (b, t->outcomes, STP_ENUM_EPISODE_STATUS, STP_EPISODE_COMPLETED, TRUE);
  if (!_stp_stats_section_dropped_out_by_stage (b, t, error))
    return FALSE;
  _stp_stats_section_remission (b, 6, &t->remission[0]);
  _stp_stats_section_remission (b, 12, &t->remission[1]);
  _stp_stats_section_resocialization (b, t);
  _stp_stats_section_families (b, t);
  _stp_stats_section_court (b, t);
  if (!_stp_stats_section_referrals (b, error))
    return FALSE;
  _stp_stats_section_age_and_sex (b, t);
  STEP_DONE ("sections, referrals");
  return TRUE;
#undef STEP_DONE
}

/* The connection's page cache setting (PRAGMA cache_size), 0 if unknown. */
static gint64
cache_size (StpStore *self)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, "PRAGMA cache_size", NULL);
  gint64 size = 0;

  if (stmt == NULL)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    size = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return size;
}

/* Bytes of the connection's page cache in use. */
static gint64
cache_used (StpStore *self)
{
  int used = 0, highest = 0;

  if (sqlite3_db_status (stp_store_get_db (self), SQLITE_DBSTATUS_CACHE_USED, &used, &highest, 0)
      != SQLITE_OK)
    return G_MAXINT64;
  return used;
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
  gint64 old_cache;
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
  /* A small page cache for the report's walks (put back after): they
   * read more pages than even the window's 16 MB hold, so a big cache
   * saves few reads, while filling it the first time costs a page fault
   * for each of its pages.  Seen on the 100k center (bench-stats, load
   * ~22): the first report's main-thread CPU 229-243 ms with 16 MB,
   * 160-171 with 1 MB; later reports 126-133 either way.  Only when the
   * cache holds little yet: a full one (the window's, after the list was
   * read) would be emptied for nothing and filled again after (seen:
   * bench-core's later reports 20-30 ms more CPU).  Not inside a caller's
   * transaction (it may be a long one of its own). */
  old_cache = parallel && cache_used (self) < 2 * 1024 * 1024 ? cache_size (self) : 0;
  if (old_cache != 0)
    stp_store_exec (self, "PRAGMA cache_size = -1000", NULL);
  ok = stp_store_transaction_begin (&tx, self, error);
  if (ok)
    {
      tally_init (&t);
      ok = build_stats (&b, &t, parallel, error);
      tally_clear (&t);
      ok = ok && stp_store_transaction_commit (&tx, error);
    }
  if (old_cache != 0)
    {
      g_autofree char *sql = g_strdup_printf ("PRAGMA cache_size = %" G_GINT64_FORMAT, old_cache);

      stp_store_exec (self, sql, NULL);
    }
  if (!ok)
    return NULL;
  return g_steal_pointer (&stats);
}
