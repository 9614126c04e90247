/* Report tests: a small fixed center built through the core API, real PDFs
 * read back with pdftotext, CSV parsed, audit events counted. */
#define G_LOG_DOMAIN "test-report"

#include "config.h"

#include "stp-report.h"
#include "stp-store.h"
#include "stp-query.h"
#include "stp-stats.h"
#include "stp-error.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#define N_JOURNAL_ENTRIES 260
#define N_HUGE_PARTS      60

typedef struct
{
  char       *dir;
  StpStore   *store;
  StpSession *director;
  StpSession *staff;
  StpSession *volunteer;
  char       *program_id;
  GPtrArray  *stages;          /* of StpStage */
  char       *ivanov_id;
  char       *ivanov_episode_id;
  char       *long_id;
  char       *referral_ok_id;
  char       *referral_refused_id;
} Center;

static Center center;

/* 15.06.2026 12:00 UTC, so that "today" is fixed. */
static gint64
fixed_clock (gpointer user_data)
{
  return (gint64) 1781524800 * G_USEC_PER_SEC;
}

static const char *
stage_name (int position)
{
  g_assert_cmpint (position, <, (int) center.stages->len);
  return ((StpStage *) g_ptr_array_index (center.stages, position))->name;
}

static const char *
stage_id (int position)
{
  g_assert_cmpint (position, <, (int) center.stages->len);
  return ((StpStage *) g_ptr_array_index (center.stages, position))->meta.id;
}

