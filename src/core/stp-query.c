/* stp-query.c: lists across residents: search as you type, duplicates at
 * intake, follow-ups due, referrals, census.
 *
 * The name list reads resident_summaries (schema/001-search.sql), a local
 * table kept current by triggers, so listing and searching never join
 * episodes, stages and users at query time. */
#define G_LOG_DOMAIN "stp-query"

#include "config.h"

#include "stp-query.h"
#include "stp-error.h"
#include "stp-store-private.h"
#include "stp-query-private.h"

#include <string.h>

/* Above this many text matches a search walks the summaries in name order
 * and stops at the limit instead of sorting every match. */
#define SEARCH_SORT_THRESHOLD 3000
#define SEARCH_MAX_WORDS 8

#define SUMMARY_COLUMNS \
  "s.resident_id, s.surname, s.name, s.patronymic, s.file_number, s.birth_date, s.sex, " \
  "s.episode_id, s.status, s.admitted_on, s.program_id, s.stage_id, s.stage_name, " \
  "s.stage_position, s.stage_started_on, s.responsible_user_id, s.responsible_name"
#define SUMMARY_N_COLUMNS 17

/* The rows of a page of matches (k: full_key, rid in name order) come from
 * the list's covering index, not from the table: the index holds every
 * summary column, a page of matches that sort together shares its index
 * pages, and these are the pages the name list itself reads, so a search
 * after the list was shown finds them cached.  Through the table each row
 * was one more page read (rowids follow insertion, not names): some 250
 * reads from the disk for a page of 200 on a cold cache. */
#define PAGE_ROWS_JOIN \
  " JOIN resident_summaries s INDEXED BY resident_summaries_list" \
  " ON s.full_key = k.full_key AND s.rid = k.rid ORDER BY s.full_key, s.rid"

void
stp_resident_summary_free (StpResidentSummary *summary)
{
  if (summary == NULL)
    return;
  g_free (summary->id);
  g_free (summary->surname);
  g_free (summary->name);
  g_free (summary->patronymic);
  g_free (summary->file_number);
  g_free (summary->birth_date);
  g_free (summary->episode_id);
  g_free (summary->admitted_on);
  g_free (summary->program_id);
  g_free (summary->stage_id);
  g_free (summary->stage_name);
  g_free (summary->stage_started_on);
  g_free (summary->responsible_user_id);
  g_free (summary->responsible_name);
  g_free (summary);
}

void
stp_duplicate_candidate_free (StpDuplicateCandidate *candidate)
{
  if (candidate == NULL)
    return;
  stp_resident_summary_free (candidate->summary);
  g_free (candidate);
}

void
stp_follow_up_due_free (StpFollowUpDue *due)
{
  if (due == NULL)
    return;
  stp_follow_up_free (due->follow_up);
  g_free (due->resident_name);
  g_free (due->file_number);
  g_free (due);
}

void
stp_referral_item_free (StpReferralItem *item)
{
  if (item == NULL)
    return;
  stp_referral_free (item->referral);
  g_free (item->resident_name);
  g_free (item->file_number);
  g_free (item);
}

