/* test_trace.c: W3C traceparent and tracestate, accepted only when well formed. */
#include "config.h"

#include <string.h>

#include "hash.h"
#include "trace.h"
#include "testutil.h"

#define TP "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

START_TEST(traceparent)
{
	ck_assert(rp_traceparent_valid(TP));
	ck_assert(rp_traceparent_valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
	/* A later version: its first 55 characters, then only "-...". */
	ck_assert(rp_traceparent_valid("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
	ck_assert(rp_traceparent_valid("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what"));
	ck_assert(!rp_traceparent_valid("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01what"));
	ck_assert(!rp_traceparent_valid(NULL));
	ck_assert(!rp_traceparent_valid(""));
	/* Version ff, upper case, all-zero ids, wrong lengths, extra bytes. */
	ck_assert(!rp_traceparent_valid("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
	ck_assert(!rp_traceparent_valid("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"));
	ck_assert(!rp_traceparent_valid("00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
	ck_assert(!rp_traceparent_valid("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"));
	ck_assert(!rp_traceparent_valid("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"));
	ck_assert(!rp_traceparent_valid(TP "-x"));
	ck_assert(!rp_traceparent_valid(TP " "));
	ck_assert(!rp_traceparent_valid("00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01"));
	ck_assert(!rp_traceparent_valid("0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
	ck_assert(!rp_traceparent_valid("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x"));
}
END_TEST

START_TEST(tracestate)
{
	char big[600];

	ck_assert(rp_tracestate_valid("rojo=00f067aa0ba902b7"));
	ck_assert(rp_tracestate_valid("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"));
	ck_assert(rp_tracestate_valid(" rojo=1 ,\tcongo=2 ,, "));
	ck_assert(rp_tracestate_valid("tenant1@vendor=x,fw529a3039@dt=y,a_-*/9=z"));
	ck_assert(rp_tracestate_valid(""));
	ck_assert(!rp_tracestate_valid(NULL));
	ck_assert(!rp_tracestate_valid("Rojo=1"));          /* upper-case key */
	ck_assert(!rp_tracestate_valid("rojo"));            /* no value */
	ck_assert(!rp_tracestate_valid("rojo="));           /* empty value */
	ck_assert(!rp_tracestate_valid("rojo=a=b"));        /* "=" in the value */
	ck_assert(!rp_tracestate_valid("rojo=1,rojo=2"));   /* a key twice */
	ck_assert(!rp_tracestate_valid("rojo=caf\xc3\xa9")); /* not ASCII */
	ck_assert(!rp_tracestate_valid("rojo=a\r\nX-Evil: 1")); /* header injection */
	ck_assert(!rp_tracestate_valid("@vendor=1"));
	ck_assert(!rp_tracestate_valid("t@toolongsystemid1=1"));
	memset(big, 'a', sizeof(big));
	strcpy(big, "k=");
	big[2] = 'v';
	memset(big + 3, 'v', 200);
	big[203] = '\0';
	ck_assert(rp_tracestate_valid(big));
	/* 33 members: one too many. */
	big[0] = '\0';
	for (int i = 0; i < 33; i++)
		sprintf(big + strlen(big), "%sk%d=v", i ? "," : "", i);
	ck_assert(!rp_tracestate_valid(big));
}
END_TEST

START_TEST(take)
{
	struct rp_trace t;

	rp_trace_take(RP_TRACE_PROPAGATE, TP, "rojo=1", &t);
	ck_assert_str_eq(t.parent, TP);
	ck_assert_str_eq(t.state, "rojo=1");
	ck_assert_str_eq(t.trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
	ck_assert_int_eq(t.generated, 0);
	/* A malformed tracestate alone is dropped; the traceparent stays. */
	rp_trace_take(RP_TRACE_PROPAGATE, TP, "rojo=1\r\nX: y", &t);
	ck_assert_str_eq(t.parent, TP);
	ck_assert_str_eq(t.state, "");
	/* A malformed traceparent: nothing, tracestate with it. */
	rp_trace_take(RP_TRACE_PROPAGATE, "00-xyz", "rojo=1", &t);
	ck_assert_str_eq(t.parent, "");
	ck_assert_str_eq(t.state, "");
	ck_assert_str_eq(t.trace_id, "");
	/* A later version goes on as version 00. */
	rp_trace_take(RP_TRACE_PROPAGATE,
	    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-more", NULL, &t);
	ck_assert_str_eq(t.parent, TP);
	rp_trace_take(RP_TRACE_OFF, TP, "rojo=1", &t);
	ck_assert_str_eq(t.parent, "");
	ck_assert_str_eq(t.state, "");
}
END_TEST

START_TEST(generate)
{
	struct rp_trace a, b;

	ck_assert_int_eq(rp_hash_init(), RP_OK);
	rp_trace_take(RP_TRACE_GENERATE, NULL, "rojo=1", &a);
	ck_assert(rp_traceparent_valid(a.parent));
	ck_assert_int_eq(a.generated, 1);
	ck_assert_str_eq(a.state, "");
	ck_assert_int_eq(strncmp(a.parent + 3, a.trace_id, 32), 0);
	rp_trace_take(RP_TRACE_GENERATE, "garbage", NULL, &b);
	ck_assert(rp_traceparent_valid(b.parent));
	ck_assert_str_ne(a.trace_id, b.trace_id);
	/* A valid one is kept, not replaced. */
	rp_trace_take(RP_TRACE_GENERATE, TP, NULL, &b);
	ck_assert_str_eq(b.parent, TP);
	ck_assert_int_eq(b.generated, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("trace");

	tcase_add_test(tc, traceparent);
	tcase_add_test(tc, tracestate);
	tcase_add_test(tc, take);
	tcase_add_test(tc, generate);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
