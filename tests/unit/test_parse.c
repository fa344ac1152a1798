/* test_parse.c: the RichProfile parser against one fixture per case. */
#include "config.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rp.h"
#include "parse.h"
#include "profile.h"
#include "testutil.h"

#define FIXTURES "tests/unit/fixtures"
#define MAX_FIXTURES 256

/*
 * Every tests/unit/fixtures/NAME.xml has a NAME.expect: header lines
 * ("infos: A,B", optional "limits: max_bytes=N ..."), a line "--", then
 * the profile as dump() writes it.  Adding a case is adding two files:
 * write the .xml and the .expect header, run `tests/test_parse --draft
 * NAME` from the source tree to print the profile, check it by hand and
 * append it after the "--".
 */
static char *fixtures[MAX_FIXTURES];
static int drafting;

/* Like ck_assert_msg, and usable outside a test (in --draft mode). */
#define REQUIRE(cond, ...) do { \
	if (!(cond)) { \
		if (drafting) { \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			exit(1); \
		} \
		ck_abort_msg(__VA_ARGS__); \
	} \
} while (0)
static int nfixtures;

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
list_fixtures(void)
{
	DIR *d = opendir(rp_test_srcpath(FIXTURES));
	struct dirent *e;
	size_t n;

	if (d == NULL) {
		fprintf(stderr, "cannot open %s\n", rp_test_srcpath(FIXTURES));
		exit(99);
	}
	while ((e = readdir(d)) != NULL) {
		n = strlen(e->d_name);
		if (n > 4 && strcmp(e->d_name + n - 4, ".xml") == 0 &&
		    nfixtures < MAX_FIXTURES)
			fixtures[nfixtures++] = strndup(e->d_name, n - 4);
	}
	closedir(d);
	qsort(fixtures, (size_t)nfixtures, sizeof(fixtures[0]), by_name);
}

static char *
fixture_file(const char *name, const char *ext, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), FIXTURES "/%s%s", name, ext);
	return rp_test_slurp(rp_test_srcpath(rel), len);
}

static void
put_set(FILE *f, const char *label, rp_attrset set)
{
	char buf[1024];

	REQUIRE(rp_attrset_format(set, buf, sizeof(buf)) >= 0, "format %s",
	    label);
	fprintf(f, "%s: %s\n", label, buf[0] != '\0' ? buf : "-");
}

static void
put_str(FILE *f, const char *label, const char *s)
{
	if (s != NULL)
		fprintf(f, "%s: [%s]\n", label, s);
}

/* A canonical text of everything a profile says. */
static char *
dump(const struct rp_profile *p)
{
	char *out = NULL;
	size_t size = 0, i;
	FILE *f = open_memstream(&out, &size);
	int a, part;

	REQUIRE(f != NULL, "open_memstream failed");
	fprintf(f, "outcome: %s\n", rp_outcome_name(p->outcome));
	fprintf(f, "err: %s\n", rp_errclass(p->err));
	if (p->outcome == RP_OUT_MALFORMED)
		fprintf(f, "at: %lu:%lu\n", p->line, p->column);
	put_str(f, "reason", p->reason);
	if (p->code != 0)
		fprintf(f, "code: %ld\n", p->code);
	put_str(f, "detail", p->detail);
	put_str(f, "exception", p->exception);
	put_str(f, "privacy_url", p->privacy_url);
	put_set(f, "present", p->present);
	put_set(f, "withheld", p->withheld);
	fprintf(f, "unknown: %u\n", p->unknown);
	for (a = 0; a < RP_ATTR__COUNT; a++) {
		const struct rp_value *v = rp_profile_value(p, a);
		const char *name = rp_attr_get((enum rp_attr_id)a)->name;

		put_str(f, name, v->text);
		for (i = 0; i < v->nitems; i++)
			fprintf(f, "%s[%zu]: [%s]\n", name, i, v->items[i]);
		for (part = 0; part < RP_ADDR__COUNT; part++)
			if (rp_value_part(v, part) != NULL)
				fprintf(f, "%s.%s: [%s]\n", name,
				    rp_addr_part_name((enum rp_addr_part)part),
				    rp_value_part(v, part));
	}
	fclose(f);
	return out;
}