static StpSession *
make_user (const char *login,
           const char *full_name,
           StpRole     role)
{
  g_autoptr(StpUser) user = stp_user_new ();
  g_autoptr(GError) error = NULL;

  user->login = g_strdup (login);
  user->full_name = g_strdup (full_name);
  user->role = role;
  user->active = TRUE;
  stp_store_save_user_with_password (center.store, center.director, user, "пароль-для-теста-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (user->meta.id);
  return stp_session_new (user->meta.id, login, full_name, role);
}

static char *
add_resident (const char *surname,
              const char *name,
              const char *patronymic,
              const char *birth_date,
              StpSex      sex)
{
  g_autoptr(StpResident) resident = stp_resident_new ();
  g_autoptr(GError) error = NULL;

  resident->surname = g_strdup (surname);
  resident->name = g_strdup (name);
  resident->patronymic = g_strdup (patronymic);
  resident->birth_date = g_strdup (birth_date);
  resident->sex = sex;
  resident->citizenship = g_strdup ("РФ");
  stp_store_save_resident (center.store, center.staff, resident, &error);
  g_assert_no_error (error);
  return g_strdup (resident->meta.id);
}

static char *
admit (const char        *resident_id,
       const char        *date,
       StpReferralSource  source,
       StpSubstance       substance)
{
  g_autoptr(StpEpisode) episode = stp_episode_new ();
  g_autoptr(GError) error = NULL;

  episode->resident_id = g_strdup (resident_id);
  episode->program_id = g_strdup (center.program_id);
  episode->admitted_on = g_strdup (date);
  episode->referral_source = source;
  episode->payment_source = STP_PAYMENT_FREE;
  episode->main_substance = substance;
  episode->years_of_use = 7;
  episode->prior_treatments = g_strdup ("ЗДОРОВЬЕ-ЛЕЧЕНИЕ-РАНЕЕ");
  episode->responsible_user_id = g_strdup (stp_session_get_user_id (center.staff));
  stp_store_admit (center.store, center.staff, episode, &error);
  g_assert_no_error (error);
  return g_strdup (episode->meta.id);
}

static void
next_stage (const char *episode_id,
            const char *date)
{
  g_autoptr(GError) error = NULL;

  stp_store_next_stage (center.store, center.staff, episode_id, date, NULL, &error);
  g_assert_no_error (error);
}

static void
add_journal (const char     *resident_id,
             const char     *episode_id,
             const char     *occurred_at,
             StpJournalKind  kind,
             const char     *text,
             gboolean        restricted)
{
  g_autoptr(StpJournalEntry) entry = stp_journal_entry_new ();
  g_autoptr(GError) error = NULL;

  entry->resident_id = g_strdup (resident_id);
  entry->episode_id = g_strdup (episode_id);
  entry->kind = kind;
  entry->occurred_at = g_strdup (occurred_at);
  entry->author_user_id = g_strdup (stp_session_get_user_id (center.staff));
  entry->text = g_strdup (text);
  entry->restricted = restricted;
  stp_store_save_journal_entry (center.store, center.staff, entry, &error);
  g_assert_no_error (error);
}

static char *
add_referral (const char *resident_id,
              const char *agency,
              const char *number)
{
  g_autoptr(StpReferral) referral = stp_referral_new ();
  g_autoptr(GError) error = NULL;

  referral->resident_id = g_strdup (resident_id);
  referral->direction = STP_DIRECTION_OUTGOING;
  referral->agency_kind = STP_AGENCY_SOCIAL;
  referral->agency_name = g_strdup (agency);
  referral->registration_number = g_strdup (number);
  referral->sent_on = g_strdup ("2026-06-01");
  referral->purpose = g_strdup ("оформление мер социальной поддержки");
  referral->due_on = g_strdup ("2026-06-30");
  stp_store_save_referral (center.store, center.staff, referral, &error);
  g_assert_no_error (error);
  return g_strdup (referral->meta.id);
}

/* The fixed center: four residents with hand-countable numbers for
 * 01.01.2026–30.06.2026, and one resident with a very long journal. */
static void
build_center (void)
{
  g_autoptr(StpCenter) record = stp_center_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) programs = NULL;
  g_autofree char *path = NULL;
  g_autofree char *petrova = NULL;
  g_autofree char *petrova_episode = NULL;
  g_autofree char *sidorov = NULL;
  g_autofree char *sidorov_episode = NULL;
  g_autofree char *kuznetsov = NULL;
  g_autofree char *kuznetsov_episode = NULL;

  center.dir = g_dir_make_tmp ("stupeni-report-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (center.dir, "center.db", NULL);
  center.store = stp_store_open (path, &error);
  g_assert_no_error (error);
  stp_store_set_clock (center.store, fixed_clock, NULL);

  record->name = g_strdup ("АНО «Ступени к жизни»");
  record->region = g_strdup ("Пермский край");
  record->legal_name = g_strdup ("Автономная некоммерческая организация «Ступени к жизни»");
  record->address = g_strdup ("г. Пермь, ул. Ленина, д. 1");
  record->seats_total = 30;
  record->seats_male = 20;
  record->seats_female = 10;
  center.director = stp_store_create_center (center.store, record, "director",
                                             "Смирнова Ольга Николаевна",
                                             "пароль-директора-1", &error);
  g_assert_no_error (error);
  g_assert_nonnull (center.director);
  center.staff = make_user ("staff", "Орлов Игорь Павлович", STP_ROLE_STAFF);
  center.volunteer = make_user ("volunteer", "Волкова Елена Андреевна", STP_ROLE_VOLUNTEER);

  programs = stp_store_list (center.store, center.director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (programs->len, >, 0);
  /* The residential program (template A, five stages). */
  for (guint i = 0; i < programs->len; i++)
    {
      const StpProgram *program = g_ptr_array_index (programs, i);
      g_autoptr(GPtrArray) stages = stp_store_list_stages (center.store, center.director,
                                                           program->meta.id, &error);

      g_assert_no_error (error);
      if (center.stages == NULL || program->model == STP_PROGRAM_MODEL_TWELVE_STEP)
        {
          g_clear_pointer (&center.stages, g_ptr_array_unref);
          g_free (center.program_id);
          center.program_id = g_strdup (program->meta.id);
          center.stages = g_steal_pointer (&stages);
        }
    }
  g_assert_cmpuint (center.stages->len, >=, 3);

  /* Иванов: admitted 10.01.2026 (self, alcohol), two stages up, a step
   * back after a relapse, up again; still in the program. */
  center.ivanov_id = add_resident ("Иванов", "Пётр", "Сергеевич", "1985-03-12", STP_SEX_MALE);
  center.ivanov_episode_id = admit (center.ivanov_id, "2026-01-10", STP_REFERRAL_SOURCE_SELF,
                                    STP_SUBSTANCE_ALCOHOL);
  next_stage (center.ivanov_episode_id, "2026-01-20");
  next_stage (center.ivanov_episode_id, "2026-02-15");
  stp_store_step_back (center.store, center.staff, center.ivanov_episode_id, stage_id (1),
                       "2026-03-01", "срыв", &error);
  g_assert_no_error (error);
  next_stage (center.ivanov_episode_id, "2026-03-20");

  {
    g_autoptr(StpRelative) mother = stp_relative_new ();
    g_autoptr(StpRelative) son = stp_relative_new ();
    g_autoptr(StpConsent) personal = stp_consent_new ();
    g_autoptr(StpConsent) transfer = stp_consent_new ();

    mother->resident_id = g_strdup (center.ivanov_id);
    mother->full_name = g_strdup ("Иванова Мария Петровна");
    mother->relation = STP_RELATION_MOTHER;
    mother->codependent = TRUE;
    mother->consent_to_contact = TRUE;
    stp_store_save_relative (center.store, center.staff, mother, &error);
    g_assert_no_error (error);
    son->resident_id = g_strdup (center.ivanov_id);
    son->full_name = g_strdup ("Иванов Артём Петрович");
    son->relation = STP_RELATION_SON;
    son->birth_date = g_strdup ("2014-09-01");
    son->minor = TRUE;
    stp_store_save_relative (center.store, center.staff, son, &error);
    g_assert_no_error (error);

    personal->resident_id = g_strdup (center.ivanov_id);
    personal->kind = STP_CONSENT_PERSONAL_DATA;
    personal->signed_on = g_strdup ("2026-01-10");
    stp_store_save_consent (center.store, center.staff, personal, &error);
    g_assert_no_error (error);
    transfer->resident_id = g_strdup (center.ivanov_id);
    transfer->kind = STP_CONSENT_TRANSFER;
    transfer->recipient = g_strdup ("УСЗН Центрального района");
    transfer->signed_on = g_strdup ("2026-01-11");
    transfer->expires_on = g_strdup ("2027-01-11");
    stp_store_save_consent (center.store, center.staff, transfer, &error);
    g_assert_no_error (error);
  }

  add_journal (center.ivanov_id, center.ivanov_episode_id, "2026-01-12T09:00:00Z",
               STP_JOURNAL_CONSULTATION, "Первичная консультация ОТКРЫТАЯ-ЗАПИСЬ-1", FALSE);
  add_journal (center.ivanov_id, center.ivanov_episode_id, "2026-03-01T09:00:00Z",
               STP_JOURNAL_INCIDENT, "Срыв, разбор ситуации ЗАКРЫТАЯ-ЗАПИСЬ-7", TRUE);
  add_journal (center.ivanov_id, center.ivanov_episode_id, "2026-03-05T09:00:00Z",
               STP_JOURNAL_GROUP, "Групповое занятие ОТКРЫТАЯ-ЗАПИСЬ-2", FALSE);

  center.referral_ok_id = add_referral (center.ivanov_id, "УСЗН Центрального района", "15");
  center.referral_refused_id = add_referral (center.ivanov_id, "ОМВД России по Ленинскому району", "16");

  /* Петрова: admitted 01.02.2026 (medical, opioids), dropped out 01.04.2026. */
  petrova = add_resident ("Петрова", "Анна", "Викторовна", "2000-07-01", STP_SEX_FEMALE);
  petrova_episode = admit (petrova, "2026-02-01", STP_REFERRAL_SOURCE_MEDICAL, STP_SUBSTANCE_OPIOIDS);
  next_stage (petrova_episode, "2026-02-10");
  stp_store_discharge (center.store, center.staff, petrova_episode, STP_EPISODE_DROPPED_OUT,
                       "2026-04-01", "ушла по собственному желанию", &error);
  g_assert_no_error (error);

  /* Сидоров: admitted 01.10.2025 (court, stimulants), completed 15.03.2026. */
  sidorov = add_resident ("Сидоров", "Олег", "Иванович", "1970-11-20", STP_SEX_MALE);
  sidorov_episode = admit (sidorov, "2025-10-01", STP_REFERRAL_SOURCE_COURT_ADMIN,
                           STP_SUBSTANCE_STIMULANTS);
  stp_store_discharge (center.store, center.staff, sidorov_episode, STP_EPISODE_COMPLETED,
                       "2026-03-15", "программа пройдена", &error);
  g_assert_no_error (error);

  /* Кузнецов: admitted 01.05.2026 (relatives, alcohol), first stage. */
  kuznetsov = add_resident ("Кузнецов", "Дмитрий", "Алексеевич", "1995-05-05", STP_SEX_MALE);
  kuznetsov_episode = admit (kuznetsov, "2026-05-01", STP_REFERRAL_SOURCE_RELATIVES,
                             STP_SUBSTANCE_ALCOHOL);

  /* A resident without an episode (so the numbers above stay as they are)
   * but with a journal of many long entries, some longer than a page. */
  center.long_id = add_resident ("Долгов", "Журнал", "Страничович", "1990-01-01", STP_SEX_MALE);
  for (int i = 0; i < N_JOURNAL_ENTRIES; i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *when = g_strdup_printf ("2025-%02d-%02dT10:%02d:00Z", 1 + i / 28, 1 + i % 28, i % 60);

      g_string_append_printf (text, "НАЧАЛО%04d ", i);
      if (i % 40 == 7)
        {
          /* Longer than a page: each part has its own marker. */
          for (int part = 0; part < N_HUGE_PARTS; part++)
            g_string_append_printf (text, "Часть ЧАСТЬ%04dx%02d подробного описания беседы, "
                                    "наблюдений специалиста и договорённостей о следующих шагах. ",
                                    i, part);
        }
      else
        {
          for (int k = 0; k < 6; k++)
            g_string_append (text, "Беседа о ходе программы, трудностях недели, отношениях в группе "
                             "и планах на ресоциализацию. ");
        }
      g_string_append_printf (text, "КОНЕЦ%04d", i);
      add_journal (center.long_id, NULL, when, STP_JOURNAL_CONSULTATION, text->str, FALSE);
    }
}

static void
destroy_center (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&center.director);
  g_clear_object (&center.staff);
  g_clear_object (&center.volunteer);
  g_clear_object (&center.store);
  g_clear_pointer (&center.stages, g_ptr_array_unref);
  g_free (center.program_id);
  g_free (center.ivanov_id);
  g_free (center.ivanov_episode_id);
  g_free (center.long_id);
  g_free (center.referral_ok_id);
  g_free (center.referral_refused_id);

  dir = g_dir_open (center.dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (center.dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (center.dir);
  g_free (center.dir);
}

/* --- Helpers --------------------------------------------------------------- */

static char *
out_path (const char *name)
{
  return g_build_filename (center.dir, name, NULL);
}

/* Removes @path and everything under it. */
static void
stp_test_remove_dir (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = NULL;
  GFileInfo *info;

  children = g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
        stp_test_remove_dir (child);
      else
        g_unlink (child);
      g_object_unref (info);
    }
  g_rmdir (path);
}

static char *
pdf_to_text (const char *pdf)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              "pdftotext", "-layout", "-enc", "UTF-8", pdf, "-", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &text, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return text;
}

static guint
count_pages (const char *text)
{
  guint pages = 0;

  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\f')
      pages++;
  return pages;
}

/* Page pictures for people to look at, in the build directory. */
static void
save_pictures (const char *pdf,
               const char *prefix,
               int         last_page)
{
  g_autofree char *last = g_strdup_printf ("%d", last_page > 0 ? last_page : 1000);
  const char *build = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *target = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *pdftoppm = g_find_program_in_path ("pdftoppm");

  if (build == NULL)
    build = g_getenv ("STUPENI_TEST_BUILD_ROOT");

  if (build == NULL || pdftoppm == NULL)
    return;
  target = g_build_filename (build, prefix, NULL);
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error,
                              "pdftoppm", "-png", "-r", "60", "-l", last, pdf, target, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);
}

