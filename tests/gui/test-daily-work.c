/* Issue 12, "Daily work": the residents list puts the file searched for by
 * its exact number first and shows stage and outcome in columns of their
 * own.  Real widgets under Xvfb, pictures at 1024×600, light and dark. */
#define G_LOG_DOMAIN "test-daily-work"

#include "config.h"

#include "stp-window.h"
#include "stp-residents-page.h"
#include "stp-resident-item.h"
#include "stp-card-journal.h"
#include "stp-card-court.h"
#include "stp-audit-page.h"
#include "stp-audit-item.h"
#include "stp-resident-window.h"
#include "stp-report-print.h"
#include "stp-gui-test-helpers.h"
#include "stp-test-store.h"

#include <string.h>

#define DIRECTOR_PASSWORD "директор-пароль"

typedef struct
{
  StpStore   *store;
  StpSession *director;
  char       *program_id;
} Center;

static void
center_init (Center *center)
{
  g_autoptr(StpCenter) data = stp_center_new ();
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GError) error = NULL;

  center->store = stp_test_store_new ();
  data->name = g_strdup ("Центр «Новые ступени»");
  data->region = g_strdup ("Пермский край");
  data->seats_total = 40;
  center->director = stp_store_create_center (center->store, data, "director",
                                              "Орлова Анна Сергеевна", DIRECTOR_PASSWORD, &error);
  g_assert_no_error (error);
  programs = stp_store_list (center->store, center->director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  center->program_id = g_strdup (((StpProgram *) g_ptr_array_index (programs, 0))->meta.id);
}

static void
center_clear (Center *center)
{
  g_clear_object (&center->director);
  g_clear_object (&center->store);
  g_free (center->program_id);
}

/* A resident admitted 20 days ago, discharged as @ended unless it is -1. */
static char *
add_resident (Center     *center,
              const char *surname,
              const char *file_number,
              int         ended)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(GError) error = NULL;

  resident->surname = g_strdup (surname);
  resident->name = g_strdup ("Иван");
  resident->birth_date = g_strdup ("1985-04-12");
  resident->sex = STP_SEX_MALE;
  resident->file_number = g_strdup (file_number);
  stp_store_save_resident (center->store, center->director, resident, &error);
  g_assert_no_error (error);
  episode->resident_id = g_strdup (resident->meta.id);
  episode->program_id = g_strdup (center->program_id);
  episode->admitted_on = stp_test_days_from_today (center->store, -20);
  episode->referral_source = STP_REFERRAL_SOURCE_RELATIVES;
  episode->payment_source = STP_PAYMENT_FREE;
  stp_store_admit (center->store, center->director, episode, &error);
  g_assert_no_error (error);
  if (ended >= 0)
    {
      g_autofree char *on = stp_test_days_from_today (center->store, -2);

      stp_store_discharge (center->store, center->director, episode->meta.id, ended, on,
                           "Программа пройдена", &error);
      g_assert_no_error (error);
    }
  return g_strdup (resident->meta.id);
}

static char *
file_number_of (StpResidentItem *item)
{
  char *number = NULL;

  g_object_get (item, "file-number", &number, NULL);
  return number;
}

static StpResidentItem *
row (StpWindow *window,
     guint      i)
{
  return g_list_model_get_item (stp_residents_page_get_model (stp_test_residents_page (GTK_WINDOW (window))), i);
}

