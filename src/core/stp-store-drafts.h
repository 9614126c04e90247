/* stp-store-drafts.h: each user's unfinished intake form, kept in the
 * center database (schema/006-intake-drafts.sql).  A draft belongs to the
 * session's user: another user never reads it. */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

/* The session user's draft (the form's text, as saved), or NULL with no
 * error when there is none. */
char     *stp_store_load_intake_draft  (StpStore    *self,
                                        StpSession  *session,
                                        GError     **error);
/* Replaces the session user's draft with @data. */
gboolean  stp_store_save_intake_draft  (StpStore    *self,
                                        StpSession  *session,
                                        const char  *data,
                                        GError     **error);
/* Deletes the session user's draft (after the resident is registered). */
gboolean  stp_store_clear_intake_draft (StpStore    *self,
                                        StpSession  *session,
                                        GError     **error);

G_END_DECLS
