/* stp-stats-count.c: the walks over the data that count the center
 * report's numbers (DOMAIN.md, report 2), and the sections written from
 * them.  The builder, the tallies and the run are in stp-stats.c. */
#define G_LOG_DOMAIN "stp-stats"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-stats-private.h"
#include "stp-error.h"

#include <stdlib.h>
#include <string.h>

/* Episodes admitted in the period: by referral source and main substance
 * (residents with a tombstone left out); kept for the age and sex. */
gboolean
_stp_stats_count_admitted (Builder *b,
                           Tally   *t,
                           GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _stp_stats_prepare_period (b,
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
      if (_stp_stats_column_is_live (t, stmt, 2))
        {
          _stp_stats_counts_add (t->admitted_by_source, (const char *) sqlite3_column_text (stmt, 0), 1);
          _stp_stats_counts_add (t->admitted_by_substance, (const char *) sqlite3_column_text (stmt, 1), 1);
        }
      /* A row without a resident joins no resident. */
      if (sqlite3_column_type (stmt, 2) == SQLITE_TEXT)
        {
          Admission a = {
            _stp_stats_column_string (t, stmt, 2),
            sqlite3_column_int64 (stmt, 3),
            _stp_stats_column_string (t, stmt, 4),
          };

          g_array_append_val (t->admissions, a);
        }
    }
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;
  g_array_sort (t->admissions, _stp_stats_compare_first_string);
  return TRUE;
}

/* One walk over episodes discharged from the start of the period on, then
 * over those not discharged: the discharged sections (by referral source,
 * main substance and outcome, dropped-out episodes kept for their stage),
 * the residents in the program during the period and the episodes running
 * at its end.  Residents with a tombstone are left out. */