static char *
column_dup (sqlite3_stmt *stmt,
            int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

static StpResidentSummary *
summary_from_stmt (sqlite3_stmt *stmt,
                   int           first)
{
  StpResidentSummary *s = g_new0 (StpResidentSummary, 1);
  const char *code;
  int value;

  s->id = column_dup (stmt, first + 0);
  s->surname = column_dup (stmt, first + 1);
  s->name = column_dup (stmt, first + 2);
  s->patronymic = column_dup (stmt, first + 3);
  s->file_number = column_dup (stmt, first + 4);
  s->birth_date = column_dup (stmt, first + 5);
  code = (const char *) sqlite3_column_text (stmt, first + 6);
  value = code != NULL ? stp_enum_from_code (STP_ENUM_SEX, code) : -1;
  s->sex = value >= 0 ? (StpSex) value : STP_SEX_UNKNOWN;
  s->episode_id = column_dup (stmt, first + 7);
  code = (const char *) sqlite3_column_text (stmt, first + 8);
  value = code != NULL ? stp_enum_from_code (STP_ENUM_EPISODE_STATUS, code) : -1;
  s->status = value >= 0 ? (StpEpisodeStatus) value : STP_EPISODE_INTAKE;
  s->admitted_on = column_dup (stmt, first + 9);
  s->program_id = column_dup (stmt, first + 10);
  s->stage_id = column_dup (stmt, first + 11);
  s->stage_name = column_dup (stmt, first + 12);
  s->stage_position = sqlite3_column_type (stmt, first + 13) == SQLITE_NULL
                      ? -1 : sqlite3_column_int (stmt, first + 13);
  s->stage_started_on = column_dup (stmt, first + 14);
  s->responsible_user_id = column_dup (stmt, first + 15);
  s->responsible_name = column_dup (stmt, first + 16);
  return s;
}

static gboolean
bind_named_text (sqlite3_stmt *stmt,
                 const char   *name,
                 const char   *value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index == 0)
    return TRUE;
  return sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT) == SQLITE_OK;
}

static void
bind_named_int (sqlite3_stmt *stmt,
                const char   *name,
                gint64        value)
{
  int index = sqlite3_bind_parameter_index (stmt, name);

  if (index != 0)
    sqlite3_bind_int64 (stmt, index, value);
}

/* Runs @stmt (bound) and appends a summary per row; resets it. */
static gboolean
collect_summaries (StpStore     *self,
                   sqlite3_stmt *stmt,
                   GPtrArray    *out,
                   GError      **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (out, summary_from_stmt (stmt, 0));
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

/* The filter part of a summary query (after "WHERE s.deleted = 0"). */
static void
append_filters (GString                *sql,
                const StpResidentQuery *query)
{
  if (query->status >= 0)
    g_string_append (sql, " AND s.status = :status");
  if (query->in_center_only)
    g_string_append (sql, " AND s.status IN (:intake, :in_program)");
  if (query->stage_id != NULL)
    g_string_append (sql, " AND s.stage_id = :stage");
  if (query->responsible_user_id != NULL)
    g_string_append (sql, " AND s.responsible_user_id = :responsible");
}

static void
bind_filters (sqlite3_stmt           *stmt,
              const StpResidentQuery *query)
{
  if (query->status >= 0)
    bind_named_text (stmt, ":status",
                     stp_enum_to_code (STP_ENUM_EPISODE_STATUS, query->status));
  bind_named_text (stmt, ":intake",
                   stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_INTAKE));
  bind_named_text (stmt, ":in_program",
                   stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_IN_PROGRAM));
  bind_named_text (stmt, ":stage", query->stage_id);
  bind_named_text (stmt, ":responsible", query->responsible_user_id);
  bind_named_int (stmt, ":limit", query->limit > 0 ? query->limit : -1);
}

/* How many index entries match @match, counting no further than @cap. */
static gint64
count_matches (StpStore   *self,
               const char *match,
               int         cap,
               GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 count = -1;

  stmt = stp_store_prepare (self,
                            "SELECT count(*) FROM (SELECT 1 FROM resident_fts"
                            " WHERE resident_fts MATCH ?1 LIMIT ?2)",
                            error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, match, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, cap);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    count = sqlite3_column_int64 (stmt, 0);
  else
    stp_store_set_sqlite_error (self, error);
  sqlite3_reset (stmt);
  return count;
}

static gboolean
has_filters (const StpResidentQuery *query)
{
  return query->status >= 0 || query->in_center_only ||
         query->stage_id != NULL || query->responsible_user_id != NULL;
}

/* Normalized words hold letters and digits: a byte above 0x7f is a letter
 * of another alphabet than Latin, which file numbers and phones never hold,
 * so such a word can only match a word of the name. */
static gboolean
has_non_ascii (const char *word)
{
  for (const char *c = word; *c != '\0'; c++)
    if ((guchar) *c >= 0x80)
      return TRUE;
  return FALSE;
}

