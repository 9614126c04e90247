#define G_LOG_DOMAIN "stp-audit-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-audit-page.h"
#include "stp-audit-item.h"

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
};

G_DEFINE_FINAL_TYPE (StpAuditPage, stp_audit_page, GTK_TYPE_BOX)

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
  gtk_label_set_text (self->summary_label, summary);
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

  g_clear_object (&self->session);
  g_clear_object (&self->store);

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
}

static void
stp_audit_page_init (StpAuditPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
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
