/* shared.c: the Redis tier (hiredis, non-blocking under one deadline per operation). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "clock.h"
#include "log.h"
#include "pack.h"
#include "shared.h"

#define POOL_MAX 64               /* idle connections kept */
#define PREFIX_MAX 64
#define KEY_MAX (PREFIX_MAX + 2 + RP_SEAL_NAMELEN + 1)
#define DEFAULT_FAILURES 3
#define DEFAULT_OPEN_MS 5000      /* a probe within 10 s, as promised */
#define DEFAULT_MAX_VALUE (1u << 20)
/* The consent memory outlives a trip to Orange's privacy page and back. */
#define CONSENT_MIN_S 3600

/*
 * Both scripts run atomically in Redis, so two servers answering the
 * same user at once cannot both see, or both miss, the consent memory.
 * KEYS[1] the profile, KEYS[2] the consent memory.
 */
static const char put_granted_lua[] =
    "if redis.call('DEL', KEYS[2]) == 1 then return 0 end "
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1";
static const char consume_lua[] =
    "redis.call('DEL', KEYS[2]) return 0";
static const char put_refused_lua[] =
    "redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2]) "
    "redis.call('DEL', KEYS[1]) return 1";

static const char *const class_names[RP_SE__COUNT] = {
	"none", "connect", "timeout", "closed", "protocol", "reply", "too_big",
	"seal",
};

/* Upper bounds of the operation latency histogram, in microseconds. */
static const long long bucket_us[] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
};
#define NBUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

/* What one operation ended with: success, or a class (+1). */
#define OP_OK (-1)
#define OP_SKIPPED (-2)

struct rp_shared {
	char *host;                   /* tcp: host, or NULL */
	int port;
	char *path;                   /* unix: path, or NULL */
	long database;
	char *user, *password;        /* AUTH; user may be NULL */
	long timeout_ms;
	char prefix[PREFIX_MAX + 1];
	long ttl_s, stale_s;
	size_t max_value;
	long long (*wall_ms)(void);
	struct rp_seal seal;

	/*
	 * The tier's own breaker (closed 0, open 1, half-open 2), under bmu:
	 * lib/breaker.c speaks of the API in its log lines, and Redis needs
	 * other words.
	 */
	pthread_mutex_t bmu;
	int bstate;
	long failures, open_ms, consecutive;
	long long open_until;
	unsigned long long opened;

	pthread_mutex_t mu;           /* guards the pool */
	redisContext *idle[POOL_MAX];
	int nidle;

	/* Relaxed atomics: written by every worker, read by status. */
	unsigned long long hits, misses, stored, grant_once, consent_marks;
	unsigned long long skipped, ops, sum_us;
	unsigned long long errors[RP_SE__COUNT];
	unsigned long long buckets[NBUCKETS + 1];
	long long request_max_us;
	int last_failed;
};

#define ADD(field, n) __atomic_add_fetch(&(field), (n), __ATOMIC_RELAXED)
#define GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

static int
parse_addr(struct rp_shared *s, const char *spec)
{
	const char *colon;
	char *end;
	long port;

	if (strncmp(spec, "unix:", 5) == 0 && spec[5] == '/') {
		s->path = strdup(spec + 5);
		return s->path != NULL ? RP_OK : RP_ENOMEM;
	}
	if (strncmp(spec, "tcp:", 4) != 0 ||
	    (colon = strrchr(spec + 4, ':')) == NULL || colon == spec + 4)
		return RP_EINVAL;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 ||
	    port > 65535)
		return RP_EINVAL;
	s->port = (int)port;
	/* [::1]:6379: the brackets are the configuration's, not the address's. */
	if (spec[4] == '[' && colon[-1] == ']')
		s->host = strndup(spec + 5, (size_t)(colon - spec - 6));
	else
		s->host = strndup(spec + 4, (size_t)(colon - spec - 4));
	return s->host != NULL ? RP_OK : RP_ENOMEM;
}

