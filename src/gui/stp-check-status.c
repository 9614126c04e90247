/* stp-check-status.c: while the store's full check runs on its thread the
 * row shows a pulsing bar; afterwards it says that the file is sound (for a
 * few seconds) or, for good, that it is damaged and nothing is saved. */
#define G_LOG_DOMAIN "stp-check-status"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-check-status.h"

/* How often the state is read while a check runs (ms). */
#define POLL_MS 250
/* How long “sound” stays shown (s). */
#define SOUND_SECONDS 5

struct _StpCheckStatus
{
  GtkBox          parent_instance;

  StpStore       *store;
  guint           poll_id;
  guint           hide_id;
  StpStoreCheckState shown;

  GtkLabel       *label;
  GtkProgressBar *bar;
  GtkImage       *icon;
};

G_DEFINE_FINAL_TYPE (StpCheckStatus, stp_check_status, GTK_TYPE_BOX)

static gboolean
on_hide (gpointer data)
{
  StpCheckStatus *self = data;

  self->hide_id = 0;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  return G_SOURCE_REMOVE;
}

static void
show_state (StpCheckStatus     *self,
            StpStoreCheckState  state)
{
  g_autoptr(GError) error = NULL;

  self->shown = state;
  switch (state)
    {
    case STP_STORE_CHECK_RUNNING:
      gtk_label_set_text (self->label, _("Checking the database file…"));
      gtk_widget_set_visible (GTK_WIDGET (self->bar), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self->icon), FALSE);
      {
        double fraction = stp_store_get_check_fraction (self->store);

        if (fraction >= 0)
          gtk_progress_bar_set_fraction (self->bar, fraction);
        else
          gtk_progress_bar_pulse (self->bar);
      }
      gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
      break;
    case STP_STORE_CHECK_OK:
      gtk_label_set_text (self->label, _("The database file is sound"));
      gtk_widget_set_visible (GTK_WIDGET (self->bar), FALSE);
      gtk_image_set_from_icon_name (self->icon, "emblem-ok-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (self->icon), TRUE);
      gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
      g_clear_handle_id (&self->hide_id, g_source_remove);
      self->hide_id = g_timeout_add_seconds (SOUND_SECONDS, on_hide, self);
      break;
    case STP_STORE_CHECK_FAILED:
      stp_store_get_check_result (self->store, &error);
      gtk_label_set_text (self->label, _("The database file is damaged: nothing is saved"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self), error != NULL ? error->message : NULL);
      gtk_widget_set_visible (GTK_WIDGET (self->bar), FALSE);
      gtk_image_set_from_icon_name (self->icon, "dialog-error-symbolic");
      gtk_widget_set_visible (GTK_WIDGET (self->icon), TRUE);
      gtk_widget_add_css_class (GTK_WIDGET (self->label), "error");
      gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
      break;
    case STP_STORE_CHECK_NONE:
    default:
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      break;
    }
}

static gboolean
on_poll (gpointer data)
{
  StpCheckStatus *self = data;
  StpStoreCheckState state = stp_store_get_check_state (self->store);

  if (state == STP_STORE_CHECK_RUNNING)
    {
      show_state (self, state);
      return G_SOURCE_CONTINUE;
    }
  self->poll_id = 0;
  show_state (self, state);
  return G_SOURCE_REMOVE;
}

static void
watch (StpCheckStatus *self)
{
  if (self->poll_id == 0)
    self->poll_id = g_timeout_add (POLL_MS, on_poll, self);
}

gboolean
stp_check_status_start (StpCheckStatus *self)
{
  g_return_val_if_fail (STP_IS_CHECK_STATUS (self), FALSE);

  if (!stp_store_start_check (self->store))
    return FALSE;
  g_clear_handle_id (&self->hide_id, g_source_remove);
  show_state (self, STP_STORE_CHECK_RUNNING);
  watch (self);
  return TRUE;
}

const char *
stp_check_status_get_text (StpCheckStatus *self)
{
  g_return_val_if_fail (STP_IS_CHECK_STATUS (self), NULL);

  if (!gtk_widget_get_visible (GTK_WIDGET (self)))
    return NULL;
  return gtk_label_get_text (self->label);
}

static void
stp_check_status_dispose (GObject *object)
{
  StpCheckStatus *self = STP_CHECK_STATUS (object);

  g_clear_handle_id (&self->poll_id, g_source_remove);
  g_clear_handle_id (&self->hide_id, g_source_remove);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (stp_check_status_parent_class)->dispose (object);
}

static void
stp_check_status_class_init (StpCheckStatusClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = stp_check_status_dispose;
}

static void
stp_check_status_init (StpCheckStatus *self)
{
  gtk_box_set_spacing (GTK_BOX (self), 6);
  gtk_widget_set_name (GTK_WIDGET (self), "check-status");
  self->icon = GTK_IMAGE (gtk_image_new ());
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->icon));
  self->label = GTK_LABEL (gtk_label_new (NULL));
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->label));
  self->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_progress_bar_set_pulse_step (self->bar, 0.1);
  gtk_widget_set_valign (GTK_WIDGET (self->bar), GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (GTK_WIDGET (self->bar), 80, -1);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->bar));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

GtkWidget *
stp_check_status_new (StpStore *store)
{
  StpCheckStatus *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_new (STP_TYPE_CHECK_STATUS, NULL);
  self->store = g_object_ref (store);
  /* The check of a file not closed cleanly may be running already. */
  if (stp_store_get_check_state (store) != STP_STORE_CHECK_NONE)
    {
      show_state (self, stp_store_get_check_state (store));
      if (self->shown == STP_STORE_CHECK_RUNNING)
        watch (self);
    }
  return GTK_WIDGET (self);
}
