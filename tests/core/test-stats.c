/* test-stats.c: the center report numbers on a small fixed center built
 * through the store API; every expected number is counted by hand from the
 * data below (period 2025-01-01 .. 2025-12-31).
 *
 *   R1 male 1990-05-10, tzhs; admitted 2025-02-01 (self, alcohol), next
 *      stage 2025-03-01, completed 2025-06-01; 6-month follow-up done
 *      2025-12-05: remission yes, employed, returned to family; relative:
 *      mother (codependent); referrals: social sent 2025-03-01 due 03-31
 *      answered 03-20 (in time), police sent 2024-12-31 (outside).
 *   R2 female 2008-03-01, sop, KDN informed 2025-04-01; admitted 2025-03-15
 *      (kdn, stimulants), next stage 2025-05-01, still in the program;
 *      relatives: mother (codependent), father; referrals: kdn sent
 *      2025-04-01 due 05-01 answered 05-10 (late), health sent 2025-11-01
 *      due 12-01 unanswered.
 *   R3 male 1970-12-31; admitted 2024-11-01 (court_admin, alcohol), dropped
 *      out 2025-04-10 at the first stage; 6-month follow-up: contact lost;
 *      court obligation koap_4_1; relative: son (minor); an incoming
 *      referral (not counted).
 *   R4 male 1985-01-15, two minors in the household; admitted 2025-12-31
 *      (relatives, opioids): in the program at the first stage.
 *   R5 sex not stated, 1960-06-01; admitted 2026-01-05 (after the period).
 *   R6 male 1995-07-07; admitted 2023-01-10, completed 2024-12-20; 6-month
 *      follow-up (due 2025-06) done 2025-06-25: remission no, documents
 *      restored; 12-month one (due 2025-12) pending; court obligation uk_73
 *      and a spouse, not counted (not in the program during the period).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "stp-error.h"
#include "stp-stats.h"
#include "stp-store-private.h"

static StpStore *store;
static StpSession *director;
static char *tmpdir;
static char *program_id;
static char *stage0_id;
static char *stage1_id;

static char *
add_resident (const char      *surname,
              const char      *birth_date,
              StpSex           sex,
              StpFamilyStatus  family_status,
              const char      *kdn_informed_on,
              int              minors)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = stp_resident_new ();

  r->surname = g_strdup (surname);
  r->name = g_strdup ("Тест");
  r->birth_date = g_strdup (birth_date);
  r->sex = sex;
  r->family_status = family_status;
  if (family_status != STP_FAMILY_STATUS_NONE)
    r->family_status_since = g_strdup ("2024-01-01");
  r->kdn_informed_on = g_strdup (kdn_informed_on);
  r->minors_in_household = minors;
  g_assert_true (stp_store_save_resident (store, director, r, &error));
  g_assert_no_error (error);
  return g_strdup (r->meta.id);
}

static char *
admit (const char        *resident_id,
       const char        *date,
       StpReferralSource  source,
       StpSubstance       substance)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpEpisode) e = stp_episode_new ();

  e->resident_id = g_strdup (resident_id);
  e->program_id = g_strdup (program_id);
  e->admitted_on = g_strdup (date);
  e->referral_source = source;
  e->main_substance = substance;
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

static StpFollowUp *
follow_up (const char *episode_id,
           int         months)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = stp_store_list (store, director, STP_KIND_FOLLOW_UP,
                                              "episode_id", episode_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      StpFollowUp *f = g_ptr_array_index (list, i);

      if (f->months == months)
        return stp_follow_up_copy (f);
    }
  g_assert_not_reached ();
  return NULL;
}

static void
save_follow_up (StpFollowUp *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_store_save_follow_up (store, director, f, &error));
  g_assert_no_error (error);
}

static void
add_relative (const char  *resident_id,
              StpRelation  relation,
              gboolean     codependent,
              gboolean     minor)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpRelative) v = stp_relative_new ();

  v->resident_id = g_strdup (resident_id);
  v->full_name = g_strdup ("Родственник Тест");
  v->relation = relation;
  v->codependent = codependent;
  v->minor = minor;
  g_assert_true (stp_store_save_relative (store, director, v, &error));
  g_assert_no_error (error);
}

static void
add_referral (const char    *resident_id,
              StpDirection   direction,
              StpAgencyKind  kind,
              const char    *sent_on,
              const char    *due_on,
              const char    *response_on)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpReferral) r = stp_referral_new ();

  r->resident_id = g_strdup (resident_id);
  r->direction = direction;
  r->agency_kind = kind;
  r->agency_name = g_strdup ("Ведомство");
  r->sent_on = g_strdup (sent_on);
  r->due_on = g_strdup (due_on);
  r->response_on = g_strdup (response_on);
  g_assert_true (stp_store_save_referral (store, director, r, &error));
  g_assert_no_error (error);
}

static void
add_court (const char    *resident_id,
           StpCourtBasis  basis)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCourtObligation) c = stp_court_obligation_new ();

  c->resident_id = g_strdup (resident_id);
  c->basis = basis;
  c->court = g_strdup ("Мировой суд");
  c->decision_date = g_strdup ("2024-10-01");
  g_assert_true (stp_store_save_court_obligation (store, director, c, &error));
  g_assert_no_error (error);
}

static void
build_center (void)
{
  g_autofree char *r1 = add_resident ("Первый", "1990-05-10", STP_SEX_MALE, STP_FAMILY_STATUS_TZHS, NULL, 0);
  g_autofree char *r2 = add_resident ("Вторая", "2008-03-01", STP_SEX_FEMALE, STP_FAMILY_STATUS_SOP, "2025-04-01", 0);
  g_autofree char *r3 = add_resident ("Третий", "1970-12-31", STP_SEX_MALE, STP_FAMILY_STATUS_NONE, NULL, 0);
  g_autofree char *r4 = add_resident ("Четвёртый", "1985-01-15", STP_SEX_MALE, STP_FAMILY_STATUS_NONE, NULL, 2);
  g_autofree char *r5 = add_resident ("Пятый", "1960-06-01", STP_SEX_UNKNOWN, STP_FAMILY_STATUS_NONE, NULL, 0);
  g_autofree char *r6 = add_resident ("Шестой", "1995-07-07", STP_SEX_MALE, STP_FAMILY_STATUS_NONE, NULL, 0);
  g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL, *e6 = NULL;
  g_autoptr(StpFollowUp) f1 = NULL;
  g_autoptr(StpFollowUp) f3 = NULL;
  g_autoptr(StpFollowUp) f6 = NULL;

  e1 = admit (r1, "2025-02-01", STP_REFERRAL_SOURCE_SELF, STP_SUBSTANCE_ALCOHOL);
  next_stage (e1, "2025-03-01");
  discharge (e1, STP_EPISODE_COMPLETED, "2025-06-01");
  f1 = follow_up (e1, 6);
  f1->done_on = g_strdup ("2025-12-05");
  f1->outcome = STP_FOLLOW_UP_DONE;
  f1->remission = STP_REMISSION_YES;
  f1->employed = TRUE;
  f1->returned_to_family = TRUE;
  save_follow_up (f1);
  add_relative (r1, STP_RELATION_MOTHER, TRUE, FALSE);
  add_referral (r1, STP_DIRECTION_OUTGOING, STP_AGENCY_SOCIAL, "2025-03-01", "2025-03-31", "2025-03-20");
  add_referral (r1, STP_DIRECTION_OUTGOING, STP_AGENCY_POLICE, "2024-12-31", "2025-01-30", NULL);

  e2 = admit (r2, "2025-03-15", STP_REFERRAL_SOURCE_KDN, STP_SUBSTANCE_STIMULANTS);
  next_stage (e2, "2025-05-01");
  add_relative (r2, STP_RELATION_MOTHER, TRUE, FALSE);
  add_relative (r2, STP_RELATION_FATHER, FALSE, FALSE);
  add_referral (r2, STP_DIRECTION_OUTGOING, STP_AGENCY_KDN, "2025-04-01", "2025-05-01", "2025-05-10");
  add_referral (r2, STP_DIRECTION_OUTGOING, STP_AGENCY_HEALTH, "2025-11-01", "2025-12-01", NULL);

  e3 = admit (r3, "2024-11-01", STP_REFERRAL_SOURCE_COURT_ADMIN, STP_SUBSTANCE_ALCOHOL);
  discharge (e3, STP_EPISODE_DROPPED_OUT, "2025-04-10");
  f3 = follow_up (e3, 6);
  f3->done_on = g_strdup ("2025-10-12");
  f3->outcome = STP_FOLLOW_UP_LOST_CONTACT;
  save_follow_up (f3);
  add_court (r3, STP_COURT_BASIS_KOAP_4_1);
  add_relative (r3, STP_RELATION_SON, FALSE, TRUE);
  add_referral (r3, STP_DIRECTION_INCOMING, STP_AGENCY_SOCIAL, "2025-02-01", NULL, NULL);

  e4 = admit (r4, "2025-12-31", STP_REFERRAL_SOURCE_RELATIVES, STP_SUBSTANCE_OPIOIDS);
  e5 = admit (r5, "2026-01-05", STP_REFERRAL_SOURCE_SELF, STP_SUBSTANCE_ALCOHOL);

  e6 = admit (r6, "2023-01-10", STP_REFERRAL_SOURCE_MEDICAL, STP_SUBSTANCE_OPIOIDS);
  discharge (e6, STP_EPISODE_COMPLETED, "2024-12-20");
  f6 = follow_up (e6, 6);
  f6->done_on = g_strdup ("2025-06-25");
  f6->outcome = STP_FOLLOW_UP_DONE;
  f6->remission = STP_REMISSION_NO;
  f6->documents_restored = TRUE;
  save_follow_up (f6);
  add_court (r6, STP_COURT_BASIS_UK_73);
  add_relative (r6, STP_RELATION_SPOUSE, TRUE, FALSE);
}

#define CHECK(stats, section, key, expected) \
  g_assert_cmpint (stp_center_stats_get ((stats), (section), (key)), ==, (expected))

static void
test_year (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenterStats) s = stp_store_center_stats (store, director, "2025-01-01",
                                                        "2025-12-31", &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);

  CHECK (s, "admitted_by_source", "self", 1);
  CHECK (s, "admitted_by_source", "kdn", 1);
  CHECK (s, "admitted_by_source", "relatives", 1);
  CHECK (s, "admitted_by_source", "court_admin", 0);
  CHECK (s, "admitted_by_source", "total", 3);
  CHECK (s, "admitted_by_substance", "alcohol", 1);
  CHECK (s, "admitted_by_substance", "stimulants", 1);
  CHECK (s, "admitted_by_substance", "opioids", 1);
  CHECK (s, "admitted_by_substance", "total", 3);

  CHECK (s, "discharged_by_source", "self", 1);
  CHECK (s, "discharged_by_source", "court_admin", 1);
  CHECK (s, "discharged_by_source", "medical", 0);
  CHECK (s, "discharged_by_source", "total", 2);
  CHECK (s, "discharged_by_substance", "alcohol", 2);
  CHECK (s, "discharged_by_substance", "total", 2);

  CHECK (s, "in_program_by_stage", stage0_id, 1);
  CHECK (s, "in_program_by_stage", stage1_id, 1);
  CHECK (s, "in_program_by_stage", "total", 2);

  CHECK (s, "outcomes", "completed", 1);
  CHECK (s, "outcomes", "dropped_out", 1);
  CHECK (s, "outcomes", "expelled", 0);
  CHECK (s, "outcomes", "total", 2);
  CHECK (s, "dropped_out_by_stage", stage0_id, 1);
  CHECK (s, "dropped_out_by_stage", "total", 1);

  CHECK (s, "remission_6", "due", 3);
  CHECK (s, "remission_6", "yes", 1);
  CHECK (s, "remission_6", "no", 1);
  CHECK (s, "remission_6", "unknown", 0);
  CHECK (s, "remission_6", "lost", 1);
  CHECK (s, "remission_6", "reached", 2);
  CHECK (s, "remission_6", "pending", 0);
  CHECK (s, "remission_6", "reached_percent", 67);
  CHECK (s, "remission_12", "due", 1);
  CHECK (s, "remission_12", "reached", 0);
  CHECK (s, "remission_12", "pending", 1);

  CHECK (s, "resocialization", "total", 2);
  CHECK (s, "resocialization", "employed", 1);
  CHECK (s, "resocialization", "returned_to_family", 1);
  CHECK (s, "resocialization", "documents_restored", 1);

  CHECK (s, "families", "residents", 4);
  CHECK (s, "families", "relatives_served", 4);
  CHECK (s, "families", "codependents", 2);
  CHECK (s, "families", "families_with_minors", 2);
  CHECK (s, "families", "sop", 1);
  CHECK (s, "families", "tzhs", 1);
  CHECK (s, "families", "kdn_informed", 1);

  CHECK (s, "court", "koap_4_1", 1);
  CHECK (s, "court", "uk_73", 0);
  CHECK (s, "court", "total", 1);

  CHECK (s, "referrals", "social", 1);
  CHECK (s, "referrals", "kdn", 1);
  CHECK (s, "referrals", "health", 1);
  CHECK (s, "referrals", "police", 0);
  CHECK (s, "referrals", "total", 3);
  CHECK (s, "referrals", "answered_in_time", 1);
  CHECK (s, "referrals", "answered_late", 1);
  CHECK (s, "referrals", "unanswered", 1);

  CHECK (s, "age_groups", "under_18", 1);
  CHECK (s, "age_groups", "25_34", 1);
  CHECK (s, "age_groups", "35_44", 1);
  CHECK (s, "age_groups", "55_plus", 0);
  CHECK (s, "age_groups", "total", 3);

  CHECK (s, "sex", "male", 2);
  CHECK (s, "sex", "female", 1);
  CHECK (s, "sex", "unknown", 0);
  CHECK (s, "sex", "total", 3);

  g_assert_cmpint (stp_center_stats_get (s, "sex", "no-such-key"), ==, -1);
  /* Rows come grouped by section in report order. */
  g_assert_cmpstr (((StpStatRow *) g_ptr_array_index (s->rows, 0))->section, ==,
                   "admitted_by_source");
  g_assert_cmpstr (((StpStatRow *) g_ptr_array_index (s->rows, s->rows->len - 1))->section, ==,
                   "sex");
}

