/* Records: CRUD of every kind, field versions and outbox, tombstones, file
 * numbers, validation. */
#include "config.h"

#include <string.h>

#include "test-util.h"

static const char *
pick_code (StpEnumType type,
           int         variant)
{
  const StpEnumItem *items = stp_enum_get_items (type);
  int n = 0;

  while (items[n].code != NULL)
    n++;
  return items[(1 + variant) % n].code;
}

/* Fills every field of @record with a valid, recognizable value. */
static void
fill_record (StpRecordKind kind,
             gpointer      record,
             int           variant)
{
  const StpKindInfo *info = stp_kind_info (kind);

  for (guint i = 0; i < info->n_fields; i++)
    {
      const StpFieldInfo *f = &info->fields[i];
      g_autofree char *text = NULL;

      switch (f->type)
        {
        case STP_FIELD_TEXT:
          if (g_str_equal (f->name, "phone"))
            text = g_strdup (variant ? "+79000000002" : "+79123456789");
          else if (g_str_equal (f->name, "snils"))
            text = g_strdup ("112-233-445 95");
          else
            text = g_strdup_printf ("%s-%d-текст", f->name, variant);
          break;
        case STP_FIELD_DATE:
          text = g_strdup (variant ? "2021-02-16" : "2020-01-15");
          break;
        case STP_FIELD_MOMENT:
          text = g_strdup (variant ? "2021-02-16T11:30:00.000Z" : "2020-01-15T10:00:00.000Z");
          break;
        case STP_FIELD_INT:
          text = g_strdup_printf ("%d", 3 + variant);
          break;
        case STP_FIELD_BOOL:
          text = g_strdup (variant ? "0" : "1");
          break;
        case STP_FIELD_ENUM:
          text = g_strdup (pick_code (f->enum_type, variant));
          break;
        default:
          g_assert_not_reached ();
        }
      stp_record_set_field_text (f, record, text);
    }
}

static void
assert_same_fields (StpRecordKind kind,
                    gconstpointer a,
                    gconstpointer b)
{
  const StpKindInfo *info = stp_kind_info (kind);

  for (guint i = 0; i < info->n_fields; i++)
    {
      g_autofree char *ta = stp_record_get_field_text (&info->fields[i], a);
      g_autofree char *tb = stp_record_get_field_text (&info->fields[i], b);
      if (g_strcmp0 (ta, tb) != 0)
        g_error ("%s.%s: “%s” != “%s”", info->table, info->fields[i].name, ta, tb);
    }
}

