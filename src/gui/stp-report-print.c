#define G_LOG_DOMAIN "stp-report-print"

#include "config.h"

#include "stp-report-print.h"
#include "stp-report.h"
#include "stp-record-form.h"

#include <adwaita.h>
#include <glib/gi18n-lib.h>

static void
on_begin_print (GtkPrintOperation *operation,
                GtkPrintContext   *context,
                StpReportLayout   *layout)
{
  int n_pages;

  /* Paginate for the paper the user chose; units are points. */
  n_pages = stp_report_layout_paginate (layout,
                                        gtk_print_context_get_width (context),
                                        gtk_print_context_get_height (context));
  gtk_print_operation_set_n_pages (operation, MAX (n_pages, 1));
}

static void
on_draw_page (GtkPrintOperation *operation,
              GtkPrintContext   *context,
              int                page,
              StpReportLayout   *layout)
{
  if (page < stp_report_layout_get_n_pages (layout))
    stp_report_layout_draw_page (layout, gtk_print_context_get_cairo_context (context), page);
}

char *
stp_report_print_file_name (const char *detail)
{
  static const struct { const char *detail; const char *name; } names[] = {
    /* Translators: default file names (no extension) when a report is
     * printed to a file. */
    { "resident report", N_("resident-report") },
    { "referral letter", N_("referral-letter") },
    { "census", N_("census") },
    { "follow-ups", N_("follow-ups") },
    { "center report", N_("center-report") },
  };

  for (guint i = 0; detail != NULL && i < G_N_ELEMENTS (names); i++)
    if (g_str_has_prefix (detail, names[i].detail))
      return g_strdup (g_dgettext (GETTEXT_PACKAGE, names[i].name));
  return g_strdup ("stupeni");
}

static GtkPrintOperation *
new_operation (StpReportLayout *layout,
               const char      *job_name)
{
  GtkPrintOperation *operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) page_setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) paper = gtk_paper_size_new (GTK_PAPER_NAME_A4);

  gtk_page_setup_set_paper_size_and_default_margins (page_setup, paper);
  gtk_print_operation_set_default_page_setup (operation, page_setup);
  /* The layout draws its own margins from the paper's corner. */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  gtk_print_operation_set_job_name (operation, job_name != NULL ? job_name : "stupeni");
  /* «Печать в файл» offers the report's own name, not «вывод.pdf». */
  {
    g_autoptr(GtkPrintSettings) settings = gtk_print_settings_new ();
    g_autofree char *file_name = stp_report_print_file_name (job_name);

    gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_BASENAME, file_name);
    gtk_print_operation_set_print_settings (operation, settings);
  }

  g_signal_connect_object (operation, "begin-print", G_CALLBACK (on_begin_print), layout, 0);
  g_signal_connect_object (operation, "draw-page", G_CALLBACK (on_draw_page), layout, 0);
  return operation;
}

gboolean
stp_report_print_layout (GtkWindow        *parent,
                         StpReportLayout  *layout,
                         StpStore         *store,
                         StpSession       *session,
                         const char       *entity,
                         const char       *entity_id,
                         const char       *detail,
                         GError          **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;
  GtkPrintOperationResult result;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), FALSE);
  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (STP_IS_STORE (store), FALSE);
  g_return_val_if_fail (STP_IS_SESSION (session), FALSE);

  operation = new_operation (layout, detail);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG,
                                    parent, error);
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    return FALSE;
  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    return stp_store_audit (store, session, STP_AUDIT_PRINT, entity, entity_id, detail, error);
  return TRUE;
}

gboolean
stp_report_print_layout_export (StpReportLayout  *layout,
                                const char       *path,
                                GError          **error)
{
  g_autoptr(GtkPrintOperation) operation = NULL;

  g_return_val_if_fail (STP_IS_REPORT_LAYOUT (layout), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  operation = new_operation (layout, NULL);
  gtk_print_operation_set_export_filename (operation, path);
  return gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, error) !=
         GTK_PRINT_OPERATION_RESULT_ERROR;
}

void
stp_report_show_message (GtkWidget  *widget,
                         const char *message)
{
  GtkWidget *overlay;
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (message != NULL);

  /* A long message (a refusal naming the missing consent) would be cut
   * in a toast: it goes to a dialog, readable whole. */
  overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL && !stp_message_is_long (message))
    {
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
      return;
    }

  root = gtk_widget_get_root (widget);
  if (GTK_IS_WINDOW (root))
    stp_show_message_dialog (GTK_WINDOW (root), message);
  else
    g_message ("%s", message);
}

