#define G_LOG_DOMAIN "stp-application"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "stp-application.h"
#include "stp-frame-memory.h"
#include "stp-demo-report.h"
#include "stp-report-fonts.h"
#include "stp-unsaved.h"
#include "stp-first-run-window.h"
#include "stp-login-window.h"
#include "stp-window.h"
#include "stp-backup-task.h"
#include "stp-quit-backup.h"

struct _StpApplication
{
  AdwApplication  parent_instance;

  char           *database_path;
  StpStore       *store;
  GtkWindow      *upgrade_window;   /* while an older file is upgraded */
};

G_DEFINE_FINAL_TYPE (StpApplication, stp_application, ADW_TYPE_APPLICATION)

static const GOptionEntry option_entries[] = {
  { "database", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the center database FILE instead of the default one"), N_("FILE") },
  { "demo-report", 0, 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Write the first resident's report to the PDF file OUT and quit; "
       "a center database without a center gets the demo center first"), N_("OUT") },
  { "demo-seed", 0, 0, G_OPTION_ARG_INT64, NULL,
    N_("With --demo-report: generate the demo center from SEED (random by default)"), N_("SEED") },
  { NULL }
};

static void stp_application_show_login (StpApplication *self);

typedef struct
{
  GtkWindow *window;
  GtkWindow *previous;
} Presenting;

static void
presenting_free (gpointer data)
{
  Presenting *presenting = data;

  g_object_unref (presenting->window);
  g_object_unref (presenting->previous);
  g_free (presenting);
}

static gboolean
present_main_window (gpointer data)
{
  Presenting *presenting = data;

  /* Closed meanwhile (the application quitting): nothing to show. */
  if (gtk_window_get_application (presenting->window) != NULL)
    gtk_window_present (presenting->window);
  gtk_window_destroy (presenting->previous);
  return G_SOURCE_REMOVE;
}

static void
on_session_started (StpApplication *self,
                    StpSession     *session,
                    GtkWindow      *previous)
{
  StpWindow *window;
  Presenting *presenting;

  /* Shown before all its pages are made, and made in one turn of the main
   * loop, shown (measured, realized) in the next: the login's turn stays
   * short.  Above the drawing of frames, so the login window draws no
   * frame in between. */
  window = stp_window_new_staged (GTK_APPLICATION (self), self->store, session);
  g_signal_connect_object (window, "logged-out",
                           G_CALLBACK (stp_application_show_login),
                           self, G_CONNECT_SWAPPED);
  presenting = g_new0 (Presenting, 1);
  presenting->window = GTK_WINDOW (g_object_ref (window));
  presenting->previous = g_object_ref (previous);
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, present_main_window, presenting, presenting_free);
}

static void
stp_application_show_login (StpApplication *self)
{
  GtkWindow *window;

  window = GTK_WINDOW (stp_login_window_new (GTK_APPLICATION (self), self->store));
  g_signal_connect_object (window, "session-started",
                           G_CALLBACK (on_session_started),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (window);
}

/* A computer that joined a center: its users arrived with the data. */
static void
on_joined (StpApplication *self,
           GtkWindow      *first_run)
{
  stp_application_show_login (self);
  gtk_window_destroy (first_run);
}

static void
stp_application_show_error (StpApplication *self,
                            const char     *path,
                            const GError   *error)
{
  GtkWidget *dialog;
  g_autofree char *body = NULL;

  /* The file is left untouched; the message says what to do next. */
  body = g_strdup_printf (_("%s\n\nFile: %s\n\nThe file was not changed. "
                            "Close other copies of the program, or restore "
                            "the file from a backup copy."),
                          error->message, path);
  dialog = adw_message_dialog_new (NULL, _("The Center Database Cannot Be Opened"), body);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_set_application (GTK_WINDOW (dialog), GTK_APPLICATION (self));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The first window for the open store: the first-run window for an
 * empty file, else the login window. */
static void
show_first_window (StpApplication *self)
{
  if (stp_store_is_empty (self->store))
    {
      GtkWindow *window;

      window = GTK_WINDOW (stp_first_run_window_new (GTK_APPLICATION (self), self->store));
      g_signal_connect_object (window, "session-started",
                               G_CALLBACK (on_session_started),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (window, "joined",
                               G_CALLBACK (on_joined),
                               self, G_CONNECT_SWAPPED);
      gtk_window_present (window);
    }
  else
    {
      stp_application_show_login (self);
    }
}

/* An upgrade checks the whole file, copies it and migrates it before the
 * store is open (about half a minute for a 2 GB center): on a thread,
 * behind a window that says so, instead of no window at all. */
static GtkWindow *
upgrade_window_new (StpApplication *self)
{
  GtkWidget *window = adw_window_new ();
  GtkWidget *page = adw_status_page_new ();
  GtkWidget *spinner = gtk_spinner_new ();

  gtk_window_set_title (GTK_WINDOW (window), _("Updating the Center Database"));
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 300);
  /* Closing it would not stop the upgrade; the login window follows it. */
  gtk_window_set_deletable (GTK_WINDOW (window), FALSE);
  adw_status_page_set_title (ADW_STATUS_PAGE (page), _("Updating the Center Database"));
  adw_status_page_set_description (ADW_STATUS_PAGE (page),
                                   _("This version of the program stores more. Before changing "
                                     "the file it checks it and keeps a copy of it next to it. "
                                     "On a big center this takes up to a minute."));
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), TRUE);
  gtk_widget_set_size_request (spinner, 48, 48);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spinner),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Updating"), -1);
  adw_status_page_set_child (ADW_STATUS_PAGE (page), spinner);
  adw_window_set_content (ADW_WINDOW (window), page);
  gtk_window_set_application (GTK_WINDOW (window), GTK_APPLICATION (self));
  return GTK_WINDOW (window);
}