static void
test_crud_every_kind (TestCenter    *tc,
                      gconstpointer  data)
{
  for (guint k = 0; k < STP_N_KINDS; k++)
    {
      g_autoptr(GError) error = NULL;
      const char *table = stp_record_kind_table (k);
      gpointer record = stp_record_new (k);
      gpointer loaded;
      gpointer copy;
      g_autoptr(GPtrArray) all = NULL;
      g_autofree char *sql = NULL;

      fill_record (k, record, 0);
      g_assert_true (stp_store_save (tc->store, tc->director, k, record, &error));
      g_assert_no_error (error);
      g_assert_nonnull (((StpRecordMeta *) record)->id);
      g_assert_nonnull (((StpRecordMeta *) record)->created_at);

      loaded = stp_store_get (tc->store, tc->director, k, ((StpRecordMeta *) record)->id, &error);
      g_assert_no_error (error);
      g_assert_nonnull (loaded);
      assert_same_fields (k, record, loaded);
      g_assert_cmpstr (((StpRecordMeta *) loaded)->created_at, ==, ((StpRecordMeta *) record)->created_at);

      /* Update every field, then read it back. */
      fill_record (k, loaded, 1);
      g_assert_true (stp_store_save (tc->store, tc->director, k, loaded, &error));
      g_assert_no_error (error);
      copy = stp_store_get (tc->store, tc->director, k, ((StpRecordMeta *) record)->id, &error);
      g_assert_no_error (error);
      assert_same_fields (k, loaded, copy);

      all = stp_store_list (tc->store, tc->director, k, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (all->len, >=, 1);

      /* Enumerations are stored as codes. */
      {
        const StpKindInfo *info = stp_kind_info (k);
        for (guint i = 0; i < info->n_fields; i++)
          if (info->fields[i].type == STP_FIELD_ENUM)
            {
              g_autofree char *q = g_strdup_printf ("SELECT %s FROM %s WHERE id = '%s'",
                                                    info->fields[i].name, table,
                                                    ((StpRecordMeta *) record)->id);
              g_autofree char *code = test_text (tc->store, q);
              g_assert_cmpstr (code, ==, pick_code (info->fields[i].enum_type, 1));
            }
      }

      sql = g_strdup_printf ("SELECT count(*) FROM outbox WHERE tbl = '%s' AND row_id = '%s'",
                             table, ((StpRecordMeta *) record)->id);
      g_assert_cmpint (test_count (tc->store, sql), >, (gint64) stp_kind_info (k)->n_fields);

      stp_record_free (k, record);
      stp_record_free (k, loaded);
      stp_record_free (k, copy);
    }
}

static void
test_versions_and_outbox (TestCenter    *tc,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Иванов", "Пётр");
  g_autofree char *q_all = g_strdup_printf ("SELECT count(*) FROM outbox WHERE row_id = '%s'", r->meta.id);
  g_autofree char *q_fv = g_strdup_printf ("SELECT count(*) FROM field_versions WHERE row_id = '%s'", r->meta.id);
  g_autofree char *q_phone_hlc = g_strdup_printf ("SELECT hlc FROM field_versions WHERE row_id = '%s' AND field = 'phone'", r->meta.id);
  gint64 n_new, phone_hlc, new_phone_hlc;
  const StpKindInfo *info = stp_kind_info (STP_KIND_RESIDENT);
  guint non_null = 0;

  for (guint i = 0; i < info->n_fields; i++)
    {
      g_autofree char *t = stp_record_get_field_text (&info->fields[i], r);
      if (t != NULL)
        non_null++;
    }
  n_new = test_count (tc->store, q_all);
  /* Every set field plus created_at. */
  g_assert_cmpint (n_new, ==, non_null + 1);
  g_assert_cmpint (test_count (tc->store, q_fv), ==, non_null + 1);
  g_assert_cmpstr (r->phone, ==, "+79123456789");

  /* Saving unchanged: nothing written. */
  test_now_usec += G_USEC_PER_SEC;
  g_assert_true (stp_store_save_resident (tc->store, tc->director, r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count (tc->store, q_all), ==, n_new);

  /* One changed field: one change, based on the previous version. */
  phone_hlc = test_count (tc->store, q_phone_hlc);
  g_free (r->phone);
  r->phone = g_strdup ("+7 (900) 111-22-33");
  g_assert_true (stp_store_save_resident (tc->store, tc->director, r, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count (tc->store, q_all), ==, n_new + 1);
  new_phone_hlc = test_count (tc->store, q_phone_hlc);
  g_assert_cmpint (new_phone_hlc, >, phone_hlc);
  {
    g_autofree char *q = g_strdup_printf ("SELECT base_hlc = %" G_GINT64_FORMAT " AND value = '+79001112233' "
                                          "AND hlc = %" G_GINT64_FORMAT " AND device = '%s' "
                                          "FROM outbox WHERE row_id = '%s' ORDER BY id DESC LIMIT 1",
                                          phone_hlc, new_phone_hlc, stp_store_get_device_id (tc->store),
                                          r->meta.id);
    g_assert_cmpint (test_count (tc->store, q), ==, 1);
  }
  {
    g_autofree char *q = g_strdup_printf ("SELECT updated_at FROM residents WHERE id = '%s'", r->meta.id);
    g_autofree char *updated = test_text (tc->store, q);
    g_assert_cmpstr (updated, ==, "2026-03-10T12:00:01.000Z");
  }
  /* The HLC is persisted. */
  {
    g_autofree char *stored = test_text (tc->store, "SELECT value FROM meta WHERE key = 'hlc_last'");
    g_assert_cmpint (g_ascii_strtoll (stored, NULL, 10), ==, new_phone_hlc);
  }
}

static void
test_tombstones (TestCenter    *tc,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = test_add_resident (tc, "Сидоров", "Олег");
  g_autoptr(StpResident) gone = NULL;
  g_autoptr(StpResident) back = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *q = g_strdup_printf ("SELECT deleted FROM residents WHERE id = '%s'", r->meta.id);
  g_autofree char *q_out = g_strdup_printf ("SELECT count(*) FROM outbox WHERE row_id = '%s' AND field = 'deleted' AND value = '1'", r->meta.id);

  g_assert_true (stp_store_delete (tc->store, tc->director, STP_KIND_RESIDENT, r->meta.id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (test_count (tc->store, q), ==, 1);
  g_assert_cmpint (test_count (tc->store, q_out), ==, 1);
  gone = stp_store_get_resident (tc->store, tc->director, r->meta.id, &error);
  g_assert_null (gone);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  list = stp_store_list (tc->store, tc->director, STP_KIND_RESIDENT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents"), ==, 1);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM audit_events WHERE action = 'delete'"), ==, 1);

  g_assert_true (stp_store_undelete (tc->store, tc->director, STP_KIND_RESIDENT, r->meta.id, &error));
  g_assert_no_error (error);
  back = stp_store_get_resident (tc->store, tc->director, r->meta.id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->surname, ==, "Сидоров");
  g_assert_cmpint (test_count (tc->store, q), ==, 0);
}

static void
test_file_numbers (TestCenter    *tc,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) a = test_add_resident (tc, "Первый", "А");
  g_autoptr(StpResident) b = test_add_resident (tc, "Второй", "Б");
  g_autoptr(StpResident) c = NULL;
  g_autoptr(StpResident) d = NULL;

  g_assert_cmpstr (a->file_number, ==, "2026-AB-0001");
  g_assert_cmpstr (b->file_number, ==, "2026-AB-0002");

  /* A number already present (from a restored copy) is skipped. */
  g_assert_true (stp_store_set_meta (tc->store, "file_counter_2026", "1", &error));
  c = test_add_resident (tc, "Третий", "В");
  g_assert_cmpstr (c->file_number, ==, "2026-AB-0003");

  /* A new year starts again at 1. */
  test_now_usec += (gint64) 365 * 24 * 3600 * G_USEC_PER_SEC;
  d = test_add_resident (tc, "Четвёртый", "Г");
  g_assert_cmpstr (d->file_number, ==, "2027-AB-0001");
  g_assert_cmpint (test_count (tc->store, "SELECT count(DISTINCT file_number) FROM residents"), ==, 4);
}

static void
assert_invalid (TestCenter    *tc,
                StpRecordKind  kind,
                gpointer       record,
                const char    *field)
{
  g_autoptr(GError) error = NULL;
  gint64 outbox = test_count (tc->store, "SELECT count(*) FROM outbox");
  gint64 residents = test_count (tc->store, "SELECT count(*) FROM residents");

  g_assert_false (stp_store_save (tc->store, tc->director, kind, record, &error));
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_INVALID);
  g_assert_cmpstr (stp_error_get_field (error), ==, field);
  g_assert_cmpuint (strlen (error->message), >, 5);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM outbox"), ==, outbox);
  g_assert_cmpint (test_count (tc->store, "SELECT count(*) FROM residents"), ==, residents);
}

static void
test_validation (TestCenter    *tc,
                 gconstpointer  data)
{
  g_autoptr(StpResident) r = stp_resident_new ();
  g_autoptr(StpResident) existing = test_add_resident (tc, "Орлов", "Денис");
  g_autoptr(StpEpisode) e = stp_episode_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *program_id = test_first_program_id (tc);

  r->surname = g_strdup ("Новиков");
  r->name = g_strdup ("Игорь");

  r->birth_date = g_strdup ("2030-01-01");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "birth_date");
  g_free (r->birth_date);
  r->birth_date = g_strdup ("1899-12-31");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "birth_date");
  g_free (r->birth_date);
  r->birth_date = g_strdup ("1990-02-30");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "birth_date");
  g_free (r->birth_date);
  r->birth_date = g_strdup ("1990-02-28");

  r->snils = g_strdup ("112-233-445 96");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "snils");
  g_free (r->snils);
  r->snils = g_strdup ("11223344595");

  r->phone = g_strdup ("12-34");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "phone");
  g_free (r->phone);
  r->phone = g_strdup ("+7 (912) 000-11-22");

  g_free (r->surname);
  r->surname = g_strdup ("   ");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "surname");
  g_free (r->surname);
  r->surname = g_strdup ("  Новиков  ");

  g_assert_true (stp_store_save_resident (tc->store, tc->director, r, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (r->surname, ==, "Новиков");
  g_assert_cmpstr (r->snils, ==, "112-233-445 95");
  g_assert_cmpstr (r->phone, ==, "+79120001122");

  e->resident_id = g_strdup (r->meta.id);
  e->program_id = g_strdup (program_id);
  e->admitted_on = g_strdup ("2026-02-01");
  e->discharged_on = g_strdup ("2026-01-31");
  assert_invalid (tc, STP_KIND_EPISODE, e, "discharged_on");

  /* An update that fails leaves the stored row as it was. */
  g_free (existing->birth_date);
  existing->birth_date = g_strdup ("2099-01-01");
  assert_invalid (tc, STP_KIND_RESIDENT, existing, "birth_date");
  {
    g_autofree char *q = g_strdup_printf ("SELECT birth_date FROM residents WHERE id = '%s'", existing->meta.id);
    g_autofree char *stored = test_text (tc->store, q);
    g_assert_cmpstr (stored, ==, "1990-05-17");
  }
}

/* Every text field has a maximum length, checked before anything is written. */
static void
test_length_limits (TestCenter    *tc,
                    gconstpointer  data)
{
  g_autoptr(StpResident) r = stp_resident_new ();
  g_autoptr(StpRelative) relative = stp_relative_new ();
  g_autoptr(GError) error = NULL;
  GString *long_text = g_string_new (NULL);

  for (guint i = 0; i < 5000; i++)
    g_string_append (long_text, "ж");

  r->surname = g_strdup (long_text->str);
  r->name = g_strdup ("Игорь");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "surname");
  {
    g_assert_false (stp_store_save_resident (tc->store, tc->director, r, &error));
    g_assert_nonnull (strstr (error->message, "100"));
    g_clear_error (&error);
  }
  /* 100 characters (200 bytes in Cyrillic) are still a surname. */
  g_string_truncate (long_text, 200);
  g_free (r->surname);
  r->surname = g_strdup (long_text->str);

  r->phone = g_strdup ("+7 912 000-11-22                                                     1");
  assert_invalid (tc, STP_KIND_RESIDENT, r, "phone");
  g_clear_pointer (&r->phone, g_free);

  r->registration_address = g_strnfill (501, 'a');
  assert_invalid (tc, STP_KIND_RESIDENT, r, "registration_address");
  g_clear_pointer (&r->registration_address, g_free);

  r->document = g_strnfill (301, 'a');
  assert_invalid (tc, STP_KIND_RESIDENT, r, "document");
  g_clear_pointer (&r->document, g_free);

  g_assert_true (stp_store_save_resident (tc->store, tc->director, r, &error));
  g_assert_no_error (error);

  relative->resident_id = g_strdup (r->meta.id);
  relative->full_name = g_strnfill (301, 'a');
  assert_invalid (tc, STP_KIND_RELATIVE, relative, "full_name");
  g_string_free (long_text, TRUE);
}

