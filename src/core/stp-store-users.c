#define G_LOG_DOMAIN "stp-store-users"

#include "config.h"

#include "stp-store.h"

#include <glib/gi18n-lib.h>
#include <sodium.h>
#include <string.h>

#include "stp-error.h"
#include "stp-store-private.h"

/* Failed logins before the delay starts, and its cap. */
#define FREE_FAILURES   3
#define MAX_DELAY_SEC 300

static gboolean
ensure_sodium (GError **error)
{
  if (sodium_init () < 0)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("The cryptography library could not be started."));
      return FALSE;
    }
  return TRUE;
}

static char *
hash_password (const char  *password,
               GError     **error)
{
  char hash[crypto_pwhash_STRBYTES];

  if (!ensure_sodium (error))
    return NULL;
  if (crypto_pwhash_str (hash, password, strlen (password),
                         crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                           _("Not enough memory to protect the password."));
      return NULL;
    }
  return g_strdup (hash);
}

static gboolean
password_matches (const char *hash,
                  const char *password)
{
  if (hash == NULL || password == NULL || sodium_init () < 0)
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

static gboolean
check_password_rules (const char  *password,
                      GError     **error)
{
  if (password == NULL || g_utf8_strlen (password, -1) < 6)
    {
      stp_set_field_error (error, "password",
                           _("The password must have at least 6 characters."));
      return FALSE;
    }
  return TRUE;
}

gboolean
stp_store_is_empty (StpStore *self)
{
  sqlite3_stmt *stmt;
  gboolean empty;

  g_return_val_if_fail (STP_IS_STORE (self), TRUE);

  stmt = stp_store_prepare (self, "SELECT 1 FROM centers WHERE deleted = 0 LIMIT 1", NULL);
  if (stmt == NULL)
    return TRUE;
  empty = sqlite3_step (stmt) != SQLITE_ROW;
  sqlite3_reset (stmt);
  return empty;
}

StpCenter *
stp_store_get_center (StpStore  *self,
                      GError   **error)
{
  g_autoptr(GPtrArray) centers = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);

  centers = stp_store_load_records (self, STP_KIND_CENTER, NULL, NULL, error);
  if (centers == NULL)
    return NULL;
  if (centers->len == 0)
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND,
                           _("The center has not been set up yet."));
      return NULL;
    }
  return stp_center_copy (centers->pdata[0]);
}

static gboolean check_throttle (StpStore    *self,
                                const char  *login,
                                GError     **error);

static StpSession *
session_for_user (const StpUser *user)
{
  return stp_session_new (user->meta.id, user->login, user->full_name, user->role);
}

StpSession *
stp_store_create_center (StpStore         *self,
                         const StpCenter  *center,
                         const char       *director_login,
                         const char       *director_full_name,
                         const char       *director_password,
                         GError          **error)
{
  g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
  g_autoptr(StpSession) system = NULL;
  g_autoptr(StpCenter) copy = NULL;
  g_autoptr(StpUser) director = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (center != NULL, NULL);

  if (!stp_store_is_empty (self))
    {
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_CONFLICT,
                           _("This database already holds a center."));
      return NULL;
    }
  if (director_login == NULL || *director_login == '\0')
    {
      stp_set_field_error (error, "login", _("Fill in “%s”."), _("Login"));
      return NULL;
    }
  if (!check_password_rules (director_password, error))
    return NULL;

  system = stp_session_new_system ();
  copy = stp_center_copy (center);
  g_clear_pointer (&copy->meta.id, g_free);

  director = stp_user_new ();
  director->login = g_strdup (director_login);
  director->full_name = g_strdup (director_full_name);
  director->role = STP_ROLE_DIRECTOR;
  director->active = TRUE;
  director->password_hash = hash_password (director_password, error);
  if (director->password_hash == NULL)
    return NULL;

  if (!stp_store_transaction_begin (&tx, self, error))
    return NULL;
  if (!stp_store_save_unchecked (self, system, STP_KIND_CENTER, copy, error) ||
      !stp_store_save_unchecked (self, system, STP_KIND_USER, director, error) ||
      !stp_store_create_default_programs (self, system, error) ||
      !stp_store_audit_login (self, director->login, STP_AUDIT_LOGIN, NULL, NULL,
                              "center created", error) ||
      !stp_store_transaction_commit (&tx, error))
    return NULL;

  return session_for_user (director);
}

