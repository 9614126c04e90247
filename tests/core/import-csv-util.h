/* import-csv-util.h: a generated registry as Excel saves it, with bad rows
 * and duplicates, for the import tests (core and GUI). */
#pragma once

#include <glib.h>
#include <string.h>

/* What a generated file holds, to check the database against. */
typedef struct
{
  guint rows;              /* data rows */
  guint bad_date;          /* 31.02 and similar */
  guint no_name;
  guint bad_sex;
  guint dup_in_file;       /* repeats of earlier rows */
  guint dup_existing;      /* people already in the database (csv_existing_name) */
} CsvPlan;

static inline gboolean csv_is_existing (guint i);

/* A row with a mistake in it. */
static inline gboolean
csv_is_bad (guint i)
{
  return i % 61 == 7 || i % 83 == 11 || i % 89 == 13;
}

/* A row that is neither bad nor a person already saved. */
static inline gboolean
csv_row_is_plain (guint i)
{
  return i % 61 != 7 && i % 83 != 11 && i % 89 != 13 && !csv_is_existing (i) && i % 50 != 40;
}

/* Row i repeats the row 7 before it. */
static inline gboolean
csv_is_repeat (guint i)
{
  return i % 50 == 40 && i >= 7 && csv_row_is_plain (i - 7);
}

/* Row i's person; the ones with i % 97 == 5 are "existing" people the test
 * saves before importing. */
static inline char *
csv_surname (guint i)
{
  static const char *bases[] = { "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев",
                                 "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров" };
  return g_strdup_printf ("%s-%04u", bases[i % G_N_ELEMENTS (bases)], i);
}

static inline gboolean
csv_is_existing (guint i)
{
  return i % 97 == 5;
}

static inline const char *
csv_name (guint i)
{
  return i % 2 ? "Сергей" : "Алексей";
}

/* The birth date of row i as ISO. */
static inline char *
csv_birth_iso (guint i)
{
  return g_strdup_printf ("%04u-%02u-%02u", 1960 + i % 40, 1 + i % 12, 1 + i % 28);
}

/* Builds the CSV text (UTF-8) with @sep; fills @plan. */
static inline char *
csv_generate (char     sep,
              guint    n,
              const char *program,
              const char *stage,
              CsvPlan *plan)
{
  GString *out = g_string_new (NULL);

  memset (plan, 0, sizeof *plan);
  g_string_append_printf (out, "Фамилия%cИмя%cОтчество%cДата рождения%cПол%cТелефон%c№ дела%c"
                               "Дата поступления%cПрограмма%cЭтап%cИсход%cДата выписки%c"
                               "Родственник%cСтепень родства%cТелефон родственника%cПримечание\r\n",
                          sep, sep, sep, sep, sep, sep, sep, sep, sep, sep, sep, sep, sep, sep, sep);
  for (guint i = 0; i < n; i++)
    {
      guint person = i;
      g_autofree char *surname = NULL;
      g_autofree char *iso = NULL;
      g_autofree char *birth = NULL;
      const char *name;
      const char *sex = "м";
      g_autofree char *file_number = NULL;
      const char *outcome = "";
      const char *discharge = "";

      /* Every 50th row (from 40) repeats the row 7 before it, when that
       * one is a good new person. */
      if (csv_is_repeat (i))
        {
          person = i - 7;
          plan->dup_in_file++;
        }
      surname = csv_surname (person);
      name = csv_name (person);
      iso = csv_birth_iso (person);
      /* The usual дд.мм.гггг, and some other common forms. */
      switch (person % 4)
        {
        case 0: case 1:
          birth = g_strdup_printf ("%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
          break;
        case 2:
          birth = g_strdup (iso);
          break;
        default:
          birth = g_strdup_printf ("%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
          break;
        }
      if (person == i)
        {
          if (i % 61 == 7)
            {
              g_free (birth);
              birth = g_strdup ("31.02.1990");
              plan->bad_date++;
            }
          else if (i % 83 == 11)
            {
              name = "";
              plan->no_name++;
            }
          else if (i % 89 == 13)
            {
              sex = "x";
              plan->bad_sex++;
            }
          else if (csv_is_existing (i))
            plan->dup_existing++;
        }
      /* A repeat under another file number is still the same person. */
      file_number = person != i ? g_strdup_printf ("Д-%04u-2", person) : g_strdup_printf ("Д-%04u", person);
      if (person % 10 == 3)
        {
          outcome = "завершил";
          discharge = "15.01.2026";
        }
      g_string_append_printf (out, "%s%c%s%cИванович%c%s%c%s%c8 912 %03u-%02u-%02u%c%s%c"
                                   "%s%c\"%s\"%c\"%s\"%c%s%c%s%c"
                                   "Мать-%04u Мария%cмать%c+7 (922) 000-%02u-%02u%c"
                                   "\"Примечание%c с \"\"кавычками\"\"\nи переносом\"\r\n",
                              surname, sep, name, sep, sep, birth, sep, sex, sep,
                              person % 1000, person % 100, (person / 7) % 100, sep, file_number, sep,
                              "10.03.2025", sep, program, sep, stage, sep, outcome, sep, discharge, sep,
                              person, sep, sep, person % 100, (person / 3) % 100, sep, sep);
    }
  plan->rows = n;
  return g_string_free (out, FALSE);
}

static inline guint
csv_expected_imported (const CsvPlan *plan)
{
  return plan->rows - plan->bad_date - plan->no_name - plan->bad_sex - plan->dup_in_file -
         plan->dup_existing;
}
