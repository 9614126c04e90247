/* stp-store-audit.c: the audit log (DOMAIN.md): appending events and
 * listing them for the administrator. */
#define G_LOG_DOMAIN "stp-store"

#include "config.h"

#include "stp-store-private.h"
#include "stp-session.h"

#include <glib/gi18n-lib.h>
#include <stdio.h>
#include <string.h>

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
  g_free (event->user_name);
  g_free (event->entity_name);
  g_free (event->detail_text);
  g_free (event);
}

/* The changed fields of an update ("phone,surname"), as labels. */
static char *
field_labels (const char *table,
              const char *fields)
{
  const StpKindInfo *info = table != NULL ? stp_kind_info_for_table (table) : NULL;
  g_auto(GStrv) names = g_strsplit (fields, ",", -1);
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; names[i] != NULL; i++)
    {
      const StpFieldInfo *fi = info != NULL ? stp_kind_info_find_field (info, names[i]) : NULL;

      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, fi != NULL && fi->label != NULL ? _(fi->label) : names[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The stored detail is a fixed English code (the log holds no personal
 * data and no language); the reader gets it in words. */
static char *
detail_text (const StpAuditEvent *e)
{
  const char *d = e->detail;
  unsigned a, b, c;
  int n = 0;

  if (d == NULL || *d == '\0')
    return NULL;
  if (g_str_equal (d, "center created"))
    return g_strdup (_("center created"));
  if (e->action == STP_AUDIT_BACKUP && g_str_equal (d, "password"))
    return g_strdup (_("backup password set"));
  if (g_str_equal (d, "undelete"))
    return g_strdup (_("restored after deletion"));
  if (e->action == STP_AUDIT_SYNC
      && sscanf (d, "pushed %u, pulled %u, conflicts %u%n", &a, &b, &c, &n) == 3 && d[n] == '\0')
    /* TRANSLATORS: counts of one synchronization */
    return g_strdup_printf (_("sent %u, received %u, conflicts %u"), a, b, c);
  if (e->action == STP_AUDIT_IMPORT)
    {
      const char *colon = strrchr (d, ':');

      if (colon != NULL
          && sscanf (colon, ": imported %u, invalid %u, duplicates %u%n", &a, &b, &c, &n) == 3
          && colon[n] == '\0')
        {
          g_autofree char *file = g_strndup (d, colon - d);

          /* TRANSLATORS: file name, then counts of an import */
          return g_strdup_printf (_("%s: imported %u, with errors %u, duplicates %u"), file, a, b, c);
        }
    }
  if (e->action == STP_AUDIT_UPDATE && strpbrk (d, " :") == NULL)
    return field_labels (e->entity, d);
  return g_strdup (d);
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
                            "   END),"
                            /* Who, by name rather than login. */
                            " (SELECT u.full_name FROM users u WHERE u.login = a.user_login AND u.deleted = 0"
                            "  ORDER BY u.created_at LIMIT 1),"
                            /* What, by name rather than an id tail. */
                            " CASE a.entity"
                            "  WHEN 'users' THEN (SELECT full_name FROM users WHERE id = a.entity_id)"
                            "  WHEN 'stages' THEN (SELECT name FROM stages WHERE id = a.entity_id)"
                            "  WHEN 'programs' THEN (SELECT name FROM programs WHERE id = a.entity_id)"
                            "  WHEN 'centers' THEN (SELECT name FROM centers WHERE id = a.entity_id)"
                            " END"
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
      if (sqlite3_column_bytes (stmt, 9) > 0)
        e->user_name = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
      if (sqlite3_column_bytes (stmt, 10) > 0)
        e->entity_name = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
      e->detail_text = detail_text (e);
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