static void
test_phone_forms (void)
{
  const char *good[] = { "8 (912) 345-67-89", "+7 912 345 67 89", "89123456789",
                         "9123456789", "7-912-345-67-89", NULL };

  for (guint i = 0; good[i] != NULL; i++)
    {
      g_autofree char *n = stp_normalize_phone (good[i]);
      g_assert_cmpstr (n, ==, "+79123456789");
    }
  g_assert_null (stp_normalize_phone ("12345"));
  g_assert_null (stp_normalize_phone ("8912abc4567"));
  g_assert_true (stp_snils_is_valid ("112-233-445 95"));
  g_assert_false (stp_snils_is_valid ("112-233-445 94"));
  g_assert_false (stp_snils_is_valid ("112-233-445"));
}

static void
test_enum_tables (void)
{
  for (guint t = 0; t < STP_N_ENUMS; t++)
    {
      const StpEnumItem *items = stp_enum_get_items (t);
      for (int i = 0; items[i].code != NULL; i++)
        {
          g_assert_cmpint (items[i].value, ==, i);
          g_assert_cmpint (stp_enum_from_code (t, items[i].code), ==, i);
          g_assert_cmpstr (stp_enum_to_code (t, i), ==, items[i].code);
          g_assert_nonnull (stp_enum_to_label (t, i));
        }
    }
  g_assert_cmpint (stp_enum_from_code (STP_ENUM_SEX, "nonsense"), ==, -1);
  g_assert_cmpstr (stp_enum_to_label (STP_ENUM_SEX, 42), ==, "—");
}

