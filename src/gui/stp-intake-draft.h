/* stp-intake-draft.h: the unfinished intake form kept on disk, so that it
 * survives an invalid step, an accidental close and a crash. */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define STP_TYPE_INTAKE_DRAFT (stp_intake_draft_get_type ())

G_DECLARE_FINAL_TYPE (StpIntakeDraft, stp_intake_draft, STP, INTAKE_DRAFT, GObject)

/* g_get_user_data_dir()/stupeni/intake-draft.ini */
char           *stp_intake_draft_default_path (void);
/* @path may be NULL for the default path. */
StpIntakeDraft *stp_intake_draft_new          (const char     *path);
const char     *stp_intake_draft_get_path     (StpIntakeDraft *self);
/* The saved form state, or NULL when there is no draft. */
GKeyFile       *stp_intake_draft_load         (StpIntakeDraft *self);
/* Keeps @keyfile and writes it after a short pause (debounced). */
void            stp_intake_draft_update       (StpIntakeDraft *self,
                                               GKeyFile       *keyfile);
/* Writes a pending update now (atomically). */
gboolean        stp_intake_draft_flush        (StpIntakeDraft *self,
                                               GError        **error);
/* Drops a pending update and removes the file (after a successful save). */
void            stp_intake_draft_clear        (StpIntakeDraft *self);

G_END_DECLS
