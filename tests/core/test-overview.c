/* test-overview.c: the numbers of the «Обзор» page on a small center
 * built through the store API, today being 15.06.2026; the twelve months
 * are 2025-07 … 2026-06.  Every expected number is counted by hand below.
 *
 *   Seats: 20 (14 men, 6 women).  Program A is the residential template
 *   (stages: motivation, adaptation, main course, resocialization,
 *   aftercare); program B is the center's own, one stage «Трудотерапия» of
 *   kind resocialization, added as the program editor adds one.
 *
 *   R1 m  admitted 2025-08-10 (A), next stage 2025-09-01: in the center at
 *         «Адаптация»; court obligation without notices (notice due);
 *         consent expiring 2026-07-01 (expiring); outgoing referral due
 *         2026-06-01 unanswered (awaiting, overdue).
 *   R2 f  admitted 2026-01-20 (A): in the center at «Мотивация и приём»;
 *         court obligation with a notice «прибыл» (nothing due); consents
 *         expiring 2026-09-01 (too late) and 2026-06-20 but withdrawn;
 *         referrals: outgoing due 2026-07-01 unanswered (awaiting), outgoing
 *         answered, incoming due 2026-05-20 unanswered (the center's answer
 *         is awaited and overdue).
 *   R3 m  admitted 2025-03-01 (A), next stage 2025-04-01, dropped out
 *         2025-11-05 at «Адаптация»; 6-month follow-up (due 2026-05-05):
 *         contact lost.  Pending follow-ups: 1 (12-05), 3 (02-05) months.
 *   R4 m  admitted 2025-07-01 (A), completed 2026-06-01 (30 days ago or
 *         less): court obligation without «завершил» (notice due).
 *   R5 f  admitted 2024-01-10 (A), completed 2024-10-10; 12-month
 *         follow-up (due 2025-10-10) done 2025-10-15: remission, employed,
 *         documents restored.  Pending: 1, 3, 6 months; consent expiring
 *         2026-06-20 (not in the center: not counted).
 *   R6 m  admitted 2026-02-03 (A), expelled 2026-03-03: court obligation
 *         (discharged more than 30 days ago: not counted).  Pending: 1
 *         (04-03) and 3 (06-03) months.
 *   R7 m  admitted 2026-04-10 (A), transferred 2026-05-18; 1-month
 *         follow-up due 2026-06-18: this week.
 *   R8 m  admitted 2026-03-10 (A), an overdue outgoing referral, then the
 *         resident is deleted: nowhere.
 *   R9 m  admitted 2026-05-02 (B): in the center at «Трудотерапия».
 *
 *   Admissions per month: 07:1 (R4) 08:1 (R1) 09–12:0 01:1 (R2) 02:1 (R6)
 *   03:0 (R8 deleted) 04:1 (R7) 05:1 (R9) 06:0.  Discharges: 11:1 (R3)
 *   03:1 (R6) 05:1 (R7) 06:1 (R4).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "stp-error.h"
#include "stp-overview.h"
#include "stp-overview-private.h"
#include "stp-query.h"
#include "stp-worklist.h"
#include "stp-store-private.h"

static StpStore *store;
static StpSession *director;
static char *tmpdir;
static char *program_a;
static char *program_b;
static char *episode_r1;        /* in the center, at «Адаптация» */
static char *episode_r2;        /* in the center, at «Мотивация и приём» */
static char *episode_r9;        /* in the center, program B */

static gint64
fixed_clock (gpointer user_data)
{
  return (gint64) 1781524800 * G_USEC_PER_SEC;   /* 15.06.2026, 12:00 UTC */
}

static void
save (StpRecordKind kind,
      gpointer      record)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_store_save (store, director, kind, record, &error));
  g_assert_no_error (error);
}

static char *
add_resident (const char *surname,
              StpSex      sex)
{
  g_autoptr(StpResident) r = stp_resident_new ();

  r->surname = g_strdup (surname);
  r->name = g_strdup ("Тест");
  r->birth_date = g_strdup ("1990-01-01");
  r->sex = sex;
  save (STP_KIND_RESIDENT, r);
  return g_strdup (r->meta.id);
}

