/* stp-overview.c: the numbers of the «Обзор» page.  Each number is one
 * walk over a short index range (the last 12 months, the residents now in
 * the center, the open working lists), so that the page is quick on a
 * center with a hundred thousand residents (bench/bench-core.c). */
#define G_LOG_DOMAIN "stp-overview"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-overview.h"
#include "stp-overview-private.h"
#include "stp-error.h"
#include "stp-store-private.h"
#include "stp-validate.h"

#include <string.h>
#include <time.h>

/* Rows whose resident has no tombstone (as the working lists, which join
 * residents with a LEFT JOIN, a row without a resident is kept); nothing
 * to check when no resident has one. */
#define LIVE_CLAUSE \
  " AND (resident_id IS NULL OR resident_id NOT IN" \
  " (SELECT id FROM residents INDEXED BY residents_deleted WHERE deleted <> 0 AND id IS NOT NULL))"

/* A query with the clause above when some resident has a tombstone. */
#define PREPARE_LIVE(w, sql_before, sql_after, error) \
  stp_store_prepare ((w)->store, \
                     g_hash_table_size ((w)->tombstones) > 0 ? sql_before LIVE_CLAUSE sql_after \
                                                             : sql_before sql_after, \
                     error)

typedef struct
{
  StpStore    *store;
  StpOverview *overview;
  GHashTable  *tombstones;      /* ids of residents with a tombstone */
  GHashTable  *stage_kinds;     /* stage id -> GINT_TO_POINTER (kind + 1) */
  GHashTable  *stage_rows;      /* stage id (or "program:" id) -> StpOverviewStage */
  GStringChunk *strings;       /* the keys of the two below: no malloc each */
  GHashTable  *in_center;       /* set of resident ids now in the center */
  GHashTable  *recent_exits;    /* resident id -> latest discharge in the last 30 days */
  char        *week_end;        /* today + 6 */
  char        *month_ago;       /* today - 30 */
  char        *month_ahead;     /* today + 30 */
  /* The remission walks' sums, added to the overview at the end (the two
   * walks may run on two threads). */
  gint64       follow_ups_done;
  gint64       employed;
  gint64       documents_restored;
} Walk;

static void
overview_stage_free (StpOverviewStage *stage)
{
  g_free (stage->program_id);
  g_free (stage->program_name);
  g_free (stage->stage_id);
  g_free (stage->stage_name);
  g_free (stage);
}

void
stp_overview_free (StpOverview *overview)
{
  if (overview == NULL)
    return;
  g_free (overview->today);
  g_free (overview->first_day);
  g_clear_pointer (&overview->stages, g_ptr_array_unref);
  for (guint i = 0; i < STP_OVERVIEW_MONTHS; i++)
    g_free (overview->months[i]);
  g_free (overview);
}

static gboolean
finish (Walk         *w,
        sqlite3_stmt *stmt,
        int           rc,
        GError      **error)
{
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      stp_store_set_sqlite_error (w->store, error);
      return FALSE;
    }
  return TRUE;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Rows of residents with a tombstone are left out; a row without a
 * resident is kept (as the working lists keep it). */
static gboolean
is_live (Walk       *w,
         const char *resident_id)
{
  return resident_id == NULL || !g_hash_table_contains (w->tombstones, resident_id);
}

static int
code_value (StpEnumType  type,
            const char  *code)
{
  return code != NULL ? stp_enum_from_code (type, code) : -1;
}

static void
set_months (StpOverview *o)
{
  int year = atoi (o->today);
  int month = atoi (o->today + 5);

  for (int i = STP_OVERVIEW_MONTHS - 1; i >= 0; i--)
    {
      o->months[i] = g_strdup_printf ("%04d-%02d", year, month);
      if (--month == 0)
        {
          month = 12;
          year--;
        }
    }
  o->first_day = g_strdup_printf ("%s-01", o->months[0]);
}

/* The index of the month "YYYY-MM…" of @date, or -1. */
static int
month_index (StpOverview *o,
             const char  *date)
{
  if (date == NULL || strlen (date) < 7)
    return -1;
  for (int i = 0; i < STP_OVERVIEW_MONTHS; i++)
    if (strncmp (o->months[i], date, 7) == 0)
      return i;
  return -1;
}