/* The end of the period decides who is "in the program". */
static void
test_period_end (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenterStats) s = stp_store_center_stats (store, director, "2025-01-01",
                                                        "2025-04-30", &error);

  g_assert_no_error (error);
  /* R2 at the first stage (next stage 2025-05-01), R1 at the second,
   * R3 left on 2025-04-10. */
  CHECK (s, "in_program_by_stage", stage0_id, 1);
  CHECK (s, "in_program_by_stage", stage1_id, 1);
  CHECK (s, "in_program_by_stage", "total", 2);
  CHECK (s, "admitted_by_source", "total", 2);
  CHECK (s, "outcomes", "dropped_out", 1);
  CHECK (s, "outcomes", "completed", 0);
}

/* Inside a transaction of the caller's (where a second connection would
 * not see what it wrote) the report counts on one connection; the numbers
 * are the same. */
static void
test_inside_transaction (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenterStats) outside = stp_store_center_stats (store, director, "2025-01-01",
                                                              "2025-12-31", &error);
  g_autoptr(StpCenterStats) inside = NULL;

  g_assert_no_error (error);
  g_assert_true (stp_store_begin (store, &error));
  g_assert_no_error (error);
  inside = stp_store_center_stats (store, director, "2025-01-01", "2025-12-31", &error);
  g_assert_no_error (error);
  stp_store_rollback (store);

  g_assert_cmpuint (inside->rows->len, ==, outside->rows->len);
  for (guint i = 0; i < inside->rows->len; i++)
    {
      StpStatRow *a = g_ptr_array_index (inside->rows, i);
      StpStatRow *b = g_ptr_array_index (outside->rows, i);

      g_assert_cmpstr (a->section, ==, b->section);
      g_assert_cmpstr (a->key, ==, b->key);
      g_assert_cmpint (a->value, ==, b->value);
    }
  CHECK (inside, "resocialization", "total", stp_center_stats_get (outside, "resocialization", "total"));
}