static void
test_get_speed (TestCenter    *tc,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) system = stp_session_new_system ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gint64 start, elapsed;

  g_assert_true (stp_store_begin (tc->store, &error));
  for (int i = 0; i < 2000; i++)
    {
      g_autoptr(StpResident) r = stp_resident_new ();
      r->surname = g_strdup_printf ("Фамилия%d", i);
      r->name = g_strdup ("Имя");
      r->birth_date = g_strdup ("1985-01-01");
      g_assert_true (stp_store_save_resident (tc->store, system, r, &error));
      g_ptr_array_add (ids, g_strdup (r->meta.id));
    }
  g_assert_true (stp_store_commit (tc->store, &error));

  start = g_get_monotonic_time ();
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(StpResident) r = stp_store_get_resident (tc->store, tc->director,
                                                         ids->pdata[(i * 7) % ids->len], &error);
      g_assert_no_error (error);
      g_assert_nonnull (r);
    }
  elapsed = g_get_monotonic_time () - start;
  g_test_message ("stp_store_get of a resident: %.3f ms", elapsed / 200.0 / 1000.0);
  g_assert_cmpint (elapsed / 200, <, 20000);
}

/* Found by fuzz-validate (issue 14): negative months were passed to
 * GDate as a huge unsigned count, and years past 9999 tripped its
 * assertions. */