static gboolean
load_tombstones (Walk    *w,
                 GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = stp_store_prepare (w->store,
                            "SELECT id FROM residents INDEXED BY residents_deleted"
                            " WHERE deleted <> 0 AND id IS NOT NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (w->tombstones, g_strdup (column_text (stmt, 0)));
  return finish (w, stmt, rc, error);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static StpStageKind
stage_kind (Walk       *w,
            const char *stage_id)
{
  gpointer value = stage_id != NULL ? g_hash_table_lookup (w->stage_kinds, stage_id) : NULL;

  return value != NULL ? (StpStageKind) (GPOINTER_TO_INT (value) - 1) : STP_STAGE_KIND_OTHER;
}

/* Stages of active programs, in order, and the kinds of all stages. */
static gboolean
load_stages (Walk    *w,
             GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = stp_store_prepare (w->store,
                            "SELECT s.id, s.name, coalesce (s.kind, 'other'), p.id, p.name,"
                            " coalesce (p.active, 0) AND NOT coalesce (s.retired, 0)"
                            " AND coalesce (p.deleted, 0) = 0"
                            " FROM stages s LEFT JOIN programs p ON p.id = s.program_id"
                            " WHERE s.deleted = 0 AND s.id IS NOT NULL"
                            " ORDER BY p.name, s.position, s.id",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpOverviewStage *stage = g_new0 (StpOverviewStage, 1);
      int kind = code_value (STP_ENUM_STAGE_KIND, column_text (stmt, 2));

      stage->stage_id = g_strdup (column_text (stmt, 0));
      stage->stage_name = g_strdup (column_text (stmt, 1));
      stage->kind = kind >= 0 ? (StpStageKind) kind : STP_STAGE_KIND_OTHER;
      stage->program_id = g_strdup (column_text (stmt, 3));
      stage->program_name = g_strdup (column_text (stmt, 4));
      g_hash_table_insert (w->stage_kinds, g_strdup (stage->stage_id),
                           GINT_TO_POINTER (stage->kind + 1));
      /* Shown in order when offered; others appear only when occupied. */
      g_hash_table_insert (w->stage_rows, g_strdup (stage->stage_id), stage);
      if (sqlite3_column_int (stmt, 5) != 0)
        g_ptr_array_add (w->overview->stages, stage);
    }
  return finish (w, stmt, rc, error);
}

static gboolean
count_seats (Walk    *w,
             GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = stp_store_prepare (w->store,
                            "SELECT coalesce (seats_total, 0), coalesce (seats_male, 0),"
                            " coalesce (seats_female, 0) FROM centers WHERE deleted = 0"
                            " ORDER BY created_at, id LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      w->overview->seats_total = sqlite3_column_int64 (stmt, 0);
      w->overview->seats_male = sqlite3_column_int64 (stmt, 1);
      w->overview->seats_female = sqlite3_column_int64 (stmt, 2);
    }
  return finish (w, stmt, rc, error);
}

/* The bed board, from the residents' summaries (the census and the
 * residents list read the same rows): residents whose current episode is
 * at intake or in the program, by the stage open today. */
static gboolean
count_in_center (Walk    *w,
                 GError **error)
{
  StpOverview *o = w->overview;
  const char *male = stp_enum_to_code (STP_ENUM_SEX, STP_SEX_MALE);
  const char *female = stp_enum_to_code (STP_ENUM_SEX, STP_SEX_FEMALE);
  sqlite3_stmt *stmt;
  int rc;

  stmt = stp_store_prepare (w->store,
                            "SELECT resident_id, stage_id, sex, program_id"
                            " FROM resident_summaries INDEXED BY resident_summaries_overview"
                            " WHERE status IN (?1, ?2) AND deleted = 0",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_INTAKE), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_IN_PROGRAM), -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *resident_id = column_text (stmt, 0);
      const char *stage_id = column_text (stmt, 1);
      const char *sex = column_text (stmt, 2);
      StpOverviewStage *stage;

      if (!is_live (w, resident_id))
        continue;
      stage = stage_id != NULL ? g_hash_table_lookup (w->stage_rows, stage_id) : NULL;
      if (stage == NULL)
        {
          /* No open stage (or a stage deleted since): one row per program. */
          const char *program_id = column_text (stmt, 3);
          g_autofree char *key = g_strconcat ("program:", program_id != NULL ? program_id : "", NULL);

          stage = g_hash_table_lookup (w->stage_rows, key);
          if (stage == NULL)
            {
              stage = g_new0 (StpOverviewStage, 1);
              stage->program_id = g_strdup (program_id);
              for (guint i = 0; i < o->stages->len; i++)
                {
                  StpOverviewStage *other = o->stages->pdata[i];

                  if (other->program_name != NULL && g_strcmp0 (other->program_id, program_id) == 0)
                    {
                      stage->program_name = g_strdup (other->program_name);
                      break;
                    }
                }
              stage->kind = STP_STAGE_KIND_OTHER;
              g_hash_table_insert (w->stage_rows, g_steal_pointer (&key), stage);
            }
        }
      if (stage->residents == 0 && !g_ptr_array_find (o->stages, stage, NULL))
        g_ptr_array_add (o->stages, stage);
      stage->residents++;
      o->in_center++;
      o->in_center_by_kind[stage->kind]++;
      if (g_strcmp0 (sex, male) == 0)
        {
          stage->male++;
          o->in_center_male++;
        }
      else if (g_strcmp0 (sex, female) == 0)
        {
          stage->female++;
          o->in_center_female++;
        }
      if (resident_id != NULL)
        g_hash_table_add (w->in_center, g_string_chunk_insert (w->strings, resident_id));
    }
  return finish (w, stmt, rc, error);
}

