#define G_LOG_DOMAIN "stp-card-journal"

#include "config.h"

#include "stp-card-journal.h"
#include "stp-card-section.h"
#include "stp-date-row.h"
#include "stp-gui-util.h"
#include "stp-record-editor.h"

#include <glib/gi18n-lib.h>

static const StpFormField entry_fields[] = {
  { "kind", STP_FIELD_ENUM, N_("Kind"), G_STRUCT_OFFSET (StpJournalEntry, kind), STP_ENUM_JOURNAL_KIND },
  { "text", STP_FIELD_LONG_TEXT, N_("Text"), G_STRUCT_OFFSET (StpJournalEntry, text) },
  { "restricted", STP_FIELD_BOOL, N_("Restricted: only staff and the director see it"), G_STRUCT_OFFSET (StpJournalEntry, restricted) },
  { NULL }
};

static const StpFormField screening_fields[] = {
  { "taken_on", STP_FIELD_DATE, N_("Taken on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpScreening, taken_on) },
  { "reason", STP_FIELD_ENUM, N_("Reason"), G_STRUCT_OFFSET (StpScreening, reason), STP_ENUM_SCREENING_REASON },
  { "method", STP_FIELD_TEXT, N_("Method"), G_STRUCT_OFFSET (StpScreening, method) },
  { "result", STP_FIELD_ENUM, N_("Result"), G_STRUCT_OFFSET (StpScreening, result), STP_ENUM_SCREENING_RESULT },
  { "substances", STP_FIELD_TEXT, N_("Substances found"), G_STRUCT_OFFSET (StpScreening, substances) },
  { NULL }
};

struct _StpCardJournal
{
  StpCardSection   parent_instance;

  char            *episode_id;
  StpRecordEditor *entries;
  StpRecordEditor *screenings;
};

G_DEFINE_FINAL_TYPE (StpCardJournal, stp_card_journal, STP_TYPE_CARD_SECTION)

static char *
describe_entry (gconstpointer   record,
                char          **out_subtitle,
                gpointer        user_data)
{
  const StpJournalEntry *entry = record;
  g_autofree char *moment = stp_gui_format_moment (entry->occurred_at);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  if (entry->restricted)
    g_string_append_printf (subtitle, "%s · ", _("restricted"));
  g_string_append (subtitle, entry->text ? entry->text : "");
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);
  return g_strdup_printf ("%s · %s", moment, stp_enum_to_label (STP_ENUM_JOURNAL_KIND, entry->kind));
}

static void
decorate_entry (AdwActionRow  *row,
                gconstpointer  record,
                gpointer       user_data)
{
  const StpJournalEntry *entry = record;

  if (entry->restricted)
    {
      GtkWidget *icon = gtk_image_new_from_icon_name ("channel-secure-symbolic");

      gtk_widget_set_tooltip_text (icon, _("Restricted"));
      adw_action_row_add_prefix (row, icon);
    }
}

/* The journal reads newest first: what happened last is what staff look
 * for.  ISO 8601 times sort as text. */
static int
compare_entries_newest_first (gconstpointer a,
                              gconstpointer b)
{
  const StpJournalEntry *ea = *(StpJournalEntry * const *) a;
  const StpJournalEntry *eb = *(StpJournalEntry * const *) b;
  int order = g_strcmp0 (eb->occurred_at, ea->occurred_at);

  return order != 0 ? order : g_strcmp0 (eb->meta.created_at, ea->meta.created_at);
}

static int
compare_screenings_newest_first (gconstpointer a,
                                 gconstpointer b)
{
  const StpScreening *sa = *(StpScreening * const *) a;
  const StpScreening *sb = *(StpScreening * const *) b;
  int order = g_strcmp0 (sb->taken_on, sa->taken_on);

  return order != 0 ? order : g_strcmp0 (sb->meta.created_at, sa->meta.created_at);
}

static char *
describe_screening (gconstpointer   record,
                    char          **out_subtitle,
                    gpointer        user_data)
{
  const StpScreening *screening = record;
  g_autofree char *taken = stp_format_date (screening->taken_on);
  g_autoptr(GString) subtitle = g_string_new (stp_enum_to_label (STP_ENUM_SCREENING_REASON, screening->reason));

  if (screening->method)
    g_string_append_printf (subtitle, " · %s", screening->method);
  if (screening->substances)
    g_string_append_printf (subtitle, " · %s", screening->substances);
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);
  /* Translators: "01.02.2026 · test: negative". */
  return g_strdup_printf (_("%s · test: %s"), taken,
                          stp_enum_to_label (STP_ENUM_SCREENING_RESULT, screening->result));
}