void
stp_report_print_referral_letter (GtkWidget  *widget,
                                  StpStore   *store,
                                  StpSession *session,
                                  const char *referral_id)
{
  g_autoptr(StpReportLayout) layout = NULL;
  g_autoptr(GError) error = NULL;
  GtkRoot *root;

  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (STP_IS_STORE (store));
  g_return_if_fail (STP_IS_SESSION (session));
  g_return_if_fail (referral_id != NULL);

  layout = stp_report_layout_new ();
  root = gtk_widget_get_root (widget);
  if (!stp_report_referral_letter_render (layout, store, session, referral_id, &error) ||
      !stp_report_print_layout (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, layout, store,
                                session, "referrals", referral_id, "referral letter", &error))
    stp_report_show_message (widget, error->message);
}

/* --- The card's buttons ------------------------------------------------------ */

typedef struct
{
  StpStore   *store;
  StpSession *session;
  char       *resident_id;
} CardActions;

static void
card_actions_clear (gpointer data)
{
  CardActions *actions = data;

  g_clear_object (&actions->store);
  g_clear_object (&actions->session);
  g_free (actions->resident_id);
}

static void
card_actions_release (gpointer data)
{
  g_rc_box_release_full (data, card_actions_clear);
}

static void
on_card_print_clicked (GtkButton   *button,
                       CardActions *actions)
{
  g_autoptr(StpReportLayout) layout = stp_report_layout_new ();
  g_autoptr(GError) error = NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));

  if (!stp_report_resident_render (layout, actions->store, actions->session,
                                   actions->resident_id, &error) ||
      !stp_report_print_layout (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, layout,
                                actions->store, actions->session, "residents",
                                actions->resident_id, "resident report", &error))
    stp_report_show_message (GTK_WIDGET (button), error->message);
}

typedef struct
{
  CardActions *actions;
  GtkWidget   *button;
} SaveRequest;

static void
on_card_save_response (GtkNativeDialog *dialog,
                       int              response,
                       gpointer         user_data)
{
  SaveRequest *request = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        stp_report_show_message (request->button, _("Choose a file on this computer."));
      else if (!stp_report_resident_to_pdf (request->actions->store, request->actions->session,
                                            request->actions->resident_id, path, &error))
        stp_report_show_message (request->button, error->message);
      else
        {
          g_autofree char *name = g_file_get_basename (file);
          /* TRANSLATORS: %s is a file name. */
          g_autofree char *message = g_strdup_printf (_("Saved to %s"), name);

          stp_report_show_message (request->button, message);
        }
    }

  g_object_unref (request->button);
  card_actions_release (request->actions);
  g_free (request);
  g_object_unref (dialog);
}

