/* test-search.c: normalization, phonetic keys, the name search with its
 * filters, the search tables under field-by-field (sync) writes, census,
 * follow-ups due and referrals. */
#include "config.h"

#include <glib/gstdio.h>

#include "stp-demo.h"
#include "stp-error.h"
#include "stp-query.h"
#include "stp-worklist.h"
#include "stp-store-private.h"
#include "stp-sync-store.h"
#include "stp-change.h"
#include "stp-hlc.h"

static StpStore *store;
static StpSession *director;
static char *tmpdir;
static char *program_id;
static char *stage0_id;
static char *stage1_id;

static char *
add_resident (const char *surname,
              const char *name,
              const char *patronymic,
              const char *birth_date,
              StpSex      sex,
              const char *phone)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpResident) r = stp_resident_new ();

  r->surname = g_strdup (surname);
  r->name = g_strdup (name);
  r->patronymic = g_strdup (patronymic);
  r->birth_date = g_strdup (birth_date);
  r->sex = sex;
  r->phone = g_strdup (phone);
  g_assert_true (stp_store_save_resident (store, director, r, &error));
  g_assert_no_error (error);
  g_assert_nonnull (r->meta.id);
  return g_strdup (r->meta.id);
}

static char *
admit (const char *resident_id,
       const char *date)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpEpisode) e = stp_episode_new ();

  e->resident_id = g_strdup (resident_id);
  e->program_id = g_strdup (program_id);
  e->admitted_on = g_strdup (date);
  e->referral_source = STP_REFERRAL_SOURCE_SELF;
  e->main_substance = STP_SUBSTANCE_ALCOHOL;
  e->responsible_user_id = g_strdup (stp_session_get_user_id (director));
  g_assert_true (stp_store_admit (store, director, e, &error));
  g_assert_no_error (error);
  return g_strdup (e->meta.id);
}

static GPtrArray *
search (const char *text,
        int         limit)
{
  g_autoptr(GError) error = NULL;
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  GPtrArray *found;

  query.text = text;
  query.limit = limit;
  found = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  g_assert_nonnull (found);
  return found;
}

/* "Surname Name" of every result, joined with "; ". */
static char *
names_of (GPtrArray *found)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < found->len; i++)
    {
      StpResidentSummary *r = g_ptr_array_index (found, i);

      g_string_append_printf (s, "%s%s %s", i > 0 ? "; " : "", r->surname, r->name);
    }
  return g_string_free (s, FALSE);
}

static char *
search_names (const char *text)
{
  g_autoptr(GPtrArray) found = search (text, 200);

  return names_of (found);
}

static void
test_normalize (void)
{
  g_autofree char *a = stp_normalize_text ("Пётр");
  g_autofree char *b = stp_normalize_text ("ПЁТР");
  g_autofree char *c = stp_normalize_text ("петр");
  g_autofree char *d = stp_normalize_text ("  Иванов-Петров,   Пётр!  ");
  g_autofree char *e = stp_normalize_text (NULL);
  g_autofree char *f = stp_normalize_text ("2026-AB-0001");

  g_assert_cmpstr (a, ==, "петр");
  g_assert_cmpstr (b, ==, "петр");
  g_assert_cmpstr (c, ==, "петр");
  g_assert_cmpstr (d, ==, "иванов петров петр");
  g_assert_cmpstr (e, ==, "");
  g_assert_cmpstr (f, ==, "2026 ab 0001");
}

static void
assert_same_key (const char *a,
                 const char *b)
{
  g_autofree char *ka = stp_phonetic_key (a);
  g_autofree char *kb = stp_phonetic_key (b);

  g_assert_cmpstr (ka, !=, "");
  g_assert_cmpstr (ka, ==, kb);
}

static void
assert_different_key (const char *a,
                      const char *b)
{
  g_autofree char *ka = stp_phonetic_key (a);
  g_autofree char *kb = stp_phonetic_key (b);

  g_assert_cmpstr (ka, !=, kb);
}

static void
test_phonetic (void)
{
  assert_same_key ("Иванов", "Ивонов");
  assert_same_key ("Иванов", "Иванoв");   /* a Latin «o» */
  assert_same_key ("Иванов", "ИВАНОВ");
  assert_same_key ("Иванов", "Иванова");
  assert_same_key ("Петров", "Пётров");
  assert_same_key ("Шевченко", "Шевчэнко");
  assert_same_key ("Ковалёв", "Ковалев");
  assert_same_key ("Вишневский", "Вишневская");
  assert_same_key ("Кузьмин", "Кузмин");
  assert_same_key ("Соколов", "Саколов");
  assert_same_key ("Гриппов", "Грипов");
  assert_different_key ("Сидоров", "Иванов");
  assert_different_key ("Петров", "Павлов");
  assert_different_key ("Смирнов", "Семёнов");
}

