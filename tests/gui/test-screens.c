/* test-screens.c: what a person meets on the screens besides the card and
 * the intake form: the center passphrase asked twice, and every control
 * of every main screen named for a screen reader. */
#define G_LOG_DOMAIN "test-screens"

#include "card-test-util.h"

#include <string.h>

#include "stp-first-run-window.h"
#include "stp-login-window.h"
#include "stp-resident-window.h"
#include "stp-sync-page.h"
#include "stp-window.h"
#include "stp-gui-test-helpers.h"

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
  stp_test_iterate ();
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
  return gtk_label_get_text (GTK_LABEL (stp_test_get (root, name)));
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
  stp_test_iterate ();
  /* The page's own texts are Russian too (its template had no domain). */
  g_assert_nonnull (card_test_find_label_text (page, "Парольная фраза центра ещё раз"));

  stp_test_set_text (page, "sync-url", "https://127.0.0.1:9");
  stp_test_set_text (page, "sync-code", "ABCD-EFGH");
  stp_test_set_text (page, "sync-passphrase", "верблюд лампа окно");
  stp_test_set_text (page, "sync-passphrase-repeat", "верблюд лампа окна");
  stp_test_click (page, "sync-enroll");
  g_assert_nonnull (strstr (label_text (page, "sync-message"), "не совпадают"));

  stp_test_set_text (page, "sync-passphrase-repeat", "верблюд лампа окно");
  stp_test_click (page, "sync-enroll");
  g_assert_nonnull (strstr (label_text (page, "sync-message"), "Запишите парольную фразу"));
  stp_test_save_picture (GTK_WINDOW (window), "sync-passphrase-written-down.png");

  gtk_check_button_set_active (GTK_CHECK_BUTTON (stp_test_get (page, "sync-written-down")), TRUE);
  stp_test_click (page, "sync-enroll");
  g_assert_null (strstr (label_text (page, "sync-message"), "не совпадают"));
  g_assert_null (strstr (label_text (page, "sync-message"), "Запишите"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* --- Accessible names ------------------------------------------------------ */

/* Composite widgets name their own parts (the spin button's +/−, the
 * password entry's peek icon, the view switcher's tabs, the window's
 * buttons); rows name their entries by their titles. */
static gboolean
names_its_parts (GtkWidget *widget)
{
  static const char *types[] = {
    "GtkSpinButton", "GtkMenuButton", "GtkDropDown", "GtkPasswordEntry", "GtkSearchEntry",
    "GtkWindowControls", "AdwViewSwitcher", "AdwViewSwitcherBar", "AdwViewSwitcherTitle",
    "AdwEntryRow", "AdwPasswordEntryRow", "AdwComboRow", "AdwSplitButton", "GtkColumnViewTitle",
    "GtkStackSidebar", "AdwTabBar", "GtkCalendar", "GtkFileChooserWidget", "GtkPopover",
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      GType type = g_type_from_name (types[i]);

      if (type != 0 && G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
        return TRUE;
    }
  return FALSE;
}

/* The text a widget shows, which names it when nothing else does. */
static gboolean
shows_text (GtkWidget *widget)
{
  if (!gtk_widget_get_mapped (widget))
    return FALSE;
  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (shows_text (child))
      return TRUE;
  return FALSE;
}

/* The accessible label set on @widget, or NULL (the test context returns
 * the value when it differs from the one asked for). */
static char *
accessible_label (GtkWidget *widget)
{
  if (!gtk_test_accessible_has_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL))
    return NULL;
  return gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                             "\x01");
}

static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_SPIN_BUTTON (widget) || GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_ENTRY (widget) || GTK_IS_SEARCH_ENTRY (widget) || GTK_IS_PASSWORD_ENTRY (widget) ||
         GTK_IS_TEXT (widget) || GTK_IS_SCALE (widget) || GTK_IS_TEXT_VIEW (widget) ||
         GTK_IS_LEVEL_BAR (widget);
}

static void
collect_unnamed (GtkWidget *widget,
                 GString   *report)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (is_control (widget))
    {
      g_autofree char *label = accessible_label (widget);
      gboolean named = label != NULL && *label != '\0';

      /* «_Далее Далее»: a mnemonic's underscore must not reach the name. */
      if (named && strchr (label, '_') != NULL)
        g_string_append_printf (report, "  %s “%s”: the accessible name has an underscore\n",
                                G_OBJECT_TYPE_NAME (widget), label);
      /* Labelled by a label or a row names it; by its icon (what GtkButton
       * does with an icon child) reads as «GtkImage». */
      if (!named && gtk_test_accessible_has_relation (GTK_ACCESSIBLE (widget), GTK_ACCESSIBLE_RELATION_LABELLED_BY))
        {
          g_autofree char *by = gtk_test_accessible_check_relation (GTK_ACCESSIBLE (widget),
                                                                    GTK_ACCESSIBLE_RELATION_LABELLED_BY, NULL);

          named = by != NULL && !g_str_has_prefix (by, "GtkImage");
        }
      /* Buttons are named by the text they show. */
      if (!named && (GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)))
        named = shows_text (widget);
      if (!named)
        {
          const char *name = gtk_widget_get_name (widget);
          const char *tooltip = gtk_widget_get_tooltip_text (widget);

          g_string_append_printf (report, "  %s (name “%s”, tooltip “%s”, in %s)\n",
                                  G_OBJECT_TYPE_NAME (widget), name, tooltip ? tooltip : "",
                                  G_OBJECT_TYPE_NAME (gtk_widget_get_parent (widget)));
        }
    }
  if (names_its_parts (widget))
    return;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, report);
}

