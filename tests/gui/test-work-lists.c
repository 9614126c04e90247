/* Issue 12, "Working lists": «Катамнез» and «Направления» grouped per
 * resident (a heading row, then what is to be done for them), filtered by
 * the responsible specialist and by period, overdue first, with the
 * overdue count in the sidebar.  A real center file, the real window under
 * Xvfb; pictures at 1024×600 and 1280×1024, light and dark. */
#define G_LOG_DOMAIN "test-work-lists"

#include "config.h"

#include "stp-window.h"
#include "stp-follow-ups-page.h"
#include "stp-referrals-page.h"
#include "stp-work-row.h"
#include "stp-gui-test-helpers.h"
#include "stp-test-store.h"

#include <string.h>

#define DIRECTOR_PASSWORD "директор-пароль"
/* Residents of the many-rows test, five follow-ups each. */
#ifndef N_MANY
#define N_MANY 60
#endif

typedef struct
{
  StpStore   *store;
  StpSession *director;
  char       *director_id;
  char       *gromov_id;
  char       *program_id;
  char       *aksenov;    /* Громов's; 1-month follow-up overdue; referral answer overdue */
  char       *borisov;    /* the director's; follow-up due in ~5 days; referral answered long ago */
  char       *vasiliev;   /* Громов's; follow-up due in ~28 days; referral sent 5 days ago */
} Center;

static char *
add_user (Center     *center,
          const char *login,
          const char *full_name,
          StpRole     role)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(GError) error = NULL;

  user->login = g_strdup (login);
  user->full_name = g_strdup (full_name);
  user->role = role;
  user->active = TRUE;
  stp_store_save_user_with_password (center->store, center->director, user, "пароль-пароль", &error);
  g_assert_no_error (error);
  return g_strdup (user->meta.id);
}

/* A resident admitted 60 days ago with @responsible_id, discharged
 * @discharged_days_ago (the 1, 3, 6, 12 and 24-month follow-ups are then
 * planned), unless it is negative. */
static char *
add_resident (Center     *center,
              const char *surname,
              const char *name,
              const char *patronymic,
              const char *file_number,
              const char *responsible_id,
              int         discharged_days_ago)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(GError) error = NULL;

  resident->surname = g_strdup (surname);
  resident->name = g_strdup (name);
  resident->patronymic = g_strdup (patronymic);
  resident->birth_date = g_strdup ("1985-04-12");
  resident->sex = STP_SEX_MALE;
  resident->file_number = g_strdup (file_number);
  stp_store_save_resident (center->store, center->director, resident, &error);
  g_assert_no_error (error);
  episode->resident_id = g_strdup (resident->meta.id);
  episode->program_id = g_strdup (center->program_id);
  episode->admitted_on = stp_test_days_from_today (center->store, -60 - MAX (discharged_days_ago, 0));
  episode->referral_source = STP_REFERRAL_SOURCE_RELATIVES;
  episode->payment_source = STP_PAYMENT_FREE;
  episode->responsible_user_id = g_strdup (responsible_id);
  stp_store_admit (center->store, center->director, episode, &error);
  g_assert_no_error (error);
  if (discharged_days_ago >= 0)
    {
      g_autofree char *on = stp_test_days_from_today (center->store, -discharged_days_ago);

      stp_store_discharge (center->store, center->director, episode->meta.id, STP_EPISODE_COMPLETED,
                           on, "Программа пройдена", &error);
      g_assert_no_error (error);
    }
  return g_strdup (resident->meta.id);
}

static void
add_referral (Center           *center,
              const char       *resident_id,
              StpDirection      direction,
              const char       *agency_name,
              int               sent_days_ago,
              int               due_days_ago,
              int               answered_days_ago)
{
  g_autoptr(StpReferral) referral = stp_referral_new ();
  g_autoptr(GError) error = NULL;

  referral->resident_id = g_strdup (resident_id);
  referral->direction = direction;
  referral->agency_kind = STP_AGENCY_SOCIAL;
  referral->agency_name = g_strdup (agency_name);
  referral->sent_on = stp_test_days_from_today (center->store, -sent_days_ago);
  referral->purpose = g_strdup ("Восстановление документов");
  if (due_days_ago != G_MININT)
    referral->due_on = stp_test_days_from_today (center->store, -due_days_ago);
  if (answered_days_ago >= 0)
    referral->response_on = stp_test_days_from_today (center->store, -answered_days_ago);
  g_assert_true (stp_store_save (center->store, center->director, STP_KIND_REFERRAL, referral, &error));
  g_assert_no_error (error);
}

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
  center->director_id = g_strdup (stp_session_get_user_id (center->director));
  programs = stp_store_list (center->store, center->director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  center->program_id = g_strdup (((StpProgram *) g_ptr_array_index (programs, 0))->meta.id);
  center->gromov_id = add_user (center, "gromov", "Громов Павел Игоревич", STP_ROLE_STAFF);

  center->aksenov = add_resident (center, "Аксёнов", "Константин", "Владимирович", "2026-001",
                                  center->gromov_id, 40);
  center->borisov = add_resident (center, "Борисов", "Иван", "Петрович", "2026-002",
                                  center->director_id, 25);
  center->vasiliev = add_resident (center, "Васильев", "Олег", "Ильич", "2026-003",
                                   center->gromov_id, 2);

  add_referral (center, center->aksenov, STP_DIRECTION_OUTGOING,
                "Управление социальной защиты населения по г. Перми", 100, 70, -1);
  add_referral (center, center->aksenov, STP_DIRECTION_INCOMING, "Центр занятости населения", 10,
                G_MININT, -1);
  add_referral (center, center->borisov, STP_DIRECTION_OUTGOING, "Отдел ЗАГС", 200, 170, 180);
  add_referral (center, center->vasiliev, STP_DIRECTION_OUTGOING, "Пенсионный фонд", 5, -20, -1);
}

