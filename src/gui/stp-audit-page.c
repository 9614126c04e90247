#define G_LOG_DOMAIN "stp-audit-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-audit-page.h"
#include "stp-audit-item.h"

#include <string.h>

/* The newest events; older ones stay in the database. */
#define AUDIT_LIMIT 5000

struct _StpAuditPage
{
  GtkBox           parent_instance;

  StpStore        *store;
  StpSession      *session;

  GtkLabel        *summary_label;
  GtkNoSelection  *selection;
  GListStore      *events;
  GtkFilterListModel *filter_model;
  GtkBox          *filter_box;

  /* Filters: by user, action, period and resident. */
  GtkDropDown     *user_dropdown;
  GtkStringList   *user_names;
  GPtrArray       *user_logins;     /* parallel to user_names after «all» */
  GtkDropDown     *action_dropdown;
  GtkDropDown     *period_dropdown;
  GtkSearchEntry  *resident_entry;
  GtkCustomFilter *filter;
  char            *period_since;    /* UTC ISO 8601, or NULL */
  char            *summary;         /* the count line without filters */
};

G_DEFINE_FINAL_TYPE (StpAuditPage, stp_audit_page, GTK_TYPE_BOX)

/* The periods of the period filter, in days back (0: all time). */
static const int period_days[] = { 0, 1, 7, 30 };

