#define G_LOG_DOMAIN "stp-gui-test"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "stp-gui-test-helpers.h"

#ifdef G_OS_WIN32
#include <windows.h>
#endif

#ifdef G_OS_WIN32
/* Under Wine (make test-windows) GTK warns about what Wine's registry and
 * fonts lack: keyboard layout keys and DLLs, a device property, the session
 * bus helper, and (no Tahoma, no Segoe UI among the prefix's fonts) the
 * Windows message font pango cannot describe.  Those are not the program's
 * faults and are only printed; every other warning or critical fails the
 * test (g_test_fail: GTK logs through the structured API, where
 * g_test_log_set_fatal_handler is not asked, so the fatal mask is lifted
 * and this writer decides). */
static GLogWriterOutput
wine_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  static const char *const known[] = {
    "Keyboard Layout", "keyboard layout", "device node property",
    "win32 session dbus binary not found",
    "pango_font_description_to_string: assertion 'desc != NULL'",
  };
  const char *message = "";

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      message = fields[i].value;
  if (log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL))
    {
      gboolean is_known = FALSE;

      for (gsize i = 0; i < G_N_ELEMENTS (known); i++)
        is_known |= strstr (message, known[i]) != NULL;
      if (!is_known)
        {
          void *frames[24];
          USHORT n = CaptureStackBackTrace (0, G_N_ELEMENTS (frames), frames, NULL);

          /* Where it came from, as module+offset for addr2line. */
          for (USHORT i = 0; i < n; i++)
            {
              HMODULE module = NULL;
              char name[MAX_PATH] = "?";

              if (GetModuleHandleExA (GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS
                                      | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
                                      frames[i], &module))
                GetModuleFileNameA (module, name, sizeof name);
              g_printerr ("#   %s+0x%llx\n", name,
                          (unsigned long long) ((char *) frames[i] - (char *) module));
            }
          g_test_fail_printf ("unexpected warning or critical: %s", message);
        }
    }
  return g_log_writer_default (log_level, fields, n_fields, user_data);
}
#endif

/* After g_test_init, before gtk_init: on Windows, the log writer above. */
void
stp_test_gui_tolerate_wine (void)
{
#ifdef G_OS_WIN32
  g_log_set_always_fatal (G_LOG_FATAL_MASK);
  g_log_set_writer_func (wine_log_writer, NULL, NULL);
#endif
}

/* After gtk_init: on Windows, the window font the program sets at start-up
 * (stp-application.c).  Tests that build pages without the application
 * need it too: Wine's message font is one pango cannot describe, and with
 * no font GtkImage measures a baseline of INT_MIN (a warning per image). */
void
stp_test_gui_windows_font (void)
{
#ifdef G_OS_WIN32
  g_object_set (gtk_settings_get_default (), "gtk-font-name", "DejaVu Sans 10", NULL);
#endif
}

void
stp_test_gui_init (int    *argc,
                   char ***argv)
{
  /* The window must be Russian: LANGUAGE=ru (set by the test environment)
   * selects the catalog that the build compiled into po/. */
  g_setenv ("LANGUAGE", "ru", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (argc, argv, NULL);
  stp_test_gui_tolerate_wine ();
  /* Without a display there is nothing to drive: the test is skipped
   * (make test runs the gui tests under Xvfb), not aborted: a TAP plan
   * of none, skipped, as meson reads it. */
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      exit (0);
    }
  stp_test_gui_windows_font ();
  adw_init ();

  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/org/stupeni/Stupeni/icons");
}

const char *
stp_test_gui_init_server (int    *argc,
                          char ***argv)
{
  stp_test_gui_init (argc, argv);
  if (*argc < 2)
    {
      g_printerr ("usage: %s [--tap] STUPENI_SERVER\n", (*argv)[0]);
      exit (2);
    }
  return (*argv)[1];
}

/* The store's directory goes with the store (an open file may be unlinked). */
static void
remove_store_dir (gpointer  dir,
                  GObject  *store)
{
  stp_test_remove_tree (dir);
  g_free (dir);
}

