/* test_breaker.c: opens on evidence the API is down (not one user's failures); one probe; closed or open again. */
#include "config.h"

#include <pthread.h>

#include "breaker.h"
#include "testutil.h"

static long long fake_now;

static long long
fake_clock(void)
{
	return __atomic_load_n(&fake_now, __ATOMIC_SEQ_CST);
}

/* A breaker on the fake clock: window 10 s, min_users users. */
static struct rp_breaker *
make_users(long failures, long open_ms, long min_users)
{
	struct rp_breaker_opts o = { .failures = failures, .open_ms = open_ms,
	    .window_ms = 10000, .min_users = min_users, .now_ms = fake_clock };
	struct rp_breaker *b = NULL;

	fake_now = 1000;
	ck_assert_int_eq(rp_breaker_new(&o, &b), RP_OK);
	return b;
}

/* The probe's mechanics, with any one user's failures enough. */
static struct rp_breaker *
make(long failures, long open_ms)
{
	return make_users(failures, open_ms, 1);
}

/* One admitted call of user ending with ok; asserts it was admitted. */
static void
call_of(struct rp_breaker *b, unsigned long long user, int ok)
{
	int probe;

	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_OK);
	rp_breaker_done(b, probe, ok, user);
}

static void
call(struct rp_breaker *b, int ok)
{
	call_of(b, 1, ok);
}

static enum rp_breaker_state
state(struct rp_breaker *b)
{
	struct rp_breaker_stats st;

	rp_breaker_stats(b, &st);
	return st.state;
}

START_TEST(opens_after_failures_in_window)
{
	struct rp_breaker *b = make(3, 500);
	struct rp_breaker_stats st;
	int probe;

	call(b, 0);
	call(b, 0);
	call(b, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	call(b, 0);          /* 3 of 4 failed */
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_EBREAKER);
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_EBREAKER);
	rp_breaker_stats(b, &st);
	ck_assert_uint_eq(st.opened, 1);
	ck_assert_uint_eq(st.rejected, 2);
	ck_assert_int_eq(st.window_failures, 3);
	ck_assert_int_eq(st.window_calls, 4);
	ck_assert_str_eq(rp_breaker_state_name(st.state), "open");
	rp_breaker_free(b);
}
END_TEST

