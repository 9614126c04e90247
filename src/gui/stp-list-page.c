#define G_LOG_DOMAIN "stp-list-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-list-page.h"
#include "stp-gui-util.h"
#include "stp-query-worker.h"

/* More rows than this are summarized, not drawn: a boxed list is no table. */
#define MAX_ROWS 300

typedef struct
{
  StpStore   *store;
  StpSession *session;
  guint       count;
  gboolean    loading;
  gboolean    reload_pending;

  GtkLabel   *heading_label;
  GtkLabel   *summary_label;
  GtkListBox *list;
  AdwStatusPage *empty_page;
} StpListPagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (StpListPage, stp_list_page, GTK_TYPE_BOX)

enum {
  RESIDENT_ACTIVATED,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_row_activated (StpListPage   *self,
                  GtkListBoxRow *row)
{
  const char *resident_id = g_object_get_data (G_OBJECT (row), "resident-id");

  if (resident_id != NULL)
    g_signal_emit (self, signals[RESIDENT_ACTIVATED], 0, resident_id);
}

GtkWidget *
stp_list_page_new_row (const char *title,
                       const char *subtitle,
                       const char *resident_id)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), resident_id != NULL);
  g_object_set_data_full (G_OBJECT (row), "resident-id", g_strdup (resident_id), g_free);
  return row;
}

static void
query_done (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  StpListPage *self = STP_LIST_PAGE (object);
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;

  priv->loading = FALSE;
  rows = stp_query_worker_run_finish (result, &error);

  /* Disposed while the query ran. */
  if (priv->session == NULL)
    return;

  if (priv->reload_pending)
    {
      priv->reload_pending = FALSE;
      stp_list_page_reload (self);
      return;
    }

  if (rows == NULL)
    gtk_label_set_text (priv->summary_label, error->message);
  else
    {
      stp_gui_remove_all_children (GTK_WIDGET (priv->list));
      priv->count = rows->len;
      summary = STP_LIST_PAGE_GET_CLASS (self)->show (self, rows, MAX_ROWS, priv->list);
      gtk_label_set_text (priv->summary_label, summary);
    }

  g_signal_emit (self, signals[LOADED], 0);
}

void
stp_list_page_reload (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);
  StpListPageClass *klass;
  g_autoptr(GError) error = NULL;
  StpQueryWorker *worker;

  g_return_if_fail (STP_IS_LIST_PAGE (self));

  /* One reload at a time; one asked for meanwhile runs after it. */
  if (priv->loading)
    {
      priv->reload_pending = TRUE;
      return;
    }

  worker = stp_query_worker_get_for_store (priv->store, &error);
  if (worker == NULL)
    {
      /* Not on the window's connection: that one is the main thread's. */
      gtk_label_set_text (priv->summary_label, error->message);
      g_signal_emit (self, signals[LOADED], 0);
      return;
    }

  klass = STP_LIST_PAGE_GET_CLASS (self);
  priv->loading = TRUE;
  stp_query_worker_run_async (worker, self, (StpQueryFunc) klass->run_query,
                              klass->make_query (self), klass->free_query,
                              (GDestroyNotify) g_ptr_array_unref, NULL, query_done, NULL);
}

gboolean
stp_list_page_is_loading (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  g_return_val_if_fail (STP_IS_LIST_PAGE (self), FALSE);
  return priv->loading;
}

guint
stp_list_page_get_count (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  g_return_val_if_fail (STP_IS_LIST_PAGE (self), 0);
  return priv->count;
}

void
stp_list_page_set_texts (StpListPage *self,
                         const char  *heading,
                         const char  *empty_title)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  gtk_label_set_text (priv->heading_label, heading);
  adw_status_page_set_title (priv->empty_page, empty_title);
}

StpStore *
stp_list_page_get_store (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  return priv->store;
}

StpSession *
stp_list_page_get_session (StpListPage *self)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (self);

  return priv->session;
}

enum {
  PROP_0,
  PROP_STORE,
  PROP_SESSION,
  N_PROPS
};

static void
stp_list_page_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (STP_LIST_PAGE (object));

  switch (prop_id)
    {
    case PROP_STORE:
      priv->store = g_value_dup_object (value);
      break;
    case PROP_SESSION:
      priv->session = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
stp_list_page_dispose (GObject *object)
{
  StpListPagePrivate *priv = stp_list_page_get_instance_private (STP_LIST_PAGE (object));

  g_clear_object (&priv->session);
  g_clear_object (&priv->store);
  /* (GtkBox's dispose unparents the template's child.) */
  G_OBJECT_CLASS (stp_list_page_parent_class)->dispose (object);
}

static void
stp_list_page_class_init (StpListPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_list_page_dispose;
  object_class->set_property = stp_list_page_set_property;

  g_object_class_install_property (object_class, PROP_STORE,
    g_param_spec_object ("store", NULL, NULL, STP_TYPE_STORE,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property (object_class, PROP_SESSION,
    g_param_spec_object ("session", NULL, NULL, STP_TYPE_SESSION,
                         G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  signals[RESIDENT_ACTIVATED] =
    g_signal_new ("resident-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * StpListPage::loaded:
   *
   * Emitted when a reload's results are shown.
   */
  signals[LOADED] =
    g_signal_new ("loaded",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-list-page.ui");
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, heading_label);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, summary_label);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, list);
  gtk_widget_class_bind_template_child_private (widget_class, StpListPage, empty_page);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
stp_list_page_init (StpListPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
