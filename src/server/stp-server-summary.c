/* stp-server-summary.c: the regional summary's indicators, periods and
 * totals (see stp-server-summary.h for the rules). */
#define G_LOG_DOMAIN "stp-server"

#include "config.h"

#include "stp-server-summary.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libintl.h>
#include <string.h>

/* The names are the desktop's own (src/core/stp-types.c and
 * stp-stats*.c), with the same contexts, so that one translation serves
 * both programs.  @context NULL: a plain msgid. */
typedef struct
{
  const char *key;
  const char *context;
  const char *label;
} Item;

typedef struct
{
  const char *code;
  const char *title;          /* context "stats" */
  const Item *items;
} Section;

#define STATS(key, label) { key, "stats", label }
#define PLAIN(key, label) { key, NULL, label }
#define END_ITEMS { NULL, NULL, NULL }

static const Item sources[] = {
  PLAIN ("self", N_("Self")),
  PLAIN ("relatives", N_("Relatives")),
  PLAIN ("medical", N_("Medical organization")),
  PLAIN ("court_admin", N_("Court (administrative code)")),
  PLAIN ("court_criminal", N_("Court (criminal code)")),
  PLAIN ("probation", N_("Probation inspection")),
  PLAIN ("kdn", N_("Commission on minors")),
  PLAIN ("social", N_("Social protection")),
  PLAIN ("parish", N_("Parish")),
  PLAIN ("other_ngo", N_("Other NGO")),
  PLAIN ("certificate", N_("Certificate")),
  STATS ("total", NC_("stats", "Total")),
  END_ITEMS
};

static const Item substances[] = {
  PLAIN ("none", N_("None")),
  PLAIN ("alcohol", N_("Alcohol")),
  PLAIN ("opioids", N_("Opioids")),
  PLAIN ("stimulants", N_("Stimulants")),
  PLAIN ("cannabinoids", N_("Cannabinoids")),
  PLAIN ("medications", N_("Psychotropic medications")),
  PLAIN ("polydrug", N_("Polydrug use")),
  PLAIN ("non_chemical", N_("Gambling and other non-chemical")),
  STATS ("total", NC_("stats", "Total")),
  END_ITEMS
};

static const Item stage_kinds[] = {
  PLAIN ("motivation", N_("Motivation and admission")),
  PLAIN ("adaptation", N_("Adaptation")),
  PLAIN ("main_course", N_("Main course")),
  PLAIN ("resocialization", N_("Resocialization")),
  PLAIN ("aftercare", N_("Post-rehabilitation accompaniment")),
  PLAIN ("other", N_("Other stage kind")),
  STATS ("total", NC_("stats", "Total")),
  END_ITEMS
};

static const Item outcomes[] = {
  PLAIN ("completed", N_("Completed")),
  PLAIN ("dropped_out", N_("Dropped out")),
  PLAIN ("expelled", N_("Expelled")),
  PLAIN ("transferred", N_("Transferred")),
  PLAIN ("hospitalized", N_("Hospitalized")),
  PLAIN ("died", N_("Died")),
  STATS ("total", NC_("stats", "Total")),
  END_ITEMS
};

/* "reached_percent" is left out: percentages do not add up. */
static const Item remission[] = {
  STATS ("yes", NC_("stats", "In remission")),
  STATS ("no", NC_("stats", "Not in remission")),
  STATS ("unknown", NC_("stats", "Remission unknown")),
  PLAIN ("lost", N_("Contact lost")),
  STATS ("pending", NC_("stats", "Not done yet")),
  STATS ("reached", NC_("stats", "Reached")),
  STATS ("due", NC_("stats", "Due in the period")),
  END_ITEMS
};

static const Item resocialization[] = {
  STATS ("employed", NC_("stats", "Employed")),
  STATS ("documents_restored", NC_("stats", "Documents restored")),
  STATS ("returned_to_family", NC_("stats", "Returned to family")),
  STATS ("housing", NC_("stats", "Have housing")),
  STATS ("attends_groups", NC_("stats", "Attend self-help groups")),
  STATS ("total", NC_("stats", "Residents reached")),
  END_ITEMS
};

static const Item families[] = {
  STATS ("relatives_served", NC_("stats", "Relatives served")),
  STATS ("codependents", NC_("stats", "Codependent relatives")),
  STATS ("families_with_minors", NC_("stats", "Families with minors")),
  STATS ("sop", NC_("stats", "Families in a socially dangerous situation")),
  STATS ("tzhs", NC_("stats", "Families in a difficult life situation")),
  STATS ("kdn_informed", NC_("stats", "Commission on minors informed")),
  STATS ("residents", NC_("stats", "Residents in the program during the period")),
  END_ITEMS
};