static char *
admit (const char *resident_id,
       const char *program_id,
       const char *date)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpEpisode) e = stp_episode_new ();

  e->resident_id = g_strdup (resident_id);
  e->program_id = g_strdup (program_id);
  e->admitted_on = g_strdup (date);
  e->referral_source = STP_REFERRAL_SOURCE_SELF;
  e->main_substance = STP_SUBSTANCE_ALCOHOL;
  e->responsible_user_id = g_strdup (stp_session_get_user_id (director));
  g_assert_true (stp_store_admit (store, director, e, &error));
  g_assert_no_error (error);
  return g_strdup (e->meta.id);
}

static void
discharge (const char       *episode_id,
           StpEpisodeStatus  status,
           const char       *date)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_store_discharge (store, director, episode_id, status, date, "—", &error));
  g_assert_no_error (error);
}

static void
next_stage (const char *episode_id,
            const char *date)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_store_next_stage (store, director, episode_id, date, NULL, &error));
  g_assert_no_error (error);
}

static void
close_follow_up (const char       *episode_id,
                 int               months,
                 StpFollowUpOutcome outcome,
                 const char       *done_on,
                 gboolean          good)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = stp_store_list (store, director, STP_KIND_FOLLOW_UP,
                                              "episode_id", episode_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      StpFollowUp *f = g_ptr_array_index (list, i);

      if (f->months != months)
        continue;
      f->done_on = g_strdup (done_on);
      f->outcome = outcome;
      if (good)
        {
          f->remission = STP_REMISSION_YES;
          f->employed = TRUE;
          f->documents_restored = TRUE;
        }
      save (STP_KIND_FOLLOW_UP, f);
      return;
    }
  g_assert_not_reached ();
}

static char *
add_court (const char *resident_id)
{
  g_autoptr(StpCourtObligation) c = stp_court_obligation_new ();

  c->resident_id = g_strdup (resident_id);
  c->basis = STP_COURT_BASIS_KOAP_4_1;
  c->court = g_strdup ("Мировой суд");
  c->decision_date = g_strdup ("2025-01-01");
  save (STP_KIND_COURT_OBLIGATION, c);
  return g_strdup (c->meta.id);
}

static void
add_consent (const char *resident_id,
             const char *expires_on,
             const char *withdrawn_on)
{
  g_autoptr(StpConsent) c = stp_consent_new ();

  c->resident_id = g_strdup (resident_id);
  c->kind = STP_CONSENT_PERSONAL_DATA;
  c->signed_on = g_strdup ("2025-06-01");
  c->expires_on = g_strdup (expires_on);
  c->withdrawn_on = g_strdup (withdrawn_on);
  save (STP_KIND_CONSENT, c);
}

static void
add_referral (const char   *resident_id,
              StpDirection  direction,
              const char   *due_on,
              const char   *response_on)
{
  g_autoptr(StpReferral) r = stp_referral_new ();

  r->resident_id = g_strdup (resident_id);
  r->direction = direction;
  r->agency_kind = STP_AGENCY_SOCIAL;
  r->agency_name = g_strdup ("Соцзащита");
  r->sent_on = g_strdup ("2026-05-01");
  r->due_on = g_strdup (due_on);
  r->response_on = g_strdup (response_on);
  save (STP_KIND_REFERRAL, r);
}