static void
center_clear (Center *center)
{
  g_clear_object (&center->director);
  g_clear_object (&center->store);
  g_free (center->director_id);
  g_free (center->gromov_id);
  g_free (center->program_id);
  g_free (center->aksenov);
  g_free (center->borisov);
  g_free (center->vasiliev);
}

static void
wait_for_page (StpListPage *page)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  stp_test_iterate ();
  while (stp_list_page_is_loading (page) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (stp_list_page_is_loading (page));
  stp_test_iterate ();
}

static StpListPage *
show_page (StpWindow  *window,
           const char *name)
{
  GtkWidget *stack = stp_test_get (GTK_WIDGET (window), "pages");
  StpListPage *page;

  g_assert_true (stp_window_show_page (window, name));
  page = STP_LIST_PAGE (gtk_stack_get_child_by_name (GTK_STACK (stack), name));
  wait_for_page (page);
  return page;
}

static void
select_filter (StpListPage *page,
               const char  *name,
               const char  *label)
{
  GtkDropDown *dropdown = GTK_DROP_DOWN (stp_test_get (GTK_WIDGET (page), name));
  GListModel *labels = gtk_drop_down_get_model (dropdown);

  for (guint i = 0; i < g_list_model_get_n_items (labels); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (labels), i), label))
      {
        gtk_drop_down_set_selected (dropdown, i);
        wait_for_page (page);
        return;
      }
  g_error ("no «%s» in %s", label, name);
}

/* The rows as text: "# heading" for a resident, "  - title [state]" for
 * an item, one a line. */
static char *
rows_text (StpListPage *page)
{
  GListModel *model = stp_list_page_get_model (page);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StpWorkRow) row = g_list_model_get_item (model, i);
      const char *state = stp_work_row_get_state (row);

      g_string_append_printf (s, "%s%s%s%s%s\n",
                              stp_work_row_is_header (row) ? "# " : "  - ",
                              stp_work_row_get_title (row),
                              state != NULL ? " [" : "", state != NULL ? state : "",
                              state != NULL ? "]" : "");
    }
  return g_string_free (s, FALSE);
}

/* The residents' headings, in order, by surname. */
static char *
headings (StpListPage *page)
{
  GListModel *model = stp_list_page_get_model (page);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(StpWorkRow) row = g_list_model_get_item (model, i);

      if (stp_work_row_is_header (row))
        {
          const char *title = stp_work_row_get_title (row);

          if (s->len > 0)
            g_string_append_c (s, ' ');
          g_string_append_len (s, title, strchr (title, ' ') - title);
        }
    }
  return g_string_free (s, FALSE);
}

/* Every item row follows its own resident's heading. */
static void
assert_grouped (StpListPage *page)
{
  GListModel *model = stp_list_page_get_model (page);
  g_autofree char *resident = NULL;
  guint n = g_list_model_get_n_items (model);

  g_assert_cmpuint (n, >, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StpWorkRow) row = g_list_model_get_item (model, i);

      if (i == 0)
        g_assert_true (stp_work_row_is_header (row));
      if (stp_work_row_is_header (row))
        {
          g_free (resident);
          resident = g_strdup (stp_work_row_get_resident_id (row));
        }
      else
        g_assert_cmpstr (stp_work_row_get_resident_id (row), ==, resident);
    }
}

static const char *
sidebar_title (StpWindow  *window,
               const char *name)
{
  GtkStack *stack = GTK_STACK (stp_test_get (GTK_WIDGET (window), "pages"));

  return gtk_stack_page_get_title (gtk_stack_get_page (stack, gtk_stack_get_child_by_name (stack, name)));
}

