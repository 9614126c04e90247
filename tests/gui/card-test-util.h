/* card-test-util.h: helpers shared by test-intake.c and test-card.c:
 * a fresh center database, finding widgets by name, running the main
 * loop and saving pictures. */
#pragma once

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "stp-store.h"
#include "stp-query.h"

static char *card_test_data_dir;

static inline void
card_test_init (int    *argc,
                char ***argv)
{
  char *data_dir = card_test_data_dir = g_dir_make_tmp ("stupeni-gui2-XXXXXX", NULL);

  /* Before anything calls g_get_user_data_dir(): old versions kept the
   * intake draft there, and the program removes that file. */
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);
  g_setenv ("LANGUAGE", "ru", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  gtk_test_init (argc, argv, NULL);
  adw_init ();
}

/* Removes the data directory made by card_test_init() (the draft's). */
static inline int
card_test_finish (int status)
{
  g_autofree char *stupeni = g_build_filename (card_test_data_dir, "stupeni", NULL);
  g_autofree char *draft = g_build_filename (stupeni, "intake-draft.ini", NULL);

  g_remove (draft);
  g_rmdir (stupeni);
  g_rmdir (card_test_data_dir);
  g_clear_pointer (&card_test_data_dir, g_free);
  return status;
}

static inline void
card_test_iterate (void)
{
  for (int i = 0; i < 50; i++)
    while (g_main_context_iteration (NULL, FALSE))
      ;
}

static gboolean
card_test_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static inline void
card_test_wait (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, card_test_timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  card_test_iterate ();
}

static inline GtkWidget *
card_test_find (GtkWidget  *root,
                const char *name)
{
  GtkWidget *child;

  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = card_test_find (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline GtkWidget *
card_test_find_type (GtkWidget *root,
                     GType      type)
{
  GtkWidget *child;

  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = card_test_find_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static inline GtkWidget *
card_test_get (GtkWidget  *root,
               const char *name)
{
  GtkWidget *widget = card_test_find (root, name);

  if (widget == NULL)
    g_error ("No widget named “%s”", name);
  return widget;
}

static inline void
card_test_set_text (GtkWidget  *root,
                    const char *name,
                    const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (card_test_get (root, name)), text);
}

static inline void
card_test_click (GtkWidget  *root,
                 const char *name)
{
  GtkWidget *button = card_test_get (root, name);

  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  card_test_iterate ();
}

static inline void
card_test_picture (GtkWidget  *widget,
                   const char *file_name)
{
  const char *dir = g_getenv ("STUPENI_TEST_PICTURE_DIR");
  g_autofree char *path = NULL;
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer;
  int width, height;

  /* Let the frame clock lay out and draw the window first. */
  card_test_wait (250);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    {
      /* A window that has not drawn yet: ask it to draw itself. */
      snapshot = gtk_snapshot_new ();
      GTK_WIDGET_GET_CLASS (widget)->snapshot (widget, snapshot);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
    }
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_build_filename (dir ? dir : g_get_tmp_dir (), file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("picture: %s", path);
}

typedef struct
{
  char       *dir;
  StpStore   *store;
  StpSession *session;
} CardTestDb;

static inline void
card_test_db_open (CardTestDb *db)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();

  db->dir = g_dir_make_tmp ("stupeni-gui2-db-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (db->dir, "center.db", NULL);
  db->store = stp_store_open (path, &error);
  g_assert_no_error (error);
  center->name = g_strdup ("Ступени — Пермь");
  center->region = g_strdup ("Пермский край");
  center->seats_total = 30;
  db->session = stp_store_create_center (db->store, center, "director", "Смирнова Анна Петровна",
                                         "correct horse battery", &error);
  g_assert_no_error (error);
  g_assert_nonnull (db->session);
}

static inline void
card_test_db_close (CardTestDb *db)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&db->session);
  g_clear_object (&db->store);
  /* The database, its journal files and backups: nothing left in /tmp. */
  dir = g_dir_open (db->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (db->dir, name, NULL);
      g_remove (path);
    }
  g_rmdir (db->dir);
  g_free (db->dir);
}

static inline guint
card_test_count_residents (CardTestDb *db)
{
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = stp_store_search_residents (db->store, db->session, &query, &error);

  g_assert_no_error (error);
  return found->len;
}

static inline guint
card_test_count (CardTestDb    *db,
                 StpRecordKind  kind,
                 const char    *parent_field,
                 const char    *parent_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = stp_store_list (db->store, db->session, kind, parent_field, parent_id, &error);

  g_assert_no_error (error);
  return records->len;
}