static void
test_exact_file_number_first (void)
{
  Center center = { 0 };
  StpWindow *window;
  GListModel *model;
  AdwStyleManager *style = adw_style_manager_get_default ();

  center_init (&center);
  /* Numbers of a center's own series: «15» is a prefix of the others. */
  g_free (add_resident (&center, "Абрамов", "150", -1));
  g_free (add_resident (&center, "Борисов", "1500", -1));
  g_free (add_resident (&center, "Яковлев", "15", -1));
  g_free (add_resident (&center, "Власов", "2026-01-0003", STP_EPISODE_COMPLETED));

  window = stp_window_new (NULL, center.store, center.director);
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 600);
  stp_test_show (GTK_WINDOW (window));
  g_assert_true (stp_window_show_page (window, "residents"));
  stp_test_wait_for_residents (GTK_WINDOW (window));
  model = stp_residents_page_get_model (stp_test_residents_page (GTK_WINDOW (window)));

  gtk_editable_set_text (GTK_EDITABLE (stp_test_get (GTK_WIDGET (window), "search")), "15");
  stp_test_wait_for_residents (GTK_WINDOW (window));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 3);
  {
    g_autoptr(StpResidentItem) first = row (window, 0);
    g_autofree char *number = file_number_of (first);

    g_assert_cmpstr (number, ==, "15");
  }
  stp_test_save_picture (GTK_WINDOW (window), "residents-exact-number-1024.png");

  /* Stage and outcome in two columns: everyone, the one who finished too. */
  gtk_editable_set_text (GTK_EDITABLE (stp_test_get (GTK_WIDGET (window), "search")), "");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (stp_test_get (GTK_WIDGET (window), "status-filter")), 0);
  stp_test_wait_for_residents (GTK_WINDOW (window));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(StpResidentItem) item = row (window, i);
      g_autofree char *stage = NULL;
      g_autofree char *outcome = NULL;
      g_autofree char *number = file_number_of (item);

      g_object_get (item, "stage", &stage, "outcome", &outcome, NULL);
      if (g_str_equal (number, "2026-01-0003"))
        {
          g_assert_null (stage);
          g_assert_cmpstr (outcome, ==, "Завершил");
        }
      else
        {
          g_assert_nonnull (stage);
          g_assert_null (outcome);
        }
    }
  g_assert_nonnull (stp_test_find_label (GTK_WIDGET (window), "Завершил"));
  stp_test_save_picture (GTK_WINDOW (window), "residents-outcome-1024.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  stp_test_save_picture (GTK_WINDOW (window), "residents-outcome-1024-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);

  gtk_window_destroy (GTK_WINDOW (window));
  stp_test_iterate ();
  center_clear (&center);
}

/* A card page alone in a 1024×600 window. */
static GtkWindow *
page_window (GtkWidget *page)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 600);
  gtk_window_set_child (GTK_WINDOW (window), page);
  stp_test_show (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

/* The vertical place of @widget in @root. */
static double
y_of (GtkWidget *root,
      GtkWidget *widget)
{
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (widget, root, &GRAPHENE_POINT_INIT (0, 0), &point));
  return point.y;
}

static void
test_journal_newest_first (void)
{
  static const char *moments[] = {
    "2026-01-10T09:00:00Z", "2026-03-10T09:00:00Z", "2026-02-10T09:00:00Z",
  };
  Center center = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *resident_id = NULL;
  GtkWindow *window;
  GtkWidget *page, *list;
  const char *first, *last;

  center_init (&center);
  resident_id = add_resident (&center, "Журналов", NULL, -1);
  /* Written out of order, as entries made later about earlier days. */
  for (guint i = 0; i < G_N_ELEMENTS (moments); i++)
    {
      StpJournalEntry *entry = stp_record_new (STP_KIND_JOURNAL_ENTRY);

      entry->resident_id = g_strdup (resident_id);
      entry->occurred_at = g_strdup (moments[i]);
      entry->text = g_strdup_printf ("Запись %u", i + 1);
      stp_store_save (center.store, center.director, STP_KIND_JOURNAL_ENTRY, entry, &error);
      g_assert_no_error (error);
      stp_record_free (STP_KIND_JOURNAL_ENTRY, entry);
    }

  page = stp_card_journal_new (center.store, center.director, resident_id);
  window = page_window (page);
  list = stp_test_get (page, "journal_entries");
  first = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0)));
  last = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 2)));
  g_assert_true (g_str_has_prefix (first, "10.03.2026"));
  g_assert_true (g_str_has_prefix (last, "10.01.2026"));
  stp_test_save_picture (window, "card-journal-newest-first-1024.png");

  /* The entry's text takes several lines. */
  {
    GtkWidget *view = stp_test_find_type (page, GTK_TYPE_TEXT_VIEW);
    g_autoptr(GPtrArray) entries = NULL;
    gboolean found = FALSE;

    g_assert_nonnull (view);
    gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)),
                              "Первая строка.\nВторая строка.", -1);
    stp_test_save_picture (window, "card-journal-multiline-1024.png");
    stp_test_click (page, "save");
    entries = stp_store_list (center.store, center.director, STP_KIND_JOURNAL_ENTRY,
                              "resident_id", resident_id, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->len, ==, 4);
    for (guint i = 0; i < entries->len; i++)
      found |= g_strcmp0 (((StpJournalEntry *) g_ptr_array_index (entries, i))->text,
                          "Первая строка.\nВторая строка.") == 0;
    g_assert_true (found);
  }

  gtk_window_destroy (window);
  stp_test_iterate ();
  center_clear (&center);
}

