/* turn.h: worker threads take turns to accept, the most recently idle first. */
#ifndef RP_FCGI_TURN_H
#define RP_FCGI_TURN_H

#include <pthread.h>

/*
 * Workers blocked in accept() are woken in the order they came, so
 * every worker would serve in rotation and keep its per-thread memory
 * warm: stack, curl handle, parser, glibc's thread cache, about 70 KiB
 * each (9 MiB of 128 workers).  Instead one worker at a time holds the
 * turn and waits for a connection; once one is pending it hands the
 * turn to the worker that became idle last (a stack): a load that needs
 * ten workers keeps about ten warm, whatever [server] threads says; the
 * others stay cold until needed.  A worker that loses the race for a
 * connection (it polled before the previous holder accepted) waits in
 * accept() outside the turn and joins the warm set.
 */
struct rp_turn_waiter {
	pthread_cond_t cv;
	int go;                          /* the turn was handed to it */
	struct rp_turn_waiter *next;     /* the next waiter, less recently idle */
};

struct rp_turn {
	pthread_mutex_t mu;
	int taken;                       /* a worker holds the turn; under mu */
	struct rp_turn_waiter *top;      /* waiters, most recently idle first */
};

void rp_turn_init(struct rp_turn *t);
void rp_turn_destroy(struct rp_turn *t);

/* 0 on success; the waiter's condition variable could not be made: -1. */
int rp_turn_waiter_init(struct rp_turn_waiter *w);
void rp_turn_waiter_destroy(struct rp_turn_waiter *w);

/*
 * Waits for the turn.  0: w holds it and must hand it on with
 * rp_turn_pass; -1: stopping(ctx) became true first (checked whenever
 * w is woken; rp_turn_wake_all wakes every waiter), and w does not
 * hold it.
 */
int rp_turn_take(struct rp_turn *t, struct rp_turn_waiter *w,
    int (*stopping)(void *ctx), void *ctx);

/* Hands the turn to the most recently idle waiter, or frees it. */
void rp_turn_pass(struct rp_turn *t);

/* Wakes every waiter so that each looks at its stopping() again. */
void rp_turn_wake_all(struct rp_turn *t);

#endif
