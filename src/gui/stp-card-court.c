#define G_LOG_DOMAIN "stp-card-court"

#include "config.h"

#include "stp-card-court.h"
#include "stp-card-section.h"
#include "stp-date-row.h"
#include "stp-record-editor.h"

#include <glib/gi18n-lib.h>

static const StpFormField obligation_fields[] = {
  { "basis", STP_FIELD_ENUM, N_("Legal basis"), G_STRUCT_OFFSET (StpCourtObligation, basis), STP_ENUM_COURT_BASIS },
  { "court", STP_FIELD_TEXT, N_("Court"), G_STRUCT_OFFSET (StpCourtObligation, court) },
  { "case_number", STP_FIELD_TEXT, N_("Case number"), G_STRUCT_OFFSET (StpCourtObligation, case_number) },
  { "decision_date", STP_FIELD_DATE, N_("Decision date (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpCourtObligation, decision_date) },
  { "term", STP_FIELD_TEXT, N_("Term"), G_STRUCT_OFFSET (StpCourtObligation, term) },
  { "supervising_body", STP_FIELD_TEXT, N_("Supervising body"), G_STRUCT_OFFSET (StpCourtObligation, supervising_body) },
  { "inspector", STP_FIELD_TEXT, N_("Inspector"), G_STRUCT_OFFSET (StpCourtObligation, inspector) },
  { NULL }
};

static const StpFormField notice_fields[] = {
  { "kind", STP_FIELD_ENUM, N_("Notice"), G_STRUCT_OFFSET (StpCourtNotice, kind), STP_ENUM_COURT_NOTICE_KIND },
  { "sent_on", STP_FIELD_DATE, N_("Sent on (dd.mm.yyyy)"), G_STRUCT_OFFSET (StpCourtNotice, sent_on) },
  { "note", STP_FIELD_TEXT, N_("Note"), G_STRUCT_OFFSET (StpCourtNotice, note) },
  { NULL }
};

struct _StpCardCourt
{
  StpCardSection   parent_instance;

  StpRecordEditor *obligations;
  StpRecordEditor *notices;
  GtkWidget       *obligation_row;   /* chooses whose notices are shown */
  GPtrArray       *obligation_ids;
  gboolean         filling;
};

G_DEFINE_FINAL_TYPE (StpCardCourt, stp_card_court, STP_TYPE_CARD_SECTION)

static char *
describe_obligation (gconstpointer   record,
                     char          **out_subtitle,
                     gpointer        user_data)
{
  const StpCourtObligation *obligation = record;
  g_autofree char *decided = stp_format_date (obligation->decision_date);
  g_autoptr(GString) subtitle = g_string_new (NULL);

  g_string_append_printf (subtitle, "%s, %s %s", obligation->court ? obligation->court : "—",
                          _("decision of"), decided);
  if (obligation->term)
    g_string_append_printf (subtitle, " · %s: %s", _("term"), obligation->term);
  if (obligation->supervising_body)
    g_string_append_printf (subtitle, " · %s", obligation->supervising_body);
  if (obligation->inspector)
    g_string_append_printf (subtitle, " · %s %s", _("inspector"), obligation->inspector);
  *out_subtitle = g_string_free (g_steal_pointer (&subtitle), FALSE);
  /* Translators: "ч. 2.1 ст. 4.1 КоАП · case 5-123/2026". */
  return g_strdup_printf (_("%s · case %s"), stp_enum_to_label (STP_ENUM_COURT_BASIS, obligation->basis),
                          obligation->case_number ? obligation->case_number : "—");
}

static char *
describe_notice (gconstpointer   record,
                 char          **out_subtitle,
                 gpointer        user_data)
{
  const StpCourtNotice *notice = record;
  g_autofree char *sent = stp_format_date (notice->sent_on);

  *out_subtitle = g_strdup_printf ("%s %s%s%s", _("sent on"), sent,
                                   notice->note ? " · " : "", notice->note ? notice->note : "");
  return g_strdup (stp_enum_to_label (STP_ENUM_COURT_NOTICE_KIND, notice->kind));
}

static void
on_obligation_selected (StpCardCourt *self)
{
  guint selected;

  if (self->filling)
    return;
  selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->obligation_row));
  stp_record_editor_set_parent (self->notices,
                                selected < self->obligation_ids->len ?
                                g_ptr_array_index (self->obligation_ids, selected) : NULL);
}