static void
save_pictures (StpWindow  *window,
               const char *name)
{
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *light = g_strdup_printf ("%s.png", name);
  g_autofree char *dark = g_strdup_printf ("%s-dark.png", name);

  stp_test_wait (100);
  stp_test_save_picture (GTK_WINDOW (window), light);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  stp_test_wait (100);
  stp_test_save_picture (GTK_WINDOW (window), dark);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_LIGHT);
  stp_test_wait (50);
}

static StpWindow *
open_window (Center *center,
             int     width,
             int     height)
{
  StpWindow *window = stp_window_new (NULL, center->store, center->director);

  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  stp_test_show (GTK_WINDOW (window));
  stp_test_wait_for_residents (GTK_WINDOW (window));
  return window;
}

static void
test_follow_ups (void)
{
  Center center = { 0 };
  StpWindow *window;
  StpListPage *page;
  const StpWorkCounts *counts;
  g_autofree char *text = NULL;
  g_autofree char *order = NULL;
  GtkStack *stack;
  gint64 deadline;

  center_init (&center);
  {
    /* The sidebar's first numbers: two counts, the same as the lists'. */
    StpOverdueCounts overdue;
    g_autofree char *today = stp_store_today (center.store);
    g_autoptr(GError) error = NULL;

    g_assert_true (stp_store_count_overdue_work (center.store, center.director, today, &overdue, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (overdue.follow_ups, ==, 1);
    g_assert_cmpuint (overdue.referrals, ==, 1);
  }
  window = open_window (&center, 1024, 600);
  stack = GTK_STACK (stp_test_get (GTK_WIDGET (window), "pages"));

  /* The sidebar counts the overdue ones before the page is visited. */
  page = STP_LIST_PAGE (gtk_stack_get_child_by_name (stack, "follow-ups"));
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_str_equal (sidebar_title (window, "follow-ups"), "Катамнез (1)")
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (sidebar_title (window, "follow-ups"), ==, "Катамнез (1)");

  /* Default: due in the next 30 days, anyone's. */
  page = show_page (window, "follow-ups");
  text = rows_text (page);
  g_test_message ("follow-ups:\n%s", text);
  assert_grouped (page);
  order = headings (page);
  /* The overdue one first, then by the nearest due date. */
  g_assert_cmpstr (order, ==, "Аксёнов Борисов Васильев");
  counts = stp_list_page_get_counts (page);
  g_assert_cmpuint (counts->n_items, ==, 3);
  g_assert_cmpuint (counts->n_overdue, ==, 1);
  g_assert_cmpuint (counts->n_residents, ==, 3);
  g_assert_nonnull (strstr (text, "# Аксёнов Константин Владимирович (2026-001) [просрочено: 1 из 1]"));
  g_assert_nonnull (strstr (text, "  - 1 мес. после выписки"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (stp_test_get (GTK_WIDGET (page), "summary-label"))),
                            "К выполнению: 3, просрочено: 1, человек: 3."));
  g_assert_nonnull (stp_test_find_label (GTK_WIDGET (page), "Ответственный: Громов Павел Игоревич"));
  /* No spinner: the rows come in one model update. */
  g_assert_null (stp_test_find_type (GTK_WIDGET (page), GTK_TYPE_SPINNER));
  save_pictures (window, "work-follow-ups-1024");

  /* By responsible specialist. */
  select_filter (page, "worklist-responsible", "Громов Павел Игоревич");
  g_clear_pointer (&order, g_free);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Аксёнов Васильев");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 2);
  select_filter (page, "worklist-responsible", "Мои");
  g_clear_pointer (&order, g_free);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Борисов");
  /* The sidebar follows the filters the list has: nothing overdue is hers. */
  g_assert_cmpstr (sidebar_title (window, "follow-ups"), ==, "Катамнез");
  select_filter (page, "worklist-responsible", "Любой ответственный");
  g_assert_cmpstr (sidebar_title (window, "follow-ups"), ==, "Катамнез (1)");

  /* By period: overdue ones whatever the period. */
  select_filter (page, "worklist-period", "Срок в ближайшие 7 дней");
  g_clear_pointer (&order, g_free);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Аксёнов Борисов");
  select_filter (page, "worklist-period", "Только просроченные");
  g_clear_pointer (&order, g_free);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Аксёнов");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 1);
  /* Every follow-up planned: five each, grouped under three headings. */
  select_filter (page, "worklist-period", "Любой срок");
  assert_grouped (page);
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 15);
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_residents, ==, 3);
  g_assert_cmpuint (g_list_model_get_n_items (stp_list_page_get_model (page)), ==, 18);
  g_clear_pointer (&text, g_free);
  text = rows_text (page);
  g_test_message ("follow-ups, any due date:\n%s", text);
  /* Within a resident: the overdue one first. */
  g_assert_true (g_str_has_prefix (text, "# Аксёнов Константин Владимирович (2026-001) [просрочено: 1 из 5]\n"
                                         "  - 1 мес. после выписки"));
  save_pictures (window, "work-follow-ups-all-1024");
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_window (&center, 1280, 1024);
  page = show_page (window, "follow-ups");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 3);
  save_pictures (window, "work-follow-ups-1280");
  gtk_window_destroy (GTK_WINDOW (window));

  stp_test_iterate ();
  center_clear (&center);
}