gboolean
_stp_stats_count_episodes (Builder *b,
                           Tally   *t,
                           GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _stp_stats_prepare_period (b,
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
  _stp_stats_bind_code (stmt, 3, STP_ENUM_EPISODE_STATUS, STP_EPISODE_DROPPED_OUT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gboolean discharged = sqlite3_column_int (stmt, 3) != 0;

      if (!_stp_stats_column_is_live (t, stmt, 0))
        continue;

      if (discharged)
        {
          _stp_stats_counts_add (t->discharged_by_source, (const char *) sqlite3_column_text (stmt, 4), 1);
          _stp_stats_counts_add (t->discharged_by_substance, (const char *) sqlite3_column_text (stmt, 5), 1);
          _stp_stats_counts_add (t->outcomes, (const char *) sqlite3_column_text (stmt, 6), 1);
          if (sqlite3_column_int (stmt, 7) != 0)
            {
              /* Without an id no stage entry joins it. */
              if (sqlite3_column_type (stmt, 1) == SQLITE_TEXT)
                {
                  const char *id = _stp_stats_column_string (t, stmt, 1);

                  g_array_append_val (t->drop_outs, id);
                }
              else
                _stp_stats_counts_add (t->dropped_out_by_stage, NULL, 1);
            }
        }
      if (sqlite3_column_int (stmt, 2) == 0)
        continue;
      /* A row without a resident or an id joins nothing. */
      if (sqlite3_column_type (stmt, 0) == SQLITE_TEXT)
        g_ptr_array_add (t->active, (char *) _stp_stats_column_string (t, stmt, 0));
      if (!discharged && sqlite3_column_type (stmt, 1) == SQLITE_TEXT)
        g_ptr_array_add (t->running, (char *) _stp_stats_column_string (t, stmt, 1));
    }
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;
  _stp_stats_sort_unique (t->active);
  _stp_stats_sort_unique (t->running);
  return TRUE;
}

/* The stage of the entry that was open when the resident left, as kept
 * per episode (episode_exit_stages, schema 002).  Episodes are looked up
 * in id order, so the table is read front to back. */
gboolean
_stp_stats_count_dropped_out (Builder *b,
                              Tally   *t,
                              GError **error)
{
  sqlite3_stmt *stmt;

  stmt = stp_store_prepare (b->store,
                            "SELECT stage_id FROM episode_exit_stages WHERE episode_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  g_array_sort (t->drop_outs, _stp_stats_compare_first_string);
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
        return _stp_stats_finish (b, stmt, rc, error);
      _stp_stats_counts_add (t->dropped_out_by_stage, stage, 1);
    }
  return _stp_stats_finish (b, stmt, SQLITE_DONE, error);
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
gboolean
_stp_stats_count_in_program (Builder *b,
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
  stmt = _stp_stats_prepare_period (b,
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
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;

  if (open < limit)
    {
      stmt = _stp_stats_prepare_period (b,
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
          i = _stp_stats_find_id (t->running, (const char *) sqlite3_column_text (stmt, 0));
          if (i < 0)
            continue;
          pair.episode_id = t->running->pdata[i];
          pair.stage_id = sqlite3_column_type (stmt, 1) == SQLITE_NULL
                          ? "" : _stp_stats_column_string (t, stmt, 1);
          g_array_append_val (pairs, pair);
        }
    }
  else
    {
      stmt = _stp_stats_prepare_period (b,
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
                              ? "" : _stp_stats_column_string (t, stmt, 0);
              g_array_append_val (pairs, pair);
            }
        }
    }
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;

  g_array_sort (pairs, compare_episode_stages);
  for (guint i = 0; i < pairs->len; i++)
    if (i == 0 || compare_episode_stages (&g_array_index (pairs, EpisodeStage, i - 1),
                                          &g_array_index (pairs, EpisodeStage, i)) != 0)
      _stp_stats_counts_add (t->in_program_by_stage, g_array_index (pairs, EpisodeStage, i).stage_id, 1);
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
  return _stp_stats_finish (b, eval, rc, error);
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
 * walked in resident order beside the sorted ids.  Reads only @t->active
 * and writes only the per-resident arrays, so that it can run on the
 * other thread (on its own connection) beside the residents walk. */
gboolean
_stp_stats_count_relatives (Builder *b,
                            Tally   *t,
                            GError **error)
{
  GPtrArray *active = t->active;
  sqlite3_stmt *stmt;
  guint i = 0;
  int rc;

  if (active->len == 0)
    return TRUE;
  stmt = _stp_stats_prepare_period (b,
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
      t->relatives[i] = sqlite3_column_int64 (stmt, 1);
      t->codependents[i] = sqlite3_column_double (stmt, 2);
      t->minor[i] = sqlite3_column_int (stmt, 3) != 0;
    }
  return _stp_stats_finish (b, stmt, rc, error);
}

/* Work with families, from the two walks above: relatives and
 * codependents of the residents in the program (whose row is there), and
 * those with minors (in the household or among the relatives). */
void
_stp_stats_finish_families (Tally *t)
{
  double codependents_total = 0;

  for (guint i = 0; i < t->active->len; i++)
    {
      /* 2: the resident's row was found (bit 0 of household_minors is
       * the minors in the household). */
      if ((t->household_minors[i] & 2) == 0)
        continue;
      t->families[0] += t->relatives[i];
      codependents_total += t->codependents[i];
      t->families[2] += (t->household_minors[i] & 1) || t->minor[i];
    }
  t->families[1] = (gint64) codependents_total;
}

/* One walk over the residents, beside the residents in the program
 * (work with families) and the admissions (age and sex; only residents
 * whose row is there without a tombstone). */
gboolean
_stp_stats_count_residents (Builder *b,
                            Tally   *t,
                            GError **error)
{
  GPtrArray *active = t->active;
  GArray *admissions = t->admissions;
  const char *sop = stp_enum_to_code (STP_ENUM_FAMILY_STATUS, STP_FAMILY_STATUS_SOP);
  const char *tzhs = stp_enum_to_code (STP_ENUM_FAMILY_STATUS, STP_FAMILY_STATUS_TZHS);
  const char *first = NULL, *last = NULL;
  sqlite3_stmt *stmt;
  guint i = 0, k = 0;
  int rc;

  if (active->len > 0)
    {
      first = active->pdata[0];
      last = active->pdata[active->len - 1];
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

  stmt = _stp_stats_prepare_period (b,
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
          /* Relatives and minors: _stp_stats_finish_families (). */
          t->household_minors[i] = 2 | (column_is_positive (stmt, 4) ? 1 : 0);
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
              _stp_stats_counts_add (t->sexes, sex, 1);
              _stp_stats_counts_add (t->age_groups,
                                     age_group (&birth, &g_array_index (admissions, Admission, k)), 1);
            }
        }
    }
  return _stp_stats_finish (b, stmt, rc, error);
}

/* Court-ordered residents in the program during the period, each counted
 * once per basis and once in the total (residents with a tombstone are not
 * in the program list). */
gboolean
_stp_stats_count_court (Builder *b,
                        Tally   *t,
                        GError **error)
{
  g_autoptr(GHashTable) all = g_hash_table_new (NULL, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _stp_stats_prepare_period (b,
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
      i = _stp_stats_find_id (t->active, (const char *) sqlite3_column_text (stmt, 0));
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
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;
  t->court_total = g_hash_table_size (all);
  return TRUE;
}

/* Residents with a follow-up done in the period (each counted once), and
 * those of them for whom any such follow-up noted each result
 * (max (coalesce (x, 0)) > 0 holds when some coalesce (x, 0) > 0). */
gboolean
_stp_stats_count_resocialization (Builder *b,
                                  Tally   *t,
                                  GError **error)
{
  /* Resident id -> index + 1 in @flags. */
  g_autoptr(GHashTable) residents = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GArray) flags = g_array_new (FALSE, TRUE, sizeof (guint));
  guint null_group = 0;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _stp_stats_prepare_period (b,
                                    "SELECT f.resident_id, f.employed, f.documents_restored,"
                                    " f.returned_to_family, f.housing, f.attends_groups"
                                    " FROM follow_ups f INDEXED BY follow_ups_report_done"
                                    " WHERE f.done_on BETWEEN ?1 AND ?2 AND f.deleted = 0 AND f.outcome = ?3",
                                    error);
  if (stmt == NULL)
    return FALSE;
  _stp_stats_bind_code (stmt, 3, STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_DONE);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      /* Bit 0 marks a resident seen; bits 1..5 the results. */
      guint row = 1;
      guint index;

      if (!_stp_stats_column_is_live (t, stmt, 0))
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
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;

  for (guint i = 0; i < flags->len; i++)
    for (int k = 0; k <= 5; k++)
      if (g_array_index (flags, guint, i) & (1u << k))
        t->resocialization[k]++;
  return TRUE;
}

gboolean
_stp_stats_count_remission (Builder    *b,
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
  stmt = _stp_stats_prepare_period (b,
                                    b->no_tombstones ? REMISSION_SQL ("")
                                          : REMISSION_SQL (" AND" LIVE ("f.resident_id")),
                                    error);
#undef REMISSION_SQL
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 3, months);
  _stp_stats_bind_code (stmt, 4, STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_DONE);
  _stp_stats_bind_code (stmt, 5, STP_ENUM_REMISSION, STP_REMISSION_YES);
  _stp_stats_bind_code (stmt, 6, STP_ENUM_REMISSION, STP_REMISSION_NO);
  _stp_stats_bind_code (stmt, 7, STP_ENUM_REMISSION, STP_REMISSION_UNKNOWN);
  _stp_stats_bind_code (stmt, 8, STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_LOST_CONTACT);
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
  return _stp_stats_finish (b, stmt, rc, error);
}

void
_stp_stats_section_remission (Builder         *b,
                              int              months,
                              const Remission *r)
{
  gint64 due = r->due, reached = r->reached, lost = r->lost;

  if (months == 6)
    _stp_stats_begin_section (b, "remission_6", NC_("stats", "Remission at 6 months"));
  else
    _stp_stats_begin_section (b, "remission_12", NC_("stats", "Remission at 12 months"));
  _stp_stats_add_row (b, "yes", C_("stats", "In remission"), r->yes);
  _stp_stats_add_row (b, "no", C_("stats", "Not in remission"), r->no);
  _stp_stats_add_row (b, "unknown", C_("stats", "Remission unknown"), r->unknown);
  _stp_stats_add_row (b, "lost", stp_enum_to_label (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_LOST_CONTACT), lost);
  _stp_stats_add_row (b, "pending", C_("stats", "Not done yet"), due - reached - lost);
  _stp_stats_add_row (b, "reached", C_("stats", "Reached"), reached);
  _stp_stats_add_row (b, "due", C_("stats", "Due in the period"), due);
  _stp_stats_add_row (b, "reached_percent", C_("stats", "Reached, %"), due > 0 ? (reached * 100 + due / 2) / due : 0);
}

gboolean
_stp_stats_section_referrals (Builder *b,
                              GError **error)
{
  g_autoptr(GHashTable) counts = NULL;
  sqlite3_stmt *stmt;
  gint64 in_time = 0, late = 0, unanswered = 0;
  int rc;

  stmt = _stp_stats_prepare_period (b,
                                    "SELECT f.agency_kind, count (*) FROM referrals f"
                                    " WHERE f.sent_on BETWEEN ?1 AND ?2 AND f.deleted = 0 AND f.direction = ?3"
                                    " AND" LIVE ("f.resident_id") "GROUP BY f.agency_kind",
                                    error);
  if (stmt == NULL)
    return FALSE;
  _stp_stats_bind_code (stmt, 3, STP_ENUM_DIRECTION, STP_DIRECTION_OUTGOING);
  counts = _stp_stats_count_by_key (b, stmt, error);
  if (counts == NULL)
    return FALSE;

  stmt = _stp_stats_prepare_period (b,
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
  _stp_stats_bind_code (stmt, 3, STP_ENUM_DIRECTION, STP_DIRECTION_OUTGOING);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      in_time = (gint64) sqlite3_column_double (stmt, 0);
      late = (gint64) sqlite3_column_double (stmt, 1);
      unanswered = (gint64) sqlite3_column_double (stmt, 2);
    }
  if (!_stp_stats_finish (b, stmt, rc, error))
    return FALSE;

  _stp_stats_begin_section (b, "referrals", NC_("stats", "Referrals sent to agencies"));
  _stp_stats_add_enum_rows (b, counts, STP_ENUM_AGENCY_KIND, 0, TRUE);
  _stp_stats_add_row (b, "answered_in_time", C_("stats", "Answered in time"), in_time);
  _stp_stats_add_row (b, "answered_late", C_("stats", "Answered late"), late);
  _stp_stats_add_row (b, "unanswered", C_("stats", "Not answered"), unanswered);
  return TRUE;
}

gboolean
_stp_stats_section_in_program_by_stage (Builder *b,
                                        Tally   *t,
                                        GError **error)
{
  _stp_stats_begin_section (b, "in_program_by_stage", NC_("stats", "In the program at the end of the period, by stage"));
  if (!_stp_stats_add_stage_rows (b, t->in_program_by_stage, TRUE, error))
    return FALSE;
  _stp_stats_begin_section (b, "in_program_by_stage_kind",
                            NC_("stats", "In the program at the end of the period, by kind of stage"));
  return _stp_stats_add_stage_kind_rows (b, t->in_program_by_stage, error);
}

gboolean
_stp_stats_section_dropped_out_by_stage (Builder *b,
                                         Tally   *t,
                                         GError **error)
{
  _stp_stats_begin_section (b, "dropped_out_by_stage", NC_("stats", "Dropped out, by stage"));
  if (!_stp_stats_add_stage_rows (b, t->dropped_out_by_stage, FALSE, error))
    return FALSE;
  _stp_stats_begin_section (b, "dropped_out_by_stage_kind", NC_("stats", "Dropped out, by kind of stage"));
  return _stp_stats_add_stage_kind_rows (b, t->dropped_out_by_stage, error);
}

void
_stp_stats_section_resocialization (Builder *b,
                                    Tally   *t)
{
  gint64 *v = t->resocialization;

  _stp_stats_begin_section (b, "resocialization", NC_("stats", "Resocialization (follow-ups done in the period)"));
  _stp_stats_add_row (b, "employed", C_("stats", "Employed"), v[1]);
  _stp_stats_add_row (b, "documents_restored", C_("stats", "Documents restored"), v[2]);
  _stp_stats_add_row (b, "returned_to_family", C_("stats", "Returned to family"), v[3]);
  _stp_stats_add_row (b, "housing", C_("stats", "Have housing"), v[4]);
  _stp_stats_add_row (b, "attends_groups", C_("stats", "Attend self-help groups"), v[5]);
  _stp_stats_add_row (b, "total", C_("stats", "Residents reached"), v[0]);
}

void
_stp_stats_section_families (Builder *b,
                             Tally   *t)
{
  gint64 *v = t->families;

  _stp_stats_begin_section (b, "families", NC_("stats", "Work with families"));
  _stp_stats_add_row (b, "relatives_served", C_("stats", "Relatives served"), v[0]);
  _stp_stats_add_row (b, "codependents", C_("stats", "Codependent relatives"), v[1]);
  _stp_stats_add_row (b, "families_with_minors", C_("stats", "Families with minors"), v[2]);
  _stp_stats_add_row (b, "sop", C_("stats", "Families in a socially dangerous situation"), v[3]);
  _stp_stats_add_row (b, "tzhs", C_("stats", "Families in a difficult life situation"), v[4]);
  _stp_stats_add_row (b, "kdn_informed", C_("stats", "Commission on minors informed"), v[5]);
  _stp_stats_add_row (b, "residents", C_("stats", "Residents in the program during the period"), v[6]);
}

void
_stp_stats_section_court (Builder *b,
                          Tally   *t)
{
  const StpEnumItem *items = stp_enum_get_items (STP_ENUM_COURT_BASIS);

  _stp_stats_begin_section (b, "court", NC_("stats", "Court-ordered residents"));
  for (guint i = 0; items[i].code != NULL; i++)
    {
      GHashTable *residents = g_hash_table_lookup (t->court_by_basis, items[i].code);

      _stp_stats_add_row (b, items[i].code, stp_enum_to_label (STP_ENUM_COURT_BASIS, items[i].value),
                          residents != NULL ? g_hash_table_size (residents) : 0);
    }
  _stp_stats_add_row (b, "total", C_("stats", "Total"), t->court_total);
}

void
_stp_stats_section_age_and_sex (Builder *b,
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

  _stp_stats_begin_section (b, "age_groups", NC_("stats", "Age at admission"));
  for (guint i = 0; i < G_N_ELEMENTS (groups); i++)
    {
      gint64 n = _stp_stats_lookup_count (t->age_groups, groups[i].key);

      _stp_stats_add_row (b, groups[i].key, g_dpgettext2 (GETTEXT_PACKAGE, "stats", groups[i].label), n);
      total += n;
    }
  _stp_stats_add_row (b, "total", C_("stats", "Total"), total);

  _stp_stats_begin_section (b, "sex", NC_("stats", "Sex of admitted"));
  male = _stp_stats_lookup_count (t->sexes, stp_enum_to_code (STP_ENUM_SEX, STP_SEX_MALE));
  female = _stp_stats_lookup_count (t->sexes, stp_enum_to_code (STP_ENUM_SEX, STP_SEX_FEMALE));
  _stp_stats_add_row (b, "male", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_MALE), male);
  _stp_stats_add_row (b, "female", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_FEMALE), female);
  _stp_stats_add_row (b, "unknown", stp_enum_to_label (STP_ENUM_SEX, STP_SEX_UNKNOWN), total - male - female);
  _stp_stats_add_row (b, "total", C_("stats", "Total"), total);
}
