/* test-card.c: the resident card driven through its widgets, checked
 * against the database. */
#include "card-test-util.h"

#include <string.h>

#include "stp-resident-window.h"
#include "stp-window.h"
#include "stp-report-print.h"
#include "stp-agencies-group.h"
#include "stp-record-form.h"
#include "stp-card-page.h"

typedef struct
{
  CardTestDb  db;
  char       *resident_id;
  char       *episode_id;
  GtkWindow  *window;
} Fixture;

static char *
date_from_today (StpStore *store,
                 int       days)
{
  g_autofree char *today = stp_store_today (store);
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) moved = NULL;
  g_autofree char *iso = g_strconcat (today, "T12:00:00Z", NULL);

  start = g_date_time_new_from_iso8601 (iso, NULL);
  moved = g_date_time_add_days (start, days);
  return g_date_time_format (moved, "%Y-%m-%d");
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GError) error = NULL;

  card_test_db_open (&fixture->db);

  resident->surname = g_strdup ("Морозов");
  resident->name = g_strdup ("Алексей");
  resident->patronymic = g_strdup ("Викторович");
  resident->birth_date = g_strdup ("1988-07-21");
  resident->sex = STP_SEX_MALE;
  resident->phone = g_strdup ("+79123456789");
  resident->citizenship = g_strdup ("Российская Федерация");
  resident->family_status = STP_FAMILY_STATUS_TZHS;
  resident->minors_in_household = 1;
  g_assert_true (stp_store_save_resident (fixture->db.store, fixture->db.session, resident, &error));
  g_assert_no_error (error);
  fixture->resident_id = g_strdup (resident->meta.id);

  programs = stp_store_list (fixture->db.store, fixture->db.session, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (programs->len, >, 0);
  episode->resident_id = g_strdup (fixture->resident_id);
  /* The program with the most stages (the residential one): the list's
   * order among programs made in the same instant is not fixed. */
  {
    guint most = 0;

    for (guint i = 0; i < programs->len; i++)
      {
        StpProgram *program = g_ptr_array_index (programs, i);
        g_autoptr(GPtrArray) stages = stp_store_list_stages (fixture->db.store, fixture->db.session,
                                                             program->meta.id, &error);

        g_assert_no_error (error);
        if (stages->len > most)
          {
            most = stages->len;
            g_free (episode->program_id);
            episode->program_id = g_strdup (program->meta.id);
          }
      }
    g_assert_cmpuint (most, >=, 4);
  }
  episode->admitted_on = date_from_today (fixture->db.store, -40);
  episode->referral_source = STP_REFERRAL_SOURCE_RELATIVES;
  episode->payment_source = STP_PAYMENT_RELATIVES;
  episode->main_substance = STP_SUBSTANCE_OPIOIDS;
  episode->status = STP_EPISODE_IN_PROGRAM;
  episode->responsible_user_id = g_strdup (stp_session_get_user_id (fixture->db.session));
  g_assert_true (stp_store_admit (fixture->db.store, fixture->db.session, episode, &error));
  g_assert_no_error (error);
  fixture->episode_id = g_strdup (episode->meta.id);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);
  stp_test_iterate ();
  card_test_db_close (&fixture->db);
  g_free (fixture->resident_id);
  g_free (fixture->episode_id);
}

static void
open_card (Fixture    *fixture,
           StpSession *session)
{
  fixture->window = stp_resident_window_new (NULL, fixture->db.store, session, fixture->resident_id);
  g_assert_nonnull (fixture->window);
  gtk_window_set_default_size (fixture->window, 1040, 900);
  gtk_window_present (fixture->window);
  stp_test_iterate ();
}

static void
show_page (Fixture    *fixture,
           const char *name)
{
  AdwViewStack *stack = ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (fixture->window), ADW_TYPE_VIEW_STACK));

  adw_view_stack_set_visible_child_name (stack, name);
  stp_test_iterate ();
}

static GtkWidget *
visible_page (Fixture *fixture)
{
  AdwViewStack *stack = ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (fixture->window), ADW_TYPE_VIEW_STACK));

  return adw_view_stack_get_visible_child (stack);
}