static const Item court[] = {
  PLAIN ("koap_4_1", N_("Part 2.1 of article 4.1 of the Administrative Code")),
  PLAIN ("uk_72_1", N_("Article 72.1 of the Criminal Code")),
  PLAIN ("uk_73", N_("Article 73 of the Criminal Code")),
  PLAIN ("uk_82_1", N_("Article 82.1 of the Criminal Code")),
  STATS ("total", NC_("stats", "Total")),
  END_ITEMS
};

static const Item referrals[] = {
  PLAIN ("social", N_("Social protection")),
  PLAIN ("health", N_("Healthcare")),
  PLAIN ("police", N_("Police")),
  PLAIN ("kdn", N_("Commission on minors")),
  PLAIN ("employment", N_("Employment center")),
  PLAIN ("probation", N_("Probation inspection")),
  PLAIN ("court", N_("Court")),
  PLAIN ("other_ngo", N_("Other NGO")),
  PLAIN ("other", N_("Other")),
  STATS ("total", NC_("stats", "Total")),
  STATS ("answered_in_time", NC_("stats", "Answered in time")),
  STATS ("answered_late", NC_("stats", "Answered late")),
  STATS ("unanswered", NC_("stats", "Not answered")),
  END_ITEMS
};

static const Item age_groups[] = {
  STATS ("under_18", NC_("stats", "Under 18")),
  STATS ("18_24", NC_("stats", "18–24")),
  STATS ("25_34", NC_("stats", "25–34")),
  STATS ("35_44", NC_("stats", "35–44")),
  STATS ("45_54", NC_("stats", "45–54")),
  STATS ("55_plus", NC_("stats", "55 and over")),
  STATS ("unknown", NC_("stats", "Age unknown")),
  STATS ("total", NC_("stats", "Total")),
  END_ITEMS
};

static const Item sexes[] = {
  PLAIN ("male", N_("Male")),
  PLAIN ("female", N_("Female")),
  PLAIN ("unknown", N_("Not stated")),
  STATS ("total", NC_("stats", "Total")),
  END_ITEMS
};

/* In the center report's order; "in_program_by_stage" and
 * "dropped_out_by_stage" (keyed by a center's own stage ids) are not here:
 * the region adds stages up by kind. */
static const Section sections[] = {
  { "admitted_by_source", NC_("stats", "Admitted by referral source"), sources },
  { "admitted_by_substance", NC_("stats", "Admitted by main substance"), substances },
  { "discharged_by_source", NC_("stats", "Discharged by referral source"), sources },
  { "discharged_by_substance", NC_("stats", "Discharged by main substance"), substances },
  { "in_program_by_stage_kind", NC_("stats", "In the program at the end of the period, by kind of stage"), stage_kinds },
  { "outcomes", NC_("stats", "Discharge outcomes"), outcomes },
  { "dropped_out_by_stage_kind", NC_("stats", "Dropped out, by kind of stage"), stage_kinds },
  { "remission_6", NC_("stats", "Remission at 6 months"), remission },
  { "remission_12", NC_("stats", "Remission at 12 months"), remission },
  { "resocialization", NC_("stats", "Resocialization (follow-ups done in the period)"), resocialization },
  { "families", NC_("stats", "Work with families"), families },
  { "court", NC_("stats", "Court-ordered residents"), court },
  { "referrals", NC_("stats", "Referrals sent to agencies"), referrals },
  { "age_groups", NC_("stats", "Age at admission"), age_groups },
  { "sex", NC_("stats", "Sex of admitted"), sexes },
};

typedef struct
{
  StpSummaryIndicator  indicator;
  const Item          *item;
} Entry;

static GArray *entries;          /* of Entry, built once */
static GHashTable *by_code;      /* code -> index + 1 */

static void
ensure_catalogue (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      entries = g_array_new (FALSE, TRUE, sizeof (Entry));
      by_code = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint s = 0; s < G_N_ELEMENTS (sections); s++)
        for (const Item *item = sections[s].items; item->key != NULL; item++)
          {
            g_autofree char *code = g_strconcat (sections[s].code, ".", item->key, NULL);
            Entry entry = { { sections[s].code, item->key, g_intern_string (code), s }, item };

            g_array_append_val (entries, entry);
            g_hash_table_insert (by_code, (gpointer) entry.indicator.code,
                                 GUINT_TO_POINTER (entries->len));
          }
      g_once_init_leave (&done, 1);
    }
}

