/* fault.c: parses fault specifications ("delay=200,code=504") into what the API answer does wrong. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

enum arg { ARG_NONE, ARG_NUM, ARG_OPTNUM };

/* One fault name: its argument and where it lands in struct sim_fault. */
struct fault_def {
	const char *name;
	enum arg arg;
	long min, max;
	long dflt;           /* value without "=N" (ARG_NONE, ARG_OPTNUM) */
	size_t off;          /* offset of the long or int member */
	int is_long;
};

#define F_INT(m) offsetof(struct sim_fault, m), 0
#define F_LONG(m) offsetof(struct sim_fault, m), 1

static const struct fault_def defs[] = {
	{ "delay", ARG_NUM, 0, 3600000, 0, F_LONG(delay_ms) },
	{ "stall", ARG_NONE, 0, 0, 1, F_INT(stall) },
	{ "stallbody", ARG_NONE, 0, 0, 2, F_INT(stall) },
	{ "status", ARG_NUM, 100, 599, 0, F_INT(status) },
	{ "notxml", ARG_NONE, 0, 0, 1, F_INT(notxml) },
	{ "truncate", ARG_NONE, 0, 0, 1, F_INT(truncate) },
	{ "short", ARG_NONE, 0, 0, 1, F_INT(shortbody) },
	{ "reset", ARG_NONE, 0, 0, 1, F_INT(reset) },
	{ "drop", ARG_NONE, 0, 0, 1, F_INT(drop) },
	{ "redirect", ARG_NONE, 0, 0, 1, F_INT(redirect) },
	{ "close", ARG_NONE, 0, 0, 1, F_INT(close) },
	{ "oversize", ARG_OPTNUM, 1, 1L << 30, 4L << 20, F_LONG(oversize) },
	{ "slow", ARG_NUM, 1, 1L << 20, 0, F_LONG(slow_bps) },
	{ "code", ARG_NUM, -1000000, 1000000, 0, F_LONG(code) },
	{ "tag", ARG_NUM, 0, 1L << 62, 0, F_LONG(tag) },
};

static void
store(struct sim_fault *f, const struct fault_def *d, long v)
{
	char *base = (char *)f + d->off;

	if (d->is_long)
		memcpy(base, &v, sizeof(v));
	else {
		int i = (int)v;

		memcpy(base, &i, sizeof(i));
	}
}

int
sim_fault_parse(const char *spec, struct sim_fault *f, char *err,
    size_t errlen)
{
	struct sim_fault nf;
	const char *p = spec;

	memset(&nf, 0, sizeof(nf));
	if (strcmp(spec, "none") == 0)
		goto done;
	while (*p != '\0') {
		const char *end = strchr(p, ','), *eq;
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p), nlen, i;
		const struct fault_def *d = NULL;
		long v;

		eq = memchr(p, '=', len);
		nlen = eq != NULL ? (size_t)(eq - p) : len;
		for (i = 0; i < sizeof(defs) / sizeof(defs[0]); i++)
			if (strlen(defs[i].name) == nlen &&
			    memcmp(defs[i].name, p, nlen) == 0)
				d = &defs[i];
		if (d == NULL) {
			snprintf(err, errlen, "unknown fault '%.*s' (see --help)",
			    (int)len, p);
			return -1;
		}
		if (eq == NULL) {
			if (d->arg == ARG_NUM) {
				snprintf(err, errlen, "fault '%s' needs =N", d->name);
				return -1;
			}
			v = d->dflt;
		} else {
			char num[32], *e;

			if (d->arg == ARG_NONE) {
				snprintf(err, errlen, "fault '%s' takes no value",
				    d->name);
				return -1;
			}
			if (len - nlen - 1 == 0 || len - nlen - 1 >= sizeof(num))
				goto badnum;
			memcpy(num, eq + 1, len - nlen - 1);
			num[len - nlen - 1] = '\0';
			errno = 0;
			v = strtol(num, &e, 10);
			if (errno != 0 || *e != '\0' || v < d->min || v > d->max)
				goto badnum;
		}
		store(&nf, d, v);
		if (strcmp(d->name, "code") == 0)
			nf.has_code = 1;
		p += len;
		if (*p == ',')
			p++;
		continue;
badnum:
		snprintf(err, errlen, "fault '%.*s': the value must be a number "
		    "from %ld to %ld", (int)len, p, d->min, d->max);
		return -1;
	}
done:
	*f = nf;
	return 0;
}

int
sim_fault_any(const struct sim_fault *f)
{
	return f->delay_ms || f->stall || f->status || f->notxml ||
	    f->truncate || f->shortbody || f->reset || f->drop ||
	    f->redirect || f->close || f->oversize || f->slow_bps ||
	    f->has_code;
}