static void
test_search_text (void)
{
  g_autofree char *s = NULL;

  /* Made in setup: see main(). */
  s = search_names ("иван");
  g_assert_cmpstr (s, ==, "Иванов Пётр; Иванова Анна; Петров Иван");
  g_clear_pointer (&s, g_free);

  /* Every word must match, each a prefix of some part of the name. */
  s = search_names ("иван пет");
  g_assert_cmpstr (s, ==, "Иванов Пётр; Петров Иван");
  g_clear_pointer (&s, g_free);
  s = search_names ("ИВАН ПЁТ");
  g_assert_cmpstr (s, ==, "Иванов Пётр; Петров Иван");
  g_clear_pointer (&s, g_free);
  s = search_names ("иванов петр серг");
  g_assert_cmpstr (s, ==, "Иванов Пётр");
  g_clear_pointer (&s, g_free);
  s = search_names ("иванов петр олег");
  g_assert_cmpstr (s, ==, "");
  g_clear_pointer (&s, g_free);

  /* «Ё» typed as «Е» and the other way round. */
  s = search_names ("елк");
  g_assert_cmpstr (s, ==, "Ёлкин Артём");
  g_clear_pointer (&s, g_free);
  s = search_names ("ёлкин артем");
  g_assert_cmpstr (s, ==, "Ёлкин Артём");
  g_clear_pointer (&s, g_free);

  /* A prefix only, not the middle of a word. */
  s = search_names ("ванов");
  g_assert_cmpstr (s, ==, "");
  g_clear_pointer (&s, g_free);

  /* Phone digits: whole, and without the country code. */
  s = search_names ("79161");
  g_assert_cmpstr (s, ==, "Сидоров Семён");
  g_clear_pointer (&s, g_free);
  s = search_names ("916123");
  g_assert_cmpstr (s, ==, "Сидоров Семён");
  g_clear_pointer (&s, g_free);
  s = search_names ("сидоров 916");
  g_assert_cmpstr (s, ==, "Сидоров Семён");
  g_clear_pointer (&s, g_free);
}

static void
test_search_file_number (void)
{
  g_autoptr(GPtrArray) found = search ("ёлкин", 0);
  StpResidentSummary *elkin;
  g_autofree char *compact = NULL;
  g_autoptr(GPtrArray) by_number = NULL;
  g_autoptr(GPtrArray) by_compact = NULL;

  g_assert_cmpuint (found->len, ==, 1);
  elkin = g_ptr_array_index (found, 0);
  g_assert_nonnull (elkin->file_number);

  by_number = search (elkin->file_number, 200);
  g_assert_cmpuint (by_number->len, ==, 1);
  g_assert_cmpstr (((StpResidentSummary *) g_ptr_array_index (by_number, 0))->id, ==, elkin->id);

  /* Without separators ("2026AB0003"), as people type it. */
  {
    GString *c = g_string_new (NULL);

    for (const char *p = elkin->file_number; *p != '\0'; p++)
      if (g_ascii_isalnum (*p))
        g_string_append_c (c, *p);
    compact = g_string_free (c, FALSE);
  }
  by_compact = search (compact, 200);
  g_assert_cmpuint (by_compact->len, ==, 1);
  g_assert_cmpstr (((StpResidentSummary *) g_ptr_array_index (by_compact, 0))->id, ==, elkin->id);
}