static void
add_sample_records (Fixture *fixture)
{
  StpStore *store = fixture->db.store;
  StpSession *session = fixture->db.session;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpRelative) mother = stp_relative_new ();
  g_autoptr(StpRelative) son = stp_relative_new ();
  g_autoptr(StpConsent) consent = stp_consent_new ();
  g_autoptr(StpConsent) transfer = stp_consent_new ();
  g_autoptr(StpReferral) referral = stp_referral_new ();
  g_autoptr(StpCourtObligation) obligation = stp_court_obligation_new ();
  g_autoptr(StpCourtNotice) notice = stp_court_notice_new ();

  mother->resident_id = g_strdup (fixture->resident_id);
  mother->full_name = g_strdup ("Морозова Галина Ивановна");
  mother->relation = STP_RELATION_MOTHER;
  mother->phone = g_strdup ("+79120000001");
  mother->codependent = TRUE;
  mother->consent_to_contact = TRUE;
  g_assert_true (stp_store_save_relative (store, session, mother, &error));
  son->resident_id = g_strdup (fixture->resident_id);
  son->full_name = g_strdup ("Морозов Кирилл Алексеевич");
  son->relation = STP_RELATION_SON;
  son->minor = TRUE;
  son->lives_with_resident = TRUE;
  g_assert_true (stp_store_save_relative (store, session, son, &error));

  consent->resident_id = g_strdup (fixture->resident_id);
  consent->kind = STP_CONSENT_PERSONAL_DATA;
  consent->signed_on = date_from_today (store, -40);
  g_assert_true (stp_store_save_consent (store, session, consent, &error));
  transfer->resident_id = g_strdup (fixture->resident_id);
  transfer->kind = STP_CONSENT_TRANSFER;
  transfer->recipient = g_strdup ("Центр занятости населения");
  transfer->signed_on = date_from_today (store, -40);
  g_assert_true (stp_store_save_consent (store, session, transfer, &error));
  g_assert_no_error (error);

  referral->resident_id = g_strdup (fixture->resident_id);
  referral->direction = STP_DIRECTION_OUTGOING;
  referral->agency_kind = STP_AGENCY_EMPLOYMENT;
  referral->agency_name = g_strdup ("Центр занятости населения");
  referral->registration_number = g_strdup ("17");
  referral->sent_on = date_from_today (store, -30);
  referral->purpose = g_strdup ("Содействие в трудоустройстве");
  referral->consent_id = g_strdup (transfer->meta.id);
  referral->due_on = date_from_today (store, -5);
  g_assert_true (stp_store_save_referral (store, session, referral, &error));
  g_assert_no_error (error);

  {
    g_autoptr(StpScreening) screening = stp_screening_new ();
    g_autoptr(StpJournalEntry) entry = stp_journal_entry_new ();

    screening->resident_id = g_strdup (fixture->resident_id);
    screening->episode_id = g_strdup (fixture->episode_id);
    screening->taken_on = date_from_today (store, -40);
    screening->reason = STP_SCREENING_REASON_ADMISSION;
    screening->method = g_strdup ("Иммунохроматографический тест");
    screening->result = STP_SCREENING_NEGATIVE;
    g_assert_true (stp_store_save_screening (store, session, screening, &error));
    g_assert_no_error (error);
    entry->resident_id = g_strdup (fixture->resident_id);
    entry->episode_id = g_strdup (fixture->episode_id);
    entry->kind = STP_JOURNAL_GROUP;
    entry->occurred_at = g_strdup ("2026-01-15T09:30:00Z");
    entry->author_user_id = g_strdup (stp_session_get_user_id (session));
    entry->text = g_strdup ("Групповое занятие «Шаг первый»");
    g_assert_true (stp_store_save_journal_entry (store, session, entry, &error));
    g_assert_no_error (error);
  }

  obligation->resident_id = g_strdup (fixture->resident_id);
  obligation->basis = STP_COURT_BASIS_KOAP_4_1;
  obligation->court = g_strdup ("Мировой судья судебного участка № 3");
  obligation->case_number = g_strdup ("5-123/2026");
  obligation->decision_date = date_from_today (store, -60);
  obligation->term = g_strdup ("6 месяцев");
  obligation->supervising_body = g_strdup ("ОМВД по Ленинскому району");
  obligation->inspector = g_strdup ("Петров С. А.");
  g_assert_true (stp_store_save_court_obligation (store, session, obligation, &error));
  g_assert_no_error (error);
  notice->obligation_id = g_strdup (obligation->meta.id);
  notice->kind = STP_COURT_NOTICE_ARRIVED;
  notice->sent_on = date_from_today (store, -39);
  g_assert_true (stp_store_save_court_notice (store, session, notice, &error));
  g_assert_no_error (error);
}

