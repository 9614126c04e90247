/* test-intake.c: the intake page driven through its widgets, checked
 * against the database. */
#include "card-test-util.h"

#include <string.h>

#include "stp-intake-page.h"
#include "stp-intake-draft.h"
#include "stp-store-drafts.h"

typedef struct
{
  CardTestDb  db;
  GtkWidget  *window;
  GtkWidget  *page;
  char       *created_id;
  char       *opened_id;
  StpSession *page_session;   /* NULL: the director's */
} Fixture;

static void
on_resident_created (GtkWidget  *page,
                     const char *resident_id,
                     Fixture    *fixture)
{
  g_free (fixture->created_id);
  fixture->created_id = g_strdup (resident_id);
}

static void
on_open_resident (GtkWidget  *page,
                  const char *resident_id,
                  Fixture    *fixture)
{
  g_free (fixture->opened_id);
  fixture->opened_id = g_strdup (resident_id);
}

static void
make_page (Fixture *fixture)
{
  fixture->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (fixture->window), 860, 900);
  fixture->page = stp_intake_page_new (fixture->db.store,
                                       fixture->page_session ? fixture->page_session : fixture->db.session);
  g_signal_connect (fixture->page, "resident-created", G_CALLBACK (on_resident_created), fixture);
  g_signal_connect (fixture->page, "open-resident", G_CALLBACK (on_open_resident), fixture);
  gtk_window_set_child (GTK_WINDOW (fixture->window), fixture->page);
  gtk_window_present (GTK_WINDOW (fixture->window));
  stp_test_iterate ();
}

static void
destroy_page (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  fixture->window = NULL;
  fixture->page = NULL;
  stp_test_iterate ();
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  card_test_db_open (&fixture->db);
  make_page (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  destroy_page (fixture);
  card_test_db_close (&fixture->db);
  g_free (fixture->created_id);
  g_free (fixture->opened_id);
  g_clear_object (&fixture->page_session);
}

static const char *
visible_step (Fixture *fixture)
{
  GtkWidget *stack = gtk_widget_get_first_child (fixture->page);

  /* The page holds a toast overlay > box > … stack; find it by type. */
  while (stack != NULL && !GTK_IS_STACK (stack))
    {
      GtkWidget *next = gtk_widget_get_first_child (stack);

      if (next == NULL)
        break;
      /* Walk the first branch down, then siblings of each level. */
      for (GtkWidget *sibling = next; sibling != NULL; sibling = gtk_widget_get_next_sibling (sibling))
        if (GTK_IS_STACK (sibling))
          {
            next = sibling;
            break;
          }
      stack = next;
    }
  g_assert_true (GTK_IS_STACK (stack));
  return gtk_stack_get_visible_child_name (GTK_STACK (stack));
}

static void
fill_person (Fixture    *fixture,
             const char *surname,
             const char *birth_date)
{
  GtkWidget *form = stp_test_get (fixture->page, "person-form");

  stp_test_set_text (form, "surname", surname);
  stp_test_set_text (form, "name", "Иван");
  stp_test_set_text (form, "patronymic", "Петрович");
  stp_test_set_text (form, "birth_date", birth_date);
  adw_combo_row_set_selected (ADW_COMBO_ROW (stp_test_get (form, "sex")), 1);
  stp_test_set_text (form, "phone", "+7 912 345-67-89");
  stp_test_set_text (form, "citizenship", "Российская Федерация");
  stp_test_set_text (form, "registration_address", "г. Пермь, ул. Ленина, 1");
}

static void
add_relative (Fixture    *fixture,
              const char *full_name,
              guint       relation,
              gboolean    minor)
{
  GtkWidget *form = stp_test_get (fixture->page, "relative-form");

  stp_test_set_text (form, "full_name", full_name);
  adw_combo_row_set_selected (ADW_COMBO_ROW (stp_test_get (form, "relation")), relation);
  stp_test_set_text (form, "phone", "+7 912 000-00-01");
  gtk_switch_set_active (GTK_SWITCH (stp_test_find_type (stp_test_get (form, "codependent"), GTK_TYPE_SWITCH)), TRUE);
  if (minor)
    gtk_switch_set_active (GTK_SWITCH (stp_test_find_type (stp_test_get (form, "minor"), GTK_TYPE_SWITCH)), TRUE);
  stp_test_click (fixture->page, "add_relative_button");
}

static void
test_full_intake (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *consent;

  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 0);
  g_assert_cmpstr (visible_step (fixture), ==, "person");
  fill_person (fixture, "Кузнецов", "15.03.1985");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "intake-step-1.png");
  /* Enter in a field goes on, like «Далее». */
  g_signal_emit_by_name (stp_test_get (stp_test_get (fixture->page, "person-form"), "citizenship"),
                         "entry-activated");
  stp_test_iterate ();
  g_assert_cmpstr (visible_step (fixture), ==, "episode");

  stp_test_set_text (stp_test_get (fixture->page, "episode-form"), "certificate_number", "59-0001234");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "intake-step-2.png");
  stp_test_click (fixture->page, "next_button");
  g_assert_cmpstr (visible_step (fixture), ==, "relatives");

  add_relative (fixture, "Кузнецова Мария Ивановна", 0, FALSE);
  add_relative (fixture, "Кузнецов Артём Иванович", 3, TRUE);
  stp_test_save_picture (GTK_WINDOW (fixture->window), "intake-step-3.png");
  stp_test_click (fixture->page, "next_button");
  g_assert_cmpstr (visible_step (fixture), ==, "consents");

  consent = stp_test_get (fixture->page, "consent-personal_data");
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (consent), TRUE);
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (consent), TRUE);
  stp_test_save_picture (GTK_WINDOW (fixture->window), "intake-step-4.png");
  stp_test_click (fixture->page, "save_button");

  g_assert_nonnull (fixture->created_id);
  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 1);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_EPISODE, "resident_id", fixture->created_id), ==, 1);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_RELATIVE, "resident_id", fixture->created_id), ==, 2);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_CONSENT, "resident_id", fixture->created_id), ==, 1);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_STAGE_ENTRY, NULL, NULL), ==, 1);
  {
    g_autoptr(StpResident) resident = stp_store_get_resident (fixture->db.store, fixture->db.session,
                                                              fixture->created_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (resident->surname, ==, "Кузнецов");
    g_assert_cmpstr (resident->birth_date, ==, "1985-03-15");
    g_assert_nonnull (resident->file_number);
  }
  /* A successful save clears the draft and the form. */
  card_test_wait (700);
  {
    g_autofree char *draft = stp_store_load_intake_draft (fixture->db.store, fixture->db.session, NULL);
    g_assert_null (draft);
  }
  g_assert_cmpstr (visible_step (fixture), ==, "person");
}

