#define G_LOG_DOMAIN "stp-store-drafts"

#include "config.h"

#include "stp-store-drafts.h"
#include "stp-store-private.h"

char *
stp_store_load_intake_draft (StpStore    *self,
                             StpSession  *session,
                             GError     **error)
{
  sqlite3_stmt *stmt;
  char *data = NULL;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stmt = stp_store_prepare (self, "SELECT data FROM intake_drafts WHERE user_id = ?", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, stp_session_get_user_id (session), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    data = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    stp_store_set_sqlite_error (self, error);
  sqlite3_reset (stmt);
  return data;
}

gboolean
stp_store_save_intake_draft (StpStore    *self,
                             StpSession  *session,
                             const char  *data,
                             GError     **error)
{
  g_autofree char *now = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = stp_store_prepare (self,
                            "INSERT INTO intake_drafts (user_id, data, updated_at) VALUES (?, ?, ?) "
                            "ON CONFLICT (user_id) DO UPDATE SET data = excluded.data, "
                            "updated_at = excluded.updated_at",
                            error);
  if (stmt == NULL)
    return FALSE;
  now = stp_format_moment (stp_store_now (self));
  sqlite3_bind_text (stmt, 1, stp_session_get_user_id (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, data, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, now, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    stp_store_set_sqlite_error (self, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

gboolean
stp_store_clear_intake_draft (StpStore    *self,
                              StpSession  *session,
                              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  stmt = stp_store_prepare (self, "DELETE FROM intake_drafts WHERE user_id = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, stp_session_get_user_id (session), -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    stp_store_set_sqlite_error (self, error);
  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}
