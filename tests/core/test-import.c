/* test-import.c: residents from a CSV table, against a real SQLite file. */
#include "config.h"

#include <string.h>

#include "test-util.h"
#include "stp-import.h"
#include "import-csv-util.h"

#define N_ROWS 1000

static void
names_of_program (TestCenter  *tc,
                  char       **program,
                  char       **stage,
                  char       **stage_id)
{
  g_autofree char *program_id = test_first_program_id (tc);
  g_autofree char *sql1 = g_strdup_printf ("SELECT name FROM programs WHERE id = '%s'", program_id);
  g_autofree char *sql2 = g_strdup_printf ("SELECT name FROM stages WHERE program_id = '%s' "
                                           "ORDER BY position LIMIT 1 OFFSET 1", program_id);
  g_autofree char *sql3 = g_strdup_printf ("SELECT id FROM stages WHERE program_id = '%s' "
                                           "ORDER BY position LIMIT 1 OFFSET 1", program_id);

  *program = test_text (tc->store, sql1);
  *stage = test_text (tc->store, sql2);
  *stage_id = test_text (tc->store, sql3);
  g_assert_nonnull (*program);
  g_assert_nonnull (*stage);
}

/* The people of the file already in the database before the import. */
static guint
save_existing (TestCenter *tc)
{
  g_autoptr(GError) error = NULL;
  guint n = 0;

  for (guint i = 0; i < N_ROWS; i++)
    {
      g_autoptr(StpResident) r = NULL;
      if (!csv_is_existing (i) || csv_is_bad (i) || csv_is_repeat (i))
        continue;
      r = stp_resident_new ();
      r->surname = csv_surname (i);
      r->name = g_strdup (csv_name (i));
      r->patronymic = g_strdup ("Иванович");
      r->birth_date = csv_birth_iso (i);
      r->sex = STP_SEX_MALE;
      g_assert_true (stp_store_save_resident (tc->store, tc->director, r, &error));
      g_assert_no_error (error);
      n++;
    }
  return n;
}