const char *
stp_summary_pgettext (const char *context_and_msgid,
                      gsize       msgid_offset)
{
  const char *translated = dgettext (GETTEXT_PACKAGE, context_and_msgid);

  return translated == context_and_msgid ? context_and_msgid + msgid_offset : translated;
}

const char *
stp_summary_gettext (const char *context,
                     const char *msgid)
{
  g_autofree char *key = NULL;
  const char *translated;

  if (context == NULL)
    return dgettext (GETTEXT_PACKAGE, msgid);
  key = g_strconcat (context, "\004", msgid, NULL);
  translated = dgettext (GETTEXT_PACKAGE, key);
  return translated == key ? msgid : translated;
}

guint
stp_summary_get_n_indicators (void)
{
  ensure_catalogue ();
  return entries->len;
}

const StpSummaryIndicator *
stp_summary_get_indicator (guint index)
{
  ensure_catalogue ();
  g_return_val_if_fail (index < entries->len, NULL);
  return &g_array_index (entries, Entry, index).indicator;
}

int
stp_summary_find_indicator (const char *code)
{
  ensure_catalogue ();
  return (int) GPOINTER_TO_UINT (g_hash_table_lookup (by_code, code)) - 1;
}

guint
stp_summary_get_n_sections (void)
{
  return G_N_ELEMENTS (sections);
}

const char *
stp_summary_section_title (guint section)
{
  g_return_val_if_fail (section < G_N_ELEMENTS (sections), NULL);
  return stp_summary_gettext ("stats", sections[section].title);
}

const char *
stp_summary_indicator_label (guint index)
{
  const Item *item;

  ensure_catalogue ();
  g_return_val_if_fail (index < entries->len, NULL);
  item = g_array_index (entries, Entry, index).item;
  return stp_summary_gettext (item->context, item->label);
}

char *
stp_summary_format_value (gint64          value,
                          StpSummaryState state)
{
  if (value < 0)
    return g_strdup ("");
  if (state == STP_SUMMARY_STATE_SMALL || (value > 0 && value < STP_SUMMARY_SMALL))
    return g_strdup ("<5");
  if (state == STP_SUMMARY_STATE_HIDDEN)
    return g_strdup ("…");
  return g_strdup_printf ("%" G_GINT64_FORMAT, value);
}

static char *
format_date (const char *iso)
{
  return g_strdup_printf ("%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
}

char *
stp_summary_format_period (const char *from,
                           const char *to)
{
  g_autofree char *from_text = format_date (from);
  g_autofree char *to_text = format_date (to);
  static const char * const quarter_ends[] = { "03-31", "06-30", "09-30", "12-31" };

  if (strncmp (from, to, 4) == 0 && strcmp (from + 4, "-01-01") == 0 &&
      strcmp (to + 4, "-12-31") == 0)
    /* TRANSLATORS: a period: its dates дд.мм.гггг, then the year */
    return g_strdup_printf (C_("summary", "%s – %s (year %.4s)"), from_text, to_text, from);
  for (guint q = 0; q < 4; q++)
    {
      g_autofree char *start = g_strdup_printf ("-%02u-01", q * 3 + 1);

      if (strncmp (from, to, 4) == 0 && strcmp (from + 4, start) == 0 &&
          strcmp (to + 5, quarter_ends[q]) == 0)
        /* TRANSLATORS: a period: its dates, then the quarter's number and year */
        return g_strdup_printf (C_("summary", "%s – %s (quarter %u of %.4s)"),
                                from_text, to_text, q + 1, from);
    }
  /* TRANSLATORS: a period: its first and last dates дд.мм.гггг */
  return g_strdup_printf (C_("summary", "%s – %s"), from_text, to_text);
}

char *
stp_summary_format_time (gint64 millis)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (millis / 1000);

  return time != NULL ? g_date_time_format (time, "%d.%m.%Y %H:%M") : g_strdup ("");
}

/* Loading */

static void
report_free (StpSummaryReport *report)
{
  g_free (report->center);
  g_free (report->name);
  g_free (report->from);
  g_free (report->to);
  g_free (report->last_from);
  g_free (report->last_to);
  g_free (report->values);
  g_free (report->states);
  g_free (report);
}

