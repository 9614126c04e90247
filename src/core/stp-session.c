#define G_LOG_DOMAIN "stp-session"

#include "config.h"

#include "stp-session.h"

#include <glib/gi18n-lib.h>

#include "stp-error.h"

struct _StpSession
{
  GObject   parent_instance;

  char     *user_id;
  char     *login;
  char     *full_name;
  StpRole   role;
  gboolean  system;
};

G_DEFINE_FINAL_TYPE (StpSession, stp_session, G_TYPE_OBJECT)

static void
stp_session_finalize (GObject *object)
{
  StpSession *self = STP_SESSION (object);

  g_free (self->user_id);
  g_free (self->login);
  g_free (self->full_name);

  G_OBJECT_CLASS (stp_session_parent_class)->finalize (object);
}

static void
stp_session_class_init (StpSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_session_finalize;
}

static void
stp_session_init (StpSession *self)
{
}

StpSession *
stp_session_new (const char *user_id,
                 const char *login,
                 const char *full_name,
                 StpRole     role)
{
  StpSession *self = g_object_new (STP_TYPE_SESSION, NULL);

  self->user_id = g_strdup (user_id);
  self->login = g_strdup (login);
  self->full_name = g_strdup (full_name);
  self->role = role;
  return self;
}

StpSession *
stp_session_new_system (void)
{
  StpSession *self = stp_session_new (NULL, "system", "system", STP_ROLE_DIRECTOR);

  self->system = TRUE;
  return self;
}

const char *
stp_session_get_user_id (StpSession *self)
{
  g_return_val_if_fail (STP_IS_SESSION (self), NULL);
  return self->user_id;
}

const char *
stp_session_get_login (StpSession *self)
{
  g_return_val_if_fail (STP_IS_SESSION (self), NULL);
  return self->login;
}

const char *
stp_session_get_full_name (StpSession *self)
{
  g_return_val_if_fail (STP_IS_SESSION (self), NULL);
  return self->full_name;
}

StpRole
stp_session_get_role (StpSession *self)
{
  g_return_val_if_fail (STP_IS_SESSION (self), STP_ROLE_VOLUNTEER);
  return self->role;
}

gboolean
stp_session_is_system (StpSession *self)
{
  g_return_val_if_fail (STP_IS_SESSION (self), FALSE);
  return self->system;
}

gboolean
stp_session_can (StpSession    *self,
                 StpPermission  permission)
{
  g_return_val_if_fail (STP_IS_SESSION (self), FALSE);

  if (self->system)
    return TRUE;

  switch (self->role)
    {
    case STP_ROLE_DIRECTOR:
      return TRUE;
    case STP_ROLE_STAFF:
      return permission != STP_PERMISSION_CENTER_STATS &&
             permission != STP_PERMISSION_ADMIN;
    case STP_ROLE_VOLUNTEER:
      return permission == STP_PERMISSION_INTAKE ||
             permission == STP_PERMISSION_LIST;
    default:
      return FALSE;
    }
}

gboolean
stp_session_require (StpSession    *self,
                     StpPermission  permission,
                     GError       **error)
{
  const char *message;

  g_return_val_if_fail (STP_IS_SESSION (self), FALSE);

  if (stp_session_can (self, permission))
    return TRUE;

  switch (permission)
    {
    case STP_PERMISSION_INTAKE:
      message = _("Your role may not register residents. Ask a staff member.");
      break;
    case STP_PERMISSION_LIST:
      message = _("Your role may not see the list of residents.");
      break;
    case STP_PERMISSION_READ_CARD:
      message = _("Your role may not open resident cards. Ask a staff member or the director.");
      break;
    case STP_PERMISSION_EDIT_CARE:
      message = _("Your role may not change the course of rehabilitation. Ask a staff member or the director.");
      break;
    case STP_PERMISSION_READ_RESTRICTED:
      message = _("Your role may not see restricted entries and health data.");
      break;
    case STP_PERMISSION_PRINT_RESIDENT:
      message = _("Your role may not print or export resident reports.");
      break;
    case STP_PERMISSION_CENTER_STATS:
      message = _("Only the director may see center statistics and exports for the region.");
      break;
    case STP_PERMISSION_ADMIN:
    default:
      message = _("Only the director may manage users, programs, sync settings and the audit log.");
      break;
    }
  g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION, message);
  return FALSE;
}
