/* test-gui-shell.c: the shell's windows, driven as a person would, with the
 * results checked in the database. */
#define G_LOG_DOMAIN "test-gui-shell"

#include "config.h"

#include "stp-application.h"
#include "stp-first-run-window.h"
#include "stp-login-window.h"
#include "stp-window.h"
#include "stp-residents-page.h"
#include "stp-follow-ups-page.h"
#include "stp-referrals-page.h"
#include "stp-audit-page.h"
#include "stp-intake-page.h"
#include "stp-settings-page.h"
#include "stp-resident-item.h"
#include "stp-query.h"
#include "stp-gui-test-helpers.h"
#include "stp-test-store.h"
#include "stp-check-status.h"

#include <sqlite3.h>
#include <string.h>

#define N_RESIDENTS 120
#define DIRECTOR_PASSWORD "директор-пароль"
#define STAFF_PASSWORD "staff-password"
#define VOLUNTEER_PASSWORD "volunteer-password"

static const char *surnames[] = {
  "Иванов", "Петров", "Сидоров", "Кузнецов", "Смирнов", "Попов", "Васильев",
  "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов",
};
static const char *names[] = {
  "Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём",
  "Илья", "Кирилл", "Михаил",
};

typedef struct
{
  StpStore   *store;
  StpSession *director;
  StpSession *staff;
  StpSession *volunteer;
  char       *staff_id;
  char       *first_stage_id;
  guint       n_petrov;
} Center;

static void
center_free (Center *center)
{
  g_clear_object (&center->director);
  g_clear_object (&center->staff);
  g_clear_object (&center->volunteer);
  g_clear_object (&center->store);
  g_free (center->staff_id);
  g_free (center->first_stage_id);
  g_free (center);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Center, center_free)

static StpSession *
add_user (Center     *center,
          const char *login,
          const char *full_name,
          StpRole     role,
          const char *password,
          char      **out_id)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(GError) error = NULL;
  StpSession *session;

  user->login = g_strdup (login);
  user->full_name = g_strdup (full_name);
  user->role = role;
  user->active = TRUE;
  stp_store_save_user_with_password (center->store, center->director, user, password, &error);
  g_assert_no_error (error);
  if (out_id != NULL)
    *out_id = g_strdup (user->meta.id);

  session = stp_store_login (center->store, login, password, &error);
  g_assert_no_error (error);

  return session;
}

/* A center with a director, a staff member, a volunteer and N_RESIDENTS
 * residents in the first program; some discharged (so follow-ups are due)
 * and one overdue referral. */
static Center *
center_new (void)
{
  g_autoptr(StpCenter) data = stp_center_new ();
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *admitted_on = NULL;
  g_autofree char *discharged_on = NULL;
  g_autofree char *sent_on = NULL;
  g_autofree char *due_on = NULL;
  g_autofree char *first_resident_id = NULL;
  Center *center = g_new0 (Center, 1);
  StpProgram *program;

  center->store = stp_test_store_new ();
  data->name = g_strdup ("Центр «Новые ступени»");
  data->region = g_strdup ("Пермский край");
  data->seats_total = 40;
  data->seats_male = 30;
  data->seats_female = 10;
  center->director = stp_store_create_center (center->store, data, "director",
                                              "Орлова Анна Сергеевна", DIRECTOR_PASSWORD, &error);
  g_assert_no_error (error);
  g_assert_nonnull (center->director);

  center->staff = add_user (center, "staff", "Громов Павел Игоревич", STP_ROLE_STAFF,
                            STAFF_PASSWORD, &center->staff_id);
  center->volunteer = add_user (center, "volunteer", "Белова Ольга Николаевна",
                                STP_ROLE_VOLUNTEER, VOLUNTEER_PASSWORD, NULL);

  programs = stp_store_list (center->store, center->director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (programs->len, >, 0);
  program = g_ptr_array_index (programs, 0);
  stages = stp_store_list_stages (center->store, center->director, program->meta.id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stages->len, >, 1);
  center->first_stage_id = g_strdup (((StpStage *) g_ptr_array_index (stages, 0))->meta.id);

  admitted_on = stp_test_days_from_today (center->store, -100);
  discharged_on = stp_test_days_from_today (center->store, -40);

  for (guint i = 0; i < N_RESIDENTS; i++)
    {
      g_autoptr(StpResident) resident = stp_resident_new ();
      g_autoptr(StpEpisode) episode = stp_episode_new ();
      const char *surname = surnames[i % G_N_ELEMENTS (surnames)];

      resident->surname = g_strdup (surname);
      resident->name = g_strdup (names[(i / G_N_ELEMENTS (surnames)) % G_N_ELEMENTS (names)]);
      resident->patronymic = g_strdup_printf ("Тестович%u", i);
      resident->birth_date = g_strdup_printf ("%04u-%02u-%02u", 1970 + i % 30, 1 + i % 12, 1 + i % 28);
      resident->sex = STP_SEX_MALE;
      stp_store_save_resident (center->store, center->staff, resident, &error);
      g_assert_no_error (error);
      if (g_str_equal (surname, "Петров"))
        center->n_petrov++;
      if (first_resident_id == NULL)
        first_resident_id = g_strdup (resident->meta.id);

      episode->resident_id = g_strdup (resident->meta.id);
      episode->program_id = g_strdup (program->meta.id);
      episode->admitted_on = g_strdup (admitted_on);
      episode->responsible_user_id = g_strdup (center->staff_id);
      episode->referral_source = STP_REFERRAL_SOURCE_RELATIVES;
      episode->payment_source = STP_PAYMENT_FREE;
      stp_store_admit (center->store, center->staff, episode, &error);
      g_assert_no_error (error);

      if (i % 10 == 0)
        {
          stp_store_discharge (center->store, center->staff, episode->meta.id,
                               STP_EPISODE_COMPLETED, discharged_on, "Программа пройдена", &error);
          g_assert_no_error (error);
        }
    }

  sent_on = stp_test_days_from_today (center->store, -30);
  due_on = stp_test_days_from_today (center->store, -5);
  {
    g_autoptr(StpConsent) consent = stp_consent_new ();
    g_autoptr(StpReferral) referral = stp_referral_new ();

    consent->resident_id = g_strdup (first_resident_id);
    consent->kind = STP_CONSENT_TRANSFER;
    consent->recipient = g_strdup ("Центр занятости населения");
    consent->signed_on = g_strdup (sent_on);
    stp_store_save_consent (center->store, center->staff, consent, &error);
    g_assert_no_error (error);

    referral->resident_id = g_strdup (first_resident_id);
    referral->direction = STP_DIRECTION_OUTGOING;
    referral->agency_kind = STP_AGENCY_EMPLOYMENT;
    referral->agency_name = g_strdup ("Центр занятости населения");
    referral->sent_on = g_strdup (sent_on);
    referral->purpose = g_strdup ("Содействие в трудоустройстве");
    referral->consent_id = g_strdup (consent->meta.id);
    referral->due_on = g_strdup (due_on);
    stp_store_save_referral (center->store, center->staff, referral, &error);
    g_assert_no_error (error);
  }

  return center;
}

static void
on_session_started (GtkWidget   *window,
                    StpSession  *session,
                    StpSession **out_session)
{
  g_set_object (out_session, session);
}

/* Whether @model's rows are in ascending order of age. */
static gboolean
is_sorted_by_age (GListModel *model)
{
  guint n = g_list_model_get_n_items (model);
  int previous_age = -1;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StpResidentItem) item = g_list_model_get_item (model, i);
      int age = stp_resident_item_get_age (item);

      if (age < previous_age)
        return FALSE;
      previous_age = age;
    }

  return TRUE;
}

