/* stp-demo.h: a generated, realistic center for demonstrations and
 * benchmarks.  Fictitious people only. */
#pragma once

#include "stp-store.h"

G_BEGIN_DECLS

/* Fills @store with @n_residents generated residents and their episodes,
 * stage histories, relatives, consents, journal entries, screenings,
 * follow-ups, referrals and court obligations, the same for the same @seed.
 *
 * An empty store first gets a demo center (director "director", staff
 * "staff1".."staff3" and volunteer "volunteer", all with the password
 * "stupeni-demo").  Rows are written straight into the tables in large
 * transactions: generated data is in the "already synced" state (no outbox
 * rows, no field versions), and the search tables are filled by their
 * triggers. */
gboolean stp_demo_generate (StpStore  *store,
                            guint      n_residents,
                            guint32    seed,
                            GError   **error);

G_END_DECLS