static void
on_card_pdf_clicked (GtkButton   *button,
                     CardActions *actions)
{
  GtkFileChooserNative *dialog;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  SaveRequest *request;
  g_autoptr(StpResident) resident = NULL;
  g_autofree char *name = NULL;

  dialog = gtk_file_chooser_native_new (_("Save the Resident Report"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  resident = stp_store_get_resident (actions->store, actions->session, actions->resident_id, NULL);
  /* TRANSLATORS: default file name of a resident report; %s is the file number. */
  name = g_strdup_printf (_("resident-%s.pdf"),
                          resident != NULL && resident->file_number != NULL ? resident->file_number : "report");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);

  request = g_new0 (SaveRequest, 1);
  /* The card may close while the dialog is open. */
  request->actions = g_rc_box_acquire (actions);
  request->button = g_object_ref (GTK_WIDGET (button));
  g_signal_connect (dialog, "response", G_CALLBACK (on_card_save_response), request);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
stp_report_actions_add_to_card (GtkWidget  *header_box,
                                StpStore   *store,
                                StpSession *session,
                                const char *resident_id)
{
  CardActions *actions;
  GtkWidget *print_button;
  GtkWidget *pdf_button;

  g_return_if_fail (GTK_IS_BOX (header_box));
  g_return_if_fail (STP_IS_STORE (store));
  g_return_if_fail (STP_IS_SESSION (session));
  g_return_if_fail (resident_id != NULL);

  if (!stp_session_can (session, STP_PERMISSION_PRINT_RESIDENT))
    return;

  actions = g_rc_box_new0 (CardActions);
  actions->store = g_object_ref (store);
  actions->session = g_object_ref (session);
  actions->resident_id = g_strdup (resident_id);

  print_button = gtk_button_new_with_mnemonic (_("_Print…"));
  gtk_widget_set_name (print_button, "report-print-button");
  gtk_widget_set_tooltip_text (print_button, _("Print the resident report"));
  pdf_button = gtk_button_new_with_mnemonic (_("P_DF…"));
  gtk_widget_set_name (pdf_button, "report-pdf-button");
  gtk_widget_set_tooltip_text (pdf_button, _("Save the resident report as PDF"));

  /* Each button holds a reference to the data. */
  g_object_set_data_full (G_OBJECT (print_button), "stp-report-card-actions", actions,
                          card_actions_release);
  g_object_set_data_full (G_OBJECT (pdf_button), "stp-report-card-actions",
                          g_rc_box_acquire (actions), card_actions_release);
  g_signal_connect (print_button, "clicked", G_CALLBACK (on_card_print_clicked), actions);
  g_signal_connect (pdf_button, "clicked", G_CALLBACK (on_card_pdf_clicked), actions);

  gtk_box_append (GTK_BOX (header_box), print_button);
  gtk_box_append (GTK_BOX (header_box), pdf_button);
}

/* --- The referral letter's button ------------------------------------------ */

typedef struct
{
  StpStore   *store;
  StpSession *session;
  char       *referral_id;
  GtkWidget  *button;       /* unowned: the data lives on it */
} LetterActions;

static void
letter_actions_free (gpointer data)
{
  LetterActions *actions = data;

  g_clear_object (&actions->store);
  g_clear_object (&actions->session);
  g_free (actions->referral_id);
  g_free (actions);
}

static void
on_letter_print (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  LetterActions *actions = user_data;

  stp_report_print_referral_letter (actions->button, actions->store, actions->session,
                                    actions->referral_id);
}

static void
on_letter_save_pdf (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  LetterActions *actions = user_data;
  const char *path = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;

  if (!stp_report_referral_letter_to_pdf (actions->store, actions->session, actions->referral_id,
                                          path, &error))
    stp_report_show_message (actions->button, error->message);
  else
    {
      g_autofree char *name = g_path_get_basename (path);
      /* TRANSLATORS: %s is a file name. */
      g_autofree char *message = g_strdup_printf (_("Saved to %s"), name);

      stp_report_show_message (actions->button, message);
    }
}

static void
on_letter_file_chosen (GtkNativeDialog *dialog,
                       int              response,
                       gpointer         user_data)
{
  GtkWidget *button = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path == NULL)
        stp_report_show_message (button, _("Choose a file on this computer."));
      else
        gtk_widget_activate_action (button, "letter.save-pdf", "s", path);
    }
  g_object_unref (button);
  g_object_unref (dialog);
}

static void
on_letter_choose_pdf (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  LetterActions *actions = user_data;
  GtkRoot *root = gtk_widget_get_root (actions->button);
  g_autoptr(StpReferral) referral = NULL;
  g_autofree char *name = NULL;
  GtkFileChooserNative *dialog;

  referral = stp_store_get (actions->store, actions->session, STP_KIND_REFERRAL,
                            actions->referral_id, NULL);
  /* TRANSLATORS: default file name of a referral letter; %s is its number. */
  name = g_strdup_printf (_("referral-letter-%s.pdf"),
                          referral != NULL && referral->registration_number != NULL
                          ? referral->registration_number : referral != NULL && referral->sent_on != NULL
                          ? referral->sent_on : "1");
  g_strdelimit (name, "/\\", '-');
  dialog = gtk_file_chooser_native_new (_("Save the Referral Letter"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (on_letter_file_chosen),
                    g_object_ref (actions->button));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

GtkWidget *
stp_report_letter_button_new (StpStore   *store,
                              StpSession *session,
                              const char *referral_id)
{
  static const GActionEntry entries[] = {
    { "print", on_letter_print },
    { "choose-pdf", on_letter_choose_pdf },
    { "save-pdf", on_letter_save_pdf, "s" },
  };
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GMenu) menu = g_menu_new ();
  LetterActions *actions;
  GtkWidget *button;

  g_return_val_if_fail (STP_IS_STORE (store), NULL);
  g_return_val_if_fail (STP_IS_SESSION (session), NULL);
  g_return_val_if_fail (referral_id != NULL, NULL);

  button = gtk_menu_button_new ();
  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("_Letter…"));
  gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (button), TRUE);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_name (button, "letter-button");
  gtk_widget_set_tooltip_text (button, _("Print the referral letter or save it as PDF"));

  actions = g_new0 (LetterActions, 1);
  actions->store = g_object_ref (store);
  actions->session = g_object_ref (session);
  actions->referral_id = g_strdup (referral_id);
  actions->button = button;
  g_object_set_data_full (G_OBJECT (button), "stp-letter-actions", actions, letter_actions_free);
  g_action_map_add_action_entries (G_ACTION_MAP (group), entries, G_N_ELEMENTS (entries), actions);
  gtk_widget_insert_action_group (button, "letter", G_ACTION_GROUP (group));

  g_menu_append (menu, _("_Print…"), "letter.print");
  g_menu_append (menu, _("Save as _PDF…"), "letter.choose-pdf");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  return button;
}