static void
check_import (TestCenter *tc,
              char        sep,
              gboolean    cp1251,
              gboolean    bom)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *program = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *stage_id = NULL;
  g_autofree char *text = NULL;
  g_autofree char *data = NULL;
  g_autoptr(StpImportTable) table = NULL;
  g_autofree StpImportField *mapping = NULL;
  g_autoptr(GPtrArray) preview = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  StpImportSummary summary = { 0 };
  CsvPlan plan;
  gsize len;
  guint existing, expected;
  guint counts[4] = { 0 };

  names_of_program (tc, &program, &stage, &stage_id);
  existing = save_existing (tc);
  text = csv_generate (sep, N_ROWS, program, stage, &plan);
  g_test_message ("plan: %u rows, bad dates %u, no name %u, bad sex %u, repeats %u, existing %u",
                  plan.rows, plan.bad_date, plan.no_name, plan.bad_sex, plan.dup_in_file, plan.dup_existing);
  g_assert_cmpuint (plan.bad_date, >, 0);
  g_assert_cmpuint (plan.no_name, >, 0);
  g_assert_cmpuint (plan.bad_sex, >, 0);
  g_assert_cmpuint (plan.dup_in_file, >, 0);
  g_assert_cmpuint (plan.dup_existing, ==, existing);
  expected = csv_expected_imported (&plan);

  if (cp1251)
    {
      data = g_convert (text, -1, "WINDOWS-1251", "UTF-8", NULL, &len, &error);
      g_assert_no_error (error);
    }
  else
    {
      data = bom ? g_strconcat ("\xEF\xBB\xBF", text, NULL) : g_strdup (text);
      len = strlen (data);
    }
  table = stp_import_parse (data, len, "registry.csv", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (table->encoding, ==, cp1251 ? "WINDOWS-1251" : "UTF-8");
  g_assert_cmpint (table->delimiter, ==, sep);
  g_assert_cmpuint (table->header->len, ==, 16);
  g_assert_cmpstr (table->header->pdata[0], ==, "Фамилия");
  g_assert_cmpuint (table->rows->len, ==, N_ROWS);
  /* Quoted field with the separator, doubled quotes and a line break. */
  g_assert_cmpstr (((char **) table->rows->pdata[0])[15], ==,
                   sep == ';' ? "Примечание; с \"кавычками\"\nи переносом"
                              : "Примечание, с \"кавычками\"\nи переносом");
  /* Lines: the header is line 1 and each row takes two lines. */
  g_assert_cmpuint (g_array_index (table->lines, guint, 1), ==, 4);

  mapping = stp_import_guess_mapping (table);
  {
    static const StpImportField expected_map[] = {
      STP_IMPORT_FIELD_SURNAME, STP_IMPORT_FIELD_NAME, STP_IMPORT_FIELD_PATRONYMIC,
      STP_IMPORT_FIELD_BIRTH_DATE, STP_IMPORT_FIELD_SEX, STP_IMPORT_FIELD_PHONE,
      STP_IMPORT_FIELD_FILE_NUMBER, STP_IMPORT_FIELD_ADMISSION_DATE, STP_IMPORT_FIELD_PROGRAM,
      STP_IMPORT_FIELD_STAGE, STP_IMPORT_FIELD_OUTCOME, STP_IMPORT_FIELD_DISCHARGE_DATE,
      STP_IMPORT_FIELD_RELATIVE_NAME, STP_IMPORT_FIELD_RELATIVE_RELATION,
      STP_IMPORT_FIELD_RELATIVE_PHONE, STP_IMPORT_FIELD_NONE,
    };
    for (guint i = 0; i < G_N_ELEMENTS (expected_map); i++)
      g_assert_cmpint (mapping[i], ==, expected_map[i]);
  }

  /* The preview writes nothing. */
  {
    gint64 before = test_count (tc->store, "SELECT count(*) FROM residents");
    preview = stp_import_check (tc->store, tc->director, table, mapping, &error);
    g_assert_no_error (error);
    g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents"), ==, before);
  }
  for (guint i = 0; i < preview->len; i++)
    counts[((StpImportRow *) preview->pdata[i])->status]++;
  g_assert_cmpuint (counts[STP_IMPORT_ROW_OK], ==, expected);
  g_assert_cmpuint (counts[STP_IMPORT_ROW_INVALID], ==, plan.bad_date + plan.no_name + plan.bad_sex);
  g_assert_cmpuint (counts[STP_IMPORT_ROW_DUPLICATE_IN_FILE], ==, plan.dup_in_file);
  g_assert_cmpuint (counts[STP_IMPORT_ROW_DUPLICATE_EXISTING], ==, plan.dup_existing);
  /* Each problem says what is wrong. */
  for (guint i = 0; i < preview->len; i++)
    {
      StpImportRow *row = preview->pdata[i];
      guint index = (row->line - 2) / 2;
      if (index % 61 == 7 && index % 50 != 40)
        {
          g_assert_cmpint (row->status, ==, STP_IMPORT_ROW_INVALID);
          g_assert_nonnull (strstr (row->problems, "31.02.1990"));
        }
    }

  rows = stp_import_run (tc->store, tc->director, table, mapping, &summary, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summary.imported, ==, expected);
  g_assert_cmpuint (summary.invalid, ==, plan.bad_date + plan.no_name + plan.bad_sex);
  g_assert_cmpuint (summary.duplicates, ==, plan.dup_in_file + plan.dup_existing);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==,
                   existing + expected);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM relatives WHERE deleted = 0"), ==, expected);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM episodes WHERE deleted = 0"), ==, expected);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM audit_events WHERE action = 'import'"), ==, 1);

  /* Fields of every imported row match the file. */
  for (guint i = 0; i < rows->len; i++)
    {
      StpImportRow *row = rows->pdata[i];
      guint person;
      g_autoptr(StpResident) r = NULL;
      g_autoptr(StpEpisode) ep = NULL;
      g_autoptr(GPtrArray) relatives = NULL;
      g_autofree char *surname = NULL;
      g_autofree char *birth = NULL;
      g_autofree char *file_number = NULL;
      g_autofree char *phone = NULL;
      g_autofree char *relative_name = NULL;

      if (row->status != STP_IMPORT_ROW_OK)
        continue;
      g_assert_nonnull (row->resident_id);
      person = (row->line - 2) / 2;
      r = stp_store_get_resident (tc->store, tc->director, row->resident_id, &error);
      g_assert_no_error (error);
      surname = csv_surname (person);
      birth = csv_birth_iso (person);
      file_number = g_strdup_printf ("Д-%04u", person);
      phone = g_strdup_printf ("+7912%03u%02u%02u", person % 1000, person % 100, (person / 7) % 100);
      g_assert_cmpstr (r->surname, ==, surname);
      g_assert_cmpstr (r->name, ==, csv_name (person));
      g_assert_cmpstr (r->patronymic, ==, "Иванович");
      g_assert_cmpstr (r->birth_date, ==, birth);
      g_assert_cmpint (r->sex, ==, STP_SEX_MALE);
      g_assert_cmpstr (r->phone, ==, phone);
      g_assert_cmpstr (r->file_number, ==, file_number);
      ep = stp_store_get_latest_episode (tc->store, tc->director, r->meta.id, &error);
      g_assert_nonnull (ep);
      g_assert_cmpstr (ep->admitted_on, ==, "2025-03-10");
      if (person % 10 == 3)
        {
          g_assert_cmpint (ep->status, ==, STP_EPISODE_COMPLETED);
          g_assert_cmpstr (ep->discharged_on, ==, "2026-01-15");
        }
      else
        {
          g_autoptr(StpStageEntry) entry = stp_store_get_current_stage_entry (tc->store, tc->director,
                                                                              ep->meta.id, &error);
          g_assert_cmpint (ep->status, ==, STP_EPISODE_IN_PROGRAM);
          g_assert_nonnull (entry);
          g_assert_cmpstr (entry->stage_id, ==, stage_id);
        }
      relatives = stp_store_list (tc->store, tc->director, STP_KIND_RELATIVE, "resident_id", r->meta.id, &error);
      g_assert_cmpuint (relatives->len, ==, 1);
      relative_name = g_strdup_printf ("Мать-%04u Мария", person);
      g_assert_cmpstr (((StpRelative *) relatives->pdata[0])->full_name, ==, relative_name);
      g_assert_cmpint (((StpRelative *) relatives->pdata[0])->relation, ==, STP_RELATION_MOTHER);
    }

  /* The report lists every row. */
  {
    g_autofree char *report = stp_import_report_csv (rows);
    g_auto(GStrv) lines = g_strsplit (report, "\r\n", -1);
    g_assert_true (g_str_has_prefix (report, "\xEF\xBB\xBF"));
    g_assert_cmpuint (g_strv_length (lines), ==, N_ROWS + 2);
  }

  /* The same file again adds nothing. */
  {
    g_autoptr(GPtrArray) again = NULL;
    StpImportSummary second = { 0 };
    gint64 outbox = test_count (tc->store, "SELECT count(*) FROM outbox");

    again = stp_import_run (tc->store, tc->director, table, mapping, &second, &error);
    g_assert_no_error (error);
    for (guint i = 0; i < again->len; i++)
      if (((StpImportRow *) again->pdata[i])->status == STP_IMPORT_ROW_OK)
        g_test_message ("imported again: line %u %s", ((StpImportRow *) again->pdata[i])->line,
                        ((StpImportRow *) again->pdata[i])->display);
    g_assert_cmpuint (second.imported, ==, 0);
    g_assert_cmpuint (second.duplicates, ==, expected + plan.dup_in_file + plan.dup_existing);
    g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents WHERE deleted = 0"), ==,
                     existing + expected);
    g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM outbox"), ==, outbox);
  }
}