static void
test_search_filters (void)
{
  g_autoptr(GError) error = NULL;
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  g_autoptr(GPtrArray) in_center = NULL;
  g_autoptr(GPtrArray) completed = NULL;
  g_autoptr(GPtrArray) at_stage1 = NULL;
  g_autoptr(GPtrArray) mine = NULL;
  g_autoptr(GPtrArray) nobody = NULL;
  g_autofree char *s = NULL;
  StpResidentSummary *first;

  /* Иванов Пётр: in the program at stage 2; Петров Иван: completed;
   * Иванова Анна: in the program at stage 1. */
  query.in_center_only = TRUE;
  in_center = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  s = names_of (in_center);
  g_assert_cmpstr (s, ==, "Иванов Пётр; Иванова Анна");
  g_clear_pointer (&s, g_free);

  first = g_ptr_array_index (in_center, 0);
  g_assert_cmpint (first->status, ==, STP_EPISODE_IN_PROGRAM);
  g_assert_cmpstr (first->stage_id, ==, stage1_id);
  g_assert_cmpint (first->stage_position, ==, 1);
  g_assert_nonnull (first->stage_name);
  g_assert_cmpstr (first->responsible_user_id, ==, stp_session_get_user_id (director));
  g_assert_cmpstr (first->responsible_name, ==, stp_session_get_full_name (director));
  g_assert_cmpstr (first->admitted_on, ==, "2026-01-10");
  g_assert_cmpstr (first->stage_started_on, ==, "2026-02-01");

  query.in_center_only = FALSE;
  query.status = STP_EPISODE_COMPLETED;
  completed = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  s = names_of (completed);
  g_assert_cmpstr (s, ==, "Петров Иван");
  g_clear_pointer (&s, g_free);
  g_assert_null (((StpResidentSummary *) g_ptr_array_index (completed, 0))->stage_id);

  query.status = -1;
  query.stage_id = stage1_id;
  at_stage1 = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  s = names_of (at_stage1);
  g_assert_cmpstr (s, ==, "Иванов Пётр");
  g_clear_pointer (&s, g_free);

  query.stage_id = NULL;
  query.text = "иван";
  query.responsible_user_id = stp_session_get_user_id (director);
  mine = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  s = names_of (mine);
  g_assert_cmpstr (s, ==, "Иванов Пётр; Иванова Анна; Петров Иван");
  g_clear_pointer (&s, g_free);

  query.responsible_user_id = "no-such-user";
  nobody = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (nobody->len, ==, 0);
}

static void
test_search_limit_and_all (void)
{
  g_autoptr(GPtrArray) all = search (NULL, 0);
  g_autoptr(GPtrArray) two = search (NULL, 2);
  g_autofree char *s = names_of (all);

  g_assert_cmpstr (s, ==, "Ёлкин Артём; Иванов Пётр; Иванова Анна; Петров Иван; Сидоров Семён");
  g_assert_cmpuint (two->len, ==, 2);
}

/* Synced rows arrive field by field, in any order. */
static void
test_search_sync_writes (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *s = NULL;
  const char *rid = "01900000-0000-7000-8000-00000000abcd";
  const char *eid = "01900000-0000-7000-8000-00000000abce";

  g_assert_true (stp_store_begin (store, &error));
  /* The episode first, then the resident. */
  g_assert_true (stp_store_write_field (store, "episodes", eid, "resident_id", rid, &error));
  g_assert_true (stp_store_write_field (store, "episodes", eid, "admitted_on", "2026-03-01", &error));
  g_assert_true (stp_store_write_field (store, "episodes", eid, "status", "in_program", &error));
  g_assert_true (stp_store_write_field (store, "residents", rid, "surname", "Зорин", &error));
  g_assert_true (stp_store_write_field (store, "residents", rid, "name", "Глеб", &error));
  g_assert_true (stp_store_commit (store, &error));
  g_assert_no_error (error);

  s = search_names ("зор гл");
  g_assert_cmpstr (s, ==, "Зорин Глеб");
  g_clear_pointer (&s, g_free);
  {
    g_autoptr(GPtrArray) found = search ("зорин", 0);

    g_assert_cmpstr (((StpResidentSummary *) g_ptr_array_index (found, 0))->episode_id, ==, eid);
    g_assert_cmpint (((StpResidentSummary *) g_ptr_array_index (found, 0))->status, ==,
                     STP_EPISODE_IN_PROGRAM);
  }

  /* A changed surname replaces the old words. */
  g_assert_true (stp_store_begin (store, &error));
  g_assert_true (stp_store_write_field (store, "residents", rid, "surname", "Зёрнов", &error));
  g_assert_true (stp_store_commit (store, &error));
  s = search_names ("зорин");
  g_assert_cmpstr (s, ==, "");
  g_clear_pointer (&s, g_free);
  s = search_names ("зерн");
  g_assert_cmpstr (s, ==, "Зёрнов Глеб");
  g_clear_pointer (&s, g_free);

  /* A tombstone hides the resident. */
  g_assert_true (stp_store_delete (store, director, STP_KIND_RESIDENT, rid, &error));
  g_assert_no_error (error);
  s = search_names ("зерн");
  g_assert_cmpstr (s, ==, "");
  g_clear_pointer (&s, g_free);
  g_assert_true (stp_store_undelete (store, director, STP_KIND_RESIDENT, rid, &error));
  s = search_names ("зерн");
  g_assert_cmpstr (s, ==, "Зёрнов Глеб");
  g_clear_pointer (&s, g_free);
  g_assert_true (stp_store_delete (store, director, STP_KIND_RESIDENT, rid, &error));
}

