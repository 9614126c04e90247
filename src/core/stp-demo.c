/* stp-demo.c: a generated, realistic center (fictitious people) for the
 * demo mode and the benchmarks.  Writes straight into the tables: the data
 * is in the "already synced" state, without outbox rows or field versions. */
#define G_LOG_DOMAIN "stp-demo"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-demo.h"
#include "stp-error.h"
#include "stp-store-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_PASSWORD "stupeni-demo"
/* Residents written per transaction. */
#define BATCH 5000

static const char *const surnames[] = {
  "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов",
  "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров",
  "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин",
  "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
  "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв",
  "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
  "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев",
  "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов",
  "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
  "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов",
  "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв",
  "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов", "Филатов",
  "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников",
  "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров",
  "Шевченко", "Бондаренко", "Коваленко", "Ткаченко", "Кравченко", "Ким", "Цой", "Вишневский",
  "Покровский", "Троицкий", "Белых", "Черных", "Седых", "Дурново",
};

static const char *const male_names[] = {
  "Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Максим", "Евгений", "Иван",
  "Михаил", "Артём", "Николай", "Владимир", "Денис", "Павел", "Роман", "Игорь", "Олег",
  "Антон", "Юрий", "Виктор", "Никита", "Кирилл", "Вадим", "Константин", "Егор", "Илья",
  "Василий", "Владислав", "Станислав", "Виталий", "Тимур", "Руслан", "Пётр", "Григорий",
  "Анатолий", "Валерий", "Геннадий", "Борис", "Леонид", "Фёдор", "Степан", "Семён",
  "Ярослав", "Глеб", "Матвей", "Тимофей", "Даниил", "Арсений", "Марк", "Лев", "Богдан",
  "Эдуард", "Аркадий", "Вячеслав", "Георгий", "Ростислав", "Всеволод", "Захар", "Филипп",
  "Платон", "Савелий", "Прохор", "Эльдар", "Ринат", "Айдар", "Марат", "Равиль", "Вениамин",
  "Валентин", "Герман", "Святослав", "Мирон", "Елисей", "Назар", "Демид", "Остап",
  "Трофим", "Ефим", "Яков", "Герасим", "Афанасий", "Игнат", "Кузьма", "Лука", "Макар",
  "Нестор", "Родион", "Тарас", "Феликс", "Эмиль", "Юлиан", "Адам", "Альберт", "Арнольд",
  "Артур", "Вильгельм", "Гордей", "Данила", "Ждан", "Зиновий",
};

static const char *const female_names[] = {
  "Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Екатерина",
  "Юлия", "Анастасия", "Дарья", "Марина", "Людмила", "Галина", "Валентина", "Надежда",
  "Виктория", "Ксения", "Алина", "Полина", "Вера", "Любовь", "Лариса", "Оксана", "Нина",
  "Тамара", "Зинаида", "Евгения", "Кристина", "Алёна", "Жанна", "Яна", "Инна", "Диана",
  "Софья", "Александра", "Валерия", "Маргарита", "Вероника", "Лилия", "Карина", "Олеся",
  "Раиса", "Регина", "Эльвира", "Юлиана", "Ангелина", "Василиса", "Варвара", "Ульяна",
  "Таисия", "Злата", "Милана", "Ева", "Арина", "Камилла", "Кира", "Лидия", "Майя",
  "Нелли", "Римма", "Снежана", "Стефания", "Эмилия", "Ярослава", "Агата", "Аделина",
  "Алла", "Антонина", "Белла", "Вадима", "Виолетта", "Глафира", "Дина", "Ева-Мария",
  "Ефросинья", "Зоя", "Изабелла", "Клавдия", "Лада", "Лия", "Мирослава", "Нонна",
  "Пелагея", "Прасковья", "Роза", "Серафима", "Устинья", "Фаина", "Элеонора", "Эвелина",
  "Ядвига", "Агния", "Богдана", "Ванда", "Есения", "Инесса", "Капитолина", "Леся",
};

/* Patronymic stems: stem + "ич" / stem + "на". */
static const char *const patronymic_stems[] = {
  "Александров", "Сергеев", "Владимиров", "Андреев", "Николаев", "Алексеев", "Дмитриев",
  "Михайлов", "Иванов", "Петров", "Юрьев", "Викторов", "Евгеньев", "Олегов", "Анатольев",
  "Васильев", "Игорев", "Павлов", "Геннадьев", "Валерьев", "Борисов", "Романов", "Григорьев",
  "Константинов", "Вячеславов", "Леонидов", "Станиславов", "Фёдоров", "Степанов", "Максимов",
  "Артёмов", "Денисов", "Антонов", "Витальев", "Эдуардов", "Аркадьев", "Семёнов",
  "Тимофеев", "Егоров", "Германов", "Кириллов", "Русланов", "Тимуров", "Валентинов",
  "Георгиевич", "Яковлев", "Богданов", "Маратов", "Ринатов", "Альбертов",
};

static const char *const streets[] = {
  "ул. Ленина", "ул. Мира", "ул. Советская", "ул. Садовая", "ул. Школьная", "пр. Победы",
  "ул. Гагарина", "ул. Молодёжная", "ул. Лесная", "ул. Центральная", "ул. Набережная",
};