/* The index of the month of @date, moving on from *@current: the walks go
 * through dates in order, so the month changes rarely. */
static int
next_month_index (StpOverview *o,
                  const char  *date,
                  int         *current)
{
  if (date == NULL)
    return -1;
  if (*current >= 0 && strncmp (o->months[*current], date, 7) == 0)
    return *current;
  *current = month_index (o, date);
  return *current;
}

/* Admissions per month: one walk over an index in date order. */
static gboolean
count_admitted (Walk    *w,
                GError **error)
{
  StpOverview *o = w->overview;
  sqlite3_stmt *stmt;
  int current = -1;
  int rc;

  stmt = PREPARE_LIVE (w,
                       "SELECT admitted_on FROM episodes INDEXED BY episodes_report_admitted"
                       " WHERE admitted_on BETWEEN ?1 AND ?2 AND deleted = 0",
                       "",
                       error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, o->first_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, o->today, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int m = next_month_index (o, column_text (stmt, 0), &current);

      if (m >= 0)
        o->admitted[m]++;
    }
  return finish (w, stmt, rc, error);
}

/* How many rows the exit stages' cursor steps through before it searches
 * again for the next drop-out's episode. */
#define EXIT_STAGE_WALK 16u

/* Who left in the last 30 days, with the latest discharge of each: a court
 * notice is due after it.  A short walk of its own, so that the long one
 * below can run on the other thread. */
static gboolean
load_recent_exits (Walk    *w,
                   GError **error)
{
  StpOverview *o = w->overview;
  sqlite3_stmt *stmt;
  int rc;

  stmt = PREPARE_LIVE (w,
                       "SELECT discharged_on, resident_id FROM episodes"
                       " INDEXED BY episodes_report_discharged"
                       " WHERE discharged_on BETWEEN ?1 AND ?2 AND deleted = 0",
                       "",
                       error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, w->month_ago, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, o->today, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *resident_id = column_text (stmt, 1);

      /* Dates come in order: the last one inserted is the latest. */
      if (resident_id != NULL)
        g_hash_table_insert (w->recent_exits, g_string_chunk_insert (w->strings, resident_id),
                             g_string_chunk_insert (w->strings, column_text (stmt, 0)));
    }
  return finish (w, stmt, rc, error);
}

/* One walk over the discharges of the 12 months in date order: per month,
 * by outcome, and the ids of the drop-outs; then the stage each drop-out
 * left at (episode_exit_stages, schema 002),
 * looked up in id order so that the table is read front to back. */
