/* turn.c: worker threads take turns to accept, the most recently idle first. */
#include "config.h"

#include "turn.h"

void
rp_turn_init(struct rp_turn *t)
{
	pthread_mutex_init(&t->mu, NULL);
	t->taken = 0;
	t->top = NULL;
}

void
rp_turn_destroy(struct rp_turn *t)
{
	pthread_mutex_destroy(&t->mu);
}

int
rp_turn_waiter_init(struct rp_turn_waiter *w)
{
	w->go = 0;
	w->next = NULL;
	return pthread_cond_init(&w->cv, NULL) == 0 ? 0 : -1;
}

void
rp_turn_waiter_destroy(struct rp_turn_waiter *w)
{
	pthread_cond_destroy(&w->cv);
}

int
rp_turn_take(struct rp_turn *t, struct rp_turn_waiter *w,
    int (*stopping)(void *ctx), void *ctx)
{
	struct rp_turn_waiter **pp;

	pthread_mutex_lock(&t->mu);
	if (!t->taken) {
		t->taken = 1;
		pthread_mutex_unlock(&t->mu);
		return 0;
	}
	w->go = 0;
	w->next = t->top;
	t->top = w;
	while (!w->go && !stopping(ctx))
		pthread_cond_wait(&w->cv, &t->mu);
	if (!w->go) {
		/* Stopping: out of the stack, so nobody hands it the turn. */
		for (pp = &t->top; *pp != NULL; pp = &(*pp)->next)
			if (*pp == w) {
				*pp = w->next;
				break;
			}
	}
	pthread_mutex_unlock(&t->mu);
	return w->go ? 0 : -1;
}

void
rp_turn_pass(struct rp_turn *t)
{
	struct rp_turn_waiter *w;

	pthread_mutex_lock(&t->mu);
	if ((w = t->top) != NULL) {
		t->top = w->next;
		w->go = 1;
		pthread_cond_signal(&w->cv);
	} else
		t->taken = 0;
	pthread_mutex_unlock(&t->mu);
}

void
rp_turn_wake_all(struct rp_turn *t)
{
	struct rp_turn_waiter *w;

	pthread_mutex_lock(&t->mu);
	for (w = t->top; w != NULL; w = w->next)
		pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&t->mu);
}
