/* stp-server-summary-suppress.c: which numbers of the regional summary
 * are hidden, so that no count from 1 to 4 can be read or found by
 * subtraction.
 *
 * A period's table is centers × indicators plus the region's totals.  It
 * holds sums that anyone can redo: each indicator's total is the sum of
 * the centers' values (a row), a center's «Всего» of a section is the sum
 * of its items (a column, also for the totals' column), and some numbers
 * are always equal (admitted by source, by substance, by age and by sex
 * all count the same admissions).  Each such sum is a "line": its parts
 * and its margin.
 *
 *  1. Primary: every value and every total from 1 to 4 is «<5».
 *  2. Complementary: a line with exactly one hidden number would give it
 *     away (margin minus the others), so the smallest other number of the
 *     line that is not 0 is hidden too, «…» (a part before the margin: a
 *     center's value rather than a total).  A line is also not safe when
 *     its hidden numbers are so few or so small that a «<5» can only be
 *     one value (two «<5» with a known sum of 2 are both 1; a «<5» and a
 *     «…» with a sum of 6 are 1 and 5): the attacker knows a «<5» is 1–4
 *     and a «…» at least 5 (this file is public), and each «<5» must keep
 *     at least two possible values.  Hiding one number changes other
 *     lines, so the lines are gone through again until none changes.
 *  3. Totals are then the true sums: a line has no hidden number or at
 *     least two, so a total tells only the sum of several hidden numbers.
 *
 * Zero is shown and never hidden as a complement: a 0 names nobody, and a
 * hidden 0 beside a «<5» protects nothing (the sum is the «<5»).
 *
 * Limits: each line is judged on its own, not all of them together as a
 * system of equations (a linear-programming audit of intervals is not
 * done); a center's reports for different periods (a quarter inside a
 * year) are never shown on one page, but an administrator who asks for
 * both periods could subtract them. */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-summary.h"

#include <string.h>

#define INFINITE_BOUND G_MAXINT32

/* The sums inside one center's (or the totals') column: @items of
 * @section add up to @margin; no items: every other item of the section.
 * Where the desktop's counts are not exactly a sum (a resident with two
 * court bases, codes the server does not know) the line only hides more. */
typedef struct
{
  const char *section;
  const char *margin;
  const char *items[10];
} Partition;

static const Partition partitions[] = {
  { "admitted_by_source", "total", { NULL } },
  { "admitted_by_substance", "total", { NULL } },
  { "discharged_by_source", "total", { NULL } },
  { "discharged_by_substance", "total", { NULL } },
  { "in_program_by_stage_kind", "total", { NULL } },
  { "outcomes", "total", { NULL } },
  { "dropped_out_by_stage_kind", "total", { NULL } },
  { "court", "total", { NULL } },
  { "referrals", "total", { "social", "health", "police", "kdn", "employment", "probation",
                            "court", "other_ngo", "other", NULL } },
  { "referrals", "total", { "answered_in_time", "answered_late", "unanswered", NULL } },
  { "remission_6", "reached", { "yes", "no", "unknown", NULL } },
  { "remission_6", "due", { "reached", "lost", "pending", NULL } },
  { "remission_12", "reached", { "yes", "no", "unknown", NULL } },
  { "remission_12", "due", { "reached", "lost", "pending", NULL } },
  { "age_groups", "total", { NULL } },
  { "sex", "total", { NULL } },
};

/* Numbers of one center that count the same people. */
static const char * const equal[][2] = {
  { "admitted_by_source.total", "admitted_by_substance.total" },
  { "admitted_by_source.total", "age_groups.total" },
  { "admitted_by_source.total", "sex.total" },
  { "discharged_by_source.total", "discharged_by_substance.total" },
  { "discharged_by_source.total", "outcomes.total" },
  { "outcomes.dropped_out", "dropped_out_by_stage_kind.total" },
};

typedef struct
{
  StpSummaryGroup *group;
  guint            n;          /* indicators */
  guint            n_reports;  /* column n_reports: the totals */
  GArray          *members;    /* of guint cell, each line's parts then its margin */
  GArray          *lines;      /* of guint: where each line starts in members, plus the end */
} Table;

static gint64
cell_value (Table *t,
            guint  cell)
{
  guint r = cell / t->n, i = cell % t->n;

  if (r < t->n_reports)
    return ((StpSummaryReport *) t->group->reports->pdata[r])->values[i];
  return t->group->present[i] ? t->group->totals[i] : -1;
}