static guint
count_exports (void)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  events = stp_store_list_audit (center.store, center.director, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (((StpAuditEvent *) g_ptr_array_index (events, i))->action == STP_AUDIT_EXPORT)
      n++;
  return n;
}

static gboolean
have_tools (void)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");

  if (pdftotext == NULL)
    {
      g_test_skip ("pdftotext (poppler-utils) is not installed");
      return FALSE;
    }
  return TRUE;
}

static char *
page_footer (int page,
             int n_pages)
{
  return g_strdup_printf (_("page %d of %u"), page, (guint) n_pages);
}

/* --- Tests ----------------------------------------------------------------- */

static void
test_csv_quoting (void)
{
  g_autoptr(StpCsv) csv = stp_csv_new ();
  gsize length;
  const char *data;

  stp_csv_add_text (csv, "просто");
  stp_csv_add_text (csv, "a;b");
  stp_csv_add_text (csv, "say \"hi\"");
  stp_csv_add_text (csv, "two\nlines");
  stp_csv_add_number (csv, -42);
  stp_csv_add_text (csv, NULL);
  stp_csv_end_row (csv);
  data = stp_csv_get_data (csv, &length);
  g_assert_cmpstr (data, ==, "\xEF\xBB\xBFпросто;\"a;b\";\"say \"\"hi\"\"\";\"two\nlines\";-42;\r\n");
  g_assert_cmpuint (length, ==, strlen (data));
}

static void
test_resident_director (void)
{
  g_autofree char *pdf = out_path ("resident-director.pdf");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint exports_before = count_exports ();
  g_autofree char *footer = NULL;

  if (!have_tools ())
    return;

  stp_report_resident_to_pdf (center.store, center.director, center.ivanov_id, pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_exports (), ==, exports_before + 1);
  save_pictures (pdf, "resident-report", 0);

  text = pdf_to_text (pdf);
  g_assert_nonnull (strstr (text, "Иванов Пётр Сергеевич"));
  g_assert_nonnull (strstr (text, "АНО «Ступени к жизни»"));
  g_assert_nonnull (strstr (text, "12.03.1985"));
  /* Stage history with its dates. */
  g_assert_nonnull (strstr (text, stage_name (0)));
  g_assert_nonnull (strstr (text, stage_name (1)));
  g_assert_nonnull (strstr (text, stage_name (2)));
  g_assert_nonnull (strstr (text, "10.01.2026"));
  g_assert_nonnull (strstr (text, "20.01.2026"));
  g_assert_nonnull (strstr (text, "15.02.2026"));
  g_assert_nonnull (strstr (text, "01.03.2026"));
  g_assert_nonnull (strstr (text, "20.03.2026"));
  g_assert_nonnull (strstr (text, "Иванова Мария Петровна"));
  g_assert_nonnull (strstr (text, "Иванов Артём Петрович"));
  g_assert_nonnull (strstr (text, "УСЗН Центрального района"));
  g_assert_nonnull (strstr (text, "ОТКРЫТАЯ-ЗАПИСЬ-1"));
  g_assert_nonnull (strstr (text, "ОТКРЫТАЯ-ЗАПИСЬ-2"));
  /* The director may read restricted entries and health fields. */
  g_assert_nonnull (strstr (text, "ЗАКРЫТАЯ-ЗАПИСЬ-7"));
  g_assert_nonnull (strstr (text, "ЗДОРОВЬЕ-ЛЕЧЕНИЕ-РАНЕЕ"));
  /* Printed by whom, and signed by the director. */
  g_assert_nonnull (strstr (text, "Смирнова Ольга Николаевна"));
  g_assert_nonnull (strstr (text, "15.06.2026"));
  g_assert_nonnull (strstr (text, "____"));
  footer = page_footer (1, count_pages (text));
  g_assert_nonnull (strstr (text, footer));
}

