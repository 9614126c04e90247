/* stp-frame-shm.h: the shared memory a frame goes to the X server in, kept. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void stp_frame_shm_keep (GtkWindow *window);

G_END_DECLS