static void
test_referrals (void)
{
  Center center = { 0 };
  StpWindow *window;
  StpListPage *page;
  g_autofree char *text = NULL;
  g_autofree char *order = NULL;
  gint64 deadline;

  center_init (&center);
  window = open_window (&center, 1024, 600);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (!g_str_equal (sidebar_title (window, "referrals"), "Направления (1)")
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (sidebar_title (window, "referrals"), ==, "Направления (1)");

  /* Default: sent any time. */
  page = show_page (window, "referrals");
  text = rows_text (page);
  g_test_message ("referrals:\n%s", text);
  assert_grouped (page);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Аксёнов Васильев Борисов");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 4);
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_overdue, ==, 1);
  /* The overdue answer first within its resident. */
  g_assert_true (g_str_has_prefix (text, "# Аксёнов Константин Владимирович (2026-001) [просрочено: 1 из 2]\n"
                                         "  - Управление социальной защиты населения по г. Перми [просрочено с "));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (stp_test_get (GTK_WIDGET (page), "summary-label"))),
                            "Направлений: 4, просрочено ответов: 1, человек: 3."));
  save_pictures (window, "work-referrals-1024");

  /* By period (when sent): the overdue one whatever the period. */
  select_filter (page, "worklist-period", "Отправлены за 30 дней");
  g_clear_pointer (&order, g_free);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Аксёнов Васильев");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 3);
  select_filter (page, "worklist-period", "Только с просроченным ответом");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 1);
  select_filter (page, "worklist-period", "Отправлены когда угодно");

  /* By responsible specialist. */
  select_filter (page, "worklist-responsible", "Мои");
  g_clear_pointer (&order, g_free);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Борисов");
  g_assert_cmpstr (sidebar_title (window, "referrals"), ==, "Направления");
  select_filter (page, "worklist-responsible", "Громов Павел Игоревич");
  g_clear_pointer (&order, g_free);
  order = headings (page);
  g_assert_cmpstr (order, ==, "Аксёнов Васильев");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 3);
  gtk_window_destroy (GTK_WINDOW (window));

  window = open_window (&center, 1280, 1024);
  page = show_page (window, "referrals");
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 4);
  save_pictures (window, "work-referrals-1280");
  gtk_window_destroy (GTK_WINDOW (window));

  stp_test_iterate ();
  center_clear (&center);
}

/* Some 300 rows come at once, with no spinner and no cap. */
static void
test_many_rows (void)
{
  Center center = { 0 };
  StpWindow *window;
  StpListPage *page;
  gint64 start;

  center_init (&center);
  for (guint i = 0; i < N_MANY; i++)
    {
      g_autofree char *surname = g_strdup_printf ("Жуков-%02u", i);
      g_autofree char *number = g_strdup_printf ("2025-%03u", i);
      g_autofree char *id = add_resident (&center, surname, "Андрей", "Львович", number,
                                          i % 2 ? center.gromov_id : center.director_id,
                                          (int) i * 3);
    }
  window = open_window (&center, 1024, 600);
  page = show_page (window, "follow-ups");
  select_filter (page, "worklist-period", "Любой срок");
  start = g_get_monotonic_time ();
  stp_list_page_reload (page);
  wait_for_page (page);
  g_test_message ("%u rows shown in %.1f ms (wall, loaded machine)",
                  g_list_model_get_n_items (stp_list_page_get_model (page)),
                  (g_get_monotonic_time () - start) / 1000.0);
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_items, ==, 15 + N_MANY * 5);
  g_assert_cmpuint (stp_list_page_get_counts (page)->n_residents, ==, 3 + N_MANY);
  assert_grouped (page);
  g_assert_null (stp_test_find_type (GTK_WIDGET (page), GTK_TYPE_SPINNER));
  gtk_window_destroy (GTK_WINDOW (window));
  stp_test_iterate ();
  center_clear (&center);
}

int
main (int   argc,
      char *argv[])
{
  stp_test_gui_init (&argc, &argv);

  g_test_add_func ("/work-lists/follow-ups", test_follow_ups);
  g_test_add_func ("/work-lists/referrals", test_referrals);
  g_test_add_func ("/work-lists/many-rows", test_many_rows);

  return g_test_run ();
}