static void
test_resident_staff (void)
{
  g_autofree char *pdf = out_path ("resident-staff.pdf");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (!have_tools ())
    return;

  stp_report_resident_to_pdf (center.store, center.staff, center.ivanov_id, pdf, &error);
  g_assert_no_error (error);
  text = pdf_to_text (pdf);
  g_assert_nonnull (strstr (text, "Иванов Пётр Сергеевич"));
  g_assert_nonnull (strstr (text, "Орлов Игорь Павлович"));
  /* Staff may read restricted entries (DOMAIN.md roles).  No role may
   * print without that right, so there is no printable report without them. */
  g_assert_true (stp_session_can (center.staff, STP_PERMISSION_READ_RESTRICTED));
  g_assert_nonnull (strstr (text, "ЗАКРЫТАЯ-ЗАПИСЬ-7"));
}

static void
test_resident_volunteer_refused (void)
{
  g_autofree char *pdf = out_path ("resident-volunteer.pdf");
  g_autoptr(StpReportLayout) layout = stp_report_layout_new ();
  g_autoptr(GError) error = NULL;
  guint exports_before = count_exports ();

  g_assert_false (stp_report_resident_to_pdf (center.store, center.volunteer, center.ivanov_id,
                                              pdf, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
  g_assert_false (g_file_test (pdf, G_FILE_TEST_EXISTS));
  g_clear_error (&error);
  g_assert_false (stp_report_resident_render (layout, center.store, center.volunteer,
                                              center.ivanov_id, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
  g_assert_cmpuint (count_exports (), ==, exports_before);
}

static void
test_long_journal (void)
{
  g_autofree char *pdf = out_path ("resident-long.pdf");
  g_autofree char *text = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autoptr(GError) error = NULL;
  guint pages;

  if (!have_tools ())
    return;

  stp_report_resident_to_pdf (center.store, center.staff, center.long_id, pdf, &error);
  g_assert_no_error (error);
  save_pictures (pdf, "resident-long-journal", 4);
  text = pdf_to_text (pdf);
  pages = count_pages (text);
  g_test_message ("long journal: %u pages", pages);
  g_assert_cmpuint (pages, >, 40);

  for (int i = 0; i < N_JOURNAL_ENTRIES; i++)
    {
      g_autofree char *start = g_strdup_printf ("НАЧАЛО%04d", i);
      g_autofree char *end = g_strdup_printf ("КОНЕЦ%04d", i);

      if (strstr (text, start) == NULL || strstr (text, end) == NULL)
        g_error ("entry %d lost: %s %s", i, start, end);
      if (i % 40 == 7)
        for (int part = 0; part < N_HUGE_PARTS; part++)
          {
            g_autofree char *marker = g_strdup_printf ("ЧАСТЬ%04dx%02d", i, part);

            if (strstr (text, marker) == NULL)
              g_error ("line lost: %s", marker);
          }
    }

  first = page_footer (1, pages);
  last = page_footer (pages, pages);
  g_assert_nonnull (strstr (text, first));
  g_assert_nonnull (strstr (text, last));
}

static void
test_layout_pages (void)
{
  g_autoptr(StpReportLayout) layout = stp_report_layout_new ();
  const char *headers[] = { "A", "B" };
  int pages;

  /* The same text, once as paragraphs and once as table rows, needs more
   * pages the more there is: pagination is real, not a constant. */
  stp_report_layout_add_title (layout, "Проверка");
  for (int i = 0; i < 200; i++)
    stp_report_layout_add_paragraph (layout, "Строка текста, которая занимает место на странице.");
  pages = stp_report_layout_paginate (layout, STP_REPORT_PAGE_WIDTH, STP_REPORT_PAGE_HEIGHT);
  g_assert_cmpint (pages, >=, 2);
  stp_report_layout_begin_table (layout, 2, headers, NULL);
  for (int i = 0; i < 400; i++)
    {
      const char *cells[] = { "ячейка", "ещё ячейка" };

      stp_report_layout_add_row (layout, cells);
    }
  stp_report_layout_end_table (layout);
  g_assert_cmpint (stp_report_layout_get_n_pages (layout), >, pages);
}

typedef struct
{
  const char *section;
  const char *key;
  gint64      value;
} Expected;

/* Hand-counted from build_center() for 01.01.2026–30.06.2026. */
static GArray *
expected_numbers (void)
{
  GArray *expected = g_array_new (FALSE, FALSE, sizeof (Expected));
  const Expected values[] = {
    { "admitted_by_source", stp_enum_to_code (STP_ENUM_REFERRAL_SOURCE, STP_REFERRAL_SOURCE_SELF), 1 },
    { "admitted_by_source", stp_enum_to_code (STP_ENUM_REFERRAL_SOURCE, STP_REFERRAL_SOURCE_MEDICAL), 1 },
    { "admitted_by_source", stp_enum_to_code (STP_ENUM_REFERRAL_SOURCE, STP_REFERRAL_SOURCE_RELATIVES), 1 },
    { "admitted_by_source", stp_enum_to_code (STP_ENUM_REFERRAL_SOURCE, STP_REFERRAL_SOURCE_COURT_ADMIN), 0 },
    { "admitted_by_source", "total", 3 },
    { "admitted_by_substance", stp_enum_to_code (STP_ENUM_SUBSTANCE, STP_SUBSTANCE_ALCOHOL), 2 },
    { "admitted_by_substance", stp_enum_to_code (STP_ENUM_SUBSTANCE, STP_SUBSTANCE_OPIOIDS), 1 },
    { "admitted_by_substance", "total", 3 },
    { "discharged_by_source", stp_enum_to_code (STP_ENUM_REFERRAL_SOURCE, STP_REFERRAL_SOURCE_MEDICAL), 1 },
    { "discharged_by_source", stp_enum_to_code (STP_ENUM_REFERRAL_SOURCE, STP_REFERRAL_SOURCE_COURT_ADMIN), 1 },
    { "discharged_by_source", "total", 2 },
    { "outcomes", stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_COMPLETED), 1 },
    { "outcomes", stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_DROPPED_OUT), 1 },
    { "sex", "male", 2 },
    { "sex", "female", 1 },
    { "sex", "total", 3 },
    { "age_groups", "25_34", 2 },
    { "age_groups", "35_44", 1 },
  };

  g_array_append_vals (expected, values, G_N_ELEMENTS (values));
  return expected;
}

/* Splits one CSV record; *p is advanced past its line end. */
static GPtrArray *
parse_csv_record (const char **p)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (g_free);
  GString *field = g_string_new (NULL);
  const char *s = *p;
  gboolean quoted = FALSE;

  for (;;)
    {
      if (quoted)
        {
          g_assert_true (*s != '\0');
          if (*s == '"' && s[1] == '"')
            {
              g_string_append_c (field, '"');
              s += 2;
            }
          else if (*s == '"')
            {
              quoted = FALSE;
              s++;
            }
          else
            g_string_append_c (field, *s++);
          continue;
        }
      if (*s == '"' && field->len == 0)
        {
          quoted = TRUE;
          s++;
        }
      else if (*s == ';')
        {
          g_ptr_array_add (fields, g_string_free (field, FALSE));
          field = g_string_new (NULL);
          s++;
        }
      else if (*s == '\r' && s[1] == '\n')
        {
          s += 2;
          break;
        }
      else
        {
          /* A bare LF or the end of data means a malformed line end. */
          g_assert_true (*s != '\n' && *s != '\0');
          g_string_append_c (field, *s++);
        }
    }
  g_ptr_array_add (fields, g_string_free (field, FALSE));
  *p = s;
  return fields;
}

static void
test_center_report (void)
{
  g_autofree char *pdf = out_path ("center.pdf");
  g_autofree char *csv_path = out_path ("center.csv");
  g_autofree char *text = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenterStats) stats = NULL;
  g_autoptr(GArray) expected = expected_numbers ();
  g_autoptr(GHashTable) csv_values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) sums = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint exports_before = count_exports ();
  const char *p;
  gsize length;
  guint n_rows = 0;

  if (!have_tools ())
    return;

  /* Director only. */
  g_assert_false (stp_report_center_to_pdf (center.store, center.staff, "2026-01-01", "2026-06-30",
                                            pdf, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
  g_clear_error (&error);

  stp_report_center_to_pdf (center.store, center.director, "2026-01-01", "2026-06-30", pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_exports (), ==, exports_before + 1);
  stp_report_center_to_csv (center.store, center.director, "2026-01-01", "2026-06-30", csv_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_exports (), ==, exports_before + 2);
  save_pictures (pdf, "center-report", 0);

  stats = stp_store_center_stats (center.store, center.director, "2026-01-01", "2026-06-30", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < expected->len; i++)
    {
      const Expected *e = &g_array_index (expected, Expected, i);

      if (stp_center_stats_get (stats, e->section, e->key) != e->value)
        g_error ("%s/%s: expected %" G_GINT64_FORMAT ", the core counts %" G_GINT64_FORMAT,
                 e->section, e->key, e->value, stp_center_stats_get (stats, e->section, e->key));
    }

  /* The PDF shows each number on its label's line, under its section. */
  text = pdf_to_text (pdf);
  g_assert_nonnull (strstr (text, "01.01.2026 – 30.06.2026"));
  for (guint i = 0; i < expected->len; i++)
    {
      const Expected *e = &g_array_index (expected, Expected, i);
      const StpStatRow *found = NULL;
      const char *section_at;
      const char *line;
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, e->value);
      g_autofree char *row_text = NULL;

      for (guint j = 0; j < stats->rows->len && found == NULL; j++)
        {
          const StpStatRow *row = g_ptr_array_index (stats->rows, j);

          if (g_str_equal (row->section, e->section) && g_str_equal (row->key, e->key))
            found = row;
        }
      g_assert_nonnull (found);
      section_at = strstr (text, found->section_label);
      g_assert_nonnull (section_at);
      line = strstr (section_at, found->label);
      g_assert_nonnull (line);
      row_text = g_strndup (line, strcspn (line, "\n"));
      g_strchomp (row_text);
      g_assert_true (g_str_has_suffix (row_text, value));
    }

  /* The CSV: BOM, CRLF, Russian headers, four fields a line (section,
   * indicator, value, period), the same numbers; totals equal the sum of
   * their section's other lines where a total is a sum. */
  g_file_get_contents (csv_path, &data, &length, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (data, "\xEF\xBB\xBF"));
  g_assert_true (g_utf8_validate (data, length, NULL));
  g_assert_null (strstr (data, "section"));
  g_assert_null (strstr (data, "admitted_by_source"));
  p = data + 3;
  {
    g_autoptr(GPtrArray) header = parse_csv_record (&p);

    g_assert_cmpuint (header->len, ==, 4);
    g_assert_cmpstr (g_ptr_array_index (header, 0), ==, "Раздел");
    g_assert_cmpstr (g_ptr_array_index (header, 1), ==, "Показатель");
    g_assert_cmpstr (g_ptr_array_index (header, 2), ==, "Значение");
    g_assert_cmpstr (g_ptr_array_index (header, 3), ==, "Период");
  }
  while (*p != '\0')
    {
      g_autoptr(GPtrArray) fields = parse_csv_record (&p);
      const StpStatRow *row = g_ptr_array_index (stats->rows, n_rows);
      const char *value = g_ptr_array_index (fields, 2);
      gint64 number;

      /* Rows come in the report's order: the codes are known from it. */
      g_assert_cmpuint (fields->len, ==, 4);
      g_assert_cmpstr (g_ptr_array_index (fields, 0), ==, row->section_label);
      g_assert_cmpstr (g_ptr_array_index (fields, 1), ==, row->label);
      g_assert_cmpstr (g_ptr_array_index (fields, 3), ==, "01.01.2026 – 30.06.2026");
      g_assert_true (g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &number, NULL));
      g_hash_table_insert (csv_values, g_strdup_printf ("%s/%s", row->section, row->key), g_strdup (value));
      if (!g_str_equal (row->key, "total"))
        {
          gint64 sum = GPOINTER_TO_SIZE (g_hash_table_lookup (sums, row->section));

          g_hash_table_insert (sums, g_strdup (row->section), GSIZE_TO_POINTER (sum + number));
        }
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, stats->rows->len);
  for (guint i = 0; i < expected->len; i++)
    {
      const Expected *e = &g_array_index (expected, Expected, i);
      g_autofree char *key = g_strdup_printf ("%s/%s", e->section, e->key);
      g_autofree char *value = g_strdup_printf ("%" G_GINT64_FORMAT, e->value);

      g_assert_cmpstr (g_hash_table_lookup (csv_values, key), ==, value);
    }
  /* Sections whose lines add up to their total. */
  {
    const char *summed[] = { "admitted_by_source", "admitted_by_substance",
                             "discharged_by_source", "sex" };

    for (guint i = 0; i < G_N_ELEMENTS (summed); i++)
      {
        g_autofree char *key = g_strdup_printf ("%s/total", summed[i]);
        g_autofree char *sum = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                                GPOINTER_TO_SIZE (g_hash_table_lookup (sums, summed[i])));

        g_assert_cmpstr (g_hash_table_lookup (csv_values, key), ==, sum);
      }
  }
}