static gboolean
all_words_non_ascii (GStrv words)
{
  for (guint i = 0; words[i] != NULL && i < SEARCH_MAX_WORDS; i++)
    if (words[i][0] != '\0' && !has_non_ascii (words[i]))
      return FALSE;
  return TRUE;
}

/* Words of a name, typed: the page comes straight from the index of
 * name-word prefixes (schema/003-prefixes.sql), already in name order, for
 * the word with the longest indexed prefix; every word is checked against
 * the full key held in the same index entry.  The same rows, in the same
 * order, as the full-text path gives, without reading a table row until
 * the page is known. */
static gboolean
search_by_prefix (StpStore    *self,
                  GStrv        words,
                  int          limit,
                  GPtrArray   *out,
                  GError     **error)
{
  g_autoptr(GString) sql = g_string_new ("SELECT " SUMMARY_COLUMNS " FROM (SELECT full_key, rid FROM resident_prefixes"
                                         " WHERE prefix = ?1");
  g_autoptr(GPtrArray) patterns = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *prefix = NULL;
  const char *driver = NULL;
  glong driver_length = 0;
  sqlite3_stmt *stmt;

  for (guint i = 0; words[i] != NULL && i < SEARCH_MAX_WORDS; i++)
    {
      glong length = g_utf8_strlen (words[i], -1);

      if (length > 0 && MIN (length, 3) > MIN (driver_length, 3))
        {
          driver = words[i];
          driver_length = length;
        }
    }
  prefix = g_utf8_substring (driver, 0, MIN (driver_length, 3));

  for (guint i = 0; words[i] != NULL && i < SEARCH_MAX_WORDS; i++)
    {
      if (words[i][0] == '\0' || (words[i] == driver && driver_length <= 3))
        continue;
      g_ptr_array_add (patterns, g_strdup_printf ("%% %s%%", words[i]));
      g_string_append_printf (sql, " AND (' ' || full_key) LIKE ?%u", patterns->len + 2);
    }
  g_string_append (sql, " ORDER BY full_key, rid LIMIT ?2) k" PAGE_ROWS_JOIN);

  stmt = stp_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, prefix, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, limit);
  for (guint i = 0; i < patterns->len; i++)
    sqlite3_bind_text (stmt, (int) i + 3, patterns->pdata[i], -1, SQLITE_TRANSIENT);
  return collect_summaries (self, stmt, out, error);
}

/* A search for a file number as written («2026-01-0007») puts that file
 * first, whatever its name sorts as, also when the page of name order
 * would not reach it; the filters still apply.  One look-up in the
 * residents_file_number index per search that holds a digit. */
static gboolean
put_exact_file_first (StpStore               *self,
                      const StpResidentQuery *query,
                      GPtrArray              *out,
                      GError                **error)
{
  g_autofree char *text = NULL;
  g_autofree char *upper = NULL;
  g_autoptr(GString) sql = NULL;
  g_autoptr(GPtrArray) exact = NULL;
  sqlite3_stmt *stmt;

  if (query->text == NULL)
    return TRUE;
  text = g_strstrip (g_strdup (query->text));
  if (*text == '\0' || strpbrk (text, "0123456789") == NULL || strchr (text, ' ') != NULL)
    return TRUE;
  upper = g_utf8_strup (text, -1);

  sql = g_string_new ("SELECT " SUMMARY_COLUMNS " FROM resident_summaries s"
                      " WHERE s.deleted = 0 AND s.resident_id IN (SELECT id FROM residents"
                      " WHERE file_number IN (:exact, :exact_upper) AND deleted = 0)");
  append_filters (sql, query);
  stmt = stp_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  bind_filters (stmt, query);
  bind_named_text (stmt, ":exact", text);
  bind_named_text (stmt, ":exact_upper", upper);
  exact = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_resident_summary_free);
  if (!collect_summaries (self, stmt, exact, error))
    return FALSE;

  for (guint i = exact->len; i > 0; i--)
    {
      StpResidentSummary *found = g_ptr_array_steal_index (exact, i - 1);

      for (guint j = 0; j < out->len; j++)
        if (g_strcmp0 (((StpResidentSummary *) out->pdata[j])->id, found->id) == 0)
          {
            g_ptr_array_remove_index (out, j);
            break;
          }
      g_ptr_array_insert (out, 0, found);
    }
  /* The page stays as long as asked for. */
  if (query->limit > 0)
    while (out->len > (guint) query->limit)
      g_ptr_array_remove_index (out, out->len - 1);
  return TRUE;
}

