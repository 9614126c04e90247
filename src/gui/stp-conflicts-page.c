#define G_LOG_DOMAIN "stp-conflicts-page"

#include "config.h"

#include "stp-conflicts-page.h"
#include "stp-conflict-item.h"
#include "stp-sync-engine.h"
#include "stp-sync-store.h"

#include <glib/gi18n-lib.h>

struct _StpConflictsPage
{
  GtkBox          parent_instance;

  StpStore       *store;
  StpSession     *session;
  StpSyncEngine  *engine;
  GListStore     *model;

  GtkStack       *stack;
  GtkListBox     *list;
  GtkLabel       *message_label;
  GtkLabel       *intro_label;
};

G_DEFINE_FINAL_TYPE (StpConflictsPage, stp_conflicts_page, GTK_TYPE_BOX)

/* How long a resolved conflict stays on the page. */
#define RESOLVED_SHOWN_USEC (7 * G_TIME_SPAN_DAY)

static char *
describe_version (StpConflictsPage *self,
                  const char       *value,
                  gboolean          hidden,
                  const char       *device,
                  gint64            usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%d.%m.%Y %H:%M") : g_strdup ("");
  g_autofree char *who = NULL;
  const char *shown;

  if (g_strcmp0 (device, stp_store_get_device_id (self->store)) == 0)
    who = g_strdup (_("this computer"));
  else
    who = g_strdup_printf (_("computer %.8s"), device ? device : "");
  if (hidden)
    shown = _("(hidden: health data)");
  else if (value == NULL || *value == '\0')
    shown = _("(empty)");
  else
    shown = value;
  /* TRANSLATORS: value, then who and when: «Иванов» — этот компьютер, 01.02.2026 10:00 */
  return g_strdup_printf (_("«%s» — %s, %s"), shown, who, when);
}

static void resolve (StpConflictsPage *self, GtkButton *button, gboolean keep_loser);

static void
on_keep_winner (GtkButton        *button,
                StpConflictsPage *self)
{
  resolve (self, button, FALSE);
}

static void
on_keep_loser (GtkButton        *button,
               StpConflictsPage *self)
{
  resolve (self, button, TRUE);
}

/* A conflict settled here or on another computer: who and when, and the
 * value the field has now; nothing to choose any more. */
static void
append_resolved (StpConflictsPage  *self,
                 GtkBox            *box,
                 const StpConflict *c)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601 (c->resolved_at, NULL);
  g_autoptr(GDateTime) local = utc ? g_date_time_to_local (utc) : NULL;
  g_autofree char *when = local ? g_date_time_format (local, "%d.%m.%Y %H:%M") : g_strdup ("");
  g_autofree char *status = NULL;
  g_autofree char *now_text = NULL;
  GtkWidget *label;

  if (c->resolved_by == NULL)
    /* TRANSLATORS: %s is a date and time */
    status = g_strdup_printf (_("Resolved on another computer, %s"), when);
  else
    /* TRANSLATORS: login, then date and time */
    status = g_strdup_printf (_("Resolved by %s, %s"), c->resolved_by, when);
  label = gtk_label_new (status);
  gtk_widget_set_name (label, "conflict-resolved");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "success");
  gtk_box_append (box, label);

  if (c->hidden)
    now_text = g_strdup (_("Value now: (hidden: health data)"));
  else if (c->current_value == NULL || *c->current_value == '\0')
    now_text = g_strdup (_("Value now: (empty)"));
  else
    now_text = g_strdup_printf (_("Value now: «%s»"), c->current_value);
  label = gtk_label_new (now_text);
  gtk_widget_set_name (label, "conflict-value-now");
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (box, label);
  gtk_widget_add_css_class (GTK_WIDGET (box), "conflict-resolved");
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  StpConflictsPage *self = user_data;
  const StpConflict *c = stp_conflict_item_get_conflict (item);
  g_autofree char *title = NULL;
  g_autofree char *winner = NULL;
  g_autofree char *loser = NULL;
  g_autofree char *winner_text = NULL;
  g_autofree char *loser_text = NULL;
  GtkWidget *box, *label, *buttons, *button;

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  title = g_strdup_printf ("%s — %s",
                           c->resident_name && *c->resident_name ? c->resident_name : c->table,
                           _(c->field_label));
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);

  if (c->resolved_at != NULL)
    {
      append_resolved (self, GTK_BOX (box), c);
      return box;
    }

  winner = describe_version (self, c->winner_value, c->hidden, c->winner_device, c->winner_usec);
  loser = describe_version (self, c->loser_value, c->hidden, c->loser_device, c->loser_usec);
  winner_text = g_strdup_printf (_("In effect: %s"), winner);
  loser_text = g_strdup_printf (_("Other value: %s"), loser);
  label = gtk_label_new (winner_text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_box_append (GTK_BOX (box), label);
  label = gtk_label_new (loser_text);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);

  buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_halign (buttons, GTK_ALIGN_END);
  button = gtk_button_new_with_label (_("Keep Value in Effect"));
  gtk_widget_set_name (button, "keep-winner");
  g_object_set_data_full (G_OBJECT (button), "conflict-id64", g_memdup2 (&c->id, sizeof c->id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_keep_winner), self);
  gtk_box_append (GTK_BOX (buttons), button);
  button = gtk_button_new_with_label (_("Restore Other Value"));
  gtk_widget_set_name (button, "keep-loser");
  g_object_set_data_full (G_OBJECT (button), "conflict-id64", g_memdup2 (&c->id, sizeof c->id), g_free);
  g_signal_connect (button, "clicked", G_CALLBACK (on_keep_loser), self);
  gtk_box_append (GTK_BOX (buttons), button);
  gtk_widget_set_sensitive (buttons, !c->hidden && stp_session_can (self->session, STP_PERMISSION_EDIT_CARE));
  gtk_box_append (GTK_BOX (box), buttons);

  return box;
}

