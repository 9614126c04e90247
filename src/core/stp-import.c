/* stp-import.c: residents from a CSV table (stp-import.h). */
#define G_LOG_DOMAIN "stp-core"

#include "config.h"

#include "stp-import.h"
#include "stp-import-private.h"
#include "stp-store-private.h"
#include "stp-query.h"
#include "stp-validate.h"
#include "stp-error.h"

#include <string.h>

#include <glib/gi18n-lib.h>

void
stp_import_table_free (StpImportTable *table)
{
  if (table == NULL)
    return;
  g_free (table->encoding);
  g_clear_pointer (&table->header, g_ptr_array_unref);
  g_clear_pointer (&table->rows, g_ptr_array_unref);
  g_clear_pointer (&table->lines, g_array_unref);
  g_free (table->file_name);
  g_free (table);
}

void
stp_import_row_free (StpImportRow *row)
{
  if (row == NULL)
    return;
  g_free (row->problems);
  g_free (row->warnings);
  g_free (row->display);
  g_free (row->resident_id);
  g_free (row);
}

void
stp_import_set_refused (GError     **error,
                        const char  *message)
{
  g_set_error_literal (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID, message);
}

/* --- Mapping -------------------------------------------------------------- */

const char *
stp_import_field_label (StpImportField field)
{
  switch (field)
    {
    case STP_IMPORT_FIELD_NONE: return _("Do not import");
    case STP_IMPORT_FIELD_SURNAME: return _("Surname");
    case STP_IMPORT_FIELD_NAME: return _("Name");
    case STP_IMPORT_FIELD_PATRONYMIC: return _("Patronymic");
    case STP_IMPORT_FIELD_FULL_NAME: return _("Full name (surname, name, patronymic)");
    case STP_IMPORT_FIELD_BIRTH_DATE: return _("Date of birth");
    case STP_IMPORT_FIELD_SEX: return _("Sex");
    case STP_IMPORT_FIELD_PHONE: return _("Phone");
    case STP_IMPORT_FIELD_FILE_NUMBER: return _("File number");
    case STP_IMPORT_FIELD_ADMISSION_DATE: return _("Admission date");
    case STP_IMPORT_FIELD_PROGRAM: return _("Program");
    case STP_IMPORT_FIELD_STAGE: return _("Stage");
    case STP_IMPORT_FIELD_OUTCOME: return _("Outcome");
    case STP_IMPORT_FIELD_DISCHARGE_DATE: return _("Discharge date");
    case STP_IMPORT_FIELD_RELATIVE_NAME: return _("Relative: full name");
    case STP_IMPORT_FIELD_RELATIVE_RELATION: return _("Relative: relation");
    case STP_IMPORT_FIELD_RELATIVE_PHONE: return _("Relative: phone");
    case STP_IMPORT_N_FIELDS:
    default:
      return "";
    }
}

static gboolean
has (const char *text,
     const char *part)
{
  return strstr (text, part) != NULL;
}

