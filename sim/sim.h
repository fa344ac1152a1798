/* sim.h: what the modules of richprofile-sim share (state, users, buffers). */
#ifndef RP_SIM_H
#define RP_SIM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "attr.h"
#include "buf.h"
#include "escape.h"

#define SIM_API_PATH "/PersonalRichProfile/V1"
#define SIM_PRIVACY_PATH "/urm-gui/interaction.do"
#define SIM_FAMILY "RichProfile"
#define SIM_SERVICE_ID "richprofile-sim"
#define SIM_CTX_LEN 32           /* hex characters of a consent context */
#define SIM_MAX_TOKEN 4096

/* ---- output buffers: lib/buf.h and the escapers of lib/escape.h ---- */

/* An empty struct rp_buf with the default bound, for declarations. */
#define SIM_BUF_INIT { .max = RP_BUF_DEFAULT_MAX }

/* s escaped for XML and HTML text and attribute values (& < > " '). */
static inline void
sim_esc(struct rp_buf *b, const char *s)
{
	rp_esc_html_text(b, s, strlen(s));
}

/* s percent-encoded as one URL query component. */
static inline void
sim_urlenc(struct rp_buf *b, const char *s)
{
	rp_esc_url_component(b, s, strlen(s));
}

/* s as a JSON string literal, quotes included. */
static inline void
sim_json(struct rp_buf *b, const char *s)
{
	rp_esc_json_string(b, s, strlen(s));
}

/* ---- demo users (users.c) ---- */

/* How CentersOfInterests is written in the API's answer. */
enum sim_shape {
	SIM_SHAPE_ELEMENTS,   /* one child element per interest */
	SIM_SHAPE_COMMA,      /* "a, b, c" */
	SIM_SHAPE_SEMICOLON,  /* "a;b;c" */
	SIM_SHAPE_NEWLINE     /* one per line */
};

struct sim_value {
	char *text;                    /* text kinds; NULL: not in the file */
	char *part[RP_ADDR__COUNT];    /* address kinds */
	char **items;                  /* list kind */
	size_t nitems;
};

struct sim_user {
	char *id;                      /* [user ID] */
	char *token;                   /* bearer token; never printed */
	char *about;                   /* what is special, for the sign-in page */
	char *language;                /* "fr" or "en": pages shown to this user */
	struct sim_value values[RP_ATTR__COUNT];
	enum sim_shape shape;
	rp_attrset refused_initial;    /* from `refused =` */
	int expired;                   /* every call answers 103 */
	int photo;                     /* 0: no photo URLs */
	unsigned line;                 /* line of the section header */

	/* Run-time state, under sim.lock. */
	rp_attrset refused;            /* consent refused now */
	rp_attrset once;               /* granted for the next answer only */
	struct timespec issued;        /* monotonic; token lifetime counts from it */
	char ctx[SIM_CTX_LEN + 1];     /* opaque id in privacy URLs */
};

struct sim_users {
	struct sim_user *v;
	size_t n;
};

/*
 * Reads the users file.  On error returns -1 and writes
 * "FILE:LINE: what is wrong" into err.  Caller frees with sim_users_free.
 */
int sim_users_load(const char *path, struct sim_users *out, char *err,
    size_t errlen);
void sim_users_free(struct sim_users *u);

/* The user holding token, or NULL.  Call with sim.lock held. */
struct sim_user *sim_user_by_token(const char *token);
struct sim_user *sim_user_by_id(const char *id);
struct sim_user *sim_user_by_ctx(const char *ctx);
/* Puts the user back to the state the users file gives; lock held. */
void sim_user_reset(struct sim_user *u);

/* ---- faults (fault.c) ---- */

struct sim_fault {
	long delay_ms;       /* sleep before answering */
	int stall;           /* 1: never answer; 2: headers + half body, then never */
	int status;          /* HTTP status with a non-XML body (0: none) */
	int notxml;          /* 200 with an HTML body */
	int truncate;        /* whole HTTP answer, XML cut in half */
	int shortbody;       /* Content-Length of the whole, half sent, FIN */
	int reset;           /* half sent, then TCP RST */
	int drop;            /* connection closed without any answer */
	int redirect;        /* 302 elsewhere */
	int close;           /* Connection: close after the answer */
	long oversize;       /* well-formed XML of this many bytes */
	long slow_bps;       /* body sent at this many bytes per second */
	int has_code;        /* <error><code>code</code> */
	long code;
	long tag;            /* no effect: makes a fault: token unique (benchmarks) */
};

/*
 * Parses "delay=200,code=504" into f (zeroed first).  Returns 0, or -1
 * with a message in err naming the bad item.
 */
int sim_fault_parse(const char *spec, struct sim_fault *f, char *err,
    size_t errlen);
int sim_fault_any(const struct sim_fault *f);

/* ---- the running simulator (state.c) ---- */

struct sim_rule {
	char *token;         /* NULL: every token */
	struct sim_fault fault;
	long remaining;      /* answers left; -1: until reset */
};

