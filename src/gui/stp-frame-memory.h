/* stp-frame-memory.h: the memory a drawn frame uses, kept in the process. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void stp_frame_memory_init    (void);
void stp_frame_memory_trimmed (void);

G_END_DECLS