static StpImportField
guess_field (const char *header)
{
  g_autofree char *h = stp_normalize_text (header);

  if (h == NULL || *h == '\0')
    return STP_IMPORT_FIELD_NONE;
  if (has (h, "родств") || has (h, "контакт") || has (h, "relative"))
    {
      if (has (h, "телефон") || has (h, "phone"))
        return STP_IMPORT_FIELD_RELATIVE_PHONE;
      if (has (h, "степень") || has (h, "кем") || has (h, "родство") || has (h, "relation"))
        return STP_IMPORT_FIELD_RELATIVE_RELATION;
      return STP_IMPORT_FIELD_RELATIVE_NAME;
    }
  if (g_str_equal (h, "фио") || has (h, "ф и о") || has (h, "full name"))
    return STP_IMPORT_FIELD_FULL_NAME;
  if (has (h, "фамил") || has (h, "surname") || has (h, "last name"))
    return STP_IMPORT_FIELD_SURNAME;
  if (has (h, "отчеств") || has (h, "patronymic"))
    return STP_IMPORT_FIELD_PATRONYMIC;
  if (has (h, "рожд") || has (h, "birth") || g_str_equal (h, "др"))
    return STP_IMPORT_FIELD_BIRTH_DATE;
  if (g_str_equal (h, "имя") || g_str_equal (h, "name") || has (h, "first name"))
    return STP_IMPORT_FIELD_NAME;
  if (g_str_equal (h, "пол") || g_str_equal (h, "sex") || g_str_equal (h, "gender"))
    return STP_IMPORT_FIELD_SEX;
  if (has (h, "телефон") || has (h, "phone"))
    return STP_IMPORT_FIELD_PHONE;
  if (has (h, "дел") || has (h, "file"))
    return STP_IMPORT_FIELD_FILE_NUMBER;
  if (has (h, "поступ") || has (h, "прием") || has (h, "заезд") || has (h, "admission"))
    return STP_IMPORT_FIELD_ADMISSION_DATE;
  if (has (h, "выпис") || has (h, "выбыт") || has (h, "discharge"))
    return STP_IMPORT_FIELD_DISCHARGE_DATE;
  if (has (h, "программ") || has (h, "program"))
    return STP_IMPORT_FIELD_PROGRAM;
  if (has (h, "этап") || has (h, "ступен") || has (h, "stage"))
    return STP_IMPORT_FIELD_STAGE;
  if (has (h, "исход") || has (h, "итог") || has (h, "результат") || has (h, "outcome"))
    return STP_IMPORT_FIELD_OUTCOME;
  return STP_IMPORT_FIELD_NONE;
}

StpImportField *
stp_import_guess_mapping (const StpImportTable *table)
{
  StpImportField *mapping;
  gboolean taken[STP_IMPORT_N_FIELDS] = { FALSE };

  g_return_val_if_fail (table != NULL && table->header != NULL, NULL);

  mapping = g_new0 (StpImportField, table->header->len);
  for (guint i = 0; i < table->header->len; i++)
    {
      StpImportField f = guess_field (table->header->pdata[i]);

      if (f != STP_IMPORT_FIELD_NONE && !taken[f])
        {
          mapping[i] = f;
          taken[f] = TRUE;
        }
    }
  return mapping;
}

/* --- Values --------------------------------------------------------------- */

static char *
format_iso (int year,
            int month,
            int day)
{
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1 ||
      !g_date_valid_dmy (day, month, year))
    return NULL;
  return g_strdup_printf ("%04d-%02d-%02d", year, month, day);
}