/* Whether an operation may be tried now; *probe: it is the one probe. */
static int
breaker_enter(struct rp_shared *s, int *probe)
{
	int ok = 1;

	*probe = 0;
	pthread_mutex_lock(&s->bmu);
	if (s->bstate == 1 && rp_monotonic_ms() >= s->open_until) {
		s->bstate = 2;
		*probe = 1;
	} else if (s->bstate != 0)
		ok = 0;
	pthread_mutex_unlock(&s->bmu);
	return ok;
}

static void
breaker_done(struct rp_shared *s, int probe, int ok, int cls)
{
	int opened = 0;

	pthread_mutex_lock(&s->bmu);
	if (ok) {
		s->consecutive = 0;
		if (probe)
			s->bstate = 0;
	} else if (probe || (s->bstate == 0 &&
	    ++s->consecutive >= s->failures)) {
		s->bstate = 1;
		s->open_until = rp_monotonic_ms() + s->open_ms;
		if (!probe) {
			s->opened++;
			opened = 1;
		}
	}
	pthread_mutex_unlock(&s->bmu);
	if (opened)
		rp_log(RP_LOG_WARN, "shared tier: Redis failed %ld times in a row "
		    "(last: %s); pages are served without it; trying again "
		    "every %ld ms", s->failures, cls > 0 && cls < RP_SE__COUNT ?
		    class_names[cls] : "?", s->open_ms);
	else if (probe && ok)
		rp_log(RP_LOG_INFO, "shared tier: Redis answers again; using it");
}

enum rp_err
rp_shared_new(const struct rp_shared_opts *o, struct rp_shared **out)
{
	struct rp_shared *s;
	const char *sp;
	int rc;

	if (o->redis == NULL || o->key == NULL || o->timeout_ms < 1 ||
	    o->ttl_s < 0 || o->stale_s < 0 || o->failures < 0 || o->open_ms < 0 ||
	    o->database < 0 || o->prefix == NULL ||
	    strlen(o->prefix) > PREFIX_MAX)
		return RP_EINVAL;
	if (sodium_init() < 0)
		return RP_EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return RP_ENOMEM;
	if (pthread_mutex_init(&s->mu, NULL) != 0) {
		free(s);
		return RP_ENOMEM;
	}
	if (pthread_mutex_init(&s->bmu, NULL) != 0) {
		pthread_mutex_destroy(&s->mu);
		free(s);
		return RP_ENOMEM;
	}
	if ((rc = parse_addr(s, o->redis)) != RP_OK)
		goto out;
	s->database = o->database;
	if (o->password != NULL) {
		/* Redis 6 ACL: "user password"; a password alone is "default"'s. */
		rc = RP_ENOMEM;
		if ((sp = strchr(o->password, ' ')) != NULL) {
			if ((s->user = strndup(o->password,
			    (size_t)(sp - o->password))) == NULL ||
			    (s->password = strdup(sp + 1)) == NULL)
				goto out;
		} else if ((s->password = strdup(o->password)) == NULL)
			goto out;
	}
	s->timeout_ms = o->timeout_ms;
	snprintf(s->prefix, sizeof(s->prefix), "%s", o->prefix);
	s->ttl_s = o->ttl_s;
	s->stale_s = o->stale_s;
	s->max_value = o->max_value ? o->max_value : DEFAULT_MAX_VALUE;
	s->wall_ms = o->wall_ms != NULL ? o->wall_ms : rp_wall_ms;
	rp_seal_init(&s->seal, o->key);
	s->failures = o->failures ? o->failures : DEFAULT_FAILURES;
	s->open_ms = o->open_ms ? o->open_ms : DEFAULT_OPEN_MS;
	*out = s;
	return RP_OK;
out:
	rp_shared_free(s);
	return rc;
}

void
rp_shared_free(struct rp_shared *s)
{
	int i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nidle; i++)
		redisFree(s->idle[i]);
	pthread_mutex_destroy(&s->bmu);
	pthread_mutex_destroy(&s->mu);
	free(s->host);
	free(s->path);
	free(s->user);
	if (s->password != NULL) {
		sodium_memzero(s->password, strlen(s->password));
		free(s->password);
	}
	sodium_memzero(&s->seal, sizeof(s->seal));
	free(s);
}