static char *
now_iso (StpStore *store)
{
  g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc (stp_store_now (store) / G_USEC_PER_SEC);

  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
}

static gboolean
prepare_entry (gpointer   record,
               gboolean   is_new,
               GError   **error,
               gpointer   user_data)
{
  StpCardJournal *self = user_data;
  StpCardSection *section = user_data;
  StpJournalEntry *entry = record;

  if (is_new)
    {
      entry->occurred_at = now_iso (stp_card_section_get_store (section));
      entry->author_user_id = g_strdup (stp_session_get_user_id (stp_card_section_get_session (section)));
      entry->episode_id = g_strdup (self->episode_id);
    }
  return TRUE;
}

static gboolean
prepare_screening (gpointer   record,
                   gboolean   is_new,
                   GError   **error,
                   gpointer   user_data)
{
  StpCardJournal *self = user_data;
  StpCardSection *section = user_data;
  StpScreening *screening = record;

  if (is_new)
    {
      screening->staff_user_id = g_strdup (stp_session_get_user_id (stp_card_section_get_session (section)));
      screening->episode_id = g_strdup (self->episode_id);
      if (screening->taken_on == NULL)
        screening->taken_on = stp_store_today (stp_card_section_get_store (section));
    }
  return TRUE;
}

static void
stp_card_journal_finalize (GObject *object)
{
  StpCardJournal *self = (StpCardJournal *) object;

  g_clear_object (&self->entries);
  g_clear_object (&self->screenings);
  g_clear_pointer (&self->episode_id, g_free);

  G_OBJECT_CLASS (stp_card_journal_parent_class)->finalize (object);
}

static void
reload_section (StpCardSection *section)
{
  StpCardJournal *self = STP_CARD_JOURNAL (section);
  g_autoptr(StpEpisode) episode = NULL;

  episode = stp_store_get_latest_episode (stp_card_section_get_store (section),
                                          stp_card_section_get_session (section),
                                          stp_card_section_get_resident_id (section), NULL);
  g_free (self->episode_id);
  self->episode_id = episode ? g_strdup (episode->meta.id) : NULL;
  stp_record_editor_reload (self->entries);
  stp_record_editor_reload (self->screenings);
}

static void
setup_section (StpCardSection *section)
{
  StpCardJournal *self = STP_CARD_JOURNAL (section);
  StpStore *store = stp_card_section_get_store (section);
  StpSession *session = stp_card_section_get_session (section);
  const char *resident_id = stp_card_section_get_resident_id (section);

  self->entries = stp_record_editor_new (G_OBJECT (self), store, session, STP_KIND_JOURNAL_ENTRY,
                                         "resident_id", G_STRUCT_OFFSET (StpJournalEntry, resident_id),
                                         entry_fields, _("Journal"), _("New entry"),
                                         describe_entry, self);
  stp_record_editor_set_prepare (self->entries, prepare_entry);
  stp_record_editor_set_row_func (self->entries, decorate_entry);
  stp_record_editor_set_sort (self->entries, compare_entries_newest_first);
  stp_card_section_add_editor (section, self->entries);

  self->screenings = stp_record_editor_new (G_OBJECT (self), store, session, STP_KIND_SCREENING,
                                            "resident_id", G_STRUCT_OFFSET (StpScreening, resident_id),
                                            screening_fields, _("Drug screenings"), _("New screening"),
                                            describe_screening, self);
  stp_record_editor_set_prepare (self->screenings, prepare_screening);
  stp_record_editor_set_sort (self->screenings, compare_screenings_newest_first);
  stp_card_section_add_editor (section, self->screenings);

  stp_record_editor_set_parent (self->entries, resident_id);
  stp_record_editor_set_parent (self->screenings, resident_id);
  reload_section (section);
}

static void
stp_card_journal_class_init (StpCardJournalClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_journal_finalize;
  section_class->setup = setup_section;
  section_class->reload = reload_section;
  stp_card_section_class_set_template_from_resource (section_class, "/org/stupeni/Stupeni/stp-card-journal.ui");
}

static void
stp_card_journal_init (StpCardJournal *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
stp_card_journal_new (StpStore   *store,
                      StpSession *session,
                      const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_JOURNAL, store, session, resident_id);
}