static void
test_census (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) census = stp_store_census (store, director, &error);
  g_autofree char *s = NULL;

  g_assert_no_error (error);
  s = names_of (census);
  /* Ordered by stage position: Анна at the first stage, Пётр at the second. */
  g_assert_cmpstr (s, ==, "Иванова Анна; Иванов Пётр");
  g_assert_cmpint (((StpResidentSummary *) g_ptr_array_index (census, 0))->stage_position, ==, 0);
  g_assert_cmpstr (((StpResidentSummary *) g_ptr_array_index (census, 0))->stage_id, ==, stage0_id);
}

static void
test_follow_ups_due (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) none = NULL;
  StpFollowUpDue *first;

  /* Петров Иван was discharged on 2026-02-15: follow-ups at 1, 3, 6, 12
   * and 24 months; on 2026-05-20 the 1- and 3-month ones are overdue, up to
   * 2026-09-01 also the 6-month one. */
  due = stp_store_list_follow_ups_due (store, director, "2026-05-20", "2026-09-01", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 3);
  first = g_ptr_array_index (due, 0);
  g_assert_true (first->overdue);
  g_assert_cmpint (first->follow_up->months, ==, 1);
  g_assert_cmpstr (first->resident_name, ==, "Петров Иван Ильич");
  g_assert_nonnull (first->file_number);
  g_assert_true (((StpFollowUpDue *) g_ptr_array_index (due, 1))->overdue);
  g_assert_cmpint (((StpFollowUpDue *) g_ptr_array_index (due, 1))->follow_up->months, ==, 3);
  g_assert_false (((StpFollowUpDue *) g_ptr_array_index (due, 2))->overdue);
  g_assert_cmpint (((StpFollowUpDue *) g_ptr_array_index (due, 2))->follow_up->months, ==, 6);

  /* Done ones leave the list. */
  {
    g_autoptr(StpFollowUp) f = stp_follow_up_copy (first->follow_up);
    g_autoptr(GPtrArray) after = NULL;

    f->done_on = g_strdup ("2026-05-20");
    f->outcome = STP_FOLLOW_UP_DONE;
    f->remission = STP_REMISSION_YES;
    g_assert_true (stp_store_save_follow_up (store, director, f, &error));
    g_assert_no_error (error);
    after = stp_store_list_follow_ups_due (store, director, "2026-05-20", "2026-09-01", &error);
    g_assert_cmpuint (after->len, ==, 2);
    g_assert_cmpint (((StpFollowUpDue *) g_ptr_array_index (after, 0))->follow_up->months, ==, 3);
  }

  none = stp_store_list_follow_ups_due (store, director, "2026-02-16", "2026-03-01", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (none->len, ==, 0);
}

static char *
add_referral (const char *resident_id,
              const char *sent_on,
              const char *due_on,
              const char *response_on)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpReferral) r = stp_referral_new ();

  r->resident_id = g_strdup (resident_id);
  r->direction = STP_DIRECTION_OUTGOING;
  r->agency_kind = STP_AGENCY_SOCIAL;
  r->agency_name = g_strdup ("УСЗН");
  r->sent_on = g_strdup (sent_on);
  r->due_on = g_strdup (due_on);
  r->response_on = g_strdup (response_on);
  g_assert_true (stp_store_save_referral (store, director, r, &error));
  g_assert_no_error (error);
  return g_strdup (r->meta.id);
}