/* The line of @text from @from on that starts (after spaces) with
 * @label, or NULL. */
static char *
line_starting_with (const char *from,
                    const char *label)
{
  const char *p = from;

  while (p != NULL && *p != '\0')
    {
      const char *end = strchr (p, '\n');
      g_autofree char *line = g_strndup (p, end != NULL ? (gsize) (end - p) : strlen (p));

      if (g_str_has_prefix (g_strchug (line), label))
        return g_strchomp (g_strdup (line));
      p = end != NULL ? end + 1 : NULL;
    }
  return NULL;
}

/* The center report's charts: drawn under their tables in the PDF, with
 * their titles, category names and the value beside each bar, as
 * pdftotext reads them; page pictures for people. */
static void
test_center_report_charts (void)
{
  g_autofree char *pdf = out_path ("center-charts.pdf");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenterStats) stats = NULL;
  g_autoptr(GPtrArray) charts = NULL;
  const char *title_at;
  const char *chart_at;
  char *line;
  gboolean found_stage_kind_chart = FALSE;

  if (!have_tools ())
    return;

  stp_report_center_to_pdf (center.store, center.director, "2026-01-01", "2026-06-30", pdf, &error);
  g_assert_no_error (error);
  save_pictures (pdf, "center-report-charts", 0);
  text = pdf_to_text (pdf);
  stats = stp_store_center_stats (center.store, center.director, "2026-01-01", "2026-06-30", &error);
  g_assert_no_error (error);

  /* The same charts are offered for the screen. */
  charts = stp_report_center_charts (stats);
  g_assert_cmpuint (charts->len, >=, 5);
  for (guint i = 0; i < charts->len; i++)
    if (g_strcmp0 (stp_chart_get_title (charts->pdata[i]),
                   "В программе на конец периода, по видам этапов") == 0)
      {
        found_stage_kind_chart = TRUE;
        /* Every kind is a category, in the fixed order. */
        g_assert_cmpuint (stp_chart_get_n_categories (charts->pdata[i]), ==, 6);
      }
  g_assert_true (found_stage_kind_chart);

  /* «Поступили, по источнику направления»: the heading, its table, then
   * the chart under the same title with one bar per source that occurs:
   * «Сам» with 1 at the end of its line. */
  title_at = strstr (text, "Поступили, по источнику направления");
  g_assert_nonnull (title_at);
  chart_at = strstr (title_at + 1, "Поступили, по источнику направления");
  g_assert_nonnull (chart_at);
  line = line_starting_with (chart_at, "Сам");
  g_assert_nonnull (line);
  g_assert_true (g_str_has_suffix (line, " 1"));
  g_free (line);
  /* Sources that did not occur have no bar. */
  line = line_starting_with (chart_at, stp_enum_to_label (STP_ENUM_REFERRAL_SOURCE,
                                                          STP_REFERRAL_SOURCE_COURT_ADMIN));
  g_assert_true (line == NULL || strstr (chart_at, "Поступили, по основному") < strstr (chart_at, line));
  g_free (line);

  /* By kind of stage: the table and the chart each name every kind. */
  title_at = strstr (text, "В программе на конец периода, по видам этапов");
  g_assert_nonnull (title_at);
  chart_at = strstr (title_at + 1, "В программе на конец периода, по видам этапов");
  g_assert_nonnull (chart_at);
  line = line_starting_with (chart_at, "Постреабилитационное сопровождение");
  g_assert_nonnull (line);
  g_free (line);
  line = line_starting_with (chart_at, "Адаптация");
  g_assert_nonnull (line);
  {
    g_autofree char *value = g_strdup_printf (" %" G_GINT64_FORMAT,
                                              stp_center_stats_get (stats, "in_program_by_stage_kind",
                                                                    "adaptation"));

    g_assert_true (g_str_has_suffix (line, value));
  }
  g_free (line);

  /* Remission: a stacked chart of its own with a legend, only when
   * follow-ups fell due in the period (none did in the first half of
   * 2026 here: the whole of 2025 has some). */
  if (stp_center_stats_get (stats, "remission_6", "due") + stp_center_stats_get (stats, "remission_12", "due") > 0)
    g_assert_nonnull (strstr (text, "Катамнез в периоде: ремиссия"));
  else
    g_assert_null (strstr (text, "Катамнез в периоде: ремиссия"));
  /* The whole year: both 6-month follow-ups (due 15.09 and 01.10) are
   * still to be done. */
  {
    g_autofree char *year_pdf = out_path ("center-year.pdf");
    g_autofree char *year_text = NULL;

    stp_report_center_to_pdf (center.store, center.director, "2026-01-01", "2026-12-31", year_pdf, &error);
    g_assert_no_error (error);
    save_pictures (year_pdf, "center-report-year", 0);
    year_text = pdf_to_text (year_pdf);
    chart_at = strstr (year_text, "Катамнез в периоде: ремиссия");
    g_assert_nonnull (chart_at);
    line = line_starting_with (chart_at, "Через 6 месяцев");
    g_assert_nonnull (line);
    g_assert_true (g_str_has_suffix (line, " 2"));
    g_free (line);
    line = line_starting_with (chart_at, "Через 12 месяцев");
    g_assert_nonnull (line);
    g_assert_true (g_str_has_suffix (line, " 0"));
    g_free (line);
    g_assert_nonnull (strstr (chart_at, "Ещё не выполнено"));
    g_assert_nonnull (strstr (chart_at, "Утерян контакт"));
  }
  /* Age groups: vertical bars with the groups under them. */
  title_at = strstr (text, "Возраст при поступлении");
  g_assert_nonnull (title_at);
  g_assert_nonnull (strstr (title_at + 1, "Возраст при поступлении"));
}