static void
build_center (void)
{
  g_autofree char *r1 = add_resident ("Первый", STP_SEX_MALE);
  g_autofree char *r2 = add_resident ("Вторая", STP_SEX_FEMALE);
  g_autofree char *r3 = add_resident ("Третий", STP_SEX_MALE);
  g_autofree char *r4 = add_resident ("Четвёртый", STP_SEX_MALE);
  g_autofree char *r5 = add_resident ("Пятая", STP_SEX_FEMALE);
  g_autofree char *r6 = add_resident ("Шестой", STP_SEX_MALE);
  g_autofree char *r7 = add_resident ("Седьмой", STP_SEX_MALE);
  g_autofree char *r8 = add_resident ("Восьмой", STP_SEX_MALE);
  g_autofree char *r9 = add_resident ("Девятый", STP_SEX_MALE);
  g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL;
  g_autofree char *e6 = NULL, *e7 = NULL, *e8 = NULL, *e9 = NULL;
  g_autofree char *o2 = NULL;
  g_autofree char *o1 = NULL, *o4 = NULL, *o6 = NULL;
  g_autoptr(StpCourtNotice) notice = stp_court_notice_new ();
  g_autoptr(GError) error = NULL;

  e1 = admit (r1, program_a, "2025-08-10");
  next_stage (e1, "2025-09-01");
  o1 = add_court (r1);
  add_consent (r1, "2026-07-01", NULL);
  add_referral (r1, STP_DIRECTION_OUTGOING, "2026-06-01", NULL);

  e2 = admit (r2, program_a, "2026-01-20");
  o2 = add_court (r2);
  notice->obligation_id = g_strdup (o2);
  notice->kind = STP_COURT_NOTICE_ARRIVED;
  notice->sent_on = g_strdup ("2026-01-21");
  save (STP_KIND_COURT_NOTICE, notice);
  add_consent (r2, "2026-09-01", NULL);
  add_consent (r2, "2026-06-20", "2026-03-01");
  add_referral (r2, STP_DIRECTION_OUTGOING, "2026-07-01", NULL);
  add_referral (r2, STP_DIRECTION_OUTGOING, "2026-05-20", "2026-05-10");
  add_referral (r2, STP_DIRECTION_INCOMING, "2026-05-20", NULL);

  e3 = admit (r3, program_a, "2025-03-01");
  next_stage (e3, "2025-04-01");
  discharge (e3, STP_EPISODE_DROPPED_OUT, "2025-11-05");
  close_follow_up (e3, 6, STP_FOLLOW_UP_LOST_CONTACT, "2026-05-06", FALSE);

  e4 = admit (r4, program_a, "2025-07-01");
  discharge (e4, STP_EPISODE_COMPLETED, "2026-06-01");
  o4 = add_court (r4);

  e5 = admit (r5, program_a, "2024-01-10");
  discharge (e5, STP_EPISODE_COMPLETED, "2024-10-10");
  close_follow_up (e5, 12, STP_FOLLOW_UP_DONE, "2025-10-15", TRUE);
  add_consent (r5, "2026-06-20", NULL);

  e6 = admit (r6, program_a, "2026-02-03");
  discharge (e6, STP_EPISODE_EXPELLED, "2026-03-03");
  o6 = add_court (r6);

  e7 = admit (r7, program_a, "2026-04-10");
  discharge (e7, STP_EPISODE_TRANSFERRED, "2026-05-18");

  e8 = admit (r8, program_a, "2026-03-10");
  add_referral (r8, STP_DIRECTION_OUTGOING, "2026-06-01", NULL);
  g_assert_true (stp_store_delete (store, director, STP_KIND_RESIDENT, r8, &error));
  g_assert_no_error (error);

  e9 = admit (r9, program_b, "2026-05-02");

  episode_r1 = g_strdup (e1);
  episode_r2 = g_strdup (e2);
  episode_r9 = g_strdup (e9);
}