static void
test_referrals (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = search ("сидоров", 0);
  const char *rid = ((StpResidentSummary *) g_ptr_array_index (found, 0))->id;
  g_autofree char *answered = add_referral (rid, "2026-03-01", "2026-03-31", "2026-03-20");
  g_autofree char *overdue_old = add_referral (rid, "2026-01-10", "2026-02-10", NULL);
  g_autofree char *overdue_new = add_referral (rid, "2026-02-01", "2026-03-01", NULL);
  g_autofree char *waiting = add_referral (rid, "2026-04-01", "2026-05-01", NULL);
  StpWorkFilter filter = STP_WORK_FILTER_INIT;
  StpOverdueCounts counts;
  g_autoptr(GPtrArray) groups = NULL;
  StpWorkGroup *group = NULL;

  /* The working list «Направления» (stp-worklist.c), any period. */
  filter.today = "2026-04-10";
  groups = stp_store_list_referral_groups (store, director, &filter, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < groups->len; i++)
    if (g_str_equal (((StpWorkGroup *) g_ptr_array_index (groups, i))->resident_id, rid))
      group = g_ptr_array_index (groups, i);
  g_assert_nonnull (group);
  g_assert_cmpstr (group->resident_name, ==, "Сидоров Семён Маркович");
  g_assert_cmpuint (group->items->len, ==, 4);
  g_assert_cmpuint (group->n_overdue, ==, 2);
  /* Overdue first (the longest overdue first), then awaiting, then the rest. */
  g_assert_cmpstr (((StpReferralItem *) g_ptr_array_index (group->items, 0))->referral->meta.id, ==, overdue_old);
  g_assert_cmpstr (((StpReferralItem *) g_ptr_array_index (group->items, 1))->referral->meta.id, ==, overdue_new);
  g_assert_cmpstr (((StpReferralItem *) g_ptr_array_index (group->items, 2))->referral->meta.id, ==, waiting);
  g_assert_cmpstr (((StpReferralItem *) g_ptr_array_index (group->items, 3))->referral->meta.id, ==, answered);
  g_assert_true (((StpReferralItem *) g_ptr_array_index (group->items, 0))->overdue);
  g_assert_true (((StpReferralItem *) g_ptr_array_index (group->items, 1))->overdue);
  g_assert_false (((StpReferralItem *) g_ptr_array_index (group->items, 2))->overdue);
  g_assert_false (((StpReferralItem *) g_ptr_array_index (group->items, 3))->overdue);
  g_assert_cmpstr (((StpReferralItem *) g_ptr_array_index (group->items, 0))->resident_name, ==,
                   "Сидоров Семён Маркович");

  /* A period: what was sent in it, and the overdue ones whatever the
   * period; the answered one of March is left out. */
  g_clear_pointer (&groups, g_ptr_array_unref);
  filter.from = "2026-04-01";
  filter.until = "2026-04-30";
  groups = stp_store_list_referral_groups (store, director, &filter, &error);
  g_assert_no_error (error);
  group = NULL;
  for (guint i = 0; i < groups->len; i++)
    if (g_str_equal (((StpWorkGroup *) g_ptr_array_index (groups, i))->resident_id, rid))
      group = g_ptr_array_index (groups, i);
  g_assert_nonnull (group);
  g_assert_cmpuint (group->items->len, ==, 3);
  g_assert_cmpstr (((StpReferralItem *) g_ptr_array_index (group->items, 2))->referral->meta.id, ==, waiting);

  /* The sidebar's count agrees with the list's overdue items. */
  g_assert_true (stp_store_count_overdue_work (store, director, "2026-04-10", &counts, &error));
  g_assert_no_error (error);
  {
    StpWorkCounts listed;

    stp_work_groups_count (groups, &listed);
    g_assert_cmpuint (counts.referrals, ==, listed.n_overdue);
    g_assert_cmpuint (counts.referrals, >=, 2);
  }
}

static void
test_permissions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpSession) volunteer = stp_session_new ("v", "v", "Волонтёр", STP_ROLE_VOLUNTEER);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) due = NULL;

  /* Volunteers see the name list but not follow-ups. */
  if (stp_session_can (volunteer, STP_PERMISSION_LIST))
    {
      StpResidentQuery query = STP_RESIDENT_QUERY_INIT;

      list = stp_store_search_residents (store, volunteer, &query, &error);
      g_assert_no_error (error);
      g_assert_nonnull (list);
    }
  g_assert_false (stp_session_can (volunteer, STP_PERMISSION_READ_CARD));
  due = stp_store_list_follow_ups_due (store, volunteer, "2026-01-01", "2027-01-01", &error);
  g_assert_null (due);
  g_assert_error (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION);
}

static const char *large_queries[] = {
  "а", "с", "и а", "ал", "кузн", "ив сер", "м", "2", "20", "2 а", "ал ал", "петр", "семё",
  "иван петрович", "а б в", "ю", "ольг", "ник ник", "кузнецова", "ъ", "м 20",
};

/* The first page of a search (the prefix index, or matches sorted, or a walk
 * in name order) is the start of the whole, sorted list of matches. */
static void
assert_pages_match (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (large_queries); i++)
    {
      g_autoptr(GPtrArray) page = search (large_queries[i], 50);
      g_autoptr(GPtrArray) all = search (large_queries[i], 0);

      g_assert_cmpuint (page->len, ==, MIN (50u, all->len));
      for (guint j = 0; j < page->len; j++)
        g_assert_cmpstr (((StpResidentSummary *) g_ptr_array_index (page, j))->id, ==,
                         ((StpResidentSummary *) g_ptr_array_index (all, j))->id);
    }
}

