/* stp-resident-list.h: the rows of the residents list, as a GListModel
 * whose whole content is replaced at once (a search result). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define STP_TYPE_RESIDENT_LIST (stp_resident_list_get_type ())

G_DECLARE_FINAL_TYPE (StpResidentList, stp_resident_list, STP, RESIDENT_LIST, GObject)

StpResidentList *stp_resident_list_new     (void);
/* Takes @items (StpResidentItem; may be NULL for none).  The main loop
 * never waits long, for 10 rows or 100 000 (see the .c file); the model
 * may reach its full size a few main-loop turns later: "filled" says when. */
void             stp_resident_list_replace   (StpResidentList *self,
                                              GPtrArray       *items);
gboolean         stp_resident_list_is_filled (StpResidentList *self);
/* Frees an array of rows in a thread when it is large (rows are GObjects
 * with a dozen strings each: 100 000 of them take a tenth of a second). */
void             stp_resident_list_release   (GPtrArray       *items);
/* Returns the free pages of the heap to the system after a big list was
 * freed (glibc's malloc_trim; nothing elsewhere). */
void             stp_resident_list_trim_heap (void);

G_END_DECLS