static void
test_cp1251_semicolon (TestCenter    *tc,
                       gconstpointer  data)
{
  check_import (tc, ';', TRUE, FALSE);
}

static void
test_utf8_comma (TestCenter    *tc,
                 gconstpointer  data)
{
  check_import (tc, ',', FALSE, TRUE);
}

static void
test_dates (void)
{
  static const struct { const char *in; const char *out; } cases[] = {
    { "17.05.1990", "1990-05-17" }, { "7.5.1990", "1990-05-07" }, { "1990-05-17", "1990-05-17" },
    { "17/05/1990", "1990-05-17" }, { "17-05-1990", "1990-05-17" }, { "17.05.90", "1990-05-17" },
    { "17.05.05", "2005-05-17" }, { "17.05.1990 0:00:00", "1990-05-17" }, { "33010", "1990-05-17" },
    { "29.02.2000", "2000-02-29" },
    { "31.02.1990", NULL }, { "29.02.1900", NULL }, { "17.13.1990", NULL }, { "00.01.1990", NULL },
    { "17.05.1790", NULL }, { "вчера", NULL }, { "", NULL }, { "1.2.3.4", NULL }, { "123", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = stp_import_parse_date (cases[i].in);
      g_assert_cmpstr (got, ==, cases[i].out);
    }
}

static void
expect_refused (const char *data,
                gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpImportTable) table = stp_import_parse (data, len, NULL, &error);

  g_assert_null (table);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_test_message ("refused: %s", error->message);
}