static void
test_court_order (void)
{
  Center center = { 0 };
  g_autofree char *resident_id = NULL;
  GtkWindow *window;
  GtkWidget *page;
  double decisions, decision_form, notices;
  AdwStyleManager *style = adw_style_manager_get_default ();

  center_init (&center);
  resident_id = add_resident (&center, "Судебный", NULL, -1);
  page = stp_card_court_new (center.store, center.director, resident_id);
  window = page_window (page);
  decisions = y_of (page, stp_test_find_label (page, "Обязанности по решению суда"));
  decision_form = y_of (page, stp_test_find_label (page, "Новая обязанность по решению суда"));
  notices = y_of (page, stp_test_find_label (page, "Уведомления контролирующему органу"));
  /* The decisions and their form first, then the notices about them. */
  g_assert_cmpfloat (decisions, <, decision_form);
  g_assert_cmpfloat (decision_form, <, notices);
  stp_test_save_picture (window, "card-court-order-1024.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  stp_test_save_picture (window, "card-court-order-1024-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);

  gtk_window_destroy (window);
  stp_test_iterate ();
  center_clear (&center);
}

static StpSession *
add_user (Center     *center,
          const char *login,
          const char *full_name,
          StpRole     role)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(GError) error = NULL;
  StpSession *session;

  user->login = g_strdup (login);
  user->full_name = g_strdup (full_name);
  user->role = role;
  user->active = TRUE;
  stp_store_save_user_with_password (center->store, center->director, user, "пароль-пароль", &error);
  g_assert_no_error (error);
  session = stp_store_login (center->store, login, "пароль-пароль", &error);
  g_assert_no_error (error);
  return session;
}

/* Rows of the (filtered) log whose action label is @action. */
static guint
count_action (GListModel *model,
              const char *action,
              const char *login)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StpAuditItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (stp_audit_item_get_action (item), action) == 0
          && (login == NULL || g_strcmp0 (stp_audit_item_get_login (item), login) == 0))
        n++;
    }
  return n;
}

static StpAuditItem *
find_event (GListModel *model,
            const char *action,
            const char *detail)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StpAuditItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (stp_audit_item_get_action (item), action) == 0
          && (detail == NULL || g_strcmp0 (stp_audit_item_get_detail (item), detail) == 0))
        return g_steal_pointer (&item);
    }
  return NULL;
}

