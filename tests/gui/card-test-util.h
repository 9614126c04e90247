/* card-test-util.h: what test-intake.c and test-card.c share beyond the
 * compiled GUI helpers (stp-gui-test-helpers.c): a data directory for the
 * intake draft and a fresh center database with its director. */
#pragma once

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>

#include "stp-store.h"
#include "stp-query.h"
#include "stp-gui-test-helpers.h"

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
#ifdef G_OS_WIN32
  g_test_init (argc, argv, NULL);
  stp_test_gui_tolerate_wine ();
  gtk_init ();
  stp_test_gui_windows_font ();
#else
  gtk_test_init (argc, argv, NULL);
#endif
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

/* Waits @ms, then handles what the wait made pending. */
static inline void
card_test_wait (guint ms)
{
  stp_test_wait (ms);
  stp_test_iterate ();
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
  g_clear_object (&db->session);
  g_clear_object (&db->store);
  /* The database, its journal files and backups: nothing left in /tmp. */
  stp_test_remove_tree (db->dir);
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