static StpSummaryGroup *
group_new (const char *from,
           const char *to)
{
  StpSummaryGroup *group = g_new0 (StpSummaryGroup, 1);
  guint n = stp_summary_get_n_indicators ();

  group->from = g_strdup (from);
  group->to = g_strdup (to);
  group->reports = g_ptr_array_new_with_free_func ((GDestroyNotify) report_free);
  group->totals = g_new0 (gint64, n);
  group->total_states = g_new0 (guint8, n);
  group->present = g_new0 (gboolean, n);
  return group;
}

static void
group_free (StpSummaryGroup *group)
{
  g_free (group->from);
  g_free (group->to);
  g_ptr_array_unref (group->reports);
  g_free (group->totals);
  g_free (group->total_states);
  g_free (group->present);
  g_free (group);
}

void
stp_summary_free (StpSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->groups, g_ptr_array_unref);
  g_clear_pointer (&summary->periods, g_ptr_array_unref);
  g_free (summary);
}

/* Row columns of stp_server_store_aggregates (). */
enum { COL_CENTER, COL_NAME, COL_FROM, COL_TO, COL_SENT_AT, COL_BODY };

static StpSummaryReport *
report_new (StpServerResult *result,
            guint            row,
            guint            latest,
            GHashTable      *left_out)
{
  StpSummaryReport *report = g_new0 (StpSummaryReport, 1);
  guint n = stp_summary_get_n_indicators ();
  g_autoptr(JsonNode) node = json_from_string (stp_server_result_get (result, row, COL_BODY), NULL);
  JsonNode *counts = NULL;

  report->center = g_strdup (stp_server_result_get (result, row, COL_CENTER));
  report->name = g_strdup (stp_server_result_get (result, row, COL_NAME));
  report->from = g_strdup (stp_server_result_get (result, row, COL_FROM));
  report->to = g_strdup (stp_server_result_get (result, row, COL_TO));
  report->sent_at = g_ascii_strtoll (stp_server_result_get (result, row, COL_SENT_AT), NULL, 10);
  report->last_sent_at = g_ascii_strtoll (stp_server_result_get (result, latest, COL_SENT_AT), NULL, 10);
  report->last_from = g_strdup (stp_server_result_get (result, latest, COL_FROM));
  report->last_to = g_strdup (stp_server_result_get (result, latest, COL_TO));
  report->values = g_new (gint64, n);
  report->states = g_new0 (guint8, n);
  for (guint i = 0; i < n; i++)
    report->values[i] = -1;

  /* The body was checked when it was stored (names are ids, values
   * integers 0..2^31-1); anything else is skipped here all the same. */
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    counts = json_object_get_member (json_node_get_object (node), "counts");
  if (counts != NULL && JSON_NODE_HOLDS_OBJECT (counts))
    {
      JsonObject *object = json_node_get_object (counts);
      g_autoptr(GList) names = json_object_get_members (object);

      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (object, l->data);
          int index = stp_summary_find_indicator (l->data);

          /* Percentages do not add up; the page has their parts. */
          if (g_str_has_suffix (l->data, ".reached_percent"))
            continue;
          if (index < 0 || !JSON_NODE_HOLDS_VALUE (value) ||
              json_node_get_value_type (value) != G_TYPE_INT64 ||
              json_node_get_int (value) < 0)
            {
              g_hash_table_add (left_out, g_strdup (l->data));
              continue;
            }
          report->values[index] = json_node_get_int (value);
        }
    }
  return report;
}

static void
group_add (StpSummaryGroup  *group,
           StpSummaryReport *report)
{
  guint n = stp_summary_get_n_indicators ();

  g_ptr_array_add (group->reports, report);
  for (guint i = 0; i < n; i++)
    {
      gint64 value = report->values[i];

      if (value < 0)
        continue;
      group->present[i] = TRUE;
      group->totals[i] += value;
    }
}

static char *
period_key (const char *from,
            const char *to)
{
  return g_strdup_printf ("%s_%s", from, to);
}

/* Newest end first, then the longer period. */
static int
compare_periods (gconstpointer a,
                 gconstpointer b)
{
  const char *pa = *(const char * const *) a;
  const char *pb = *(const char * const *) b;
  int c = strcmp (pb + 11, pa + 11);

  return c != 0 ? c : strcmp (pa, pb);
}

