/* stp-report-print.h: printing reports with GtkPrintOperation (the print
 * dialog offers a preview) and the «Print» / «PDF» buttons of a resident
 * card. */
#pragma once

#include <gtk/gtk.h>

#include "stp-report-layout.h"
#include "stp-store.h"

G_BEGIN_DECLS

/* Shows the print dialog for @layout (already rendered).  When the job is
 * sent, writes a print audit event naming @entity/@entity_id (may be NULL)
 * and @detail.  Returns FALSE with @error when printing failed; cancelling
 * is not an error. */
gboolean stp_report_print_layout        (GtkWindow        *parent,
                                         StpReportLayout  *layout,
                                         StpStore         *store,
                                         StpSession       *session,
                                         const char       *entity,
                                         const char       *entity_id,
                                         const char       *detail,
                                         GError          **error);
/* Runs the same print operation without a dialog, exporting to the PDF
 * file @path: what a printer would receive (used by tests). */
gboolean stp_report_print_layout_export (StpReportLayout  *layout,
                                         const char       *path,
                                         GError          **error);
/* Shows @message as a toast in the nearest AdwToastOverlay above @widget,
 * or in a message dialog when there is none. */
void     stp_report_show_message        (GtkWidget        *widget,
                                         const char       *message);
/* Adds «Print» and «PDF» buttons for the resident report to a card's
 * header box; nothing when the session may not print resident reports. */
void     stp_report_actions_add_to_card (GtkWidget        *header_box,
                                         StpStore         *store,
                                         StpSession       *session,
                                         const char       *resident_id);

/* Renders the referral letter for @referral_id and shows the print dialog;
 * a refusal (no consent for the recipient) is shown next to @widget. */
void     stp_report_print_referral_letter (GtkWidget  *widget,
                                           StpStore   *store,
                                           StpSession *session,
                                           const char *referral_id);

/* The file name (without extension) «Печать в файл» offers for a report
 * printed with the audit @detail ("resident report", "census", …). */
char      *stp_report_print_file_name      (const char *detail);

/* «Письмо…»: a menu button for the outgoing referral @referral_id that
 * prints its letter or saves it as PDF.  Its action group "letter" has
 * "print", "choose-pdf" (asks for a file) and "save-pdf" (a path, "s"). */
GtkWidget *stp_report_letter_button_new    (StpStore   *store,
                                            StpSession *session,
                                            const char *referral_id);

G_END_DECLS