/* Runs the main loop until @model is sorted by age or @timeout_ms passes. */
static gboolean
wait_for_sorted_by_age (GListModel *model,
                        guint       timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!is_sorted_by_age (model))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      stp_test_wait (20);
    }

  return TRUE;
}

static void
on_page_loaded (GtkWidget *page,
                gboolean  *loaded)
{
  *loaded = TRUE;
}

/* Shows a page whose rows load off the main thread and waits for them. */
static GtkWidget *
show_loading_page (StpWindow  *window,
                   const char *name)
{
  GtkStack *stack = GTK_STACK (stp_test_find_widget (GTK_WIDGET (window), "pages"));
  GtkWidget *page = gtk_stack_get_child_by_name (stack, name);
  gboolean loaded = FALSE;
  gulong id;

  g_assert_nonnull (page);
  id = g_signal_connect (page, "loaded", G_CALLBACK (on_page_loaded), &loaded);
  g_assert_true (stp_window_show_page (window, name));
  g_assert_true (stp_test_wait_for (&loaded, 30000));
  g_signal_handler_disconnect (page, id);

  return page;
}

static void
type_text (GtkWidget  *root,
           const char *name,
           const char *text)
{
  GtkWidget *widget = stp_test_find_widget (root, name);

  g_assert_nonnull (widget);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static void
press (GtkWidget  *root,
       const char *name)
{
  GtkWidget *widget = stp_test_find_widget (root, name);

  g_assert_nonnull (widget);
  g_assert_true (gtk_widget_is_sensitive (widget));
  /* A button's keyboard activation emits "clicked" only after its press
   * animation; a click is what a person does. */
  if (GTK_IS_BUTTON (widget))
    g_signal_emit_by_name (widget, "clicked");
  else
    gtk_widget_activate (widget);
}

/* --- Tests ------------------------------------------------------------------ */

static void
test_first_run_creates_center (void)
{
  g_autoptr(StpStore) store = stp_test_store_new ();
  g_autoptr(StpSession) session = NULL;
  g_autoptr(StpSession) again = NULL;
  g_autoptr(StpCenter) center = NULL;
  g_autoptr(GError) error = NULL;
  StpFirstRunWindow *window;
  GtkWidget *root;
  GtkWidget *error_label;

  g_assert_true (stp_store_is_empty (store));

  window = stp_first_run_window_new (NULL, store);
  root = GTK_WIDGET (window);
  g_signal_connect (window, "session-started", G_CALLBACK (on_session_started), &session);
  stp_test_show (GTK_WINDOW (window));

  type_text (root, "center-name", "Центр «Рассвет»");
  type_text (root, "region", "Хабаровский край");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (stp_test_find_widget (root, "seats-total")), 25);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (stp_test_find_widget (root, "seats-male")), 20);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (stp_test_find_widget (root, "seats-female")), 5);
  type_text (root, "director-login", "orlova");
  type_text (root, "director-full-name", "Орлова Анна Сергеевна");
  type_text (root, "password", "секрет-1");
  type_text (root, "password-repeat", "секрет-2");

  stp_test_save_picture (GTK_WINDOW (window), "first-run.png");

  /* Two different passwords: refused in place, nothing written. */
  press (root, "create-button");
  error_label = stp_test_find_widget (root, "error-label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_null (session);
  g_assert_true (stp_store_is_empty (store));

  type_text (root, "password-repeat", "секрет-1");
  press (root, "create-button");
  g_assert_nonnull (session);
  g_assert_cmpint (stp_session_get_role (session), ==, STP_ROLE_DIRECTOR);

  g_assert_false (stp_store_is_empty (store));
  center = stp_store_get_center (store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (center->name, ==, "Центр «Рассвет»");
  g_assert_cmpstr (center->region, ==, "Хабаровский край");
  g_assert_cmpint (center->seats_total, ==, 25);
  g_assert_cmpint (center->seats_female, ==, 5);

  again = stp_store_login (store, "orlova", "секрет-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stp_session_get_full_name (again), ==, "Орлова Анна Сергеевна");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
on_session_started_flag (GtkWidget  *window,
                         StpSession *session,
                         gboolean   *flag)
{
  *flag = TRUE;
}

static void
test_first_run_demo (void)
{
  g_autoptr(StpStore) store = stp_test_store_new ();
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GPtrArray) residents = NULL;
  g_autoptr(GError) error = NULL;
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  StpFirstRunWindow *window;
  gboolean started = FALSE;

  window = stp_first_run_window_new (NULL, store);
  g_signal_connect (window, "session-started", G_CALLBACK (on_session_started), &session);
  g_signal_connect (window, "session-started", G_CALLBACK (on_session_started_flag), &started);
  stp_test_show (GTK_WINDOW (window));

  /* The demo is generated off the main thread, then its director logs in
   * with the password the window shows. */
  press (GTK_WIDGET (window), "demo-button");
  for (guint i = 0; i < 1200 && !started; i++)
    {
      GtkWidget *error_label = stp_test_find_widget (GTK_WIDGET (window), "error-label");

      if (gtk_widget_get_visible (error_label))
        g_error ("The demo failed: %s", gtk_label_get_text (GTK_LABEL (error_label)));
      stp_test_wait (100);
    }
  g_assert_true (started);
  g_assert_nonnull (session);
  g_assert_cmpstr (stp_session_get_login (session), ==, "director");
  g_assert_nonnull (stp_test_find_label (GTK_WIDGET (window), "«stupeni-demo»"));

  residents = stp_store_search_residents (store, session, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (residents->len, ==, 300);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* The password is checked on a thread: the answer comes a few main-loop
 * turns after the click. */
static void
press_login (StpLoginWindow *window)
{
  press (GTK_WIDGET (window), "login-button");
  g_assert_true (stp_login_window_is_busy (window));
  for (guint i = 0; i < 1000 && stp_login_window_is_busy (window); i++)
    stp_test_wait (10);
  g_assert_false (stp_login_window_is_busy (window));
}

/* The same for the lock screen's password. */
static void
press_unlock (StpWindow *window)
{
  press (GTK_WIDGET (window), "unlock-button");
  g_assert_true (stp_window_is_checking_password (window));
  for (guint i = 0; i < 1000 && stp_window_is_checking_password (window); i++)
    stp_test_wait (10);
  g_assert_false (stp_window_is_checking_password (window));
}

static void
test_login (void)
{
  g_autoptr(Center) center = center_new ();
  g_autoptr(StpSession) session = NULL;
  StpLoginWindow *window;
  StpWindow *main_window;
  GtkWidget *root;
  GtkWidget *error_label;
  GtkListBox *users;
  GtkWidget *staff_row;

  window = stp_login_window_new (NULL, center->store);
  root = GTK_WIDGET (window);
  g_signal_connect (window, "session-started", G_CALLBACK (on_session_started), &session);
  stp_test_show (GTK_WINDOW (window));

  users = GTK_LIST_BOX (stp_test_find_widget (root, "user-list"));
  staff_row = stp_test_find_widget (root, "staff");
  g_assert_nonnull (staff_row);
  gtk_list_box_select_row (users, GTK_LIST_BOX_ROW (staff_row));

  type_text (root, "password", "wrong password");
  press_login (window);
  error_label = stp_test_find_widget (root, "error-label");
  g_assert_true (gtk_widget_get_visible (error_label));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (error_label)), !=, "");
  g_assert_null (session);
  stp_test_save_picture (GTK_WINDOW (window), "login.png");

  /* Guessing is slowed down, and the window says for how long. */
  gtk_list_box_select_row (users, GTK_LIST_BOX_ROW (stp_test_find_widget (root, "volunteer")));
  for (guint i = 0; i < 12 && strstr (gtk_label_get_text (GTK_LABEL (error_label)), "Слишком много") == NULL; i++)
    {
      type_text (root, "password", "guess");
      press_login (window);
    }
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (error_label)), "Слишком много неудачных попыток"));
  g_assert_null (session);

  gtk_list_box_select_row (users, GTK_LIST_BOX_ROW (staff_row));
  type_text (root, "password", STAFF_PASSWORD);
  press_login (window);
  g_assert_nonnull (session);
  g_assert_cmpstr (stp_session_get_login (session), ==, "staff");
  g_assert_false (gtk_widget_get_visible (error_label));

  main_window = stp_window_new (NULL, center->store, session);
  gtk_window_set_default_size (GTK_WINDOW (main_window), 900, 650);
  stp_test_show (GTK_WINDOW (main_window));
  g_assert_true (stp_window_show_page (main_window, "residents"));
  stp_test_wait_for_residents (GTK_WINDOW (main_window));

  /* Closing remembers the size for the next start. */
  {
    g_autoptr(GSettings) settings = g_settings_new ("org.stupeni.Stupeni");

    gtk_window_close (GTK_WINDOW (main_window));
    g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
    g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_director_pages (void)
{
  g_autoptr(Center) center = center_new ();
  g_autoptr(GError) error = NULL;
  StpWindow *window;
  StpResidentsPage *page;
  GListModel *model;
  GtkColumnView *column_view;
  GtkWidget *stack;
  GtkWidget *child;
  guint n;
  int previous_age = -1;

  window = stp_window_new (NULL, center->store, center->director);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 780);
  stp_test_show (GTK_WINDOW (window));
  /* A director starts on «Обзор» (test-overview-page.c). */
  g_assert_true (stp_window_show_page (window, "residents"));
  stp_test_wait_for_residents (GTK_WINDOW (window));

  page = stp_test_residents_page (GTK_WINDOW (window));
  model = stp_residents_page_get_model (page);
  /* «В программе» by default: every tenth resident was discharged. */
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_RESIDENTS - N_RESIDENTS / 10);
  stp_test_save_picture (GTK_WINDOW (window), "residents.png");

  /* «Мои»: the director is responsible for nobody; the list says so. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (stp_test_find_widget (GTK_WIDGET (window), "responsible-filter")), 1);
  stp_test_wait_for_residents (GTK_WINDOW (window));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, 0);
  g_assert_true (gtk_widget_get_mapped (stp_test_find_widget (GTK_WIDGET (window), "residents-empty")));
  stp_test_save_picture (GTK_WINDOW (window), "residents-empty.png");
  gtk_drop_down_set_selected (GTK_DROP_DOWN (stp_test_find_widget (GTK_WIDGET (window), "responsible-filter")), 0);
  /* «Любой статус»: everyone. */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (stp_test_find_widget (GTK_WIDGET (window), "status-filter")), 0);
  stp_test_wait_for_residents (GTK_WINDOW (window));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_RESIDENTS);
  g_assert_false (gtk_widget_get_mapped (stp_test_find_widget (GTK_WIDGET (window), "residents-empty")));

  /* Sorting by the age column orders the rows by age. */
  column_view = GTK_COLUMN_VIEW (stp_test_find_widget (GTK_WIDGET (window), "residents"));
  gtk_column_view_sort_by_column (column_view,
                                  g_list_model_get_item (gtk_column_view_get_columns (column_view), 2),
                                  GTK_SORT_ASCENDING);
  /* The sort model sorts incrementally: wait until it is done, not a
   * fixed time (under load 100 ms was not enough). */
  g_assert_true (wait_for_sorted_by_age (model, 20000));
  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StpResidentItem) item = g_list_model_get_item (model, i);

      g_assert_cmpint (stp_resident_item_get_age (item), >=, previous_age);
      previous_age = stp_resident_item_get_age (item);
    }

  /* Search as you type runs the core search. */
  type_text (GTK_WIDGET (window), "search", "петров");
  stp_test_wait_for_residents (GTK_WINDOW (window));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, center->n_petrov);
  for (guint i = 0; i < center->n_petrov; i++)
    {
      g_autoptr(StpResidentItem) item = g_list_model_get_item (model, i);

      g_assert_true (g_str_has_prefix (stp_resident_item_get_full_name (item), "Петров "));
    }
  type_text (GTK_WIDGET (window), "search", "");
  stp_test_wait_for_residents (GTK_WINDOW (window));

  stack = stp_test_find_widget (GTK_WIDGET (window), "pages");
  for (guint i = 0; i < 7; i++)
    {
      static const char *names_present[] = {
        "residents", "intake", "follow-ups", "referrals", "reports", "audit", "settings",
      };
      g_assert_nonnull (gtk_stack_get_child_by_name (GTK_STACK (stack), names_present[i]));
    }

  child = show_loading_page (window, "follow-ups");
  /* Every tenth resident was discharged 40 days ago: the 1-month follow-up is overdue. */
  g_assert_cmpuint (stp_follow_ups_page_get_count (STP_FOLLOW_UPS_PAGE (child)), >=, N_RESIDENTS / 10);
  g_assert_nonnull (stp_test_find_label (child, "просрочено"));
  stp_test_save_picture (GTK_WINDOW (window), "follow-ups.png");

  child = show_loading_page (window, "referrals");
  g_assert_cmpuint (stp_referrals_page_get_count (STP_REFERRALS_PAGE (child)), ==, 1);
  g_assert_nonnull (stp_test_find_label (child, "просрочено"));
  stp_test_save_picture (GTK_WINDOW (window), "referrals.png");

  g_assert_true (stp_window_show_page (window, "audit"));
  child = gtk_stack_get_child_by_name (GTK_STACK (stack), "audit");
  g_assert_cmpuint (g_list_model_get_n_items (stp_audit_page_get_model (STP_AUDIT_PAGE (child))), >, 0);
  stp_test_save_picture (GTK_WINDOW (window), "audit.png");

  g_assert_true (stp_window_show_page (window, "settings"));
  stp_test_save_picture (GTK_WINDOW (window), "settings.png");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* “Check the Database File”: the header-bar row shows the check while it
 * runs and says the file is sound; a volunteer has no such action. */