static void
test_pages (Fixture       *fixture,
            gconstpointer  data)
{
  GtkWidget *page;
  GtkWidget *form;
  guint journal_before;

  add_sample_records (fixture);
  open_card (fixture, fixture->db.session);

  /* The window's template declares the eight pages; opening the card gave
   * each its store, session and resident, and each built itself. */
  {
    static const char *const names[] = { "profile", "program", "family", "consents",
                                          "journal", "follow-ups", "referrals", "court" };
    AdwViewStack *stack = ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (fixture->window),
                                                              ADW_TYPE_VIEW_STACK));

    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        GtkWidget *card_page = adw_view_stack_get_child_by_name (stack, names[i]);
        g_autoptr(StpStore) store = NULL;
        g_autoptr(StpSession) session = NULL;
        g_autofree char *resident_id = NULL;

        g_assert_true (STP_IS_CARD_PAGE (card_page));
        g_assert_true (stp_card_page_is_set_up (STP_CARD_PAGE (card_page)));
        g_object_get (card_page, "store", &store, "session", &session, "resident-id", &resident_id, NULL);
        g_assert_true (store == fixture->db.store);
        g_assert_true (session == fixture->db.session);
        g_assert_cmpstr (resident_id, ==, fixture->resident_id);
        g_assert_nonnull (gtk_widget_get_first_child (card_page));
      }
  }

  show_page (fixture, "profile");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-profile.png");

  show_page (fixture, "family");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-family.png");

  show_page (fixture, "consents");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-consents.png");

  /* A journal entry typed and added through the page, restricted. */
  show_page (fixture, "journal");
  page = visible_page (fixture);
  journal_before = card_test_count (&fixture->db, STP_KIND_JOURNAL_ENTRY, "resident_id", fixture->resident_id);
  form = gtk_widget_get_parent (stp_test_get (page, "text"));
  /* The entry's text is a text view of several lines. */
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (stp_test_find_type (stp_test_get (page, "text"),
                                                                                        GTK_TYPE_TEXT_VIEW))),
                            "Беседа о мотивации, составлен план на неделю", -1);
  gtk_switch_set_active (GTK_SWITCH (stp_test_find_type (stp_test_get (page, "restricted"), GTK_TYPE_SWITCH)), TRUE);
  (void) form;
  stp_test_click (page, "save");
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_JOURNAL_ENTRY, "resident_id", fixture->resident_id),
                    ==, journal_before + 1);
  show_page (fixture, "journal");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-journal.png");

  show_page (fixture, "referrals");
  page = visible_page (fixture);
  {
    GtkWidget *list = stp_test_get (page, "referrals");
    GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));

    g_assert_nonnull (row);
    g_assert_true (ADW_IS_ACTION_ROW (row));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "просрочено"));
  }
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-referrals.png");

  show_page (fixture, "court");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-court.png");
}

static guint
count_views (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = stp_store_list_audit (fixture->db.store, fixture->db.session, 0, &error);
  guint views = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      StpAuditEvent *event = g_ptr_array_index (events, i);

      if (event->action == STP_AUDIT_VIEW && g_strcmp0 (event->entity_id, fixture->resident_id) == 0)
        views++;
    }
  return views;
}

static guint
count_stage_entries (Fixture *fixture)
{
  return card_test_count (&fixture->db, STP_KIND_STAGE_ENTRY, "episode_id", fixture->episode_id);
}

static void
test_next_stage (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  GtkWidget *page;
  StpStageEntry *first;

  g_assert_cmpuint (count_views (fixture), ==, 0);
  open_card (fixture, fixture->db.session);
  /* Opening the card is one "view" in the access log, not one per page. */
  g_assert_cmpuint (count_views (fixture), ==, 1);
  show_page (fixture, "program");
  page = visible_page (fixture);
  g_assert_cmpuint (count_stage_entries (fixture), ==, 1);

  stp_test_set_text (page, "move_note", "Адаптация пройдена");
  stp_test_click (page, "next_stage_button");
  g_assert_cmpuint (count_stage_entries (fixture), ==, 2);
  stp_test_click (page, "next_stage_button");
  g_assert_cmpuint (count_stage_entries (fixture), ==, 3);

  entries = stp_store_list (fixture->db.store, fixture->db.session, STP_KIND_STAGE_ENTRY,
                            "episode_id", fixture->episode_id, &error);
  g_assert_no_error (error);
  first = g_ptr_array_index (entries, 0);
  g_assert_cmpint (first->result, ==, STP_STAGE_RESULT_PASSED);
  g_assert_nonnull (first->ended_on);
  g_assert_cmpstr (first->note, ==, "Адаптация пройдена");

  /* Back to the first stage after a relapse. */
  adw_combo_row_set_selected (ADW_COMBO_ROW (stp_test_get (page, "back_stage")), 0);
  stp_test_click (page, "step_back_button");
  g_assert_cmpuint (count_stage_entries (fixture), ==, 4);

  /* The timeline lists every entry. */
  {
    GtkWidget *timeline = stp_test_get (page, "stage_entries");
    guint rows = 0;

    for (GtkWidget *row = gtk_widget_get_first_child (timeline); row; row = gtk_widget_get_next_sibling (row))
      if (ADW_IS_ACTION_ROW (row))
        rows++;
    g_assert_cmpuint (rows, ==, 4);
  }
  /* Tall enough for the whole timeline, after the toasts went away. */
  gtk_window_set_default_size (fixture->window, 1040, 1200);
  card_test_wait (5500);
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-program.png");
}