GPtrArray *
stp_store_search_residents (StpStore               *self,
                            StpSession             *session,
                            const StpResidentQuery *query,
                            GError                **error)
{
  StpResidentQuery all = STP_RESIDENT_QUERY_INIT;
  g_autoptr(GPtrArray) out = NULL;
  g_autofree char *norm = NULL;
  g_auto(GStrv) words = NULL;
  g_autoptr(GString) sql = NULL;
  g_autoptr(GString) match = NULL;
  sqlite3_stmt *stmt;
  guint n_words = 0;
  gboolean use_fts = FALSE;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_LIST, error))
    return NULL;
  if (query == NULL)
    query = &all;

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_resident_summary_free);
  norm = stp_normalize_text (query->text);
  words = g_strsplit (norm, " ", SEARCH_MAX_WORDS + 1);
  match = g_string_new (NULL);
  for (guint i = 0; words[i] != NULL && i < SEARCH_MAX_WORDS; i++)
    {
      if (words[i][0] == '\0')
        continue;
      if (match->len > 0)
        g_string_append (match, " AND ");
      /* Normalized words hold letters and digits only: safe to quote. */
      g_string_append_printf (match, "\"%s\"*", words[i]);
      n_words++;
    }

  if (n_words > 0 && query->limit > 0 && !has_filters (query) && all_words_non_ascii (words))
    {
      if (!search_by_prefix (self, words, query->limit, out, error))
        return NULL;
      return g_steal_pointer (&out);
    }

  if (n_words > 0)
    {
      if (query->limit <= 0)
        use_fts = TRUE;
      else
        {
          gint64 count = count_matches (self, match->str, SEARCH_SORT_THRESHOLD, error);

          if (count < 0)
            return NULL;
          if (count == 0)
            return g_steal_pointer (&out);
          use_fts = count < SEARCH_SORT_THRESHOLD;
        }
    }

  sql = g_string_new ("SELECT " SUMMARY_COLUMNS);
  if (n_words > 0 && !use_fts)
    {
      /* Walk the names in order checking words, stop at the page. */
      g_string_append (sql, " FROM (SELECT s.full_key, s.rid FROM resident_summaries s"
                            " INDEXED BY resident_summaries_words WHERE s.deleted = 0");
      for (guint i = 0; i < n_words; i++)
        g_string_append_printf (sql, " AND s.words LIKE :w%u", i);
      append_filters (sql, query);
      g_string_append (sql, " ORDER BY s.full_key, s.rid LIMIT :limit) k" PAGE_ROWS_JOIN);
    }
  else if (use_fts)
    {
      /* The page of matches first, from a narrow index, then its rows. */
      g_string_append (sql, " FROM (SELECT s.full_key, s.rid FROM resident_fts f"
                            " JOIN resident_summaries s INDEXED BY resident_summaries_fts"
                            " ON s.rid = f.rowid"
                            " WHERE f.resident_fts MATCH :match AND s.deleted = 0");
      append_filters (sql, query);
      g_string_append (sql, " ORDER BY s.full_key, s.rid LIMIT :limit) k" PAGE_ROWS_JOIN);
    }
  else
    {
      g_string_append (sql, " FROM resident_summaries s INDEXED BY resident_summaries_list"
                            " WHERE s.deleted = 0");
      append_filters (sql, query);
      g_string_append (sql, " ORDER BY s.full_key, s.rid LIMIT :limit");
    }

  stmt = stp_store_prepare (self, sql->str, error);
  if (stmt == NULL)
    return NULL;
  bind_filters (stmt, query);
  if (use_fts)
    bind_named_text (stmt, ":match", match->str);
  else
    {
      guint w = 0;

      for (guint i = 0; words[i] != NULL && w < n_words; i++)
        {
          g_autofree char *name = NULL;
          g_autofree char *pattern = NULL;

          if (words[i][0] == '\0')
            continue;
          name = g_strdup_printf (":w%u", w++);
          pattern = g_strdup_printf ("%% %s%%", words[i]);
          bind_named_text (stmt, name, pattern);
        }
    }

  if (!collect_summaries (self, stmt, out, error))
    return NULL;
  if (!put_exact_file_first (self, query, out, error))
    return NULL;
  return g_steal_pointer (&out);
}