static gboolean
count_discharged (Walk    *w,
                  GError **error)
{
  StpOverview *o = w->overview;
  g_autoptr(GPtrArray) drop_outs = g_ptr_array_new_with_free_func (g_free);
  const char *dropped_out = stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_DROPPED_OUT);
  sqlite3_stmt *stmt;
  int current = -1;
  int rc;

  stmt = PREPARE_LIVE (w,
                       "SELECT discharged_on, status, id FROM episodes"
                       " INDEXED BY episodes_report_discharged"
                       " WHERE discharged_on BETWEEN ?1 AND ?2 AND deleted = 0",
                       "",
                       error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, o->first_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, o->today, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *discharged_on = column_text (stmt, 0);
      const char *status_code = column_text (stmt, 1);
      int m = next_month_index (o, discharged_on, &current);
      int status;

      if (m < 0)
        continue;
      o->discharged[m]++;
      if (g_strcmp0 (status_code, dropped_out) == 0)
        {
          o->outcomes[STP_EPISODE_DROPPED_OUT]++;
          if (sqlite3_column_type (stmt, 2) == SQLITE_TEXT)
            g_ptr_array_add (drop_outs, g_strdup (column_text (stmt, 2)));
          else
            o->dropped_out_by_kind[STP_STAGE_KIND_OTHER]++;
        }
      else
        {
          status = code_value (STP_ENUM_EPISODE_STATUS, status_code);
          if (status >= STP_EPISODE_COMPLETED && status <= STP_EPISODE_DIED)
            o->outcomes[status]++;
        }
    }
  if (!finish (w, stmt, rc, error))
    return FALSE;

  /* The ids in order, against the table in order: a step to the next
   * row is much cheaper than a search from the root, so the cursor walks
   * on while the next id is near and searches again when it is not. */
  g_ptr_array_sort (drop_outs, compare_strings);
  stmt = stp_store_prepare (w->store,
                            "SELECT episode_id, stage_id FROM episode_exit_stages"
                            " WHERE episode_id >= ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  rc = SQLITE_DONE;
  for (guint i = 0, walked = 0; i < drop_outs->len; )
    {
      const char *wanted = drop_outs->pdata[i];
      const char *key = rc == SQLITE_ROW ? column_text (stmt, 0) : NULL;
      int order = key != NULL ? strcmp (key, wanted) : -1;

      if (order < 0 && (rc != SQLITE_ROW || walked >= EXIT_STAGE_WALK))
        {
          /* Far behind (or not begun): search from the root. */
          sqlite3_reset (stmt);
          sqlite3_bind_text (stmt, 1, wanted, -1, SQLITE_STATIC);
          rc = sqlite3_step (stmt);
          walked = 0;
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return finish (w, stmt, rc, error);
          if (rc == SQLITE_DONE)
            {
              /* No row from here on: the rest have none. */
              for (; i < drop_outs->len; i++)
                o->dropped_out_by_kind[STP_STAGE_KIND_OTHER]++;
              break;
            }
          continue;
        }
      if (order < 0)
        {
          rc = sqlite3_step (stmt);
          walked++;
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return finish (w, stmt, rc, error);
          if (rc == SQLITE_DONE)
            {
              for (; i < drop_outs->len; i++)
                o->dropped_out_by_kind[STP_STAGE_KIND_OTHER]++;
              break;
            }
          continue;
        }
      /* At the id (the row stays for a repeated id) or past it (none). */
      o->dropped_out_by_kind[stage_kind (w, order == 0 ? column_text (stmt, 1) : NULL)]++;
      i++;
    }
  return finish (w, stmt, SQLITE_DONE, error);
}

/* The 6- or 12-month follow-ups due in the 12 months: how many were
 * reached, remission among them, employment and documents restored. */
static gboolean
count_remission (Walk                 *w,
                 int                   months,
                 StpOverviewRemission *r,
                 GError              **error)
{
  StpOverview *o = w->overview;
  sqlite3_stmt *stmt;
  int rc;

  stmt = PREPARE_LIVE (w,
                       "SELECT count (*), total (outcome = ?4), total (outcome = ?5),"
                       " total (outcome = ?4 AND remission = ?6),"
                       " total (outcome = ?4 AND remission = ?7),"
                       " total (outcome = ?4 AND coalesce (employed, 0) <> 0),"
                       " total (outcome = ?4 AND coalesce (documents_restored, 0) <> 0)"
                       " FROM follow_ups INDEXED BY follow_ups_overview_due"
                       " WHERE months = ?3 AND due_on BETWEEN ?1 AND ?2 AND deleted = 0",
                       "",
                       error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, o->first_day, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, o->today, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, months);
  sqlite3_bind_text (stmt, 4, stp_enum_to_code (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_DONE), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, stp_enum_to_code (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_LOST_CONTACT), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, stp_enum_to_code (STP_ENUM_REMISSION, STP_REMISSION_YES), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, stp_enum_to_code (STP_ENUM_REMISSION, STP_REMISSION_NO), -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      r->due = sqlite3_column_int64 (stmt, 0);
      r->reached = (gint64) sqlite3_column_double (stmt, 1);
      r->lost = (gint64) sqlite3_column_double (stmt, 2);
      r->yes = (gint64) sqlite3_column_double (stmt, 3);
      r->no = (gint64) sqlite3_column_double (stmt, 4);
      r->unknown = r->reached - r->yes - r->no;
      w->follow_ups_done += r->reached;
      w->employed += (gint64) sqlite3_column_double (stmt, 5);
      w->documents_restored += (gint64) sqlite3_column_double (stmt, 6);
    }
  return finish (w, stmt, rc, error);
}