/* The first line of a password file, without its line end. */
static enum rp_err
read_password(const char *path, char **out, char *err, size_t errlen)
{
	char line[1024];
	FILE *f;
	size_t n;

	if ((f = fopen(path, "re")) == NULL) {
		snprintf(err, errlen, "%s: cannot open [shared] password_file: "
		    "%s", path, strerror(errno));
		return RP_EIO;
	}
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	n = strcspn(line, "\r\n");
	line[n] = '\0';
	if (n == 0) {
		snprintf(err, errlen, "%s: [shared] password_file holds no "
		    "password on its first line; expected `password` or, for a "
		    "Redis 6 ACL user, `user password`", path);
		return RP_ECONFIG;
	}
	*out = strdup(line);
	sodium_memzero(line, sizeof(line));
	return *out != NULL ? RP_OK : RP_ENOMEM;
}

enum rp_err
rp_shared_from_cfg(const struct rp_cfg *cfg, struct rp_shared **out,
    char *err, size_t errlen)
{
	unsigned char key[RP_SEAL_KEYLEN];
	struct rp_shared_opts o = { 0 };
	char *password = NULL;
	int rc;

	*out = NULL;
	if (cfg->shared.redis == NULL)
		return RP_OK;
	if (sodium_init() < 0) {
		snprintf(err, errlen, "libsodium failed to initialise; is "
		    "/dev/urandom readable?");
		return RP_EIO;
	}
	if ((rc = rp_seal_key_load(cfg->shared.key_file, key, err,
	    errlen)) != RP_OK)
		return rc;
	if (cfg->shared.password_file != NULL &&
	    (rc = read_password(cfg->shared.password_file, &password, err,
	    errlen)) != RP_OK)
		goto out;
	o.redis = cfg->shared.redis;
	o.database = cfg->shared.database;
	o.password = password;
	o.key = key;
	o.timeout_ms = cfg->shared.timeout_ms;
	o.prefix = cfg->shared.prefix;
	o.ttl_s = cfg->cache.ttl_s;
	o.stale_s = cfg->cache.stale_s;
	/* A sealed profile is smaller than the answer it was parsed from. */
	o.max_value = (size_t)cfg->upstream.max_response_bytes * 2 + 4096;
	if ((rc = rp_shared_new(&o, out)) != RP_OK)
		snprintf(err, errlen, "%s: [shared] rejected: %s", cfg->path,
		    rp_strerror(rc));
out:
	if (password != NULL) {
		sodium_memzero(password, strlen(password));
		free(password);
	}
	sodium_memzero(key, sizeof(key));
	return rc;
}

void
rp_shared_budget_init(const struct rp_shared *s, struct rp_shared_budget *b)
{
	b->left_us = s->timeout_ms * 1000LL;
	b->spent_us = 0;
}

void
rp_shared_budget_done(struct rp_shared *s, const struct rp_shared_budget *b)
{
	long long cur = __atomic_load_n(&s->request_max_us, __ATOMIC_RELAXED);

	while (b->spent_us > cur && !__atomic_compare_exchange_n(
	    &s->request_max_us, &cur, b->spent_us, 1, __ATOMIC_RELAXED,
	    __ATOMIC_RELAXED))
		;
}

/* Waits until fd is ready for events or the deadline passes: 0, or a class. */
static int
wait_fd(int fd, short events, long long deadline_us)
{
	struct pollfd p = { fd, events, 0 };
	long long left;
	int n;

	for (;;) {
		left = deadline_us - rp_monotonic_us();
		if (left <= 0)
			return RP_SE_TIMEOUT;
		n = poll(&p, 1, (int)((left + 999) / 1000));
		if (n > 0)
			return 0;
		if (n == 0)
			continue;   /* the loop checks the deadline */
		if (errno != EINTR)
			return RP_SE_CLOSED;
	}
}

