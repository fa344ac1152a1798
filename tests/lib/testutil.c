/* testutil.c: shared helpers of the Check tests. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "testutil.h"

int
rp_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

static const char *
join(const char *var, const char *rel, char *buf, size_t size)
{
	const char *top = getenv(var);

	snprintf(buf, size, "%s/%s", top != NULL ? top : ".", rel);
	return buf;
}

const char *
rp_test_srcpath(const char *rel)
{
	static char buf[4096];

	return join("top_srcdir", rel, buf, sizeof(buf));
}

const char *
rp_test_buildpath(const char *rel)
{
	static char buf[4096];

	return join("top_builddir", rel, buf, sizeof(buf));
}

char *
rp_test_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		abort();
	}
	if ((buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

long
rp_test_now_ms(void)
{
	return (long)rp_monotonic_ms();
}

int
rp_test_slow_run(void)
{
	return getenv("RP_UNDER_VALGRIND") != NULL;
}
