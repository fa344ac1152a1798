/* live.c: the configuration in service, replaced on SIGHUP. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "live.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "sandbox.h"

static struct rp_live_app *
live_app_new(struct rp_app *app, unsigned long generation)
{
	struct rp_live_app *la = calloc(1, sizeof(*la));

	if (la == NULL)
		return NULL;
	la->app = app;
	la->generation = generation;
	atomic_init(&la->refs, 1);
	return la;
}

enum rp_err
rp_live_init(struct rp_live *lv, struct rp_app *app)
{
	struct rp_live_app *la = live_app_new(app, 1);

	if (la == NULL) {
		rp_app_free(app);
		return RP_ENOMEM;
	}
	pthread_mutex_init(&lv->lock, NULL);
	lv->cur = la;
	rp_metrics_config_loaded();
	return RP_OK;
}

struct rp_live_app *
rp_live_acquire(struct rp_live *lv)
{
	struct rp_live_app *la;

	/*
	 * The lock makes "read cur, take a reference" one step, so a
	 * reload cannot free cur in between.  It is held for two
	 * instructions; a request costs far more than that.
	 */
	pthread_mutex_lock(&lv->lock);
	la = lv->cur;
	atomic_fetch_add_explicit(&la->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&lv->lock);
	return la;
}

void
rp_live_release(struct rp_live_app *la)
{
	if (la == NULL)
		return;
	/* acq_rel: the freeing thread sees every use of the others. */
	if (atomic_fetch_sub_explicit(&la->refs, 1, memory_order_acq_rel) == 1) {
		rp_app_free(la->app);
		free(la);
	}
}

/* Same path, both unset or both equal. */
static int
same_path(const char *a, const char *b)
{
	return (a == NULL || *a == '\0') ? (b == NULL || *b == '\0') :
	    (b != NULL && strcmp(a, b) == 0);
}

/*
 * The log of a reloaded configuration.  Unsandboxed, the file is opened
 * again (log rotation); a log file the new configuration cannot open is
 * refused.  Sandboxed, no file can be opened for writing: the open one
 * stays, a new log_file is refused, and only the level changes.
 */
static enum rp_err
reopen_log(const struct rp_cfg *ocfg, const struct rp_cfg *ncfg, char *err,
    size_t errlen)
{
	if (rp_sandbox_state() != RP_SANDBOX_ON)
		return rp_log_open(ncfg->server.log_file,
		    ncfg->server.log_level, err, errlen);
	if (!same_path(ocfg->server.log_file, ncfg->server.log_file)) {
		snprintf(err, errlen, "%s: [server] log_file changed to %s: "
		    "the sandbox forbids opening files for writing, so a new "
		    "log file takes a restart", ncfg->path,
		    ncfg->server.log_file != NULL &&
		    *ncfg->server.log_file != '\0' ? ncfg->server.log_file :
		    "stderr");
		return RP_ECONFIG;
	}
	rp_log_set_level(ncfg->server.log_level);
	return RP_OK;
}

enum rp_err
rp_live_reload(struct rp_live *lv, char *err, size_t errlen)
{
	struct rp_live_app *old, *la = NULL;
	struct rp_app *app = NULL;
	const struct rp_cfg *ocfg;
	char msg[1024];
	size_t i;
	int rc;

	/* Only this thread swaps cur: reading it here needs no reference. */
	old = lv->cur;
	ocfg = old->app->cfg;
	if ((rc = rp_app_load(ocfg->path, &app, err, errlen)) != RP_OK)
		goto out;
	if ((rc = reopen_log(ocfg, app->cfg, err, errlen)) != RP_OK)
		goto out;
	if ((la = live_app_new(app, old->generation + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = RP_ENOMEM;
		goto out;
	}
	app = NULL;
	for (i = 0; i < la->app->cfg->nviews; i++)
		if (rp_renderer_view_warning(la->app->renderer, i, msg, sizeof(msg)))
			rp_log(RP_LOG_WARN, "%s", msg);
	if (la->app->cfg->server.threads != ocfg->server.threads)
		rp_log(RP_LOG_WARN, "%s: [server] threads changed from %ld to "
		    "%ld: that takes a restart; the other settings apply now",
		    la->app->cfg->path, ocfg->server.threads,
		    la->app->cfg->server.threads);
	pthread_mutex_lock(&lv->lock);
	lv->cur = la;
	pthread_mutex_unlock(&lv->lock);
	/* Freed here, or when the last request still using it ends. */
	rp_live_release(old);
	rp_metrics_config_loaded();
	rc = RP_OK;
out:
	if (rc != RP_OK)
		rp_metrics_config_failed();
	rp_app_free(app);
	return rc;
}

void
rp_live_destroy(struct rp_live *lv)
{
	if (lv->cur == NULL)
		return;
	rp_live_release(lv->cur);
	lv->cur = NULL;
	pthread_mutex_destroy(&lv->lock);
}