StpSummary *
stp_summary_load (StpServerStore  *store,
                  const char      *from,
                  const char      *to,
                  GError         **error)
{
  g_autoptr(StpServerResult) result = NULL;
  g_autoptr(StpSummary) summary = g_new0 (StpSummary, 1);
  g_autoptr(GHashTable) centers_per_period = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) left_out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) other_groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *main_key = NULL;
  StpSummaryGroup *main_group;
  guint best = 0;
  guint first;

  g_return_val_if_fail ((from == NULL) == (to == NULL), NULL);

  /* Newest first per center, centers by name. */
  if (!(result = stp_server_store_aggregates (store, error)))
    return NULL;

  summary->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  summary->periods = g_ptr_array_new_with_free_func (g_free);

  /* How many centers sent each period. */
  for (guint i = 0; i < result->n_rows; i++)
    {
      const char *center = stp_server_result_get (result, i, COL_CENTER);
      g_autofree char *key = period_key (stp_server_result_get (result, i, COL_FROM),
                                         stp_server_result_get (result, i, COL_TO));
      g_autofree char *pair = g_strconcat (center, " ", key, NULL);
      guint n;

      if (!g_hash_table_add (seen, g_steal_pointer (&pair)))
        continue;
      n = GPOINTER_TO_UINT (g_hash_table_lookup (centers_per_period, key));
      if (n == 0)
        g_ptr_array_add (summary->periods, g_strdup (key));
      g_hash_table_insert (centers_per_period, g_steal_pointer (&key), GUINT_TO_POINTER (n + 1));
    }
  g_ptr_array_sort (summary->periods, compare_periods);

  if (from != NULL)
    main_key = period_key (from, to);
  else
    for (guint p = 0; p < summary->periods->len; p++)
      {
        const char *key = g_ptr_array_index (summary->periods, p);
        guint n = GPOINTER_TO_UINT (g_hash_table_lookup (centers_per_period, key));

        if (n > best)   /* the periods are sorted: the first of the most wins */
          {
            best = n;
            g_free (main_key);
            main_key = g_strdup (key);
          }
      }

  if (main_key != NULL)
    {
      main_key[10] = '\0';
      main_group = group_new (main_key, main_key + 11);
      main_key[10] = '_';
      g_ptr_array_add (summary->groups, main_group);
    }
  else
    main_group = NULL;

  /* Each center: its latest report of the main period, else its latest. */
  for (guint i = 0; i < result->n_rows; i = first)
    {
      const char *center = stp_server_result_get (result, i, COL_CENTER);
      guint chosen = i;

      first = i;
      while (first < result->n_rows &&
             g_strcmp0 (stp_server_result_get (result, first, COL_CENTER), center) == 0)
        first++;
      summary->n_centers++;

      if (main_group != NULL)
        for (guint j = i; j < first; j++)
          if (g_str_equal (stp_server_result_get (result, j, COL_FROM), main_group->from) &&
              g_str_equal (stp_server_result_get (result, j, COL_TO), main_group->to))
            {
              chosen = j;
              break;
            }

      {
        StpSummaryReport *report = report_new (result, chosen, i, left_out);
        g_autofree char *key = period_key (report->from, report->to);
        StpSummaryGroup *group;

        if (main_group != NULL && g_str_equal (report->from, main_group->from) &&
            g_str_equal (report->to, main_group->to))
          group = main_group;
        else if (!(group = g_hash_table_lookup (other_groups, key)))
          {
            group = group_new (report->from, report->to);
            g_hash_table_insert (other_groups, g_strdup (key), group);
            g_ptr_array_add (summary->groups, group);
          }
        group_add (group, report);
      }
    }
  summary->n_left_out = g_hash_table_size (left_out);
  for (guint g = 0; g < summary->groups->len; g++)
    stp_summary_suppress (g_ptr_array_index (summary->groups, g));

  /* The other periods in the order of summary->periods. */
  if (summary->groups->len > 2)
    {
      g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
      guint start = main_group != NULL ? 1 : 0;

      for (guint p = 0; p < summary->periods->len; p++)
        for (guint g = start; g < summary->groups->len; g++)
          {
            StpSummaryGroup *group = g_ptr_array_index (summary->groups, g);
            g_autofree char *key = period_key (group->from, group->to);

            if (g_str_equal (key, g_ptr_array_index (summary->periods, p)))
              g_ptr_array_add (sorted, group);
          }
      for (guint g = start; g < summary->groups->len; g++)
        summary->groups->pdata[g] = sorted->pdata[g - start];
    }
  return g_steal_pointer (&summary);
}
