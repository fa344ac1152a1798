/* live.h: the configuration in service, replaced on SIGHUP. */
#ifndef RP_FCGI_LIVE_H
#define RP_FCGI_LIVE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "app.h"
#include "err.h"

/*
 * A reload must neither stop the service nor pull the configuration
 * from under a request that is using it.  So the configuration and its
 * compiled templates (a struct rp_app, immutable) are held by reference
 * count: a request takes a reference when it starts and drops it when
 * it ends, a reload swaps in a new one and drops the service's own
 * reference to the old, and the old is freed when its last request
 * ends.  Requests in flight finish on the old configuration; every
 * request that starts after the swap gets the new one.
 */
struct rp_live_app {
	struct rp_app *app;         /* owned; freed with the last reference */
	unsigned long generation;   /* 1 at start, +1 per successful reload */
	atomic_long refs;           /* the service's own, plus one per user */
};

struct rp_live {
	pthread_mutex_t lock;       /* held only to read or swap cur and ref it */
	struct rp_live_app *cur;    /* the configuration in service */
};

/*
 * Puts app (ownership taken, also on error) in service as generation 1.
 * RP_OK or RP_ENOMEM.  Release with rp_live_destroy.
 */
enum rp_err rp_live_init(struct rp_live *lv, struct rp_app *app);

/*
 * The configuration in service, with a reference the caller drops with
 * rp_live_release when the request is done.  Never NULL once
 * rp_live_init succeeded.
 */
struct rp_live_app *rp_live_acquire(struct rp_live *lv);
void rp_live_release(struct rp_live_app *la);

/*
 * Loads the configuration file in service again (and its templates),
 * reopens the log as the new file says, and puts it in service.  On
 * error nothing changes: writes what failed into err and returns
 * RP_ECONFIG, RP_ETEMPLATE, RP_EIO or RP_ENOMEM; the caller logs it.
 * Call from one thread at a time (the main thread).
 */
enum rp_err rp_live_reload(struct rp_live *lv, char *err, size_t errlen);

/* Drops the service's reference; call when no request runs any more. */
void rp_live_destroy(struct rp_live *lv);

#endif