struct expect {
	rp_attrset infos;
	struct rp_parse_limits lim;
	const char *body;  /* into text */
	char *text;
};

static void
read_expect(const char *name, struct expect *e)
{
	char *line, *next;
	const char *bad;
	size_t badlen;

	memset(e, 0, sizeof(*e));
	e->text = fixture_file(name, ".expect", NULL);
	for (line = e->text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (strcmp(line, "--") == 0) {
			e->body = next;
			return;
		}
		if (strncmp(line, "infos: ", 7) == 0) {
			REQUIRE(rp_attrset_parse(line + 7, &e->infos, &bad,
			    &badlen) == 0, "%s.expect: bad infos", name);
		} else if (strncmp(line, "limits: ", 8) == 0) {
			sscanf(line + 8, "max_bytes=%zu max_depth=%u "
			    "max_value=%zu max_items=%zu", &e->lim.max_bytes,
			    &e->lim.max_depth, &e->lim.max_value,
			    &e->lim.max_items);
		} else
			REQUIRE(0, "%s.expect: unknown header [%s]", name, line);
	}
	REQUIRE(0, "%s.expect: no -- line", name);
}

/* Parses body fed in chunks of `chunk` bytes (0: all at once). */
static char *
parse_dump(const struct expect *e, const char *body, size_t len, size_t chunk)
{
	struct rp_parser *ps;
	struct rp_profile *p;
	size_t off, n;
	char *d;

	REQUIRE(rp_parser_new(e->infos, &e->lim, &ps) == RP_OK, "parser_new");
	if (chunk == 0)
		chunk = len;
	for (off = 0; off < len; off += n) {
		n = len - off < chunk ? len - off : chunk;
		(void)rp_parser_feed(ps, body + off, n);
	}
	REQUIRE(rp_parser_finish(ps, &p) == RP_OK, "parser_finish");
	rp_parser_free(ps);
	d = dump(p);
	rp_profile_free(p);
	return d;
}

START_TEST(fixture_gives_expected_profile)
{
	const char *name = fixtures[_i];
	struct expect e;
	size_t len;
	char *body = fixture_file(name, ".xml", &len), *got;

	read_expect(name, &e);
	got = parse_dump(&e, body, len, 0);
	ck_assert_msg(strcmp(got, e.body) == 0,
	    "%s: profile differs.\n--- expected\n%s--- got\n%s", name, e.body,
	    got);
	free(got);
	free(e.text);
	free(body);
}
END_TEST

START_TEST(fixture_same_in_any_chunks)
{
	static const size_t chunks[] = { 1, 2, 3, 7, 64 };
	const char *name = fixtures[_i];
	struct expect e;
	size_t len, i;
	char *body = fixture_file(name, ".xml", &len), *whole, *got;

	read_expect(name, &e);
	whole = parse_dump(&e, body, len, 0);
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		got = parse_dump(&e, body, len, chunks[i]);
		ck_assert_msg(strcmp(got, whole) == 0, "%s in %zu-byte chunks "
		    "differs.\n--- whole\n%s--- chunked\n%s", name, chunks[i],
		    whole, got);
		free(got);
	}
	free(whole);
	free(e.text);
	free(body);
}
END_TEST

/* The contract's cases asserted directly, as the renderer will read them. */
static struct rp_profile *
parse_fixture(const char *name, rp_attrset infos)
{
	struct rp_profile *p;
	size_t len;
	char *body = fixture_file(name, ".xml", &len);

	ck_assert_int_eq(rp_parse(infos, NULL, body, len, &p), RP_OK);
	free(body);
	return p;
}

#define BIT(a) RP_ATTR_BIT(RP_A_##a)

START_TEST(contract_granted)
{
	struct rp_profile *p = parse_fixture("contract-granted",
	    BIT(FIRSTNAME) | BIT(LASTNAME) | BIT(USERTYPE));

	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	ck_assert_str_eq(rp_status_name(rp_status_of(p)), "ok");
	ck_assert_str_eq(rp_profile_value(p, RP_A_FIRSTNAME)->text, "John");
	ck_assert_str_eq(rp_profile_value(p, RP_A_LASTNAME)->text, "Doe");
	ck_assert_uint_eq(p->withheld, 0);
	rp_profile_free(p);
}
END_TEST