static void
open_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  StpStore *store = stp_store_open (task_data, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
on_upgraded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  StpApplication *self = STP_APPLICATION (source);
  g_autoptr(GError) error = NULL;
  const char *path = g_task_get_task_data (G_TASK (result));

  self->store = g_task_propagate_pointer (G_TASK (result), &error);
  if (self->store == NULL)
    stp_application_show_error (self, path, error);
  else
    show_first_window (self);
  if (self->upgrade_window != NULL)
    gtk_window_destroy (g_steal_pointer (&self->upgrade_window));
  g_application_release (G_APPLICATION (self));
}

static void
stp_application_activate (GApplication *app)
{
  StpApplication *self = STP_APPLICATION (app);
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;
  GtkWindow *active;

  active = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (active != NULL)
    {
      gtk_window_present (active);
      return;
    }
  if (self->upgrade_window != NULL)
    return;

  path = self->database_path != NULL ? g_strdup (self->database_path)
                                     : stp_store_default_path ();
  dir = g_path_get_dirname (path);
  g_mkdir_with_parents (dir, 0700);

  if (stp_store_needs_upgrade (path))
    {
      g_autoptr(GTask) task = g_task_new (self, NULL, on_upgraded, NULL);

      self->upgrade_window = upgrade_window_new (self);
      gtk_window_present (self->upgrade_window);
      g_application_hold (app);
      g_task_set_task_data (task, g_steal_pointer (&path), g_free);
      g_task_run_in_thread (task, open_in_thread);
      return;
    }

  self->store = stp_store_open (path, &error);
  if (self->store == NULL)
    {
      stp_application_show_error (self, path, error);
      return;
    }
  show_first_window (self);
}

static int
stp_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  StpApplication *self = STP_APPLICATION (app);

  g_autofree char *demo_report = NULL;
  gint64 seed;

  g_variant_dict_lookup (options, "database", "^ay", &self->database_path);

  /* A printout, no window: the program ends here. */
  if (g_variant_dict_lookup (options, "demo-report", "^ay", &demo_report))
    {
      g_autofree char *path = NULL;

      if (!g_variant_dict_lookup (options, "demo-seed", "x", &seed))
        seed = g_random_int ();
      path = self->database_path != NULL ? g_strdup (self->database_path)
                                         : stp_store_default_path ();
      return stp_demo_report_run (path, demo_report, (guint32) seed);
    }

  return -1;
}

static void
quit_after_question (GObject *owner)
{
  StpApplication *self = STP_APPLICATION (owner);
  g_autoptr(GList) windows = NULL;

  /* With a copy due, the windows close and the copy's own window keeps
   * the program until it is made (stp-quit-backup.c). */
  if (self->store == NULL || !stp_quit_backup_start (GTK_APPLICATION (self), self->store))
    {
      g_application_quit (G_APPLICATION (owner));
      return;
    }
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    if (!STP_IS_QUIT_BACKUP (l->data))
      gtk_window_destroy (GTK_WINDOW (l->data));
}

static void
stp_application_quit_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autoptr(GPtrArray) cards = stp_list_card_windows (app);

  /* Quitting closes every card: ask about their edits first. */
  stp_ask_about_unsaved_edits (gtk_application_get_active_window (app), cards,
                               G_OBJECT (app), quit_after_question);
}

static void
stp_application_about_action (GSimpleAction *action,
                              GVariant      *parameter,
                              gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  static const char *developers[] = { "Stupeni team", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "application-name", _("Stupeni"),
                        "application-icon", APPLICATION_ID,
                        "developer-name", _("Stupeni team"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Records of a rehabilitation and resocialization center: "
                                      "residents, stages, families, follow-ups and interagency "
                                      "referrals. Works without a network."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
stp_application_shortcuts_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autoptr(GtkBuilder) builder = NULL;
  GtkWindow *shortcuts;

  builder = gtk_builder_new_from_resource ("/org/stupeni/Stupeni/shortcuts.ui");
  shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));
  gtk_window_set_transient_for (shortcuts, gtk_application_get_active_window (app));
  gtk_window_present (shortcuts);
}