/* Charts on their own: bars, stacked bars and a line drawn to PNG in
 * print and dark colours, each value written where pdftotext can read it. */
static void
test_chart_kinds (void)
{
  static const char *months[] = { "янв", "фев", "мар", "апр", "май", "июн" };
  static const gint64 admitted[] = { 3, 0, 5, 12, 0, 7 };
  static const gint64 discharged[] = { 1, 2, 0, 4, 9, 0 };
  g_autoptr(StpReportLayout) layout = stp_report_layout_new ();
  g_autofree char *pdf = out_path ("charts.pdf");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *build = g_getenv ("G_TEST_BUILDDIR");
  StpChartKind kinds[] = { STP_CHART_BARS, STP_CHART_STACKED_BARS, STP_CHART_LINE };
  const char *titles[] = { "Столбцы", "Столбцы с накоплением", "Линия" };

  if (!have_tools ())
    return;

  stp_report_layout_add_title (layout, "Диаграммы");
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(StpChart) chart = stp_chart_new (kinds[k], titles[k]);

      for (guint m = 0; m < G_N_ELEMENTS (months); m++)
        stp_chart_add_category (chart, months[m]);
      stp_chart_add_series (chart, "Поступили", admitted, G_N_ELEMENTS (admitted));
      stp_chart_add_series (chart, "Выбыли", discharged, G_N_ELEMENTS (discharged));
      g_assert_cmpint (stp_chart_get_value (chart, 1, 4), ==, 9);
      stp_report_layout_add_chart (layout, chart);

      /* The dark style on screen, in a picture. */
      if (build != NULL)
        {
          StpChartStyle style;
          cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 480, 240);
          cairo_t *cr = cairo_create (surface);
          g_autofree char *name = g_strdup_printf ("chart-%u-dark.png", k);
          g_autofree char *path = g_build_filename (build, name, NULL);

          stp_chart_style_init_print (&style);
          style.dark = TRUE;
          style.font_size = 11;
          style.foreground[0] = style.foreground[1] = style.foreground[2] = 1.0;
          style.background[0] = style.background[1] = style.background[2] = 0.14;
          cairo_set_source_rgb (cr, 0.14, 0.14, 0.14);
          cairo_paint (cr);
          stp_chart_draw (chart, cr, 480, 240, &style);
          cairo_destroy (cr);
          g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
          cairo_surface_destroy (surface);
        }
    }
  /* Six series in one stack: each has its own fill (plain or hatched), a
   * legend entry, and the stack's total over it. */
  {
    g_autoptr(StpChart) chart = stp_chart_new (STP_CHART_STACKED_BARS, "Шесть рядов");
    const char *names[] = { "первый", "второй", "третий", "четвёртый", "пятый", "шестой" };

    stp_chart_set_horizontal (chart, TRUE);
    stp_chart_add_category (chart, "Через 6 месяцев");
    stp_chart_add_category (chart, "Через 12 месяцев");
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        gint64 values[2] = { 3 + i, 6 - i };

        stp_chart_add_series (chart, names[i], values, 2);
      }
    stp_report_layout_add_chart (layout, chart);
  }
  g_assert_true (stp_report_layout_write_pdf (layout, pdf, &error));
  g_assert_no_error (error);
  save_pictures (pdf, "charts", 0);
  text = pdf_to_text (pdf);
  for (guint k = 0; k < G_N_ELEMENTS (titles); k++)
    g_assert_nonnull (strstr (text, titles[k]));
  for (guint m = 0; m < G_N_ELEMENTS (months); m++)
    g_assert_nonnull (strstr (text, months[m]));
  g_assert_nonnull (strstr (text, "Поступили"));
  g_assert_nonnull (strstr (text, "Выбыли"));
  /* The tallest values and a stack's total (5 + 0 = 5, 0 + 9 = 9,
   * 12 + 4 = 16) are printed. */
  g_assert_nonnull (strstr (text, "12"));
  g_assert_nonnull (strstr (text, "16"));
  /* 3+4+5+6+7+8 = 33 and 6+5+4+3+2+1 = 21, at the ends of their lines. */
  {
    g_autofree char *six = line_starting_with (strstr (text, "Шесть рядов"), "Через 6 месяцев");
    g_autofree char *twelve = line_starting_with (strstr (text, "Шесть рядов"), "Через 12 месяцев");

    g_assert_nonnull (six);
    g_assert_true (g_str_has_suffix (six, " 33"));
    g_assert_nonnull (twelve);
    g_assert_true (g_str_has_suffix (twelve, " 21"));
    g_assert_nonnull (strstr (text, "шестой"));
  }
}

