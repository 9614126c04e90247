/* stp-gui-test-helpers.h: what the GUI tests share (on top of
 * tests/stp-test-helpers.h). */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-session.h"
#include "stp-test-helpers.h"
#include "stp-residents-page.h"

G_BEGIN_DECLS

/* Under Wine, GTK's warnings about what Wine lacks are only printed
 * (stp-gui-test-helpers.c); call between g_test_init and gtk_init.  No-op
 * off Windows. */
void        stp_test_gui_tolerate_wine (void);
/* On Windows the window font the program sets (after gtk_init). */
void        stp_test_gui_windows_font  (void);
/* gettext with the build's Russian catalog, g_test_init, gtk and adw. */
void        stp_test_gui_init        (int          *argc,
                                      char       ***argv);
/* stp_test_gui_init() for a test whose one argument is the stupeni-server
 * binary: returns it, or exits with a usage line when it is missing. */
const char *stp_test_gui_init_server (int          *argc,
                                      char       ***argv);
/* A new empty store in a fresh temporary directory, removed with it. */
StpStore   *stp_test_store_new       (void);
/* Creates the center @name in @store (40 seats) with its director
 * ("director", password "secret-1"); returns the director's session. */
StpSession *stp_test_create_center   (StpStore     *store,
                                      const char   *name,
                                      const char   *region);
/* The first toplevel window of @type, or NULL. */
GtkWindow  *stp_test_find_window     (GType         type);
/* The first widget named @name (gtk_widget_set_name) under @root. */
GtkWidget  *stp_test_find_widget     (GtkWidget    *root,
                                      const char   *name);
/* The first GtkLabel under @root whose text contains @text. */
GtkWidget  *stp_test_find_label      (GtkWidget    *root,
                                      const char   *text);
/* The widget of @type at or under @root, or NULL. */
GtkWidget  *stp_test_find_type       (GtkWidget    *root,
                                      GType         type);
/* stp_test_find_widget(), failing the test when there is none. */
GtkWidget  *stp_test_get             (GtkWidget    *root,
                                      const char   *name);
/* Types @text into the editable named @name. */
void        stp_test_set_text        (GtkWidget    *root,
                                      const char   *name,
                                      const char   *text);
/* Clicks the button named @name, which must be sensitive. */
void        stp_test_click           (GtkWidget    *root,
                                      const char   *name);
/* Handles what is pending in the main loop (50 rounds). */
void        stp_test_iterate         (void);
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
/* The residents page in the main window's "pages" stack. */
StpResidentsPage *stp_test_residents_page (GtkWindow *window);
/* Waits (up to 20 s) for the residents list to finish its current search,
 * after the search entry's typing delay. */
void        stp_test_wait_for_residents (GtkWindow *window);
/* The number of toplevel windows now. */
guint       stp_test_count_windows   (void);

G_END_DECLS
