#define G_LOG_DOMAIN "stp-card-summary"

#include "config.h"

#include "stp-card-summary.h"
#include "stp-gui-util.h"
#include "stp-query.h"

#include <glib/gi18n-lib.h>

struct _StpCardSummary
{
  GtkBox      parent_instance;

  StpStore   *store;
  StpSession *session;
  GtkWidget  *person_label;
  GtkWidget  *stage_label;
  GtkWidget  *stage_bar;
  GtkWidget  *flags_box;
};

G_DEFINE_FINAL_TYPE (StpCardSummary, stp_card_summary, GTK_TYPE_BOX)

static void
stp_card_summary_finalize (GObject *object)
{
  StpCardSummary *self = (StpCardSummary *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (stp_card_summary_parent_class)->finalize (object);
}

static void
stp_card_summary_class_init (StpCardSummaryClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = stp_card_summary_finalize;
}

static GtkWidget *
new_label (const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
stp_card_summary_init (StpCardSummary *self)
{
  GtkWidget *stage_box;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_HORIZONTAL);
  gtk_box_set_spacing (GTK_BOX (self), 18);
  gtk_widget_set_margin_start (GTK_WIDGET (self), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self), 6);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self), 6);
  gtk_widget_set_name (GTK_WIDGET (self), "card-summary");

  self->person_label = new_label ("heading");
  gtk_widget_set_name (self->person_label, "summary-person");
  gtk_box_append (GTK_BOX (self), self->person_label);

  stage_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  self->stage_label = new_label (NULL);
  gtk_widget_set_name (self->stage_label, "summary-stage");
  self->stage_bar = gtk_level_bar_new ();
  gtk_level_bar_set_mode (GTK_LEVEL_BAR (self->stage_bar), GTK_LEVEL_BAR_MODE_DISCRETE);
  gtk_widget_set_size_request (self->stage_bar, 120, -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stage_bar),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stage of the program"), -1);
  gtk_box_append (GTK_BOX (stage_box), self->stage_label);
  gtk_box_append (GTK_BOX (stage_box), self->stage_bar);
  gtk_widget_set_hexpand (stage_box, TRUE);
  gtk_box_append (GTK_BOX (self), stage_box);

  self->flags_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_name (self->flags_box, "summary-flags");
  gtk_widget_set_hexpand (self->flags_box, TRUE);
  gtk_widget_set_halign (self->flags_box, GTK_ALIGN_END);
  gtk_widget_set_valign (self->flags_box, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (self), self->flags_box);
}

GtkWidget *
stp_card_summary_new (StpStore   *store,
                      StpSession *session)
{
  StpCardSummary *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_CARD_SUMMARY, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  return GTK_WIDGET (self);
}

/* A flag says itself in words, not only in colour. */
static void
add_flag (StpCardSummary *self,
          const char     *text)
{
  GtkWidget *label = gtk_label_new (text);

  /* Three flags must not widen the window past a small screen. */
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_tooltip_text (label, text);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "caption-heading");
  gtk_box_append (GTK_BOX (self->flags_box), label);
}

/* The resident's row of the name list (stage, responsible, admission). */
static StpResidentSummary *
find_summary (StpCardSummary    *self,
              const StpResident *resident)
{
  StpResidentQuery query = STP_RESIDENT_QUERY_INIT;
  g_autoptr(GPtrArray) found = NULL;

  if (resident->file_number == NULL)
    return NULL;
  query.text = resident->file_number;
  found = stp_store_search_residents (self->store, self->session, &query, NULL);
  for (guint i = 0; found != NULL && i < found->len; i++)
    {
      StpResidentSummary *summary = g_ptr_array_index (found, i);

      if (g_strcmp0 (summary->id, resident->meta.id) == 0)
        return g_ptr_array_steal_index (found, i);
    }
  return NULL;
}