StpStore *
stp_test_store_new (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  StpStore *store;

  dir = g_dir_make_tmp ("stupeni-gui-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "center.db", NULL);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_object_weak_ref (G_OBJECT (store), remove_store_dir, g_steal_pointer (&dir));

  return store;
}

StpSession *
stp_test_create_center (StpStore   *store,
                        const char *name,
                        const char *region)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  StpSession *director;

  center->name = g_strdup (name);
  center->region = g_strdup (region);
  center->seats_total = 40;
  director = stp_store_create_center (store, center, "director", "Орлова Анна Сергеевна",
                                      "secret-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (director);
  return director;
}

GtkWindow *
stp_test_find_window (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* not owned */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        return GTK_WINDOW (w);
    }
  return NULL;
}

GtkWidget *
stp_test_find_widget (GtkWidget  *root,
                      const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = stp_test_find_widget (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
stp_test_find_label (GtkWidget  *root,
                     const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = stp_test_find_label (child, text);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
stp_test_find_type (GtkWidget *root,
                    GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = stp_test_find_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

GtkWidget *
stp_test_get (GtkWidget  *root,
              const char *name)
{
  GtkWidget *widget = stp_test_find_widget (root, name);

  if (widget == NULL)
    g_error ("No widget named “%s”", name);
  return widget;
}

void
stp_test_set_text (GtkWidget  *root,
                   const char *name,
                   const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (stp_test_get (root, name)), text);
}

void
stp_test_click (GtkWidget  *root,
                const char *name)
{
  GtkWidget *button = stp_test_get (root, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  stp_test_iterate ();
}

void
stp_test_iterate (void)
{
  for (int i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;

  return G_SOURCE_REMOVE;
}

void
stp_test_wait (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
stp_test_wait_for (gboolean *flag,
                   guint     timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id;

  id = g_timeout_add (timeout_ms, set_flag, &timed_out);
  while (!*flag && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);

  return *flag;
}

void
stp_test_show (GtkWindow *window)
{
  gtk_window_present (window);
  for (guint i = 0; i < 50 && !gtk_widget_get_mapped (GTK_WIDGET (window)); i++)
    stp_test_wait (20);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  stp_test_wait (300);
}

void
stp_test_save_picture (GtkWindow  *window,
                       const char *file_name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  const char *dir;
  GskRenderer *renderer;
  int width, height;

  /* Let pending layout and drawing finish first. */
  stp_test_wait (400);

  width = gtk_widget_get_width (GTK_WIDGET (window));
  height = gtk_widget_get_height (GTK_WIDGET (window));
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (GTK_WIDGET (window));
  /* A busy machine may not have drawn the window yet: give it time. */
  for (guint attempt = 0; node == NULL && attempt < 20; attempt++)
    {
      if (attempt > 0)
        stp_test_wait (250);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));

  dir = g_getenv ("STUPENI_TEST_PICTURE_DIR");
  path = g_build_filename (dir != NULL ? dir : ".", file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("picture saved: %s", path);
}

guint
stp_test_count_windows (void)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  return g_list_length (windows);
}

StpResidentsPage *
stp_test_residents_page (GtkWindow *window)
{
  GtkStack *stack = GTK_STACK (stp_test_find_widget (GTK_WIDGET (window), "pages"));

  return STP_RESIDENTS_PAGE (gtk_stack_get_child_by_name (stack, "residents"));
}

static void
on_residents_loaded (StpResidentsPage *page,
                     gboolean         *loaded)
{
  *loaded = TRUE;
}

void
stp_test_wait_for_residents (GtkWindow *window)
{
  StpResidentsPage *page = stp_test_residents_page (window);
  gboolean loaded;
  gulong id;

  /* The search entry reports a change only after its typing delay. */
  stp_test_wait (300);
  loaded = !stp_residents_page_is_loading (page);

  id = g_signal_connect (page, "loaded", G_CALLBACK (on_residents_loaded), &loaded);
  g_assert_true (stp_test_wait_for (&loaded, 20000));
  g_signal_handler_disconnect (page, id);
}