GPtrArray *
stp_store_list_login_users (StpStore  *self,
                            GError   **error)
{
  GPtrArray *users;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);

  users = stp_store_load_records (self, STP_KIND_USER, NULL, NULL, error);
  if (users == NULL)
    return NULL;
  for (guint i = users->len; i > 0; i--)
    {
      StpUser *user = users->pdata[i - 1];
      if (!user->active)
        g_ptr_array_remove_index (users, i - 1);
      else
        g_clear_pointer (&user->password_hash, g_free);
    }
  return users;
}

static StpUser *
find_user_by_login (StpStore   *self,
                    const char *login)
{
  g_autoptr(GPtrArray) users = stp_store_load_records (self, STP_KIND_USER, "login", login, NULL);

  if (users == NULL)
    return NULL;
  for (guint i = 0; i < users->len; i++)
    {
      StpUser *user = users->pdata[i];
      if (user->active)
        return stp_user_copy (user);
    }
  return NULL;
}

static gboolean
get_failures (StpStore   *self,
              const char *login,
              gint64     *failures,
              gint64     *last)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;

  *failures = 0;
  *last = 0;
  stmt = stp_store_prepare (self, "SELECT failures, last_failure FROM login_failures WHERE login = ?1", NULL);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      *failures = sqlite3_column_int64 (stmt, 0);
      *last = sqlite3_column_int64 (stmt, 1);
      found = TRUE;
    }
  sqlite3_reset (stmt);
  return found;
}

/* The wait, in seconds, after @failures failed attempts. */
static gint64
delay_for_failures (gint64 failures)
{
  gint64 exponent;

  if (failures < FREE_FAILURES)
    return 0;
  exponent = failures - FREE_FAILURES;
  if (exponent >= 9)
    return MAX_DELAY_SEC;
  return MIN ((gint64) 1 << exponent, MAX_DELAY_SEC);
}

static void
record_failure (StpStore   *self,
                const char *login)
{
  sqlite3_stmt *stmt;

  stmt = stp_store_prepare (self,
                            "INSERT INTO login_failures (login, failures, last_failure) VALUES (?1, 1, ?2) "
                            "ON CONFLICT (login) DO UPDATE SET failures = failures + 1, last_failure = ?2",
                            NULL);
  if (stmt == NULL)
    return;
  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, stp_store_now (self));
  stp_store_step_done (self, stmt, NULL);
  stp_store_audit_login (self, login, STP_AUDIT_LOGIN_FAILED, "users", NULL, NULL, NULL);
}

static void
clear_failures (StpStore   *self,
                const char *login)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, "DELETE FROM login_failures WHERE login = ?1", NULL);

  if (stmt == NULL)
    return;
  sqlite3_bind_text (stmt, 1, login, -1, SQLITE_STATIC);
  stp_store_step_done (self, stmt, NULL);
}

StpSession *
stp_store_login (StpStore    *self,
                 const char  *login,
                 const char  *password,
                 GError     **error)
{
  g_autoptr(StpUser) user = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (login != NULL, NULL);

  /* The clock is the store's, so tests can move it, and no thread ever
   * sleeps: the caller is told how long to wait. */
  if (!check_throttle (self, login, error))
    return NULL;

  user = find_user_by_login (self, login);
  if (user == NULL || !password_matches (user->password_hash, password))
    {
      record_failure (self, login);
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH,
                           _("Wrong login or password. Check the keyboard layout and Caps Lock."));
      return NULL;
    }

  clear_failures (self, login);
  stp_store_audit_login (self, user->login, STP_AUDIT_LOGIN, "users", user->meta.id, NULL, NULL);
  return session_for_user (user);
}