START_TEST(contract_partial)
{
	rp_attrset infos = BIT(FIRSTNAME) | BIT(LASTNAME) | BIT(USERTYPE);
	struct rp_profile *p = parse_fixture("contract-partial-implicit", infos);

	ck_assert_int_eq(p->outcome, RP_OUT_PARTIAL);
	ck_assert_uint_eq(p->withheld, BIT(USERTYPE));
	ck_assert_ptr_null(p->privacy_url);
	rp_profile_free(p);
	p = parse_fixture("contract-partial-explicit", infos);
	ck_assert_int_eq(p->outcome, RP_OUT_PARTIAL);
	ck_assert_uint_eq(p->withheld, BIT(USERTYPE));
	ck_assert_str_eq(p->privacy_url, "http://privacy.orange.fr/urm-gui/"
	    "interaction.do?familly=RichProfile&serviceId=42&attributes=UserType");
	rp_profile_free(p);
}
END_TEST

START_TEST(contract_errors)
{
	static const struct {
		const char *name;
		enum rp_outcome outcome;
		long code;
	} cases[] = {
		{ "contract-privacy-refusal", RP_OUT_REFUSED, -3 },
		{ "error-102", RP_OUT_ACCOUNT, 102 },
		{ "error-103", RP_OUT_ACCOUNT, 103 },
		{ "error-203", RP_OUT_APIERROR, 203 },
		{ "error-504", RP_OUT_APIERROR, 504 },
		{ "error-999", RP_OUT_APIERROR, 999 },
		{ "error-nonnumeric", RP_OUT_APIERROR, 0 },
	};
	struct rp_profile *p;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		p = parse_fixture(cases[i].name, BIT(FIRSTNAME));
		ck_assert_msg(p->outcome == cases[i].outcome, "%s: outcome %s",
		    cases[i].name, rp_outcome_name(p->outcome));
		ck_assert_int_eq(p->code, cases[i].code);
		ck_assert_ptr_nonnull(p->detail);
		rp_profile_free(p);
	}
	p = parse_fixture("contract-privacy-refusal", BIT(FIRSTNAME));
	ck_assert_str_eq(rp_status_name(rp_status_of(p)), "consent");
	ck_assert_str_eq(p->detail, "PrivacyAccessDeniedException");
	/* XML-unescaped: the site appends &urlRetour= to exactly this. */
	ck_assert_str_eq(p->privacy_url, "http://privacy.orange.fr/urm-gui/"
	    "interaction.do?familly=RichProfile&serviceId=42&attributes="
	    "Firstname,Lastname");
	rp_profile_free(p);
}
END_TEST

START_TEST(hostile_entities_never_expanded)
{
	static const char *const names[] = {
		"hostile-billion-laughs", "hostile-xxe", "hostile-xxe-parameter",
		"hostile-external-dtd", "hostile-doctype",
	};
	struct rp_profile *p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		p = parse_fixture(names[i], BIT(FIRSTNAME));
		ck_assert_int_eq(p->outcome, RP_OUT_MALFORMED);
		ck_assert_int_eq(p->err, RP_EMALFORMED);
		ck_assert_ptr_null(rp_profile_value(p, RP_A_FIRSTNAME)->text);
		ck_assert_ptr_nonnull(strstr(p->reason, "DOCTYPE"));
		/* Refused at the DOCTYPE line, before any declaration. */
		ck_assert_uint_eq(p->line, 2);
		rp_profile_free(p);
	}
}
END_TEST

START_TEST(latin1_comes_out_utf8)
{
	struct rp_profile *p = parse_fixture("latin1", BIT(FIRSTNAME));

	ck_assert_str_eq(rp_profile_value(p, RP_A_FIRSTNAME)->text, "H\xc3\xa9l\xc3\xa8ne");
	ck_assert_str_eq(rp_value_part(rp_profile_value(p, RP_A_HOMEADDRESS), RP_ADDR_CITY),
	    "Saint-\xc3\x89tienne");
	rp_profile_free(p);
}
END_TEST

