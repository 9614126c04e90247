/* stp-intake-draft.h: the unfinished intake form of the session's user,
 * kept in the center database (stp-store-drafts.h), so that it survives an
 * invalid step, an accidental close and a crash, comes back to the same
 * user only, and is deleted when the resident is registered. */
#pragma once

#include <glib-object.h>

#include "stp-store.h"

G_BEGIN_DECLS

#define STP_TYPE_INTAKE_DRAFT (stp_intake_draft_get_type ())

G_DECLARE_FINAL_TYPE (StpIntakeDraft, stp_intake_draft, STP, INTAKE_DRAFT, GObject)

StpIntakeDraft *stp_intake_draft_new          (StpStore       *store,
                                               StpSession     *session);
/* The saved form state, or NULL when the user has no draft. */
GKeyFile       *stp_intake_draft_load         (StpIntakeDraft *self);
/* Keeps @keyfile and writes it after a short pause (debounced). */
void            stp_intake_draft_update       (StpIntakeDraft *self,
                                               GKeyFile       *keyfile);
/* Writes a pending update now. */
gboolean        stp_intake_draft_flush        (StpIntakeDraft *self,
                                               GError        **error);
/* Drops a pending update and deletes the draft (after a successful save). */
void            stp_intake_draft_clear        (StpIntakeDraft *self);

G_END_DECLS
