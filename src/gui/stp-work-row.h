/* stp-work-row.h: one row of a working list (StpListPage): the heading
 * row of a resident, or one thing to do for that resident.  Made on the
 * query worker's thread, shown by a GtkListView. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define STP_TYPE_WORK_ROW (stp_work_row_get_type ())

G_DECLARE_FINAL_TYPE (StpWorkRow, stp_work_row, STP, WORK_ROW, GObject)

/* A resident's heading: @state says how many of theirs are overdue. */
StpWorkRow *stp_work_row_new_header      (const char *resident_id,
                                          const char *title,
                                          const char *subtitle,
                                          const char *state,
                                          gboolean    overdue);
/* One thing to do; @letter_id: the referral whose letter the row offers,
 * or NULL. */
StpWorkRow *stp_work_row_new_item        (const char *resident_id,
                                          const char *title,
                                          const char *subtitle,
                                          const char *state,
                                          gboolean    overdue,
                                          const char *letter_id);

gboolean    stp_work_row_is_header       (StpWorkRow *self);
const char *stp_work_row_get_resident_id (StpWorkRow *self);
const char *stp_work_row_get_title       (StpWorkRow *self);
const char *stp_work_row_get_subtitle    (StpWorkRow *self);
/* Said in words next to the row ("просрочено"), or NULL. */
const char *stp_work_row_get_state       (StpWorkRow *self);
gboolean    stp_work_row_get_overdue     (StpWorkRow *self);
const char *stp_work_row_get_letter_id   (StpWorkRow *self);

G_END_DECLS