static void
test_discharge (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpEpisode) episode = NULL;
  GtkWidget *page;
  AdwMessageDialog *dialog = NULL;
  GListModel *toplevels;

  open_card (fixture, fixture->db.session);
  show_page (fixture, "program");
  page = visible_page (fixture);
  stp_test_click (page, "discharge_button");

  toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window))
        dialog = ADW_MESSAGE_DIALOG (window);
    }
  g_assert_nonnull (dialog);
  stp_test_set_text (GTK_WIDGET (dialog), "discharge_reason", "Программа пройдена полностью");
  adw_message_dialog_response (dialog, "discharge");
  stp_test_iterate ();

  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_FOLLOW_UP, "episode_id", fixture->episode_id), ==, 5);
  episode = stp_store_get_episode (fixture->db.store, fixture->db.session, fixture->episode_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (episode->status, ==, STP_EPISODE_COMPLETED);
  g_assert_cmpstr (episode->discharge_reason, ==, "Программа пройдена полностью");

  /* Record the first follow-up's outcome through the page. */
  show_page (fixture, "follow-ups");
  page = visible_page (fixture);
  {
    GtkWidget *list = stp_test_get (page, "follow_ups");
    GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));
    GtkWidget *edit = stp_test_find_type (row, GTK_TYPE_BUTTON);
    g_autoptr(GPtrArray) follow_ups = NULL;
    StpFollowUp *first;

    g_signal_emit_by_name (edit, "clicked");
    stp_test_iterate ();
    {
      g_autofree char *today = stp_store_today (fixture->db.store);
      g_auto(GStrv) parts = g_strsplit (today, "-", 3);
      g_autofree char *typed = g_strdup_printf ("%s.%s.%s", parts[2], parts[1], parts[0]);

      stp_test_set_text (page, "done_on", typed);
    }
    stp_test_set_text (page, "contact_method", "телефон");
    adw_combo_row_set_selected (ADW_COMBO_ROW (stp_test_get (page, "remission")), 1);
    gtk_switch_set_active (GTK_SWITCH (stp_test_find_type (stp_test_get (page, "employed"), GTK_TYPE_SWITCH)), TRUE);
    stp_test_click (page, "save");

    follow_ups = stp_store_list (fixture->db.store, fixture->db.session, STP_KIND_FOLLOW_UP,
                                 "episode_id", fixture->episode_id, &error);
    g_assert_no_error (error);
    first = g_ptr_array_index (follow_ups, 0);
    g_assert_cmpint (first->outcome, ==, STP_FOLLOW_UP_DONE);
    g_assert_cmpstr (first->contact_method, ==, "телефон");
    g_assert_true (first->employed);
  }
  show_page (fixture, "follow-ups");
  stp_test_save_picture (GTK_WINDOW (fixture->window), "card-follow-ups.png");
}

/* The profile saves through the core; an invalid phone is marked on its row. */
static void
test_profile_save (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *page;
  GtkWidget *phone;

  open_card (fixture, fixture->db.session);
  show_page (fixture, "profile");
  page = visible_page (fixture);
  stp_test_set_text (page, "surname", "Морозов-Белов");
  stp_test_set_text (page, "profession", "Сварщик");
  stp_test_click (page, "save");
  {
    g_autoptr(StpResident) resident = stp_store_get_resident (fixture->db.store, fixture->db.session,
                                                              fixture->resident_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (resident->surname, ==, "Морозов-Белов");
    g_assert_cmpstr (resident->profession, ==, "Сварщик");
  }

  phone = stp_test_get (page, "phone");
  stp_test_set_text (page, "phone", "12");
  stp_test_set_text (page, "surname", "Иванов");
  stp_test_click (page, "save");
  g_assert_true (gtk_widget_has_css_class (phone, "error"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (phone), !=, NULL);
  {
    g_autoptr(StpResident) resident = stp_store_get_resident (fixture->db.store, fixture->db.session,
                                                              fixture->resident_id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (resident->surname, ==, "Морозов-Белов");
  }
}

static GtkWidget *
find_button_labelled (GtkWidget  *root,
                      const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0 &&
      gtk_widget_get_mapped (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_labelled (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Deleting a relative shows a toast whose «Отменить» brings it back. */
static void
test_delete_undo (Fixture       *fixture,
                  gconstpointer  data)
{
  GtkWidget *page;
  GtkWidget *list;
  GtkWidget *row;
  GtkWidget *undo;

  add_sample_records (fixture);
  open_card (fixture, fixture->db.session);
  show_page (fixture, "family");
  page = visible_page (fixture);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_RELATIVE, "resident_id", fixture->resident_id), ==, 2);

  list = stp_test_get (page, "relatives");
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0));
  g_assert_nonnull (row);
  /* The row's buttons: edit, then delete. */
  {
    GtkWidget *edit = stp_test_find_type (row, GTK_TYPE_BUTTON);
    GtkWidget *delete = NULL;

    for (GtkWidget *w = gtk_widget_get_parent (edit); w != NULL && delete == NULL; w = NULL)
      for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
        if (GTK_IS_BUTTON (c) && c != edit)
          delete = c;
    g_assert_nonnull (delete);
    g_signal_emit_by_name (delete, "clicked");
    card_test_wait (300);
  }
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_RELATIVE, "resident_id", fixture->resident_id), ==, 1);

  undo = find_button_labelled (GTK_WIDGET (fixture->window), "_Отменить");
  g_assert_nonnull (undo);
  g_signal_emit_by_name (undo, "clicked");
  card_test_wait (300);
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_RELATIVE, "resident_id", fixture->resident_id), ==, 2);
}