/* The application's window: shown with «Обзор», its other pages (the
 * residents list first) made one per main-loop turn afterwards, in the same
 * order as stp_window_new() makes them; a page asked for early is made at
 * once. */
static char *
page_names (StpWindow *window)
{
  GtkStack *stack = GTK_STACK (stp_test_find_widget (GTK_WIDGET (window), "pages"));
  g_autoptr(GString) names = g_string_new (NULL);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (stack)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    g_string_append_printf (names, "%s ", gtk_stack_page_get_name (gtk_stack_get_page (stack, child)));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static void
test_staged_window (void)
{
  g_autoptr(Center) center = center_new ();
  g_autofree char *eager_names = NULL;
  g_autofree char *first_names = NULL;
  g_autofree char *staged_names = NULL;
  StpWindow *window;

  window = stp_window_new (NULL, center->store, center->director);
  g_assert_true (stp_window_is_built (window));
  eager_names = page_names (window);
  gtk_window_destroy (GTK_WINDOW (window));

  window = stp_window_new_staged (NULL, center->store, center->director);
  g_assert_false (stp_window_is_built (window));
  first_names = page_names (window);
  g_assert_cmpstr (first_names, ==, "overview ");
  /* As test_main_window's (its settings.png beside settings-staged.png). */
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 780);
  stp_test_show (GTK_WINDOW (window));
  for (guint i = 0; i < 100 && !stp_window_is_built (window); i++)
    stp_test_wait (20);
  g_assert_true (stp_window_is_built (window));
  staged_names = page_names (window);
  g_assert_cmpstr (staged_names, ==, eager_names);
  /* The header bar's rows came with the last stage. */
  g_assert_nonnull (stp_test_find_type (GTK_WIDGET (window), STP_TYPE_CHECK_STATUS));
  /* The pages seldom opened are made when first shown: the intake page by
   * its action (Ctrl+N), the settings by the sidebar. */
  g_assert_null (stp_test_find_type (GTK_WIDGET (window), STP_TYPE_INTAKE_PAGE));
  g_assert_null (stp_test_find_type (GTK_WIDGET (window), STP_TYPE_SETTINGS_PAGE));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.intake", NULL));
  g_assert_nonnull (stp_test_find_type (GTK_WIDGET (window), STP_TYPE_INTAKE_PAGE));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stp_test_find_widget (GTK_WIDGET (window), "pages"))),
                   ==, "intake");
  g_assert_null (stp_test_find_type (GTK_WIDGET (window), STP_TYPE_SETTINGS_PAGE));
  gtk_stack_set_visible_child_name (GTK_STACK (stp_test_find_widget (GTK_WIDGET (window), "pages")), "settings");
  g_assert_nonnull (stp_test_find_type (GTK_WIDGET (window), STP_TYPE_SETTINGS_PAGE));
  stp_test_wait (200);
  stp_test_save_picture (GTK_WINDOW (window), "settings-staged.png");
  gtk_window_destroy (GTK_WINDOW (window));

  /* A page asked for before its turn. */
  window = stp_window_new_staged (NULL, center->store, center->director);
  g_assert_true (stp_window_show_page (window, "settings"));
  g_assert_true (stp_window_is_built (window));
  g_free (staged_names);
  staged_names = page_names (window);
  g_assert_cmpstr (staged_names, ==, eager_names);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_check_file (void)
{
  g_autoptr(Center) center = center_new ();
  StpWindow *window;
  StpWindow *other;
  GtkWidget *row;
  gint64 deadline;

  window = stp_window_new (NULL, center->store, center->director);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 780);
  stp_test_show (GTK_WINDOW (window));
  row = stp_test_find_widget (GTK_WIDGET (window), "check-status");
  g_assert_nonnull (row);
  /* A fresh test center: no check ran, the row is hidden. */
  g_assert_null (stp_check_status_get_text (STP_CHECK_STATUS (row)));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.check-file", NULL));
  g_assert_nonnull (stp_check_status_get_text (STP_CHECK_STATUS (row)));
  deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (stp_store_get_check_state (center->store) == STP_STORE_CHECK_RUNNING
         && g_get_monotonic_time () < deadline)
    stp_test_wait (50);
  stp_test_wait (400);
  g_assert_cmpint (stp_store_get_check_state (center->store), ==, STP_STORE_CHECK_OK);
  g_assert_nonnull (stp_test_find_label (GTK_WIDGET (window), "Файл базы данных исправен"));
  stp_test_save_picture (GTK_WINDOW (window), "check-file.png");
  gtk_window_destroy (GTK_WINDOW (window));

  other = stp_window_new (NULL, center->store, center->volunteer);
  stp_test_show (GTK_WINDOW (other));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (other), "win.check-file", NULL)
                  && stp_store_get_check_state (center->store) == STP_STORE_CHECK_RUNNING);
  gtk_window_destroy (GTK_WINDOW (other));
}

