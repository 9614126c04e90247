/* stp-check-status.h: the progress row of the full check of the database
 * file in the header bar (the check after an unclean exit, or the one asked
 * for with “Check the Database File”), and its outcome when it failed. */
#pragma once

#include <gtk/gtk.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_CHECK_STATUS (stp_check_status_get_type ())

G_DECLARE_FINAL_TYPE (StpCheckStatus, stp_check_status, STP, CHECK_STATUS, GtkBox)

GtkWidget  *stp_check_status_new   (StpStore       *store);
/* Starts a full check now (a director's action); FALSE when one runs. */
gboolean    stp_check_status_start (StpCheckStatus *self);
/* What the row says, or NULL when hidden (for tests). */
const char *stp_check_status_get_text (StpCheckStatus *self);

G_END_DECLS
