/* stp-store-audit.c: the audit log (DOMAIN.md): appending events and
 * listing them for the administrator. */
#define G_LOG_DOMAIN "stp-store"

#include "config.h"

#include "stp-store-private.h"
#include "stp-session.h"

gboolean
stp_store_audit_login (StpStore        *self,
                       const char      *login,
                       StpAuditAction   action,
                       const char      *entity,
                       const char      *entity_id,
                       const char      *detail,
                       GError         **error)
{
  g_autofree char *at = stp_format_moment (stp_store_now (self));
  sqlite3_stmt *stmt;

  stmt = stp_store_prepare (self,
                            "INSERT INTO audit_events (at, user_login, device_id, action, entity, entity_id, detail) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, at, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, login != NULL ? login : "system", -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, self->device_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, stp_enum_to_code (STP_ENUM_AUDIT_ACTION, action), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, entity, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 6, entity_id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 7, detail, -1, SQLITE_STATIC);
  return stp_store_step_done (self, stmt, error);
}

gboolean
stp_store_audit (StpStore        *self,
                 StpSession      *session,
                 StpAuditAction   action,
                 const char      *entity,
                 const char      *entity_id,
                 const char      *detail,
                 GError         **error)
{
  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);

  return stp_store_audit_login (self, stp_session_get_login (session), action,
                                entity, entity_id, detail, error);
}

void
stp_audit_event_free (StpAuditEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->at);
  g_free (event->user_login);
  g_free (event->device_id);
  g_free (event->entity);
  g_free (event->entity_id);
  g_free (event->detail);
  g_free (event->resident_name);
  g_free (event);
}

GPtrArray *
stp_store_list_audit (StpStore    *self,
                      StpSession  *session,
                      int          limit,
                      GError     **error)
{
  g_autoptr(GPtrArray) events = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  if (!stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return NULL;

  stmt = stp_store_prepare (self,
                            "SELECT a.id, a.at, a.user_login, a.device_id, a.action, a.entity,"
                            " a.entity_id, a.detail,"
                            /* Whose record it was, for the director reading the log. */
                            " (SELECT trim (coalesce (s.surname, '') || ' ' || coalesce (s.name, '') || ' '"
                            "               || coalesce (s.patronymic, ''))"
                            "  FROM resident_summaries s WHERE s.resident_id = CASE a.entity"
                            "   WHEN 'residents' THEN a.entity_id"
                            "   WHEN 'episodes' THEN (SELECT resident_id FROM episodes WHERE id = a.entity_id)"
                            "   WHEN 'relatives' THEN (SELECT resident_id FROM relatives WHERE id = a.entity_id)"
                            "   WHEN 'consents' THEN (SELECT resident_id FROM consents WHERE id = a.entity_id)"
                            "   WHEN 'journal_entries' THEN (SELECT resident_id FROM journal_entries WHERE id = a.entity_id)"
                            "   WHEN 'screenings' THEN (SELECT resident_id FROM screenings WHERE id = a.entity_id)"
                            "   WHEN 'follow_ups' THEN (SELECT resident_id FROM follow_ups WHERE id = a.entity_id)"
                            "   WHEN 'referrals' THEN (SELECT resident_id FROM referrals WHERE id = a.entity_id)"
                            "   WHEN 'court_obligations' THEN (SELECT resident_id FROM court_obligations WHERE id = a.entity_id)"
                            "   WHEN 'stage_entries' THEN (SELECT e.resident_id FROM stage_entries se"
                            "                              JOIN episodes e ON e.id = se.episode_id WHERE se.id = a.entity_id)"
                            "   END)"
                            " FROM audit_events a ORDER BY a.id DESC LIMIT ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, limit > 0 ? limit : -1);

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_audit_event_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpAuditEvent *e = g_new0 (StpAuditEvent, 1);
      int action;

      e->id = sqlite3_column_int64 (stmt, 0);
      e->at = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      e->user_login = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      e->device_id = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      action = stp_enum_from_code (STP_ENUM_AUDIT_ACTION, (const char *) sqlite3_column_text (stmt, 4));
      e->action = action < 0 ? STP_AUDIT_VIEW : action;
      e->entity = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
      e->entity_id = g_strdup ((const char *) sqlite3_column_text (stmt, 6));
      e->detail = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
      if (sqlite3_column_bytes (stmt, 8) > 0)
        e->resident_name = g_strdup ((const char *) sqlite3_column_text (stmt, 8));
      g_ptr_array_add (events, e);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&events);
}
