#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define STP_CORE_ERROR (stp_core_error_quark ())

typedef enum
{
  STP_CORE_ERROR_FAILED,
  STP_CORE_ERROR_PERMISSION,     /* the session's role may not do this */
  STP_CORE_ERROR_NOT_FOUND,
  STP_CORE_ERROR_INVALID,        /* a field failed validation; see stp_error_get_field() */
  STP_CORE_ERROR_CORRUPT,        /* the database file failed quick_check or is not ours */
  STP_CORE_ERROR_TOO_NEW,        /* the file comes from a newer program version */
  STP_CORE_ERROR_LOCKED,         /* another instance has the file open */
  STP_CORE_ERROR_AUTH,           /* wrong login or password */
  STP_CORE_ERROR_THROTTLED,      /* too many failed logins: wait */
  STP_CORE_ERROR_NO_CONSENT,     /* a transfer without a valid consent */
  STP_CORE_ERROR_CONFLICT,       /* the action does not fit the record's state */
} StpCoreError;

GQuark      stp_core_error_quark   (void);

/* Validation errors name the field (column name, e.g. "birth_date") that
 * failed, so a form can mark it.  The message is translated. */
void        stp_set_field_error    (GError     **error,
                                    const char  *field,
                                    const char  *format,
                                    ...) G_GNUC_PRINTF (3, 4);
/* The field named by an STP_CORE_ERROR_INVALID error, or NULL. */
const char *stp_error_get_field    (const GError *error);

G_END_DECLS
