#define G_LOG_DOMAIN "stp-resident-window"

#include "config.h"

#include "stp-resident-window.h"
#include "stp-card-page.h"
#include "stp-card-profile.h"
#include "stp-card-program.h"
#include "stp-card-family.h"
#include "stp-card-consents.h"
#include "stp-card-journal.h"
#include "stp-card-follow-ups.h"
#include "stp-card-referrals.h"
#include "stp-card-court.h"
#include "stp-error.h"
#include "stp-record-form.h"
#include "stp-unsaved.h"
#include "stp-card-summary.h"
#include "stp-gui-util.h"

#include "stp-report-print.h"

#include <glib/gi18n-lib.h>

struct _StpResidentWindow
{
  AdwWindow   parent_instance;

  StpStore   *store;
  StpSession *session;
  char       *resident_id;
  GPtrArray  *pages;          /* the card pages once set up, unowned */
  gboolean    edits_dropped;  /* the person chose not to save */

  /* Template widgets. */
  GtkWidget  *toast_overlay;
  GtkWidget  *header_bar;
  GtkWidget  *window_title;
  GtkWidget  *header_box;
  GtkWidget  *content_stack;
  GtkWidget  *view_switcher;
  GtkWidget  *view_stack;
  GtkWidget  *status_page;
  GtkWidget  *summary_slot;
  /* The eight card pages (StpCardPage), in the order of the tabs. */
  GtkWidget  *profile_page;
  GtkWidget  *program_page;
  GtkWidget  *family_page;
  GtkWidget  *consents_page;
  GtkWidget  *journal_page;
  GtkWidget  *follow_ups_page;
  GtkWidget  *referrals_page;
  GtkWidget  *court_page;
  GtkWidget  *summary;        /* unowned, in summary_slot */
};

G_DEFINE_FINAL_TYPE (StpResidentWindow, stp_resident_window, ADW_TYPE_WINDOW)

static void
stp_resident_window_dispose (GObject *object)
{
  StpResidentWindow *self = (StpResidentWindow *) object;

  g_clear_pointer (&self->pages, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STP_TYPE_RESIDENT_WINDOW);

  G_OBJECT_CLASS (stp_resident_window_parent_class)->dispose (object);
}

static void
stp_resident_window_finalize (GObject *object)
{
  StpResidentWindow *self = (StpResidentWindow *) object;

  g_clear_object (&self->store);
  g_clear_object (&self->session);
  g_clear_pointer (&self->resident_id, g_free);

  G_OBJECT_CLASS (stp_resident_window_parent_class)->finalize (object);
}

/* Every form of the card's pages, found through their groups. */
static void
collect_forms (GtkWidget *widget,
               GPtrArray *forms)
{
  StpRecordForm *form = stp_record_form_from_widget (widget);

  if (form != NULL)
    g_ptr_array_add (forms, form);
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_forms (child, forms);
}

static GPtrArray *
list_forms (StpResidentWindow *self)
{
  GPtrArray *forms = g_ptr_array_new ();

  collect_forms (self->view_stack, forms);
  return forms;
}

gboolean
stp_resident_window_has_unsaved_edits (StpResidentWindow *self)
{
  g_autoptr(GPtrArray) forms = NULL;

  g_return_val_if_fail (STP_IS_RESIDENT_WINDOW (self), FALSE);

  if (self->edits_dropped)
    return FALSE;
  forms = list_forms (self);
  for (guint i = 0; i < forms->len; i++)
    if (stp_record_form_is_modified (g_ptr_array_index (forms, i)))
      return TRUE;
  return FALSE;
}

/* The card page (a child of the view stack) that holds @widget. */
static GtkWidget *
page_of (StpResidentWindow *self,
         GtkWidget         *widget)
{
  while (widget != NULL && gtk_widget_get_parent (widget) != self->view_stack)
    widget = gtk_widget_get_parent (widget);
  return widget;
}

gboolean
stp_resident_window_save_edits (StpResidentWindow *self)
{
  g_autoptr(GPtrArray) forms = NULL;

  g_return_val_if_fail (STP_IS_RESIDENT_WINDOW (self), FALSE);

  forms = list_forms (self);
  for (guint i = 0; i < forms->len; i++)
    {
      StpRecordForm *form = g_ptr_array_index (forms, i);

      if (stp_record_form_save (form))
        continue;
      /* Show the page whose form holds the error next to the field. */
      {
        GtkWidget *page = page_of (self, stp_record_form_get_widget (form));

        if (page != NULL)
          adw_view_stack_set_visible_child (ADW_VIEW_STACK (self->view_stack), page);
      }
      return FALSE;
    }
  return TRUE;
}