/* The same follow-ups as the working list (stp_store_list_follow_ups_due),
 * counted by SQLite over one index. */
static gboolean
count_follow_ups_due (Walk    *w,
                      GError **error)
{
  StpOverview *o = w->overview;
  gboolean live = g_hash_table_size (w->tombstones) > 0;
  sqlite3_stmt *stmt;
  int rc;

  /* Two counts over two ranges: cheaper per row than two sums over one. */
#define DUE_SQL(live) \
  "SELECT (SELECT count (*) FROM follow_ups INDEXED BY follow_ups_overview_pending" \
  " WHERE done_on IS NULL AND due_on < ?1 AND deleted = 0" \
  " AND (outcome IS NULL OR outcome = ?3)" live ")," \
  " (SELECT count (*) FROM follow_ups INDEXED BY follow_ups_overview_pending" \
  " WHERE done_on IS NULL AND due_on BETWEEN ?1 AND ?2 AND deleted = 0" \
  " AND (outcome IS NULL OR outcome = ?3)" live ")"
  stmt = stp_store_prepare (w->store, live ? DUE_SQL (LIVE_CLAUSE) : DUE_SQL (""), error);
#undef DUE_SQL
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, o->today, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, w->week_end, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, stp_enum_to_code (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_PENDING),
                     -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      o->follow_ups_overdue = sqlite3_column_int64 (stmt, 0);
      o->follow_ups_this_week = sqlite3_column_int64 (stmt, 1);
    }
  return finish (w, stmt, rc, error);
}

static gboolean
count_referrals (Walk    *w,
                 GError **error)
{
  StpOverview *o = w->overview;
  gboolean live = g_hash_table_size (w->tombstones) > 0;
  sqlite3_stmt *stmt;
  int rc;

#define AWAITING_SQL(live) \
  "SELECT count (*), total (due_on IS NOT NULL AND due_on < ?1) FROM referrals" \
  " INDEXED BY referrals_overview_awaiting" \
  " WHERE response_on IS NULL AND deleted = 0" live
  stmt = stp_store_prepare (w->store, live ? AWAITING_SQL (LIVE_CLAUSE) : AWAITING_SQL (""), error);
#undef AWAITING_SQL
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, o->today, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      o->referrals_awaiting = sqlite3_column_int64 (stmt, 0);
      o->referrals_overdue = (gint64) sqlite3_column_double (stmt, 1);
    }
  return finish (w, stmt, rc, error);
}

/* How many of the obligations @ids have no notice of @kind_a or @kind_b
 * (sent on or after their @since, when given).  The ids are looked up in
 * order, so that the notices' index is read front to back. */
static gboolean
count_without_notice (Walk        *w,
                      GPtrArray   *ids,
                      GPtrArray   *since,
                      const char  *kind_a,
                      const char  *kind_b,
                      gint64      *count,
                      GError     **error)
{
  sqlite3_stmt *stmt;
  int rc = SQLITE_DONE;

  if (ids->len == 0)
    return TRUE;
  /* One kind without IN: an IN list of bound values is an ephemeral
   * table built for every run (a malloc or two each, thousands of runs). */
  if (since == NULL)
    stmt = stp_store_prepare (w->store,
                              "SELECT 1 FROM court_notices INDEXED BY court_notices_overview"
                              " WHERE obligation_id = ?1 AND deleted = 0 AND kind = ?2 LIMIT 1",
                              error);
  else
    stmt = stp_store_prepare (w->store,
                              "SELECT 1 FROM court_notices INDEXED BY court_notices_overview"
                              " WHERE obligation_id = ?1 AND deleted = 0 AND kind IN (?2, ?3)"
                              " AND sent_on >= ?4 LIMIT 1",
                              error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 2, kind_a, -1, SQLITE_STATIC);
  if (since != NULL)
    sqlite3_bind_text (stmt, 3, kind_b, -1, SQLITE_STATIC);
  for (guint i = 0; i < ids->len; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, ids->pdata[i], -1, SQLITE_STATIC);
      if (since != NULL)
        sqlite3_bind_text (stmt, 4, since->pdata[i], -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_DONE)
        (*count)++;
      else if (rc != SQLITE_ROW)
        break;
    }
  return finish (w, stmt, rc, error);
}