static const GActionEntry app_actions[] = {
  { "quit", stp_application_quit_action },
  { "about", stp_application_about_action },
  { "shortcuts", stp_application_shortcuts_action },
};

static void
stp_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *shortcuts_accels[] = { "<Control>question", NULL };
  static const char *no_accels[] = { NULL };

  stp_frame_memory_init ();

  /* Before GTK makes its font map (Windows: the shipped DejaVu files). */
  stp_report_fonts_init ();

  G_APPLICATION_CLASS (stp_application_parent_class)->startup (app);

#ifdef G_OS_WIN32
  /* The window in the face the reports use, as on Linux; the Windows UI
   * font may lack glyphs (and under Wine there may be none at all). */
  g_object_set (gtk_settings_get_default (), "gtk-font-name", "DejaVu Sans 10", NULL);
#endif

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions,
                                   G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.shortcuts", shortcuts_accels);
  /* GtkApplication binds the same keys to its own help-overlay action;
   * app.shortcuts is the one the menus use. */
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay", no_accels);

  /* Versions before schema 6 kept the intake draft in the account's data
   * directory, where the next user saw it; drafts now live in the center
   * database, per user.  The old file must not outlive the upgrade. */
  {
    g_autofree char *old_draft = g_build_filename (g_get_user_data_dir (), "stupeni",
                                                   "intake-draft.ini", NULL);

    g_remove (old_draft);
  }
}

static void
stp_application_shutdown (GApplication *app)
{
  StpApplication *self = STP_APPLICATION (app);

  /* Closing the window or app.quit made the copy with its progress
   * (stp-quit-backup.c); here, with no window left, only a small file is
   * copied (bounded), a big one is left to the next start. */
  if (self->store != NULL && !stp_store_is_empty (self->store))
    stp_backup_task_on_quit (self->store);
  /* The windows hold the store and their pages' workers hold connections
   * of their own: destroyed here (g_application_quit() leaves them), the
   * last connection closes before the process ends, which checkpoints the
   * log and leaves the clean-close marker, so the next start does not read
   * the whole file (docs/ARCHITECTURE.md, "Crash safety"). */
  {
    GList *windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));

    for (GList *l = windows; l != NULL; l = l->next)
      gtk_window_destroy (GTK_WINDOW (l->data));
    g_list_free (windows);
  }
  /* Closing the store releases its lock file before the process ends. */
  g_clear_object (&self->store);

  G_APPLICATION_CLASS (stp_application_parent_class)->shutdown (app);
}

static void
stp_application_finalize (GObject *object)
{
  StpApplication *self = STP_APPLICATION (object);

  g_clear_pointer (&self->database_path, g_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (stp_application_parent_class)->finalize (object);
}

static void
stp_application_class_init (StpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = stp_application_finalize;
  app_class->activate = stp_application_activate;
  app_class->startup = stp_application_startup;
  app_class->shutdown = stp_application_shutdown;
  app_class->handle_local_options = stp_application_handle_local_options;
}

static void
stp_application_init (StpApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
}

/* With the cairo renderer (GSK_RENDERER=cairo: software drawing, what
 * computers with a broken or missing GL driver are run with) nothing is
 * drawn with GL, but GDK on X11 still opens a GL display at start to pick
 * its visual: with Mesa that loads and relocates the GL driver and LLVM
 * (libLLVM, swrast_dri), some 130 ms of CPU before the first window and
 * some MB of resident memory (bench/stupeni-bench-gui).  Said to GDK
 * before GTK starts, i.e. before any thread that could read the
 * environment exists. */
static void
stp_application_skip_unused_gl (void)
{
  const char *renderer = g_getenv ("GSK_RENDERER");
  const char *debug = g_getenv ("GDK_DEBUG");

  if (g_strcmp0 (renderer, "cairo") != 0)
    return;
  if (debug == NULL || *debug == '\0')
    g_setenv ("GDK_DEBUG", "gl-disable", TRUE);
  else if (strstr (debug, "gl-disable") == NULL)
    {
      g_autofree char *both = g_strconcat (debug, ",gl-disable", NULL);

      g_setenv ("GDK_DEBUG", both, TRUE);
    }
}

StpApplication *
stp_application_new (void)
{
  stp_application_skip_unused_gl ();

  return g_object_new (STP_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/org/stupeni/Stupeni",
                       NULL);
}

StpStore *
stp_application_get_store (StpApplication *self)
{
  g_return_val_if_fail (STP_IS_APPLICATION (self), NULL);

  return self->store;
}
