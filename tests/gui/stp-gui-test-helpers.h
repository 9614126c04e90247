/* stp-gui-test-helpers.h: what the GUI tests share (on top of
 * tests/stp-test-helpers.h). */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-test-helpers.h"

G_BEGIN_DECLS

/* gettext with the build's Russian catalog, g_test_init, gtk and adw. */
void        stp_test_gui_init        (int          *argc,
                                      char       ***argv);
/* A new empty store in a fresh temporary directory, removed with it. */
StpStore   *stp_test_store_new       (void);
/* The first widget named @name (gtk_widget_set_name) under @root. */
GtkWidget  *stp_test_find_widget     (GtkWidget    *root,
                                      const char   *name);
/* The first GtkLabel under @root whose text contains @text. */
GtkWidget  *stp_test_find_label      (GtkWidget    *root,
                                      const char   *text);
/* Runs the main loop for @ms milliseconds. */
void        stp_test_wait            (guint         ms);
/* Runs the main loop until *@flag is TRUE or @timeout_ms passes. */
gboolean    stp_test_wait_for        (gboolean     *flag,
                                      guint         timeout_ms);
/* Presents @window and lets it map and draw. */
void        stp_test_show            (GtkWindow    *window);
/* Saves what @window shows as a PNG in the build directory. */
void        stp_test_save_picture    (GtkWindow    *window,
                                      const char   *file_name);
/* The number of toplevel windows now. */
guint       stp_test_count_windows   (void);

G_END_DECLS