START_TEST(full_response_every_attribute)
{
	struct rp_profile *p = parse_fixture("granted-full", RP_ATTRSET_ALL);
	int a;

	ck_assert_int_eq(p->outcome, RP_OUT_GRANTED);
	ck_assert_uint_eq(p->present, RP_ATTRSET_ALL);
	for (a = 0; a < RP_ATTR__COUNT; a++)
		ck_assert_msg(rp_profile_has(p, (enum rp_attr_id)a), "%s missing",
		    rp_attr_get((enum rp_attr_id)a)->name);
	ck_assert_uint_eq(rp_profile_value(p, RP_A_INTERESTS)->nitems, 5);
	ck_assert_str_eq(rp_profile_value(p, RP_A_INTERESTS)->items[1], "Cin\xc3\xa9ma");
	/* One block: the profile and its strings fit one arena chunk. */
	ck_assert_uint_lt(rp_profile_footprint(p), 4096);
	rp_profile_free(p);
}
END_TEST

/*
 * Bytes a profile must hold: its struct, one value per slot, every
 * string with its NUL, the item arrays and the addresses.
 */
static size_t
held_bytes(const struct rp_profile *p)
{
	size_t n = sizeof(*p) +
	    (size_t)__builtin_popcount(p->slots) * sizeof(struct rp_value);
	const struct rp_value *v;
	const char *part;
	size_t i;
	int a, k;

	for (a = 0; a < RP_ATTR__COUNT; a++) {
		v = rp_profile_value(p, (enum rp_attr_id)a);
		if (v->text != NULL)
			n += strlen(v->text) + 1;
		for (i = 0; i < v->nitems; i++)
			n += sizeof(char *) + strlen(v->items[i]) + 1;
		if (v->addr != NULL)
			n += sizeof(*v->addr);
		for (k = 0; k < RP_ADDR__COUNT; k++)
			if ((part = rp_value_part(v, (enum rp_addr_part)k)) != NULL)
				n += strlen(part) + 1;
	}
	return n;
}

