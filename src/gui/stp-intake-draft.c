#define G_LOG_DOMAIN "stp-intake-draft"

#include "config.h"

#include "stp-intake-draft.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>

/* Long enough to group keystrokes, short enough to lose little in a crash. */
#define SAVE_DELAY_MS 500

struct _StpIntakeDraft
{
  GObject   parent_instance;

  char     *path;
  GKeyFile *pending;        /* owned; written by the timeout */
  guint     save_source;
};

G_DEFINE_FINAL_TYPE (StpIntakeDraft, stp_intake_draft, G_TYPE_OBJECT)

char *
stp_intake_draft_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "stupeni", "intake-draft.ini", NULL);
}

static void
stp_intake_draft_finalize (GObject *object)
{
  StpIntakeDraft *self = (StpIntakeDraft *) object;

  /* Never lose the last keystrokes because the page went away. */
  stp_intake_draft_flush (self, NULL);
  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_pointer (&self->pending, g_key_file_unref);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (stp_intake_draft_parent_class)->finalize (object);
}

static void
stp_intake_draft_class_init (StpIntakeDraftClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_intake_draft_finalize;
}

static void
stp_intake_draft_init (StpIntakeDraft *self)
{
}

StpIntakeDraft *
stp_intake_draft_new (const char *path)
{
  StpIntakeDraft *self = g_object_new (STP_TYPE_INTAKE_DRAFT, NULL);

  self->path = path ? g_strdup (path) : stp_intake_draft_default_path ();
  return self;
}

const char *
stp_intake_draft_get_path (StpIntakeDraft *self)
{
  g_return_val_if_fail (STP_IS_INTAKE_DRAFT (self), NULL);

  return self->path;
}

GKeyFile *
stp_intake_draft_load (StpIntakeDraft *self)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (STP_IS_INTAKE_DRAFT (self), NULL);

  if (self->pending != NULL)
    return g_key_file_ref (self->pending);

  if (!g_key_file_load_from_file (keyfile, self->path, G_KEY_FILE_KEEP_COMMENTS, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Cannot read the intake draft %s: %s", self->path, error->message);
      return NULL;
    }
  return g_steal_pointer (&keyfile);
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  StpIntakeDraft *self = user_data;
  g_autoptr(GError) error = NULL;

  self->save_source = 0;
  if (!stp_intake_draft_flush (self, &error))
    g_warning ("Cannot save the intake draft: %s", error->message);
  return G_SOURCE_REMOVE;
}

void
stp_intake_draft_update (StpIntakeDraft *self,
                         GKeyFile       *keyfile)
{
  g_return_if_fail (STP_IS_INTAKE_DRAFT (self));
  g_return_if_fail (keyfile != NULL);

  g_clear_pointer (&self->pending, g_key_file_unref);
  self->pending = g_key_file_ref (keyfile);
  g_clear_handle_id (&self->save_source, g_source_remove);
  self->save_source = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

gboolean
stp_intake_draft_flush (StpIntakeDraft  *self,
                        GError         **error)
{
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;
  gsize length = 0;

  g_return_val_if_fail (STP_IS_INTAKE_DRAFT (self), FALSE);

  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->pending == NULL)
    return TRUE;

  dir = g_path_get_dirname (self->path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   "%s: %s", dir, g_strerror (saved_errno));
      return FALSE;
    }
  data = g_key_file_to_data (self->pending, &length, NULL);
  /* g_file_set_contents writes a temporary file and renames it: a crash
   * leaves either the old draft or the new one, never half of one. */
  if (!g_file_set_contents_full (self->path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    return FALSE;
  g_clear_pointer (&self->pending, g_key_file_unref);
  return TRUE;
}

void
stp_intake_draft_clear (StpIntakeDraft *self)
{
  g_return_if_fail (STP_IS_INTAKE_DRAFT (self));

  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_pointer (&self->pending, g_key_file_unref);
  if (g_remove (self->path) != 0 && errno != ENOENT)
    g_warning ("Cannot remove the intake draft %s: %s", self->path, g_strerror (errno));
}
