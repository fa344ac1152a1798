/* app.h: what every request of richprofile-fcgi shares. */
#ifndef RP_FCGI_APP_H
#define RP_FCGI_APP_H

#include <stddef.h>

#include "breaker.h"
#include "cache.h"
#include "refresh.h"
#include "cfg.h"
#include "err.h"
#include "render.h"
#include "shared.h"

/*
 * The configuration and the compiled templates, loaded at start and
 * immutable afterwards: every worker thread reads them without locks.
 */
struct rp_app {
	struct rp_cfg *cfg;            /* owned */
	struct rp_renderer *renderer;  /* owned; borrows cfg */
	const struct rp_view *default_view; /* when the query names none */
	const struct rp_view *auth_view;    /* the auth route's: [auth] view */
	long grace_ms;                 /* how long a stop waits for requests */
	/* Shared by every worker (thread-safe): [cache] and [breaker]. */
	struct rp_breaker *breaker;    /* owned */
	struct rp_cache *cache;        /* owned; borrows breaker */
	struct rp_refresher *refresher; /* owned; refreshes cache's entries */
	struct rp_shared *shared;      /* owned; [shared], NULL without it */
};

/*
 * Loads the configuration at path (NULL: the default file) and compiles
 * its templates.  On error writes "what failed and what to do" into err
 * and returns RP_ECONFIG, RP_ETEMPLATE or RP_EIO; *out is written only
 * on success.  Caller frees with rp_app_free.
 */
enum rp_err rp_app_load(const char *path, struct rp_app **out, char *err,
    size_t errlen);

void rp_app_free(struct rp_app *app);

#endif