static gboolean
found_in (GPtrArray  *found,
          const char *id)
{
  for (guint i = 0; i < found->len; i++)
    if (g_str_equal (((StpResidentSummary *) g_ptr_array_index (found, i))->id, id))
      return TRUE;
  return FALSE;
}

static void
test_search_large (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autofree char *id = NULL;

  g_assert_true (stp_demo_generate (store, 4000, 42, &error));
  g_assert_no_error (error);
  assert_pages_match ();

  /* The prefix index follows a tombstone, its removal and a new name. */
  first = search ("ал", 1);
  g_assert_cmpuint (first->len, ==, 1);
  id = g_strdup (((StpResidentSummary *) g_ptr_array_index (first, 0))->id);
  g_assert_true (stp_store_delete (store, director, STP_KIND_RESIDENT, id, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) page = search ("ал", 50);

    g_assert_false (found_in (page, id));
  }
  assert_pages_match ();
  g_assert_true (stp_store_undelete (store, director, STP_KIND_RESIDENT, id, &error));
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) page = search ("ал", 1);

    g_assert_true (found_in (page, id));
  }
  {
    g_autoptr(StpResident) r = stp_store_load_record (store, STP_KIND_RESIDENT, id, &error);

    g_assert_no_error (error);
    g_free (r->surname);
    r->surname = g_strdup ("Ъющенко");
    g_assert_true (stp_store_save_resident (store, director, r, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GPtrArray) page = search ("ъю", 50);

    g_assert_cmpuint (page->len, ==, 1);
    g_assert_true (found_in (page, id));
  }
  {
    g_autoptr(StpResident) r = stp_store_load_record (store, STP_KIND_RESIDENT, id, &error);

    /* Every word of a long name is indexed, the seventh too. */
    g_assert_no_error (error);
    g_free (r->patronymic);
    r->patronymic = g_strdup ("Оглы Бей Хан Заде Щуфь");
    g_assert_true (stp_store_save_resident (store, director, r, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(GPtrArray) page = search ("щуф", 50);

    g_assert_cmpuint (page->len, ==, 1);
    g_assert_true (found_in (page, id));
  }
  assert_pages_match ();
  {
    g_autoptr(GPtrArray) everyone = search (NULL, 0);

    g_assert_cmpuint (everyone->len, >=, 4000);
  }
}

/* A query of a connection given a cancelled cancellable stops with an
 * error (the residents page's worker cancels a search a newer key
 * replaced); without it the same query runs again. */
static void
test_search_cancelled (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GError) error = NULL;
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;

  stp_store_set_cancellable (store, cancellable);
  found = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, >=, 4000);

  g_cancellable_cancel (cancellable);
  g_clear_pointer (&found, g_ptr_array_unref);
  found = stp_store_search_residents (store, director, &query, &error);
  g_assert_null (found);
  g_assert_nonnull (error);
  g_clear_error (&error);

  stp_store_set_cancellable (store, NULL);
  again = stp_store_search_residents (store, director, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (again->len, >=, 4000);
}

static void
setup (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(StpCenter) center = stp_center_new ();
  g_autoptr(GPtrArray) programs = NULL;
  g_autoptr(GPtrArray) stages = NULL;
  g_autofree char *path = NULL;
  g_autofree char *ivanov = NULL;
  g_autofree char *ivanova = NULL;
  g_autofree char *petrov = NULL;
  g_autofree char *e1 = NULL;
  g_autofree char *e2 = NULL;
  g_autofree char *e3 = NULL;
  g_autofree char *elkin = NULL;
  g_autofree char *sidorov = NULL;

  tmpdir = g_dir_make_tmp ("stp-search-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (tmpdir, "center.db", NULL);
  store = stp_store_open (path, &error);
  g_assert_no_error (error);
  center->name = g_strdup ("Тестовый центр");
  director = stp_store_create_center (store, center, "director", "Орлов Сергей Николаевич",
                                      "correct horse battery", &error);
  g_assert_no_error (error);
  g_assert_nonnull (director);

  programs = stp_store_list (store, director, STP_KIND_PROGRAM, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (programs->len, >, 0);
  program_id = g_strdup (((StpProgram *) g_ptr_array_index (programs, 0))->meta.id);
  stages = stp_store_list_stages (store, director, program_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stages->len, >=, 2);
  stage0_id = g_strdup (((StpStage *) g_ptr_array_index (stages, 0))->meta.id);
  stage1_id = g_strdup (((StpStage *) g_ptr_array_index (stages, 1))->meta.id);

  ivanov = add_resident ("Иванов", "Пётр", "Сергеевич", "1990-05-10", STP_SEX_MALE, NULL);
  ivanova = add_resident ("Иванова", "Анна", "Павловна", "1992-01-02", STP_SEX_FEMALE, NULL);
  petrov = add_resident ("Петров", "Иван", "Ильич", "1980-03-03", STP_SEX_MALE, NULL);
  elkin = add_resident ("Ёлкин", "Артём", NULL, "2000-07-07", STP_SEX_MALE, NULL);
  sidorov = add_resident ("Сидоров", "Семён", "Маркович", "1975-11-11", STP_SEX_MALE,
                          "+79161234567");

  e1 = admit (ivanov, "2026-01-10");
  g_assert_true (stp_store_next_stage (store, director, e1, "2026-02-01", NULL, &error));
  g_assert_no_error (error);
  e2 = admit (ivanova, "2026-02-10");
  e3 = admit (petrov, "2025-06-01");
  g_assert_true (stp_store_discharge (store, director, e3, STP_EPISODE_COMPLETED, "2026-02-15",
                                      "Программа пройдена", &error));
  g_assert_no_error (error);
}

static void
teardown (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "center.db", NULL);
  const char *suffixes[] = { "", "-wal", "-shm", ".lock" };

  g_clear_object (&director);
  g_clear_object (&store);
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *p = g_strconcat (path, suffixes[i], NULL);

      (void) g_remove (p);
    }
  {
    GDir *dir = g_dir_open (tmpdir, 0, NULL);
    const char *name;

    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *p = g_build_filename (tmpdir, name, NULL);

        (void) g_remove (p);
      }
    if (dir != NULL)
      g_dir_close (dir);
  }
  (void) g_rmdir (tmpdir);
  g_free (tmpdir);
  g_free (program_id);
  g_free (stage0_id);
  g_free (stage1_id);
}

