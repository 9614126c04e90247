/* stp-exchange-group.c: «Обмен через файл» (stp-exchange-group.h).  The
 * work is the sync engine's (stp-sync-exchange.h); this group chooses the
 * file and says what happened. */
#define G_LOG_DOMAIN "stp-exchange-group"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-exchange-group.h"
#include "stp-sync-engine.h"
#include "stp-sync-exchange.h"
#include "stp-exchange-file.h"

struct _StpExchangeGroup
{
  AdwPreferencesGroup  parent_instance;

  StpStore            *store;
  StpSession          *session;
  StpSyncEngine       *engine;
  GtkWidget           *write_button;
  GtkWidget           *read_button;
  GtkLabel            *status;
  GtkFileChooserNative *chooser;
  gboolean             busy;
  gulong               notify_id;
};

G_DEFINE_FINAL_TYPE (StpExchangeGroup, stp_exchange_group, ADW_TYPE_PREFERENCES_GROUP)

static void
update_sensitivity (StpExchangeGroup *self)
{
  gboolean enrolled = stp_sync_engine_is_enrolled (self->engine);

  gtk_widget_set_sensitive (self->write_button, enrolled && !self->busy);
  gtk_widget_set_sensitive (self->read_button, enrolled && !self->busy);
  if (!enrolled && !self->busy)
    gtk_label_set_text (self->status, _("Connect this computer to the center first (enrollment gives "
                                        "it the center key that seals the file)."));
}

static void
set_status (StpExchangeGroup *self,
            const char       *text)
{
  gtk_label_set_text (self->status, text != NULL ? text : "");
}

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(StpExchangeGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  self->busy = FALSE;
  if (!stp_sync_engine_export_file_finish (STP_SYNC_ENGINE (source), result, &changes, &error))
    set_status (self, error->message);
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "The file holds %u change. Take it to the "
                                                            "regional office or to another computer of "
                                                            "the center.",
                                                            "The file holds %u changes. Take it to the "
                                                            "regional office or to another computer of "
                                                            "the center.", changes), changes);
      set_status (self, text);
    }
  update_sensitivity (self);
}

static void
on_read (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(StpExchangeGroup) self = user_data;
  g_autoptr(GError) error = NULL;
  guint changes = 0;

  self->busy = FALSE;
  if (!stp_sync_engine_import_file_finish (STP_SYNC_ENGINE (source), result, &changes, &error))
    set_status (self, error->message);
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "The file was read: %u change from other "
                                                            "computers (what this computer already had "
                                                            "changed nothing).",
                                                            "The file was read: %u changes from other "
                                                            "computers (what this computer already had "
                                                            "changed nothing).", changes), changes);
      set_status (self, text);
    }
  update_sensitivity (self);
}

void
stp_exchange_group_write_file (StpExchangeGroup *self,
                               const char       *path)
{
  g_autofree char *with_suffix = NULL;

  g_return_if_fail (STP_IS_EXCHANGE_GROUP (self));
  g_return_if_fail (path != NULL);

  if (self->busy)
    return;
  with_suffix = g_str_has_suffix (path, STP_EXCHANGE_SUFFIX)
                ? g_strdup (path) : g_strconcat (path, STP_EXCHANGE_SUFFIX, NULL);
  self->busy = TRUE;
  update_sensitivity (self);
  set_status (self, _("Writing the file…"));
  stp_sync_engine_export_file_async (self->engine, with_suffix, NULL, on_written,
                                     g_object_ref (self));
}

void
stp_exchange_group_read_file (StpExchangeGroup *self,
                              const char       *path)
{
  g_return_if_fail (STP_IS_EXCHANGE_GROUP (self));
  g_return_if_fail (path != NULL);

  if (self->busy)
    return;
  self->busy = TRUE;
  update_sensitivity (self);
  set_status (self, _("Checking and reading the file…"));
  stp_sync_engine_import_file_async (self->engine, path, NULL, on_read, g_object_ref (self));
}