void
stp_resident_window_discard_edits (StpResidentWindow *self)
{
  g_return_if_fail (STP_IS_RESIDENT_WINDOW (self));

  self->edits_dropped = TRUE;
}

static void
close_after_question (GObject *owner)
{
  StpResidentWindow *self = STP_RESIDENT_WINDOW (owner);

  self->edits_dropped = TRUE;
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
stp_resident_window_close_request (GtkWindow *window)
{
  StpResidentWindow *self = STP_RESIDENT_WINDOW (window);

  if (stp_resident_window_has_unsaved_edits (self))
    {
      g_autoptr(GPtrArray) cards = g_ptr_array_new ();

      g_ptr_array_add (cards, self);
      stp_ask_about_unsaved_edits (window, cards, G_OBJECT (self), close_after_question);
      return TRUE;
    }

  return GTK_WINDOW_CLASS (stp_resident_window_parent_class)->close_request (window);
}

/* Ctrl+S: saves what is typed on every tab. */
static void
card_save_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  StpResidentWindow *self = STP_RESIDENT_WINDOW (widget);

  if (self->pages->len > 0 && stp_resident_window_has_unsaved_edits (self))
    stp_resident_window_save_edits (self);
}

/* Ctrl+P: the card's «Печать…» button, when the role may print. */
static void
card_print_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  StpResidentWindow *self = STP_RESIDENT_WINDOW (widget);

  for (GtkWidget *child = gtk_widget_get_first_child (self->header_box);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (g_strcmp0 (gtk_widget_get_name (child), "report-print-button") == 0)
      g_signal_emit_by_name (child, "clicked");
}

/* Alt+1…8: the tabs in order. */
static void
card_tab_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  StpResidentWindow *self = STP_RESIDENT_WINDOW (widget);
  int index = g_variant_get_int32 (parameter);

  if (index >= 0 && (guint) index < self->pages->len)
    adw_view_stack_set_visible_child (ADW_VIEW_STACK (self->view_stack),
                                      g_ptr_array_index (self->pages, index));
}

static void
stp_resident_window_class_init (StpResidentWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = stp_resident_window_dispose;
  object_class->finalize = stp_resident_window_finalize;
  window_class->close_request = stp_resident_window_close_request;

  /* The template declares the card pages. */
  g_type_ensure (STP_TYPE_CARD_PROFILE);
  g_type_ensure (STP_TYPE_CARD_PROGRAM);
  g_type_ensure (STP_TYPE_CARD_FAMILY);
  g_type_ensure (STP_TYPE_CARD_CONSENTS);
  g_type_ensure (STP_TYPE_CARD_JOURNAL);
  g_type_ensure (STP_TYPE_CARD_FOLLOW_UPS);
  g_type_ensure (STP_TYPE_CARD_REFERRALS);
  g_type_ensure (STP_TYPE_CARD_COURT);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/stupeni/Stupeni/stp-resident-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, header_box);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, view_switcher);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, summary_slot);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, profile_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, program_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, family_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, consents_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, journal_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, follow_ups_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, referrals_page);
  gtk_widget_class_bind_template_child (widget_class, StpResidentWindow, court_page);

  gtk_widget_class_install_action (widget_class, "card.save", NULL, card_save_action);
  gtk_widget_class_install_action (widget_class, "card.print", NULL, card_print_action);
  gtk_widget_class_install_action (widget_class, "card.tab", "i", card_tab_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "card.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "card.print", NULL);
  for (int i = 0; i < 8; i++)
    gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1 + i, GDK_ALT_MASK, "card.tab", "i", i);

  /* "window.close" is GtkWindow's own action. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
}

static void
stp_resident_window_init (StpResidentWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->pages = g_ptr_array_new ();
}

static void
update_title (StpResidentWindow *self,
              const StpResident *resident)
{
  g_autofree char *full_name = stp_resident_dup_full_name (resident);
  g_autofree char *subtitle = NULL;

  /* Translators: the card's subtitle: the personal file number. */
  subtitle = g_strdup_printf (_("File %s"), resident->file_number ? resident->file_number : "—");
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (self->window_title), full_name);
  adw_view_switcher_title_set_subtitle (ADW_VIEW_SWITCHER_TITLE (self->window_title), subtitle);
  gtk_window_set_title (GTK_WINDOW (self), full_name);
}

