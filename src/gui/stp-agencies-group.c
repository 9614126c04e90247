#define G_LOG_DOMAIN "stp-agencies-group"

#include "config.h"

#include "stp-agencies-group.h"
#include "stp-agencies.h"
#include "stp-gui-util.h"
#include "stp-record-form.h"

#include <glib/gi18n-lib.h>

struct _StpAgenciesGroup
{
  AdwPreferencesGroup parent_instance;

  StpStore   *store;
  StpSession *session;
  GtkWidget  *group;
  GtkWidget  *list;
  GtkWidget  *new_row;
};

G_DEFINE_FINAL_TYPE (StpAgenciesGroup, stp_agencies_group, ADW_TYPE_PREFERENCES_GROUP)

static void
on_remove_clicked (GtkButton        *button,
                   StpAgenciesGroup *self)
{
  g_autoptr(GError) error = NULL;
  const char *name = g_object_get_data (G_OBJECT (button), "agency");

  if (!stp_store_remove_agency (self->store, self->session, name, &error))
    stp_widget_show_error (GTK_WIDGET (self), error);
  stp_agencies_group_reload (self);
}

static void
on_add (StpAgenciesGroup *self)
{
  g_autoptr(GError) error = NULL;
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->new_row));

  stp_row_set_error (self->new_row, NULL);
  if (!stp_store_add_agency (self->store, self->session, name, &error))
    {
      stp_row_set_error (self->new_row, error->message);
      return;
    }
  gtk_editable_set_text (GTK_EDITABLE (self->new_row), "");
  stp_agencies_group_reload (self);
}

static void
stp_agencies_group_finalize (GObject *object)
{
  StpAgenciesGroup *self = (StpAgenciesGroup *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (stp_agencies_group_parent_class)->finalize (object);
}

static void
stp_agencies_group_class_init (StpAgenciesGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = stp_agencies_group_finalize;
}

static void
stp_agencies_group_init (StpAgenciesGroup *self)
{
  GtkWidget *add_button;

  self->group = GTK_WIDGET (self);
  gtk_widget_set_name (self->group, "agencies");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self->group), _("Agencies"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self->group),
                                         _("Consents name their recipient and referrals their agency from this list, "
                                           "so that a consent covers the referrals to the same agency."));
  self->list = gtk_list_box_new ();
  gtk_widget_set_name (self->list, "agency-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (self->list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (self->list, "boxed-list");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), self->list);

  self->new_row = adw_entry_row_new ();
  gtk_widget_set_name (self->new_row, "new-agency");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->new_row), _("New agency"));
  add_button = gtk_button_new_from_icon_name ("list-add-symbolic");
  gtk_widget_set_name (add_button, "add-agency");
  gtk_widget_set_valign (add_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (add_button, "flat");
  gtk_widget_set_tooltip_text (add_button, _("Add the Agency"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Add the Agency"), -1);
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (self->new_row), add_button);
  g_signal_connect_swapped (add_button, "clicked", G_CALLBACK (on_add), self);
  g_signal_connect_swapped (self->new_row, "entry-activated", G_CALLBACK (on_add), self);
  /* In a list of its own: a row added to the group would go above the
   * agencies' list. */
  {
    GtkWidget *new_list = gtk_list_box_new ();

    gtk_list_box_set_selection_mode (GTK_LIST_BOX (new_list), GTK_SELECTION_NONE);
    gtk_widget_add_css_class (new_list, "boxed-list");
    gtk_widget_set_margin_top (new_list, 12);
    gtk_list_box_append (GTK_LIST_BOX (new_list), self->new_row);
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (self->group), new_list);
  }
}

GtkWidget *
stp_agencies_group_new (StpStore   *store,
                        StpSession *session)
{
  StpAgenciesGroup *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_AGENCIES_GROUP, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  stp_agencies_group_reload (self);
  return GTK_WIDGET (self);
}