/* «Отозвать» sets the withdrawal date; the consent stays on the list. */
static void
test_consent_withdraw (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) consents = NULL;
  GtkWidget *withdraw;
  guint withdrawn = 0;

  add_sample_records (fixture);
  open_card (fixture, fixture->db.session);
  show_page (fixture, "consents");
  withdraw = find_button_labelled (visible_page (fixture), "_Отозвать");
  g_assert_nonnull (withdraw);
  g_signal_emit_by_name (withdraw, "clicked");
  stp_test_iterate ();

  consents = stp_store_list (fixture->db.store, fixture->db.session, STP_KIND_CONSENT,
                             "resident_id", fixture->resident_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consents->len, ==, 2);
  for (guint i = 0; i < consents->len; i++)
    if (((StpConsent *) g_ptr_array_index (consents, i))->withdrawn_on != NULL)
      withdrawn++;
  g_assert_cmpuint (withdrawn, ==, 1);
}

static void
test_volunteer (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(StpSession) volunteer = stp_session_new ("volunteer-id", "volunteer", "Волонтёр Олег",
                                                     STP_ROLE_VOLUNTEER);
  GtkWidget *status;

  open_card (fixture, volunteer);
  status = stp_test_find_type (GTK_WIDGET (fixture->window), ADW_TYPE_STATUS_PAGE);
  g_assert_nonnull (status);
  g_assert_true (gtk_widget_get_mapped (status));
  g_assert_null (stp_test_find_widget (GTK_WIDGET (fixture->window), "stage_entries"));
  /* The template's pages stay empty and no tabs are offered. */
  {
    AdwViewStack *stack = ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (fixture->window),
                                                              ADW_TYPE_VIEW_STACK));
    GtkWidget *title = stp_test_find_type (GTK_WIDGET (fixture->window), ADW_TYPE_VIEW_SWITCHER_TITLE);
    GtkWidget *program = adw_view_stack_get_child_by_name (stack, "program");

    g_assert_false (stp_card_page_is_set_up (STP_CARD_PAGE (adw_view_stack_get_child_by_name (stack, "profile"))));
    g_assert_false (stp_card_page_is_set_up (STP_CARD_PAGE (program)));
    g_assert_null (gtk_widget_get_first_child (program));
    g_assert_null (stp_test_find_widget (GTK_WIDGET (fixture->window), "save"));
    g_assert_null (adw_view_switcher_title_get_stack (ADW_VIEW_SWITCHER_TITLE (title)));
  }
}

static void
set_switch (GtkWidget  *page,
            const char *row_name,
            gboolean    active)
{
  gtk_switch_set_active (GTK_SWITCH (stp_test_find_type (stp_test_get (page, row_name), GTK_TYPE_SWITCH)),
                         active);
}

/* A minor relative living with the resident counts in «Несовершеннолетних
 * в семье», which the reports read; a smaller number is refused. */
static void
test_minors_from_relatives (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(StpResident) after = NULL;
  g_autoptr(StpResident) refused = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *page;
  GtkWidget *minors_row;

  resident = stp_store_get_resident (fixture->db.store, fixture->db.session, fixture->resident_id, &error);
  g_assert_no_error (error);
  resident->minors_in_household = 0;
  g_assert_true (stp_store_save_resident (fixture->db.store, fixture->db.session, resident, &error));
  g_assert_no_error (error);

  open_card (fixture, fixture->db.session);
  show_page (fixture, "family");
  page = visible_page (fixture);
  stp_test_set_text (page, "full_name", "Морозова Дарья Алексеевна");
  set_switch (page, "minor", TRUE);
  set_switch (page, "lives_with_resident", TRUE);
  stp_test_click (page, "save");
  g_assert_cmpuint (card_test_count (&fixture->db, STP_KIND_RELATIVE, "resident_id", fixture->resident_id), ==, 1);

  after = stp_store_get_resident (fixture->db.store, fixture->db.session, fixture->resident_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (after->minors_in_household, ==, 1);
  minors_row = stp_test_get (page, "minors_in_household");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (stp_test_find_type (minors_row, GTK_TYPE_SPIN_BUTTON))),
                   ==, 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (stp_test_find_type (minors_row, GTK_TYPE_SPIN_BUTTON)), 0);
  stp_test_click (page, "save_situation");
  g_assert_true (gtk_widget_has_css_class (minors_row, "error"));
  refused = stp_store_get_resident (fixture->db.store, fixture->db.session, fixture->resident_id, &error);
  g_assert_cmpint (refused->minors_in_household, ==, 1);
  stp_test_save_picture (GTK_WINDOW (GTK_WIDGET (fixture->window)), "card-family-minors.png");
  /* The refused edit is still there: closing asks about it. */
  g_assert_true (stp_resident_window_has_unsaved_edits (STP_RESIDENT_WINDOW (fixture->window)));
  stp_resident_window_discard_edits (STP_RESIDENT_WINDOW (fixture->window));
}

