/* stp-agencies-group.h: the center's agency directory in the settings: a
 * row for each agency with a remove button, and a row to add one. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-record-form.h"

G_BEGIN_DECLS

#define STP_TYPE_AGENCIES_GROUP (stp_agencies_group_get_type ())

G_DECLARE_FINAL_TYPE (StpAgenciesGroup, stp_agencies_group, STP, AGENCIES_GROUP, AdwPreferencesGroup)

GtkWidget *stp_agencies_group_new    (StpStore         *store,
                                      StpSession       *session);
void       stp_agencies_group_reload (StpAgenciesGroup *self);

/* Makes @field of @form (an STP_FIELD_CHOICE) a choice among the center's
 * agencies: none, the directory, and the names already in @records (at
 * @offset) that the directory no longer has. */
void       stp_agency_choices_fill   (StpRecordForm    *form,
                                      const char       *field,
                                      StpStore         *store,
                                      GPtrArray        *records,
                                      gsize             offset);

/* A combo row choosing one agency of the directory (or none). */
GtkWidget *stp_agency_combo_row_new      (const char       *title,
                                          StpStore         *store);
/* Reads the directory again, keeping the choice. */
void       stp_agency_combo_row_refresh  (AdwComboRow      *row,
                                          StpStore         *store);
/* The chosen name, or NULL. */
char      *stp_agency_combo_row_dup_name (AdwComboRow      *row);
/* Chooses @name, adding it when the directory lacks it (an older record). */
void       stp_agency_combo_row_set_name (AdwComboRow      *row,
                                          const char       *name);

G_END_DECLS