struct sim_count {
	char fp[32];         /* token fingerprint */
	const char *user;    /* borrowed user id, or NULL */
	unsigned long n;
	char *headers;       /* owned: the last request's headers, a JSON array */
};

struct sim {
	/* Fixed after start. */
	char *public_url;    /* no trailing slash */
	char *cookie;        /* session cookie name */
	char *photos;        /* directory of NAME.png */
	long lifetime_s;     /* 0: tokens never expire */
	long delay_ms;       /* added to every API answer */
	int tls;

	pthread_mutex_t lock;   /* guards everything below and users' state */
	pthread_cond_t wake;    /* broadcast when stopping */
	int stopping;
	struct sim_users users;
	struct sim_rule *rules;
	size_t nrules;
	unsigned long requests, api_requests, connections, open_connections;
	struct sim_count *counts;   /* first-seen order */
	size_t ncounts, capcounts;
	size_t *index;              /* nindex slots: 0 empty, else count + 1 */
	size_t nindex;
};

extern struct sim sim;

/* Sets up sim.lock and sim.wake; once, before any thread starts. */
void sim_state_init(void);

/*
 * Sleeps ms milliseconds (ms < 0: until stopping).  Returns early, with
 * 1, when the simulator stops; otherwise 0.
 */
int sim_sleep_ms(long ms);

/* Marks the simulator stopping and wakes every sim_sleep_ms. */
void sim_state_stop(void);

/* Frees the users, fault rules, counters and strings of sim; after the server stopped. */
void sim_state_free(void);

/* ---- per-token counters (counts.c) ---- */

/*
 * Counts one API request for token, and keeps its request headers
 * (headers: a JSON array of [name, value] pairs, taken over; may be
 * NULL); lock held.
 */
void sim_count_token(const char *token, const struct sim_user *u,
    char *headers);
/* The counter of fingerprint fp, or NULL.  Lock held. */
struct sim_count *sim_count_find(const char *fp);
/* Forgets every counter.  Lock held. */
void sim_counts_free(void);

/* ---- the HTTP server (server.c) ---- */

#define SIM_FORM_MAX 8           /* fields kept from a posted form */
#define SIM_FORM_VALUE_MAX 4096  /* bytes kept of one field */

/* One request being answered (the con_cls of MHD). */
struct sim_req {
	struct MHD_Connection *conn;
	const char *method, *path;    /* borrowed from MHD */
	struct MHD_PostProcessor *pp; /* POST forms only */
	int form_bad;                 /* a field was too long or too many */
	size_t nform;
	struct {
		char *name, *value;   /* owned */
	} form[SIM_FORM_MAX];
};

/* A posted form field, or NULL; borrowed from r. */
const char *sim_form(const struct sim_req *r, const char *name);
/* A query argument, decoded, or NULL; borrowed from MHD. */
const char *sim_arg(struct MHD_Connection *conn, const char *name);

/* Where and how the daemon listens; every pointer borrowed for the call. */
struct sim_listen {
	const struct sockaddr *addr;   /* numeric, from --listen */
	unsigned port;                 /* the port asked: reported if MHD cannot say */
	long threads;                  /* a pool of this many; 0: a thread per connection */
	const char *cert, *key;        /* PEM text for HTTPS, or both NULL */
};

/*
 * Starts the daemon that routes every request to its handler.  Returns
 * 0 with the daemon in *d (stop it with sim_server_stop) and the port it
 * bound in *bound, or -1 (libmicrohttpd said why on stderr).
 */
int sim_server_start(const struct sim_listen *l, struct MHD_Daemon **d,
    unsigned *bound);
/* Stops d (NULL: nothing), waiting for its threads; call sim_state_stop first. */
void sim_server_stop(struct MHD_Daemon *d);

/* ---- answers (reply.c) ---- */

/* Queues a whole response with a body copy; returns the MHD result. */
enum MHD_Result sim_reply(struct MHD_Connection *conn, unsigned status,
    const char *type, const char *body, size_t len);
/* A small HTML page saying what went wrong; status 4xx/5xx. */
enum MHD_Result sim_reply_error(struct MHD_Connection *conn, unsigned status,
    const char *message);
/* An HTML page (b taken over and freed): 200, CSP without scripts, no-store. */
enum MHD_Result sim_reply_html(struct MHD_Connection *conn, struct rp_buf *b);
/* A 303 to location, with an optional Set-Cookie. */
enum MHD_Result sim_redirect(struct MHD_Connection *conn, unsigned status,
    const char *location, const char *set_cookie);

/* Whether path is a site-local path ("/x", not "//x", no controls). */
int sim_local_path(const char *path);

/* ---- handlers (api.c, consent_pages.c, pages.c, control.c) ---- */

enum MHD_Result sim_api(struct sim_req *r);
enum MHD_Result sim_privacy(struct sim_req *r);
enum MHD_Result sim_signin(struct sim_req *r);
enum MHD_Result sim_signout(struct sim_req *r);
enum MHD_Result sim_photo(struct sim_req *r);
enum MHD_Result sim_control(struct sim_req *r);
enum MHD_Result sim_index(struct sim_req *r);

#endif