/* All records of a CSV text (after an optional BOM), as parse_csv_record
 * reads them; LibreOffice ends lines with LF alone, so LF is made CRLF. */
static GPtrArray *
parse_csv (const char *data)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GString) text = g_string_new (NULL);
  const char *p;

  if (g_str_has_prefix (data, "\xEF\xBB\xBF"))
    data += 3;
  for (p = data; *p != '\0'; p++)
    {
      if (*p == '\n' && (p == data || p[-1] != '\r'))
        g_string_append_c (text, '\r');
      g_string_append_c (text, *p);
    }
  p = text->str;
  while (*p != '\0')
    g_ptr_array_add (records, parse_csv_record (&p));
  return records;
}

/* The center CSV through a spreadsheet: LibreOffice Calc imports it with
 * both `;` and `,` ticked as separators (the worst its import dialog may
 * remember) and saves it back as CSV with `;`; every field comes back as
 * it was, those with commas and dashes included. */
static void
test_csv_round_trip (void)
{
  g_autofree char *soffice = g_find_program_in_path ("soffice");
  g_autofree char *csv_path = out_path ("round-trip.csv");
  g_autofree char *back_dir = out_path ("back");
  g_autofree char *back_path = g_build_filename (back_dir, "round-trip.csv", NULL);
  g_autofree char *profile = NULL;
  g_autofree char *profile_dir = out_path ("lo-profile");
  g_autofree char *original = NULL;
  g_autofree char *returned = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean comma_seen = FALSE;

  if (soffice == NULL)
    {
      g_test_skip ("LibreOffice (libreoffice-calc-nogui) is not installed");
      return;
    }

  stp_report_center_to_csv (center.store, center.director, "2026-01-01", "2026-06-30", csv_path, &error);
  g_assert_no_error (error);
  profile = g_strconcat ("-env:UserInstallation=file://", profile_dir, NULL);
  /* 59/44 are `;` and `,`, 34 the quote, 76 UTF-8, 1 the first line; on
   * export `;`, text fields quoted. */
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              soffice, profile, "--headless", "--infilter=CSV:59/44,34,76,1",
                              "--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1,,0,true,true",
                              "--outdir", back_dir, csv_path, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_check (process, NULL, &error);
  g_assert_no_error (error);

  g_file_get_contents (csv_path, &original, NULL, &error);
  g_assert_no_error (error);
  g_file_get_contents (back_path, &returned, NULL, &error);
  g_assert_no_error (error);
  before = parse_csv (original);
  after = parse_csv (returned);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint r = 0; r < before->len; r++)
    {
      GPtrArray *a = before->pdata[r];
      GPtrArray *b = after->pdata[r];

      g_assert_cmpuint (b->len, ==, a->len);
      for (guint f = 0; f < a->len; f++)
        {
          g_assert_cmpstr (b->pdata[f], ==, a->pdata[f]);
          comma_seen = comma_seen || strchr (a->pdata[f], ',') != NULL;
        }
    }
  /* «Поступили, по источнику направления» and the like. */
  g_assert_true (comma_seen);
  stp_test_remove_dir (profile_dir);
  stp_test_remove_dir (back_dir);
}