/* Sends what is buffered in c and reads n replies into rep, before the deadline. */
static int
exchange(struct rp_shared *s, redisContext *c, int n, redisReply **rep,
    long long deadline_us)
{
	redisReader *r = c->reader;
	void *reply;
	int done = 0, i, rc;

	while (!done) {
		if (redisBufferWrite(c, &done) != REDIS_OK)
			return RP_SE_CLOSED;
		if (!done && (rc = wait_fd(c->fd, POLLOUT, deadline_us)) != 0)
			return rc;
	}
	for (i = 0; i < n; i++) {
		for (;;) {
			/*
			 * Nothing this tier sends is answered with an array:
			 * refuse one before hiredis allocates for the count
			 * a hostile server may announce.
			 */
			if (r->ridx == -1 && r->pos < r->len &&
			    strchr("+-:$", r->buf[r->pos]) == NULL)
				return RP_SE_PROTOCOL;
			if (redisGetReplyFromReader(c, &reply) != REDIS_OK)
				return RP_SE_PROTOCOL;
			if (reply != NULL)
				break;
			if (r->len - r->pos > s->max_value)
				return RP_SE_TOOBIG;
			if ((rc = wait_fd(c->fd, POLLIN, deadline_us)) != 0)
				return rc;
			if (redisBufferRead(c) != REDIS_OK)
				return c->err == REDIS_ERR_PROTOCOL ?
				    RP_SE_PROTOCOL : RP_SE_CLOSED;
		}
		rep[i] = reply;
	}
	return 0;
}

/* A new connection, logged in and on its database, before the deadline. */
static redisContext *
dial(struct rp_shared *s, long long deadline_us, int *cls)
{
	redisContext *c;
	redisReply *rep[2] = { NULL, NULL };
	const char *argv[3];
	char db[24];
	int n = 0, soerr = 0, i, rc;
	socklen_t sl = sizeof(soerr);

	*cls = RP_SE_CONNECT;
	c = s->path != NULL ? redisConnectUnixNonBlock(s->path) :
	    redisConnectNonBlock(s->host, s->port);
	if (c == NULL)
		return NULL;
	if (c->err != 0)
		goto fail;
	if ((rc = wait_fd(c->fd, POLLOUT, deadline_us)) != 0) {
		*cls = rc == RP_SE_TIMEOUT ? RP_SE_TIMEOUT : RP_SE_CONNECT;
		goto fail;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
	    soerr != 0)
		goto fail;
	if (s->password != NULL) {
		argv[0] = "AUTH";
		argv[1] = s->user != NULL ? s->user : s->password;
		argv[2] = s->password;
		if (redisAppendCommandArgv(c, s->user != NULL ? 3 : 2, argv,
		    NULL) != REDIS_OK)
			goto fail;
		n++;
	}
	if (s->database != 0) {
		snprintf(db, sizeof(db), "%ld", s->database);
		argv[0] = "SELECT";
		argv[1] = db;
		if (redisAppendCommandArgv(c, 2, argv, NULL) != REDIS_OK)
			goto fail;
		n++;
	}
	if (n > 0) {
		if ((rc = exchange(s, c, n, rep, deadline_us)) != 0) {
			*cls = rc;
			goto fail;
		}
		for (i = 0; i < n; i++)
			if (rep[i]->type != REDIS_REPLY_STATUS) {
				/* Rejected AUTH or SELECT: a connect failure. */
				if (rep[i]->type == REDIS_REPLY_ERROR)
					rp_log(RP_LOG_WARN, "shared tier: Redis "
					    "refused %s: %.*s; check [shared] "
					    "password_file and database",
					    s->password != NULL && i == 0 ?
					    "AUTH" : "SELECT",
					    (int)(rep[i]->len < 200 ?
					    rep[i]->len : 200), rep[i]->str);
				goto fail;
			}
	}
	for (i = 0; i < n; i++)
		freeReplyObject(rep[i]);
	return c;
fail:
	for (i = 0; i < 2; i++)
		if (rep[i] != NULL)
			freeReplyObject(rep[i]);
	redisFree(c);
	return NULL;
}

/* An idle connection, or NULL. */
static redisContext *
take(struct rp_shared *s)
{
	redisContext *c = NULL;

	pthread_mutex_lock(&s->mu);
	if (s->nidle > 0)
		c = s->idle[--s->nidle];
	pthread_mutex_unlock(&s->mu);
	return c;
}