/* An outgoing referral has «Письмо…»: print, or save the letter as PDF. */
static void
test_referral_letter (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (fixture->db.dir, "letter.pdf", NULL);
  g_autofree char *contents = NULL;
  GtkWidget *button;
  gsize length = 0;

  add_sample_records (fixture);
  open_card (fixture, fixture->db.session);
  show_page (fixture, "referrals");
  button = stp_test_get (visible_page (fixture), "letter-button");
  g_assert_true (GTK_IS_MENU_BUTTON (button));
  gtk_window_set_default_size (fixture->window, 1024, 600);
  stp_test_save_picture (GTK_WINDOW (GTK_WIDGET (fixture->window)), "card-referral-letter.png");
  g_assert_true (gtk_widget_activate_action (button, "letter.save-pdf", "s", path));
  /* «Печать в файл» offers the report's own name, not «вывод». */
  {
    g_autofree char *letter = stp_report_print_file_name ("referral letter");
    g_autofree char *census = stp_report_print_file_name ("census");

    g_assert_cmpstr (letter, ==, "письмо-направление");
    g_assert_cmpstr (census, ==, "списочный-состав");
  }
  stp_test_iterate ();
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 1000);
  g_assert_true (g_str_has_prefix (contents, "%PDF"));
}

static void
choose (GtkWidget  *root,
        const char *row_name,
        const char *label)
{
  AdwComboRow *row = ADW_COMBO_ROW (stp_test_get (root, row_name));
  GListModel *model = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    if (g_strcmp0 (gtk_string_list_get_string (GTK_STRING_LIST (model), i), label) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_error ("“%s” offers no “%s”", row_name, label);
}

/* The agency directory: added in the settings, picked as a consent's
 * recipient and as a referral's agency, so the referral finds the consent. */
static void
test_agency_directory (Fixture       *fixture,
                       gconstpointer  data)
{
  const char *agency = "УСЗН по г. Хабаровску";
  g_autoptr(GPtrArray) consents = NULL;
  g_autoptr(GPtrArray) referrals = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *settings = gtk_window_new ();
  GtkWidget *group = stp_agencies_group_new (fixture->db.store, fixture->db.session);
  GtkWidget *page;
  StpConsent *consent;
  StpReferral *referral;

  gtk_window_set_child (GTK_WINDOW (settings), group);
  gtk_window_present (GTK_WINDOW (settings));
  stp_test_iterate ();
  stp_test_set_text (group, "new-agency", agency);
  stp_test_click (group, "add-agency");
  stp_test_set_text (group, "new-agency", "Центр занятости населения г. Хабаровска");
  g_signal_emit_by_name (stp_test_get (group, "new-agency"), "entry-activated");
  stp_test_iterate ();
  g_assert_nonnull (gtk_list_box_get_row_at_index (GTK_LIST_BOX (stp_test_get (group, "agency-list")), 1));
  stp_test_save_picture (GTK_WINDOW (settings), "settings-agencies.png");
  gtk_window_destroy (GTK_WINDOW (settings));

  open_card (fixture, fixture->db.session);
  show_page (fixture, "consents");
  page = visible_page (fixture);
  stp_enum_combo_row_set_value (ADW_COMBO_ROW (stp_test_get (page, "kind")), STP_ENUM_CONSENT_KIND,
                                STP_CONSENT_TRANSFER);
  choose (page, "recipient", agency);
  stp_test_click (page, "save");
  consents = stp_store_list (fixture->db.store, fixture->db.session, STP_KIND_CONSENT,
                             "resident_id", fixture->resident_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (consents->len, ==, 1);
  consent = g_ptr_array_index (consents, 0);
  g_assert_cmpstr (consent->recipient, ==, agency);

  show_page (fixture, "referrals");
  page = visible_page (fixture);
  stp_enum_combo_row_set_value (ADW_COMBO_ROW (stp_test_get (page, "direction")), STP_ENUM_DIRECTION,
                                STP_DIRECTION_OUTGOING);
  choose (page, "agency_name", agency);
  stp_test_set_text (page, "purpose", "Оформление пособия");
  stp_test_click (page, "save");
  referrals = stp_store_list (fixture->db.store, fixture->db.session, STP_KIND_REFERRAL,
                              "resident_id", fixture->resident_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (referrals->len, ==, 1);
  referral = g_ptr_array_index (referrals, 0);
  g_assert_cmpstr (referral->agency_name, ==, agency);
  g_assert_cmpstr (referral->consent_id, ==, consent->meta.id);
}

static gboolean
flags_say (GtkWidget  *window,
           const char *text)
{
  GtkWidget *flags = stp_test_get (window, "summary-flags");

  for (GtkWidget *child = gtk_widget_get_first_child (flags); child; child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0)
      return TRUE;
  return FALSE;
}

/* The strip under the header: who, the stage as a step, «день N», the
 * responsible specialist, and what needs attention. */
static void
test_summary_strip (Fixture       *fixture,
                    gconstpointer  data)
{
  GtkWidget *window;
  const char *person;
  const char *stage;

  open_card (fixture, fixture->db.session);
  window = GTK_WIDGET (fixture->window);
  person = gtk_label_get_text (GTK_LABEL (stp_test_get (window, "summary-person")));
  stage = gtk_label_get_text (GTK_LABEL (stp_test_get (window, "summary-stage")));
  g_assert_nonnull (strstr (person, "Морозов Алексей Викторович · дело "));
  g_assert_nonnull (strstr (person, " лет"));
  g_assert_true (g_str_has_prefix (stage, "Этап 1 из "));
  g_assert_nonnull (strstr (stage, " · день 41 · Смирнова Анна Петровна"));
  g_assert_true (flags_say (window, "Нет согласия на обработку персональных данных"));
  g_assert_false (flags_say (window, "Обязанность по решению суда"));

  add_sample_records (fixture);
  stp_resident_window_reload (STP_RESIDENT_WINDOW (fixture->window));
  g_assert_false (flags_say (window, "Нет согласия на обработку персональных данных"));
  g_assert_true (flags_say (window, "Обязанность по решению суда"));
  gtk_window_set_default_size (fixture->window, 1280, 800);
  card_test_wait (700);
  stp_test_save_picture (GTK_WINDOW (window), "card-summary-strip.png");
  gtk_window_set_default_size (fixture->window, 1024, 600);
  card_test_wait (700);
  stp_test_save_picture (GTK_WINDOW (window), "card-summary-strip-1024.png");
}

static StpResident *stored_resident (Fixture *fixture);

/* Alt+1…8 go to the tabs, Ctrl+S saves what is typed. */
static void
test_shortcuts (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(StpResident) saved = NULL;
  AdwViewStack *stack;

  open_card (fixture, fixture->db.session);
  stack = ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (fixture->window), ADW_TYPE_VIEW_STACK));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "card.tab", "i", 2));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "family");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "card.tab", "i", 7));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "court");

  stp_test_set_text (GTK_WIDGET (fixture->window), "phone", "+7 912 555-44-33");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "card.save", NULL));
  stp_test_iterate ();
  saved = stored_resident (fixture);
  g_assert_cmpstr (saved->phone, ==, "+79125554433");
  g_assert_false (stp_resident_window_has_unsaved_edits (STP_RESIDENT_WINDOW (fixture->window)));
}