static void
test_hand_counts (void)
{
  static const gint64 admitted[STP_OVERVIEW_MONTHS] = { 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 1, 0 };
  static const gint64 discharged[STP_OVERVIEW_MONTHS] = { 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1 };
  g_autoptr(GError) error = NULL;
  g_autoptr(StpOverview) o = stp_store_compute_overview (store, director, &error);
  gint64 occupied = 0;

  g_assert_no_error (error);
  g_assert_nonnull (o);
  g_assert_cmpstr (o->today, ==, "2026-06-15");
  g_assert_cmpstr (o->months[0], ==, "2025-07");
  g_assert_cmpstr (o->months[11], ==, "2026-06");
  g_assert_cmpstr (o->first_day, ==, "2025-07-01");

  g_assert_cmpint (o->seats_total, ==, 20);
  g_assert_cmpint (o->seats_male, ==, 14);
  g_assert_cmpint (o->seats_female, ==, 6);
  g_assert_cmpint (o->in_center, ==, 3);
  g_assert_cmpint (o->in_center_male, ==, 2);
  g_assert_cmpint (o->in_center_female, ==, 1);
  g_assert_cmpint (o->in_center_by_kind[STP_STAGE_KIND_MOTIVATION], ==, 1);
  g_assert_cmpint (o->in_center_by_kind[STP_STAGE_KIND_ADAPTATION], ==, 1);
  g_assert_cmpint (o->in_center_by_kind[STP_STAGE_KIND_MAIN_COURSE], ==, 0);
  g_assert_cmpint (o->in_center_by_kind[STP_STAGE_KIND_RESOCIALIZATION], ==, 1);
  g_assert_cmpint (o->in_center_by_kind[STP_STAGE_KIND_OTHER], ==, 0);

  /* Every stage of the active programs is listed, occupied or not. */
  for (guint i = 0; i < o->stages->len; i++)
    {
      StpOverviewStage *s = g_ptr_array_index (o->stages, i);

      occupied += s->residents;
      if (g_strcmp0 (s->stage_name, "Адаптация") == 0 && g_strcmp0 (s->program_id, program_a) == 0)
        {
          g_assert_cmpint (s->residents, ==, 1);
          g_assert_cmpint (s->male, ==, 1);
          g_assert_cmpint (s->kind, ==, STP_STAGE_KIND_ADAPTATION);
        }
      if (g_strcmp0 (s->stage_name, "Мотивация и приём") == 0 && g_strcmp0 (s->program_id, program_a) == 0)
        {
          g_assert_cmpint (s->residents, ==, 1);
          g_assert_cmpint (s->female, ==, 1);
        }
      if (g_strcmp0 (s->stage_name, "Трудотерапия") == 0)
        {
          g_assert_cmpint (s->residents, ==, 1);
          g_assert_cmpint (s->kind, ==, STP_STAGE_KIND_RESOCIALIZATION);
        }
    }
  g_assert_cmpint (occupied, ==, 3);
  /* 5 + 2 + 5 + 5 template stages and the one of program B. */
  g_assert_cmpint (o->stages->len, ==, 18);

  for (guint m = 0; m < STP_OVERVIEW_MONTHS; m++)
    {
      g_assert_cmpint (o->admitted[m], ==, admitted[m]);
      g_assert_cmpint (o->discharged[m], ==, discharged[m]);
    }

  g_assert_cmpint (o->outcomes[STP_EPISODE_COMPLETED], ==, 1);
  g_assert_cmpint (o->outcomes[STP_EPISODE_DROPPED_OUT], ==, 1);
  g_assert_cmpint (o->outcomes[STP_EPISODE_EXPELLED], ==, 1);
  g_assert_cmpint (o->outcomes[STP_EPISODE_TRANSFERRED], ==, 1);
  g_assert_cmpint (o->outcomes[STP_EPISODE_HOSPITALIZED], ==, 0);
  g_assert_cmpint (o->outcomes[STP_EPISODE_DIED], ==, 0);
  g_assert_cmpint (o->dropped_out_by_kind[STP_STAGE_KIND_ADAPTATION], ==, 1);
  g_assert_cmpint (o->dropped_out_by_kind[STP_STAGE_KIND_MOTIVATION], ==, 0);

  g_assert_cmpint (o->remission_6.due, ==, 1);
  g_assert_cmpint (o->remission_6.reached, ==, 0);
  g_assert_cmpint (o->remission_6.lost, ==, 1);
  g_assert_cmpint (o->remission_12.due, ==, 1);
  g_assert_cmpint (o->remission_12.reached, ==, 1);
  g_assert_cmpint (o->remission_12.yes, ==, 1);
  g_assert_cmpint (o->follow_ups_done, ==, 1);
  g_assert_cmpint (o->employed, ==, 1);
  g_assert_cmpint (o->documents_restored, ==, 1);

  g_assert_cmpint (o->follow_ups_overdue, ==, 7);
  g_assert_cmpint (o->follow_ups_this_week, ==, 1);
  g_assert_cmpint (o->referrals_awaiting, ==, 3);
  g_assert_cmpint (o->referrals_overdue, ==, 2);
  g_assert_cmpint (o->court_notices_due, ==, 2);
  g_assert_cmpint (o->consents_expiring, ==, 1);
}