static void
give_back(struct rp_shared *s, redisContext *c)
{
	pthread_mutex_lock(&s->mu);
	if (s->nidle < POOL_MAX) {
		s->idle[s->nidle++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&s->mu);
	if (c != NULL)
		redisFree(c);
}

/*
 * Closes every idle connection: after one failed, the others are
 * likely dead too (Redis restarted), and each would cost a failure.
 */
static void
drain(struct rp_shared *s)
{
	redisContext *old[POOL_MAX];
	int n, i;

	pthread_mutex_lock(&s->mu);
	n = s->nidle;
	memcpy(old, s->idle, (size_t)n * sizeof(old[0]));
	s->nidle = 0;
	pthread_mutex_unlock(&s->mu);
	for (i = 0; i < n; i++)
		redisFree(old[i]);
}

static void
observe(struct rp_shared *s, long long us)
{
	size_t i;

	for (i = 0; i < NBUCKETS && us > bucket_us[i]; i++)
		;
	ADD(s->buckets[i], 1);
	ADD(s->sum_us, (unsigned long long)(us > 0 ? us : 0));
	ADD(s->ops, 1);
}

/*
 * One operation: the command of argv (argc words), within the request's
 * budget and the breaker.  OP_OK with the reply in *rep (caller frees),
 * OP_SKIPPED, or a failure class (counted, logged at debug level: a
 * failing Redis must not flood the log).
 */
static int
op(struct rp_shared *s, struct rp_shared_budget *b, int argc,
    const char **argv, const size_t *argvlen, redisReply **rep)
{
	long long t0 = rp_monotonic_us(), budget, deadline;
	redisContext *c;
	int probe, cls = 0, fresh = 0;

	*rep = NULL;
	budget = b != NULL ? b->left_us : s->timeout_ms * 1000LL;
	if (budget > s->timeout_ms * 1000LL)
		budget = s->timeout_ms * 1000LL;
	if (budget < 1000 || !breaker_enter(s, &probe)) {
		ADD(s->skipped, 1);
		return OP_SKIPPED;
	}
	deadline = t0 + budget;
	if ((c = take(s)) == NULL) {
		fresh = 1;
		if ((c = dial(s, deadline, &cls)) == NULL)
			goto done;
	}
	if (redisAppendCommandArgv(c, argc, argv, argvlen) != REDIS_OK) {
		cls = RP_SE_CLOSED;
		goto done;
	}
	cls = exchange(s, c, 1, rep, deadline);
	if (cls == 0 && (*rep)->type == REDIS_REPLY_ERROR)
		cls = RP_SE_REPLY;
done:
	if (c != NULL && (cls == 0 || cls == RP_SE_REPLY))
		give_back(s, c);    /* in step: the replies were all read */
	else if (c != NULL)
		redisFree(c);
	if (cls != 0 && cls != RP_SE_REPLY && !fresh)
		drain(s);
	breaker_done(s, probe, cls == 0, cls);
	observe(s, rp_monotonic_us() - t0);
	__atomic_store_n(&s->last_failed, cls != 0, __ATOMIC_RELAXED);
	if (b != NULL) {
		long long took = rp_monotonic_us() - t0;

		/* A failure spends the rest: no second wait in one request. */
		b->left_us = cls != 0 ? 0 : b->left_us - took;
		b->spent_us += took;
	}
	if (cls == 0)
		return OP_OK;
	ADD(s->errors[cls], 1);
	rp_log(RP_LOG_DEBUG, "shared tier: Redis operation failed (%s); "
	    "going on without it", class_names[cls]);
	if (*rep != NULL) {
		freeReplyObject(*rep);
		*rep = NULL;
	}
	return cls;
}

/* The Redis key of kind for (token, infos). */
static size_t
key_of(struct rp_shared *s, char kind, const char *token, size_t len,
    rp_attrset infos, char out[KEY_MAX])
{
	char name[RP_SEAL_NAMELEN + 1];

	rp_seal_name(&s->seal, kind, token, len, infos, name);
	return (size_t)snprintf(out, KEY_MAX, "%s%c:%s", s->prefix, kind, name);
}

int
rp_shared_get(struct rp_shared *s, struct rp_shared_budget *b,
    const char *token, size_t len, rp_attrset infos, struct rp_profile **out)
{
	char key[KEY_MAX];
	const char *argv[2] = { "GET", key };
	size_t argvlen[2] = { 3, 0 };
	int hit = 0;
	redisReply *rep = NULL;
	unsigned char *msg = NULL;
	size_t mlen;
	long long expires;
	struct rp_profile *p = NULL;

	argvlen[1] = key_of(s, 'p', token, len, infos, key);
	if (op(s, b, 2, argv, argvlen, &rep) != OP_OK)
		return 0;
	if (rep->type == REDIS_REPLY_NIL)
		goto miss;
	if (rep->type != REDIS_REPLY_STRING) {
		ADD(s->errors[RP_SE_PROTOCOL], 1);
		goto miss;
	}
	if (rp_seal_open(&s->seal, key, argvlen[1],
	    (const unsigned char *)rep->str, rep->len, &expires, &msg,
	    &mlen) != RP_OK) {
		/* Altered, moved from another key, or another key file. */
		ADD(s->errors[RP_SE_SEAL], 1);
		goto miss;
	}
	if (s->wall_ms() >= expires)
		goto miss;
	if (rp_unpack(msg, mlen, &p) != RP_OK) {
		ADD(s->errors[RP_SE_SEAL], 1);
		goto miss;
	}
	/* The name binds token and attributes; this is a second guard. */
	if (p->outcome != RP_OUT_GRANTED || p->requested != infos) {
		rp_profile_free(p);
		ADD(s->errors[RP_SE_SEAL], 1);
		goto miss;
	}
	*out = p;
	hit = 1;
miss:
	if (hit)
		ADD(s->hits, 1);
	else
		ADD(s->misses, 1);
	free(msg);
	freeReplyObject(rep);
	return hit;
}

int
rp_shared_refresh_lock(struct rp_shared *s, const char *token, size_t len,
    rp_attrset infos, long hold_ms)
{
	char key[KEY_MAX], ms[24];
	const char *argv[6] = { "SET", key, "1", "NX", "PX", ms };
	size_t argvlen[6] = { 3, 0, 1, 2, 2, 0 };
	redisReply *rep = NULL;
	int took;

	argvlen[1] = key_of(s, 'r', token, len, infos, key);
	argvlen[5] = (size_t)snprintf(ms, sizeof(ms), "%ld", hold_ms);
	/* No page waits here: the operation gets the whole timeout_ms. */
	if (op(s, NULL, 6, argv, argvlen, &rep) != OP_OK)
		return -1;
	/* OK: taken; nil: another server's. */
	took = rep->type == REDIS_REPLY_STATUS;
	if (!took && rep->type != REDIS_REPLY_NIL) {
		ADD(s->errors[RP_SE_PROTOCOL], 1);
		took = -1;
	}
	freeReplyObject(rep);
	return took;
}

int
rp_shared_put(struct rp_shared *s, struct rp_shared_budget *b,
    const char *token, size_t len, rp_attrset infos,
    const struct rp_profile *p, int marked)
{
	char pkey[KEY_MAX], ckey[KEY_MAX], px[24];
	const char *argv[7];
	size_t argvlen[7];
	struct rp_buf packed, sealed;
	redisReply *rep = NULL;
	long long now = s->wall_ms(), life;
	int granted, serve_only = 0;

	granted = p->outcome == RP_OUT_GRANTED;
	if (!granted && p->outcome != RP_OUT_PARTIAL &&
	    p->outcome != RP_OUT_REFUSED)
		return 0;
	rp_buf_init(&packed, s->max_value);
	rp_buf_init(&sealed, s->max_value);
	argvlen[3] = key_of(s, 'p', token, len, infos, pkey);
	argvlen[4] = key_of(s, 'c', token, len, infos, ckey);
	if (granted && marked) {
		/* Kept nowhere: only the consent memory goes, if Redis had it. */
		life = 1;
		serve_only = 1;
		argv[1] = consume_lua;
		sealed.data = NULL;
	} else if (granted) {
		/* Fresh for ttl_s; Redis keeps it stale_s more. */
		life = (s->ttl_s + s->stale_s) * 1000LL;
		if (s->ttl_s == 0 || rp_pack(p, &packed) != RP_OK ||
		    rp_seal(&s->seal, pkey, argvlen[3], now + s->ttl_s * 1000LL,
		    packed.data, packed.len, &sealed) != RP_OK)
			goto out;
		argv[1] = put_granted_lua;
	} else {
		life = (s->ttl_s + s->stale_s) * 1000LL;
		if (life < CONSENT_MIN_S * 1000LL)
			life = CONSENT_MIN_S * 1000LL;
		/* Nothing to hide but the fact: an empty sealed message. */
		if (rp_seal(&s->seal, ckey, argvlen[4], now + life, "", 0,
		    &sealed) != RP_OK)
			goto out;
		argv[1] = put_refused_lua;
	}
	snprintf(px, sizeof(px), "%lld", life > 0 ? life : 1);
	argv[0] = "EVAL";
	argvlen[0] = 4;
	argvlen[1] = strlen(argv[1]);
	argv[2] = "2";
	argvlen[2] = 1;
	argv[3] = pkey;
	argv[4] = ckey;
	argv[5] = sealed.data != NULL ? sealed.data : "";
	argvlen[5] = sealed.len;
	argv[6] = px;
	argvlen[6] = strlen(px);
	if (op(s, b, 7, argv, argvlen, &rep) != OP_OK)
		goto out;
	if (rep->type != REDIS_REPLY_INTEGER) {
		ADD(s->errors[RP_SE_PROTOCOL], 1);
		goto out;
	}
	if (!granted)
		ADD(s->consent_marks, 1);
	else if (marked)
		ADD(s->grant_once, 1);
	else if (rep->integer == 0) {
		ADD(s->grant_once, 1);
		serve_only = 1;
	} else
		ADD(s->stored, 1);
out:
	if (rep != NULL)
		freeReplyObject(rep);
	rp_buf_free(&packed);
	rp_buf_free(&sealed);
	return serve_only;
}

enum rp_err
rp_shared_ping(struct rp_shared *s, char *err, size_t errlen)
{
	long long deadline = rp_monotonic_us() + s->timeout_ms * 1000LL;
	const char *argv[1] = { "PING" };
	redisReply *rep = NULL;
	redisContext *c;
	char where[300];
	int cls = 0;

	if (s->path != NULL)
		snprintf(where, sizeof(where), "unix:%s", s->path);
	else
		snprintf(where, sizeof(where), "tcp:%s:%d", s->host, s->port);
	if ((c = dial(s, deadline, &cls)) == NULL) {
		snprintf(err, errlen, "[shared] redis %s: cannot connect (%s "
		    "within timeout_ms %ld); is redis-server running there, and "
		    "are password_file and database right? (pages are still "
		    "served without it)", where, class_names[cls], s->timeout_ms);
		return RP_EIO;
	}
	if (redisAppendCommandArgv(c, 1, argv, NULL) != REDIS_OK ||
	    (cls = exchange(s, c, 1, &rep, deadline)) != 0 ||
	    rep->type != REDIS_REPLY_STATUS || strcmp(rep->str, "PONG") != 0) {
		snprintf(err, errlen, "[shared] redis %s: PING not answered "
		    "PONG (%s%s%.*s); check that it is Redis, and the "
		    "password", where, cls ? class_names[cls] : "answer",
		    rep != NULL && rep->type == REDIS_REPLY_ERROR ? ": " : "",
		    rep != NULL && rep->type == REDIS_REPLY_ERROR ?
		    (int)(rep->len < 200 ? rep->len : 200) : 0,
		    rep != NULL && rep->type == REDIS_REPLY_ERROR ? rep->str : "");
		if (rep != NULL)
			freeReplyObject(rep);
		redisFree(c);
		return RP_EIO;
	}
	freeReplyObject(rep);
	redisFree(c);
	return RP_OK;
}

int
rp_shared_failing(struct rp_shared *s)
{
	int st;

	pthread_mutex_lock(&s->bmu);
	st = s->bstate;
	pthread_mutex_unlock(&s->bmu);
	return st != 0 || __atomic_load_n(&s->last_failed, __ATOMIC_RELAXED);
}

void
rp_shared_stats(struct rp_shared *s, struct rp_shared_stats *out)
{
	int i;

	memset(out, 0, sizeof(*out));
	out->hits = GET(s->hits);
	out->misses = GET(s->misses);
	out->stored = GET(s->stored);
	out->grant_once = GET(s->grant_once);
	out->consent_marks = GET(s->consent_marks);
	out->skipped = GET(s->skipped);
	out->ops = GET(s->ops);
	out->request_max_us = GET(s->request_max_us);
	for (i = 0; i < RP_SE__COUNT; i++)
		out->errors[i] = GET(s->errors[i]);
	pthread_mutex_lock(&s->bmu);
	out->breaker_state = s->bstate;
	out->breaker_opened = s->opened;
	pthread_mutex_unlock(&s->bmu);
}

static void
counter(struct rp_buf *b, const char *name, const char *help,
    unsigned long long v)
{
	rp_buf_appendf(b, "# HELP richprofile_shared_%s %s\n"
	    "# TYPE richprofile_shared_%s counter\n"
	    "richprofile_shared_%s %llu\n", name, help, name, name, v);
}

enum rp_err
rp_shared_metrics(struct rp_shared *s, struct rp_buf *b)
{
	struct rp_shared_stats st;
	unsigned long long cum = 0;
	size_t i;

	rp_shared_stats(s, &st);
	counter(b, "hits_total", "Profiles found in Redis after an "
	    "in-process miss.", st.hits);
	counter(b, "misses_total", "Lookups in Redis that found no usable "
	    "profile.", st.misses);
	counter(b, "stored_total", "Granted profiles written to Redis.",
	    st.stored);
	counter(b, "grant_once_total", "Granted answers served but kept "
	    "nowhere: a partial or refused answer came first (any server).",
	    st.grant_once);
	counter(b, "consent_marks_total", "Partial or refused answers "
	    "remembered in Redis.", st.consent_marks);
	counter(b, "skipped_total", "Redis operations not attempted: its "
	    "breaker open, or the request's budget spent.", st.skipped);
	rp_buf_appendf(b, "# HELP richprofile_shared_errors_total Failed "
	    "Redis operations and unusable values, by class.\n"
	    "# TYPE richprofile_shared_errors_total counter\n");
	for (i = 1; i < RP_SE__COUNT; i++)
		rp_buf_appendf(b, "richprofile_shared_errors_total{class=\"%s\"} "
		    "%llu\n", class_names[i], st.errors[i]);
	rp_buf_appendf(b, "# HELP richprofile_shared_breaker_state The "
	    "shared tier's breaker: 0 closed, 1 open, 2 half-open.\n"
	    "# TYPE richprofile_shared_breaker_state gauge\n"
	    "richprofile_shared_breaker_state %d\n", st.breaker_state);
	counter(b, "breaker_opened_total", "Times the shared tier's breaker "
	    "opened.", st.breaker_opened);
	rp_buf_appendf(b, "# HELP richprofile_shared_request_max_seconds The "
	    "most time one request spent on Redis (all its operations).\n"
	    "# TYPE richprofile_shared_request_max_seconds gauge\n"
	    "richprofile_shared_request_max_seconds %.6f\n",
	    (double)st.request_max_us / 1e6);
	rp_buf_appendf(b, "# HELP richprofile_shared_operation_seconds Time "
	    "of each Redis operation, connecting included.\n"
	    "# TYPE richprofile_shared_operation_seconds histogram\n");
	for (i = 0; i < NBUCKETS; i++) {
		cum += GET(s->buckets[i]);
		rp_buf_appendf(b, "richprofile_shared_operation_seconds_bucket"
		    "{le=\"%g\"} %llu\n", (double)bucket_us[i] / 1e6, cum);
	}
	cum += GET(s->buckets[NBUCKETS]);
	rp_buf_appendf(b, "richprofile_shared_operation_seconds_bucket"
	    "{le=\"+Inf\"} %llu\n"
	    "richprofile_shared_operation_seconds_sum %.6f\n"
	    "richprofile_shared_operation_seconds_count %llu\n", cum,
	    (double)GET(s->sum_us) / 1e6, cum);
	return b->failed ? (enum rp_err)b->failed : RP_OK;
}