/* --- Duplicates ---------------------------------------------------------- */

static gboolean
add_duplicate_ids (StpStore           *self,
                   const char         *sql,
                   const char         *a,
                   const char         *b,
                   const char         *c,
                   const char         *self_id,
                   StpDuplicateReason  reason,
                   GHashTable         *reasons,
                   GError            **error)
{
  sqlite3_stmt *stmt = stp_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_named_text (stmt, ":a", a);
  bind_named_text (stmt, ":b", b);
  bind_named_text (stmt, ":c", c);
  bind_named_text (stmt, ":self", self_id != NULL ? self_id : "");
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      guint bits = GPOINTER_TO_UINT (g_hash_table_lookup (reasons, id));

      g_hash_table_insert (reasons, g_strdup (id), GUINT_TO_POINTER (bits | reason));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_blank (const char *s)
{
  if (s == NULL)
    return TRUE;
  for (; *s != '\0'; s++)
    if (!g_ascii_isspace (*s))
      return FALSE;
  return TRUE;
}

static int
compare_duplicates (gconstpointer a,
                    gconstpointer b)
{
  const StpDuplicateCandidate *da = *(StpDuplicateCandidate * const *) a;
  const StpDuplicateCandidate *db = *(StpDuplicateCandidate * const *) b;
  int cmp = g_strcmp0 (da->summary->surname, db->summary->surname);

  if (cmp == 0)
    cmp = g_strcmp0 (da->summary->name, db->summary->name);
  if (cmp == 0)
    cmp = g_strcmp0 (da->summary->id, db->summary->id);
  return cmp;
}

GPtrArray *
stp_store_find_duplicates (StpStore          *self,
                           StpSession        *session,
                           const StpResident *candidate,
                           GError           **error)
{
  g_autoptr(GHashTable) reasons = NULL;
  g_autoptr(GPtrArray) out = NULL;
  g_autofree char *full = NULL;
  g_autofree char *full_key = NULL;
  g_autofree char *phonetic = NULL;
  const char *self_id;
  GHashTableIter iter;
  gpointer key, value;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (candidate != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_INTAKE, error))
    return NULL;

  reasons = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self_id = candidate->meta.id;
  full = g_strjoin (" ",
                    candidate->surname != NULL ? candidate->surname : "",
                    candidate->name != NULL ? candidate->name : "",
                    candidate->patronymic != NULL ? candidate->patronymic : "",
                    NULL);
  full_key = stp_normalize_text (full);
  phonetic = stp_phonetic_key (candidate->surname);

  if (!is_blank (candidate->birth_date) && full_key[0] != '\0'
      && !add_duplicate_ids (self,
                             "SELECT resident_id FROM resident_summaries"
                             " WHERE full_key = :a AND birth_date = :b AND deleted = 0"
                             " AND resident_id <> :self",
                             full_key, candidate->birth_date, NULL, self_id,
                             STP_DUPLICATE_SAME_NAME_AND_BIRTH, reasons, error))
    return NULL;

  if (candidate->birth_date != NULL && strlen (candidate->birth_date) >= 4
      && phonetic[0] != '\0')
    {
      g_autofree char *year_from = g_strdup_printf ("%.4s-01-01", candidate->birth_date);
      g_autofree char *year_to = g_strdup_printf ("%.4s-12-31", candidate->birth_date);

      if (!add_duplicate_ids (self,
                              "SELECT resident_id FROM resident_summaries"
                              " WHERE phonetic = :a AND birth_date BETWEEN :b AND :c"
                              " AND deleted = 0 AND resident_id <> :self",
                              phonetic, year_from, year_to, self_id,
                              STP_DUPLICATE_SIMILAR_SURNAME_SAME_YEAR, reasons, error))
        return NULL;
    }

  if (!is_blank (candidate->snils)
      && !add_duplicate_ids (self,
                             "SELECT id FROM residents WHERE snils = :a AND deleted = 0"
                             " AND id <> :self",
                             candidate->snils, NULL, NULL, self_id,
                             STP_DUPLICATE_SAME_SNILS, reasons, error))
    return NULL;

  if (!is_blank (candidate->document)
      && !add_duplicate_ids (self,
                             "SELECT id FROM residents WHERE document = :a AND deleted = 0"
                             " AND id <> :self",
                             candidate->document, NULL, NULL, self_id,
                             STP_DUPLICATE_SAME_DOCUMENT, reasons, error))
    return NULL;

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_duplicate_candidate_free);
  stmt = stp_store_prepare (self,
                            "SELECT " SUMMARY_COLUMNS " FROM resident_summaries s"
                            " WHERE s.resident_id = ?1",
                            error);
  if (stmt == NULL)
    return NULL;

  g_hash_table_iter_init (&iter, reasons);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      sqlite3_reset (stmt);
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          StpDuplicateCandidate *dup = g_new0 (StpDuplicateCandidate, 1);

          dup->summary = summary_from_stmt (stmt, 0);
          dup->reasons = GPOINTER_TO_UINT (value);
          g_ptr_array_add (out, dup);
        }
    }
  sqlite3_reset (stmt);

  g_ptr_array_sort (out, compare_duplicates);
  return g_steal_pointer (&out);
}