static guint8 *
cell_state (Table *t,
            guint  cell)
{
  guint r = cell / t->n, i = cell % t->n;

  if (r < t->n_reports)
    return &((StpSummaryReport *) t->group->reports->pdata[r])->states[i];
  return &t->group->total_states[i];
}

static void
line_begin (Table *t)
{
  g_array_append_val (t->lines, t->members->len);
}

static void
line_add (Table *t,
          guint  column,
          int    indicator)
{
  guint cell;

  if (indicator < 0)
    return;
  cell = column * t->n + (guint) indicator;
  if (cell_value (t, cell) >= 0)
    g_array_append_val (t->members, cell);
}

/* Ends the line with its margin, or drops it when the margin or every
 * part is missing. */
static void
line_end (Table *t,
          guint  column,
          int    margin)
{
  guint start = g_array_index (t->lines, guint, t->lines->len - 1);
  guint cell = column * t->n + (guint) MAX (margin, 0);

  if (margin < 0 || cell_value (t, cell) < 0 || t->members->len == start)
    {
      g_array_set_size (t->members, start);
      g_array_set_size (t->lines, t->lines->len - 1);
      return;
    }
  g_array_append_val (t->members, cell);
}

static void
add_lines (Table *t)
{
  for (guint i = 0; i < t->n; i++)
    {
      line_begin (t);
      for (guint r = 0; r < t->n_reports; r++)
        line_add (t, r, (int) i);
      line_end (t, t->n_reports, (int) i);
    }

  for (guint c = 0; c <= t->n_reports; c++)
    {
      for (guint p = 0; p < G_N_ELEMENTS (partitions); p++)
        {
          const Partition *part = &partitions[p];
          g_autofree char *margin = g_strconcat (part->section, ".", part->margin, NULL);

          line_begin (t);
          if (part->items[0] == NULL)
            for (guint i = 0; i < t->n; i++)
              {
                const StpSummaryIndicator *indicator = stp_summary_get_indicator (i);

                if (g_str_equal (indicator->section, part->section) &&
                    !g_str_equal (indicator->key, part->margin))
                  line_add (t, c, (int) i);
              }
          else
            for (guint k = 0; part->items[k] != NULL; k++)
              {
                g_autofree char *code = g_strconcat (part->section, ".", part->items[k], NULL);

                line_add (t, c, stp_summary_find_indicator (code));
              }
          line_end (t, c, stp_summary_find_indicator (margin));
        }
      for (guint e = 0; e < G_N_ELEMENTS (equal); e++)
        {
          line_begin (t);
          line_add (t, c, stp_summary_find_indicator (equal[e][0]));
          line_end (t, c, stp_summary_find_indicator (equal[e][1]));
        }
    }
  g_array_append_val (t->lines, t->members->len);
}