/* The question about unsaved edits, when one is shown. */
static AdwMessageDialog *
find_unsaved_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data) &&
        g_strcmp0 (gtk_widget_get_name (l->data), "unsaved-edits-dialog") == 0)
      return l->data;
  return NULL;
}

static GtkWidget *
find_button_with_label (GtkWidget  *root,
                        const char *label)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child; child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button_with_label (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Clicks the dialog's button for @response, as a person would. */
static void
answer_unsaved_dialog (const char *response)
{
  AdwMessageDialog *dialog = find_unsaved_dialog ();
  GtkWidget *button;

  g_assert_nonnull (dialog);
  button = find_button_with_label (GTK_WIDGET (dialog),
                                   adw_message_dialog_get_response_label (dialog, response));
  g_assert_nonnull (button);
  g_signal_emit_by_name (button, "clicked");
  stp_test_iterate ();
  g_assert_null (find_unsaved_dialog ());
}

static StpResident *
stored_resident (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  StpResident *resident = stp_store_get_resident (fixture->db.store, fixture->db.session,
                                                  fixture->resident_id, &error);

  g_assert_no_error (error);
  return resident;
}

static void
open_watched_card (Fixture *fixture)
{
  open_card (fixture, fixture->db.session);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
}

/* Closing a card with unsaved edits asks Save / Don't Save / Cancel;
 * without edits it closes at once. */
static void
test_unsaved_close (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(StpResident) saved = NULL;
  g_autoptr(StpResident) dropped = NULL;
  GtkWidget *phone;

  add_sample_records (fixture);
  open_watched_card (fixture);
  for (guint i = 0; i < 8; i++)
    {
      static const char *pages[] = {
        "profile", "program", "family", "consents", "journal", "follow-ups", "referrals", "court",
      };

      show_page (fixture, pages[i]);
    }
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "window.close", NULL);
  stp_test_iterate ();
  g_assert_null (find_unsaved_dialog ());
  g_assert_null (fixture->window);

  /* A phone typed in «Профиль», then Ctrl+W. */
  open_watched_card (fixture);
  show_page (fixture, "profile");
  phone = stp_test_get (GTK_WIDGET (fixture->window), "phone");
  gtk_editable_set_text (GTK_EDITABLE (phone), "+7 912 555-44-33");
  gtk_widget_activate_action (GTK_WIDGET (fixture->window), "window.close", NULL);
  stp_test_iterate ();
  g_assert_nonnull (fixture->window);
  g_assert_nonnull (find_unsaved_dialog ());
  stp_test_save_picture (GTK_WINDOW (GTK_WIDGET (find_unsaved_dialog ())), "card-unsaved-question.png");
  answer_unsaved_dialog ("cancel");
  g_assert_nonnull (fixture->window);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (phone)), ==, "+7 912 555-44-33");

  /* «Сохранить» with an invalid value keeps the card open at the error. */
  show_page (fixture, "court");
  gtk_editable_set_text (GTK_EDITABLE (phone), "12");
  gtk_window_close (fixture->window);
  stp_test_iterate ();
  answer_unsaved_dialog ("save");
  g_assert_nonnull (fixture->window);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (ADW_VIEW_STACK (stp_test_find_type (GTK_WIDGET (fixture->window), ADW_TYPE_VIEW_STACK))),
                   ==, "profile");
  g_assert_true (gtk_widget_has_css_class (phone, "error"));

  gtk_editable_set_text (GTK_EDITABLE (phone), "+7 912 555-44-33");
  gtk_window_close (fixture->window);
  stp_test_iterate ();
  answer_unsaved_dialog ("save");
  g_assert_null (fixture->window);
  saved = stored_resident (fixture);
  g_assert_cmpstr (saved->phone, ==, "+79125554433");

  /* The plan in «Семья», not saved on purpose. */
  open_watched_card (fixture);
  show_page (fixture, "family");
  stp_test_set_text (GTK_WIDGET (fixture->window), "accompaniment_plan", "Трудоустройство");
  gtk_window_close (fixture->window);
  stp_test_iterate ();
  g_assert_nonnull (fixture->window);
  answer_unsaved_dialog ("discard");
  g_assert_null (fixture->window);
  dropped = stored_resident (fixture);
  g_assert_null (dropped->accompaniment_plan);
}

