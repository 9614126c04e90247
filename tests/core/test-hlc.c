/* The hybrid logical clock, alone and as persisted by the store. */
#include "config.h"

#include <string.h>

#include "test-util.h"

static void
test_monotonic (void)
{
  StpHlc hlc = { 0 };
  guint64 a, b, c, d;

  a = stp_hlc_tick (&hlc, 1000);
  g_assert_cmpuint (STP_HLC_MILLIS (a), ==, 1000);
  g_assert_cmpuint (STP_HLC_COUNTER (a), ==, 0);
  b = stp_hlc_tick (&hlc, 1000);
  g_assert_cmpuint (b, >, a);
  g_assert_cmpuint (STP_HLC_COUNTER (b), ==, 1);
  /* The wall clock goes back an hour. */
  c = stp_hlc_tick (&hlc, 1000 - 3600 * 1000);
  g_assert_cmpuint (c, >, b);
  g_assert_cmpuint (STP_HLC_MILLIS (c), ==, 1000);
  d = stp_hlc_tick (&hlc, 2000);
  g_assert_cmpuint (d, ==, STP_HLC_MAKE (2000, 0));

  /* A remote value from the future moves the clock. */
  stp_hlc_observe (&hlc, STP_HLC_MAKE (5000, 7), 2000);
  g_assert_cmpuint (stp_hlc_tick (&hlc, 2001), ==, STP_HLC_MAKE (5000, 8));

  /* Counter overflow borrows the next millisecond. */
  hlc.last = STP_HLC_MAKE (9000, 0xffff);
  g_assert_cmpuint (stp_hlc_tick (&hlc, 9000), ==, STP_HLC_MAKE (9001, 0));
}

static void
test_compare (void)
{
  g_assert_cmpint (stp_hlc_compare (1, "a", 2, "a"), <, 0);
  g_assert_cmpint (stp_hlc_compare (2, "a", 1, "z"), >, 0);
  g_assert_cmpint (stp_hlc_compare (2, "a", 2, "b"), <, 0);
  g_assert_cmpint (stp_hlc_compare (2, "b", 2, "b"), ==, 0);
}

static void
test_store_clock_goes_back (TestCenter    *tc,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Часов", "Виктор");
  guint64 before, after;

  before = stp_store_tick_hlc (tc->store);
  test_now_usec -= (gint64) 24 * 3600 * G_USEC_PER_SEC;
  g_free (r->phone);
  r->phone = g_strdup ("+79001234567");
  g_assert_true (stp_store_save_resident (tc->store, tc->director, r, &error));
  g_assert_no_error (error);
  after = (guint64) test_count (tc->store, "SELECT max(hlc) FROM outbox");
  g_assert_cmpuint (after, >, before);

  /* Persisted: a reopened store continues above it though the clock is
   * still a day behind. */
  {
    g_autofree char *path = g_strdup (tc->path);
    g_clear_object (&tc->store);
    tc->store = stp_store_open (path, &error);
    g_assert_no_error (error);
    stp_store_set_clock (tc->store, test_clock, NULL);
    g_assert_cmpuint (stp_store_tick_hlc (tc->store), >, after);
  }
}

typedef struct
{
  StpStore *store;
  int       first;
} WorkerData;

static gpointer
worker_func (gpointer data)
{
  WorkerData *w = data;
  g_autoptr(StpSession) system = stp_session_new_system ();

  for (int i = 0; i < 20; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(StpResident) r = stp_resident_new ();
      r->surname = g_strdup_printf ("Поток%d", w->first + i);
      r->name = g_strdup ("Имя");
      if (!stp_store_save_resident (w->store, system, r, &error))
        return GINT_TO_POINTER (1);
    }
  return NULL;
}

static void
test_two_connections (TestCenter    *tc,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) worker = stp_store_open_secondary (tc->store, &error);
  WorkerData a = { tc->store, 0 };
  WorkerData b = { worker, 100 };
  GThread *thread;
  gpointer failed_a, failed_b;

  g_assert_no_error (error);
  /* The wall clock stands still: only the counter can keep order. */
  thread = g_thread_new ("worker", worker_func, &b);
  failed_a = worker_func (&a);
  failed_b = g_thread_join (thread);
  g_assert_null (failed_a);
  g_assert_null (failed_b);

  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents WHERE surname LIKE 'Поток%'"), ==, 40);
  /* Every change has its own HLC, increasing in commit order. */
  g_assert_cmpint (test_count (tc->store, "SELECT count(DISTINCT hlc) = count(*) FROM outbox"), ==, 1);
  g_assert_cmpint (test_count (tc->store,
                               "SELECT count(*) FROM outbox o1 JOIN outbox o2 ON o2.id = o1.id + 1 "
                               "WHERE o2.hlc <= o1.hlc"), ==, 0);
}

static void
test_uuid_v7 (void)
{
  g_autofree char *a = stp_uuid_new_v7_at (G_GINT64_CONSTANT (1700000000000000));
  g_autofree char *b = stp_uuid_new_v7_at (G_GINT64_CONSTANT (1700000000001000));
  g_autofree char *c = stp_uuid_new_v7 ();

  g_assert_cmpuint (strlen (a), ==, 36);
  g_assert_cmpint (a[14], ==, '7');
  g_assert_true (strchr ("89ab", a[19]) != NULL);
  g_assert_cmpint (strcmp (a, b), <, 0);
  g_assert_cmpstr (c, !=, a);
  g_assert_true (g_uuid_string_is_valid (c));
}

/* Ids made in a row sort in the order they were made, even within one
 * millisecond, so records created together list in creation order. */
static void
test_uuid_v7_ordered (void)
{
  g_autofree char *previous = NULL;

  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *id = stp_uuid_new_v7 ();

      g_assert_true (g_uuid_string_is_valid (id));
      if (previous != NULL)
        g_assert_cmpstr (previous, <, id);
      g_free (previous);
      previous = g_steal_pointer (&id);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hlc/monotonic", test_monotonic);
  g_test_add_func ("/hlc/compare", test_compare);
  g_test_add_func ("/hlc/uuid-v7", test_uuid_v7);
  g_test_add_func ("/hlc/uuid-v7-ordered", test_uuid_v7_ordered);
  g_test_add ("/hlc/store-clock-goes-back", TestCenter, NULL, test_center_setup,
              test_store_clock_goes_back, test_center_teardown);
  g_test_add ("/hlc/two-connections", TestCenter, NULL, test_center_setup,
              test_two_connections, test_center_teardown);
  return g_test_run ();
}