void
stp_conflicts_page_reload (StpConflictsPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GPtrArray) items = NULL;

  g_return_if_fail (STP_IS_CONFLICTS_PAGE (self));

  conflicts = stp_sync_store_list_conflicts (self->store, self->session, &error);
  if (conflicts != NULL)
    {
      /* Then the ones resolved in the last week, here or elsewhere, so that
       * a choice made on another computer shows as made. */
      g_autoptr(GPtrArray) resolved =
        stp_sync_store_list_resolved_conflicts (self->store, self->session,
                                                stp_store_now (self->store) - RESOLVED_SHOWN_USEC,
                                                &error);

      gtk_label_set_label (self->intro_label,
                           conflicts->len > 0
                           ? _("The same field was changed on two computers. The newer value is in effect; "
                               "keep it or restore the other one.")
                           : _("No open conflicts. Below are the ones resolved during the last week."));
      if (resolved == NULL)
        g_clear_pointer (&conflicts, g_ptr_array_unref);
      else
        {
          g_ptr_array_set_free_func (resolved, NULL);
          for (guint i = 0; i < resolved->len; i++)
            g_ptr_array_add (conflicts, g_ptr_array_index (resolved, i));
        }
    }
  if (conflicts == NULL)
    {
      g_list_store_remove_all (self->model);
      gtk_label_set_label (self->message_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }
  g_ptr_array_set_free_func (conflicts, NULL);
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < conflicts->len; i++)
    g_ptr_array_add (items, stp_conflict_item_new (g_ptr_array_index (conflicts, i)));
  g_list_store_splice (self->model, 0, g_list_model_get_n_items (G_LIST_MODEL (self->model)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "list" : "empty");
}

static void
resolve (StpConflictsPage *self,
         GtkButton        *button,
         gboolean          keep_loser)
{
  g_autoptr(GError) error = NULL;
  gint64 *id = g_object_get_data (G_OBJECT (button), "conflict-id64");

  if (id == NULL)
    return;
  if (!stp_sync_store_resolve_conflict (self->store, self->session, *id, keep_loser, &error))
    {
      gtk_label_set_label (self->message_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  stp_sync_engine_refresh_pending (self->engine);
  stp_conflicts_page_reload (self);
}

static void
on_last_sync (StpConflictsPage *self)
{
  stp_conflicts_page_reload (self);
}

static void
stp_conflicts_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (stp_conflicts_page_parent_class)->map (widget);
  stp_conflicts_page_reload (STP_CONFLICTS_PAGE (widget));
}

static void
stp_conflicts_page_dispose (GObject *object)
{
  StpConflictsPage *self = STP_CONFLICTS_PAGE (object);

  if (self->engine != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->engine, self);
      g_clear_object (&self->engine);
    }
  g_clear_object (&self->model);
  g_clear_object (&self->session);
  g_clear_object (&self->store);
  gtk_widget_dispose_template (GTK_WIDGET (object), STP_TYPE_CONFLICTS_PAGE);
  G_OBJECT_CLASS (stp_conflicts_page_parent_class)->dispose (object);
}

static void
stp_conflicts_page_class_init (StpConflictsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_conflicts_page_dispose;
  widget_class->map = stp_conflicts_page_map;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-conflicts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpConflictsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, StpConflictsPage, list);
  gtk_widget_class_bind_template_child (widget_class, StpConflictsPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, StpConflictsPage, intro_label);
}

static void
stp_conflicts_page_init (StpConflictsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->model = g_list_store_new (STP_TYPE_CONFLICT_ITEM);
  gtk_list_box_bind_model (self->list, G_LIST_MODEL (self->model), create_row, self, NULL);
}

GtkWidget *
stp_conflicts_page_new (StpStore   *store,
                        StpSession *session)
{
  StpConflictsPage *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_CONFLICTS_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->engine = g_object_ref (stp_sync_engine_get_for_store (store));
  g_signal_connect_swapped (self->engine, "notify::last-sync", G_CALLBACK (on_last_sync), self);
  stp_conflicts_page_reload (self);
  return GTK_WIDGET (self);
}
