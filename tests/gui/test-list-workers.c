/* test-list-workers.c: the list pages' queries run on the query worker's
 * own connection while the window writes on its own, and SQLite reports
 * nothing (its error log is watched from the first call). */
#define G_LOG_DOMAIN "test-list-workers"

#include "config.h"

#include <sqlite3.h>

#include "stp-gui-test-helpers.h"
#include "stp-test-store.h"
#include "stp-follow-ups-page.h"
#include "stp-query-worker.h"
#include "stp-referrals-page.h"
#include "stp-residents-page.h"
#include "stp-records.h"
#include "stp-query.h"

#define ROUNDS 40

static guint sqlite_errors;

/* Errors and misuse SQLite logs; not its notices and warnings, nor a
 * statement prepared again after a schema change (which it does itself). */
static void
on_sqlite_log (void       *data,
               int         code,
               const char *message)
{
  if ((code & 0xff) == SQLITE_NOTICE || (code & 0xff) == SQLITE_WARNING
      || (code & 0xff) == SQLITE_SCHEMA)
    return;
  g_test_message ("SQLite (%d): %s", code, message);
  g_atomic_int_inc (&sqlite_errors);
}

/* One resident admitted 100 days ago and discharged 40 days ago (a
 * follow-up overdue), in three transactions on the window's connection. */
static void
add_discharged_resident (StpStore    *store,
                         StpSession  *session,
                         const char  *program_id,
                         guint        n)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autofree char *admitted_on = stp_test_days_from_today (store, -100);
  g_autofree char *discharged_on = stp_test_days_from_today (store, -40);
  g_autoptr(GError) error = NULL;

  resident->surname = g_strdup ("Петров");
  resident->name = g_strdup ("Иван");
  resident->patronymic = g_strdup_printf ("Тестович%u", n);
  resident->birth_date = g_strdup ("1980-01-01");
  resident->sex = STP_SEX_MALE;
  stp_store_save_resident (store, session, resident, &error);
  g_assert_no_error (error);
  episode->resident_id = g_strdup (resident->meta.id);
  episode->program_id = g_strdup (program_id);
  episode->admitted_on = g_strdup (admitted_on);
  episode->referral_source = STP_REFERRAL_SOURCE_RELATIVES;
  episode->payment_source = STP_PAYMENT_FREE;
  stp_store_admit (store, session, episode, &error);
  g_assert_no_error (error);
  stp_store_discharge (store, session, episode->meta.id, STP_EPISODE_COMPLETED, discharged_on,
                       "Программа пройдена", &error);
  g_assert_no_error (error);
}

static gboolean
pages_loading (StpFollowUpsPage *follow_ups,
               StpReferralsPage *referrals,
               StpResidentsPage *residents)
{
  return stp_follow_ups_page_is_loading (follow_ups)
         || stp_referrals_page_is_loading (referrals)
         || stp_residents_page_is_loading (residents);
}

static void
wait_for_pages (StpFollowUpsPage *follow_ups,
                StpReferralsPage *referrals,
                StpResidentsPage *residents)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (pages_loading (follow_ups, referrals, residents) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (pages_loading (follow_ups, referrals, residents));
  /* The last results reach the widgets. */
  stp_test_wait (20);
}

static void
test_workers_while_window_writes (void)
{
  g_autoptr(StpStore) store = stp_test_store_new ();
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(StpSession) director = NULL;
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GError) error = NULL;
  StpQueryWorker *worker;
  StpFollowUpsPage *follow_ups;
  StpReferralsPage *referrals;
  StpResidentsPage *residents;
  const char *program_id;

  center->name = g_strdup ("Центр");
  center->seats_total = 10;
  director = stp_store_create_center (store, center, "director", "Орлова Анна Сергеевна",
                                      "correct horse battery", &error);
  g_assert_no_error (error);
  programs = stp_store_list (store, director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  program_id = ((StpProgram *) g_ptr_array_index (programs, 0))->meta.id;
  /* (Creating the file probes tables before the migrations make them.) */
  g_atomic_int_set (&sqlite_errors, 0);

  /* The worker has a connection of its own: never the window's. */
  worker = stp_query_worker_get_for_store (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (worker);
  g_assert_true (stp_query_worker_get_for_store (store, NULL) == worker);
  g_assert_true (STP_IS_STORE (stp_query_worker_get_store (worker)));
  g_assert_true (stp_query_worker_get_store (worker) != store);

  follow_ups = g_object_ref_sink (stp_follow_ups_page_new (store, director));
  referrals = g_object_ref_sink (stp_referrals_page_new (store, director));
  residents = g_object_ref_sink (stp_residents_page_new (store, director));

  for (guint round = 0; round < ROUNDS; round++)
    {
      stp_follow_ups_page_reload (follow_ups);
      stp_referrals_page_reload (referrals);
      stp_residents_page_reload (residents);
      /* The window writes while the three queries run. */
      add_discharged_resident (store, director, program_id, round);
      if (round % 4 == 3)
        wait_for_pages (follow_ups, referrals, residents);
    }
  wait_for_pages (follow_ups, referrals, residents);

  /* A last reload sees every write. */
  stp_follow_ups_page_reload (follow_ups);
  stp_referrals_page_reload (referrals);
  stp_residents_page_reload (residents);
  wait_for_pages (follow_ups, referrals, residents);
  g_assert_cmpuint (stp_follow_ups_page_get_count (follow_ups), ==, ROUNDS);
  g_assert_cmpuint (stp_referrals_page_get_count (referrals), ==, 0);
  g_assert_cmpuint (sqlite_errors, ==, 0);

  g_object_unref (residents);
  g_object_unref (referrals);
  g_object_unref (follow_ups);
}

int
main (int   argc,
      char *argv[])
{
  /* Before SQLite's first use. */
  sqlite3_config (SQLITE_CONFIG_LOG, on_sqlite_log, NULL);
  stp_test_gui_init (&argc, &argv);

  g_test_add_func ("/gui/list-workers/while-window-writes", test_workers_while_window_writes);

  return g_test_run ();
}