static void
on_page_changed (StpResidentWindow *self)
{
  stp_resident_window_reload (self);
}

/* Gives a page of the template its store, session and resident: the page
 * builds and loads itself then. */
static void
set_up_page (StpResidentWindow *self,
             GtkWidget         *page)
{
  g_return_if_fail (STP_IS_CARD_PAGE (page));

  g_object_set (page,
                "store", self->store,
                "session", self->session,
                "resident-id", self->resident_id,
                NULL);
  g_signal_connect_object (page, "changed", G_CALLBACK (on_page_changed), self, G_CONNECT_SWAPPED);
  g_ptr_array_add (self->pages, page);
}

static void
show_denied (StpResidentWindow *self,
             const GError      *error)
{
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (self->window_title), _("Resident card"));
  if (g_error_matches (error, STP_CORE_ERROR, STP_CORE_ERROR_PERMISSION))
    adw_status_page_set_title (ADW_STATUS_PAGE (self->status_page), _("Not enough rights"));
  else
    adw_status_page_set_title (ADW_STATUS_PAGE (self->status_page), _("The card cannot be opened"));
  adw_status_page_set_description (ADW_STATUS_PAGE (self->status_page), error->message);
  /* No tabs for a card that is not shown (its pages stay empty). */
  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (self->window_title), NULL);
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (self->view_switcher), NULL);
  gtk_stack_set_visible_child_name (GTK_STACK (self->content_stack), "denied");
}

GtkWindow *
stp_resident_window_new (GtkApplication *app,
                         StpStore       *store,
                         StpSession     *session,
                         const char     *resident_id)
{
  StpResidentWindow *self;
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (app == NULL || GTK_IS_APPLICATION (app), NULL);
  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (resident_id != NULL, NULL);

  self = g_object_new (STP_TYPE_RESIDENT_WINDOW,
                       "application", app,
                       NULL);
  self->store = g_object_ref (store);
  self->session = g_object_ref (session);
  self->resident_id = g_strdup (resident_id);

  /* Reading the card also checks the role and writes the "view" audit. */
  resident = stp_store_get_resident (store, session, resident_id, &error);
  if (resident == NULL)
    {
      show_denied (self, error);
      return GTK_WINDOW (self);
    }
  update_title (self, resident);
  /* The same strip on every tab: who, where in the program, what is wrong. */
  self->summary = stp_card_summary_new (store, session);
  adw_bin_set_child (ADW_BIN (self->summary_slot), self->summary);
  stp_card_summary_update (STP_CARD_SUMMARY (self->summary), resident);

  set_up_page (self, self->profile_page);
  set_up_page (self, self->program_page);
  set_up_page (self, self->family_page);
  set_up_page (self, self->consents_page);
  set_up_page (self, self->journal_page);
  set_up_page (self, self->follow_ups_page);
  set_up_page (self, self->referrals_page);
  set_up_page (self, self->court_page);

  stp_card_profile_set_resident (STP_CARD_PROFILE (self->profile_page), resident);
  stp_card_family_set_resident (STP_CARD_FAMILY (self->family_page), resident);

  stp_report_actions_add_to_card (self->header_box, store, session, resident_id);
  stp_gui_fix_mnemonic_names (GTK_WIDGET (self));

  return GTK_WINDOW (self);
}

const char *
stp_resident_window_get_resident_id (StpResidentWindow *self)
{
  g_return_val_if_fail (STP_IS_RESIDENT_WINDOW (self), NULL);

  return self->resident_id;
}

void
stp_resident_window_reload (StpResidentWindow *self)
{
  g_autoptr(StpResident) resident = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (STP_IS_RESIDENT_WINDOW (self));

  if (self->pages == NULL || self->pages->len == 0)
    return;
  /* One read for the whole card; the "view" was logged when it opened. */
  resident = stp_store_reread_resident (self->store, self->session, self->resident_id, &error);
  if (resident != NULL)
    {
      update_title (self, resident);
      stp_card_summary_update (STP_CARD_SUMMARY (self->summary), resident);
      stp_card_profile_set_resident (STP_CARD_PROFILE (self->profile_page), resident);
      stp_card_family_set_resident (STP_CARD_FAMILY (self->family_page), resident);
    }
  for (guint i = 0; i < self->pages->len; i++)
    stp_card_page_reload (g_ptr_array_index (self->pages, i));
}
