#define G_LOG_DOMAIN "stp-error"

#include "config.h"

#include "stp-error.h"

/* An extended error domain: every STP_CORE_ERROR carries the name of the
 * field that failed validation, so forms can mark it. */
typedef struct
{
  char *field;
} StpCoreErrorPrivate;

static void
stp_core_error_private_init (StpCoreErrorPrivate *priv)
{
  priv->field = NULL;
}

static void
stp_core_error_private_copy (const StpCoreErrorPrivate *src,
                             StpCoreErrorPrivate       *dest)
{
  dest->field = g_strdup (src->field);
}

static void
stp_core_error_private_clear (StpCoreErrorPrivate *priv)
{
  g_clear_pointer (&priv->field, g_free);
}

G_DEFINE_EXTENDED_ERROR (StpCoreError, stp_core_error)

void
stp_set_field_error (GError     **error,
                     const char  *field,
                     const char  *format,
                     ...)
{
  g_autofree char *message = NULL;
  StpCoreErrorPrivate *priv;
  va_list args;

  if (error == NULL)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID, message);
  priv = stp_core_error_get_private (*error);
  if (priv != NULL)
    {
      g_free (priv->field);
      priv->field = g_strdup (field);
    }
}

const char *
stp_error_get_field (const GError *error)
{
  StpCoreErrorPrivate *priv;

  if (error == NULL || error->domain != STP_CORE_ERROR)
    return NULL;
  priv = stp_core_error_get_private (error);
  return priv != NULL ? priv->field : NULL;
}
