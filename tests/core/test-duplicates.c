/* test-duplicates.c: the duplicate check at intake, one test per reason
 * and a look-alike that is not a duplicate. */
#include "config.h"

#include <glib/gstdio.h>

#include "stp-error.h"
#include "stp-query.h"

static StpStore *store;
static StpSession *director;
static char *tmpdir;
static char *ivanov_id;

#define SNILS "112-233-445 95"
#define DOCUMENT "паспорт 4510 123456"

static StpResident *
candidate (const char *surname,
           const char *name,
           const char *patronymic,
           const char *birth_date)
{
  StpResident *r = stp_resident_new ();

  r->surname = g_strdup (surname);
  r->name = g_strdup (name);
  r->patronymic = g_strdup (patronymic);
  r->birth_date = g_strdup (birth_date);
  return r;
}

static GPtrArray *
find (StpResident *r)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *found = stp_store_find_duplicates (store, director, r, &error);

  g_assert_no_error (error);
  g_assert_nonnull (found);
  return found;
}

static StpDuplicateReason
only_reasons (GPtrArray *found)
{
  StpDuplicateCandidate *c;

  g_assert_cmpuint (found->len, ==, 1);
  c = g_ptr_array_index (found, 0);
  g_assert_cmpstr (c->summary->id, ==, ivanov_id);
  g_assert_cmpstr (c->summary->surname, ==, "Иванов");
  return c->reasons;
}

static void
test_same_name_and_birth (void)
{
  g_autoptr(StpResident) r = candidate ("ИВАНОВ", "петр", "Сергеевич", "1990-05-10");
  g_autoptr(GPtrArray) found = find (r);

  /* Same name (case and «ё» folded) and birth date; the surname of course
   * also sounds the same in the same year. */
  g_assert_cmpuint (only_reasons (found), ==,
                    STP_DUPLICATE_SAME_NAME_AND_BIRTH | STP_DUPLICATE_SIMILAR_SURNAME_SAME_YEAR);
}

static void
test_similar_surname_same_year (void)
{
  g_autoptr(StpResident) r = candidate ("Ивонов", "Олег", NULL, "1990-12-01");
  g_autoptr(GPtrArray) found = find (r);

  g_assert_cmpuint (only_reasons (found), ==, STP_DUPLICATE_SIMILAR_SURNAME_SAME_YEAR);
}

static void
test_same_snils (void)
{
  g_autoptr(StpResident) r = candidate ("Сидоров", "Семён", NULL, "1971-01-01");
  g_autoptr(GPtrArray) found = NULL;

  r->snils = g_strdup (SNILS);
  found = find (r);
  g_assert_cmpuint (only_reasons (found), ==, STP_DUPLICATE_SAME_SNILS);
}

static void
test_same_document (void)
{
  g_autoptr(StpResident) r = candidate ("Сидоров", "Семён", NULL, NULL);
  g_autoptr(GPtrArray) found = NULL;

  r->document = g_strdup (DOCUMENT);
  found = find (r);
  g_assert_cmpuint (only_reasons (found), ==, STP_DUPLICATE_SAME_DOCUMENT);
}

static void
test_not_duplicate (void)
{
  /* Same name, another year; a different-sounding surname, same birth. */
  g_autoptr(StpResident) a = candidate ("Иванов", "Пётр", "Сергеевич", "1991-05-10");
  g_autoptr(StpResident) b = candidate ("Сидоров", "Пётр", "Сергеевич", "1990-05-10");
  g_autoptr(GPtrArray) fa = find (a);
  g_autoptr(GPtrArray) fb = find (b);

  g_assert_cmpuint (fa->len, ==, 0);
  g_assert_cmpuint (fb->len, ==, 0);
}

static void
test_self_excluded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) saved = stp_store_get_resident (store, director, ivanov_id, &error);
  g_autoptr(GPtrArray) found = NULL;

  g_assert_no_error (error);
  found = find (saved);
  g_assert_cmpuint (found->len, ==, 0);
}

static void
test_deleted_excluded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) twin = candidate ("Петренко", "Олег", NULL, "1985-02-02");
  g_autoptr(StpResident) probe = candidate ("Петренко", "Олег", NULL, "1985-02-02");
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  g_assert_true (stp_store_save_resident (store, director, twin, &error));
  g_assert_no_error (error);
  before = find (probe);
  g_assert_cmpuint (before->len, ==, 1);
  g_assert_true (stp_store_delete (store, director, STP_KIND_RESIDENT, twin->meta.id, &error));
  g_assert_no_error (error);
  after = find (probe);
  g_assert_cmpuint (after->len, ==, 0);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(StpResident) ivanov = candidate ("Иванов", "Пётр", "Сергеевич", "1990-05-10");
  g_autoptr(StpResident) other = candidate ("Смирнов", "Олег", "Ильич", "1990-05-10");
  g_autofree char *path = NULL;

  tmpdir = g_dir_make_tmp ("stp-dup-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "center.db", NULL);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  center->name = g_strdup ("Тестовый центр");
  director = stp_store_create_center (store, center, "director", "Орлов Сергей Николаевич",
                                      "correct horse battery", &error);
  g_assert_no_error (error);

  ivanov->sex = STP_SEX_MALE;
  ivanov->snils = g_strdup (SNILS);
  ivanov->document = g_strdup (DOCUMENT);
  g_assert_true (stp_store_save_resident (store, director, ivanov, &error));
  g_assert_no_error (error);
  ivanov_id = g_strdup (ivanov->meta.id);
  g_assert_true (stp_store_save_resident (store, director, other, &error));
  g_assert_no_error (error);
}

static void
teardown (void)
{
  GDir *dir;
  const char *name;

  g_clear_object (&director);
  g_clear_object (&store);
  dir = g_dir_open (tmpdir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *p = g_build_filename (tmpdir, name, NULL);

      (void) g_remove (p);
    }
  if (dir != NULL)
    g_dir_close (dir);
  (void) g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (ivanov_id);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  setup ();
  g_test_add_func ("/duplicates/same-name-and-birth", test_same_name_and_birth);
  g_test_add_func ("/duplicates/similar-surname-same-year", test_similar_surname_same_year);
  g_test_add_func ("/duplicates/same-snils", test_same_snils);
  g_test_add_func ("/duplicates/same-document", test_same_document);
  g_test_add_func ("/duplicates/not-duplicate", test_not_duplicate);
  g_test_add_func ("/duplicates/self-excluded", test_self_excluded);
  g_test_add_func ("/duplicates/deleted-excluded", test_deleted_excluded);
  result = g_test_run ();
  teardown ();
  return result;
}
