#define G_LOG_DOMAIN "stp-card-follow-ups"

#include "config.h"

#include "stp-card-follow-ups.h"
#include "stp-card-section.h"
#include "stp-date-row.h"
#include "stp-record-editor.h"

#include <glib/gi18n-lib.h>

static const StpFormField follow_up_fields[] = {
  { "outcome", STP_FIELD_ENUM, N_("Outcome"), G_STRUCT_OFFSET (StpFollowUp, outcome), STP_ENUM_FOLLOW_UP_OUTCOME },
  { "done_on", STP_FIELD_DATE, N_("Done on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpFollowUp, done_on) },
  { "contact_method", STP_FIELD_TEXT, N_("Contact method"), G_STRUCT_OFFSET (StpFollowUp, contact_method) },
  { "remission", STP_FIELD_ENUM, N_("Remission"), G_STRUCT_OFFSET (StpFollowUp, remission), STP_ENUM_REMISSION },
  { "verified_by", STP_FIELD_ENUM, N_("Verified by"), G_STRUCT_OFFSET (StpFollowUp, verified_by), STP_ENUM_VERIFICATION },
  { "employed", STP_FIELD_BOOL, N_("Employed"), G_STRUCT_OFFSET (StpFollowUp, employed) },
  { "housing", STP_FIELD_BOOL, N_("Has housing"), G_STRUCT_OFFSET (StpFollowUp, housing) },
  { "returned_to_family", STP_FIELD_BOOL, N_("Returned to the family"), G_STRUCT_OFFSET (StpFollowUp, returned_to_family) },
  { "documents_restored", STP_FIELD_BOOL, N_("Documents restored"), G_STRUCT_OFFSET (StpFollowUp, documents_restored) },
  { "attends_groups", STP_FIELD_BOOL, N_("Attends NA/AA groups"), G_STRUCT_OFFSET (StpFollowUp, attends_groups) },
  { "note", STP_FIELD_TEXT, N_("Note"), G_STRUCT_OFFSET (StpFollowUp, note) },
  { NULL }
};

struct _StpCardFollowUps
{
  StpCardSection   parent_instance;

  char            *today;
  StpRecordEditor *follow_ups;
};

G_DEFINE_FINAL_TYPE (StpCardFollowUps, stp_card_follow_ups, STP_TYPE_CARD_SECTION)

static char *
describe_follow_up (gconstpointer   record,
                    char          **out_subtitle,
                    gpointer        user_data)
{
  StpCardFollowUps *self = user_data;
  const StpFollowUp *follow_up = record;
  g_autofree char *due = stp_format_date (follow_up->due_on);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  g_string_append_printf (subtitle, _("due %s"), due);
  g_string_append_printf (subtitle, " · %s", stp_enum_to_label (STP_ENUM_FOLLOW_UP_OUTCOME, follow_up->outcome));
  if (follow_up->outcome == STP_FOLLOW_UP_PENDING && self->today != NULL &&
      g_strcmp0 (follow_up->due_on, self->today) < 0)
    g_string_append_printf (subtitle, " · %s", _("overdue"));
  if (follow_up->outcome == STP_FOLLOW_UP_DONE)
    {
      g_autofree char *done = stp_format_date (follow_up->done_on);

      g_string_append_printf (subtitle, " %s", done);
      g_string_append_printf (subtitle, " · %s: %s", _("remission"),
                              stp_enum_to_label (STP_ENUM_REMISSION, follow_up->remission));
      g_string_append_printf (subtitle, " (%s)", stp_enum_to_label (STP_ENUM_VERIFICATION, follow_up->verified_by));
      if (follow_up->employed)
        g_string_append_printf (subtitle, " · %s", _("employed"));
      if (follow_up->housing)
        g_string_append_printf (subtitle, " · %s", _("has housing"));
      if (follow_up->returned_to_family)
        g_string_append_printf (subtitle, " · %s", _("returned to the family"));
      if (follow_up->documents_restored)
        g_string_append_printf (subtitle, " · %s", _("documents restored"));
      if (follow_up->attends_groups)
        g_string_append_printf (subtitle, " · %s", _("attends groups"));
    }
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);
  /* Translators: a follow-up's title: "After 6 months". */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "After %d month", "After %d months", follow_up->months),
                          follow_up->months);
}

static gboolean
prepare_follow_up (gpointer   record,
                   gboolean   is_new,
                   GError   **error,
                   gpointer   user_data)
{
  StpCardFollowUps *self = user_data;
  StpFollowUp *follow_up = record;

  /* A date typed in means the follow-up took place. */
  if (follow_up->outcome == STP_FOLLOW_UP_PENDING && follow_up->done_on != NULL)
    follow_up->outcome = STP_FOLLOW_UP_DONE;
  if (follow_up->outcome != STP_FOLLOW_UP_PENDING && follow_up->done_on == NULL)
    follow_up->done_on = stp_store_today (stp_card_section_get_store (STP_CARD_SECTION (self)));
  return TRUE;
}

static void
stp_card_follow_ups_finalize (GObject *object)
{
  StpCardFollowUps *self = (StpCardFollowUps *) object;

  g_clear_object (&self->follow_ups);
  g_clear_pointer (&self->today, g_free);

  G_OBJECT_CLASS (stp_card_follow_ups_parent_class)->finalize (object);
}

static void
reload_section (StpCardSection *section)
{
  StpCardFollowUps *self = STP_CARD_FOLLOW_UPS (section);
  StpStore *store = stp_card_section_get_store (section);
  g_autoptr(StpEpisode) episode = NULL;

  g_free (self->today);
  self->today = stp_store_today (store);
  episode = stp_store_get_latest_episode (store, stp_card_section_get_session (section),
                                          stp_card_section_get_resident_id (section), NULL);
  stp_record_editor_set_parent (self->follow_ups, episode ? episode->meta.id : NULL);
}

static void
setup_section (StpCardSection *section)
{
  StpCardFollowUps *self = STP_CARD_FOLLOW_UPS (section);

  self->follow_ups = stp_record_editor_new (G_OBJECT (self), stp_card_section_get_store (section),
                                            stp_card_section_get_session (section), STP_KIND_FOLLOW_UP,
                                            "episode_id", G_STRUCT_OFFSET (StpFollowUp, episode_id),
                                            follow_up_fields, _("Follow-ups after discharge"),
                                            _("Outcome of the selected follow-up"),
                                            describe_follow_up, self);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (stp_record_editor_get_list (self->follow_ups)),
                                         _("Scheduled at discharge: 1, 3, 6, 12 and 24 months. Press the pencil to record an outcome; “lost contact” is an outcome too."));
  stp_record_editor_set_can_add (self->follow_ups, FALSE);
  stp_record_editor_set_can_delete (self->follow_ups, FALSE);
  stp_record_editor_set_prepare (self->follow_ups, prepare_follow_up);
  stp_card_section_add_editor (section, self->follow_ups);

  reload_section (section);
}

static void
stp_card_follow_ups_class_init (StpCardFollowUpsClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_follow_ups_finalize;
  section_class->setup = setup_section;
  section_class->reload = reload_section;
  stp_card_section_class_set_template_from_resource (section_class, "/org/stupeni/Stupeni/stp-card-follow-ups.ui");
}

static void
stp_card_follow_ups_init (StpCardFollowUps *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
stp_card_follow_ups_new (StpStore   *store,
                         StpSession *session,
                         const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_FOLLOW_UPS, store, session, resident_id);
}
