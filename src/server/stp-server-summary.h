/* stp-server-summary.h: the regional summary (DOMAIN.md, report 5) built
 * from the statistics the centers chose to send (POST …/aggregates), and
 * drawn as a Russian HTML page with SVG charts or as a CSV table.
 *
 * The server sees only counts under code names ("section.key"), never
 * anything about a person.  It shows the indicators it knows a name for
 * (the center report's sections, stages added up by their kind); the
 * per-stage sections of a center's own program (keys are stage ids that
 * mean nothing in another center) and unknown names are left out.
 *
 * Periods: the main period is the one most centers sent (ties: the later
 * end, then the earlier start), or the one asked for.  Each center is in
 * it with its latest report for that period; a center that sent only
 * other periods is shown apart, in a group of its own period, and never
 * added to the main totals.
 *
 * Small counts (stp-server-summary-suppress.c): a value from 1 to 4 is
 * shown as «<5» (primary suppression), a total too.  Totals are the true
 * sums.  So that no hidden value can be found by subtraction (from a
 * region total, from a center's own «Всего», from two numbers that are
 * always equal), more values are hidden as «…» (complementary
 * suppression) until every such sum holds no hidden value alone.  Zero is
 * shown, it points at nobody. */
#pragma once

#include "stp-server-store.h"

#include <glib/gi18n-lib.h>

G_BEGIN_DECLS

#define STP_SUMMARY_SMALL 5    /* counts below this (and above 0) are hidden */

/* How a value (a center's or a total) is shown. */
typedef enum
{
  STP_SUMMARY_STATE_SHOWN = 0,   /* the number */
  STP_SUMMARY_STATE_SMALL,       /* 1–4: «<5» */
  STP_SUMMARY_STATE_HIDDEN,      /* 5 or more, hidden so that a «<5» cannot
                                  * be found by subtraction: «…» */
} StpSummaryState;

typedef struct
{
  const char *section;      /* code, "in_program_by_stage_kind" */
  const char *key;          /* code, "motivation" */
  const char *code;         /* "in_program_by_stage_kind.motivation" */
  guint       section_index;
} StpSummaryIndicator;

typedef struct
{
  char   *center;           /* id */
  char   *name;
  char   *from;             /* "YYYY-MM-DD" */
  char   *to;
  gint64  sent_at;          /* unix millis, of this report */
  gint64  last_sent_at;     /* the center's latest report of any period */
  char   *last_from;        /* and its period */
  char   *last_to;
  gint64 *values;           /* one per indicator, -1 when not sent */
  guint8 *states;           /* StpSummaryState per indicator */
} StpSummaryReport;

typedef struct
{
  char      *from;
  char      *to;
  GPtrArray *reports;       /* of StpSummaryReport, by center name */
  gint64    *totals;        /* per indicator: the true sum of the centers' values */
  guint8    *total_states;  /* StpSummaryState per indicator */
  gboolean  *present;       /* per indicator: some center sent it */
  guint      n_small;       /* cells and totals shown «<5» */
  guint      n_hidden;      /* cells and totals shown «…» */
} StpSummaryGroup;

typedef struct
{
  GPtrArray *groups;        /* of StpSummaryGroup; [0] is the main period */
  GPtrArray *periods;       /* of char * "FROM_TO": every period sent, newest first */
  guint      n_centers;
  guint      n_left_out;    /* distinct count names not shown */
} StpSummary;

void        stp_summary_free              (StpSummary     *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StpSummary, stp_summary_free)

/* Reads every report from @store.  @from and @to (both or neither) choose
 * the main period; a period nobody sent gives an empty main group. */
StpSummary *stp_summary_load              (StpServerStore *store,
                                           const char     *from,
                                           const char     *to,
                                           GError        **error);

/* The indicators, in report order, and their sections. */
guint       stp_summary_get_n_indicators  (void);
const StpSummaryIndicator *
            stp_summary_get_indicator     (guint           index);
/* -1 when unknown. */
int         stp_summary_find_indicator    (const char     *code);
guint       stp_summary_get_n_sections    (void);
/* Translated names (the catalogue of the calling thread's locale). */
const char *stp_summary_section_title     (guint           section);
const char *stp_summary_indicator_label   (guint           index);

/* "<5" (small), "…" (hidden), the number otherwise, "" for -1 (not sent). */
char       *stp_summary_format_value      (gint64          value,
                                           StpSummaryState state);
/* "дд.мм.гггг – дд.мм.гггг", with the year or quarter named when it is one. */
char       *stp_summary_format_period     (const char     *from,
                                           const char     *to);
/* "дд.мм.гггг чч:мм" in the server's time zone. */
char       *stp_summary_format_time       (gint64          millis);

/* The summary's language is chosen per request with uselocale ()
 * (stp-server-admin.c).  GLib's g_dgettext () decides once per process
 * whether to translate at all, and says no for good when the server runs
 * in an untranslated locale, so the summary asks libc directly: these
 * replace C_ () and g_dngettext () in the summary's files. */
const char *stp_summary_pgettext          (const char     *context_and_msgid,
                                           gsize           msgid_offset);
const char *stp_summary_gettext           (const char     *context,
                                           const char     *msgid);
#undef C_
#define C_(Context, String) stp_summary_pgettext (Context "\004" String, sizeof (Context))

/* stp-server-summary-suppress.c: sets the states of @group's values and
 * totals (called by stp_summary_load ()). */
void        stp_summary_suppress          (StpSummaryGroup *group);

/* stp-server-summary-html.c */
char       *stp_summary_to_html           (StpSummary     *summary);
/* stp-server-summary-csv.c */
char       *stp_summary_to_csv            (StpSummary     *summary);

G_END_DECLS