static char *
save_resident_directly (Fixture    *fixture,
                        const char *surname)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(GError) error = NULL;

  resident->surname = g_strdup (surname);
  resident->name = g_strdup ("Иван");
  resident->patronymic = g_strdup ("Петрович");
  resident->birth_date = g_strdup ("1985-03-15");
  resident->sex = STP_SEX_MALE;
  g_assert_true (stp_store_save_resident (fixture->db.store, fixture->db.session, resident, &error));
  g_assert_no_error (error);
  return g_strdup (resident->meta.id);
}

static void
test_duplicate_declined (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autofree char *existing_id = save_resident_directly (fixture, "Кузнецов");

  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 1);
  fill_person (fixture, "Кузнецов", "15.03.1985");
  stp_test_click (fixture->page, "next_button");

  g_assert_cmpstr (visible_step (fixture), ==, "duplicates");
  g_assert_null (fixture->created_id);
  stp_test_save_picture (GTK_WINDOW (fixture->window), "intake-duplicates.png");

  stp_test_click (fixture->page, "open-existing-0");
  g_assert_cmpstr (fixture->opened_id, ==, existing_id);
  g_assert_null (fixture->created_id);
  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 1);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_EPISODE, NULL, NULL), ==, 0);
}

static void
test_duplicate_accepted_as_new (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *existing_id = save_resident_directly (fixture, "Кузнецов");

  fill_person (fixture, "Кузнецов", "15.03.1985");
  stp_test_click (fixture->page, "next_button");
  g_assert_cmpstr (visible_step (fixture), ==, "duplicates");
  stp_test_click (fixture->page, "create_new_button");
  /* «Another person»: on to the second step, not asked again at saving. */
  g_assert_cmpstr (visible_step (fixture), ==, "episode");
  stp_test_click (fixture->page, "next_button");
  stp_test_click (fixture->page, "next_button");
  g_assert_cmpstr (visible_step (fixture), ==, "consents");
  stp_test_click (fixture->page, "save_button");
  g_assert_nonnull (fixture->created_id);
  g_assert_cmpstr (fixture->created_id, !=, existing_id);
  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 2);
}

/* Checked again before saving: someone registered the same person while
 * the form was being filled in. */