/* Schema 5 writes a new summary whole, with stp_full_key() and
 * stp_search_words(); the earlier schemas computed the same columns with
 * inline SQL, kept here as the reference. */
#define OLD_FULL_KEY \
  "trim (stp_norm (coalesce (?1, '') || ' ' || coalesce (?2, '') || ' ' || coalesce (?3, '')))"
#define OLD_WORDS \
  "' ' || trim (stp_norm (coalesce (?1, '') || ' ' || coalesce (?2, '') || ' '" \
  "                       || coalesce (?3, '') || ' ' || coalesce (?4, '')))" \
  " || ' ' || replace (stp_norm (coalesce (?4, '')), ' ', '')" \
  " || ' ' || replace (stp_norm (coalesce (?5, '')), ' ', '')" \
  " || CASE WHEN length (replace (stp_norm (coalesce (?5, '')), ' ', '')) = 11" \
  "          AND substr (replace (stp_norm (coalesce (?5, '')), ' ', ''), 1, 1) IN ('7', '8')" \
  "     THEN ' ' || substr (replace (stp_norm (coalesce (?5, '')), ' ', ''), 2) ELSE '' END"

static void
test_summary_functions (void)
{
  static const char *cases[][5] = {
    { "Иванов", "Иван", "Иванович", "01-26-0001", "+7 (912) 345-67-89" },
    { NULL, NULL, NULL, NULL, NULL },
    { "", "", "", "", "" },
    { "  Сёмин ", "ЁЖИК-младший", NULL, "12 34/5", "8 912 345 67 89" },
    { "O'Brien", "Ann  Marie", "", "A-1", "912 345 67 89" },
    { "Кузнецов", NULL, "Петрович", NULL, "79123456789" },
    { "Ли", "Ван", "", "", "712345678901" },
    { "Ng\xcc\x81uyen", "e\xcc\x81", "", "", "9" },
    { "Тест\"\\", "x\ty", "a\nb", "№ 5", "7-ab-cd" },
    { "\xff\xfe", "Иван", NULL, "\xc3", "7\xff" },
  };
  sqlite3 *db = stp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT " OLD_FULL_KEY ", stp_full_key (?1, ?2, ?3), "
                                       OLD_WORDS ", stp_search_words (?1, ?2, ?3, ?4, ?5)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      for (int c = 0; c < 5; c++)
        if (cases[i][c] != NULL)
          sqlite3_bind_text (stmt, c + 1, cases[i][c], -1, SQLITE_STATIC);
        else
          sqlite3_bind_null (stmt, c + 1);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==,
                       (const char *) sqlite3_column_text (stmt, 0));
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 3), ==,
                       (const char *) sqlite3_column_text (stmt, 2));
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
    }
  sqlite3_finalize (stmt);
}

