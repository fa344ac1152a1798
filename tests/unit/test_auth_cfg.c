/* test_auth_cfg.c: the [auth] keys of the configuration (view, without_token). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rp.h"
#include "cfg.h"
#include "testutil.h"

#define BASE \
	"[upstream]\n" \
	"endpoint = http://127.0.0.1:9/PersonalRichProfile/V1\n" \
	"[site]\n" \
	"url = http://127.0.0.1:8080\n"

#define VIEWS \
	"[view card]\n" \
	"infos = Firstname\n" \
	"template = card.html\n" \
	"[view backend]\n" \
	"infos = Firstname, Lastname\n" \
	"template = card.html\n"

static char path[300];

/* Loads text as a configuration file; the message goes into err. */
static int
load(const char *text, struct rp_cfg **cfg, char *err, size_t errlen)
{
	const char *t = getenv("TMPDIR");
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/rpauthcfg%ld.conf", t ? t : "/tmp",
	    (long)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_ge(fputs(text, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	err[0] = '\0';
	rc = rp_cfg_load(path, cfg, err, errlen);
	unlink(path);
	return rc;
}

START_TEST(defaults_first_view_and_deny)
{
	struct rp_cfg *cfg = NULL;
	char err[512];

	ck_assert_int_eq(load(BASE VIEWS, &cfg, err, sizeof(err)), RP_OK);
	ck_assert_ptr_null(cfg->auth.view);
	ck_assert_int_eq(cfg->auth.allow_without_token, 0);
	rp_cfg_free(cfg);
}
END_TEST

START_TEST(view_and_allow_are_read)
{
	struct rp_cfg *cfg = NULL;
	char err[512];
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	/* The view may come after [auth] in the file. */
	ck_assert_int_eq(load(BASE "[auth]\nview = backend\nwithout_token = "
	    "Allow\n" VIEWS, &cfg, err, sizeof(err)), RP_OK);
	ck_assert_str_eq(cfg->auth.view, "backend");
	ck_assert_int_eq(cfg->auth.allow_without_token, 1);
	/* check-config writes them back as they would be read. */
	mem = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(mem);
	rp_cfg_write(cfg, mem);
	ck_assert_int_eq(fclose(mem), 0);
	ck_assert_ptr_nonnull(strstr(text, "\n[auth]\nview = backend\n"
	    "without_token = allow\n"));
	free(text);
	rp_cfg_free(cfg);
}
END_TEST

START_TEST(unknown_view_is_an_error_naming_line_and_fix)
{
	struct rp_cfg *cfg = NULL;
	char err[512];

	ck_assert_int_eq(load(BASE "[auth]\nview = nosuch\n" VIEWS, &cfg, err,
	    sizeof(err)), RP_ECONFIG);
	ck_assert_ptr_null(cfg);
	ck_assert_msg(strstr(err, ":6: [auth] view: no [view nosuch] section; "
	    "expected the NAME of a [view NAME] section") != NULL, "%s", err);
}
END_TEST

START_TEST(bad_values_are_errors)
{
	struct rp_cfg *cfg = NULL;
	char err[512];

	ck_assert_int_eq(load(BASE "[auth]\nwithout_token = maybe\n" VIEWS,
	    &cfg, err, sizeof(err)), RP_ECONFIG);
	ck_assert_msg(strstr(err, ":6: [auth] without_token: `maybe` is "
	    "neither deny nor allow; expected deny or allow") != NULL, "%s", err);
	ck_assert_int_eq(load(BASE "[auth]\nview = a b\n" VIEWS, &cfg, err,
	    sizeof(err)), RP_ECONFIG);
	ck_assert_msg(strstr(err, ":6: [auth] view: `a b`: not a view name") !=
	    NULL, "%s", err);
	ck_assert_int_eq(load(BASE "[auth]\nmode = x\n" VIEWS, &cfg, err,
	    sizeof(err)), RP_ECONFIG);
	ck_assert_msg(strstr(err, "unknown key; expected one of: view, "
	    "without_token") != NULL, "%s", err);
	ck_assert_ptr_null(cfg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("auth_cfg");
	TCase *tc = tcase_create("auth_cfg");

	tcase_add_test(tc, defaults_first_view_and_deny);
	tcase_add_test(tc, view_and_allow_are_read);
	tcase_add_test(tc, unknown_view_is_an_error_naming_line_and_fix);
	tcase_add_test(tc, bad_values_are_errors);
	suite_add_tcase(s, tc);
	return rp_test_run(s);
}
