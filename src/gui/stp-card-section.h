/* stp-card-section.h: StpCardSection, what the resident card's section
 * pages (profile, program, family, consents, journal, follow-ups,
 * referrals, court) have in common: an AdwBin whose frame is a scrolled,
 * clamped vertical box — in a template of the section's own, bound as
 * "box", or, for a section without a template, made when it is set up —;
 * the StpCardPage interface (the "store", "session" and
 * "resident-id" properties, "changed"), with the interface's setup and
 * reload passed on to the class's virtual functions.  A section adds its
 * forms and record editors to the box in setup, and reads them again in
 * reload. */
#pragma once

#include <adwaita.h>

#include "stp-store.h"
#include "stp-session.h"
#include "stp-record-editor.h"

G_BEGIN_DECLS

#define STP_TYPE_CARD_SECTION (stp_card_section_get_type ())

G_DECLARE_DERIVABLE_TYPE (StpCardSection, stp_card_section, STP, CARD_SECTION, AdwBin)

struct _StpCardSectionClass
{
  AdwBinClass parent_class;

  /* Builds the section's forms and editors and loads its records: called
   * once, when "store", "session" and "resident-id" have all been set. */
  void (*setup)  (StpCardSection *self);
  /* Reads the section's records again (a form being edited keeps its
   * text); NULL when everything shown comes from elsewhere. */
  void (*reload) (StpCardSection *self);
};

/* For a section's class_init: sets the template (a resource), which must
 * hold a GtkBox with the id "box" where the section's groups go.  The
 * section's init calls gtk_widget_init_template(); StpCardSection's
 * dispose disposes it.  A section that does not call this gets the frame
 * in code, when it is set up (the program page). */
void        stp_card_section_class_set_template_from_resource (StpCardSectionClass *klass,
                                                               const char          *resource_name);

/* g_object_new() with the three properties: for tests and the sections'
 * own stp_card_X_new(). */
GtkWidget  *stp_card_section_new              (GType            type,
                                               StpStore        *store,
                                               StpSession      *session,
                                               const char      *resident_id);

StpStore   *stp_card_section_get_store        (StpCardSection  *self);
StpSession *stp_card_section_get_session      (StpCardSection  *self);
const char *stp_card_section_get_resident_id  (StpCardSection  *self);

/* Adds a group at the end of the section's box. */
void        stp_card_section_append           (StpCardSection  *self,
                                               GtkWidget       *child);
/* Adds the editor's list and then its form at the end of the box, and
 * has the section say "changed" after each of the editor's saves,
 * deletions and undos.  The editor must have been made with the section
 * as its user data; a section that must do more on a change sets its own
 * callback afterwards. */
void        stp_card_section_add_editor       (StpCardSection  *self,
                                               StpRecordEditor *editor);

G_END_DECLS