/* The summary, FTS row and prefixes of a resident, as one text. */
static char *
search_rows_of (const char *resident_id)
{
  sqlite3 *db = stp_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT s.deleted, s.surname, s.name, s.patronymic, s.phone,"
                                       " s.file_number, s.full_key, s.phonetic, s.words, f.words,"
                                       " (SELECT group_concat (prefix, ',') FROM"
                                       "   (SELECT prefix FROM resident_prefixes p"
                                       "    WHERE p.rid = s.rid ORDER BY prefix))"
                                       " FROM resident_summaries s"
                                       " LEFT JOIN resident_fts f ON f.rowid = s.rid"
                                       " WHERE s.resident_id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, resident_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  for (int c = 0; c < sqlite3_column_count (stmt); c++)
    g_string_append_printf (out, "%s|", sqlite3_column_type (stmt, c) == SQLITE_NULL
                                        ? "∅" : (const char *) sqlite3_column_text (stmt, c));
  sqlite3_finalize (stmt);
  return g_string_free (out, FALSE);
}

/* A resident that arrives whole (a first sync inserts the row with all its
 * fields) gets the same summary, FTS row and prefixes as one written field
 * by field (a local save, or changes arriving one by one). */
static void
test_summary_insert_path (void)
{
  static const char *fields[][2] = {
    { "surname", "Сёмина-Старк" }, { "name", "Анна" }, { "patronymic", "Петровна" },
    { "phone", "8 (912) 000-11-22" }, { "file_number", "01-26-0777" }, { "birth_date", "1990-02-03" },
  };
  const char *whole = "01900000-0000-7000-8000-0000000a0001";
  const char *piecewise = "01900000-0000-7000-8000-0000000a0002";
  g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_change_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *a = NULL, *b = NULL;
  guint64 hlc = STP_HLC_MAKE (1760000000000, 0);

  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    {
      StpChange *c = stp_change_new ();

      c->table = g_strdup ("residents");
      c->row_id = g_strdup (whole);
      c->field = g_strdup (fields[f][0]);
      c->value = g_strdup (fields[f][1]);
      c->hlc = hlc++;
      c->device = g_strdup ("01900000-0000-7000-8000-0000000dev01");
      g_ptr_array_add (page, c);
    }
  g_assert_true (stp_sync_store_apply_page (store, page, NULL, 0, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (stp_store_begin (store, &error));
  for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
    g_assert_true (stp_store_write_field (store, "residents", piecewise, fields[f][0],
                                          fields[f][1], &error));
  g_assert_true (stp_store_commit (store, &error));
  g_assert_no_error (error);

  a = search_rows_of (whole);
  b = search_rows_of (piecewise);
  g_assert_cmpstr (a, ==, b);
  g_assert_nonnull (strstr (a, "|семина старк анна петровна|"));
  g_assert_nonnull (strstr (a, ",сем,"));
  g_assert_nonnull (strstr (a, " 9120001122"));

  g_assert_true (stp_store_delete (store, director, STP_KIND_RESIDENT, whole, &error));
  g_assert_true (stp_store_delete (store, director, STP_KIND_RESIDENT, piecewise, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  int result;

  g_test_init (&argc, &argv, NULL);
  setup ();

  g_test_add_func ("/search/normalize", test_normalize);
  g_test_add_func ("/search/phonetic", test_phonetic);
  g_test_add_func ("/search/text", test_search_text);
  g_test_add_func ("/search/file-number", test_search_file_number);
  g_test_add_func ("/search/filters", test_search_filters);
  g_test_add_func ("/search/limit-and-all", test_search_limit_and_all);
  g_test_add_func ("/search/census", test_census);
  g_test_add_func ("/search/follow-ups-due", test_follow_ups_due);
  g_test_add_func ("/search/referrals", test_referrals);
  g_test_add_func ("/search/permissions", test_permissions);
  g_test_add_func ("/search/sync-writes", test_search_sync_writes);
  g_test_add_func ("/search/large", test_search_large);
  g_test_add_func ("/search/cancelled", test_search_cancelled);
  g_test_add_func ("/search/summary-functions", test_summary_functions);
  g_test_add_func ("/search/summary-insert-path", test_summary_insert_path);

  result = g_test_run ();
  teardown ();
  return result;
}
