/* stp-session.h: who is acting.  Every core call that reads or writes
 * resident data takes a session and checks its role there. */
#pragma once

#include <glib-object.h>

#include "stp-types.h"

G_BEGIN_DECLS

#define STP_TYPE_SESSION (stp_session_get_type ())

G_DECLARE_FINAL_TYPE (StpSession, stp_session, STP, SESSION, GObject)

StpSession *stp_session_new           (const char    *user_id,
                                       const char    *login,
                                       const char    *full_name,
                                       StpRole        role);
/* A session for the program itself (migrations, sync apply): all rights,
 * audited as "system". */
StpSession *stp_session_new_system    (void);
const char *stp_session_get_user_id   (StpSession    *self);
const char *stp_session_get_login     (StpSession    *self);
const char *stp_session_get_full_name (StpSession    *self);
StpRole     stp_session_get_role      (StpSession    *self);
gboolean    stp_session_is_system     (StpSession    *self);
gboolean    stp_session_can           (StpSession    *self,
                                       StpPermission  permission);
/* Sets STP_CORE_ERROR_PERMISSION with a translated message and returns
 * FALSE when the role lacks @permission. */
gboolean    stp_session_require       (StpSession    *self,
                                       StpPermission  permission,
                                       GError       **error);

G_END_DECLS
