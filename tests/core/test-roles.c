/* Roles, login, throttling and the audit log. */
#include "config.h"

#include <string.h>

#include "test-util.h"

typedef struct
{
  TestCenter  tc;
  StpSession *staff;
  StpSession *volunteer;
} RoleFixture;

static StpSession *
add_user (TestCenter *tc,
          const char *login,
          const char *full_name,
          StpRole     role)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpUser) user = stp_user_new ();
  StpSession *session;

  user->login = g_strdup (login);
  user->full_name = g_strdup (full_name);
  user->role = role;
  g_assert_true (stp_store_save_user_with_password (tc->store, tc->director, user, "password-1", &error));
  g_assert_no_error (error);
  g_assert_null (user->password_hash);
  session = stp_store_login (tc->store, login, "password-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (stp_session_get_role (session), ==, role);
  return session;
}

static void
role_setup (RoleFixture   *f,
            gconstpointer  data)
{
  test_center_setup (&f->tc, data);
  f->staff = add_user (&f->tc, "staff", "Сотрудник Анна", STP_ROLE_STAFF);
  f->volunteer = add_user (&f->tc, "volunteer", "Волонтёр Борис", STP_ROLE_VOLUNTEER);
}

static void
role_teardown (RoleFixture   *f,
               gconstpointer  data)
{
  g_clear_object (&f->staff);
  g_clear_object (&f->volunteer);
  test_center_teardown (&f->tc, data);
}

#define ASSERT_REFUSED(expr)                                              \
  G_STMT_START {                                                          \
    g_autoptr(GError) _e = NULL;                                          \
    GError **error = &_e;                                                 \
    g_assert_false ((expr) != 0);                                         \
    g_assert_error (_e, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);       \
    (void) error;                                                         \
  } G_STMT_END

#define ASSERT_ALLOWED(expr)                                              \
  G_STMT_START {                                                          \
    g_autoptr(GError) _e = NULL;                                          \
    GError **error = &_e;                                                 \
    gboolean _ok = (expr) != 0;                                           \
    (void) error;                                                         \
    g_assert_no_error (_e);                                               \
    g_assert_true (_ok);                                                  \
  } G_STMT_END

/* Holds the result of a call that returns a new object or array. */
static gboolean
owned (gpointer     p,
       GDestroyNotify free_func)
{
  if (p == NULL)
    return FALSE;
  free_func (p);
  return TRUE;
}

static gboolean
owned_resident (gpointer p)
{
  return owned (p, (GDestroyNotify) stp_resident_free);
}

static gboolean
owned_array (gpointer p)
{
  return owned (p, (GDestroyNotify) g_ptr_array_unref);
}

static gboolean
owned_episode (gpointer p)
{
  return owned (p, (GDestroyNotify) stp_episode_free);
}

static gboolean
owned_user (gpointer p)
{
  return owned (p, (GDestroyNotify) stp_user_free);
}