/* --- Records read generically --------------------------------------------- */

/* "t.id, t.created_at, t.updated_at, t.deleted, t.<field>..." */
static char *
record_columns (StpRecordKind  kind,
                const char    *alias)
{
  const StpKindInfo *info = stp_kind_info (kind);
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%s.id, %s.created_at, %s.updated_at, %s.deleted",
                          alias, alias, alias, alias);
  for (guint i = 0; i < info->n_fields; i++)
    g_string_append_printf (s, ", %s.%s", alias, info->fields[i].name);
  return g_string_free (s, FALSE);
}

static gpointer
record_from_stmt (StpRecordKind  kind,
                  StpSession    *session,
                  sqlite3_stmt  *stmt,
                  int            first,
                  int           *out_next)
{
  const StpKindInfo *info = stp_kind_info (kind);
  gpointer record = stp_record_new (kind);
  StpRecordMeta *meta = record;
  gboolean health = stp_session_can (session, STP_PERMISSION_READ_RESTRICTED);

  meta->id = column_dup (stmt, first);
  meta->created_at = column_dup (stmt, first + 1);
  meta->updated_at = column_dup (stmt, first + 2);
  meta->deleted = sqlite3_column_int (stmt, first + 3) != 0;
  for (guint i = 0; i < info->n_fields; i++)
    {
      const StpFieldInfo *field = &info->fields[i];
      const char *text = (const char *) sqlite3_column_text (stmt, first + 4 + (int) i);

      if ((field->flags & STP_FIELD_SECRET) != 0
          || ((field->flags & STP_FIELD_HEALTH) != 0 && !health))
        continue;
      stp_record_set_field_text (field, record, text);
    }
  if (out_next != NULL)
    *out_next = first + 4 + (int) info->n_fields;
  return record;
}