/* One walk over the obligations (an index alone), keeping those of the
 * residents in the center and of those discharged lately; their notices
 * are looked up one by one. */
static gboolean
count_court_notices (Walk    *w,
                     GError **error)
{
  StpOverview *o = w->overview;
  const char *arrived = stp_enum_to_code (STP_ENUM_COURT_NOTICE_KIND, STP_COURT_NOTICE_ARRIVED);
  const char *completed = stp_enum_to_code (STP_ENUM_COURT_NOTICE_KIND, STP_COURT_NOTICE_COMPLETED);
  const char *left = stp_enum_to_code (STP_ENUM_COURT_NOTICE_KIND, STP_COURT_NOTICE_LEFT);
  g_autoptr(GPtrArray) arrivals = g_ptr_array_new ();
  g_autoptr(GPtrArray) exits = g_ptr_array_new ();
  g_autoptr(GPtrArray) exit_dates = g_ptr_array_new ();
  sqlite3_stmt *stmt;
  int rc;

  if (g_hash_table_size (w->in_center) == 0 && g_hash_table_size (w->recent_exits) == 0)
    return TRUE;
  stmt = stp_store_prepare (w->store,
                            "SELECT resident_id, id FROM court_obligations"
                            " INDEXED BY court_obligations_overview"
                            " WHERE deleted = 0 AND resident_id IS NOT NULL AND id IS NOT NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *resident_id = column_text (stmt, 0);
      const char *exit_date;

      if (g_hash_table_contains (w->in_center, resident_id))
        g_ptr_array_add (arrivals, g_string_chunk_insert (w->strings, column_text (stmt, 1)));
      exit_date = g_hash_table_lookup (w->recent_exits, resident_id);
      if (exit_date != NULL)
        {
          g_ptr_array_add (exits, g_string_chunk_insert (w->strings, column_text (stmt, 1)));
          g_ptr_array_add (exit_dates, (gpointer) exit_date);
        }
    }
  if (!finish (w, stmt, rc, error))
    return FALSE;

  g_ptr_array_sort (arrivals, compare_strings);
  return count_without_notice (w, arrivals, NULL, arrived, arrived, &o->court_notices_due, error)
         && count_without_notice (w, exits, exit_dates, completed, left, &o->court_notices_due, error);
}

