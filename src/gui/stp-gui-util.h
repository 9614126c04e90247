/* stp-gui-util.h: small helpers shared by the windows of the shell. */
#pragma once

#include <gtk/gtk.h>
#include "stp-i18n.h"

G_BEGIN_DECLS

/* A UTC ISO 8601 moment → local "дд.мм.гггг чч:мм"; "" for NULL. */
char      *stp_gui_format_moment      (const char *iso_moment);
/* Whole days from @from to @to ("YYYY-MM-DD"), or -1 when either is invalid. */
int        stp_gui_days_between       (const char *from,
                                       const char *to);
/* Full years from @birth_date to @today, or -1. */
int        stp_gui_age                (const char *birth_date,
                                       const char *today);
/* Removes every child of a GtkBox or GtkListBox. */
void       stp_gui_remove_all_children (GtkWidget *box);
/* GTK 4.8 gives a button with a mnemonic label the accessible name
 * "_Далее" (a screen reader says «_Далее Далее»).  Names every such button
 * under @root by its text without the underscore; call it again after
 * changing a button's label. */
void       stp_gui_fix_mnemonic_names  (GtkWidget *root);

G_END_DECLS