static void
test_audit_log (void)
{
  Center center = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) staff = NULL;
  g_autoptr(StpSession) volunteer = NULL;
  g_autofree char *resident_id = NULL;
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(StpAuditItem) event = NULL;
  AdwStyleManager *style = adw_style_manager_get_default ();
  StpWindow *main_window;
  GtkWindow *card, *window;
  StpAuditPage *page;
  GListModel *model;

  center_init (&center);
  staff = add_user (&center, "gromov", "Громов Павел Игоревич", STP_ROLE_STAFF);
  volunteer = add_user (&center, "belova", "Белова Ольга Николаевна", STP_ROLE_VOLUNTEER);
  resident_id = add_resident (&center, "Аудитов", NULL, -1);

  /* One opening of a card, refreshed twice, is one «view». */
  card = stp_resident_window_new (NULL, center.store, staff, resident_id);
  stp_test_show (card);
  stp_resident_window_reload (STP_RESIDENT_WINDOW (card));
  stp_resident_window_reload (STP_RESIDENT_WINDOW (card));
  gtk_window_destroy (card);
  /* A volunteer may not open it: the refusal is logged. */
  card = stp_resident_window_new (NULL, center.store, volunteer, resident_id);
  gtk_window_destroy (card);
  /* A change names its fields. */
  resident = stp_store_get_resident (center.store, center.director, resident_id, &error);
  g_assert_no_error (error);
  g_free (resident->phone);
  resident->phone = g_strdup ("+7 900 000-00-00");
  stp_store_save_resident (center.store, center.director, resident, &error);
  g_assert_no_error (error);
  /* Logging out of the main window is logged. */
  main_window = stp_window_new (NULL, center.store, staff);
  stp_test_show (GTK_WINDOW (main_window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (main_window), "win.logout", NULL));
  stp_test_iterate ();

  page = stp_audit_page_new (center.store, center.director);
  window = page_window (GTK_WIDGET (page));
  stp_audit_page_reload (page);
  model = stp_audit_page_get_model (page);

  /* «Вход», by the user's name; the detail in Russian. */
  g_clear_object (&event);
  event = find_event (model, "Вход", "центр создан");
  g_assert_nonnull (event);
  g_assert_cmpstr (stp_audit_item_get_user (event), ==, "Орлова Анна Сергеевна");
  g_assert_null (stp_test_find_label (GTK_WIDGET (page), "Логин"));
  g_assert_null (stp_test_find_label (GTK_WIDGET (page), "center created"));
  /* A user record by name, not by an id tail. */
  g_clear_object (&event);
  event = find_event (model, "Создание", NULL);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StpAuditItem) item = g_list_model_get_item (model, i);
      const char *entity = stp_audit_item_get_entity (item);

      g_assert_true (entity == NULL || strstr (entity, "…") == NULL);
    }
  g_assert_nonnull (stp_test_find_label (GTK_WIDGET (page), "Пользователь: Громов Павел Игоревич"));
  g_clear_object (&event);
  event = find_event (model, "Изменение", "Телефон");
  g_assert_nonnull (event);
  g_assert_cmpuint (count_action (model, "Просмотр карточки", "gromov"), ==, 1);
  g_assert_cmpuint (count_action (model, "Отказ в открытии карточки", "belova"), ==, 1);
  g_assert_cmpuint (count_action (model, "Выход", "gromov"), ==, 1);
  stp_test_save_picture (window, "audit-1024.png");

  /* Filters: by action, by user, by resident, by period. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (stp_test_get (GTK_WIDGET (page), "audit-action")),
                              1 + STP_AUDIT_VIEW_REFUSED);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 1);
  /* The count line says how many the filters leave. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (stp_test_get (GTK_WIDGET (page), "summary-label"))),
                            "Показано: 1."));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (stp_test_get (GTK_WIDGET (page), "audit-action")), 0);
  {
    GtkDropDown *users = GTK_DROP_DOWN (stp_test_get (GTK_WIDGET (page), "audit-user"));
    GListModel *names = gtk_drop_down_get_model (users);
    guint belova = GTK_INVALID_LIST_POSITION;

    for (guint i = 0; i < g_list_model_get_n_items (names); i++)
      if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (names), i), "Белова Ольга Николаевна"))
        belova = i;
    g_assert_cmpuint (belova, !=, GTK_INVALID_LIST_POSITION);
    gtk_drop_down_set_selected (users, belova);
    g_assert_cmpuint (g_list_model_get_n_items (model), >=, 1);
    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(StpAuditItem) item = g_list_model_get_item (model, i);

        g_assert_cmpstr (stp_audit_item_get_login (item), ==, "belova");
      }
    gtk_drop_down_set_selected (users, 0);
  }
  gtk_editable_set_text (GTK_EDITABLE (stp_test_get (GTK_WIDGET (page), "audit-resident")), "аудит");
  stp_test_wait (400);
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, 3);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StpAuditItem) item = g_list_model_get_item (model, i);

      g_assert_cmpstr (stp_audit_item_get_resident_name (item), ==, "Аудитов Иван");
    }
  stp_test_save_picture (window, "audit-filtered-1024.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  stp_test_save_picture (window, "audit-filtered-1024-dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  gtk_editable_set_text (GTK_EDITABLE (stp_test_get (GTK_WIDGET (page), "audit-resident")), "");
  stp_test_wait (400);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (stp_test_get (GTK_WIDGET (page), "audit-period")), 1);
  /* Everything happened today. */
  g_assert_cmpuint (count_action (model, "Вход", NULL), >=, 1);

  gtk_window_destroy (window);
  stp_test_iterate ();
  center_clear (&center);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* transfer none */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        return ADW_MESSAGE_DIALOG (window);
    }
  return NULL;
}

