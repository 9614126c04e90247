#define G_LOG_DOMAIN "stp-sync-status"

#include "config.h"

#include "stp-sync-status.h"
#include "stp-sync-engine.h"

#include <glib/gi18n-lib.h>

/* How often the number of waiting changes is re-read (local edits do not
 * notify the engine). */
#define PENDING_REFRESH_SECONDS 10
/* Automatic sync interval when nothing fails. */
#define SYNC_INTERVAL_SECONDS   300

struct _StpSyncStatus
{
  GtkBox          parent_instance;

  StpSyncEngine  *engine;
  GtkImage       *icon;
  GtkLabel       *label;
  guint           refresh_id;
};

G_DEFINE_FINAL_TYPE (StpSyncStatus, stp_sync_status, GTK_TYPE_BOX)

/* "Synchronizing…", with the changes sent and received so far once there
 * are any: a first sync of a big center takes a while.  @compact for the
 * header bar, where there is little room. */
char *
stp_sync_status_progress_text (StpSyncEngine *engine,
                               gboolean       compact)
{
  guint sent = 0, received = 0;

  stp_sync_engine_get_progress (engine, &sent, &received);
  if (sent == 0 && received == 0)
    return g_strdup (_("Synchronizing…"));
  if (compact)
    /* Translators: changes sent (↑) and received (↓) so far; %'u groups the digits */
    return g_strdup_printf (_("Synchronizing… ↑%'u ↓%'u"), sent, received);
  /* Translators: the numbers of changes sent to and received from the server so far */
  return g_strdup_printf (_("Synchronizing… sent %'u, received %'u"), sent, received);
}

static void
update (StpSyncStatus *self)
{
  StpSyncState state = stp_sync_engine_get_state (self->engine);
  guint pending = stp_sync_engine_get_pending (self->engine);
  const char *error = stp_sync_engine_get_last_error (self->engine);
  g_autofree char *text = NULL;
  const char *icon;

  gtk_widget_set_visible (GTK_WIDGET (self), stp_sync_engine_is_enrolled (self->engine));
  switch (state)
    {
    case STP_SYNC_STATE_SYNCING:
      text = stp_sync_status_progress_text (self->engine, TRUE);
      icon = "emblem-synchronizing-symbolic";
      break;
    case STP_SYNC_STATE_OFFLINE:
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "No network, %u change waiting to be sent",
                                           "No network, %u changes waiting to be sent", pending),
                              pending);
      icon = "network-offline-symbolic";
      break;
    case STP_SYNC_STATE_ERROR:
      text = g_strdup_printf (_("Error: %s"), error ? error : _("unknown"));
      icon = "dialog-error-symbolic";
      break;
    case STP_SYNC_STATE_IDLE:
    default:
      if (pending > 0)
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u change waiting to be sent",
                                             "%u changes waiting to be sent", pending),
                                pending);
      else
        text = g_strdup (_("Synchronized"));
      icon = "emblem-ok-symbolic";
      /* Nothing is lost, but nothing of those batches is in either. */
      if (stp_sync_engine_get_parked_batches (self->engine) > 0)
        {
          g_free (text);
          /* Translators: batches of changes that authenticated but this
           * version cannot read (written by a newer one) */
          text = g_strdup_printf (_("Batches from other computers not read: %u — they are kept "
                                    "and will be applied after the program is updated"),
                                  stp_sync_engine_get_parked_batches (self->engine));
          icon = "dialog-warning-symbolic";
        }
      /* A wrong clock is worth seeing before its changes are refused. */
      if (ABS (stp_sync_engine_get_clock_skew (self->engine)) > STP_SYNC_SKEW_WARNING_MILLIS
          && error != NULL)
        {
          g_free (text);
          text = g_strdup (error);
          icon = "dialog-warning-symbolic";
        }
      break;
    }
  gtk_label_set_label (self->label, text);
  gtk_image_set_from_icon_name (self->icon, icon);
  if (state == STP_SYNC_STATE_SYNCING)
    {
      g_autofree char *tooltip = stp_sync_status_progress_text (self->engine, FALSE);

      gtk_widget_set_tooltip_text (GTK_WIDGET (self), tooltip);
    }
  else
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), text);
  if (state == STP_SYNC_STATE_ERROR)
    gtk_widget_add_css_class (GTK_WIDGET (self->label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->label), "error");
}

static gboolean
on_refresh (gpointer user_data)
{
  StpSyncStatus *self = user_data;

  stp_sync_engine_refresh_pending (self->engine);
  update (self);
  return G_SOURCE_CONTINUE;
}

static void
stp_sync_status_dispose (GObject *object)
{
  StpSyncStatus *self = STP_SYNC_STATUS (object);

  g_clear_handle_id (&self->refresh_id, g_source_remove);
  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->engine, self);
      g_clear_object (&self->engine);
    }
  G_OBJECT_CLASS (stp_sync_status_parent_class)->dispose (object);
}

static void
stp_sync_status_class_init (StpSyncStatusClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = stp_sync_status_dispose;
}

static void
stp_sync_status_init (StpSyncStatus *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_HORIZONTAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);
  self->icon = GTK_IMAGE (gtk_image_new ());
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_ellipsize (self->label, PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (self->label, 48);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->icon));
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->label));
}

GtkWidget *
stp_sync_status_new (StpStore *store)
{
  StpSyncStatus *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_new (STP_TYPE_SYNC_STATUS, NULL);
  self->engine = g_object_ref (stp_sync_engine_get_for_store (store));
  g_signal_connect_swapped (self->engine, "notify", G_CALLBACK (update), self);
  /* The window lives as long as the program: sync in the background. */
  stp_sync_engine_set_auto (self->engine, TRUE, SYNC_INTERVAL_SECONDS);
  self->refresh_id = g_timeout_add_seconds (PENDING_REFRESH_SECONDS, on_refresh, self);
  update (self);
  return GTK_WIDGET (self);
}

const char *
stp_sync_status_get_text (StpSyncStatus *self)
{
  g_return_val_if_fail (STP_IS_SYNC_STATUS (self), NULL);
  return gtk_label_get_label (self->label);
}