/* The overview agrees with the working lists that its items open. */
static void
test_agrees_with_lists (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpOverview) o = stp_store_compute_overview (store, director, &error);
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) referral_groups = NULL;
  g_autoptr(GPtrArray) census = NULL;
  StpWorkFilter filter = STP_WORK_FILTER_INIT;
  StpWorkCounts referrals;

  g_assert_no_error (error);
  due = stp_store_list_follow_ups_due (store, director, "2026-06-15", "2026-06-21", &error);
  g_assert_no_error (error);
  g_assert_cmpint (due->len, ==, o->follow_ups_overdue + o->follow_ups_this_week);
  filter.today = "2026-06-15";
  referral_groups = stp_store_list_referral_groups (store, director, &filter, &error);
  g_assert_no_error (error);
  stp_work_groups_count (referral_groups, &referrals);
  g_assert_cmpint (referrals.n_overdue, ==, o->referrals_overdue);
  census = stp_store_census (store, director, &error);
  g_assert_no_error (error);
  g_assert_cmpint (census->len, ==, o->in_center);
}

/* On a worker's own connection, as the page runs it. */
static void
test_secondary_connection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) second = stp_store_open_secondary (store, &error);
  g_autoptr(StpOverview) o = NULL;

  g_assert_no_error (error);
  stp_store_set_clock (second, fixed_clock, NULL);
  o = stp_store_compute_overview (second, director, &error);
  g_assert_no_error (error);
  g_assert_cmpint (o->in_center, ==, 3);
  g_assert_cmpint (o->admitted[9], ==, 1);
  /* It left no transaction open that would hold back the writer. */
  g_assert_true (sqlite3_get_autocommit (stp_store_get_db (second)));
}

static void
test_volunteer_refused (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) volunteer = stp_session_new ("v", "volunteer", "Волонтёр", STP_ROLE_VOLUNTEER);
  g_autoptr(StpSession) staff = stp_session_new ("s", "staff", "Сотрудник", STP_ROLE_STAFF);
  g_autoptr(StpOverview) none = stp_store_compute_overview (store, volunteer, &error);
  g_autoptr(StpOverview) some = NULL;

  g_assert_null (none);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
  g_clear_error (&error);
  some = stp_store_compute_overview (store, staff, &error);
  g_assert_no_error (error);
  g_assert_nonnull (some);
}

/* Stage kinds: the templates carry them; the migration gives existing
 * stages the template's kind by name, else «другое». */