static void
test_duplicate_before_saving (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *existing_id = NULL;

  fill_person (fixture, "Кузнецов", "15.03.1985");
  stp_test_click (fixture->page, "next_button");
  g_assert_cmpstr (visible_step (fixture), ==, "episode");
  existing_id = save_resident_directly (fixture, "Кузнецов");
  stp_test_click (fixture->page, "next_button");
  stp_test_click (fixture->page, "next_button");
  stp_test_click (fixture->page, "save_button");
  g_assert_cmpstr (visible_step (fixture), ==, "duplicates");
  g_assert_null (fixture->created_id);
  stp_test_click (fixture->page, "create_new_button");
  g_assert_nonnull (fixture->created_id);
  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 2);
}

static void
check_refused_date (Fixture    *fixture,
                    const char *date)
{
  GtkWidget *form = stp_test_get (fixture->page, "person-form");
  GtkWidget *row;
  GtkWidget *message;

  fill_person (fixture, "Соколов", date);
  stp_test_click (fixture->page, "next_button");
  g_assert_cmpstr (visible_step (fixture), ==, "person");
  row = stp_test_get (form, "birth_date");
  g_assert_true (gtk_widget_has_css_class (row, "error"));
  /* The message is next to the row and repeated under the steps. */
  message = g_object_get_data (G_OBJECT (row), "stp-error-label");
  g_assert_nonnull (message);
  g_assert_true (gtk_widget_get_visible (message));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (message)), !=, "");
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (stp_test_get (fixture->page, "message_label"))), ==,
                   gtk_label_get_text (GTK_LABEL (message)));
  g_test_message ("%s: %s", date, gtk_label_get_text (GTK_LABEL (message)));

  /* Saving from the last step is refused too, and nothing is written. */
  stp_test_click (fixture->page, "next_button");
  g_assert_cmpstr (visible_step (fixture), ==, "person");
  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 0);
}

static void
test_invalid_date (Fixture       *fixture,
                   gconstpointer  data)
{
  check_refused_date (fixture, "31.02.2020");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "intake-invalid-date.png");
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (stp_test_get (fixture->page, "message_label"))),
                                   "«31.02.2020»"));
  /* The date is typed right but does not exist: say so, not the format. */
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (stp_test_get (fixture->page, "message_label"))),
                            "такой даты нет"));
}

static void
test_future_birth_date (Fixture       *fixture,
                        gconstpointer  data)
{
  check_refused_date (fixture, "01.01.2090");
}

static void
test_draft_restored (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *draft = NULL;
  GtkWidget *form;

  fill_person (fixture, "Волков", "02.02.1990");
  stp_test_click (fixture->page, "next_button");
  stp_test_click (fixture->page, "next_button");
  add_relative (fixture, "Волкова Ольга", 2, FALSE);
  /* Half-typed and invalid: the draft keeps it anyway. */
  stp_test_set_text (stp_test_get (fixture->page, "relative-form"), "full_name", "Волков Сер");
  card_test_wait (800);
  draft = stp_store_load_intake_draft (fixture->db.store, fixture->db.session, NULL);
  g_assert_nonnull (draft);

  destroy_page (fixture);
  make_page (fixture);

  g_assert_cmpstr (visible_step (fixture), ==, "relatives");
  form = stp_test_get (fixture->page, "person-form");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (stp_test_get (form, "surname"))), ==, "Волков");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (stp_test_get (form, "birth_date"))), ==, "02.02.1990");
  form = stp_test_get (fixture->page, "relative-form");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (stp_test_get (form, "full_name"))), ==, "Волков Сер");
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (stp_test_get (fixture->page, "relatives_list")), 0));
  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 0);
}

static StpSession *
add_volunteer (Fixture *fixture)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(GError) error = NULL;
  StpSession *volunteer;

  user->login = g_strdup ("volunteer");
  user->full_name = g_strdup ("Орлов Олег Игоревич");
  user->role = STP_ROLE_VOLUNTEER;
  user->active = TRUE;
  g_assert_true (stp_store_save_user_with_password (fixture->db.store, fixture->db.session, user,
                                                    "volunteer password", &error));
  g_assert_no_error (error);
  volunteer = stp_store_login (fixture->db.store, "volunteer", "volunteer password", &error);
  g_assert_no_error (error);
  return volunteer;
}

static const char *
person_text (GtkWidget  *page,
             const char *field)
{
  return gtk_editable_get_text (GTK_EDITABLE (stp_test_get (stp_test_get (page, "person-form"), field)));
}

/* The draft is the user's, in the center database: another user of the
 * center and another center's database on the same account start empty. */