/* Whether the line would give a «<5» (or the only hidden number) away. */
static gboolean
line_unsafe (Table       *t,
             const guint *cells,
             guint        n_cells)
{
  gint64 known = 0;      /* the sum of the numbers shown, margin negative */
  guint n_suppressed = 0;

  for (guint k = 0; k < n_cells; k++)
    {
      int coefficient = k + 1 < n_cells ? 1 : -1;

      if (*cell_state (t, cells[k]) == STP_SUMMARY_STATE_SHOWN)
        known += coefficient * cell_value (t, cells[k]);
      else
        n_suppressed++;
    }
  if (n_suppressed == 0)
    return FALSE;
  if (n_suppressed == 1)
    return TRUE;

  /* known + Σ coefficient × hidden = 0: the range each «<5» can have.
   * The hidden numbers' sum (margin negative) lies in [lo, hi]; a «…» is
   * at least 5 with no upper bound. */
  {
    gint64 lo = 0, hi = 0;
    gboolean lo_infinite = FALSE, hi_infinite = FALSE;

    for (guint j = 0; j < n_cells; j++)
      {
        guint8 state = *cell_state (t, cells[j]);
        gint64 j_lo = state == STP_SUMMARY_STATE_SMALL ? 1 : STP_SUMMARY_SMALL;
        gboolean unbounded = state == STP_SUMMARY_STATE_HIDDEN;

        if (state == STP_SUMMARY_STATE_SHOWN)
          continue;
        if (j + 1 < n_cells)
          {
            lo += j_lo;
            hi_infinite |= unbounded;
            hi += unbounded ? 0 : STP_SUMMARY_SMALL - 1;
          }
        else
          {
            hi -= j_lo;
            lo_infinite |= unbounded;
            lo -= unbounded ? 0 : STP_SUMMARY_SMALL - 1;
          }
      }

    for (guint k = 0; k < n_cells; k++)
      {
        gint64 x_lo, x_hi;

        if (*cell_state (t, cells[k]) != STP_SUMMARY_STATE_SMALL)
          continue;
        /* The others' sum, without the cell's own 1–4; the cell is
         * -known - others (a part) or known + others (the margin). */
        if (k + 1 < n_cells)
          {
            x_lo = hi_infinite ? -INFINITE_BOUND : -known - (hi - (STP_SUMMARY_SMALL - 1));
            x_hi = lo_infinite ? INFINITE_BOUND : -known - (lo - 1);
          }
        else
          {
            x_lo = lo_infinite ? -INFINITE_BOUND : known + (lo + (STP_SUMMARY_SMALL - 1));
            x_hi = hi_infinite ? INFINITE_BOUND : known + (hi + 1);
          }
        x_lo = MAX (x_lo, 1);
        x_hi = MIN (x_hi, STP_SUMMARY_SMALL - 1);
        if (x_lo >= x_hi)
          return TRUE;
      }
  }
  return FALSE;
}

/* Hides one more number of an unsafe line: the smallest part not 0, else
 * the margin.  FALSE when there is none. */
static gboolean
hide_one_more (Table       *t,
               const guint *cells,
               guint        n_cells)
{
  int best = -1;

  for (guint k = 0; k + 1 < n_cells; k++)
    {
      gint64 value = cell_value (t, cells[k]);

      if (*cell_state (t, cells[k]) != STP_SUMMARY_STATE_SHOWN || value <= 0)
        continue;
      if (best < 0 || value < cell_value (t, cells[best]))
        best = (int) k;
    }
  if (best < 0 && *cell_state (t, cells[n_cells - 1]) == STP_SUMMARY_STATE_SHOWN &&
      cell_value (t, cells[n_cells - 1]) > 0)
    best = (int) n_cells - 1;
  if (best < 0)
    return FALSE;
  *cell_state (t, cells[best]) = STP_SUMMARY_STATE_HIDDEN;
  return TRUE;
}

void
stp_summary_suppress (StpSummaryGroup *group)
{
  Table t = { group, stp_summary_get_n_indicators (), group->reports->len, NULL, NULL };
  guint n_cells = (t.n_reports + 1) * t.n;
  gboolean changed = TRUE;

  g_return_if_fail (group != NULL);

  group->n_small = group->n_hidden = 0;
  for (guint cell = 0; cell < n_cells; cell++)
    {
      gint64 value = cell_value (&t, cell);

      *cell_state (&t, cell) = value > 0 && value < STP_SUMMARY_SMALL ? STP_SUMMARY_STATE_SMALL
                                                                       : STP_SUMMARY_STATE_SHOWN;
    }

  t.members = g_array_new (FALSE, FALSE, sizeof (guint));
  t.lines = g_array_new (FALSE, FALSE, sizeof (guint));
  add_lines (&t);

  /* Each round hides at least one more number, or ends. */
  while (changed)
    {
      changed = FALSE;
      for (guint l = 0; l + 1 < t.lines->len; l++)
        {
          guint start = g_array_index (t.lines, guint, l);
          guint end = g_array_index (t.lines, guint, l + 1);
          const guint *cells = &g_array_index (t.members, guint, start);

          while (line_unsafe (&t, cells, end - start) &&
                 hide_one_more (&t, cells, end - start))
            changed = TRUE;
        }
    }

  for (guint cell = 0; cell < n_cells; cell++)
    {
      guint8 state = *cell_state (&t, cell);

      if (cell_value (&t, cell) < 0)
        continue;
      if (state == STP_SUMMARY_STATE_SMALL)
        group->n_small++;
      else if (state == STP_SUMMARY_STATE_HIDDEN)
        group->n_hidden++;
    }
  g_array_unref (t.members);
  g_array_unref (t.lines);
}