static void
on_logged_out (gboolean *flag)
{
  *flag = TRUE;
}

/* Logging out and closing the main window ask about the cards' edits. */
static void
test_unsaved_logout (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(StpResident) saved = NULL;
  g_autoptr(GList) toplevels = NULL;
  StpWindow *main_window;
  gboolean logged_out = FALSE;

  main_window = stp_window_new (NULL, fixture->db.store, fixture->db.session);
  g_object_add_weak_pointer (G_OBJECT (main_window), (gpointer *) &main_window);
  g_signal_connect_swapped (main_window, "logged-out", G_CALLBACK (on_logged_out), &logged_out);
  gtk_window_present (GTK_WINDOW (main_window));
  stp_test_iterate ();
  stp_window_open_resident (main_window, fixture->resident_id);
  stp_test_iterate ();
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (STP_IS_RESIDENT_WINDOW (l->data))
      fixture->window = l->data;
  g_assert_nonnull (fixture->window);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  stp_test_set_text (GTK_WIDGET (fixture->window), "phone", "+7 912 555-44-33");

  gtk_widget_activate_action (GTK_WIDGET (main_window), "win.logout", NULL);
  stp_test_iterate ();
  answer_unsaved_dialog ("cancel");
  g_assert_false (logged_out);
  g_assert_nonnull (main_window);
  g_assert_nonnull (fixture->window);

  gtk_window_close (GTK_WINDOW (main_window));
  stp_test_iterate ();
  answer_unsaved_dialog ("cancel");
  g_assert_nonnull (main_window);

  gtk_widget_activate_action (GTK_WIDGET (main_window), "win.logout", NULL);
  stp_test_iterate ();
  answer_unsaved_dialog ("save");
  g_assert_true (logged_out);
  g_assert_null (main_window);
  g_assert_null (fixture->window);
  saved = stored_resident (fixture);
  g_assert_cmpstr (saved->phone, ==, "+79125554433");
}

int
main (int   argc,
      char *argv[])
{
  card_test_init (&argc, &argv);

  g_test_add ("/card/pages", Fixture, NULL, fixture_set_up, test_pages, fixture_tear_down);
  g_test_add ("/card/next-stage", Fixture, NULL, fixture_set_up, test_next_stage, fixture_tear_down);
  g_test_add ("/card/discharge", Fixture, NULL, fixture_set_up, test_discharge, fixture_tear_down);
  g_test_add ("/card/profile-save", Fixture, NULL, fixture_set_up, test_profile_save, fixture_tear_down);
  g_test_add ("/card/delete-undo", Fixture, NULL, fixture_set_up, test_delete_undo, fixture_tear_down);
  g_test_add ("/card/consent-withdraw", Fixture, NULL, fixture_set_up, test_consent_withdraw, fixture_tear_down);
  g_test_add ("/card/volunteer", Fixture, NULL, fixture_set_up, test_volunteer, fixture_tear_down);
  g_test_add ("/card/shortcuts", Fixture, NULL, fixture_set_up, test_shortcuts, fixture_tear_down);
  g_test_add ("/card/summary-strip", Fixture, NULL, fixture_set_up, test_summary_strip, fixture_tear_down);
  g_test_add ("/card/agency-directory", Fixture, NULL, fixture_set_up, test_agency_directory, fixture_tear_down);
  g_test_add ("/card/referral-letter", Fixture, NULL, fixture_set_up, test_referral_letter, fixture_tear_down);
  g_test_add ("/card/minors-from-relatives", Fixture, NULL, fixture_set_up, test_minors_from_relatives, fixture_tear_down);
  g_test_add ("/card/unsaved-close", Fixture, NULL, fixture_set_up, test_unsaved_close, fixture_tear_down);
  g_test_add ("/card/unsaved-logout", Fixture, NULL, fixture_set_up, test_unsaved_logout, fixture_tear_down);

  return card_test_finish (g_test_run ());
}