/* Refused at once when throttled (the same message as stp_store_login). */
static gboolean
check_throttle (StpStore    *self,
                const char  *login,
                GError     **error)
{
  gint64 failures, last, delay;

  get_failures (self, login, &failures, &last);
  delay = delay_for_failures (failures);
  if (delay > 0)
    {
      gint64 wait_until = last + delay * G_USEC_PER_SEC;
      gint64 now = stp_store_now (self);
      if (now < wait_until)
        {
          gint64 seconds = (wait_until - now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC;
          g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_THROTTLED,
                       g_dngettext (GETTEXT_PACKAGE,
                                    "Too many failed attempts. Try again in %d second.",
                                    "Too many failed attempts. Try again in %d seconds.",
                                    (gulong) seconds),
                       (int) seconds);
          return FALSE;
        }
    }
  return TRUE;
}

typedef struct
{
  StpStore *writer;     /* a connection for the thread's writes; NULL: none */
  char     *login;
  char     *password;
  StpUser  *user;       /* NULL: no such active user */
  gboolean  written;    /* the login's writes done on the thread */
  gboolean  wait_check; /* the full check that holds the writes back ran */
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_object (&data->writer);
  g_free (data->login);
  if (data->password != NULL)
    {
      sodium_memzero (data->password, strlen (data->password));
      g_free (data->password);
    }
  g_clear_pointer (&data->user, stp_user_free);
  g_free (data);
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LoginData *data = task_data;

  /* The hash and the password; the main thread's connection is not used here. */
  if (data->user == NULL || !password_matches (data->user->password_hash, data->password))
    {
      g_task_return_boolean (task, FALSE);
      return;
    }
  /* The login's writes (its failures cleared, its audit event) on this
   * thread's own connection: their commit waits for the disk (fsync), which
   * the main loop must not.  They are done before the session is given;
   * without the connection _finish writes them. */
  /* The full check of a big file (tens of seconds after an unclean exit)
   * holds the writes back: waited for here, not in the main loop, which
   * would otherwise block at the first write or at the next connection's
   * opening (the window's pages open theirs). */
  while (data->wait_check &&
         stp_store_get_check_state (STP_STORE (source_object)) == STP_STORE_CHECK_RUNNING)
    g_usleep (20 * 1000);
  if (data->writer != NULL)
    {
      clear_failures (data->writer, data->login);
      stp_store_audit_login (data->writer, data->user->login, STP_AUDIT_LOGIN, "users",
                             data->user->meta.id, NULL, NULL);
      data->written = TRUE;
      g_clear_object (&data->writer);
    }
  g_task_return_boolean (task, TRUE);
}

void
stp_store_login_async (StpStore            *self,
                       const char          *login,
                       const char          *password,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  LoginData *data;

  g_return_if_fail (STP_IS_STORE (self));
  g_return_if_fail (login != NULL);

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, stp_store_login_async);
  if (!check_throttle (self, login, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (LoginData, 1);
  data->login = g_strdup (login);
  data->password = g_strdup (password != NULL ? password : "");
  data->user = find_user_by_login (self, login);
  /* Opened here, not on the thread (opening may join the full check's
   * thread, which only this thread may do).  While the full check that
   * holds the writes back still runs, the thread waits for its end and
   * _finish writes on this connection. */
  data->wait_check = self->check_blocks_commits &&
                     stp_store_get_check_state (self) == STP_STORE_CHECK_RUNNING;
  if (data->user != NULL && !data->wait_check)
    data->writer = stp_store_open_secondary (self, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  g_task_run_in_thread (task, login_thread);
}

StpSession *
stp_store_login_finish (StpStore     *self,
                        GAsyncResult *result,
                        GError      **error)
{
  LoginData *data;
  GError *local = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  if (!g_task_propagate_boolean (G_TASK (result), &local))
    {
      if (local != NULL)
        {
          g_propagate_error (error, local);
          return NULL;
        }
      data = g_task_get_task_data (G_TASK (result));
      record_failure (self, data->login);
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH,
                           _("Wrong login or password. Check the keyboard layout and Caps Lock."));
      return NULL;
    }
  data = g_task_get_task_data (G_TASK (result));
  if (!data->written)
    {
      clear_failures (self, data->login);
      stp_store_audit_login (self, data->user->login, STP_AUDIT_LOGIN, "users", data->user->meta.id, NULL, NULL);
    }
  return session_for_user (data->user);
}

gboolean
stp_store_verify_password (StpStore    *self,
                           StpSession  *session,
                           const char  *password,
                           GError     **error)
{
  g_autoptr(StpUser) user = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);

  user = stp_store_load_record (self, STP_KIND_USER, stp_session_get_user_id (session), NULL);
  if (user == NULL || user->meta.deleted || !user->active ||
      !password_matches (user->password_hash, password))
    {
      stp_store_audit_login (self, stp_session_get_login (session), STP_AUDIT_LOGIN_FAILED,
                             "users", stp_session_get_user_id (session), "unlock", NULL);
      g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH,
                           _("Wrong password. Check the keyboard layout and Caps Lock."));
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  StpSession *session;
  char       *password;
  StpUser    *user;       /* NULL: gone */
} VerifyData;

