/* The program: admission, stage moves, discharge, follow-ups, stage
 * removal, transfer consents, default templates. */
#include "config.h"

#include <string.h>

#include "test-util.h"

static StpEpisode *
admit (TestCenter  *tc,
       const char  *resident_id,
       const char  *program_id,
       const char  *date)
{
  g_autoptr(GError) error = NULL;
  StpEpisode *e = stp_episode_new ();

  e->resident_id = g_strdup (resident_id);
  e->program_id = g_strdup (program_id);
  e->admitted_on = g_strdup (date);
  e->referral_source = STP_REFERRAL_SOURCE_RELATIVES;
  g_assert_true (stp_store_admit (tc->store, tc->director, e, &error));
  g_assert_no_error (error);
  return e;
}

static StpStage *
stage_at (TestCenter *tc,
          const char *program_id,
          int         position)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stages = stp_store_list_stages (tc->store, tc->director, program_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < stages->len; i++)
    if (((StpStage *) stages->pdata[i])->position == position)
      return stp_stage_copy (stages->pdata[i]);
  g_assert_not_reached ();
  return NULL;
}

static void
test_templates (TestCenter    *tc,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) programs = stp_store_list (tc->store, tc->director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_autofree char *residential = NULL;
  g_autoptr(GPtrArray) stages = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (programs->len, ==, 4);
  residential = test_text (tc->store, "SELECT id FROM programs WHERE name LIKE 'Стационарная%'");
  g_assert_nonnull (residential);
  stages = stp_store_list_stages (tc->store, tc->director, residential, &error);
  g_assert_cmpuint (stages->len, ==, 5);
  g_assert_cmpstr (((StpStage *) stages->pdata[0])->name, ==, "Мотивация и приём");
  g_assert_cmpstr (((StpStage *) stages->pdata[4])->name, ==, "Постреабилитационное сопровождение");
  g_assert_cmpint (((StpStage *) stages->pdata[2])->planned_days_min, ==, 90);
  g_assert_cmpint (((StpStage *) stages->pdata[2])->planned_days_max, ==, 180);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM stages"), ==, 5 + 2 + 5 + 5);
  /* The resident summary of core-B sees the stage names. */
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM programs WHERE name LIKE 'Семейная%'"), ==, 1);
}