static void
test_volunteer (RoleFixture   *f,
                gconstpointer  data)
{
  StpStore *store = f->tc.store;
  StpSession *v = f->volunteer;
  g_autoptr(StpResident) r = stp_resident_new ();
  g_autoptr(StpRelative) rel = stp_relative_new ();
  g_autoptr(StpConsent) consent = stp_consent_new ();
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(StpJournalEntry) journal = stp_journal_entry_new ();
  g_autoptr(StpProgram) program = stp_program_new ();
  g_autofree char *program_id = test_first_program_id (&f->tc);

  /* Intake: allowed. */
  r->surname = g_strdup ("Кузнецов");
  r->name = g_strdup ("Андрей");
  ASSERT_ALLOWED (stp_store_save_resident (store, v, r, error));
  rel->resident_id = g_strdup (r->meta.id);
  rel->full_name = g_strdup ("Кузнецова Мария");
  ASSERT_ALLOWED (stp_store_save_relative (store, v, rel, error));
  consent->resident_id = g_strdup (r->meta.id);
  consent->kind = STP_CONSENT_PERSONAL_DATA;
  consent->signed_on = g_strdup ("2026-03-01");
  ASSERT_ALLOWED (stp_store_save_consent (store, v, consent, error));
  episode->resident_id = g_strdup (r->meta.id);
  episode->program_id = g_strdup (program_id);
  episode->admitted_on = g_strdup ("2026-03-01");
  episode->main_substance = STP_SUBSTANCE_ALCOHOL;
  ASSERT_ALLOWED (stp_store_admit (store, v, episode, error));
  ASSERT_ALLOWED (owned_array (stp_store_list_stages (store, v, program_id, error)));
  ASSERT_ALLOWED (owned_array (stp_store_list_login_users (store, error)));

  /* The card and everything in it: refused, not empty. */
  ASSERT_REFUSED (owned_resident (stp_store_get_resident (store, v, r->meta.id, error)));
  ASSERT_REFUSED (owned_array (stp_store_list (store, v, STP_KIND_JOURNAL_ENTRY, "resident_id", r->meta.id, error)));
  ASSERT_REFUSED (owned_array (stp_store_list (store, v, STP_KIND_SCREENING, "resident_id", r->meta.id, error)));
  ASSERT_REFUSED (owned_array (stp_store_list (store, v, STP_KIND_COURT_OBLIGATION, "resident_id", r->meta.id, error)));
  ASSERT_REFUSED (owned_array (stp_store_list (store, v, STP_KIND_FOLLOW_UP, "resident_id", r->meta.id, error)));
  ASSERT_REFUSED (owned_array (stp_store_list (store, v, STP_KIND_REFERRAL, "resident_id", r->meta.id, error)));
  ASSERT_REFUSED (owned_array (stp_store_list (store, v, STP_KIND_RELATIVE, "resident_id", r->meta.id, error)));
  ASSERT_REFUSED (owned_episode (stp_store_get_latest_episode (store, v, r->meta.id, error)));
  ASSERT_REFUSED (stp_store_next_stage (store, v, episode->meta.id, "2026-03-05", NULL, error));

  /* Care and administration: refused, nothing written. */
  journal->resident_id = g_strdup (r->meta.id);
  journal->occurred_at = g_strdup ("2026-03-02T10:00:00Z");
  journal->text = g_strdup ("Беседа");
  ASSERT_REFUSED (stp_store_save_journal_entry (store, v, journal, error));
  g_assert_null (journal->meta.id);
  g_free (r->phone);
  r->phone = g_strdup ("+79990001122");
  ASSERT_REFUSED (stp_store_save_resident (store, v, r, error));
  ASSERT_REFUSED (stp_store_delete (store, v, STP_KIND_RESIDENT, r->meta.id, error));
  program->name = g_strdup ("Своя программа");
  ASSERT_REFUSED (stp_store_save_program (store, v, program, error));
  ASSERT_REFUSED (owned_array (stp_store_list_audit (store, v, 10, error)));
  ASSERT_REFUSED (stp_store_audit (store, v, STP_AUDIT_PRINT, "residents", r->meta.id, NULL, error) &&
                  stp_session_require (v, STP_PERMISSION_PRINT_RESIDENT, error));
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM journal_entries"), ==, 0);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM residents WHERE phone IS NOT NULL"), ==, 0);
}