/* What the card view of the sample configuration asks, as the API answers. */
static const char card_body[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<getPersonalRichProfileReturn><Data><UserAuthorizedData>\n"
    "  <Firstname>Am\xc3\xa9lie</Firstname>\n"
    "  <Lastname>Poulain-Lef\xc3\xa8vre</Lastname>\n"
    "  <Displayname>Am\xc3\xa9lie P.</Displayname>\n"
    "  <PreferredLanguage>fr-FR</PreferredLanguage>\n"
    "  <PictureTagSmallURL>http://127.0.0.1:36753/photos/amelie.png?size=small</PictureTagSmallURL>\n"
    "  <PictureTagMediumURL>http://127.0.0.1:36753/photos/amelie.png?size=medium</PictureTagMediumURL>\n"
    "  <CentersOfInterests>\n"
    "    <CenterOfInterest>Cin\xc3\xa9ma</CenterOfInterest>\n"
    "    <CenterOfInterest>Photographie</CenterOfInterest>\n"
    "    <CenterOfInterest>Jardinage</CenterOfInterest>\n"
    "    <CenterOfInterest>Mus\xc3\xa9\x65s</CenterOfInterest>\n"
    "  </CentersOfInterests>\n"
    "</UserAuthorizedData></Data></getPersonalRichProfileReturn>\n";

/*
 * The cache keeps thousands of profiles (issue 7: under 32 MiB with
 * 10 000 of them): a profile costs what it holds, not room for every
 * attribute.  Slack: the arena's 48 bytes of headers, rounding of its
 * four blocks to 16 bytes (under 64), and the blanks between list items
 * that the parser keeps in its one copy of the text (under 80 here).
 */
START_TEST(profile_costs_what_it_holds)
{
	struct rp_profile *full = parse_fixture("granted-full", RP_ATTRSET_ALL);
	struct rp_profile *card = NULL;
	rp_attrset infos;

	ck_assert_uint_le(sizeof(struct rp_value), 32);
	ck_assert_int_eq(rp_attrset_parse("Firstname,Lastname,Displayname,"
	    "PictureTagSmallURL,PictureTagMediumURL,CentersOfInterests,"
	    "PreferredLanguage", &infos, NULL, NULL), 0);
	ck_assert_int_eq(rp_parse(infos, NULL, card_body, sizeof(card_body) - 1,
	    &card), RP_OK);
	ck_assert_int_eq(card->outcome, RP_OUT_GRANTED);
	ck_assert_uint_eq(card->slots, infos);
	ck_assert_uint_le(rp_profile_footprint(full), held_bytes(full) + 192);
	ck_assert_uint_le(rp_profile_footprint(card), held_bytes(card) + 192);
	/* 10 000 card profiles: about 7 MiB of the budget, not 23. */
	ck_assert_uint_le(rp_profile_footprint(card), 768);
	fprintf(stderr, "# footprint: card %zu (holds %zu), full %zu (holds %zu)\n",
	    rp_profile_footprint(card), held_bytes(card),
	    rp_profile_footprint(full), held_bytes(full));
	rp_profile_free(card);
	rp_profile_free(full);
}
END_TEST

START_TEST(malformed_says_where)
{
	struct rp_profile *p = parse_fixture("hostile-mismatched", BIT(FIRSTNAME));

	ck_assert_int_eq(p->outcome, RP_OUT_MALFORMED);
	ck_assert_str_eq(rp_status_name(rp_status_of(p)), "unavailable");
	ck_assert_uint_eq(p->line, 2);
	ck_assert_uint_eq(p->column, 39);
	ck_assert_ptr_nonnull(strstr(p->reason, "mismatched tag"));
	rp_profile_free(p);
}
END_TEST

START_TEST(feed_reports_bad_body_early)
{
	struct rp_parser *ps;
	struct rp_profile *p;
	struct rp_parse_limits lim = { .max_bytes = 10 };

	ck_assert_int_eq(rp_parser_new(0, NULL, &ps), RP_OK);
	ck_assert_int_eq(rp_parser_feed(ps, "<html><body>", 12), RP_EMALFORMED);
	/* Once bad, later bytes change nothing. */
	ck_assert_int_eq(rp_parser_feed(ps, "</html>", 7), RP_EMALFORMED);
	ck_assert_int_eq(rp_parser_finish(ps, &p), RP_OK);
	ck_assert_int_eq(p->outcome, RP_OUT_MALFORMED);
	ck_assert_ptr_nonnull(strstr(p->reason, "<html>"));
	rp_profile_free(p);
	ck_assert_int_eq(rp_parser_finish(ps, &p), RP_EINVAL);
	rp_parser_free(ps);

	ck_assert_int_eq(rp_parser_new(0, &lim, &ps), RP_OK);
	ck_assert_int_eq(rp_parser_feed(ps, "<error>", 7), RP_OK);
	ck_assert_int_eq(rp_parser_feed(ps, "<code>", 6), RP_ETOOBIG);
	ck_assert_int_eq(rp_parser_finish(ps, &p), RP_OK);
	ck_assert_int_eq(p->outcome, RP_OUT_MALFORMED);
	ck_assert_int_eq(p->err, RP_ETOOBIG);
	rp_profile_free(p);
	rp_parser_free(ps);
}
END_TEST

START_TEST(huge_limits_are_capped)
{
	struct rp_parse_limits lim = { .max_depth = 4000000000u };
	struct rp_parser *ps;
	struct rp_profile *p;
	char body[4096];
	size_t len = 0;
	int i;

	/* 300 levels: past the cap of 256 whatever the caller asked. */
	len = (size_t)snprintf(body, sizeof(body), "<error>");
	for (i = 0; i < 300; i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len, "<e>");
	ck_assert_int_eq(rp_parser_new(0, &lim, &ps), RP_OK);
	ck_assert_int_eq(rp_parser_feed(ps, body, len), RP_EMALFORMED);
	ck_assert_int_eq(rp_parser_finish(ps, &p), RP_OK);
	ck_assert_ptr_nonnull(strstr(p->reason, "more than 256 deep"));
	rp_profile_free(p);
	rp_parser_free(ps);
}
END_TEST

/* Two parsers alive at once in one thread, and a reused one, stay apart. */
START_TEST(parsers_do_not_share_state)
{
	static const char good[] = "<getPersonalRichProfileReturn><Data>"
	    "<UserAuthorizedData><Firstname>A</Firstname></UserAuthorizedData>"
	    "</Data></getPersonalRichProfileReturn>";
	struct rp_parser *a, *b;
	struct rp_profile *pa, *pb;
	int round;

	for (round = 0; round < 3; round++) {
		ck_assert_int_eq(rp_parser_new(BIT(FIRSTNAME), NULL, &a), RP_OK);
		ck_assert_int_eq(rp_parser_new(BIT(LASTNAME), NULL, &b), RP_OK);
		ck_assert_ptr_ne(a, b);
		ck_assert_int_eq(rp_parser_feed(a, good, 40), RP_OK);
		ck_assert_int_eq(rp_parser_feed(b, "<error><code>102", 16), RP_OK);
		ck_assert_int_eq(rp_parser_feed(a, good + 40, sizeof(good) - 41),
		    RP_OK);
		ck_assert_int_eq(rp_parser_feed(b, "</code></error>", 15), RP_OK);
		ck_assert_int_eq(rp_parser_finish(b, &pb), RP_OK);
		ck_assert_int_eq(rp_parser_finish(a, &pa), RP_OK);
		ck_assert_int_eq(pa->outcome, RP_OUT_GRANTED);
		ck_assert_str_eq(rp_profile_value(pa, RP_A_FIRSTNAME)->text, "A");
		ck_assert_int_eq(pb->outcome, RP_OUT_ACCOUNT);
		ck_assert_ptr_null(rp_profile_value(pb, RP_A_FIRSTNAME)->text);
		rp_profile_free(pa);
		rp_profile_free(pb);
		rp_parser_free(a);
		rp_parser_free(b);
		/* A parser abandoned mid-body leaves nothing to the next one. */
		ck_assert_int_eq(rp_parser_new(0, NULL, &a), RP_OK);
		ck_assert_int_eq(rp_parser_feed(a, "<error><detail>x", 16), RP_OK);
		rp_parser_free(a);
	}
}
END_TEST

static void *
parse_many(void *arg)
{
	struct expect e = { .infos = RP_ATTRSET_ALL };
	char *body = arg;
	char *first = parse_dump(&e, body, strlen(body), 0), *d;
	int i, same = 1;

	for (i = 0; i < 200; i++) {
		d = parse_dump(&e, body, strlen(body), (size_t)(i % 5) * 13);
		same &= strcmp(d, first) == 0;
		free(d);
	}
	free(first);
	return same ? body : NULL;
}

START_TEST(threads_parse_side_by_side)
{
	pthread_t t[4];
	char *body[4];
	void *res;
	int i;

	body[0] = fixture_file("granted-full", ".xml", NULL);
	body[1] = fixture_file("interests-mixed", ".xml", NULL);
	body[2] = fixture_file("contract-privacy-refusal", ".xml", NULL);
	body[3] = fixture_file("hostile-truncated", ".xml", NULL);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, parse_many,
		    body[i]), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &res), 0);
		ck_assert_ptr_eq(res, body[i]);
		free(body[i]);
	}
}
END_TEST