static void
test_volunteer_cannot_open_card (void)
{
  g_autoptr(Center) center = center_new ();
  StpWindow *window;
  GtkWidget *stack;
  GtkWidget *column_view;
  StpResidentsPage *page;
  guint windows_before;

  window = stp_window_new (NULL, center->store, center->volunteer);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  stp_test_show (GTK_WINDOW (window));
  stp_test_wait_for_residents (GTK_WINDOW (window));

  stack = stp_test_find_widget (GTK_WIDGET (window), "pages");
  g_assert_nonnull (gtk_stack_get_child_by_name (GTK_STACK (stack), "residents"));
  g_assert_nonnull (gtk_stack_get_child_by_name (GTK_STACK (stack), "intake"));
  g_assert_null (gtk_stack_get_child_by_name (GTK_STACK (stack), "settings"));
  g_assert_null (gtk_stack_get_child_by_name (GTK_STACK (stack), "audit"));
  g_assert_null (gtk_stack_get_child_by_name (GTK_STACK (stack), "follow-ups"));
  g_assert_null (gtk_stack_get_child_by_name (GTK_STACK (stack), "referrals"));
  g_assert_false (stp_window_show_page (window, "settings"));

  page = stp_test_residents_page (GTK_WINDOW (window));
  g_assert_cmpuint (g_list_model_get_n_items (stp_residents_page_get_model (page)), ==,
                    N_RESIDENTS - N_RESIDENTS / 10);

  /* Activating a row tells the volunteer why nothing opens. */
  windows_before = stp_test_count_windows ();
  column_view = stp_test_find_widget (GTK_WIDGET (window), "residents");
  g_signal_emit_by_name (column_view, "activate", 0);
  stp_test_wait (200);
  g_assert_cmpuint (stp_test_count_windows (), ==, windows_before);
  g_assert_nonnull (stp_test_find_label (GTK_WIDGET (window), "Недостаточно прав"));
  stp_test_save_picture (GTK_WINDOW (window), "volunteer.png");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_idle_lock_keeps_text (void)
{
  g_autoptr(Center) center = center_new ();
  StpWindow *window;
  GtkWidget *root;
  GtkWidget *search;
  GtkWidget *lock_page;

  window = stp_window_new (NULL, center->store, center->staff);
  root = GTK_WIDGET (window);
  stp_test_show (GTK_WINDOW (window));
  stp_test_wait_for_residents (GTK_WINDOW (window));

  search = stp_test_find_widget (root, "search");

  /* Ctrl+N goes to intake, Ctrl+F comes back to the search. */
  g_assert_true (gtk_widget_activate_action (root, "win.intake", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stp_test_find_widget (root, "pages"))), ==, "intake");
  g_assert_true (gtk_widget_activate_action (root, "win.search", NULL));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (stp_test_find_widget (root, "pages"))), ==, "residents");
  stp_test_wait (100);
  g_assert_true (gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), search) ||
                 gtk_root_get_focus (GTK_ROOT (window)) == search);

  gtk_editable_set_text (GTK_EDITABLE (search), "Сидор");
  stp_test_wait_for_residents (GTK_WINDOW (window));

  /* Ten minutes without input (the default) lock the window. */
  stp_window_check_idle (window, g_get_monotonic_time () + 5 * 60 * G_USEC_PER_SEC);
  g_assert_false (stp_window_is_locked (window));
  stp_window_check_idle (window, g_get_monotonic_time () + 11 * 60 * G_USEC_PER_SEC);
  g_assert_true (stp_window_is_locked (window));
  lock_page = stp_test_find_widget (root, "lock-page");
  g_assert_true (gtk_widget_get_visible (lock_page));
  g_assert_false (gtk_widget_is_sensitive (search));

  /* Someone else's password does not open it. */
  type_text (root, "lock-password", DIRECTOR_PASSWORD);
  press_unlock (window);
  g_assert_true (stp_window_is_locked (window));
  g_assert_true (gtk_widget_get_visible (stp_test_find_widget (root, "lock-error")));

  type_text (root, "lock-password", STAFF_PASSWORD);
  press_unlock (window);
  g_assert_false (stp_window_is_locked (window));
  g_assert_false (gtk_widget_get_visible (lock_page));
  g_assert_true (gtk_widget_is_sensitive (search));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "Сидор");

  /* Ctrl+L locks at once. */
  g_assert_true (gtk_widget_activate_action (root, "win.lock", NULL));
  g_assert_true (stp_window_is_locked (window));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_staff_opens_card (void)
{
  g_autoptr(Center) center = center_new ();
  g_autoptr(GList) before = NULL;
  g_autoptr(GList) after = NULL;
  GtkWindow *card = NULL;
  StpWindow *window;
  GtkWidget *root;

  window = stp_window_new (NULL, center->store, center->staff);
  root = GTK_WIDGET (window);
  stp_test_show (GTK_WINDOW (window));
  stp_test_wait_for_residents (GTK_WINDOW (window));

  before = gtk_window_list_toplevels ();
  g_signal_emit_by_name (stp_test_find_widget (root, "residents"), "activate", 0);
  stp_test_wait (300);
  after = gtk_window_list_toplevels ();
  g_assert_cmpuint (g_list_length (after), ==, g_list_length (before) + 1);
  for (GList *l = after; l != NULL; l = l->next)
    if (g_list_find (before, l->data) == NULL)
      card = l->data;
  g_assert_nonnull (card);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (card)));

  /* The lock hides open cards and unlocking shows them again. */
  stp_window_lock (window);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (card)));
  type_text (root, "lock-password", STAFF_PASSWORD);
  press_unlock (window);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (card)));

  /* Cards go with the window of their session. */
  g_object_add_weak_pointer (G_OBJECT (card), (gpointer *) &card);
  gtk_window_destroy (GTK_WINDOW (window));
  stp_test_wait (100);
  g_assert_null (card);
}

