/* simproc.h: C tests start richprofile-sim on a free port and talk to its control endpoint. */
#ifndef RP_SIMPROC_H
#define RP_SIMPROC_H

#include <stddef.h>

/* http://127.0.0.1:PORT of the running simulator (valid after sim_start). */
extern char sim_url[128];

/*
 * Starts the built simulator with the shipped users file, on port 0,
 * and reads the URL it prints (ten seconds at most, else exits the test).
 */
void sim_start(void);

/* SIGTERM, then waits; exits the test unless it stopped with status 0. */
void sim_stop(void);

/*
 * A GET (post == 0) or POST of sim_url + path; returns the body
 * (malloc'd, NUL-terminated; caller frees) and writes the HTTP status.
 */
char *sim_http(const char *path, int post, long *status);

/* A number field of the JSON of GET /_control/stats (0 if absent). */
long sim_stat(const char *query, const char *field);

#endif