void
stp_card_summary_update (StpCardSummary    *self,
                         const StpResident *resident)
{
  g_autoptr(StpResidentSummary) summary = NULL;
  g_autofree char *today = NULL;
  g_autofree char *full_name = NULL;
  g_autoptr(GString) person = NULL;
  g_autoptr(GPtrArray) consents = NULL;
  g_autoptr(GPtrArray) follow_ups = NULL;
  g_autoptr(GPtrArray) obligations = NULL;
  gboolean consent = FALSE;
  gboolean overdue = FALSE;
  int age;

  g_return_if_fail (STP_IS_CARD_SUMMARY (self));
  g_return_if_fail (resident != NULL);

  today = stp_store_today (self->store);
  full_name = stp_resident_dup_full_name (resident);
  person = g_string_new (full_name);
  if (resident->file_number != NULL)
    /* Translators: the personal file number in the card's summary strip. */
    g_string_append_printf (person, _(" · file %s"), resident->file_number);
  age = stp_gui_age (resident->birth_date, today);
  if (age >= 0)
    /* Translators: the age in the card's summary strip. */
    g_string_append_printf (person, g_dngettext (GETTEXT_PACKAGE, " · %d year", " · %d years", age), age);
  gtk_label_set_text (GTK_LABEL (self->person_label), person->str);

  summary = find_summary (self, resident);
  if (summary != NULL && summary->stage_name != NULL)
    {
      g_autoptr(GPtrArray) stages = stp_store_list_stages (self->store, self->session, summary->program_id, NULL);
      g_autoptr(GString) text = g_string_new (NULL);
      guint n_stages = 0;
      guint current = 0;
      int day = stp_gui_days_between (summary->admitted_on, today);

      /* The stages in the program's order; the step is the current one's. */
      for (guint i = 0; stages != NULL && i < stages->len; i++)
        {
          const StpStage *stage = g_ptr_array_index (stages, i);

          if (stage->retired && g_strcmp0 (stage->meta.id, summary->stage_id) != 0)
            continue;
          n_stages++;
          if (g_strcmp0 (stage->meta.id, summary->stage_id) == 0)
            current = n_stages;
        }
      /* Translators: the current stage in the card's summary strip. */
      g_string_append_printf (text, _("Stage %u of %u: %s"), current, n_stages, summary->stage_name);
      if (day >= 0)
        /* Translators: «день N» of the program in the card's summary strip. */
        g_string_append_printf (text, _(" · day %d"), day + 1);
      if (summary->responsible_name != NULL)
        g_string_append_printf (text, " · %s", summary->responsible_name);
      gtk_label_set_text (GTK_LABEL (self->stage_label), text->str);
      gtk_level_bar_set_max_value (GTK_LEVEL_BAR (self->stage_bar), MAX (n_stages, 1));
      gtk_level_bar_set_value (GTK_LEVEL_BAR (self->stage_bar), current);
      gtk_widget_set_visible (self->stage_bar, TRUE);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (self->stage_label), _("Not in a program"));
      gtk_widget_set_visible (self->stage_bar, FALSE);
    }

  stp_gui_remove_all_children (self->flags_box);
  consents = stp_store_list (self->store, self->session, STP_KIND_CONSENT, "resident_id", resident->meta.id, NULL);
  for (guint i = 0; consents != NULL && i < consents->len; i++)
    {
      const StpConsent *c = g_ptr_array_index (consents, i);

      if (c->kind == STP_CONSENT_PERSONAL_DATA && c->withdrawn_on == NULL &&
          (c->expires_on == NULL || g_strcmp0 (c->expires_on, today) >= 0))
        consent = TRUE;
    }
  follow_ups = stp_store_list (self->store, self->session, STP_KIND_FOLLOW_UP, "resident_id", resident->meta.id, NULL);
  for (guint i = 0; follow_ups != NULL && i < follow_ups->len; i++)
    {
      const StpFollowUp *f = g_ptr_array_index (follow_ups, i);

      if (f->done_on == NULL && f->due_on != NULL && g_strcmp0 (f->due_on, today) < 0)
        overdue = TRUE;
    }
  obligations = stp_store_list (self->store, self->session, STP_KIND_COURT_OBLIGATION, "resident_id",
                                resident->meta.id, NULL);
  if (overdue)
    add_flag (self, _("Follow-up overdue"));
  if (obligations != NULL && obligations->len > 0)
    add_flag (self, _("Court obligation"));
  if (!consent)
    add_flag (self, _("No consent to process personal data"));
}