static void
test_stage_kinds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stages = stp_store_list_stages (store, director, program_a, &error);
  g_autofree char *path = NULL;
  g_autoptr(StpStore) old = NULL;
  g_autoptr(StpSession) session = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  static const StpStageKind expected[] = {
    STP_STAGE_KIND_MOTIVATION, STP_STAGE_KIND_ADAPTATION, STP_STAGE_KIND_MAIN_COURSE,
    STP_STAGE_KIND_RESOCIALIZATION, STP_STAGE_KIND_AFTERCARE,
  };

  g_assert_no_error (error);
  g_assert_cmpint (stages->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < stages->len; i++)
    g_assert_cmpint (((StpStage *) g_ptr_array_index (stages, i))->kind, ==, expected[i]);

  /* A center of schema version 6: stages without kinds. */
  path = g_build_filename (tmpdir, "old.db", NULL);
  old = stp_store_open (path, &error);
  g_assert_no_error (error);
  center->name = g_strdup ("Старый центр");
  session = stp_store_create_center (old, center, "director", "Директор", "correct horse battery", &error);
  g_assert_no_error (error);
  g_clear_object (&session);
  g_clear_object (&old);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TABLE parked_batches;"
                                 "ALTER TABLE stages DROP COLUMN kind;"
                                 "INSERT INTO stages (id, program_id, position, name)"
                                 " VALUES ('custom', 'p', 0, 'Трудотерапия');"
                                 "PRAGMA user_version = 6;", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  old = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_object (&old);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name, kind FROM stages", -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);
      const char *kind = (const char *) sqlite3_column_text (stmt, 1);

      g_assert_cmpstr (kind, ==, stp_enum_to_code (STP_ENUM_STAGE_KIND,
                                                   stp_stage_kind_for_template_name (name)));
      if (g_strcmp0 (name, "Трудотерапия") == 0)
        g_assert_cmpstr (kind, ==, "other");
      if (g_strcmp0 (name, "Основной курс") == 0)
        g_assert_cmpstr (kind, ==, "main_course");
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* The recount: a commit that falls between the beginnings of the two
 * threads' read transactions.  The counting thread would then have seen
 * the residents in the center before it and the side thread the
 * discharges after it.  Each commit here discharges one resident today
 * (completed): he leaves the center (counted on the counting thread) and
 * is one more discharge this month (counted on the side thread). */
typedef struct
{
  int          calls;
  const char **episodes;      /* to discharge, one per call; NULL ends */
} Recount;

static void
discharge_between (gpointer user_data)
{
  Recount *r = user_data;
  const char *episode = r->episodes[r->calls];

  r->calls++;
  if (episode != NULL)
    discharge (episode, STP_EPISODE_COMPLETED, "2026-06-15");
}

static StpOverview *
count_with_commits (StpStore    *second,
                    const char **episodes,
                    int         *calls)
{
  Recount r = { 0, episodes };
  g_autoptr(GError) error = NULL;
  StpOverview *o;

  _stp_overview_set_test_hook (discharge_between, &r);
  o = stp_store_compute_overview (second, director, &error);
  _stp_overview_set_test_hook (NULL, NULL);
  g_assert_no_error (error);
  g_assert_nonnull (o);
  *calls = r.calls;
  return o;
}

static void
assert_same_numbers (const StpOverview *a,
                     const StpOverview *b)
{
  g_assert_cmpint (a->in_center, ==, b->in_center);
  g_assert_cmpint (a->in_center_male, ==, b->in_center_male);
  g_assert_cmpint (a->in_center_female, ==, b->in_center_female);
  g_assert_cmpmem (a->admitted, sizeof a->admitted, b->admitted, sizeof b->admitted);
  g_assert_cmpmem (a->discharged, sizeof a->discharged, b->discharged, sizeof b->discharged);
  g_assert_cmpmem (a->outcomes, sizeof a->outcomes, b->outcomes, sizeof b->outcomes);
  g_assert_cmpmem (a->dropped_out_by_kind, sizeof a->dropped_out_by_kind,
                   b->dropped_out_by_kind, sizeof b->dropped_out_by_kind);
  g_assert_cmpmem (&a->remission_6, sizeof a->remission_6, &b->remission_6, sizeof b->remission_6);
  g_assert_cmpmem (&a->remission_12, sizeof a->remission_12, &b->remission_12, sizeof b->remission_12);
  g_assert_cmpint (a->court_notices_due, ==, b->court_notices_due);
  g_assert_cmpint (a->consents_expiring, ==, b->consents_expiring);
}