static const char *const towns[] = {
  "г. Тверь", "г. Вологда", "г. Киров", "г. Курган", "г. Псков", "г. Орёл", "г. Тамбов",
  "г. Кострома", "г. Иваново", "пос. Заречный",
};

static const char *const journal_texts[] = {
  "Индивидуальная консультация: обсуждали план на неделю.",
  "Участвовал в групповом занятии, активен.",
  "Семейная сессия с матерью, договорились о звонках по воскресеньям.",
  "Нарушение распорядка: опоздание на утреннюю группу.",
  "Тест на ПАВ отрицательный.",
  "Помощь в восстановлении паспорта, подано заявление.",
  "Консультация по трудоустройству.",
  "Работа по шагам, написал ответы на вопросы.",
  "Конфликт с соседом по комнате, разобран на группе.",
  "Сопровождение в поликлинику.",
  "Беседа с наставником, настроение ровное.",
  "Звонок родственникам, сообщили об успехах.",
};

typedef struct
{
  char   *id;
  int     min_days;
  int     max_days;
} DemoStage;

typedef struct
{
  char      *id;
  GPtrArray *stages;   /* of DemoStage */
} DemoProgram;

typedef struct
{
  StpStore   *store;
  GRand      *rand;
  int         today;        /* Julian day */
  GPtrArray  *programs;     /* of DemoProgram */
  GPtrArray  *staff;        /* user ids */
  GHashTable *file_counters; /* year -> counter */
  sqlite3_stmt *residents, *episodes, *stage_entries, *relatives, *consents, *journal,
               *screenings, *follow_ups, *referrals, *court;
} Demo;

static void
demo_stage_free (DemoStage *stage)
{
  g_free (stage->id);
  g_free (stage);
}

static void
demo_program_free (DemoProgram *program)
{
  g_free (program->id);
  g_ptr_array_unref (program->stages);
  g_free (program);
}

static int
rnd (Demo *d,
     int   lo,
     int   hi)
{
  return hi <= lo ? lo : g_rand_int_range (d->rand, lo, hi + 1);
}

static gboolean
chance (Demo   *d,
        double  p)
{
  return g_rand_double (d->rand) < p;
}

static const char *
pick (Demo              *d,
      const char *const *items,
      guint              n)
{
  return items[g_rand_int_range (d->rand, 0, (gint32) n)];
}

#define PICK(d, array) pick ((d), (array), G_N_ELEMENTS (array))

/* Julian day <-> "YYYY-MM-DD". */
static void
format_day (int   day,
            char  out[11])
{
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_julian (&date, (guint32) day);
  g_snprintf (out, 11, "%04d-%02d-%02d", g_date_get_year (&date),
              g_date_get_month (&date), g_date_get_day (&date));
}

static int
parse_day (const char *text)
{
  GDate date;
  int y = 0, m = 0, dd = 0;

  if (text == NULL || sscanf (text, "%d-%d-%d", &y, &m, &dd) != 3
      || !g_date_valid_dmy ((GDateDay) dd, (GDateMonth) m, (GDateYear) y))
    return 0;
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, (GDateDay) dd, (GDateMonth) m, (GDateYear) y);
  return (int) g_date_get_julian (&date);
}

#define UNIX_EPOCH_JULIAN 719163

static gint64
day_usec (Demo *d,
          int   day)
{
  return ((gint64) (day - UNIX_EPOCH_JULIAN) * 86400 + rnd (d, 8 * 3600, 19 * 3600))
         * G_USEC_PER_SEC;
}

/* A UUIDv7 for the moment @usec, random bits from the seeded generator so
 * the same seed gives the same data. */
static void
make_id (Demo   *d,
         gint64  usec,
         char    out[37])
{
  guint64 ms = (guint64) (usec / 1000);
  guint64 tail = ((guint64) g_rand_int (d->rand) << 16) ^ g_rand_int (d->rand);

  g_snprintf (out, 37, "%08x-%04x-7%03x-%04x-%012" G_GINT64_MODIFIER "x",
              (guint) (ms >> 16), (guint) (ms & 0xffff),
              (guint) (g_rand_int (d->rand) & 0xfff),
              (guint) (0x8000 | (g_rand_int (d->rand) & 0x3fff)),
              tail & G_GUINT64_CONSTANT (0xffffffffffff));
}

/* Binds @n text values (NULL = SQL NULL; column affinity converts numbers)
 * and runs the insert. */
