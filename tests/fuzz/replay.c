/* replay.c: runs every seed of every fuzz target once, as TAP (make check). */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"
#include "testutil.h"

#define MAX_TARGETS 32
#define MAX_SEEDS 4096

static struct {
	const char *name;
	rp_fuzz_fn fn;
} targets[MAX_TARGETS];
static int ntargets;

void
rp_fuzz_register(const char *name, rp_fuzz_fn fn)
{
	if (ntargets == MAX_TARGETS) {
		fprintf(stderr, "replay: more than %d fuzz targets; raise "
		    "MAX_TARGETS in tests/fuzz/replay.c\n", MAX_TARGETS);
		exit(99);
	}
	targets[ntargets].name = name;
	targets[ntargets++].fn = fn;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Runs one input in a child, so that a crash is one failed test point
 * (with the sanitizer's report on stderr) and not the end of the run.
 */
static int
run_one(rp_fuzz_fn fn, const char *path)
{
	size_t len;
	char *data;
	pid_t pid;
	int status;

	fflush(stdout);
	if ((pid = fork()) < 0)
		return 0;
	if (pid == 0) {
		data = rp_test_slurp(path, &len);
		fn((const uint8_t *)data, len);
		free(data);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Adds the files of directory dir (relative to the source tree) to
 * seeds[*n...], as paths relative to the source tree, sorted.
 */
static void
dir_seeds(const char *dir, char **seeds, int *n)
{
	char rel[512];
	DIR *d;
	struct dirent *e;
	int first = *n;

	if ((d = opendir(rp_test_srcpath(dir))) == NULL)
		return;
	while ((e = readdir(d)) != NULL && *n < MAX_SEEDS)
		if (e->d_name[0] != '.') {
			snprintf(rel, sizeof(rel), "%s/%s", dir, e->d_name);
			seeds[(*n)++] = strdup(rel);
		}
	closedir(d);
	qsort(seeds + first, (size_t)(*n - first), sizeof(seeds[0]), by_name);
}

/*
 * The seeds of target name: tests/fuzz/corpus/NAME/, then every
 * directory that tests/fuzz/NAME.seeds lists, one per line (files the
 * project ships, such as the templates, seed a target where they are).
 */
static int
target_seeds(const char *name, char **seeds)
{
	char rel[256], line[256];
	FILE *f;
	int n = 0;

	snprintf(rel, sizeof(rel), "tests/fuzz/corpus/%s", name);
	dir_seeds(rel, seeds, &n);
	snprintf(rel, sizeof(rel), "tests/fuzz/%s.seeds", name);
	if ((f = fopen(rp_test_srcpath(rel), "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] != '\0' && line[0] != '#')
				dir_seeds(line, seeds, &n);
		}
		fclose(f);
	}
	return n;
}

int
main(int argc, char **argv)
{
	static char *seeds[MAX_TARGETS][MAX_SEEDS];
	int nseeds[MAX_TARGETS], total = 0, t, i, k = 0, failed = 0;

	/* `replay NAME FILE...`: reproduce inputs by hand, e.g. a crash. */
	if (argc >= 3) {
		for (t = 0; t < ntargets; t++)
			if (strcmp(targets[t].name, argv[1]) == 0)
				break;
		if (t == ntargets) {
			fprintf(stderr, "replay: no fuzz target %s\n", argv[1]);
			return 2;
		}
		for (i = 2; i < argc; i++) {
			size_t len;
			char *data = rp_test_slurp(argv[i], &len);

			targets[t].fn((const uint8_t *)data, len);
			free(data);
			printf("%s: ok\n", argv[i]);
		}
		return 0;
	}
	for (t = 0; t < ntargets; t++) {
		nseeds[t] = target_seeds(targets[t].name, seeds[t]);
		total += nseeds[t] > 0 ? nseeds[t] : 1;
	}
	printf("1..%d\n", total);
	for (t = 0; t < ntargets; t++) {
		if (nseeds[t] <= 0) {
			/* A target without seeds is a target never replayed. */
			printf("not ok %d - %s: no seeds in "
			    "tests/fuzz/corpus/%s/ nor tests/fuzz/%s.seeds\n", ++k,
			    targets[t].name, targets[t].name, targets[t].name);
			failed++;
			continue;
		}
		for (i = 0; i < nseeds[t]; i++) {
			if (run_one(targets[t].fn, rp_test_srcpath(seeds[t][i])))
				printf("ok %d - %s: %s\n", ++k, targets[t].name,
				    seeds[t][i]);
			else {
				printf("not ok %d - %s: %s\n", ++k,
				    targets[t].name, seeds[t][i]);
				failed++;
			}
			free(seeds[t][i]);
		}
	}
	return failed ? 1 : 0;
}