static void
verify_data_free (VerifyData *data)
{
  g_clear_object (&data->session);
  if (data->password != NULL)
    {
      sodium_memzero (data->password, strlen (data->password));
      g_free (data->password);
    }
  g_clear_pointer (&data->user, stp_user_free);
  g_free (data);
}

static void
verify_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  VerifyData *data = task_data;

  g_task_return_boolean (task, data->user != NULL &&
                               password_matches (data->user->password_hash, data->password));
}

void
stp_store_verify_password_async (StpStore            *self,
                                 StpSession          *session,
                                 const char          *password,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  VerifyData *data;

  g_return_if_fail (STP_IS_STORE (self));
  g_return_if_fail (STP_IS_SESSION (session));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, stp_store_verify_password_async);
  data = g_new0 (VerifyData, 1);
  data->session = g_object_ref (session);
  data->password = g_strdup (password != NULL ? password : "");
  data->user = stp_store_load_record (self, STP_KIND_USER, stp_session_get_user_id (session), NULL);
  if (data->user != NULL && (data->user->meta.deleted || !data->user->active))
    g_clear_pointer (&data->user, stp_user_free);
  g_task_set_task_data (task, data, (GDestroyNotify) verify_data_free);
  g_task_run_in_thread (task, verify_thread);
}

gboolean
stp_store_verify_password_finish (StpStore      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  VerifyData *data;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    return TRUE;
  data = g_task_get_task_data (G_TASK (result));
  stp_store_audit_login (self, stp_session_get_login (data->session), STP_AUDIT_LOGIN_FAILED,
                         "users", stp_session_get_user_id (data->session), "unlock", NULL);
  g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_AUTH,
                       _("Wrong password. Check the keyboard layout and Caps Lock."));
  return FALSE;
}

gboolean
stp_store_save_user_with_password (StpStore    *self,
                                   StpSession  *session,
                                   StpUser     *user,
                                   const char  *password,
                                   GError     **error)
{
  g_autoptr(GPtrArray) same_login = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  if (!stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return FALSE;

  if (user->login != NULL)
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (user->login));
      same_login = stp_store_load_records (self, STP_KIND_USER, "login", trimmed, NULL);
      for (guint i = 0; same_login != NULL && i < same_login->len; i++)
        {
          StpUser *other = same_login->pdata[i];
          if (g_strcmp0 (other->meta.id, user->meta.id) != 0)
            {
              stp_set_field_error (error, "login",
                                   _("The login “%s” is already taken. Choose another one."),
                                   trimmed);
              return FALSE;
            }
        }
    }

  if (password != NULL)
    {
      if (!check_password_rules (password, error))
        return FALSE;
      g_free (user->password_hash);
      user->password_hash = hash_password (password, error);
      if (user->password_hash == NULL)
        return FALSE;
    }
  else if (user->meta.id == NULL)
    {
      stp_set_field_error (error, "password", _("Give the new user a password."));
      return FALSE;
    }

  if (!stp_store_save_unchecked (self, session, STP_KIND_USER, user, error))
    return FALSE;
  /* The hash stays inside the store. */
  g_clear_pointer (&user->password_hash, g_free);
  return TRUE;
}