static gboolean
count_consents (Walk    *w,
                GError **error)
{
  StpOverview *o = w->overview;
  sqlite3_stmt *stmt;
  int rc;

  stmt = stp_store_prepare (w->store,
                            "SELECT resident_id FROM consents INDEXED BY consents_overview_expiry"
                            " WHERE expires_on BETWEEN ?1 AND ?2 AND deleted = 0"
                            " AND withdrawn_on IS NULL AND resident_id IS NOT NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, o->today, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, w->month_ahead, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (g_hash_table_contains (w->in_center, column_text (stmt, 0)))
      o->consents_expiring++;
  return finish (w, stmt, rc, error);
}

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

/* G_MESSAGES_DEBUG=stp-overview prints how long each walk took. */
typedef struct
{
  const char *thread;
  gint64      start;
  double      cpu;
} Steps;

static void
steps_init (Steps      *steps,
            const char *thread)
{
  steps->thread = thread;
  steps->start = g_get_monotonic_time ();
  steps->cpu = thread_cpu_ms ();
}

static gboolean
step_done (Steps      *steps,
           const char *what,
           gboolean    ok)
{
  gint64 now = g_get_monotonic_time ();
  double cpu = thread_cpu_ms ();

  g_debug ("%s %-16s %7.1f ms (CPU of this thread %6.1f ms)", steps->thread, what,
           (now - steps->start) / 1000.0, cpu - steps->cpu);
  steps->start = now;
  steps->cpu = cpu;
  return ok;
}

static StpOverviewTestHook test_hook;
static gpointer test_hook_data;

void
_stp_overview_set_test_hook (StpOverviewTestHook hook,
                             gpointer            user_data)
{
  test_hook = hook;
  test_hook_data = user_data;
}

/* The walks of the other thread, on a connection of their own: the
 * discharges of the 12 months and the follow-up results.
 * They write only their own fields of the overview; the tombstones and
 * stage kinds, loaded before the thread starts, are only read. */
typedef struct
{
  Walk      walk;
  gboolean  ok;
  GError   *error;
} SideWork;

static gpointer
side_work_thread (gpointer data)
{
  SideWork *side = data;
  Walk *w = &side->walk;
  Steps steps;

  steps_init (&steps, "side");
  side->ok = stp_store_exec (w->store, "BEGIN", &side->error)
             && step_done (&steps, "discharged", count_discharged (w, &side->error))
             && step_done (&steps, "remission 6",
                           count_remission (w, 6, &w->overview->remission_6, &side->error))
             && step_done (&steps, "remission 12",
                           count_remission (w, 12, &w->overview->remission_12, &side->error));
  if (!sqlite3_get_autocommit (stp_store_get_db (w->store)))
    stp_store_exec (w->store, side->ok ? "COMMIT" : "ROLLBACK", NULL);
  return NULL;
}

/* One count.  With @side (a second connection), a part of the walks runs
 * on a thread of its own, in a read transaction begun just after this
 * one's.  *@same_data is FALSE when another connection committed between
 * the two beginnings (or may have): the caller counts again. */
static StpOverview *
compute (StpStore  *self,
         StpStore  *side_store,
         gboolean   own_transaction,
         gboolean  *same_data,
         GError   **error)
{
  g_autoptr(StpOverview) overview = NULL;
  Walk w = { 0, };
  SideWork side = { { 0, }, };
  GThread *thread = NULL;
  gint64 version_before = -1;
  gboolean ok;

  *same_data = TRUE;
  overview = g_new0 (StpOverview, 1);
  /* Rows are owned by stage_rows; the array only orders them. */
  overview->stages = g_ptr_array_new ();
  overview->today = stp_store_today (self);
  set_months (overview);

  w.store = self;
  w.overview = overview;
  w.tombstones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w.stage_kinds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  w.stage_rows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) overview_stage_free);
  w.strings = g_string_chunk_new (64 * 1024);
  w.in_center = g_hash_table_new (g_str_hash, g_str_equal);
  w.recent_exits = g_hash_table_new (g_str_hash, g_str_equal);
  w.week_end = stp_date_add_days (overview->today, 6);
  w.month_ago = stp_date_add_days (overview->today, -30);
  w.month_ahead = stp_date_add_days (overview->today, 30);

  /* One read transaction, deferred: every number sees the same data,
   * and the worker's connection never takes the write lock from the
   * window's one.  Inside a caller's transaction its snapshot is used. */
  ok = !own_transaction || stp_store_exec (self, "BEGIN", error);
  if (ok)
    {
      Steps steps;

      steps_init (&steps, "main");
      ok = step_done (&steps, "tombstones", load_tombstones (&w, error))
           && step_done (&steps, "stages", load_stages (&w, error));
      /* The snapshot of this transaction, taken by the first read. */
      if (ok && side_store != NULL)
        {
          version_before = stp_store_get_data_version (self);
          if (G_UNLIKELY (test_hook != NULL))
            test_hook (test_hook_data);
          side.walk = w;
          side.walk.store = side_store;
          thread = g_thread_new ("stp-overview", side_work_thread, &side);
        }
      ok = ok
           && step_done (&steps, "seats", count_seats (&w, error))
           && step_done (&steps, "in center", count_in_center (&w, error))
           && step_done (&steps, "recent exits", load_recent_exits (&w, error))
           && step_done (&steps, "admitted", count_admitted (&w, error))
           && (thread != NULL
               || (step_done (&steps, "discharged", count_discharged (&w, error))
                   && step_done (&steps, "remission 6",
                                 count_remission (&w, 6, &overview->remission_6, error))
                   && step_done (&steps, "remission 12",
                                 count_remission (&w, 12, &overview->remission_12, error))))
           && step_done (&steps, "follow-ups due", count_follow_ups_due (&w, error))
           && step_done (&steps, "referrals", count_referrals (&w, error))
           && step_done (&steps, "court notices", count_court_notices (&w, error))
           && step_done (&steps, "consents", count_consents (&w, error));
      if (thread != NULL)
        {
          g_thread_join (thread);
          step_done (&steps, "wait for side", TRUE);
          w.follow_ups_done += side.walk.follow_ups_done;
          w.employed += side.walk.employed;
          w.documents_restored += side.walk.documents_restored;
          if (!side.ok)
            {
              if (ok)
                g_propagate_error (error, g_steal_pointer (&side.error));
              ok = FALSE;
            }
          g_clear_error (&side.error);
        }
      if (own_transaction)
        stp_store_exec (self, ok ? "COMMIT" : "ROLLBACK", NULL);
      /* The side began its transaction after this one: if nobody
       * committed since this one's began (the data version, read now
       * outside it, is the same), both saw the same data. */
      if (ok && thread != NULL && stp_store_get_data_version (self) != version_before)
        *same_data = FALSE;
    }
  overview->follow_ups_done = w.follow_ups_done;
  overview->employed = w.employed;
  overview->documents_restored = w.documents_restored;

  /* The page's rows outlive the walk's table: copy the ordered ones. */
  if (ok)
    {
      GPtrArray *ordered = g_ptr_array_new_with_free_func ((GDestroyNotify) overview_stage_free);

      for (guint i = 0; i < overview->stages->len; i++)
        {
          StpOverviewStage *s = overview->stages->pdata[i];
          StpOverviewStage *copy = g_memdup2 (s, sizeof *s);

          copy->program_id = g_strdup (s->program_id);
          copy->program_name = g_strdup (s->program_name);
          copy->stage_id = g_strdup (s->stage_id);
          copy->stage_name = g_strdup (s->stage_name);
          g_ptr_array_add (ordered, copy);
        }
      g_ptr_array_unref (overview->stages);
      overview->stages = ordered;
    }

  g_hash_table_unref (w.tombstones);
  g_hash_table_unref (w.stage_kinds);
  g_hash_table_unref (w.stage_rows);
  g_hash_table_unref (w.in_center);
  g_hash_table_unref (w.recent_exits);
  g_string_chunk_free (w.strings);
  g_free (w.week_end);
  g_free (w.month_ago);
  g_free (w.month_ahead);
  if (!ok)
    return NULL;
  return g_steal_pointer (&overview);
}