static void
test_recount (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) second = stp_store_open_overview (store, &error);
  g_autoptr(StpOverview) before = NULL;
  g_autoptr(StpOverview) once = NULL;
  g_autoptr(StpOverview) twice = NULL;
  g_autoptr(StpOverview) after = NULL;
  const char *one[] = { episode_r1, NULL, NULL };
  const char *two[] = { episode_r9, episode_r2, NULL, NULL };
  int calls = 0;

  g_assert_no_error (error);
  stp_store_set_clock (second, fixed_clock, NULL);
  before = stp_store_compute_overview (second, director, &error);
  g_assert_no_error (error);
  g_assert_cmpint (before->in_center, ==, 3);
  g_assert_cmpint (before->discharged[11], ==, 1);
  g_assert_cmpint (before->outcomes[STP_EPISODE_COMPLETED], ==, 1);

  /* One commit in between: counted again, on two threads again (the
   * hook's second call), and that count is whole. */
  once = count_with_commits (second, one, &calls);
  g_assert_cmpint (once->in_center, ==, 2);
  g_assert_cmpint (once->in_center_male, ==, 1);
  g_assert_cmpint (once->discharged[11], ==, 2);
  g_assert_cmpint (once->outcomes[STP_EPISODE_COMPLETED], ==, 2);
  g_assert_cmpint (calls, ==, 2);

  /* A commit before each of two tries: the third count runs on one
   * thread (no third call) and sees both. */
  twice = count_with_commits (second, two, &calls);
  g_assert_cmpint (calls, ==, 2);
  g_assert_cmpint (twice->in_center, ==, 0);
  g_assert_cmpint (twice->in_center_male, ==, 0);
  g_assert_cmpint (twice->in_center_female, ==, 0);
  g_assert_cmpint (twice->discharged[11], ==, 4);
  g_assert_cmpint (twice->outcomes[STP_EPISODE_COMPLETED], ==, 4);

  /* The same as a count with nobody writing. */
  after = stp_store_compute_overview (second, director, &error);
  g_assert_no_error (error);
  assert_same_numbers (twice, after);
  g_assert_true (sqlite3_get_autocommit (stp_store_get_db (second)));
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(StpProgram) b = stp_program_new ();
  g_autoptr(StpStage) stage = stp_stage_new ();
  g_autofree char *path = NULL;

  tmpdir = g_dir_make_tmp ("stp-overview-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "center.db", NULL);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  stp_store_set_clock (store, fixed_clock, NULL);
  center->name = g_strdup ("Тестовый центр");
  center->seats_total = 20;
  center->seats_male = 14;
  center->seats_female = 6;
  director = stp_store_create_center (store, center, "director", "Орлов Сергей Николаевич",
                                      "correct horse battery", &error);
  g_assert_no_error (error);
  programs = stp_store_list (store, director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < programs->len; i++)
    {
      StpProgram *p = g_ptr_array_index (programs, i);

      if (g_str_has_prefix (p->name, "Стационарная"))
        program_a = g_strdup (p->meta.id);
    }
  g_assert_nonnull (program_a);

  b->name = g_strdup ("Своя программа");
  b->model = STP_PROGRAM_MODEL_OTHER;
  b->active = TRUE;
  save (STP_KIND_PROGRAM, b);
  program_b = g_strdup (b->meta.id);
  stage->program_id = g_strdup (program_b);
  stage->position = 0;
  stage->name = g_strdup ("Трудотерапия");
  stage->kind = STP_STAGE_KIND_RESOCIALIZATION;
  save (STP_KIND_STAGE, stage);

  build_center ();
}

static void
teardown (void)
{
  GDir *dir;
  const char *name;

  g_clear_object (&director);
  g_clear_object (&store);
  dir = g_dir_open (tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (tmpdir, name, NULL);

      (void) g_remove (p);
    }
  if (dir != NULL)
    g_dir_close (dir);
  (void) g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (program_a);
  g_free (program_b);
  g_free (episode_r1);
  g_free (episode_r2);
  g_free (episode_r9);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/overview/hand-counts", test_hand_counts);
  g_test_add_func ("/overview/agrees-with-lists", test_agrees_with_lists);
  g_test_add_func ("/overview/secondary-connection", test_secondary_connection);
  g_test_add_func ("/overview/roles", test_volunteer_refused);
  g_test_add_func ("/overview/stage-kinds", test_stage_kinds);
  /* Last: it discharges residents of the center. */
  g_test_add_func ("/overview/recount", test_recount);
  result = g_test_run ();
  teardown ();
  return result;
}