/* A refusal that names the missing consent is long: it must be readable
 * whole (a dialog), not cut off in a toast. */
static void
test_long_message_readable (void)
{
  Center center = { 0 };
  g_autoptr(GError) error = NULL;
  StpReferral *referral = stp_record_new (STP_KIND_REFERRAL);
  g_autofree char *resident_id = NULL;
  GtkWidget *window, *overlay, *button;
  AdwMessageDialog *dialog;
  const char *body;

  center_init (&center);
  resident_id = add_resident (&center, "Письмов", NULL, -1);
  referral->resident_id = g_strdup (resident_id);
  referral->direction = STP_DIRECTION_OUTGOING;
  referral->agency_kind = STP_AGENCY_SOCIAL;
  referral->agency_name = g_strdup ("УСЗН по г. Хабаровску");
  referral->sent_on = stp_store_today (center.store);
  stp_store_save (center.store, center.director, STP_KIND_REFERRAL, referral, &error);
  g_assert_no_error (error);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 1024, 600);
  overlay = adw_toast_overlay_new ();
  button = gtk_button_new_with_label ("Письмо…");
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), button);
  gtk_window_set_child (GTK_WINDOW (window), overlay);
  stp_test_show (GTK_WINDOW (window));
  g_assert_null (find_message_dialog ());

  stp_report_print_referral_letter (button, center.store, center.director, referral->meta.id);
  stp_test_iterate ();
  dialog = find_message_dialog ();
  g_assert_nonnull (dialog);
  body = adw_message_dialog_get_heading (dialog);
  if (body == NULL || *body == '\0')
    body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, "УСЗН по г. Хабаровску"));
  g_assert_nonnull (strstr (body, "соглас"));
  stp_test_save_picture (GTK_WINDOW (dialog), "message-dialog-consent-refusal.png");

  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
  stp_test_iterate ();
  stp_record_free (STP_KIND_REFERRAL, referral);
  center_clear (&center);
}

int
main (int   argc,
      char *argv[])
{
  stp_test_gui_init (&argc, &argv);
  g_test_add_func ("/daily/residents/exact-file-number-first", test_exact_file_number_first);
  g_test_add_func ("/daily/card/journal-newest-first", test_journal_newest_first);
  g_test_add_func ("/daily/card/court-order", test_court_order);
  g_test_add_func ("/daily/audit-log", test_audit_log);
  g_test_add_func ("/daily/long-message-readable", test_long_message_readable);
  return g_test_run ();
}