StpOverview *
stp_store_compute_overview (StpStore    *self,
                            StpSession  *session,
                            GError     **error)
{
  g_autoptr(StpStore) side_store = NULL;
  gboolean own_transaction;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;

  /* A second connection only outside a caller's transaction: the other
   * one would not see what the caller wrote in it.  A small cache: it
   * reads each page once (as the center report's side connection). */
  own_transaction = sqlite3_get_autocommit (stp_store_get_db (self)) != 0;
  if (own_transaction)
    {
      Steps steps;

      steps_init (&steps, "main");
      side_store = stp_store_open_secondary (self, NULL);
      if (side_store != NULL)
        stp_store_exec (side_store, "PRAGMA cache_size = -1000", NULL);
      step_done (&steps, "open side", TRUE);
    }

  for (int attempt = 1; ; attempt++)
    {
      StpOverview *overview;
      gboolean same_data;

      overview = compute (self, side_store, own_transaction, &same_data, error);
      if (overview == NULL || same_data)
        return overview;
      stp_overview_free (overview);
      g_debug ("data changed while counting (attempt %d)", attempt);
      /* Still changing after two tries: count on one thread. */
      if (attempt == 2)
        g_clear_object (&side_store);
    }
}

StpStore *
stp_store_open_overview (StpStore  *primary,
                         GError   **error)
{
  g_autoptr(StpStore) store = NULL;

  store = stp_store_open_secondary (primary, error);
  if (store == NULL)
    return NULL;
  /* A small cache: each count reads more than a big one holds, so a big
   * one saves few reads, and every page of it is memory touched for the
   * first time in the first count (seen on the 100k center: the first
   * count's thread CPU ~72 ms with 4 MB, ~56 with 1 MB; later counts the
   * same). */
  if (!stp_store_exec (store, "PRAGMA cache_size = -1000", error))
    return NULL;
  return g_steal_pointer (&store);
}

gint64
stp_store_get_data_version (StpStore *self)
{
  sqlite3_stmt *stmt;
  gint64 version = -1;

  g_return_val_if_fail (STP_IS_STORE (self), -1);

  stmt = stp_store_prepare (self, "PRAGMA data_version", NULL);
  if (stmt == NULL)
    return -1;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return version;
}