static void
fill_obligation_choices (StpCardCourt *self)
{
  GPtrArray *records = stp_record_editor_get_records (self->obligations);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = adw_combo_row_get_selected (ADW_COMBO_ROW (self->obligation_row));

  self->filling = TRUE;
  g_ptr_array_set_size (self->obligation_ids, 0);
  for (guint i = 0; i < records->len; i++)
    {
      const StpCourtObligation *obligation = g_ptr_array_index (records, i);
      g_autofree char *subtitle = NULL;
      g_autofree char *title = describe_obligation (obligation, &subtitle, self);

      gtk_string_list_append (names, title);
      g_ptr_array_add (self->obligation_ids, g_strdup (obligation->meta.id));
    }
  adw_combo_row_set_model (ADW_COMBO_ROW (self->obligation_row), G_LIST_MODEL (names));
  if (selected < records->len)
    adw_combo_row_set_selected (ADW_COMBO_ROW (self->obligation_row), selected);
  self->filling = FALSE;
  on_obligation_selected (self);
}

static gboolean
prepare_notice (gpointer   record,
                gboolean   is_new,
                GError   **error,
                gpointer   user_data)
{
  StpCourtNotice *notice = record;

  if (notice->sent_on == NULL)
    notice->sent_on = stp_store_today (stp_card_section_get_store (STP_CARD_SECTION (user_data)));
  return TRUE;
}

static void
stp_card_court_finalize (GObject *object)
{
  StpCardCourt *self = (StpCardCourt *) object;

  g_clear_object (&self->obligations);
  g_clear_object (&self->notices);
  g_clear_pointer (&self->obligation_ids, g_ptr_array_unref);

  G_OBJECT_CLASS (stp_card_court_parent_class)->finalize (object);
}

static void
reload_section (StpCardSection *section)
{
  StpCardCourt *self = STP_CARD_COURT (section);

  stp_record_editor_reload (self->obligations);
  fill_obligation_choices (self);
}

static void
setup_section (StpCardSection *section)
{
  StpCardCourt *self = STP_CARD_COURT (section);
  StpStore *store = stp_card_section_get_store (section);
  StpSession *session = stp_card_section_get_session (section);
  GtkWidget *group;

  self->obligations = stp_record_editor_new (G_OBJECT (self), store, session, STP_KIND_COURT_OBLIGATION,
                                             "resident_id", G_STRUCT_OFFSET (StpCourtObligation, resident_id),
                                             obligation_fields, _("Court obligations"),
                                             _("New court obligation"), describe_obligation, self);
  /* The decisions, then their form (a decision opened for editing shows
   * right under its list), then what was sent about the chosen one. */
  stp_card_section_add_editor (section, self->obligations);

  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Notices to the supervising body"));
  self->obligation_row = adw_combo_row_new ();
  gtk_widget_set_name (self->obligation_row, "obligation");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->obligation_row), _("Court decision"));
  g_signal_connect_swapped (self->obligation_row, "notify::selected", G_CALLBACK (on_obligation_selected), self);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), self->obligation_row);
  stp_card_section_append (section, group);

  self->notices = stp_record_editor_new (G_OBJECT (self), store, session, STP_KIND_COURT_NOTICE,
                                         "obligation_id", G_STRUCT_OFFSET (StpCourtNotice, obligation_id),
                                         notice_fields, _("Notices sent"), _("New notice"),
                                         describe_notice, self);
  stp_record_editor_set_prepare (self->notices, prepare_notice);
  stp_card_section_add_editor (section, self->notices);

  stp_record_editor_set_parent (self->obligations, stp_card_section_get_resident_id (section));
  fill_obligation_choices (self);
}

static void
stp_card_court_class_init (StpCardCourtClass *klass)
{
  StpCardSectionClass *section_class = STP_CARD_SECTION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = stp_card_court_finalize;
  section_class->setup = setup_section;
  section_class->reload = reload_section;
  stp_card_section_class_set_template_from_resource (section_class, "/org/stupeni/Stupeni/stp-card-court.ui");
}

static void
stp_card_court_init (StpCardCourt *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->obligation_ids = g_ptr_array_new_with_free_func (g_free);
}

GtkWidget *
stp_card_court_new (StpStore   *store,
                    StpSession *session,
                    const char *resident_id)
{
  return stp_card_section_new (STP_TYPE_CARD_COURT, store, session, resident_id);
}