gboolean
stp_exchange_group_is_idle (StpExchangeGroup *self)
{
  g_return_val_if_fail (STP_IS_EXCHANGE_GROUP (self), FALSE);
  return !self->busy;
}

static void
on_chooser_response (GtkNativeDialog  *dialog,
                     int               response,
                     StpExchangeGroup *self)
{
  gboolean saving = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL && saving)
        stp_exchange_group_write_file (self, path);
      else if (path != NULL)
        stp_exchange_group_read_file (self, path);
    }
  g_clear_object (&self->chooser);
}

static void
open_chooser (StpExchangeGroup *self,
              gboolean          saving)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (saving ? _("Write an Exchange File")
                                                      : _("Read an Exchange File"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               saving ? GTK_FILE_CHOOSER_ACTION_SAVE
                                                      : GTK_FILE_CHOOSER_ACTION_OPEN,
                                               saving ? _("_Write") : _("_Read"), _("_Cancel"));
  gtk_file_filter_set_name (filter, _("Exchange files of Stupeni"));
  gtk_file_filter_add_pattern (filter, "*" STP_EXCHANGE_SUFFIX);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  if (saving)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d");
      /* Translators: the default name of an exchange file; %s is a date. */
      g_autofree char *name = g_strdup_printf (_("changes-%s"), stamp);
      g_autofree char *full = g_strconcat (name, STP_EXCHANGE_SUFFIX, NULL);

      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), full);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
on_write_clicked (StpExchangeGroup *self)
{
  open_chooser (self, TRUE);
}

static void
on_read_clicked (StpExchangeGroup *self)
{
  open_chooser (self, FALSE);
}

static void
stp_exchange_group_dispose (GObject *object)
{
  StpExchangeGroup *self = STP_EXCHANGE_GROUP (object);

  if (self->engine != NULL)
    g_clear_signal_handler (&self->notify_id, self->engine);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->engine);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (stp_exchange_group_parent_class)->dispose (object);
}

static void
stp_exchange_group_class_init (StpExchangeGroupClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = stp_exchange_group_dispose;
}

static GtkWidget *
add_row (StpExchangeGroup *self,
         const char       *title,
         const char       *subtitle,
         const char       *button_label,
         const char       *name,
         GCallback         callback)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *button = gtk_button_new_with_mnemonic (button_label);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_name (button, name);
  g_signal_connect_swapped (button, "clicked", callback, self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row);
  return button;
}

static void
stp_exchange_group_init (StpExchangeGroup *self)
{
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), _("Exchange Through a File"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         _("For a center without internet: the changes travel on a "
                                           "USB stick to the regional office or to another computer "
                                           "of the center. The file is sealed with the center key, as "
                                           "for the server; reading a file twice changes nothing."));
  self->write_button = add_row (self, _("Write the changes of this computer"),
                                _("Everything not yet sent to the server"),
                                _("_Write File…"), "exchange-write", G_CALLBACK (on_write_clicked));
  self->read_button = add_row (self, _("Read a file"),
                               _("From another computer of the center or from the regional server"),
                               _("_Read File…"), "exchange-read", G_CALLBACK (on_read_clicked));
  self->status = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_name (GTK_WIDGET (self->status), "exchange-status");
  gtk_label_set_wrap (self->status, TRUE);
  gtk_label_set_xalign (self->status, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->status), 6);
  gtk_widget_add_css_class (GTK_WIDGET (self->status), "dim-label");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), GTK_WIDGET (self->status));
}

GtkWidget *
stp_exchange_group_new (StpStore   *store,
                        StpSession *session)
{
  StpExchangeGroup *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);

  self = g_object_new (STP_TYPE_EXCHANGE_GROUP, NULL);
  self->store = g_object_ref (store);
  self->session = session != NULL ? g_object_ref (session) : NULL;
  self->engine = g_object_ref (stp_sync_engine_get_for_store (store));
  self->notify_id = g_signal_connect_swapped (self->engine, "notify", G_CALLBACK (update_sensitivity),
                                              self);
  update_sensitivity (self);
  return GTK_WIDGET (self);
}
