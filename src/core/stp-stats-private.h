/* stp-stats-private.h: what stp-stats.c (the builder, tallies, the run)
 * and stp-stats-count.c (the counts and sections) share.  Only for
 * src/core. */
#pragma once

#include "stp-stats.h"
#include "stp-store-private.h"

G_BEGIN_DECLS

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
  /* Per resident of @active (index i), filled by the relatives walk
   * (_stp_stats_count_relatives (), perhaps on the other thread) and by
   * the residents walk (household_minors), added up by
   * _stp_stats_finish_families () once both are done. */
  gint64       *relatives;
  double       *codependents;
  guint8       *minor;
  guint8       *household_minors;
  gint64        families[7];
  gint64        court_total;
  GHashTable   *court_by_basis; /* basis -> set of resident ids from @active */
  gint64        resocialization[6];
  Remission     remission[2];   /* at 6 and 12 months */
} Tally;

/* stp-stats.c */
void _stp_stats_begin_section (Builder    *b,
                               const char *section,
                               const char *label);

void _stp_stats_add_row (Builder    *b,
                         const char *key,
                         const char *label,
                         gint64      value);

sqlite3_stmt *_stp_stats_prepare_period (Builder    *b,
                                         const char *sql,
                                         GError    **error);

void _stp_stats_bind_code (sqlite3_stmt *stmt,
                           int           index,
                           StpEnumType   type,
                           int           value);

gboolean _stp_stats_finish (Builder      *b,
                            sqlite3_stmt *stmt,
                            int           rc,
                            GError      **error);

void _stp_stats_counts_add (GHashTable *counts,
                            const char *key,
                            gint64      n);

GHashTable *_stp_stats_count_by_key (Builder      *b,
                                     sqlite3_stmt *stmt,
                                     GError      **error);

gint64 _stp_stats_lookup_count (GHashTable *counts,
                                const char *key);

void _stp_stats_add_enum_rows (Builder     *b,
                               GHashTable  *counts,
                               StpEnumType  type,
                               int          first,
                               gboolean     with_total);

gboolean _stp_stats_add_stage_rows (Builder    *b,
                                    GHashTable *counts,
                                    gboolean    all_active,
                                    GError    **error);

gboolean _stp_stats_add_stage_kind_rows (Builder    *b,
                                         GHashTable *counts,
                                         GError    **error);

int _stp_stats_compare_first_string (gconstpointer a,
                                     gconstpointer b);

void _stp_stats_sort_unique (GPtrArray *ids);

gssize _stp_stats_find_id (GPtrArray  *ids,
                           const char *id);

const char *_stp_stats_column_string (Tally        *t,
                                      sqlite3_stmt *stmt,
                                      int           column);

gboolean _stp_stats_column_is_live (Tally        *t,
                                    sqlite3_stmt *stmt,
                                    int           column);

/* stp-stats-count.c */
gboolean _stp_stats_count_admitted (Builder *b,
                                    Tally   *t,
                                    GError **error);

gboolean _stp_stats_count_episodes (Builder *b,
                                    Tally   *t,
                                    GError **error);

gboolean _stp_stats_count_dropped_out (Builder *b,
                                       Tally   *t,
                                       GError **error);

gboolean _stp_stats_count_in_program (Builder *b,
                                      Tally   *t,
                                      GError **error);

gboolean _stp_stats_count_residents (Builder *b,
                                     Tally   *t,
                                     GError **error);

gboolean _stp_stats_count_relatives (Builder *b,
                                     Tally   *t,
                                     GError **error);
void     _stp_stats_finish_families (Tally   *t);
gboolean _stp_stats_count_court (Builder *b,
                                 Tally   *t,
                                 GError **error);

gboolean _stp_stats_count_resocialization (Builder *b,
                                           Tally   *t,
                                           GError **error);

gboolean _stp_stats_count_remission (Builder    *b,
                                     int         months,
                                     Remission  *r,
                                     GError    **error);

void _stp_stats_section_remission (Builder         *b,
                                   int              months,
                                   const Remission *r);

gboolean _stp_stats_section_referrals (Builder *b,
                                       GError **error);

gboolean _stp_stats_section_in_program_by_stage (Builder *b,
                                                 Tally   *t,
                                                 GError **error);

gboolean _stp_stats_section_dropped_out_by_stage (Builder *b,
                                                  Tally   *t,
                                                  GError **error);

void _stp_stats_section_resocialization (Builder *b,
                                         Tally   *t);

void _stp_stats_section_families (Builder *b,
                                  Tally   *t);

void _stp_stats_section_court (Builder *b,
                               Tally   *t);

void _stp_stats_section_age_and_sex (Builder *b,
                                     Tally   *t);

G_END_DECLS
