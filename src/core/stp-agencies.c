#define G_LOG_DOMAIN "stp-agencies"

#include "config.h"

#include "stp-agencies.h"

#include <glib/gi18n-lib.h>

#include "stp-error.h"

GStrv
stp_agencies_parse (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (text != NULL ? text : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *name = g_strstrip (lines[i]);

      if (*name == '\0' || g_hash_table_contains (seen, name))
        continue;
      g_hash_table_add (seen, g_strdup (name));
      g_strv_builder_add (builder, name);
    }
  return g_strv_builder_end (builder);
}

char *
stp_agencies_join (const char * const *names)
{
  g_return_val_if_fail (names != NULL, NULL);

  return g_strjoinv ("\n", (char **) names);
}

GStrv
stp_store_list_agencies (StpStore  *self,
                         GError   **error)
{
  g_autoptr(StpCenter) center = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);

  center = stp_store_get_center (self, &local_error);
  if (center == NULL && local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return stp_agencies_parse (center != NULL ? center->agencies : NULL);
}

static gboolean
save_names (StpStore    *self,
            StpSession  *session,
            StpCenter   *center,
            GStrv        names,
            GError     **error)
{
  g_free (center->agencies);
  center->agencies = names[0] != NULL ? stp_agencies_join ((const char * const *) names) : NULL;
  return stp_store_save_center_record (self, session, center, error);
}

gboolean
stp_store_add_agency (StpStore    *self,
                      StpSession  *session,
                      const char  *name,
                      GError     **error)
{
  g_autoptr(StpCenter) center = NULL;
  g_autofree char *stripped = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) names = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  stripped = g_strstrip (g_strdelimit (g_strdup (name), "\n\r", ' '));
  if (*stripped == '\0')
    {
      stp_set_field_error (error, "agencies", _("Type the agency’s name."));
      return FALSE;
    }
  center = stp_store_get_center (self, error);
  if (center == NULL)
    return FALSE;
  text = g_strconcat (center->agencies != NULL ? center->agencies : "", "\n", stripped, NULL);
  names = stp_agencies_parse (text);
  return save_names (self, session, center, names, error);
}

gboolean
stp_store_remove_agency (StpStore    *self,
                         StpSession  *session,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(StpCenter) center = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) names = NULL;
  g_auto(GStrv) kept = NULL;

  g_return_val_if_fail (STP_IS_STORE (self), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  center = stp_store_get_center (self, error);
  if (center == NULL)
    return FALSE;
  names = stp_agencies_parse (center->agencies);
  for (guint i = 0; names[i] != NULL; i++)
    if (g_strcmp0 (names[i], name) != 0)
      g_strv_builder_add (builder, names[i]);
  kept = g_strv_builder_end (builder);
  return save_names (self, session, center, kept, error);
}
