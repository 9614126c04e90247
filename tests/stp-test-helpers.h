/* stp-test-helpers.h: what every suite's tests share, compiled once into
 * tests/libstupeni-test-helpers.a (GLib only): running a command,
 * removing a temporary tree, and a throwaway PostgreSQL cluster for the
 * server and sync tests.  The GUI helpers (stp-gui-test-helpers.h) build
 * on it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs @argv (searched in PATH) and returns its output; with @status NULL
 * a failure aborts the test, else its wait status is stored there. */
char      *stp_test_run                 (const char * const *argv,
                                         int                *status);
/* The value of the line "@name: value" in @output (the admin commands'
 * answers); a missing line aborts the test. */
char      *stp_test_field               (const char         *output,
                                         const char         *name);
/* Removes @dir and everything in it (NULL: nothing). */
void       stp_test_remove_tree         (const char         *dir);

/* TRUE when the PostgreSQL server programs (initdb, pg_ctl) were found at
 * configure time. */
gboolean   stp_test_postgres_available  (void);
/* Starts a cluster of its own in a new temporary directory, as the
 * postgres user when run as root, listening only on a Unix socket in that
 * directory (libpq: "host=<dir> dbname=postgres user=postgres").  A
 * watchdog stops and removes it should this process die first.  Returns
 * the directory. */
char      *stp_test_postgres_start      (void);
/* Stops the cluster started in @dir and removes it. */
void       stp_test_postgres_stop       (const char         *dir);

G_END_DECLS