/* Prints the profile of one fixture, for writing its .expect. */
static int
draft(const char *name)
{
	struct expect e;
	size_t len;
	char *body = fixture_file(name, ".xml", &len), *d;

	read_expect(name, &e);
	d = parse_dump(&e, body, len, 0);
	fputs(d, stdout);
	free(d);
	free(e.text);
	free(body);
	return 0;
}

int
main(int argc, char **argv)
{
	Suite *s = suite_create("parse");
	TCase *tc = tcase_create("parse");

	if (argc == 3 && strcmp(argv[1], "--draft") == 0) {
		drafting = 1;
		return draft(argv[2]);
	}
	list_fixtures();
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, fixture_gives_expected_profile, 0, nfixtures);
	tcase_add_loop_test(tc, fixture_same_in_any_chunks, 0, nfixtures);
	tcase_add_test(tc, contract_granted);
	tcase_add_test(tc, contract_partial);
	tcase_add_test(tc, contract_errors);
	tcase_add_test(tc, hostile_entities_never_expanded);
	tcase_add_test(tc, latin1_comes_out_utf8);
	tcase_add_test(tc, full_response_every_attribute);
	tcase_add_test(tc, profile_costs_what_it_holds);
	tcase_add_test(tc, malformed_says_where);
	tcase_add_test(tc, feed_reports_bad_body_early);
	tcase_add_test(tc, huge_limits_are_capped);
	tcase_add_test(tc, parsers_do_not_share_state);
	tcase_add_test(tc, threads_parse_side_by_side);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