static void
test_date_add_months (void)
{
  const struct { const char *date; int months; const char *expected; } cases[] = {
    { "2024-01-31", 1, "2024-02-29" },
    { "2023-01-31", 1, "2023-02-28" },
    { "2024-03-31", -1, "2024-02-29" },
    { "2024-01-15", -1, "2023-12-15" },
    { "2024-01-15", 24, "2026-01-15" },
    { "9999-12-01", 0, "9999-12-01" },
    { "9999-12-01", 1, NULL },
    { "0001-01-01", -1, NULL },
    { "2024-01-15", -200, "2007-05-15" },
    { "2024-01-15", G_MAXINT, NULL },
    { "2024-01-15", G_MININT, NULL },
    { "2024-02-30", 1, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = stp_date_add_months (cases[i].date, cases[i].months);

      g_test_message ("%s %+d", cases[i].date, cases[i].months);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

/* The working lists' periods and the overview's week and month. */
static void
test_date_add_days (void)
{
  const struct { const char *date; int days; const char *expected; } cases[] = {
    { "2024-02-28", 1, "2024-02-29" },
    { "2023-02-28", 1, "2023-03-01" },
    { "2024-03-01", -1, "2024-02-29" },
    { "2026-12-07", -365, "2025-12-07" },
    { "2026-12-07", 0, "2026-12-07" },
    { "9999-12-31", 0, "9999-12-31" },
    { "9999-12-31", 1, NULL },
    { "0001-01-01", -1, NULL },
    { "2024-01-15", G_MAXINT, NULL },
    { "2024-01-15", G_MININT, NULL },
    { "2024-02-30", 1, NULL },
    { "garbage", 1, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = stp_date_add_days (cases[i].date, cases[i].days);

      g_test_message ("%s %+d", cases[i].date, cases[i].days);
      g_assert_cmpstr (got, ==, cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, func) \
  g_test_add (path, TestCenter, NULL, test_center_setup, func, test_center_teardown)
  ADD ("/records/crud-every-kind", test_crud_every_kind);
  ADD ("/records/versions-and-outbox", test_versions_and_outbox);
  ADD ("/records/tombstones", test_tombstones);
  ADD ("/records/file-numbers", test_file_numbers);
  ADD ("/records/validation", test_validation);
  ADD ("/records/length-limits", test_length_limits);
  ADD ("/records/get-speed", test_get_speed);
  g_test_add_func ("/records/phone-forms", test_phone_forms);
  g_test_add_func ("/records/date-add-months", test_date_add_months);
  g_test_add_func ("/records/date-add-days", test_date_add_days);
  g_test_add_func ("/records/enum-tables", test_enum_tables);
  return g_test_run ();
}