static gboolean
run_insert (Demo              *d,
            sqlite3_stmt      *stmt,
            const char *const *values,
            int                n,
            GError           **error)
{
  sqlite3_reset (stmt);
  for (int i = 0; i < n; i++)
    sqlite3_bind_text (stmt, i + 1, values[i], -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (d->store, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

#define INSERT(d, stmt, error, ...) \
  G_STMT_START { \
    const char *const v_[] = { __VA_ARGS__ }; \
    if (!run_insert ((d), (stmt), v_, G_N_ELEMENTS (v_), (error))) \
      return FALSE; \
  } G_STMT_END

static sqlite3_stmt *
prepare_insert (Demo       *d,
                const char *table,
                const char *columns,
                GError    **error)
{
  g_autoptr(GString) sql = g_string_new (NULL);
  int n = 1;

  for (const char *p = columns; *p != '\0'; p++)
    if (*p == ',')
      n++;
  g_string_append_printf (sql, "INSERT INTO %s (%s) VALUES (?", table, columns);
  for (int i = 1; i < n; i++)
    g_string_append (sql, ", ?");
  g_string_append (sql, ")");
  return stp_store_prepare (d->store, sql->str, error);
}

static const char *
code (StpEnumType type,
      int         value)
{
  return stp_enum_to_code (type, value);
}

static const char *
int_text (int  value,
          char buf[16])
{
  g_snprintf (buf, 16, "%d", value);
  return buf;
}

static const char *
female_surname (const char *male,
                char       *buf,
                gsize       size)
{
  if (g_str_has_suffix (male, "ов") || g_str_has_suffix (male, "ев")
      || g_str_has_suffix (male, "ёв") || g_str_has_suffix (male, "ин"))
    g_snprintf (buf, size, "%sа", male);
  else if (g_str_has_suffix (male, "ский") || g_str_has_suffix (male, "цкий"))
    g_snprintf (buf, size, "%.*sая", (int) (strlen (male) - strlen ("ий")), male);
  else
    g_snprintf (buf, size, "%s", male);
  return buf;
}

static void
make_snils (Demo *d,
            char  out[15])
{
  int digits[9];
  int sum = 0, check;

  for (int i = 0; i < 9; i++)
    {
      digits[i] = rnd (d, 0, 9);
      sum += digits[i] * (9 - i);
    }
  if (digits[0] == 0)
    digits[0] = 1, sum += 9;
  check = sum < 100 ? sum : (sum == 100 || sum == 101) ? 0 : sum % 101;
  if (check == 100)
    check = 0;
  g_snprintf (out, 15, "%d%d%d-%d%d%d-%d%d%d %02d", digits[0], digits[1], digits[2],
              digits[3], digits[4], digits[5], digits[6], digits[7], digits[8], check);
}

static const char *
pick_referral_source (Demo *d)
{
  static const struct { int value; int weight; } w[] = {
    { STP_REFERRAL_SOURCE_SELF, 25 }, { STP_REFERRAL_SOURCE_RELATIVES, 30 },
    { STP_REFERRAL_SOURCE_MEDICAL, 10 }, { STP_REFERRAL_SOURCE_COURT_ADMIN, 8 },
    { STP_REFERRAL_SOURCE_COURT_CRIMINAL, 4 }, { STP_REFERRAL_SOURCE_PROBATION, 3 },
    { STP_REFERRAL_SOURCE_KDN, 2 }, { STP_REFERRAL_SOURCE_SOCIAL, 5 },
    { STP_REFERRAL_SOURCE_PARISH, 5 }, { STP_REFERRAL_SOURCE_OTHER_NGO, 4 },
    { STP_REFERRAL_SOURCE_CERTIFICATE, 4 },
  };
  int r = rnd (d, 0, 99);

  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    {
      if (r < w[i].weight)
        return code (STP_ENUM_REFERRAL_SOURCE, w[i].value);
      r -= w[i].weight;
    }
  return code (STP_ENUM_REFERRAL_SOURCE, STP_REFERRAL_SOURCE_SELF);
}

static const char *
pick_substance (Demo *d)
{
  static const struct { int value; int weight; } w[] = {
    { STP_SUBSTANCE_ALCOHOL, 40 }, { STP_SUBSTANCE_OPIOIDS, 15 },
    { STP_SUBSTANCE_STIMULANTS, 20 }, { STP_SUBSTANCE_CANNABINOIDS, 8 },
    { STP_SUBSTANCE_MEDICATIONS, 4 }, { STP_SUBSTANCE_POLYDRUG, 10 },
    { STP_SUBSTANCE_NON_CHEMICAL, 3 },
  };
  int r = rnd (d, 0, 99);

  for (guint i = 0; i < G_N_ELEMENTS (w); i++)
    {
      if (r < w[i].weight)
        return code (STP_ENUM_SUBSTANCE, w[i].value);
      r -= w[i].weight;
    }
  return code (STP_ENUM_SUBSTANCE, STP_SUBSTANCE_ALCOHOL);
}

static const char *
staff_id (Demo *d)
{
  return g_ptr_array_index (d->staff, g_rand_int_range (d->rand, 0, (gint32) d->staff->len));
}

static gboolean
insert_stage_entry (Demo       *d,
                    const char *episode_id,
                    DemoStage  *stage,
                    int         start,
                    int         end,
                    int         result,
                    GError    **error)
{
  char id[37], created[40], started[11], ended[11];
  g_autofree char *moment = stp_format_moment (day_usec (d, start));

  make_id (d, day_usec (d, start), id);
  g_strlcpy (created, moment, sizeof created);
  format_day (start, started);
  if (end > 0)
    format_day (end, ended);
  INSERT (d, d->stage_entries, error,
          id, created, created, episode_id, stage->id, started,
          end > 0 ? ended : NULL, code (STP_ENUM_STAGE_RESULT, result),
          result == STP_STAGE_RESULT_STEPPED_BACK ? "Срыв, возврат на предыдущий этап" : NULL,
          staff_id (d));
  return TRUE;
}

/* Walks the stages from @start.  With @finish, goes through every stage
 * and returns the day the program was completed, or 0 when that would be
 * after @stop (the last entry stays open).  Without, stops at @stop and
 * closes the current entry with @last_result (or leaves it open with
 * STP_STAGE_RESULT_NONE). */
static gboolean
walk_stages (Demo        *d,
             DemoProgram *program,
             const char  *episode_id,
             int          start,
             int          stop,
             gboolean     finish,
             int          last_result,
             int         *out_end,
             GError     **error)
{
  guint pos = 0;
  int day = start;

  *out_end = 0;
  while (pos < program->stages->len)
    {
      DemoStage *stage = g_ptr_array_index (program->stages, pos);
      int length = rnd (d, stage->min_days, stage->max_days);

      if (day + length >= stop)
        {
          if (finish)
            last_result = STP_STAGE_RESULT_NONE;
          return insert_stage_entry (d, episode_id, stage, day,
                                     last_result == STP_STAGE_RESULT_NONE ? 0 : stop,
                                     last_result, error);
        }
      if (pos > 0 && chance (d, 0.05))
        {
          if (!insert_stage_entry (d, episode_id, stage, day, day + length,
                                   STP_STAGE_RESULT_STEPPED_BACK, error))
            return FALSE;
          pos--;
        }
      else
        {
          if (!insert_stage_entry (d, episode_id, stage, day, day + length,
                                   STP_STAGE_RESULT_PASSED, error))
            return FALSE;
          pos++;
        }
      day += length;
    }
  *out_end = day;
  return TRUE;
}

static gboolean
insert_follow_ups (Demo       *d,
                   const char *resident_id,
                   const char *episode_id,
                   int         discharged,
                   GError    **error)
{
  static const int months[] = { 1, 3, 6, 12, 24 };

  for (guint i = 0; i < G_N_ELEMENTS (months); i++)
    {
      int due = discharged + (int) (months[i] * 30.44);
      char id[37], due_text[11], done_text[11], m[16];
      g_autofree char *created = stp_format_moment (day_usec (d, discharged));
      int outcome = STP_FOLLOW_UP_PENDING;
      int remission = STP_REMISSION_UNKNOWN;
      int done = 0;

      if (due <= d->today)
        {
          int r = rnd (d, 0, 99);

          if (r < 70)
            outcome = STP_FOLLOW_UP_DONE;
          else if (r < 85)
            outcome = STP_FOLLOW_UP_LOST_CONTACT;
        }
      if (outcome != STP_FOLLOW_UP_PENDING)
        {
          int r = rnd (d, 0, 99);

          done = MIN (due + rnd (d, 0, 20), d->today);
          format_day (done, done_text);
          if (outcome == STP_FOLLOW_UP_DONE)
            remission = r < 55 ? STP_REMISSION_YES : r < 80 ? STP_REMISSION_NO : STP_REMISSION_UNKNOWN;
        }
      make_id (d, day_usec (d, discharged), id);
      format_day (due, due_text);
      INSERT (d, d->follow_ups, error,
              id, created, created, episode_id, resident_id, int_text (months[i], m), due_text,
              done > 0 ? done_text : NULL, code (STP_ENUM_FOLLOW_UP_OUTCOME, outcome),
              outcome == STP_FOLLOW_UP_DONE ? "телефон" : NULL,
              outcome == STP_FOLLOW_UP_DONE ? code (STP_ENUM_REMISSION, remission) : NULL,
              outcome == STP_FOLLOW_UP_DONE
                ? code (STP_ENUM_VERIFICATION, rnd (d, 0, 3)) : NULL,
              outcome == STP_FOLLOW_UP_DONE ? (chance (d, 0.5) ? "1" : "0") : NULL,
              outcome == STP_FOLLOW_UP_DONE ? (chance (d, 0.8) ? "1" : "0") : NULL,
              outcome == STP_FOLLOW_UP_DONE ? (chance (d, 0.4) ? "1" : "0") : NULL,
              outcome == STP_FOLLOW_UP_DONE ? (chance (d, 0.3) ? "1" : "0") : NULL,
              outcome == STP_FOLLOW_UP_DONE ? (chance (d, 0.35) ? "1" : "0") : NULL);
    }
  return TRUE;
}

static gboolean
insert_episode (Demo        *d,
                const char  *resident_id,
                int          admitted,
                gboolean     allow_ongoing,
                const char  *referral_source,
                int         *out_discharged,
                char         out_id[37],
                GError     **error)
{
  DemoProgram *program = g_ptr_array_index (d->programs,
                                            chance (d, 0.7) ? 0 : rnd (d, 0, (int) d->programs->len - 1));
  char admitted_text[11], discharged_text[11], years[16], certificate[32];
  g_autofree char *created = stp_format_moment (day_usec (d, admitted));
  int status, end = 0, r = rnd (d, 0, 99);

  make_id (d, day_usec (d, admitted), out_id);
  format_day (admitted, admitted_text);

  if (r < 42)
    status = STP_EPISODE_COMPLETED;
  else if (r < 80)
    status = STP_EPISODE_DROPPED_OUT;
  else if (r < 88)
    status = STP_EPISODE_EXPELLED;
  else if (r < 93)
    status = STP_EPISODE_TRANSFERRED;
  else if (r < 99)
    status = STP_EPISODE_HOSPITALIZED;
  else
    status = STP_EPISODE_DIED;

  /* The episode row goes first (its stage entries refer to it). */
  if (status == STP_EPISODE_COMPLETED)
    {
      /* Decided by walking the stages below; insert after. */
    }
  else
    {
      int total = 0;

      for (guint i = 0; i < program->stages->len; i++)
        total += ((DemoStage *) g_ptr_array_index (program->stages, i))->max_days;
      end = admitted + rnd (d, 3, MAX (10, total * 7 / 10));
    }

  if (status != STP_EPISODE_COMPLETED && end > d->today && allow_ongoing)
    status = STP_EPISODE_IN_PROGRAM;
  else if (status != STP_EPISODE_COMPLETED && end > d->today)
    end = d->today;

  {
    /* Walk first into a savepoint-free order: insert the episode with its
     * final values after we know them; stage entries do not need it to
     * exist (no foreign keys), triggers catch up when it arrives. */
    int completed_on = 0;

    if (status == STP_EPISODE_COMPLETED)
      {
        if (!walk_stages (d, program, out_id, admitted, allow_ongoing ? d->today : G_MAXINT,
                          TRUE, STP_STAGE_RESULT_NONE, &completed_on, error))
          return FALSE;
        if (completed_on == 0)
          status = STP_EPISODE_IN_PROGRAM;
        else
          end = completed_on;
        if (end > d->today)
          end = d->today;
      }
    else if (status == STP_EPISODE_IN_PROGRAM)
      {
        if (admitted >= d->today - 2 && chance (d, 0.5))
          status = STP_EPISODE_INTAKE;
        else if (!walk_stages (d, program, out_id, admitted, d->today + 1, FALSE,
                               STP_STAGE_RESULT_NONE, &completed_on, error))
          return FALSE;
        end = 0;
      }
    else if (!walk_stages (d, program, out_id, admitted, end, FALSE,
                           STP_STAGE_RESULT_LEFT,
                           &completed_on, error))
      return FALSE;
  }

  if (end > 0)
    format_day (end, discharged_text);
  g_snprintf (certificate, sizeof certificate, "СРТ-%06d", rnd (d, 1, 999999));
  INSERT (d, d->episodes, error,
          out_id, created, created, resident_id, program->id, admitted_text, referral_source,
          code (STP_ENUM_PAYMENT_SOURCE, rnd (d, 0, 5)),
          chance (d, 0.1) ? certificate : NULL,
          pick_substance (d), chance (d, 0.3) ? "cannabinoids" : NULL,
          int_text (rnd (d, 1, 25), years), chance (d, 0.4) ? "наркологический стационар" : NULL,
          staff_id (d), code (STP_ENUM_EPISODE_STATUS, status),
          end > 0 ? discharged_text : NULL,
          end > 0 ? (status == STP_EPISODE_COMPLETED ? "Программа пройдена" : "Выбыл") : NULL);

  {
    char sid[37];

    make_id (d, day_usec (d, admitted), sid);
    INSERT (d, d->screenings, error,
            sid, created, created, resident_id, out_id, admitted_text,
            code (STP_ENUM_SCREENING_REASON, STP_SCREENING_REASON_ADMISSION), "экспресс-тест",
            code (STP_ENUM_SCREENING_RESULT, chance (d, 0.3) ? STP_SCREENING_POSITIVE
                                                           : STP_SCREENING_NEGATIVE),
            NULL, staff_id (d));
  }

  if (end > 0 && status != STP_EPISODE_DIED
      && !insert_follow_ups (d, resident_id, out_id, end, error))
    return FALSE;

  *out_discharged = end;
  return TRUE;
}

static gboolean
insert_resident (Demo    *d,
                 GError **error)
{
  gboolean male = chance (d, 0.72);
  const char *surname_m = PICK (d, surnames);
  char surname[128], patronymic[128], birth[11], created_day[11], phone[20], snils[15];
  char document[64], file_number[32], address[160], minors[16], id[37];
  char episode_ids[3][37];
  int episode_ends[3] = { 0, };
  int episode_starts[3] = { 0, };
  int n_episodes, first, age, birth_day, year, counter;
  const char *family_status;
  g_autofree char *created = NULL;
  const char *name;

  name = male ? PICK (d, male_names) : PICK (d, female_names);
  if (male)
    g_strlcpy (surname, surname_m, sizeof surname);
  else
    female_surname (surname_m, surname, sizeof surname);
  g_snprintf (patronymic, sizeof patronymic, "%s%s", PICK (d, patronymic_stems),
              male ? "ич" : "на");
  if (g_str_has_suffix (patronymic, "ичич") || g_str_has_suffix (patronymic, "ична"))
    g_snprintf (patronymic, sizeof patronymic, "%s", male ? "Георгиевич" : "Георгиевна");

  first = d->today - rnd (d, 1, 6 * 365);
  age = 16 + (rnd (d, 0, 27) + rnd (d, 0, 27));
  birth_day = first - age * 365 - rnd (d, 0, 364);
  format_day (birth_day, birth);
  format_day (first, created_day);
  created = stp_format_moment (day_usec (d, first));
  make_id (d, day_usec (d, first), id);

  year = atoi (created_day);
  counter = GPOINTER_TO_INT (g_hash_table_lookup (d->file_counters, GINT_TO_POINTER (year))) + 1;
  g_hash_table_insert (d->file_counters, GINT_TO_POINTER (year), GINT_TO_POINTER (counter));
  g_snprintf (file_number, sizeof file_number, "%04d-DM-%04d", year, counter);
  g_snprintf (phone, sizeof phone, "+79%09d", rnd (d, 0, 999999999));
  make_snils (d, snils);
  g_snprintf (document, sizeof document, "паспорт %02d %02d %06d", rnd (d, 10, 99),
              rnd (d, 0, 25), rnd (d, 0, 999999));
  g_snprintf (address, sizeof address, "%s, %s, д. %d, кв. %d", PICK (d, towns),
              PICK (d, streets), rnd (d, 1, 120), rnd (d, 1, 200));
  family_status = code (STP_ENUM_FAMILY_STATUS,
                        chance (d, 0.05) ? STP_FAMILY_STATUS_SOP
                        : chance (d, 0.08) ? STP_FAMILY_STATUS_TZHS : STP_FAMILY_STATUS_NONE);

  INSERT (d, d->residents, error,
          id, created, created, surname, name, patronymic, birth,
          code (STP_ENUM_SEX, male ? STP_SEX_MALE : STP_SEX_FEMALE), "Россия",
          chance (d, 0.9) ? phone : NULL, address, chance (d, 0.7) ? address : NULL,
          chance (d, 0.5) ? "среднее профессиональное" : "среднее общее",
          chance (d, 0.4) ? "водитель" : NULL, chance (d, 0.3) ? "работает" : "не работает",
          chance (d, 0.6) ? document : NULL, chance (d, 0.6) ? snils : NULL, file_number,
          int_text (chance (d, 0.2) ? rnd (d, 1, 3) : 0, minors), family_status,
          g_strcmp0 (family_status, "none") != 0 ? created_day : NULL,
          chance (d, 0.03) ? created_day : NULL);

  /* Episodes: 50 % one, 35 % two, 15 % three; with the later ones cut at
   * today about 1.5 on average. */
  {
    int r = rnd (d, 0, 19);

    n_episodes = r < 10 ? 1 : r < 17 ? 2 : 3;
  }
  {
    int day = first;
    const char *source = pick_referral_source (d);
    int made = 0;

    for (int i = 0; i < n_episodes && day < d->today; i++)
      {
        int end = 0;
        gboolean last = i == n_episodes - 1;

        if (i > 0)
          source = pick_referral_source (d);
        if (!insert_episode (d, id, day, last, source, &end, episode_ids[i], error))
          return FALSE;
        episode_starts[i] = day;
        episode_ends[i] = end > 0 ? end : d->today;
        made++;
        if (end == 0)
          break;
        day = end + rnd (d, 30, 400);
      }
    n_episodes = made;

    /* Court-ordered residents. */
    if (g_str_has_prefix (source, "court") || g_str_equal (source, "probation"))
      {
        char cid[37], decision[11], case_number[32];
        int basis = g_str_equal (source, "court_admin") ? STP_COURT_BASIS_KOAP_4_1
                    : rnd (d, STP_COURT_BASIS_UK_72_1, STP_COURT_BASIS_UK_82_1);

        make_id (d, day_usec (d, first), cid);
        format_day (first - rnd (d, 5, 60), decision);
        g_snprintf (case_number, sizeof case_number, "%d-%d/%d", rnd (d, 1, 9),
                    rnd (d, 100, 9999), year % 100);
        INSERT (d, d->court, error,
                cid, created, created, id, code (STP_ENUM_COURT_BASIS, basis),
                "Мировой судья судебного участка № 3", case_number, decision, "1 год",
                "УИИ по месту жительства", NULL);
      }
  }

  /* Relatives: three on average. */
  {
    int n = rnd (d, 1, 5);

    for (int i = 0; i < n; i++)
      {
        char rid[37], full_name[200], rbirth[11];
        int relation = rnd (d, 0, STP_RELATION_OTHER);
        gboolean minor = (relation == STP_RELATION_SON || relation == STP_RELATION_DAUGHTER)
                         && chance (d, 0.5);
        gboolean female = relation == STP_RELATION_MOTHER || relation == STP_RELATION_DAUGHTER
                          || relation == STP_RELATION_SISTER
                          || (relation == STP_RELATION_SPOUSE && male);
        char rs[128];

        make_id (d, day_usec (d, first), rid);
        g_snprintf (full_name, sizeof full_name, "%s %s %s%s",
                    female ? female_surname (surname_m, rs, sizeof rs) : surname_m,
                    female ? PICK (d, female_names) : PICK (d, male_names),
                    PICK (d, patronymic_stems), female ? "на" : "ич");
        format_day (minor ? d->today - rnd (d, 365, 17 * 365) : birth_day + rnd (d, -9000, 9000),
                    rbirth);
        g_snprintf (phone, sizeof phone, "+79%09d", rnd (d, 0, 999999999));
        INSERT (d, d->relatives, error,
                rid, created, created, id, full_name, code (STP_ENUM_RELATION, relation), rbirth,
                phone, address, chance (d, 0.4) ? "1" : "0", minor ? "1" : "0",
                chance (d, 0.3) ? "1" : "0", chance (d, 0.8) ? "1" : "0");
      }
  }

  /* Consent to the processing of personal data at the first admission. */
  {
    char kid[37];

    make_id (d, day_usec (d, first), kid);
    INSERT (d, d->consents, error,
            kid, created, created, id, code (STP_ENUM_CONSENT_KIND, STP_CONSENT_PERSONAL_DATA),
            created_day);
  }

  /* Journal: ten entries on average, inside the episodes. */
  if (n_episodes > 0)
    {
      int n = rnd (d, 4, 16);

      for (int i = 0; i < n; i++)
        {
          int e = rnd (d, 0, n_episodes - 1);
          int day = rnd (d, episode_starts[e], MAX (episode_starts[e], episode_ends[e]));
          gint64 usec = day_usec (d, day);
          g_autofree char *at = stp_format_moment (usec);
          char jid[37];
          int kind = rnd (d, 0, STP_JOURNAL_OTHER);

          make_id (d, usec, jid);
          INSERT (d, d->journal, error,
                  jid, at, at, id, episode_ids[e], code (STP_ENUM_JOURNAL_KIND, kind), at,
                  staff_id (d), PICK (d, journal_texts),
                  kind == STP_JOURNAL_INCIDENT || chance (d, 0.05) ? "1" : "0");
        }
    }

  /* Referrals: three residents in ten. */
  if (n_episodes > 0 && chance (d, 0.3))
    {
      char fid[37], sent[11], due[11], response[11], number[32];
      int day = rnd (d, episode_starts[0], MAX (episode_starts[0], episode_ends[0]));
      int r = rnd (d, 0, 99);
      int answered = r < 60 ? day + rnd (d, 1, 30) : r < 75 ? day + rnd (d, 31, 90) : 0;
      g_autofree char *at = stp_format_moment (day_usec (d, day));

      if (answered > d->today)
        answered = 0;
      make_id (d, day_usec (d, day), fid);
      format_day (day, sent);
      format_day (day + 30, due);
      if (answered > 0)
        format_day (answered, response);
      g_snprintf (number, sizeof number, "%d/%d", rnd (d, 1, 999), rnd (d, 1, 99));
      INSERT (d, d->referrals, error,
              fid, at, at, id,
              code (STP_ENUM_DIRECTION, chance (d, 0.8) ? STP_DIRECTION_OUTGOING
                                                        : STP_DIRECTION_INCOMING),
              code (STP_ENUM_AGENCY_KIND, rnd (d, 0, STP_AGENCY_OTHER)),
              "Управление социальной защиты населения", number, sent,
              "Содействие в восстановлении документов", due,
              answered > 0 ? response : NULL, answered > 0 ? "Ответ получен" : NULL);
    }

  return TRUE;
}

static gboolean
load_programs (Demo    *d,
               GError **error)
{
  sqlite3 *db = stp_store_get_db (d->store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (sqlite3_prepare_v2 (db,
                          "SELECT p.id, s.id, coalesce (s.planned_days_min, 0),"
                          " coalesce (s.planned_days_max, 0)"
                          " FROM programs p JOIN stages s ON s.program_id = p.id"
                          " WHERE p.deleted = 0 AND coalesce (p.active, 1)"
                          " AND s.deleted = 0 AND NOT coalesce (s.retired, 0)"
                          " ORDER BY p.created_at, p.id, s.position",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      stp_store_set_sqlite_error (d->store, error);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *pid = (const char *) sqlite3_column_text (stmt, 0);
      DemoProgram *program = d->programs->len > 0
                             ? g_ptr_array_index (d->programs, d->programs->len - 1) : NULL;
      DemoStage *stage = g_new0 (DemoStage, 1);

      if (program == NULL || strcmp (program->id, pid) != 0)
        {
          program = g_new0 (DemoProgram, 1);
          program->id = g_strdup (pid);
          program->stages = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_stage_free);
          g_ptr_array_add (d->programs, program);
        }
      stage->id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      stage->min_days = sqlite3_column_int (stmt, 2);
      stage->max_days = sqlite3_column_int (stmt, 3);
      if (stage->min_days <= 0)
        stage->min_days = 14;
      if (stage->max_days < stage->min_days)
        stage->max_days = stage->min_days + 45;
      g_ptr_array_add (program->stages, stage);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (d->store, error);
      return FALSE;
    }
  if (d->programs->len == 0)
    {
      g_set_error (error, STP_CORE_ERROR, STP_CORE_ERROR_FAILED,
                   _("The center has no program with stages for demo episodes"));
      return FALSE;
    }

  if (sqlite3_prepare_v2 (db, "SELECT id FROM users WHERE deleted = 0 AND role <> 'volunteer'"
                          " ORDER BY login", -1, &stmt, NULL) != SQLITE_OK)
    {
      stp_store_set_sqlite_error (d->store, error);
      return FALSE;
    }
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (d->staff, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  if (d->staff->len == 0)
    g_ptr_array_add (d->staff, g_strdup ("00000000-0000-7000-8000-000000000000"));
  return TRUE;
}

static gboolean
create_demo_center (StpStore  *store,
                    GError   **error)
{
  static const struct { const char *login; const char *name; StpRole role; } people[] = {
    { "staff1", "Кравцова Ирина Олеговна", STP_ROLE_STAFF },
    { "staff2", "Лосев Андрей Викторович", STP_ROLE_STAFF },
    { "staff3", "Гришина Марина Павловна", STP_ROLE_STAFF },
    { "volunteer", "Соснин Павел Игоревич", STP_ROLE_VOLUNTEER },
  };
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(StpSession) session = NULL;

  center->name = g_strdup ("Демо-центр «Ступени»");
  center->region = g_strdup ("Тверская область");
  center->legal_name = g_strdup ("АНО «Реабилитационный центр «Ступени» (демо)");
  center->address = g_strdup ("г. Тверь, ул. Садовая, д. 1");
  center->seats_total = 60;
  center->seats_male = 45;
  center->seats_female = 15;
  session = stp_store_create_center (store, center, "director", "Орлов Сергей Николаевич",
                                     DEMO_PASSWORD, error);
  if (session == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (people); i++)
    {
      g_autoptr(StpUser) user = stp_user_new ();

      user->login = g_strdup (people[i].login);
      user->full_name = g_strdup (people[i].name);
      user->role = people[i].role;
      user->active = TRUE;
      if (!stp_store_save_user_with_password (store, session, user, DEMO_PASSWORD, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
stp_demo_generate (StpStore  *store,
                   guint      n_residents,
                   guint32    seed,
                   GError   **error)
{
  Demo d = { 0, };
  g_autofree char *today = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (stp_store_is_empty (store) && !create_demo_center (store, error))
    return FALSE;

  d.store = store;
  d.rand = g_rand_new_with_seed (seed);
  today = stp_store_today (store);
  d.today = parse_day (today);
  d.programs = g_ptr_array_new_with_free_func ((GDestroyNotify) demo_program_free);
  d.staff = g_ptr_array_new_with_free_func (g_free);
  d.file_counters = g_hash_table_new (NULL, NULL);

  ok = d.today > 0 && load_programs (&d, error);
  if (ok)
    {
      d.residents = prepare_insert (&d, "residents",
                                    "id, created_at, updated_at, surname, name, patronymic, birth_date, sex,"
                                    " citizenship, phone, registration_address, actual_address, education,"
                                    " profession, employment, document, snils, file_number,"
                                    " minors_in_household, family_status, family_status_since, kdn_informed_on",
                                    error);
      d.episodes = prepare_insert (&d, "episodes",
                                   "id, created_at, updated_at, resident_id, program_id, admitted_on,"
                                   " referral_source, payment_source, certificate_number, main_substance,"
                                   " other_substances, years_of_use, prior_treatments, responsible_user_id,"
                                   " status, discharged_on, discharge_reason",
                                   error);
      d.stage_entries = prepare_insert (&d, "stage_entries",
                                        "id, created_at, updated_at, episode_id, stage_id, started_on,"
                                        " ended_on, result, note, staff_user_id",
                                        error);
      d.relatives = prepare_insert (&d, "relatives",
                                    "id, created_at, updated_at, resident_id, full_name, relation,"
                                    " birth_date, phone, address, lives_with_resident, minor, codependent,"
                                    " consent_to_contact",
                                    error);
      d.consents = prepare_insert (&d, "consents",
                                   "id, created_at, updated_at, resident_id, kind, signed_on", error);
      d.journal = prepare_insert (&d, "journal_entries",
                                  "id, created_at, updated_at, resident_id, episode_id, kind, occurred_at,"
                                  " author_user_id, text, restricted",
                                  error);
      d.screenings = prepare_insert (&d, "screenings",
                                     "id, created_at, updated_at, resident_id, episode_id, taken_on, reason,"
                                     " method, result, substances, staff_user_id",
                                     error);
      d.follow_ups = prepare_insert (&d, "follow_ups",
                                     "id, created_at, updated_at, episode_id, resident_id, months, due_on,"
                                     " done_on, outcome, contact_method, remission, verified_by, employed,"
                                     " housing, returned_to_family, documents_restored, attends_groups",
                                     error);
      d.referrals = prepare_insert (&d, "referrals",
                                    "id, created_at, updated_at, resident_id, direction, agency_kind,"
                                    " agency_name, registration_number, sent_on, purpose, due_on,"
                                    " response_on, outcome",
                                    error);
      d.court = prepare_insert (&d, "court_obligations",
                                "id, created_at, updated_at, resident_id, basis, court, case_number,"
                                " decision_date, term, supervising_body, inspector",
                                error);
      ok = d.residents != NULL && d.episodes != NULL && d.stage_entries != NULL
           && d.relatives != NULL && d.consents != NULL && d.journal != NULL
           && d.screenings != NULL && d.follow_ups != NULL && d.referrals != NULL
           && d.court != NULL;
    }

  for (guint done = 0; ok && done < n_residents;)
    {
      g_auto(StpStoreTransaction) tx = STP_STORE_TRANSACTION_INIT;
      guint batch = MIN (BATCH, n_residents - done);

      ok = stp_store_transaction_begin (&tx, store, error);
      for (guint i = 0; ok && i < batch; i++)
        ok = insert_resident (&d, error);
      if (ok)
        ok = stp_store_transaction_commit (&tx, error);
      done += batch;
    }

  g_rand_free (d.rand);
  g_ptr_array_unref (d.programs);
  g_ptr_array_unref (d.staff);
  g_hash_table_unref (d.file_counters);
  return ok;
}
