/* stp-agencies.h: the center's agency directory, kept as the center
 * record's "agencies" field (one name a line).  Consent recipients and
 * referral agencies are picked from it. */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

/* The names of @text (one a line), stripped, without empty lines and
 * repeats, in their order. */
GStrv     stp_agencies_parse          (const char         *text);
/* The directory's text for @names. */
char     *stp_agencies_join           (const char * const *names);
/* The center's directory; an empty list when there is no center. */
GStrv     stp_store_list_agencies     (StpStore           *self,
                                       GError            **error);
/* Adds @name to the directory (nothing when it is there already). */
gboolean  stp_store_add_agency        (StpStore           *self,
                                       StpSession         *session,
                                       const char         *name,
                                       GError            **error);
/* Removes @name from the directory; records that name it keep it. */
gboolean  stp_store_remove_agency     (StpStore           *self,
                                       StpSession         *session,
                                       const char         *name,
                                       GError            **error);

G_END_DECLS