void
stp_agencies_group_reload (StpAgenciesGroup *self)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;

  g_return_if_fail (STP_IS_AGENCIES_GROUP (self));

  stp_list_box_clear (GTK_LIST_BOX (self->list));
  names = stp_store_list_agencies (self->store, &error);
  if (names == NULL)
    {
      stp_widget_show_error (GTK_WIDGET (self), error);
      return;
    }
  for (guint i = 0; names[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      /* Translators: the accessible name of the button that removes an agency. */
      g_autofree char *remove_name = g_strdup_printf (_("Remove “%s”"), names[i]);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), names[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, remove_name);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove), GTK_ACCESSIBLE_PROPERTY_LABEL, remove_name, -1);
      g_object_set_data_full (G_OBJECT (remove), "agency", g_strdup (names[i]), g_free);
      g_signal_connect_object (remove, "clicked", G_CALLBACK (on_remove_clicked), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (GTK_LIST_BOX (self->list), row);
    }
  if (names[0] == NULL)
    {
      GtkWidget *empty = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (empty), _("No agencies yet: add the first one below."));
      gtk_widget_add_css_class (empty, "dim-label");
      gtk_list_box_append (GTK_LIST_BOX (self->list), empty);
    }
}

void
stp_agency_choices_fill (StpRecordForm *form,
                         const char    *field,
                         StpStore      *store,
                         GPtrArray     *records,
                         gsize          offset)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto(GStrv) names = NULL;

  g_return_if_fail (STP_IS_RECORD_FORM (form));
  g_return_if_fail (STP_IS_STORE (store));

  names = stp_store_list_agencies (store, NULL);
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, (gpointer) _("Not chosen"));
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_hash_table_add (seen, names[i]);
      g_ptr_array_add (ids, names[i]);
      g_ptr_array_add (labels, names[i]);
    }
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      const char *name = *(char **) ((guint8 *) g_ptr_array_index (records, i) + offset);

      if (name == NULL || g_hash_table_contains (seen, name))
        continue;
      g_hash_table_add (seen, (gpointer) name);
      g_ptr_array_add (ids, (gpointer) name);
      g_ptr_array_add (labels, (gpointer) name);
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  /* The ids list has a NULL first item (none): pass its length through the
   * labels, which end at the first NULL only at the end. */
  stp_record_form_set_choices (form, field, (const char * const *) ids->pdata,
                               (const char * const *) labels->pdata);
}

GtkWidget *
stp_agency_combo_row_new (const char *title,
                          StpStore   *store)
{
  GtkWidget *row = adw_combo_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  stp_agency_combo_row_refresh (ADW_COMBO_ROW (row), store);
  return row;
}

void
stp_agency_combo_row_refresh (AdwComboRow *row,
                              StpStore    *store)
{
  g_autofree char *chosen = stp_agency_combo_row_dup_name (row);
  g_autoptr(GtkStringList) list = gtk_string_list_new (NULL);
  g_auto(GStrv) names = stp_store_list_agencies (store, NULL);

  gtk_string_list_append (list, _("Not chosen"));
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    gtk_string_list_append (list, names[i]);
  adw_combo_row_set_model (row, G_LIST_MODEL (list));
  stp_agency_combo_row_set_name (row, chosen);
}

char *
stp_agency_combo_row_dup_name (AdwComboRow *row)
{
  GListModel *model = adw_combo_row_get_model (row);
  guint selected = adw_combo_row_get_selected (row);

  if (model == NULL || selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return NULL;
  return g_strdup (gtk_string_list_get_string (GTK_STRING_LIST (model), selected));
}

void
stp_agency_combo_row_set_name (AdwComboRow *row,
                               const char  *name)
{
  GtkStringList *list = GTK_STRING_LIST (adw_combo_row_get_model (row));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  if (name == NULL || *name == '\0')
    {
      adw_combo_row_set_selected (row, 0);
      return;
    }
  for (guint i = 1; i < n; i++)
    if (g_strcmp0 (gtk_string_list_get_string (list, i), name) == 0)
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  gtk_string_list_append (list, name);
  adw_combo_row_set_selected (row, n);
}