static void
test_staff (RoleFixture   *f,
            gconstpointer  data)
{
  StpStore *store = f->tc.store;
  StpSession *s = f->staff;
  g_autoptr(StpResident) r = test_add_resident (&f->tc, "Морозов", "Илья");
  g_autoptr(StpJournalEntry) j = stp_journal_entry_new ();
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(StpEpisode) latest = NULL;
  g_autoptr(GPtrArray) journal = NULL;
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(StpUser) director_user = NULL;
  g_autofree char *program_id = test_first_program_id (&f->tc);
  g_autoptr(GError) error = NULL;

  ASSERT_ALLOWED (owned_resident (stp_store_get_resident (store, s, r->meta.id, error)));
  j->resident_id = g_strdup (r->meta.id);
  j->occurred_at = g_strdup ("2026-03-02T10:00:00Z");
  j->text = g_strdup ("Закрытая запись");
  j->restricted = TRUE;
  ASSERT_ALLOWED (stp_store_save_journal_entry (store, s, j, error));
  journal = stp_store_list (store, s, STP_KIND_JOURNAL_ENTRY, "resident_id", r->meta.id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (journal->len, ==, 1);

  episode->resident_id = g_strdup (r->meta.id);
  episode->program_id = g_strdup (program_id);
  episode->admitted_on = g_strdup ("2026-03-01");
  episode->main_substance = STP_SUBSTANCE_OPIOIDS;
  episode->years_of_use = 7;
  ASSERT_ALLOWED (stp_store_admit (store, s, episode, error));
  latest = stp_store_get_latest_episode (store, s, r->meta.id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (latest->main_substance, ==, STP_SUBSTANCE_OPIOIDS);
  g_assert_cmpint (latest->years_of_use, ==, 7);
  g_assert_cmpstr (latest->responsible_user_id, ==, stp_session_get_user_id (s));

  /* Director-only. */
  ASSERT_REFUSED (owned_array (stp_store_list_audit (store, s, 10, error)));
  user->login = g_strdup ("intruder");
  user->full_name = g_strdup ("Посторонний");
  ASSERT_REFUSED (stp_store_save_user_with_password (store, s, user, "password-2", error));
  ASSERT_REFUSED (stp_store_save_user (store, s, user, error));
  {
    g_autoptr(StpCenter) center = stp_store_get_center (store, NULL);
    ASSERT_REFUSED (stp_store_save_center_record (store, s, center, error));
  }
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM users WHERE login = 'intruder'"), ==, 0);

  /* Password hashes never reach non-directors. */
  director_user = stp_store_get_user (store, s, stp_session_get_user_id (f->tc.director), &error);
  g_assert_no_error (error);
  g_assert_null (director_user->password_hash);
  g_assert_cmpstr (director_user->login, ==, "director");
  {
    g_autoptr(GPtrArray) users = stp_store_list (store, s, STP_KIND_USER, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (users->len, ==, 3);
    for (guint i = 0; i < users->len; i++)
      g_assert_null (((StpUser *) users->pdata[i])->password_hash);
  }
}

static void
test_director (RoleFixture   *f,
               gconstpointer  data)
{
  StpStore *store = f->tc.store;
  StpSession *d = f->tc.director;
  g_autoptr(StpUser) staff_user = NULL;
  g_autoptr(GError) error = NULL;

  ASSERT_ALLOWED (owned_array (stp_store_list_audit (store, d, 10, error)));
  staff_user = stp_store_get_user (store, d, stp_session_get_user_id (f->staff), &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (staff_user->password_hash, "$argon2id$"));
  ASSERT_ALLOWED (owned_user (stp_user_copy (staff_user)));

  /* Changing the role without touching the password keeps the password. */
  staff_user->role = STP_ROLE_DIRECTOR;
  g_clear_pointer (&staff_user->password_hash, g_free);
  ASSERT_ALLOWED (stp_store_save_user (store, d, staff_user, error));
  {
    g_autoptr(StpSession) again = stp_store_login (store, "staff", "password-1", &error);
    g_assert_no_error (error);
    g_assert_cmpint (stp_session_get_role (again), ==, STP_ROLE_DIRECTOR);
  }
  /* A login is unique. */
  {
    g_autoptr(StpUser) twin = stp_user_new ();
    twin->login = g_strdup ("staff");
    twin->full_name = g_strdup ("Двойник");
    g_assert_false (stp_store_save_user_with_password (store, d, twin, "password-3", &error));
    g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
    g_assert_cmpstr (stp_error_get_field (error), ==, "login");
  }
}

static void
test_login_and_throttle (RoleFixture   *f,
                         gconstpointer  data)
{
  StpStore *store = f->tc.store;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) s = NULL;
  gint64 failed_before = test_count (store, "SELECT count(*) FROM audit_events WHERE action = 'login_failed'");

  s = stp_store_login (store, "staff", "wrong", &error);
  g_assert_null (s);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
  g_clear_error (&error);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM audit_events WHERE action = 'login_failed'"),
                   ==, failed_before + 1);

  /* Two more failures are free... */
  for (int i = 0; i < 2; i++)
    {
      g_assert_null (stp_store_login (store, "staff", "wrong", &error));
      g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
      g_clear_error (&error);
    }
  /* ...then even the right password waits 1 s. */
  g_assert_null (stp_store_login (store, "staff", "password-1", &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_THROTTLED);
  g_assert_nonnull (strstr (error->message, "1"));
  g_clear_error (&error);

  test_now_usec += G_USEC_PER_SEC;
  g_assert_null (stp_store_login (store, "staff", "wrong", &error));   /* failure 4 */
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
  g_clear_error (&error);
  /* Now 2 s. */
  test_now_usec += G_USEC_PER_SEC;
  g_assert_null (stp_store_login (store, "staff", "password-1", &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_THROTTLED);
  g_clear_error (&error);
  test_now_usec += G_USEC_PER_SEC;
  s = stp_store_login (store, "staff", "password-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  g_clear_object (&s);
  /* Success clears the count. */
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM login_failures WHERE login = 'staff'"), ==, 0);

  /* Unknown logins are throttled alike, and the delay is capped. */
  for (int n = 1; n <= 14; n++)
    {
      g_assert_null (stp_store_login (store, "nobody", "x", &error));
      g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
      g_clear_error (&error);
      if (n >= 3)
        {
          gint64 delay = MIN ((gint64) 1 << (n - 3), 300);
          /* Just before the delay ends: refused; at its end: checked. */
          test_now_usec += delay * G_USEC_PER_SEC - 1;
          g_assert_null (stp_store_login (store, "nobody", "x", &error));
          g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_THROTTLED);
          g_clear_error (&error);
          test_now_usec += 1;
        }
    }
  g_assert_cmpint (test_count (store, "SELECT failures FROM login_failures WHERE login = 'nobody'"), ==, 14);
}

static void
on_login_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* stp_store_login_async(): the password checked on a thread, the same
 * answers, audit events and throttling as stp_store_login(). */
static StpSession *
login_async (StpStore    *store,
             const char  *login,
             const char  *password,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  stp_store_login_async (store, login, password, on_login_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return stp_store_login_finish (store, result, error);
}

static void
test_login_async (RoleFixture   *f,
                  gconstpointer  data)
{
  StpStore *store = f->tc.store;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) s = NULL;
  gint64 failed_before = test_count (store, "SELECT count(*) FROM audit_events WHERE action = 'login_failed'");
  gint64 logins_before = test_count (store, "SELECT count(*) FROM audit_events WHERE action = 'login'");
  int changes_before;

  for (int i = 0; i < 3; i++)
    {
      g_assert_null (login_async (store, "staff", "wrong", &error));
      g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
      g_clear_error (&error);
    }
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM audit_events WHERE action = 'login_failed'"),
                   ==, failed_before + 3);
  g_assert_null (login_async (store, "staff", "password-1", &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_THROTTLED);
  g_clear_error (&error);
  g_assert_null (login_async (store, "nobody", "x", &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
  g_clear_error (&error);

  test_now_usec += G_USEC_PER_SEC;
  changes_before = sqlite3_total_changes (stp_store_get_db (store));
  s = login_async (store, "staff", "password-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  /* Its writes (the failures cleared, the audit event) were committed by
   * the thread on its own connection, not by the main thread's. */
  g_assert_cmpint (sqlite3_total_changes (stp_store_get_db (store)), ==, changes_before);
  g_assert_cmpstr (stp_session_get_login (s), ==, "staff");
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM login_failures WHERE login = 'staff'"), ==, 0);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM audit_events WHERE action = 'login'"),
                   ==, logins_before + 1);
}

static void
test_verify_password (RoleFixture   *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (stp_store_verify_password (f->tc.store, f->staff, "password-1", &error));
  g_assert_no_error (error);
  g_assert_false (stp_store_verify_password (f->tc.store, f->staff, "nope", &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
  g_clear_error (&error);

  /* The same on a thread (the lock screen); a failure is audited. */
  {
    gint64 failed = test_count (f->tc.store, "SELECT count(*) FROM audit_events WHERE action = 'login_failed'");
    g_autoptr(GAsyncResult) right = NULL;
    g_autoptr(GAsyncResult) wrong = NULL;

    stp_store_verify_password_async (f->tc.store, f->staff, "password-1", on_login_done, &right);
    stp_store_verify_password_async (f->tc.store, f->staff, "nope", on_login_done, &wrong);
    while (right == NULL || wrong == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_true (stp_store_verify_password_finish (f->tc.store, right, &error));
    g_assert_no_error (error);
    g_assert_false (stp_store_verify_password_finish (f->tc.store, wrong, &error));
    g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH);
    g_assert_cmpint (test_count (f->tc.store, "SELECT count(*) FROM audit_events WHERE action = 'login_failed'"),
                     ==, failed + 1);
  }
}

static void
test_audit (RoleFixture   *f,
            gconstpointer  data)
{
  StpStore *store = f->tc.store;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (&f->tc, "Зайцев", "Глеб");
  g_autoptr(StpResident) seen = NULL;
  g_autoptr(GPtrArray) events = NULL;
  StpAuditEvent *newest;
  char *err = NULL;

  seen = stp_store_get_resident (store, f->staff, r->meta.id, &error);
  g_assert_no_error (error);
  g_free (seen->education);
  seen->education = g_strdup ("высшее");
  g_assert_true (stp_store_save_resident (store, f->staff, seen, &error));
  g_assert_true (stp_store_audit (store, f->staff, STP_AUDIT_PRINT, "residents", r->meta.id, "resident report", &error));
  g_assert_true (stp_store_delete (store, f->tc.director, STP_KIND_RESIDENT, r->meta.id, &error));
  g_assert_no_error (error);

  events = stp_store_list_audit (store, f->tc.director, 0, &error);
  g_assert_no_error (error);
  newest = events->pdata[0];
  g_assert_cmpint (newest->action, ==, STP_AUDIT_DELETE);
  g_assert_cmpstr (newest->user_login, ==, "director");
  g_assert_cmpstr (newest->entity_id, ==, r->meta.id);
  g_assert_cmpint (((StpAuditEvent *) events->pdata[1])->action, ==, STP_AUDIT_PRINT);
  g_assert_cmpstr (((StpAuditEvent *) events->pdata[1])->user_login, ==, "staff");
  g_assert_cmpint (((StpAuditEvent *) events->pdata[2])->action, ==, STP_AUDIT_UPDATE);
  g_assert_cmpstr (((StpAuditEvent *) events->pdata[2])->detail, ==, "education");
  /* The log names whose record it was, a deleted one too. */
  g_assert_true (g_str_has_prefix (newest->resident_name, "Зайцев Глеб"));
  g_assert_true (g_str_has_prefix (((StpAuditEvent *) events->pdata[2])->resident_name, "Зайцев Глеб"));
  g_assert_cmpint (((StpAuditEvent *) events->pdata[3])->action, ==, STP_AUDIT_VIEW);
  g_assert_cmpint (((StpAuditEvent *) events->pdata[4])->action, ==, STP_AUDIT_CREATE);
  g_assert_cmpint (test_count (store, "SELECT count(*) FROM audit_events WHERE action = 'login'"), >=, 3);
  {
    g_autoptr(GPtrArray) two = stp_store_list_audit (store, f->tc.director, 2, &error);
    g_assert_cmpuint (two->len, ==, 2);
  }

  /* Append-only. */
  g_assert_cmpint (sqlite3_exec (stp_store_get_db (store), "UPDATE audit_events SET user_login = 'x'",
                                 NULL, NULL, &err), !=, SQLITE_OK);
  sqlite3_free (err);
  err = NULL;
  g_assert_cmpint (sqlite3_exec (stp_store_get_db (store), "DELETE FROM audit_events",
                                 NULL, NULL, &err), !=, SQLITE_OK);
  sqlite3_free (err);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, RoleFixture, NULL, role_setup, func, role_teardown)
  ADD ("/roles/volunteer", test_volunteer);
  ADD ("/roles/staff", test_staff);
  ADD ("/roles/director", test_director);
  ADD ("/roles/login-and-throttle", test_login_and_throttle);
  ADD ("/roles/login-async", test_login_async);
  ADD ("/roles/verify-password", test_verify_password);
  ADD ("/roles/audit", test_audit);
  return g_test_run ();
}