static void
check_period (StpStatsPeriod period,
              const char    *today,
              const char    *from,
              const char    *to)
{
  g_autofree char *f = NULL;
  g_autofree char *t = NULL;

  stp_stats_period_bounds (period, today, &f, &t);
  g_assert_cmpstr (f, ==, from);
  g_assert_cmpstr (t, ==, to);
}

/* The periods sent to the region, stated as dates. */
static void
test_periods (void)
{
  check_period (STP_STATS_PERIOD_YEAR_TO_DATE, "2026-12-07", "2026-01-01", "2026-12-07");
  check_period (STP_STATS_PERIOD_LAST_QUARTER, "2026-12-07", "2026-07-01", "2026-09-30");
  check_period (STP_STATS_PERIOD_LAST_QUARTER, "2026-02-15", "2025-10-01", "2025-12-31");
  check_period (STP_STATS_PERIOD_LAST_QUARTER, "2026-04-01", "2026-01-01", "2026-03-31");
  check_period (STP_STATS_PERIOD_LAST_QUARTER, "2026-06-30", "2026-01-01", "2026-03-31");
  check_period (STP_STATS_PERIOD_LAST_YEAR, "2026-01-01", "2025-01-01", "2025-12-31");
}

/* Every kind of stage is counted, the stage without a kind as «другое». */
static void
test_stage_kinds (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenterStats) s = stp_store_center_stats (store, director, "2025-01-01",
                                                        "2025-12-31", &error);

  g_assert_no_error (error);
  /* R2 (stage 1, «Адаптация») and R4 (stage 0, «Мотивация и приём») at
   * the end of 2025; R3 dropped out at stage 0. */
  CHECK (s, "in_program_by_stage_kind", "motivation", 1);
  CHECK (s, "in_program_by_stage_kind", "adaptation", 1);
  CHECK (s, "in_program_by_stage_kind", "main_course", 0);
  CHECK (s, "in_program_by_stage_kind", "other", 0);
  CHECK (s, "in_program_by_stage_kind", "total", 2);
  CHECK (s, "dropped_out_by_stage_kind", "motivation", 1);
  CHECK (s, "dropped_out_by_stage_kind", "total", 1);
}