static void
test_follow_ups_report (void)
{
  g_autofree char *pdf = out_path ("follow-ups.pdf");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = NULL;
  guint exports_before = count_exports ();

  if (!have_tools ())
    return;

  stp_report_follow_ups_to_pdf (center.store, center.staff, "2026-07-15", pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_exports (), ==, exports_before + 1);
  save_pictures (pdf, "follow-ups-report", 0);
  text = pdf_to_text (pdf);

  /* Петрова (discharged 01.04.2026): 1 month 01.05.2026, 3 months
   * 01.07.2026; Сидоров (15.03.2026): 15.04.2026 and 15.06.2026. */
  due = stp_store_list_follow_ups_due (center.store, center.staff, "2026-06-15", "2026-07-15", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 4);
  g_assert_nonnull (strstr (text, "Петрова Анна Викторовна"));
  g_assert_nonnull (strstr (text, "Сидоров Олег Иванович"));
  g_assert_nonnull (strstr (text, "01.05.2026"));
  g_assert_nonnull (strstr (text, "01.07.2026"));
  g_assert_nonnull (strstr (text, "15.04.2026"));
  g_assert_nonnull (strstr (text, "15.06.2026"));
  g_assert_null (strstr (text, "Кузнецов"));
}

static void
test_census_report (void)
{
  g_autofree char *pdf = out_path ("census.pdf");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  const char *ivanov_stage;
  const char *kuznetsov_stage;

  if (!have_tools ())
    return;

  stp_report_census_to_pdf (center.store, center.staff, pdf, &error);
  g_assert_no_error (error);
  save_pictures (pdf, "census", 0);
  text = pdf_to_text (pdf);

  /* In the center: Кузнецов on the first stage, Иванов on the third. */
  kuznetsov_stage = strstr (text, stage_name (0));
  ivanov_stage = strstr (text, stage_name (2));
  g_assert_nonnull (kuznetsov_stage);
  g_assert_nonnull (ivanov_stage);
  g_assert_nonnull (strstr (kuznetsov_stage, "Кузнецов Дмитрий Алексеевич"));
  g_assert_nonnull (strstr (ivanov_stage, "Иванов Пётр Сергеевич"));
  g_assert_true (kuznetsov_stage < ivanov_stage);
  g_assert_null (strstr (text, "Петрова"));
  g_assert_null (strstr (text, "Сидоров"));
  g_assert_nonnull (strstr (text, "01.05.2026"));
}

static void
test_referral_letter (void)
{
  g_autofree char *refused = out_path ("letter-refused.pdf");
  g_autofree char *pdf = out_path ("letter.pdf");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint exports_before = count_exports ();

  if (!have_tools ())
    return;

  g_assert_false (stp_report_referral_letter_to_pdf (center.store, center.staff,
                                                     center.referral_refused_id, refused, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NO_CONSENT);
  g_assert_nonnull (strstr (error->message, "ОМВД России по Ленинскому району"));
  g_assert_false (g_file_test (refused, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_exports (), ==, exports_before);
  g_clear_error (&error);

  stp_report_referral_letter_to_pdf (center.store, center.staff, center.referral_ok_id, pdf, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_exports (), ==, exports_before + 1);
  save_pictures (pdf, "referral-letter", 0);
  text = pdf_to_text (pdf);
  g_assert_nonnull (strstr (text, "УСЗН Центрального района"));
  g_assert_nonnull (strstr (text, "Иванов Пётр Сергеевич"));
  g_assert_nonnull (strstr (text, "12.03.1985"));
  g_assert_nonnull (strstr (text, "10.01.2026"));
  g_assert_nonnull (strstr (text, "11.01.2026"));
  g_assert_nonnull (strstr (text, stage_name (2)));
  g_assert_nonnull (strstr (text, "оформление мер социальной поддержки"));
}

int
main (int   argc,
      char *argv[])
{
  int result;

  /* Russian output when the translations are built; the assertions use
   * the same catalogue, so they hold either way. */
  if (setlocale (LC_ALL, "ru_RU.UTF-8") == NULL)
    setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/report/csv/quoting", test_csv_quoting);
  g_test_add_func ("/report/layout/pages", test_layout_pages);
  g_test_add_func ("/report/resident/director", test_resident_director);
  g_test_add_func ("/report/resident/staff", test_resident_staff);
  g_test_add_func ("/report/resident/volunteer-refused", test_resident_volunteer_refused);
  g_test_add_func ("/report/resident/long-journal", test_long_journal);
  g_test_add_func ("/report/center", test_center_report);
  g_test_add_func ("/report/center/charts", test_center_report_charts);
  g_test_add_func ("/report/charts", test_chart_kinds);
  g_test_add_func ("/report/center/csv-round-trip", test_csv_round_trip);
  g_test_add_func ("/report/follow-ups", test_follow_ups_report);
  g_test_add_func ("/report/census", test_census_report);
  g_test_add_func ("/report/referral-letter", test_referral_letter);

  build_center ();
  result = g_test_run ();
  destroy_center ();
  return result;
}