/* A new application on @path, registered and activated: each start is
 * its own application on the bus, as separate runs are. */
static StpApplication *
activate_application (const char *path)
{
  StpApplication *app = stp_application_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *app_id = NULL;
  static guint counter;

  app_id = g_strdup_printf ("org.stupeni.Stupeni.Test%u", ++counter);
  g_application_set_application_id (G_APPLICATION (app), app_id);
  g_setenv ("STUPENI_DATABASE", path, TRUE);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  return app;
}

/* Takes @app's windows from it (for the caller to destroy) and quits it. */
static GList *
take_windows (StpApplication *app)
{
  GList *windows = NULL;

  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    windows = g_list_prepend (windows, g_object_ref (l->data));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_set_application (l->data, NULL);
  g_application_quit (G_APPLICATION (app));
  return windows;
}

/* Starts the application on @path and returns its toplevel windows. */
static GList *
start_application (const char *path)
{
  g_autoptr(StpApplication) app = activate_application (path);

  stp_test_wait (300);
  return take_windows (app);
}

/* A center with its director in a new file at @path. */
static void
create_center_file (const char *path,
                    const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpStore) store = stp_store_open (path, &error);
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(StpSession) session = NULL;

  g_assert_no_error (error);
  center->name = g_strdup (name);
  session = stp_store_create_center (store, center, "director", "Орлова Анна Сергеевна",
                                     DIRECTOR_PASSWORD, &error);
  g_assert_no_error (error);
}