static void
test_draft_per_user (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(StpSession) volunteer = add_volunteer (fixture);
  g_autofree char *old_file = g_build_filename (g_get_user_data_dir (), "stupeni", "intake-draft.ini", NULL);
  g_autofree char *stored = NULL;
  CardTestDb other = { 0 };
  GtkWidget *window;
  GtkWidget *page;

  fill_person (fixture, "Волков", "02.02.1990");
  card_test_wait (800);
  destroy_page (fixture);
  stored = stp_store_load_intake_draft (fixture->db.store, fixture->db.session, NULL);
  g_assert_nonnull (strstr (stored, "Волков"));
  g_assert_false (g_file_test (old_file, G_FILE_TEST_EXISTS));

  g_set_object (&fixture->page_session, volunteer);
  make_page (fixture);
  g_assert_cmpstr (person_text (fixture->page, "surname"), ==, "");
  g_assert_cmpstr (person_text (fixture->page, "birth_date"), ==, "");
  destroy_page (fixture);

  card_test_db_open (&other);
  window = gtk_window_new ();
  page = stp_intake_page_new (other.store, other.session);
  gtk_window_set_child (GTK_WINDOW (window), page);
  gtk_window_present (GTK_WINDOW (window));
  stp_test_iterate ();
  g_assert_cmpstr (person_text (page, "surname"), ==, "");
  gtk_window_destroy (GTK_WINDOW (window));
  stp_test_iterate ();
  card_test_db_close (&other);

  /* The director gets the draft back. */
  g_clear_object (&fixture->page_session);
  make_page (fixture);
  g_assert_cmpstr (person_text (fixture->page, "surname"), ==, "Волков");
}

/* Volunteers do intake: the page works with their session too. */
static void
test_volunteer_intake (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(StpSession) volunteer = NULL;
  g_autoptr(GError) error = NULL;

  user->login = g_strdup ("volunteer");
  user->full_name = g_strdup ("Орлов Олег Игоревич");
  user->role = STP_ROLE_VOLUNTEER;
  user->active = TRUE;
  g_assert_true (stp_store_save_user_with_password (fixture->db.store, fixture->db.session, user,
                                                    "volunteer password", &error));
  g_assert_no_error (error);
  volunteer = stp_store_login (fixture->db.store, "volunteer", "volunteer password", &error);
  g_assert_no_error (error);
  g_assert_cmpint (stp_session_get_role (volunteer), ==, STP_ROLE_VOLUNTEER);

  destroy_page (fixture);
  g_set_object (&fixture->page_session, volunteer);
  make_page (fixture);

  fill_person (fixture, "Лебедев", "10.10.1979");
  stp_test_click (fixture->page, "next_button");
  stp_test_click (fixture->page, "next_button");
  add_relative (fixture, "Лебедева Нина Павловна", 2, FALSE);
  stp_test_click (fixture->page, "next_button");
  adw_expander_row_set_enable_expansion (ADW_EXPANDER_ROW (stp_test_get (fixture->page, "consent-personal_data")), TRUE);
  stp_test_click (fixture->page, "save_button");

  g_assert_nonnull (fixture->created_id);
  g_assert_cmpuint (card_test_count_residents (&fixture->db), ==, 1);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_EPISODE, "resident_id", fixture->created_id), ==, 1);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_RELATIVE, "resident_id", fixture->created_id), ==, 1);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_CONSENT, "resident_id", fixture->created_id), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  card_test_init (&argc, &argv);

  g_test_add ("/intake/full", Fixture, NULL, fixture_set_up, test_full_intake, fixture_tear_down);
  g_test_add ("/intake/duplicate-declined", Fixture, NULL, fixture_set_up, test_duplicate_declined, fixture_tear_down);
  g_test_add ("/intake/duplicate-new-record", Fixture, NULL, fixture_set_up, test_duplicate_accepted_as_new, fixture_tear_down);
  g_test_add ("/intake/duplicate-before-saving", Fixture, NULL, fixture_set_up, test_duplicate_before_saving, fixture_tear_down);
  g_test_add ("/intake/invalid-date", Fixture, NULL, fixture_set_up, test_invalid_date, fixture_tear_down);
  g_test_add ("/intake/future-birth-date", Fixture, NULL, fixture_set_up, test_future_birth_date, fixture_tear_down);
  g_test_add ("/intake/draft-restored", Fixture, NULL, fixture_set_up, test_draft_restored, fixture_tear_down);
  g_test_add ("/intake/draft-per-user", Fixture, NULL, fixture_set_up, test_draft_per_user, fixture_tear_down);

  g_test_add ("/intake/volunteer", Fixture, NULL, fixture_set_up, test_volunteer_intake, fixture_tear_down);

  return card_test_finish (g_test_run ());
}