static char *
join_name (sqlite3_stmt *stmt,
           int           first)
{
  GString *s = g_string_new (NULL);

  for (int i = 0; i < 3; i++)
    {
      const char *part = (const char *) sqlite3_column_text (stmt, first + i);

      if (part == NULL || part[0] == '\0')
        continue;
      if (s->len > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, part);
    }
  return g_string_free (s, FALSE);
}

/* For the working lists (stp-worklist.c): the same generic reading. */
char *
stp_query_record_columns (StpRecordKind  kind,
                          const char    *alias)
{
  return record_columns (kind, alias);
}

gpointer
stp_query_record_from_stmt (StpRecordKind  kind,
                            StpSession    *session,
                            sqlite3_stmt  *stmt,
                            int            first,
                            int           *out_next)
{
  return record_from_stmt (kind, session, stmt, first, out_next);
}

char *
stp_query_join_name (sqlite3_stmt *stmt,
                     int           first)
{
  return join_name (stmt, first);
}

GPtrArray *
stp_store_list_follow_ups_due (StpStore   *self,
                               StpSession *session,
                               const char *today,
                               const char *until,
                               GError    **error)
{
  g_autoptr(GPtrArray) out = NULL;
  g_autofree char *columns = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (session != NULL, NULL);
  g_return_val_if_fail (today != NULL, NULL);
  g_return_val_if_fail (until != NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_READ_CARD, error))
    return NULL;

  columns = record_columns (STP_KIND_FOLLOW_UP, "f");
  sql = g_strdup_printf ("SELECT %s, r.surname, r.name, r.patronymic, r.file_number"
                         " FROM follow_ups f LEFT JOIN residents r ON r.id = f.resident_id"
                         " WHERE f.done_on IS NULL AND f.deleted = 0 AND f.due_on <= ?2"
                         " AND (f.outcome IS NULL OR f.outcome = ?3)"
                         " AND coalesce (r.deleted, 0) = 0"
                         " ORDER BY f.due_on < ?1 DESC, f.due_on, r.surname, r.name, f.id",
                         columns);
  stmt = stp_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, today, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, until, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, stp_enum_to_code (STP_ENUM_FOLLOW_UP_OUTCOME, STP_FOLLOW_UP_PENDING),
                     -1, SQLITE_TRANSIENT);

  out = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_follow_up_due_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      StpFollowUpDue *due = g_new0 (StpFollowUpDue, 1);
      int next = 0;

      due->follow_up = record_from_stmt (STP_KIND_FOLLOW_UP, session, stmt, 0, &next);
      due->resident_name = join_name (stmt, next);
      due->file_number = column_dup (stmt, next + 3);
      due->overdue = due->follow_up->due_on != NULL && strcmp (due->follow_up->due_on, today) < 0;
      g_ptr_array_add (out, due);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      stp_store_set_sqlite_error (self, error);
      return NULL;
    }
  return g_steal_pointer (&out);
}

GPtrArray *
stp_store_census (StpStore   *self,
                  StpSession *session,
                  GError    **error)
{
  g_autoptr(GPtrArray) out = NULL;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (STP_IS_STORE (self), NULL);
  g_return_val_if_fail (session != NULL, NULL);

  if (!stp_session_require (session, STP_PERMISSION_LIST, error))
    return NULL;

  stmt = stp_store_prepare (self,
                            "SELECT " SUMMARY_COLUMNS " FROM resident_summaries s"
                            " WHERE s.deleted = 0 AND s.status IN (?1, ?2)"
                            " ORDER BY s.stage_position IS NOT NULL, s.stage_position,"
                            " s.full_key, s.rid",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_INTAKE),
                     -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, stp_enum_to_code (STP_ENUM_EPISODE_STATUS, STP_EPISODE_IN_PROGRAM),
                     -1, SQLITE_TRANSIENT);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) stp_resident_summary_free);
  if (!collect_summaries (self, stmt, out, error))
    return NULL;
  return g_steal_pointer (&out);
}