/* The case: one account failing 50 times in a row. */
START_TEST(one_user_never_opens_it)
{
	struct rp_breaker *b = make_users(5, 10000, 3);
	struct rp_breaker_stats st;
	int i;

	for (i = 0; i < 50; i++) {
		call_of(b, 666, 0);
		fake_now += 10;
	}
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	/* Others are served meanwhile (call_of asserts admission). */
	call_of(b, 1, 1);
	call_of(b, 2, 1);
	/* A second failing user is still not "the API is down". */
	for (i = 0; i < 50; i++)
		call_of(b, 667, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	rp_breaker_stats(b, &st);
	ck_assert_int_eq(st.window_users, 2);
	ck_assert_int_eq(st.window_failures, 100);
	ck_assert_uint_eq(st.opened, 0);
	rp_breaker_free(b);
}
END_TEST

/* Failures from several users, under half the window's calls. */
START_TEST(minority_failures_do_not_open_it)
{
	struct rp_breaker *b = make_users(5, 10000, 3);
	int i;

	for (i = 0; i < 20; i++)
		call_of(b, 100 + (unsigned)i, 1);
	/* 19 failures from 4 users against 20 successes: under half. */
	for (i = 0; i < 19; i++)
		call_of(b, 1 + (unsigned)i % 4, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	/* The 20th makes it half: now the API counts as down. */
	call_of(b, 1, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	rp_breaker_free(b);
}
END_TEST

/* An outage: every call fails, each of another user: open at `failures`. */
START_TEST(outage_opens_within_failures)
{
	struct rp_breaker *b = make_users(5, 10000, 3);
	unsigned u;

	for (u = 0; u < 30; u++)
		call_of(b, 1000 + u, 1);
	fake_now += 10000;   /* the successes have left the window */
	for (u = 0; u < 4; u++)
		call_of(b, 2000 + u, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	call_of(b, 2004, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	rp_breaker_free(b);
}
END_TEST

/* Failures older than the window are forgotten. */
START_TEST(window_slides)
{
	struct rp_breaker *b = make_users(4, 10000, 2);
	struct rp_breaker_stats st;

	call_of(b, 1, 0);
	call_of(b, 2, 0);
	call_of(b, 1, 0);
	fake_now += 10000;
	call_of(b, 2, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	rp_breaker_stats(b, &st);
	ck_assert_int_eq(st.window_failures, 1);
	ck_assert_int_eq(st.window_users, 1);
	call_of(b, 1, 0);
	call_of(b, 2, 0);
	call_of(b, 3, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	rp_breaker_free(b);
}
END_TEST

/* After a successful probe the window starts afresh. */
START_TEST(closing_forgets_the_window)
{
	struct rp_breaker *b = make_users(3, 300, 2);
	int probe;

	call_of(b, 1, 0);
	call_of(b, 2, 0);
	call_of(b, 3, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	fake_now += 300;
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_OK);
	rp_breaker_done(b, probe, 1, 4);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	call_of(b, 1, 0);
	call_of(b, 2, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	rp_breaker_free(b);
}
END_TEST

START_TEST(one_probe_then_closed)
{
	struct rp_breaker *b = make(1, 500);
	struct rp_breaker_stats st;
	int probe, other;

	call(b, 0);
	fake_now += 499;
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_EBREAKER);
	fake_now += 1;
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_OK);
	ck_assert_int_eq(probe, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_HALF_OPEN);
	/* While the probe is out, everybody else is still refused. */
	ck_assert_int_eq(rp_breaker_enter(b, &other), RP_EBREAKER);
	fake_now += 10000;
	ck_assert_int_eq(rp_breaker_enter(b, &other), RP_EBREAKER);
	rp_breaker_done(b, probe, 1, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	call(b, 1);
	rp_breaker_stats(b, &st);
	ck_assert_uint_eq(st.probes, 1);
	ck_assert_int_eq(st.consecutive, 0);
	rp_breaker_free(b);
}
END_TEST

START_TEST(failed_probe_reopens)
{
	struct rp_breaker *b = make(2, 300);
	int probe;

	call(b, 0);
	call(b, 0);
	fake_now += 300;
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_OK);
	rp_breaker_done(b, probe, 0, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	/* A whole new open period from the probe's failure. */
	fake_now += 299;
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_EBREAKER);
	fake_now += 1;
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_OK);
	ck_assert_int_eq(probe, 1);
	rp_breaker_done(b, probe, 1, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	rp_breaker_free(b);
}
END_TEST

START_TEST(late_success_does_not_close)
{
	struct rp_breaker *b = make(2, 300);
	int slow, probe;

	/* A call admitted while closed ends well after the breaker opened. */
	ck_assert_int_eq(rp_breaker_enter(b, &slow), RP_OK);
	call(b, 0);
	call(b, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	rp_breaker_done(b, slow, 1, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_OPEN);
	ck_assert_int_eq(rp_breaker_enter(b, &probe), RP_EBREAKER);
	rp_breaker_free(b);
}
END_TEST

START_TEST(zero_failures_never_opens)
{
	struct rp_breaker *b = make(0, 300);
	int i;

	for (i = 0; i < 1000; i++)
		call(b, 0);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	rp_breaker_free(b);
}
END_TEST

START_TEST(rejects_bad_options)
{
	struct rp_breaker_opts o = { .failures = -1, .open_ms = 10 };
	struct rp_breaker *b = NULL;

	ck_assert_int_eq(rp_breaker_new(&o, &b), RP_EINVAL);
	o.failures = 1;
	o.open_ms = -5;
	ck_assert_int_eq(rp_breaker_new(&o, &b), RP_EINVAL);
	o.open_ms = 5;
	o.min_users = -1;
	ck_assert_int_eq(rp_breaker_new(&o, &b), RP_EINVAL);
	o.min_users = 0;
	o.window_ms = -1;
	ck_assert_int_eq(rp_breaker_new(&o, &b), RP_EINVAL);
	o.window_ms = 0;
	ck_assert_ptr_null(b);
	/* The real clock works too. */
	o.open_ms = 0;
	ck_assert_int_eq(rp_breaker_new(&o, &b), RP_OK);
	call(b, 0);
	call(b, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_CLOSED);
	rp_breaker_free(b);
}
END_TEST

#define NTHREADS 16

struct race {
	struct rp_breaker *b;
	pthread_barrier_t *bar;
	int admitted;
};

static void *
racer(void *arg)
{
	struct race *r = arg;
	int probe;

	pthread_barrier_wait(r->bar);
	/* The probe is never done here: the others meet it half-open. */
	r->admitted = rp_breaker_enter(r->b, &probe) == RP_OK;
	return NULL;
}

/* Many threads at the end of the open period: exactly one probe. */
START_TEST(exactly_one_probe_under_threads)
{
	struct rp_breaker *b = make(1, 100);
	pthread_barrier_t bar;
	pthread_t t[NTHREADS];
	struct race r[NTHREADS];
	int i, admitted = 0;

	call(b, 0);
	fake_now += 100;
	pthread_barrier_init(&bar, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++) {
		r[i].b = b;
		r[i].bar = &bar;
		r[i].admitted = 0;
		ck_assert_int_eq(pthread_create(&t[i], NULL, racer, &r[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		admitted += r[i].admitted;
	}
	pthread_barrier_destroy(&bar);
	ck_assert_int_eq(admitted, 1);
	ck_assert_int_eq(state(b), RP_BREAKER_HALF_OPEN);
	rp_breaker_free(b);
}
END_TEST

static void *
failer(void *arg)
{
	struct rp_breaker *b = arg;
	int i, probe;

	for (i = 0; i < 2000; i++)
		if (rp_breaker_enter(b, &probe) == RP_OK)
			rp_breaker_done(b, probe, 0, 1);
	return NULL;
}

/* Counts stay exact when threads fail at once (no lost updates). */
START_TEST(counts_under_threads)
{
	struct rp_breaker *b = make(1000000, 100);
	struct rp_breaker_stats st;
	pthread_t t[8];
	int i;

	for (i = 0; i < 8; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, failer, b), 0);
	for (i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	rp_breaker_stats(b, &st);
	ck_assert_int_eq(st.consecutive, 16000);
	ck_assert_int_eq(st.state, RP_BREAKER_CLOSED);
	rp_breaker_free(b);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("breaker");
	TCase *tc = tcase_create("breaker");

	tcase_add_test(tc, opens_after_failures_in_window);
	tcase_add_test(tc, one_user_never_opens_it);
	tcase_add_test(tc, minority_failures_do_not_open_it);
	tcase_add_test(tc, outage_opens_within_failures);
	tcase_add_test(tc, window_slides);
	tcase_add_test(tc, closing_forgets_the_window);
	tcase_add_test(tc, one_probe_then_closed);
	tcase_add_test(tc, failed_probe_reopens);
	tcase_add_test(tc, late_success_does_not_close);
	tcase_add_test(tc, zero_failures_never_opens);
	tcase_add_test(tc, rejects_bad_options);
	tcase_add_test(tc, exactly_one_probe_under_threads);
	tcase_add_test(tc, counts_under_threads);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