static void
destroy_windows (GList *windows)
{
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (l->data);
  g_list_free_full (windows, g_object_unref);
}

static void
test_application_start (void)
{
  g_autofree char *dir = g_dir_make_tmp ("stupeni-app-XXXXXX", NULL);
  g_autofree char *empty_path = g_build_filename (dir, "new.db", NULL);
  g_autofree char *bad_path = g_build_filename (dir, "bad.db", NULL);
  g_autofree char *center_path = g_build_filename (dir, "center.db", NULL);
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  const char *garbage = "This is not an SQLite database, only text that must stay as it is.\n";
  GList *windows;
  gsize length;

  /* The shortcuts window (Ctrl+?) builds from its resource. */
  {
    g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource ("/org/stupeni/Stupeni/shortcuts.ui");

    g_assert_true (GTK_IS_SHORTCUTS_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
    gtk_window_destroy (GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay")));
  }

  /* An empty file: the first-run window. */
  windows = start_application (empty_path);
  g_assert_cmpuint (g_list_length (windows), ==, 1);
  g_assert_true (STP_IS_FIRST_RUN_WINDOW (windows->data));
  destroy_windows (windows);

  /* A file that is not a database: a message, and the file is untouched. */
  g_file_set_contents (bad_path, garbage, -1, &error);
  g_assert_no_error (error);
  windows = start_application (bad_path);
  g_assert_cmpuint (g_list_length (windows), ==, 1);
  g_assert_true (ADW_IS_MESSAGE_DIALOG (windows->data));
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (windows->data), "Не удаётся открыть"));
  destroy_windows (windows);
  g_file_get_contents (bad_path, &after, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, garbage);

  /* A center: the login window. */
  create_center_file (center_path, "Центр");
  windows = start_application (center_path);
  g_assert_cmpuint (g_list_length (windows), ==, 1);
  g_assert_true (STP_IS_LOGIN_WINDOW (windows->data));
  destroy_windows (windows);

  /* A file of the previous schema: a window says it is being updated
   * at once (the check, the copy and the migration run on a thread),
   * then the login window replaces it. */
  {
    g_autoptr(StpApplication) app = NULL;
    g_autofree char *old_path = g_build_filename (dir, "old.db", NULL);
    g_autofree char *bak = g_strdup_printf ("%s.v%d.bak", old_path, STP_SCHEMA_VERSION - 1);
    g_autofree char *sql = g_strdup_printf ("DROP TABLE parked_batches; PRAGMA user_version = %d;",
                                            STP_SCHEMA_VERSION - 1);
    GtkWindow *first;
    sqlite3 *db;

    create_center_file (old_path, "Старый центр");
    g_assert_cmpint (sqlite3_open (old_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    sqlite3_close (db);
    g_assert_true (stp_store_needs_upgrade (old_path));

    app = activate_application (old_path);
    windows = gtk_application_get_windows (GTK_APPLICATION (app));
    g_assert_cmpuint (g_list_length (windows), ==, 1);
    first = windows->data;
    g_assert_false (STP_IS_LOGIN_WINDOW (first));
    g_assert_cmpstr (gtk_window_get_title (first), ==, "Обновление базы данных центра");

    for (int i = 0; i < 200; i++)
      {
        windows = gtk_application_get_windows (GTK_APPLICATION (app));
        if (windows != NULL && STP_IS_LOGIN_WINDOW (windows->data))
          break;
        stp_test_wait (50);
      }
    windows = gtk_application_get_windows (GTK_APPLICATION (app));
    g_assert_cmpuint (g_list_length (windows), ==, 1);
    if (ADW_IS_MESSAGE_DIALOG (windows->data))
      g_test_message ("%s", adw_message_dialog_get_body (windows->data));
    g_assert_true (STP_IS_LOGIN_WINDOW (windows->data));
    g_assert_true (g_file_test (bak, G_FILE_TEST_IS_REGULAR));
    g_assert_false (stp_store_needs_upgrade (old_path));
    destroy_windows (take_windows (app));
  }

  g_unsetenv ("STUPENI_DATABASE");
  stp_test_remove_tree (dir);
}

static void
test_settings_user_and_stage (void)
{
  g_autoptr(Center) center = center_new ();
  g_autoptr(GPtrArray) users = NULL;
  g_autoptr(StpStage) stage = NULL;
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *button_name = NULL;
  StpWindow *window;
  GtkWidget *settings;
  gboolean found = FALSE;

  window = stp_window_new (NULL, center->store, center->director);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 800);
  stp_test_show (GTK_WINDOW (window));
  g_assert_true (stp_window_show_page (window, "settings"));
  settings = gtk_stack_get_child_by_name (GTK_STACK (stp_test_find_widget (GTK_WIDGET (window), "pages")),
                                          "settings");

  type_text (settings, "new-login", "sokolova");
  type_text (settings, "new-full-name", "Соколова Мария Петровна");
  type_text (settings, "new-password", "новый-пароль");
  press (settings, "create-user");

  users = stp_store_list_login_users (center->store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < users->len; i++)
    {
      StpUser *user = g_ptr_array_index (users, i);

      if (g_str_equal (user->login, "sokolova"))
        {
          found = TRUE;
          g_assert_cmpint (user->role, ==, STP_ROLE_STAFF);
          g_assert_cmpstr (user->full_name, ==, "Соколова Мария Петровна");
        }
    }
  g_assert_true (found);
  session = stp_store_login (center->store, "sokolova", "новый-пароль", &error);
  g_assert_no_error (error);
  g_assert_nonnull (stp_test_find_widget (settings, "user-sokolova"));

  /* The first stage has entries (every resident was admitted to it): it is
   * retired, not deleted. */
  button_name = g_strdup_printf ("remove-stage-%s", center->first_stage_id);
  press (settings, button_name);
  stage = stp_store_get_stage (center->store, center->director, center->first_stage_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (stage);
  g_assert_true (stage->retired);
  g_assert_false (stage->meta.deleted);
  g_assert_null (stp_test_find_widget (settings, button_name));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Measured by hand against a generated center (bench/stupeni-generate):
 * STUPENI_TEST_BIG_DATABASE=/path/to/center.db.  Prints timings only. */
static void
test_big_center (void)
{
  const char *path = g_getenv ("STUPENI_TEST_BIG_DATABASE");
  g_autoptr(StpStore) store = NULL;
  g_autoptr(StpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  StpResidentsPage *page;
  StpWindow *window;
  gint64 start, shown, loaded;

  if (path == NULL)
    {
      g_test_skip ("Set STUPENI_TEST_BIG_DATABASE to a generated center to measure");
      return;
    }

  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  session = stp_store_login (store, "director", "stupeni-demo", &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  window = stp_window_new (NULL, store, session);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    g_main_context_iteration (NULL, TRUE);
  shown = g_get_monotonic_time ();
  stp_test_wait_for_residents (GTK_WINDOW (window));
  loaded = g_get_monotonic_time ();
  page = stp_test_residents_page (GTK_WINDOW (window));
  g_test_message ("window mapped in %.0f ms; %u residents listed after %.0f ms (300 ms of it the test's own wait)",
                  (shown - start) / 1000.0,
                  g_list_model_get_n_items (stp_residents_page_get_model (page)),
                  (loaded - start) / 1000.0);

  for (guint i = 0; i < 3; i++)
    {
      static const char *texts[] = { "и", "ив", "иван" };

      start = g_get_monotonic_time ();
      type_text (GTK_WIDGET (window), "search", texts[i]);
      stp_test_wait_for_residents (GTK_WINDOW (window));
      g_test_message ("status: %s", gtk_label_get_text (GTK_LABEL (stp_test_find_widget (GTK_WIDGET (window), "count-label"))));
      g_test_message ("search “%s”: %u rows after %.0f ms (including the 150 ms typing delay and 300 ms wait)",
                      texts[i], g_list_model_get_n_items (stp_residents_page_get_model (page)),
                      (g_get_monotonic_time () - start) / 1000.0);
    }

  for (guint i = 0; i < 4; i++)
    {
      static const char *pages[] = { "follow-ups", "referrals", "audit", "settings" };

      start = g_get_monotonic_time ();
      if (i < 2)
        show_loading_page (window, pages[i]);
      else
        stp_window_show_page (window, pages[i]);
      g_test_message ("page %s shown and loaded in %.0f ms (follow-ups and referrals load off the main thread)",
                      pages[i], (g_get_monotonic_time () - start) / 1000.0);
    }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  stp_test_gui_init (&argc, &argv);
  /* The password checks answer a few main-loop turns later; meanwhile a
   * blinking cursor's timer finds its entry without focus (no window
   * manager under Xvfb: no window is active) and GTK warns. */
  g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", FALSE, NULL);

  g_test_add_func ("/gui/application/start", test_application_start);
  g_test_add_func ("/gui/first-run/creates-center", test_first_run_creates_center);
  g_test_add_func ("/gui/first-run/demo", test_first_run_demo);
  g_test_add_func ("/gui/login/wrong-then-right", test_login);
  g_test_add_func ("/gui/window/director-pages", test_director_pages);
  g_test_add_func ("/gui/window/volunteer", test_volunteer_cannot_open_card);
  g_test_add_func ("/gui/window/staged", test_staged_window);
  g_test_add_func ("/gui/window/check-file", test_check_file);
  g_test_add_func ("/gui/window/idle-lock", test_idle_lock_keeps_text);
  g_test_add_func ("/gui/window/staff-opens-card", test_staff_opens_card);
  g_test_add_func ("/gui/window/big-center", test_big_center);
  g_test_add_func ("/gui/settings/user-and-stage", test_settings_user_and_stage);

  return g_test_run ();
}
