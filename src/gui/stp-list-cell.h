/* stp-list-cell.h: a list cell's one line of text, measured without its text. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define STP_TYPE_LIST_CELL (stp_list_cell_get_type ())
G_DECLARE_FINAL_TYPE (StpListCell, stp_list_cell, STP, LIST_CELL, GtkWidget)

GtkWidget *stp_list_cell_new       (float        xalign);
GtkLabel  *stp_list_cell_get_label (StpListCell *self);

G_END_DECLS