static void
test_permission (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) staff = stp_session_new ("s", "staff", "Сотрудник", STP_ROLE_STAFF);
  g_autoptr(StpCenterStats) s = stp_store_center_stats (store, staff, "2025-01-01",
                                                        "2025-12-31", &error);

  g_assert_null (s);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autofree char *path = NULL;

  tmpdir = g_dir_make_tmp ("stp-stats-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "center.db", NULL);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  center->name = g_strdup ("Тестовый центр");
  director = stp_store_create_center (store, center, "director", "Орлов Сергей Николаевич",
                                      "correct horse battery", &error);
  g_assert_no_error (error);
  programs = stp_store_list (store, director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  program_id = g_strdup (((StpProgram *) g_ptr_array_index (programs, 0))->meta.id);
  stages = stp_store_list_stages (store, director, program_id, &error);
  g_assert_no_error (error);
  stage0_id = g_strdup (((StpStage *) g_ptr_array_index (stages, 0))->meta.id);
  stage1_id = g_strdup (((StpStage *) g_ptr_array_index (stages, 1))->meta.id);
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
  g_free (program_id);
  g_free (stage0_id);
  g_free (stage1_id);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/stats/year", test_year);
  g_test_add_func ("/stats/period-end", test_period_end);
  g_test_add_func ("/stats/inside-transaction", test_inside_transaction);
  g_test_add_func ("/stats/permission", test_permission);
  g_test_add_func ("/stats/periods", test_periods);
  g_test_add_func ("/stats/stage-kinds", test_stage_kinds);
  result = g_test_run ();
  teardown ();
  return result;
}
