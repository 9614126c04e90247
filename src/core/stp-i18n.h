/* stp-i18n.h: message catalogue set-up shared by every program. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void stp_i18n_init (gboolean russian_by_default);

G_END_DECLS
