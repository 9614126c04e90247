/* test-screens.c: what a person meets on the screens besides the card and
 * the intake form: the center passphrase asked twice, and every control
 * of every main screen named for a screen reader. */
#define G_LOG_DOMAIN "test-screens"

#include "card-test-util.h"

#include <string.h>

#include "stp-sync-page.h"

typedef struct
{
  CardTestDb  db;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  card_test_db_open (&fixture->db);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  card_test_iterate ();
  card_test_db_close (&fixture->db);
}

/* A GtkLabel under @root showing exactly @text, or NULL. */
static GtkWidget *
card_test_find_label_text (GtkWidget  *root,
                           const char *text)
{
  if (GTK_IS_LABEL (root) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = card_test_find_label_text (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static const char *
label_text (GtkWidget  *root,
            const char *name)
{
  return gtk_label_get_text (GTK_LABEL (card_test_get (root, name)));
}

/* On the first computer the passphrase becomes the key of the center's
 * data: it is typed twice and the director confirms it is written down. */
static void
test_passphrase_twice (Fixture       *fixture,
                       gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *page = stp_sync_page_new (fixture->db.store, fixture->db.session);

  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  card_test_iterate ();
  /* The page's own texts are Russian too (its template had no domain). */
  g_assert_nonnull (card_test_find_label_text (page, "Парольная фраза центра ещё раз"));

  card_test_set_text (page, "sync-url", "https://127.0.0.1:9");
  card_test_set_text (page, "sync-code", "ABCD-EFGH");
  card_test_set_text (page, "sync-passphrase", "верблюд лампа окно");
  card_test_set_text (page, "sync-passphrase-repeat", "верблюд лампа окна");
  card_test_click (page, "sync-enroll");
  g_assert_nonnull (strstr (label_text (page, "sync-message"), "не совпадают"));

  card_test_set_text (page, "sync-passphrase-repeat", "верблюд лампа окно");
  card_test_click (page, "sync-enroll");
  g_assert_nonnull (strstr (label_text (page, "sync-message"), "Запишите парольную фразу"));
  card_test_picture (window, "sync-passphrase-written-down.png");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (card_test_get (page, "sync-written-down")), TRUE);
  card_test_click (page, "sync-enroll");
  g_assert_null (strstr (label_text (page, "sync-message"), "не совпадают"));
  g_assert_null (strstr (label_text (page, "sync-message"), "Запишите"));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  card_test_init (&argc, &argv);

  g_test_add ("/screens/passphrase-twice", Fixture, NULL, fixture_set_up, test_passphrase_twice, fixture_tear_down);

  return card_test_finish (g_test_run ());
}