static void
test_admit_and_move (TestCenter    *tc,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Лебедев", "Артём");
  g_autofree char *program_id = test_first_program_id (tc);
  g_autoptr(StpEpisode) e = admit (tc, r->meta.id, program_id, "2026-01-10");
  g_autoptr(StpStage) s0 = stage_at (tc, program_id, 0);
  g_autoptr(StpStage) s1 = stage_at (tc, program_id, 1);
  g_autoptr(StpStage) s2 = stage_at (tc, program_id, 2);
  g_autoptr(StpStageEntry) cur = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(StpEpisode) latest = NULL;

  g_assert_cmpint (e->status, ==, STP_EPISODE_IN_PROGRAM);
  cur = stp_store_get_current_stage_entry (tc->store, tc->director, e->meta.id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cur->stage_id, ==, s0->meta.id);
  g_assert_cmpstr (cur->started_on, ==, "2026-01-10");
  g_clear_pointer (&cur, stp_stage_entry_free);

  g_assert_true (stp_store_next_stage (tc->store, tc->director, e->meta.id, "2026-01-20", "прошёл", &error));
  g_assert_no_error (error);
  g_assert_true (stp_store_next_stage (tc->store, tc->director, e->meta.id, "2026-02-15", NULL, &error));
  cur = stp_store_get_current_stage_entry (tc->store, tc->director, e->meta.id, &error);
  g_assert_cmpstr (cur->stage_id, ==, s2->meta.id);
  g_clear_pointer (&cur, stp_stage_entry_free);

  /* A date before the current stage began is refused. */
  g_assert_false (stp_store_next_stage (tc->store, tc->director, e->meta.id, "2026-02-01", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Relapse: back to stage 1. */
  g_assert_true (stp_store_step_back (tc->store, tc->director, e->meta.id, s1->meta.id, "2026-03-01",
                                      "срыв", &error));
  g_assert_no_error (error);
  cur = stp_store_get_current_stage_entry (tc->store, tc->director, e->meta.id, &error);
  g_assert_cmpstr (cur->stage_id, ==, s1->meta.id);
  g_clear_pointer (&cur, stp_stage_entry_free);
  /* Forward is not "back". */
  g_assert_false (stp_store_step_back (tc->store, tc->director, e->meta.id, s2->meta.id, "2026-03-02", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_assert_cmpstr (stp_error_get_field (error), ==, "stage_id");
  g_clear_error (&error);

  history = stp_store_list (tc->store, tc->director, STP_KIND_STAGE_ENTRY, "episode_id", e->meta.id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 4);
  g_assert_cmpint (((StpStageEntry *) history->pdata[0])->result, ==, STP_STAGE_RESULT_PASSED);
  g_assert_cmpstr (((StpStageEntry *) history->pdata[0])->note, ==, "прошёл");
  g_assert_cmpstr (((StpStageEntry *) history->pdata[0])->ended_on, ==, "2026-01-20");
  g_assert_cmpint (((StpStageEntry *) history->pdata[2])->result, ==, STP_STAGE_RESULT_STEPPED_BACK);
  g_assert_cmpint (((StpStageEntry *) history->pdata[3])->result, ==, STP_STAGE_RESULT_NONE);
  g_assert_null (((StpStageEntry *) history->pdata[3])->ended_on);

  latest = stp_store_get_latest_episode (tc->store, tc->director, r->meta.id, &error);
  g_assert_cmpstr (latest->meta.id, ==, e->meta.id);

  /* Admitting the same episode twice is refused. */
  g_assert_false (stp_store_admit (tc->store, tc->director, e, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT);
}

static void
test_last_stage (TestCenter    *tc,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Егоров", "Семён");
  g_autofree char *program_id = test_text (tc->store, "SELECT id FROM programs WHERE name LIKE 'Курс%'");
  g_autoptr(StpEpisode) e = admit (tc, r->meta.id, program_id, "2026-01-10");

  g_assert_true (stp_store_next_stage (tc->store, tc->director, e->meta.id, "2026-02-10", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (stp_store_next_stage (tc->store, tc->director, e->meta.id, "2026-03-01", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT);
}

static void
test_discharge (TestCenter    *tc,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Павлов", "Роман");
  g_autofree char *program_id = test_first_program_id (tc);
  g_autoptr(StpEpisode) e = admit (tc, r->meta.id, program_id, "2025-09-15");
  g_autoptr(StpEpisode) after = NULL;
  g_autoptr(GPtrArray) follow_ups = NULL;
  g_autoptr(StpStageEntry) cur = NULL;
  const char *expected_due[] = { "2026-02-28", "2026-04-30", "2026-07-31", "2027-01-31", "2028-01-31" };
  const int expected_months[] = { 1, 3, 6, 12, 24 };

  /* Before admission: refused. */
  g_assert_false (stp_store_discharge (tc->store, tc->director, e->meta.id, STP_EPISODE_COMPLETED,
                                       "2025-09-01", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_assert_cmpstr (stp_error_get_field (error), ==, "discharged_on");
  g_clear_error (&error);
  g_assert_false (stp_store_discharge (tc->store, tc->director, e->meta.id, STP_EPISODE_IN_PROGRAM,
                                       "2026-01-31", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (stp_store_discharge (tc->store, tc->director, e->meta.id, STP_EPISODE_COMPLETED,
                                      "2026-01-31", "программа пройдена", &error));
  g_assert_no_error (error);
  after = stp_store_get_episode (tc->store, tc->director, e->meta.id, &error);
  g_assert_cmpint (after->status, ==, STP_EPISODE_COMPLETED);
  g_assert_cmpstr (after->discharged_on, ==, "2026-01-31");
  g_assert_cmpstr (after->discharge_reason, ==, "программа пройдена");
  cur = stp_store_get_current_stage_entry (tc->store, tc->director, e->meta.id, &error);
  g_assert_no_error (error);
  g_assert_null (cur);

  follow_ups = stp_store_list (tc->store, tc->director, STP_KIND_FOLLOW_UP, "episode_id", e->meta.id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (follow_ups->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      StpFollowUp *f = follow_ups->pdata[i];
      g_assert_cmpint (f->months, ==, expected_months[i]);
      g_assert_cmpstr (f->due_on, ==, expected_due[i]);
      g_assert_cmpstr (f->resident_id, ==, r->meta.id);
      g_assert_cmpint (f->outcome, ==, STP_FOLLOW_UP_PENDING);
      g_assert_null (f->done_on);
    }

  /* A closed episode cannot be moved or discharged again. */
  g_assert_false (stp_store_next_stage (tc->store, tc->director, e->meta.id, "2026-02-01", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_false (stp_store_discharge (tc->store, tc->director, e->meta.id, STP_EPISODE_EXPELLED,
                                       "2026-02-01", NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT);
}

static void
test_discharge_died (TestCenter    *tc,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Громов", "Юрий");
  g_autofree char *program_id = test_first_program_id (tc);
  g_autoptr(StpEpisode) e = admit (tc, r->meta.id, program_id, "2026-01-10");
  g_autofree char *q = g_strdup_printf ("SELECT count(*) FROM follow_ups WHERE episode_id = '%s'", e->meta.id);
  g_autofree char *q_left = g_strdup_printf ("SELECT result FROM stage_entries WHERE episode_id = '%s'", e->meta.id);

  g_assert_true (stp_store_discharge (tc->store, tc->director, e->meta.id, STP_EPISODE_DIED,
                                      "2026-02-01", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count (tc->store, q), ==, 0);
  {
    g_autofree char *result = test_text (tc->store, q_left);
    g_assert_cmpstr (result, ==, "left");
  }
}

static void
test_remove_stage (TestCenter    *tc,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Белов", "Кирилл");
  g_autofree char *program_id = test_first_program_id (tc);
  g_autoptr(StpEpisode) e = admit (tc, r->meta.id, program_id, "2026-01-10");
  g_autoptr(StpStage) used = stage_at (tc, program_id, 0);
  g_autoptr(StpStage) unused = stage_at (tc, program_id, 4);
  g_autoptr(StpStage) reloaded = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  gboolean retired = TRUE;

  /* Staff may not edit programs. */
  {
    g_autoptr(StpSession) staff = stp_session_new ("x", "staff", "Staff", STP_ROLE_STAFF);
    g_assert_false (stp_store_remove_stage (tc->store, staff, unused->meta.id, &retired, &error));
    g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
    g_clear_error (&error);
  }

  g_assert_true (stp_store_remove_stage (tc->store, tc->director, unused->meta.id, &retired, &error));
  g_assert_no_error (error);
  g_assert_false (retired);
  g_assert_true (stp_store_remove_stage (tc->store, tc->director, used->meta.id, &retired, &error));
  g_assert_no_error (error);
  g_assert_true (retired);

  reloaded = stp_store_get_stage (tc->store, tc->director, used->meta.id, &error);
  g_assert_no_error (error);
  g_assert_true (reloaded->retired);
  stages = stp_store_list_stages (tc->store, tc->director, program_id, &error);
  g_assert_cmpuint (stages->len, ==, 4);   /* the retired one stays, flagged */
  {
    g_autofree char *q = g_strdup_printf ("SELECT deleted FROM stages WHERE id = '%s'", unused->meta.id);
    g_assert_cmpint (test_count (tc->store, q), ==, 1);
  }

  /* A new admission skips the retired first stage. */
  {
    g_autoptr(StpResident) r2 = test_add_resident (tc, "Новый", "Лев");
    g_autoptr(StpEpisode) e2 = admit (tc, r2->meta.id, program_id, "2026-02-01");
    g_autoptr(StpStageEntry) cur = stp_store_get_current_stage_entry (tc->store, tc->director, e2->meta.id, &error);
    g_autoptr(StpStage) s1 = stage_at (tc, program_id, 1);
    g_assert_cmpstr (cur->stage_id, ==, s1->meta.id);
  }
}

static StpConsent *
add_consent (TestCenter *tc,
             const char *resident_id,
             const char *recipient,
             const char *signed_on,
             const char *expires_on,
             const char *withdrawn_on)
{
  g_autoptr(GError) error = NULL;
  StpConsent *c = stp_consent_new ();

  c->resident_id = g_strdup (resident_id);
  c->kind = STP_CONSENT_TRANSFER;
  c->recipient = g_strdup (recipient);
  c->signed_on = g_strdup (signed_on);
  c->expires_on = g_strdup (expires_on);
  c->withdrawn_on = g_strdup (withdrawn_on);
  g_assert_true (stp_store_save_consent (tc->store, tc->director, c, &error));
  g_assert_no_error (error);
  return c;
}

static void
test_transfer_consent (TestCenter    *tc,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Тихонов", "Марк");
  g_autoptr(StpConsent) ok = add_consent (tc, r->meta.id, "КДН и ЗП Ленинского района", "2026-01-01", "2026-12-31", NULL);
  g_autoptr(StpConsent) old = add_consent (tc, r->meta.id, "Центр занятости", "2025-01-01", "2025-12-31", NULL);
  g_autoptr(StpConsent) gone = add_consent (tc, r->meta.id, "Поликлиника №3", "2026-01-01", NULL, "2026-02-01");
  g_autoptr(StpConsent) found = NULL;
  g_autoptr(StpConsent) missing = NULL;

  found = stp_store_find_transfer_consent (tc->store, tc->director, r->meta.id,
                                           "кдн и зп  ЛЕНИНСКОГО района", "2026-03-10", &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->meta.id, ==, ok->meta.id);

  missing = stp_store_find_transfer_consent (tc->store, tc->director, r->meta.id, "Центр занятости",
                                             "2026-03-10", &error);
  g_assert_null (missing);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT);
  g_assert_nonnull (strstr (error->message, "2025-12-31"));
  g_clear_error (&error);

  missing = stp_store_find_transfer_consent (tc->store, tc->director, r->meta.id, "Поликлиника №3",
                                             "2026-03-10", &error);
  g_assert_null (missing);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT);
  g_clear_error (&error);
  /* Before it was withdrawn, it was valid. */
  g_clear_pointer (&found, stp_consent_free);
  found = stp_store_find_transfer_consent (tc->store, tc->director, r->meta.id, "Поликлиника №3",
                                           "2026-01-15", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found->meta.id, ==, gone->meta.id);

  missing = stp_store_find_transfer_consent (tc->store, tc->director, r->meta.id, "Полиция",
                                             "2026-03-10", &error);
  g_assert_null (missing);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT);
  g_assert_nonnull (strstr (error->message, "Полиция"));
  g_clear_error (&error);

  /* A transfer consent needs a recipient. */
  {
    g_autoptr(StpConsent) c = stp_consent_new ();
    c->resident_id = g_strdup (r->meta.id);
    c->kind = STP_CONSENT_TRANSFER;
    c->signed_on = g_strdup ("2026-01-01");
    g_assert_false (stp_store_save_consent (tc->store, tc->director, c, &error));
    g_assert_cmpstr (stp_error_get_field (error), ==, "recipient");
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, TestCenter, NULL, test_center_setup, func, test_center_teardown)
  ADD ("/program/templates", test_templates);
  ADD ("/program/admit-and-move", test_admit_and_move);
  ADD ("/program/last-stage", test_last_stage);
  ADD ("/program/discharge", test_discharge);
  ADD ("/program/discharge-died", test_discharge_died);
  ADD ("/program/remove-stage", test_remove_stage);
  ADD ("/program/transfer-consent", test_transfer_consent);
  return g_test_run ();
}
