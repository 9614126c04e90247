#define G_LOG_DOMAIN "stp-intake-draft"

#include "config.h"

#include "stp-intake-draft.h"
#include "stp-store-drafts.h"

/* Long enough to group keystrokes, short enough to lose little in a crash. */
#define SAVE_DELAY_MS 500

struct _StpIntakeDraft
{
  GObject   parent_instance;

  StpStore   *store;
  StpSession *session;
  GKeyFile   *pending;      /* owned; written by the timeout */
  guint     save_source;
};

G_DEFINE_FINAL_TYPE (StpIntakeDraft, stp_intake_draft, G_TYPE_OBJECT)

static void
stp_intake_draft_finalize (GObject *object)
{
  StpIntakeDraft *self = (StpIntakeDraft *) object;

  /* Never lose the last keystrokes because the page went away. */
  stp_intake_draft_flush (self, NULL);
  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_pointer (&self->pending, g_key_file_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->session);

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
stp_intake_draft_new (StpStore   *store,
                      StpSession *session)
{
  StpIntakeDraft *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_INTAKE_DRAFT, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  return self;
}

GKeyFile *
stp_intake_draft_load (StpIntakeDraft *self)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;

  g_return_val_if_fail (STP_IS_INTAKE_DRAFT (self), NULL);

  if (self->pending != NULL)
    return g_key_file_ref (self->pending);

  data = stp_store_load_intake_draft (self->store, self->session, &error);
  if (data == NULL)
    {
      if (error != NULL)
        g_warning ("Cannot read the intake draft: %s", error->message);
      return NULL;
    }
  if (!g_key_file_load_from_data (keyfile, data, -1, G_KEY_FILE_KEEP_COMMENTS, &error))
    {
      g_warning ("The intake draft is damaged: %s", error->message);
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

  g_return_val_if_fail (STP_IS_INTAKE_DRAFT (self), FALSE);

  g_clear_handle_id (&self->save_source, g_source_remove);
  if (self->pending == NULL)
    return TRUE;

  data = g_key_file_to_data (self->pending, NULL, NULL);
  /* One statement: a crash leaves the old draft or the new one. */
  if (!stp_store_save_intake_draft (self->store, self->session, data, error))
    return FALSE;
  g_clear_pointer (&self->pending, g_key_file_unref);
  return TRUE;
}

void
stp_intake_draft_clear (StpIntakeDraft *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (STP_IS_INTAKE_DRAFT (self));

  g_clear_handle_id (&self->save_source, g_source_remove);
  g_clear_pointer (&self->pending, g_key_file_unref);
  if (!stp_store_clear_intake_draft (self->store, self->session, &error))
    g_warning ("Cannot delete the intake draft: %s", error->message);
}
