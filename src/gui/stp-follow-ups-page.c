#define G_LOG_DOMAIN "stp-follow-ups-page"

#include "config.h"

#include <glib/gi18n-lib.h>

#include "stp-follow-ups-page.h"
#include "stp-gui-util.h"
#include "stp-query.h"

/* Follow-ups due within this many days are listed. */
#define DAYS_AHEAD 30
/* More rows than this are summarized, not drawn: a boxed list is no table. */
#define MAX_ROWS 300

struct _StpFollowUpsPage
{
  GtkBox      parent_instance;

  StpStore   *store;
  StpSession *session;
  guint       count;

  GtkLabel   *summary_label;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (StpFollowUpsPage, stp_follow_ups_page, GTK_TYPE_BOX)

enum {
  RESIDENT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
on_row_activated (StpFollowUpsPage *self,
                  GtkListBoxRow    *row)
{
  const char *resident_id = g_object_get_data (G_OBJECT (row), "resident-id");

  if (resident_id != NULL)
    g_signal_emit (self, signals[RESIDENT_ACTIVATED], 0, resident_id);
}

void
stp_follow_ups_page_reload (StpFollowUpsPage *self)
{
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GDateTime) until_time = NULL;
  g_autofree char *today = NULL;
  g_autofree char *until = NULL;
  g_autofree char *summary = NULL;
  guint overdue = 0;

  g_return_if_fail (STP_IS_FOLLOW_UPS_PAGE (self));

  stp_gui_remove_all_children (GTK_WIDGET (self->list));
  self->count = 0;

  today = stp_store_today (self->store);
  now = g_date_time_new_from_unix_local (stp_store_now (self->store) / G_USEC_PER_SEC);
  until_time = g_date_time_add_days (now, DAYS_AHEAD);
  until = g_date_time_format (until_time, "%Y-%m-%d");

  due = stp_store_list_follow_ups_due (self->store, self->session, today, until, &error);
  if (due == NULL)
    {
      gtk_label_set_text (self->summary_label, error->message);
      return;
    }

  self->count = due->len;
  for (guint i = 0; i < due->len; i++)
    {
      StpFollowUpDue *item = g_ptr_array_index (due, i);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *due_on = NULL;
      GtkWidget *row;

      if (item->overdue)
        overdue++;
      if (i >= MAX_ROWS)
        continue;

      due_on = stp_gui_format_date (item->follow_up->due_on);
      title = g_strdup_printf ("%s (%s)", item->resident_name,
                               item->file_number != NULL ? item->file_number : "—");
      /* TRANSLATORS: %d is 1, 3, 6, 12 or 24 months after discharge; %s is a date */
      subtitle = g_strdup_printf (_("%d months after discharge, due %s"),
                                  item->follow_up->months, due_on);

      row = adw_action_row_new ();
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "resident-id",
                              g_strdup (item->follow_up->resident_id), g_free);

      if (item->overdue)
        {
          /* Said in words, not by colour alone. */
          GtkWidget *label = gtk_label_new (_("overdue"));

          gtk_widget_add_css_class (label, "error");
          gtk_widget_add_css_class (label, "heading");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));

      gtk_list_box_append (self->list, row);
    }

  if (due->len > MAX_ROWS)
    summary = g_strdup_printf (_("Due: %u, overdue: %u. The first %u are shown."),
                               due->len, overdue, MAX_ROWS);
  else
    summary = g_strdup_printf (_("Due: %u, overdue: %u."), due->len, overdue);
  gtk_label_set_text (self->summary_label, summary);
}

guint
stp_follow_ups_page_get_count (StpFollowUpsPage *self)
{
  g_return_val_if_fail (STP_IS_FOLLOW_UPS_PAGE (self), 0);

  return self->count;
}

static void
stp_follow_ups_page_dispose (GObject *object)
{
  StpFollowUpsPage *self = STP_FOLLOW_UPS_PAGE (object);

  g_clear_object (&self->session);
  g_clear_object (&self->store);

  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_FOLLOW_UPS_PAGE);

  G_OBJECT_CLASS (stp_follow_ups_page_parent_class)->dispose (object);
}

static void
stp_follow_ups_page_class_init (StpFollowUpsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = stp_follow_ups_page_dispose;

  signals[RESIDENT_ACTIVATED] =
    g_signal_new ("resident-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-follow-ups-page.ui");
  gtk_widget_class_bind_template_child (widget_class, StpFollowUpsPage, summary_label);
  gtk_widget_class_bind_template_child (widget_class, StpFollowUpsPage, list);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated);
}

static void
stp_follow_ups_page_init (StpFollowUpsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

StpFollowUpsPage *
stp_follow_ups_page_new (StpStore   *store,
                         StpSession *session)
{
  StpFollowUpsPage *self;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);

  self = g_object_new (STP_TYPE_FOLLOW_UPS_PAGE, NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  /* Loaded when first shown (StpWindow reloads it on every visit). */

  return self;
}