static void
check_names (GtkWidget  *root,
             const char *screen,
             GString    *report)
{
  g_autoptr(GString) found = g_string_new (NULL);

  collect_unnamed (root, found);
  if (found->len > 0)
    g_string_append_printf (report, "%s:\n%s", screen, found->str);
}

/* Every control of every main screen has a Russian accessible name. */
static void
test_accessible_names (Fixture       *fixture,
                       gconstpointer  data)
{
  static const char *main_pages[] = {
    "residents", "intake", "follow-ups", "referrals", "reports", "conflicts", "audit", "settings",
  };
  static const char *card_pages[] = {
    "profile", "program", "family", "consents", "journal", "follow-ups", "referrals", "court",
  };
  g_autoptr(GString) report = g_string_new (NULL);
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) empty_store = NULL;
  StpWindow *window;
  GtkWindow *card;
  AdwViewStack *stack;
  GtkWidget *other;

  resident->surname = g_strdup ("Морозов");
  resident->name = g_strdup ("Алексей");
  resident->birth_date = g_strdup ("1988-07-21");
  resident->sex = STP_SEX_MALE;
  g_assert_true (stp_store_save_resident (fixture->db.store, fixture->db.session, resident, &error));
  g_assert_no_error (error);

  window = stp_window_new (NULL, fixture->db.store, fixture->db.session);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 700);
  stp_test_show (GTK_WINDOW (window));
  for (guint i = 0; i < G_N_ELEMENTS (main_pages); i++)
    {
      g_assert_true (stp_window_show_page (window, main_pages[i]));
      stp_test_wait (200);
      check_names (GTK_WIDGET (window), main_pages[i], report);
      /* The seats are three rows with their own titles, not three numbers
       * after «Мест: всего, мужских, женских». */
      if (g_str_equal (main_pages[i], "settings"))
        {
          g_assert_nonnull (card_test_find_label_text (GTK_WIDGET (window), "Мест всего"));
          g_assert_nonnull (card_test_find_label_text (GTK_WIDGET (window), "Женских мест"));
        }
    }
  gtk_window_destroy (GTK_WINDOW (window));

  card = stp_resident_window_new (NULL, fixture->db.store, fixture->db.session, resident->meta.id);
  gtk_window_set_default_size (card, 1024, 700);
  stp_test_show (card);
  stack = ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (card), ADW_TYPE_VIEW_STACK));
  for (guint i = 0; i < G_N_ELEMENTS (card_pages); i++)
    {
      g_autofree char *screen = g_strconcat ("card ", card_pages[i], NULL);

      adw_view_stack_set_visible_child_name (stack, card_pages[i]);
      stp_test_wait (100);
      check_names (GTK_WIDGET (card), screen, report);
    }
  gtk_window_destroy (card);

  other = GTK_WIDGET (stp_login_window_new (NULL, fixture->db.store));
  stp_test_show (GTK_WINDOW (other));
  check_names (other, "login", report);
  gtk_window_destroy (GTK_WINDOW (other));

  empty_store = stp_test_store_new ();
  other = GTK_WIDGET (stp_first_run_window_new (NULL, empty_store));
  stp_test_show (GTK_WINDOW (other));
  check_names (other, "first run", report);
  gtk_window_destroy (GTK_WINDOW (other));

  if (report->len > 0)
    g_error ("Controls without an accessible name:\n%s", report->str);
}

int
main (int    argc,
      char **argv)
{
  /* The test accessibility backend keeps the accessible properties that
   * the name check reads ("none" drops them). */
  g_setenv ("GTK_A11Y", "test", TRUE);
  card_test_init (&argc, &argv);

  g_test_add ("/screens/accessible-names", Fixture, NULL, fixture_set_up, test_accessible_names, fixture_tear_down);
  g_test_add ("/screens/passphrase-twice", Fixture, NULL, fixture_set_up, test_passphrase_twice, fixture_tear_down);

  return card_test_finish (g_test_run ());
}