static gboolean
all_digits (const char *s)
{
  if (*s == '\0')
    return FALSE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

char *
stp_import_parse_date (const char *text)
{
  g_autofree char *t = NULL;
  g_auto(GStrv) parts = NULL;
  char *space;

  if (text == NULL)
    return NULL;
  t = g_strstrip (g_strdup (text));
  /* "17.05.1990 0:00:00" from Excel, "17.05.1990 г." */
  if ((space = strchr (t, ' ')) != NULL)
    *space = '\0';
  if (*t == '\0')
    return NULL;
  /* An Excel day number (days since 1899-12-30). */
  if (all_digits (t) && strlen (t) >= 4 && strlen (t) <= 5)
    {
      g_autoptr(GDate) d = g_date_new_dmy (30, 12, 1899);
      g_date_add_days (d, (guint) g_ascii_strtoull (t, NULL, 10));
      return format_iso (g_date_get_year (d), g_date_get_month (d), g_date_get_day (d));
    }
  parts = g_regex_split_simple ("[./-]", t, 0, 0);
  if (g_strv_length (parts) != 3 || !all_digits (parts[0]) || !all_digits (parts[1]) ||
      !all_digits (parts[2]))
    return NULL;
  if (strlen (parts[0]) == 4)
    return format_iso (atoi (parts[0]), atoi (parts[1]), atoi (parts[2]));
  if (strlen (parts[0]) > 2 || strlen (parts[1]) > 2)
    return NULL;
  if (strlen (parts[2]) == 2)
    {
      /* Two-digit years: not after this year. */
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      int yy = atoi (parts[2]);
      int this_yy = g_date_time_get_year (now) % 100;
      return format_iso ((yy <= this_yy ? 2000 : 1900) + yy, atoi (parts[1]), atoi (parts[0]));
    }
  if (strlen (parts[2]) != 4)
    return NULL;
  return format_iso (atoi (parts[2]), atoi (parts[1]), atoi (parts[0]));
}

static StpSex
parse_sex (const char *text,
           gboolean   *ok)
{
  g_autofree char *t = stp_normalize_text (text);

  *ok = TRUE;
  if (t == NULL || *t == '\0')
    return STP_SEX_UNKNOWN;
  if (g_str_has_prefix (t, "м") || g_str_equal (t, "m") || g_str_equal (t, "male"))
    return STP_SEX_MALE;
  if (g_str_has_prefix (t, "ж") || g_str_equal (t, "f") || g_str_equal (t, "female"))
    return STP_SEX_FEMALE;
  *ok = FALSE;
  return STP_SEX_UNKNOWN;
}

static StpRelation
parse_relation (const char *text)
{
  static const struct { const char *prefix; StpRelation relation; } words[] = {
    { "мат", STP_RELATION_MOTHER }, { "мам", STP_RELATION_MOTHER },
    { "от", STP_RELATION_FATHER }, { "пап", STP_RELATION_FATHER },
    { "жен", STP_RELATION_SPOUSE }, { "муж", STP_RELATION_SPOUSE }, { "супруг", STP_RELATION_SPOUSE },
    { "сын", STP_RELATION_SON }, { "доч", STP_RELATION_DAUGHTER },
    { "брат", STP_RELATION_BROTHER }, { "сестр", STP_RELATION_SISTER },
  };
  g_autofree char *t = stp_normalize_text (text);

  for (guint i = 0; t != NULL && i < G_N_ELEMENTS (words); i++)
    if (g_str_has_prefix (t, words[i].prefix))
      return words[i].relation;
  return STP_RELATION_OTHER;
}

/* -1 when not recognized. */
static int
parse_outcome (const char *text)
{
  static const struct { const char *prefix; StpEpisodeStatus status; } words[] = {
    { "в программ", STP_EPISODE_IN_PROGRAM }, { "проход", STP_EPISODE_IN_PROGRAM },
    { "заверш", STP_EPISODE_COMPLETED }, { "оконч", STP_EPISODE_COMPLETED },
    { "выпол", STP_EPISODE_COMPLETED },
    { "выбы", STP_EPISODE_DROPPED_OUT }, { "досроч", STP_EPISODE_DROPPED_OUT },
    { "ушел", STP_EPISODE_DROPPED_OUT }, { "самовол", STP_EPISODE_DROPPED_OUT },
    { "исключ", STP_EPISODE_EXPELLED }, { "перевед", STP_EPISODE_TRANSFERRED },
    { "госпитал", STP_EPISODE_HOSPITALIZED }, { "умер", STP_EPISODE_DIED },
  };
  g_autofree char *t = stp_normalize_text (text);

  if (t == NULL || *t == '\0')
    return STP_EPISODE_IN_PROGRAM;
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (g_str_has_prefix (t, words[i].prefix))
      return words[i].status;
  return -1;
}

static char *
format_ru_date (const char *iso)
{
  if (iso == NULL || strlen (iso) != 10)
    return g_strdup ("");
  return g_strdup_printf ("%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

/* --- Checking ------------------------------------------------------------- */

/* One row as understood, ready to save. */
typedef struct
{
  StpImportRow      *row;
  StpResident       *resident;
  char              *admitted_on;
  char              *program_id;
  char              *stage_id;       /* NULL: the program's first stage */
  int                outcome;        /* StpEpisodeStatus */
  char              *discharged_on;
  StpRelative       *relative;
} Parsed;

static void
parsed_free (Parsed *p)
{
  g_clear_pointer (&p->resident, stp_resident_free);
  g_clear_pointer (&p->relative, stp_relative_free);
  g_free (p->admitted_on);
  g_free (p->program_id);
  g_free (p->stage_id);
  g_free (p->discharged_on);
  g_free (p);
}

typedef struct
{
  GPtrArray  *programs;     /* StpProgram */
  GHashTable *stages;       /* program id → GPtrArray of StpStage */
  char       *today;
} Context;

static void
context_clear (Context *ctx)
{
  g_clear_pointer (&ctx->programs, g_ptr_array_unref);
  g_clear_pointer (&ctx->stages, g_hash_table_unref);
  g_clear_pointer (&ctx->today, g_free);
}

static const char *
cell (const StpImportTable *table,
      const StpImportField *mapping,
      char                **values,
      StpImportField        field)
{
  for (guint i = 0; i < table->header->len; i++)
    if (mapping[i] == field)
      return values[i];
  return NULL;
}

static void
replace_str (char       **field,
             const char  *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static char *
dup_nonempty (const char *text)
{
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

static StpProgram *
find_program (Context    *ctx,
              const char *name)
{
  g_autofree char *want = stp_normalize_text (name);

  for (guint i = 0; i < ctx->programs->len; i++)
    {
      StpProgram *p = g_ptr_array_index (ctx->programs, i);
      g_autofree char *have = stp_normalize_text (p->name);

      if (g_strcmp0 (want, have) == 0)
        return p;
    }
  return NULL;
}

static StpStage *
find_stage (GPtrArray  *stages,
            const char *name)
{
  g_autofree char *want = stp_normalize_text (name);

  for (guint i = 0; stages != NULL && i < stages->len; i++)
    {
      StpStage *s = g_ptr_array_index (stages, i);
      g_autofree char *have = stp_normalize_text (s->name);

      if (!s->retired && g_strcmp0 (want, have) == 0)
        return s;
    }
  return NULL;
}

static void
add_problem (GString    *problems,
             const char *message)
{
  if (problems->len > 0)
    g_string_append (problems, "; ");
  g_string_append (problems, message);
}

static Parsed *
parse_row (StpStore             *store,
           StpSession           *session,
           Context              *ctx,
           const StpImportTable *table,
           const StpImportField *mapping,
           guint                 index,
           GHashTable           *seen)
{
  char **values = g_ptr_array_index (table->rows, index);
  Parsed *p = g_new0 (Parsed, 1);
  StpResident *r = stp_resident_new ();
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GString) warnings = g_string_new (NULL);
  const char *v;
  gboolean sex_ok;
  g_autofree char *key = NULL;
  g_autofree char *birth_ru = NULL;

  p->row = g_new0 (StpImportRow, 1);
  p->row->line = g_array_index (table->lines, guint, index);
  p->resident = r;
  p->outcome = STP_EPISODE_IN_PROGRAM;

  if ((v = cell (table, mapping, values, STP_IMPORT_FIELD_FULL_NAME)) != NULL && *v != '\0')
    {
      g_auto(GStrv) words = g_regex_split_simple ("\\s+", v, 0, 0);
      guint n = g_strv_length (words);

      if (n >= 1)
        r->surname = g_strdup (words[0]);
      if (n >= 2)
        r->name = g_strdup (words[1]);
      if (n >= 3)
        r->patronymic = g_strjoinv (" ", words + 2);
    }
  if ((v = cell (table, mapping, values, STP_IMPORT_FIELD_SURNAME)) != NULL && *v != '\0')
    replace_str (&r->surname, v);
  if ((v = cell (table, mapping, values, STP_IMPORT_FIELD_NAME)) != NULL && *v != '\0')
    replace_str (&r->name, v);
  if ((v = cell (table, mapping, values, STP_IMPORT_FIELD_PATRONYMIC)) != NULL && *v != '\0')
    replace_str (&r->patronymic, v);
  if (r->surname == NULL)
    add_problem (problems, _("no surname"));
  if (r->name == NULL)
    add_problem (problems, _("no name"));

  v = cell (table, mapping, values, STP_IMPORT_FIELD_BIRTH_DATE);
  if (v != NULL && *v != '\0')
    {
      r->birth_date = stp_import_parse_date (v);
      if (r->birth_date == NULL)
        {
          g_autofree char *m = g_strdup_printf (_("the date of birth “%s” is not a real date"), v);
          add_problem (problems, m);
        }
      else if (strcmp (r->birth_date, ctx->today) > 0)
        add_problem (problems, _("the date of birth is in the future"));
    }
  r->sex = parse_sex (cell (table, mapping, values, STP_IMPORT_FIELD_SEX), &sex_ok);
  if (!sex_ok)
    {
      g_autofree char *m = g_strdup_printf (_("the sex “%s” is not recognized (use м or ж)"),
                                            cell (table, mapping, values, STP_IMPORT_FIELD_SEX));
      add_problem (problems, m);
    }
  r->phone = dup_nonempty (cell (table, mapping, values, STP_IMPORT_FIELD_PHONE));
  r->file_number = dup_nonempty (cell (table, mapping, values, STP_IMPORT_FIELD_FILE_NUMBER));

  /* The episode. */
  v = cell (table, mapping, values, STP_IMPORT_FIELD_ADMISSION_DATE);
  if (v != NULL && *v != '\0')
    {
      const char *program_name = cell (table, mapping, values, STP_IMPORT_FIELD_PROGRAM);
      const char *stage_name = cell (table, mapping, values, STP_IMPORT_FIELD_STAGE);
      const char *outcome = cell (table, mapping, values, STP_IMPORT_FIELD_OUTCOME);
      StpProgram *program = NULL;

      p->admitted_on = stp_import_parse_date (v);
      if (p->admitted_on == NULL)
        {
          g_autofree char *m = g_strdup_printf (_("the admission date “%s” is not a real date"), v);
          add_problem (problems, m);
        }
      else if (strcmp (p->admitted_on, ctx->today) > 0)
        add_problem (problems, _("the admission date is in the future"));
      else if (r->birth_date != NULL && strcmp (p->admitted_on, r->birth_date) < 0)
        add_problem (problems, _("the admission date is before the date of birth"));
      if (program_name == NULL || *program_name == '\0')
        {
          /* One program: no need to name it. */
          if (ctx->programs->len == 1)
            program = g_ptr_array_index (ctx->programs, 0);
          else
            add_problem (problems, _("the program is not named"));
        }
      else if ((program = find_program (ctx, program_name)) == NULL)
        {
          g_autofree char *m = g_strdup_printf (_("there is no program “%s” (create it in Settings first)"),
                                                program_name);
          add_problem (problems, m);
        }
      if (program != NULL)
        {
          p->program_id = g_strdup (program->meta.id);
          if (stage_name != NULL && *stage_name != '\0')
            {
              StpStage *stage = find_stage (g_hash_table_lookup (ctx->stages, program->meta.id),
                                            stage_name);
              if (stage == NULL)
                {
                  g_autofree char *m = g_strdup_printf (_("the program has no stage “%s”"), stage_name);
                  add_problem (problems, m);
                }
              else
                p->stage_id = g_strdup (stage->meta.id);
            }
        }
      p->outcome = parse_outcome (outcome);
      if (p->outcome < 0)
        {
          g_autofree char *m = g_strdup_printf (_("the outcome “%s” is not recognized"), outcome);
          add_problem (problems, m);
        }
      else if (p->outcome != STP_EPISODE_IN_PROGRAM)
        {
          v = cell (table, mapping, values, STP_IMPORT_FIELD_DISCHARGE_DATE);
          p->discharged_on = stp_import_parse_date (v);
          if (p->discharged_on == NULL)
            add_problem (problems, _("an outcome needs a real discharge date"));
          else if (p->admitted_on != NULL && strcmp (p->discharged_on, p->admitted_on) < 0)
            add_problem (problems, _("the discharge date is before the admission date"));
          else if (strcmp (p->discharged_on, ctx->today) > 0)
            add_problem (problems, _("the discharge date is in the future"));
        }
    }

  /* The relative. */
  v = cell (table, mapping, values, STP_IMPORT_FIELD_RELATIVE_NAME);
  if (v != NULL && *v != '\0')
    {
      p->relative = stp_relative_new ();
      p->relative->full_name = g_strdup (v);
      p->relative->relation = parse_relation (cell (table, mapping, values, STP_IMPORT_FIELD_RELATIVE_RELATION));
      p->relative->phone = dup_nonempty (cell (table, mapping, values, STP_IMPORT_FIELD_RELATIVE_PHONE));
      if (p->relative->phone != NULL)
        {
          g_autofree char *n = stp_normalize_phone (p->relative->phone);
          if (n == NULL)
            {
              g_autofree char *m = g_strdup_printf (_("the relative's phone “%s” is not a phone number"),
                                                    p->relative->phone);
              add_problem (problems, m);
            }
        }
    }

  /* What the program itself would refuse (a phone number, …). */
  if (problems->len == 0)
    {
      g_autoptr(GError) invalid = NULL;
      if (!stp_record_validate (STP_KIND_RESIDENT, r, &invalid))
        add_problem (problems, invalid->message);
    }

  birth_ru = format_ru_date (r->birth_date);
  p->row->display = g_strdup_printf ("%s %s%s%s%s%s", r->surname ? r->surname : "—",
                                     r->name ? r->name : "—",
                                     r->patronymic ? " " : "", r->patronymic ? r->patronymic : "",
                                     *birth_ru ? ", " : "", birth_ru);
  if (problems->len > 0)
    {
      p->row->status = STP_IMPORT_ROW_INVALID;
      p->row->problems = g_strdup (problems->str);
      return p;
    }

  /* The same person twice in the file, then already in the database. */
  {
    g_autofree char *s = stp_normalize_text (r->surname);
    g_autofree char *n = stp_normalize_text (r->name);
    g_autofree char *pa = r->patronymic ? stp_normalize_text (r->patronymic) : g_strdup ("");

    key = g_strdup_printf ("%s|%s|%s|%s", s, n, pa, r->birth_date ? r->birth_date : "");
  }
  {
    gpointer earlier = g_hash_table_lookup (seen, key);
    if (earlier == NULL && r->file_number != NULL)
      {
        g_autofree char *fkey = g_strconcat ("#", r->file_number, NULL);
        earlier = g_hash_table_lookup (seen, fkey);
        if (earlier == NULL)
          g_hash_table_insert (seen, g_steal_pointer (&fkey), GUINT_TO_POINTER (p->row->line));
      }
    if (earlier != NULL)
      {
        p->row->status = STP_IMPORT_ROW_DUPLICATE_IN_FILE;
        p->row->problems = g_strdup_printf (_("the same person as in line %u"), GPOINTER_TO_UINT (earlier));
        return p;
      }
    g_hash_table_insert (seen, g_strdup (key), GUINT_TO_POINTER (p->row->line));
  }
  if (r->file_number != NULL)
    {
      sqlite3_stmt *stmt = stp_store_prepare (store, "SELECT 1 FROM residents WHERE file_number = ?1", NULL);
      gboolean taken = FALSE;

      if (stmt != NULL)
        {
          sqlite3_bind_text (stmt, 1, r->file_number, -1, SQLITE_TRANSIENT);
          taken = sqlite3_step (stmt) == SQLITE_ROW;
          sqlite3_reset (stmt);
        }
      if (taken)
        {
          p->row->status = STP_IMPORT_ROW_DUPLICATE_EXISTING;
          p->row->problems = g_strdup_printf (_("a resident with the file number %s is already in the program"),
                                              r->file_number);
          return p;
        }
    }
  {
    g_autoptr(GPtrArray) candidates = stp_store_find_duplicates (store, session, r, NULL);

    for (guint i = 0; candidates != NULL && i < candidates->len; i++)
      {
        StpDuplicateCandidate *c = g_ptr_array_index (candidates, i);

        if (c->reasons & STP_DUPLICATE_SAME_NAME_AND_BIRTH)
          {
            p->row->status = STP_IMPORT_ROW_DUPLICATE_EXISTING;
            p->row->problems = g_strdup (_("already in the program (the same name and date of birth)"));
            return p;
          }
      }
    if (candidates != NULL && candidates->len > 0)
      add_problem (warnings, _("a resident with a similar surname and the same year of birth exists"));
  }
  if (warnings->len > 0)
    p->row->warnings = g_strdup (warnings->str);
  return p;
}

static gboolean
context_init (StpStore    *store,
              StpSession  *session,
              Context     *ctx,
              GError     **error)
{
  ctx->today = stp_store_today (store);
  ctx->programs = stp_store_list (store, session, STP_KIND_PROGRAM, NULL, NULL, error);
  if (ctx->programs == NULL)
    return FALSE;
  ctx->stages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < ctx->programs->len; i++)
    {
      StpProgram *p = g_ptr_array_index (ctx->programs, i);
      GPtrArray *stages = stp_store_list_stages (store, session, p->meta.id, error);

      if (stages == NULL)
        return FALSE;
      g_hash_table_insert (ctx->stages, g_strdup (p->meta.id), stages);
    }
  return TRUE;
}

static GPtrArray *
parse_all (StpStore             *store,
           StpSession           *session,
           const StpImportTable *table,
           const StpImportField *mapping,
           GError              **error)
{
  Context ctx = { 0 };
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *parsed;

  if (!stp_session_require (session, STP_PERMISSION_ADMIN, error))
    return NULL;
  if (!context_init (store, session, &ctx, error))
    {
      context_clear (&ctx);
      return NULL;
    }
  parsed = g_ptr_array_new_with_free_func ((GDestroyNotify) parsed_free);
  for (guint i = 0; i < table->rows->len; i++)
    g_ptr_array_add (parsed, parse_row (store, session, &ctx, table, mapping, i, seen));
  context_clear (&ctx);
  return parsed;
}

static gboolean
mapping_is_usable (const StpImportTable *table,
                   const StpImportField *mapping,
                   GError              **error)
{
  gboolean surname = FALSE, name = FALSE;

  for (guint i = 0; i < table->header->len; i++)
    {
      surname |= mapping[i] == STP_IMPORT_FIELD_SURNAME || mapping[i] == STP_IMPORT_FIELD_FULL_NAME;
      name |= mapping[i] == STP_IMPORT_FIELD_NAME || mapping[i] == STP_IMPORT_FIELD_FULL_NAME;
    }
  if (!surname || !name)
    {
      stp_import_set_refused (error, _("Choose which columns hold the surname and the name."));
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
stp_import_check (StpStore             *store,
                  StpSession           *session,
                  const StpImportTable *table,
                  const StpImportField *mapping,
                  GError              **error)
{
  g_autoptr(GPtrArray) parsed = NULL;
  GPtrArray *rows;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (table != NULL && mapping != NULL, NULL);

  if (!mapping_is_usable (table, mapping, error) ||
      !(parsed = parse_all (store, session, table, mapping, error)))
    return NULL;
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_import_row_free);
  for (guint i = 0; i < parsed->len; i++)
    {
      Parsed *p = g_ptr_array_index (parsed, i);
      g_ptr_array_add (rows, g_steal_pointer (&p->row));
    }
  return rows;
}

/* --- Importing ------------------------------------------------------------ */

static gboolean
save_parsed (StpStore    *store,
             StpSession  *session,
             Parsed      *p,
             GError     **error)
{
  if (!stp_store_save_resident (store, session, p->resident, error))
    return FALSE;
  if (p->admitted_on != NULL)
    {
      g_autoptr(StpEpisode) episode = stp_episode_new ();

      episode->resident_id = g_strdup (p->resident->meta.id);
      episode->program_id = g_strdup (p->program_id);
      episode->admitted_on = g_strdup (p->admitted_on);
      if (!stp_store_admit (store, session, episode, error))
        return FALSE;
      /* Move on to the stage named, on the admission date. */
      for (guint step = 0; p->stage_id != NULL && step < 64; step++)
        {
          g_autoptr(StpStageEntry) current =
            stp_store_get_current_stage_entry (store, session, episode->meta.id, error);

          if (current == NULL || g_strcmp0 (current->stage_id, p->stage_id) == 0)
            break;
          if (!stp_store_next_stage (store, session, episode->meta.id, p->admitted_on,
                                     _("Imported from a table"), error))
            return FALSE;
        }
      if (error != NULL && *error != NULL)
        return FALSE;
      if (p->outcome != STP_EPISODE_IN_PROGRAM &&
          !stp_store_discharge (store, session, episode->meta.id, p->outcome,
                                p->discharged_on, NULL, error))
        return FALSE;
    }
  if (p->relative != NULL)
    {
      p->relative->resident_id = g_strdup (p->resident->meta.id);
      if (!stp_store_save_relative (store, session, p->relative, error))
        return FALSE;
    }
  return TRUE;
}

GPtrArray *
stp_import_run (StpStore             *store,
                StpSession           *session,
                const StpImportTable *table,
                const StpImportField *mapping,
                StpImportSummary     *out_summary,
                GError              **error)
{
  g_autoptr(GPtrArray) parsed = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *detail = NULL;
  StpImportSummary summary = { 0 };

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (table != NULL && mapping != NULL, NULL);

  if (!mapping_is_usable (table, mapping, error))
    return NULL;
  if (!stp_store_begin (store, error))
    return NULL;
  /* Checked again inside the transaction: nothing saved meanwhile slips
   * between the check and the save. */
  if (!(parsed = parse_all (store, session, table, mapping, error)))
    {
      stp_store_rollback (store);
      return NULL;
    }
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_import_row_free);
  for (guint i = 0; i < parsed->len; i++)
    {
      Parsed *p = g_ptr_array_index (parsed, i);

      if (p->row->status == STP_IMPORT_ROW_OK)
        {
          g_autoptr(GError) row_error = NULL;

          /* A savepoint per row: a row the store refuses is skipped whole. */
          if (!stp_store_begin (store, &row_error) ||
              !save_parsed (store, session, p, &row_error) ||
              !stp_store_commit (store, &row_error))
            {
              stp_store_rollback (store);
              p->row->status = STP_IMPORT_ROW_INVALID;
              g_free (p->row->problems);
              p->row->problems = g_strdup (row_error != NULL ? row_error->message : "?");
            }
          else
            p->row->resident_id = g_strdup (p->resident->meta.id);
        }
      switch (p->row->status)
        {
        case STP_IMPORT_ROW_OK: summary.imported++; break;
        case STP_IMPORT_ROW_INVALID: summary.invalid++; break;
        case STP_IMPORT_ROW_DUPLICATE_EXISTING:
        case STP_IMPORT_ROW_DUPLICATE_IN_FILE:
        default:
          summary.duplicates++;
          break;
        }
      g_ptr_array_add (rows, g_steal_pointer (&p->row));
    }
  detail = g_strdup_printf ("%s: imported %u, invalid %u, duplicates %u",
                            table->file_name != NULL ? table->file_name : "CSV",
                            summary.imported, summary.invalid, summary.duplicates);
  if (!stp_store_audit (store, session, STP_AUDIT_IMPORT, "residents", NULL, detail, error) ||
      !stp_store_commit (store, error))
    {
      stp_store_rollback (store);
      return NULL;
    }
  if (out_summary != NULL)
    *out_summary = summary;
  return g_steal_pointer (&rows);
}
