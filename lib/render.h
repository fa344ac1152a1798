/* render.h: from a profile and a view to the fragment or JSON the user gets. */
#ifndef RP_RENDER_H
#define RP_RENDER_H

#include <stddef.h>

#include "buf.h"
#include "cfg.h"
#include "err.h"
#include "i18n.h"
#include "profile.h"

/* HTTP status of a JSON answer: 200, 200, 403, 401, 503. */
int rp_status_http(enum rp_status st);

/*
 * Every template of a configuration, compiled: one per view plus the
 * outcome templates ok.html, partial.html, consent.html, signin.html,
 * unavailable.html and error.html, all read from cfg->server.templates
 * (RP_DATADIR "/templates" when NULL).  Immutable; shared by threads.
 */
struct rp_renderer;

/*
 * cfg is borrowed and must outlive the renderer.  On error returns
 * RP_ETEMPLATE or RP_EIO and writes "FILE:LINE:COL: what" into err.
 * Caller frees with rp_renderer_free.
 */
enum rp_err rp_renderer_new(const struct rp_cfg *cfg, struct rp_renderer **out,
    char *err, size_t errlen);

void rp_renderer_free(struct rp_renderer *r);

/*
 * Whether the templates of cfg->views[i] (its own and the outcome
 * templates) show attributes its infos does not ask for: the API never
 * sends them, so their places stay empty.  When so, returns 1 and writes
 * one warning line into buf, naming the attributes, the templates and
 * the fix; otherwise returns 0.
 */
int rp_renderer_view_warning(const struct rp_renderer *r, size_t i,
    char *buf, size_t len);

/* One request, as far as rendering goes; all borrowed. */
struct rp_render_req {
	const struct rp_view *view;       /* from rp_cfg_view on the renderer's cfg */
	const struct rp_profile *profile; /* NULL: no usable token (signin) */
	const char *accept_language;      /* Accept-Language header, or NULL */
	const char *return_path;          /* checked (rp_return_path_ok), or
	                                     NULL for [site] return_path */
};

/* What rendering decided, for headers and the log. */
struct rp_render_res {
	enum rp_status status;
	int http_status;            /* for JSON: rp_status_http(status) */
	enum rp_lang lang;
	const char *consent_problem; /* non-NULL: privacy URL rejected (static
	                                reason); log it, the user sees no link */
};

/*
 * Appends the HTML fragment for req to out and fills *res.  Only the
 * values of the attributes the view asks for are shown (without a view:
 * those the profile requested); any other the API sent reads as absent.
 * RP_OK, or
 * RP_EINVAL for a view the renderer does not know, or an rp_buf error.
 */
enum rp_err rp_render_fragment(const struct rp_renderer *r,
    const struct rp_render_req *req, struct rp_buf *out,
    struct rp_render_res *res);

/*
 * The same outcome as a JSON object (no trailing newline):
 *   {"status":"partial","lang":"fr","view":"card",
 *    "attributes":{"Firstname":"Ada","CentersOfInterests":["a","b"],
 *                  "HomeAddress":{"City":"Paris"}},
 *    "withheld":[{"name":"UserType","label":"Type de client"}],
 *    "consent_url":"https://...", "login_url":null}
 * Only http(s) URLs appear among URL attributes, and only the
 * attributes the view asks for, as in rp_render_fragment.
 */
enum rp_err rp_render_json(const struct rp_renderer *r,
    const struct rp_render_req *req, struct rp_buf *out,
    struct rp_render_res *res);

/*
 * A short fragment for a request error (400, 404, 405; anything else
 * reads as a generic error), with class "rp rp-error".
 */
enum rp_err rp_render_error(const struct rp_renderer *r, int http_status,
    const char *accept_language, struct rp_buf *out);

/* The same as JSON: {"status":"error","code":404,"message":"..."}. */
enum rp_err rp_render_error_json(const struct rp_renderer *r, int http_status,
    const char *accept_language, struct rp_buf *out);

/*
 * The "attributes" object of rp_render_json alone, for a profile without
 * a renderer (richprofile fetch --format json).  p may be NULL: {}.
 */
enum rp_err rp_render_json_attributes(struct rp_buf *b, const struct rp_profile *p);

#endif