static void
test_garbage (void)
{
  g_autoptr(GString) wide = g_string_new (NULL);
  g_autoptr(GString) long_field = g_string_new ("Фамилия;Имя\r\nИванов;");
  g_autoptr(GString) tall = g_string_new ("Фамилия;Имя\n");
  static const char binary[] = "PK\x03\x04\x00\x00garbage";

  expect_refused (binary, sizeof binary);
  expect_refused ("", 0);
  expect_refused ("просто текст без разделителей\nи ещё строка\n", strlen ("просто текст без разделителей\nи ещё строка\n"));
  expect_refused ("Фамилия;Имя\n\"Иванов;Иван\n", strlen ("Фамилия;Имя\n\"Иванов;Иван\n"));
  expect_refused ("Фамилия;Имя\n", strlen ("Фамилия;Имя\n"));
  expect_refused ("\xEF\xBB\xBF\xff\xfe;x\n", 8);
  for (guint i = 0; i <= STP_IMPORT_MAX_COLUMNS; i++)
    g_string_append (wide, "a;");
  g_string_append (wide, "\n1;2\n");
  expect_refused (wide->str, wide->len);
  for (guint i = 0; i <= STP_IMPORT_MAX_FIELD_CHARS; i++)
    g_string_append (long_field, "я");
  g_string_append (long_field, "\r\n");
  expect_refused (long_field->str, long_field->len);
  for (guint i = 0; i <= STP_IMPORT_MAX_ROWS; i++)
    g_string_append (tall, "a;b\n");
  expect_refused (tall->str, tall->len);
}

/* A staff member may not import, and a mapping without names is refused. */
static void
test_refused_mapping (TestCenter    *tc,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *csv = "Фамилия;Имя\nПетров;Иван\n";
  g_autoptr(StpImportTable) table = stp_import_parse (csv, strlen (csv), NULL, &error);
  StpImportField mapping[2] = { STP_IMPORT_FIELD_SURNAME, STP_IMPORT_FIELD_NONE };
  g_autoptr(StpSession) staff = stp_session_new ("u", "staff", "Сотрудник", STP_ROLE_STAFF);
  g_autoptr(GPtrArray) rows = NULL;

  g_assert_no_error (error);
  g_assert_null (stp_import_run (tc->store, tc->director, table, mapping, NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_clear_error (&error);
  mapping[1] = STP_IMPORT_FIELD_NAME;
  g_assert_null (stp_import_run (tc->store, staff, table, mapping, NULL, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
  g_clear_error (&error);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents"), ==, 0);
  rows = stp_import_run (tc->store, tc->director, table, mapping, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, TestCenter, NULL, test_center_setup, func, test_center_teardown)

  g_test_add_func ("/import/dates", test_dates);
  g_test_add_func ("/import/garbage", test_garbage);
  ADD ("/import/refused-mapping", test_refused_mapping);
  ADD ("/import/cp1251-semicolon", test_cp1251_semicolon);
  ADD ("/import/utf8-bom-comma", test_utf8_comma);

  return g_test_run ();
}