static gboolean
match_event (gpointer item,
             gpointer user_data)
{
  StpAuditPage *self = user_data;
  StpAuditItem *event = item;
  guint user = gtk_drop_down_get_selected (self->user_dropdown);
  guint action = gtk_drop_down_get_selected (self->action_dropdown);
  const char *resident = gtk_editable_get_text (GTK_EDITABLE (self->resident_entry));

  if (user != GTK_INVALID_LIST_POSITION && user > 0 && user - 1 < self->user_logins->len
      && g_strcmp0 (stp_audit_item_get_login (event), g_ptr_array_index (self->user_logins, user - 1)) != 0)
    return FALSE;
  if (action != GTK_INVALID_LIST_POSITION && action > 0
      && stp_audit_item_get_action_code (event) != stp_enum_get_items (STP_ENUM_AUDIT_ACTION)[action - 1].value)
    return FALSE;
  if (self->period_since != NULL && g_strcmp0 (stp_audit_item_get_at (event), self->period_since) < 0)
    return FALSE;
  if (resident != NULL && *resident != '\0')
    {
      g_autofree char *want = g_utf8_casefold (resident, -1);
      g_autofree char *name = stp_audit_item_get_resident_name (event) != NULL
                              ? g_utf8_casefold (stp_audit_item_get_resident_name (event), -1)
                              : NULL;

      if (name == NULL || strstr (name, want) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* How many events there are, and how many the filters leave. */
static void
update_summary (StpAuditPage *self)
{
  guint total = g_list_model_get_n_items (G_LIST_MODEL (self->events));
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  g_autofree char *text = NULL;

  if (self->summary == NULL)
    return;
  if (shown == total)
    {
      gtk_label_set_text (self->summary_label, self->summary);
      return;
    }
  /* TRANSLATORS: the whole summary, then how many rows the filters leave */
  text = g_strdup_printf (_("%s Shown: %u."), self->summary, shown);
  gtk_label_set_text (self->summary_label, text);
}

static void
filter_changed (StpAuditPage *self)
{
  guint period = gtk_drop_down_get_selected (self->period_dropdown);

  g_clear_pointer (&self->period_since, g_free);
  if (period != GTK_INVALID_LIST_POSITION && period > 0 && period < G_N_ELEMENTS (period_days))
    {
      g_autoptr(GDateTime) now = g_date_time_new_from_unix_local (stp_store_now (self->store) / G_USEC_PER_SEC);
      g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (now),
                                                             g_date_time_get_month (now),
                                                             g_date_time_get_day_of_month (now), 0, 0, 0);
      g_autoptr(GDateTime) since = g_date_time_add_days (midnight, 1 - period_days[period]);
      g_autoptr(GDateTime) since_utc = g_date_time_to_utc (since);

      self->period_since = g_date_time_format (since_utc, "%Y-%m-%dT%H:%M:%S");
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_summary (self);
}

/* The users who appear in the log, by name, for the user filter. */
static void
fill_users (StpAuditPage *self)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autofree char *selected = NULL;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->events));
  guint current = gtk_drop_down_get_selected (self->user_dropdown);
  guint select = 0;

  if (current != GTK_INVALID_LIST_POSITION && current > 0 && current - 1 < self->user_logins->len)
    selected = g_strdup (g_ptr_array_index (self->user_logins, current - 1));
  g_ptr_array_set_size (self->user_logins, 0);
  g_ptr_array_add (names, (gpointer) _("All users"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(StpAuditItem) event = g_list_model_get_item (G_LIST_MODEL (self->events), i);
      const char *login = stp_audit_item_get_login (event);

      if (login == NULL || g_hash_table_contains (seen, login))
        continue;
      g_hash_table_add (seen, (gpointer) login);
      g_ptr_array_add (self->user_logins, g_strdup (login));
      g_ptr_array_add (names, (gpointer) stp_audit_item_get_user (event));
      if (g_strcmp0 (login, selected) == 0)
        select = self->user_logins->len;
    }
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->user_names, 0, g_list_model_get_n_items (G_LIST_MODEL (self->user_names)),
                          (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->user_dropdown, select);
}

static GtkDropDown *
add_dropdown (StpAuditPage *self,
              const char   *name,
              const char   *accessible,
              GListModel   *model)
{
  GtkWidget *dropdown = gtk_drop_down_new (model, NULL);

  gtk_widget_set_name (dropdown, name);
  gtk_accessible_update_property (GTK_ACCESSIBLE (dropdown), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_box_append (self->filter_box, dropdown);
  g_signal_connect_swapped (dropdown, "notify::selected", G_CALLBACK (filter_changed), self);
  return GTK_DROP_DOWN (dropdown);
}

static void
build_filters (StpAuditPage *self)
{
  g_autoptr(GtkStringList) actions = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) periods = gtk_string_list_new (NULL);
  const StpEnumItem *items = stp_enum_get_items (STP_ENUM_AUDIT_ACTION);

  self->resident_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_widget_set_name (GTK_WIDGET (self->resident_entry), "audit-resident");
  gtk_widget_set_hexpand (GTK_WIDGET (self->resident_entry), TRUE);
  g_object_set (self->resident_entry, "placeholder-text", _("Resident’s name"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->resident_entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Filter by resident"), -1);
  g_signal_connect_swapped (self->resident_entry, "search-changed", G_CALLBACK (filter_changed), self);
  gtk_box_append (self->filter_box, GTK_WIDGET (self->resident_entry));

  self->user_names = gtk_string_list_new (NULL);
  self->user_logins = g_ptr_array_new_with_free_func (g_free);
  self->user_dropdown = add_dropdown (self, "audit-user", _("Filter by user"),
                                      G_LIST_MODEL (g_object_ref (self->user_names)));

  gtk_string_list_append (actions, _("All actions"));
  /* Position - 1 is the index in the enum's items. */
  for (guint i = 0; items[i].label != NULL; i++)
    gtk_string_list_append (actions, _(items[i].label));
  self->action_dropdown = add_dropdown (self, "audit-action", _("Filter by action"),
                                        G_LIST_MODEL (g_steal_pointer (&actions)));

  gtk_string_list_append (periods, _("All time"));
  gtk_string_list_append (periods, _("Today"));
  gtk_string_list_append (periods, _("Last 7 days"));
  gtk_string_list_append (periods, _("Last 30 days"));
  self->period_dropdown = add_dropdown (self, "audit-period", _("Filter by period"),
                                        G_LIST_MODEL (g_steal_pointer (&periods)));

  self->filter = gtk_custom_filter_new (match_event, self, NULL);
  gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
}

void
stp_audit_page_reload (StpAuditPage *self)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  g_return_if_fail (STP_IS_AUDIT_PAGE (self));

  events = stp_store_list_audit (self->store, self->session, AUDIT_LIMIT, &error);
  if (events == NULL)
    {
      g_list_store_remove_all (self->events);
      gtk_label_set_text (self->summary_label, error->message);
      return;
    }

  items = g_ptr_array_new_full (events->len, g_object_unref);
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (items, stp_audit_item_new (g_ptr_array_index (events, i)));
  g_list_store_splice (self->events, 0, g_list_model_get_n_items (G_LIST_MODEL (self->events)),
                       items->pdata, items->len);

  if (events->len >= AUDIT_LIMIT)
    summary = g_strdup_printf (_("The newest %u events are shown."), events->len);
  else
    summary = g_strdup_printf (_("Events: %u, newest first."), events->len);
  g_free (self->summary);
  self->summary = g_steal_pointer (&summary);
  fill_users (self);
  filter_changed (self);
}

GListModel *
stp_audit_page_get_model (StpAuditPage *self)
{
  g_return_val_if_fail (STP_IS_AUDIT_PAGE (self), NULL);

  return G_LIST_MODEL (self->selection);
}

static void
stp_audit_page_dispose (GObject *object)
{
  StpAuditPage *self = STP_AUDIT_PAGE (object);

  /* The filter widgets go with the template: no filtering on the way out. */
  if (self->user_dropdown != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->user_dropdown, self);
      g_signal_handlers_disconnect_by_data (self->action_dropdown, self);
      g_signal_handlers_disconnect_by_data (self->period_dropdown, self);
      g_signal_handlers_disconnect_by_data (self->resident_entry, self);
      self->user_dropdown = NULL;
    }
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  g_clear_object (&self->user_names);
  g_clear_object (&self->filter);
  g_clear_pointer (&self->user_logins, g_ptr_array_unref);
  g_clear_pointer (&self->period_since, g_free);
  g_clear_pointer (&self->summary, g_free);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_AUDIT_PAGE);

  G_OBJECT_CLASS (stp_audit_page_parent_class)->dispose (object);
}

static void
stp_audit_page_class_init (StpAuditPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_audit_page_dispose;

  g_type_ensure (STP_TYPE_AUDIT_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-audit-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpAuditPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, StpAuditPage, selection);
  gtk_widget_class_bind_template_child (widget_class, StpAuditPage, events);
  gtk_widget_class_bind_template_child (widget_class, StpAuditPage, filter_model);
  gtk_widget_class_bind_template_child (widget_class, StpAuditPage, filter_box);
}

static void
stp_audit_page_init (StpAuditPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_filters (self);
}

StpAuditPage *
stp_audit_page_new (StpStore   *store,
                    StpSession *session)
{
  StpAuditPage *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_AUDIT_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  /* Loaded when first shown (StpWindow reloads it on every visit). */

  return self;
}
