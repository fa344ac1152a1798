/* render.c: chooses the outcome, language and links; fills templates or writes JSON. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consent.h"
#include "err.h"
#include "escape.h"
#include "render.h"
#include "template.h"

/* Set by the build (AM_CPPFLAGS); the fallback serves builds without it (fuzzing). */
#ifndef RP_DATADIR
#define RP_DATADIR "/usr/share/richprofile"
#endif

/* Per status (profile.h): its JSON HTTP status, its outcome template, its message. */
static const struct {
	int http;
	const char *file;
	enum rp_msg msg;
} statuses[RP_ST__COUNT] = {
	[RP_ST_OK]          = { 200, "ok.html", RP_MSG_TITLE },
	[RP_ST_PARTIAL]     = { 200, "partial.html", RP_MSG_PARTIAL },
	[RP_ST_CONSENT]     = { 403, "consent.html", RP_MSG_CONSENT },
	[RP_ST_SIGNIN]      = { 401, "signin.html", RP_MSG_SIGNIN },
	[RP_ST_UNAVAILABLE] = { 503, "unavailable.html", RP_MSG_UNAVAILABLE },
};

#define ERROR_FILE "error.html"

struct rp_renderer {
	const struct rp_cfg *cfg;
	struct rp_tmpl *outcome[RP_ST__COUNT];
	struct rp_tmpl *error;
	struct rp_tmpl **views;     /* one per cfg->views[i] */
	enum rp_lang dflt;
};

int
rp_status_http(enum rp_status st)
{
	return (unsigned)st < RP_ST__COUNT ? statuses[st].http : 503;
}

static int
load(const char *dir, const char *file, struct rp_tmpl **out, char *err,
    size_t errlen)
{
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >= sizeof(path)) {
		snprintf(err, errlen, "%s/%s: template path too long", dir, file);
		return RP_EINVAL;
	}
	return rp_tmpl_load(path, out, err, errlen);
}

enum rp_err
rp_renderer_new(const struct rp_cfg *cfg, struct rp_renderer **out, char *err,
    size_t errlen)
{
	struct rp_renderer *r;
	const char *dir = cfg->server.templates != NULL ? cfg->server.templates :
	    RP_DATADIR "/templates";
	const char *dl = cfg->site.default_language;
	size_t i;
	int rc = RP_OK;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (cfg->nviews > 0 && (r->views = calloc(cfg->nviews, sizeof(*r->views))) == NULL)) {
		snprintf(err, errlen, "out of memory loading templates");
		rc = RP_ENOMEM;
		goto out;
	}
	r->cfg = cfg;
	if (dl == NULL || rp_lang_parse(dl, strlen(dl), &r->dflt) != 0)
		r->dflt = RP_LANG_FR;
	for (i = 0; i < RP_ST__COUNT; i++)
		if ((rc = load(dir, statuses[i].file, &r->outcome[i], err, errlen)) != RP_OK)
			goto out;
	if ((rc = load(dir, ERROR_FILE, &r->error, err, errlen)) != RP_OK)
		goto out;
	for (i = 0; i < cfg->nviews; i++) {
		if (cfg->views[i].template == NULL) {
			snprintf(err, errlen, "[view %s]: no template", cfg->views[i].name);
			rc = RP_ECONFIG;
			goto out;
		}
		if ((rc = load(dir, cfg->views[i].template, &r->views[i], err, errlen)) != RP_OK)
			goto out;
	}
	*out = r;
	r = NULL;
out:
	rp_renderer_free(r);
	return rc;
}

void
rp_renderer_free(struct rp_renderer *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < RP_ST__COUNT; i++)
		rp_tmpl_free(r->outcome[i]);
	rp_tmpl_free(r->error);
	if (r->views != NULL)
		for (i = 0; i < r->cfg->nviews; i++)
			rp_tmpl_free(r->views[i]);
	free(r->views);
	free(r);
}

int
rp_renderer_view_warning(const struct rp_renderer *r, size_t i, char *buf,
    size_t len)
{
	const struct rp_view *v = &r->cfg->views[i];
	rp_attrset unasked = rp_tmpl_uses(r->views[i]) & ~v->infos;
	struct rp_buf b;
	const char *sep = "", *it;
	size_t j;
	int n = 0, files = 0, rc;

	for (j = 0; j < RP_ST__COUNT; j++)
		unasked |= rp_tmpl_uses(r->outcome[j]) & ~v->infos;
	if (unasked == 0)
		return 0;
	rp_buf_init(&b, 4096);
	rp_buf_appendf(&b, "%s: [view %s]: ", r->cfg->path, v->name);
	if (rp_tmpl_uses(r->views[i]) & unasked) {
		rp_buf_puts(&b, v->template);
		sep = ", ";
		files++;
	}
	for (j = 0; j < RP_ST__COUNT; j++)
		if (rp_tmpl_uses(r->outcome[j]) & unasked) {
			rp_buf_appendf(&b, "%s%s", sep, statuses[j].file);
			sep = ", ";
			files++;
		}
	rp_buf_puts(&b, files == 1 ? " shows" : " show");
	sep = " ";
	for (j = 0; j < RP_ATTR__COUNT; j++)
		if (unasked & RP_ATTR_BIT(j)) {
			rp_buf_appendf(&b, "%s%s", sep, rp_attr_get((enum rp_attr_id)j)->name);
			sep = ", ";
			n++;
		}
	it = n == 1 ? "it" : "them";
	rc = rp_buf_appendf(&b, ", which its infos does not ask for: the API is "
	    "never asked for %s, so %s always empty; add %s to infos or remove "
	    "%s from the template", it, n == 1 ? "it stays" : "they stay", it, it);
	if (rc == RP_OK)
		snprintf(buf, len, "%s", rp_buf_str(&b));
	else
		snprintf(buf, len, "%s: [view %s]: its templates show attributes "
		    "its infos does not ask for (out of memory naming them): add "
		    "them to infos or remove them from the templates",
		    r->cfg->path, v->name);
	rp_buf_free(&b);
	return 1;
}

/* The compiled template of view, or NULL when the view is not the renderer's. */
static const struct rp_tmpl *
view_tmpl(const struct rp_renderer *r, const struct rp_view *view)
{
	size_t i;

	for (i = 0; i < r->cfg->nviews; i++)
		if (&r->cfg->views[i] == view ||
		    strcmp(r->cfg->views[i].name, view->name) == 0)
			return r->views[i];
	return NULL;
}

/* Everything one request's templates and JSON need, decided once. */
struct decision {
	struct rp_tmpl_ctx ctx;
	struct rp_render_res res;
	struct rp_buf consent;      /* the consent link, when there is one */
	struct rp_buf ret;          /* site url + return path */
};

static int
decide(const struct rp_renderer *r, const struct rp_render_req *req,
    struct decision *d)
{
	const struct rp_cfg *cfg = r->cfg;
	const struct rp_profile *p = req->profile;
	const char *preferred = NULL, *rpath, *why = NULL;
	int rc = RP_OK;

	memset(d, 0, sizeof(*d));
	rp_buf_init(&d->consent, RP_PRIVACY_URL_MAX * 4);
	rp_buf_init(&d->ret, RP_RETURN_PATH_MAX * 2 + 1024);
	if (req->view != NULL && (d->ctx.view = view_tmpl(r, req->view)) == NULL)
		return RP_EINVAL;
	d->res.status = rp_status_of(p);
	d->res.http_status = rp_status_http(d->res.status);
	/* Only what the view asked for is shown (without a view: what was
	 * requested); a value the API sent unasked counts as absent. */
	d->ctx.shown = req->view != NULL ? req->view->infos :
	    p != NULL ? p->requested : 0;
	if (p != NULL && (d->ctx.shown & RP_ATTR_BIT(RP_A_PREFERREDLANGUAGE)) &&
	    rp_profile_has(p, RP_A_PREFERREDLANGUAGE))
		preferred = rp_profile_value(p, RP_A_PREFERREDLANGUAGE)->text;
	d->res.lang = rp_lang_choose(preferred, req->accept_language, r->dflt);

	rpath = req->return_path;
	if (rpath == NULL || !rp_return_path_ok(rpath, strlen(rpath)))
		rpath = cfg->site.return_path;
	if (rpath != NULL && !rp_return_path_ok(rpath, strlen(rpath)))
		rpath = NULL;
	if (rpath != NULL && cfg->site.url != NULL) {
		rc = rp_buf_puts(&d->ret, cfg->site.url);
		if (rc == RP_OK && d->ret.len > 0 && d->ret.data[d->ret.len - 1] == '/')
			d->ret.data[--d->ret.len] = '\0';
		if (rc == RP_OK)
			rc = rp_buf_puts(&d->ret, rpath);
		if (rc != RP_OK)
			return rc;
	}

	/* Only consent and partial outcomes offer the privacy page. */
	if (d->res.status == RP_ST_CONSENT || d->res.status == RP_ST_PARTIAL) {
		if (p->privacy_url == NULL) {
			if (d->res.status == RP_ST_CONSENT)
				d->res.consent_problem = "the API gave no privacy URL";
		} else if (rpath == NULL) {
			d->res.consent_problem = "no valid return path: set [site] return_path";
		} else if ((rc = rp_consent_link(&d->consent, p->privacy_url,
		    cfg->site.privacy_hosts, cfg->site.url, rpath, &why)) == RP_EINVAL) {
			d->res.consent_problem = why;
			rp_buf_reset(&d->consent);
			rc = RP_OK;
		} else if (rc != RP_OK)
			return rc;
	}

	d->ctx.profile = p;
	d->ctx.lang = d->res.lang;
	d->ctx.status = rp_status_name(d->res.status);
	d->ctx.consent_url = d->consent.len > 0 ? rp_buf_str(&d->consent) : NULL;
	d->ctx.login_url = cfg->site.login_url;
	d->ctx.return_url = d->ret.len > 0 ? rp_buf_str(&d->ret) : NULL;
	d->ctx.return_path = rpath;
	/* A view shows values only when the user granted some. */
	if (d->res.status != RP_ST_OK && d->res.status != RP_ST_PARTIAL)
		d->ctx.view = NULL;
	return RP_OK;
}

static void
decision_free(struct decision *d)
{
	rp_buf_free(&d->consent);
	rp_buf_free(&d->ret);
}

enum rp_err
rp_render_fragment(const struct rp_renderer *r, const struct rp_render_req *req,
    struct rp_buf *out, struct rp_render_res *res)
{
	struct decision d;
	int rc;

	if ((rc = decide(r, req, &d)) != RP_OK)
		goto out;
	if ((rc = rp_tmpl_render(r->outcome[d.res.status], &d.ctx, out)) != RP_OK)
		goto out;
	*res = d.res;
out:
	decision_free(&d);
	return rc;
}

/* "Name":value pairs of the granted attributes of shown, in catalogue order. */
static int
json_attributes(struct rp_buf *b, const struct rp_profile *p, rp_attrset shown)
{
	const struct rp_value *v;
	const struct rp_attr *a;
	int i, j, rc = RP_OK, first = 1, firstpart;
	size_t k;

	rc = rp_buf_putc(b, '{');
	for (i = 0; p != NULL && i < RP_ATTR__COUNT && rc == RP_OK; i++) {
		if (!(shown & RP_ATTR_BIT(i)) || !rp_profile_has(p, (enum rp_attr_id)i))
			continue;
		a = rp_attr_get((enum rp_attr_id)i);
		v = rp_profile_value(p, (enum rp_attr_id)i);
		/* Same rule as the fragments: a URL leaves only as http(s). */
		if (a->kind == RP_KIND_URL &&
		    (v->text == NULL || !rp_url_is_http(v->text, strlen(v->text))))
			continue;
		if (!first)
			rc = rp_buf_putc(b, ',');
		first = 0;
		if (rc == RP_OK)
			rc = rp_esc_json_string(b, a->name, strlen(a->name));
		if (rc == RP_OK)
			rc = rp_buf_putc(b, ':');
		if (rc != RP_OK)
			break;
		if (a->kind == RP_KIND_LIST) {
			rc = rp_buf_putc(b, '[');
			for (k = 0; k < v->nitems && rc == RP_OK; k++) {
				if (k > 0)
					rc = rp_buf_putc(b, ',');
				if (rc == RP_OK)
					rc = rp_esc_json_string(b, v->items[k], strlen(v->items[k]));
			}
			if (rc == RP_OK)
				rc = rp_buf_putc(b, ']');
		} else if (a->kind == RP_KIND_ADDRESS) {
			rc = rp_buf_putc(b, '{');
			firstpart = 1;
			for (j = 0; j < RP_ADDR__COUNT && rc == RP_OK; j++) {
				const char *part = rp_value_part(v,
				    (enum rp_addr_part)j);
				const char *pn = rp_addr_part_name((enum rp_addr_part)j);

				if (part == NULL || part[0] == '\0')
					continue;
				if (!firstpart)
					rc = rp_buf_putc(b, ',');
				firstpart = 0;
				if (rc == RP_OK)
					rc = rp_esc_json_string(b, pn, strlen(pn));
				if (rc == RP_OK)
					rc = rp_buf_putc(b, ':');
				if (rc == RP_OK)
					rc = rp_esc_json_string(b, part, strlen(part));
			}
			if (rc == RP_OK)
				rc = rp_buf_putc(b, '}');
		} else
			rc = rp_esc_json_string(b, v->text, strlen(v->text));
	}
	if (rc == RP_OK)
		rc = rp_buf_putc(b, '}');
	return rc;
}

static int
json_withheld(struct rp_buf *b, const struct rp_profile *p, enum rp_lang lang)
{
	const char *name, *label;
	int i, rc, first = 1;

	rc = rp_buf_putc(b, '[');
	for (i = 0; p != NULL && i < RP_ATTR__COUNT && rc == RP_OK; i++) {
		if (!(p->withheld & RP_ATTR_BIT(i)))
			continue;
		name = rp_attr_get((enum rp_attr_id)i)->name;
		label = rp_attr_label((enum rp_attr_id)i, rp_lang_code(lang));
		rc = rp_buf_puts(b, first ? "{\"name\":" : ",{\"name\":");
		first = 0;
		if (rc == RP_OK)
			rc = rp_esc_json_string(b, name, strlen(name));
		if (rc == RP_OK)
			rc = rp_buf_puts(b, ",\"label\":");
		if (rc == RP_OK)
			rc = rp_esc_json_string(b, label, strlen(label));
		if (rc == RP_OK)
			rc = rp_buf_putc(b, '}');
	}
	if (rc == RP_OK)
		rc = rp_buf_putc(b, ']');
	return rc;
}

/* A JSON string, or null for NULL. */
static int
json_str_or_null(struct rp_buf *b, const char *s)
{
	return s != NULL ? rp_esc_json_string(b, s, strlen(s)) : rp_buf_puts(b, "null");
}

enum rp_err
rp_render_json(const struct rp_renderer *r, const struct rp_render_req *req,
    struct rp_buf *out, struct rp_render_res *res)
{
	struct decision d;
	const struct rp_profile *p;
	int rc, granted;

	if ((rc = decide(r, req, &d)) != RP_OK)
		goto out;
	granted = d.res.status == RP_ST_OK || d.res.status == RP_ST_PARTIAL;
	p = granted ? req->profile : NULL;
	rp_buf_puts(out, "{\"status\":");
	json_str_or_null(out, d.ctx.status);
	rp_buf_puts(out, ",\"lang\":");
	json_str_or_null(out, rp_lang_code(d.res.lang));
	rp_buf_puts(out, ",\"view\":");
	json_str_or_null(out, req->view != NULL ? req->view->name : NULL);
	rp_buf_puts(out, ",\"message\":");
	json_str_or_null(out, rp_msg(statuses[d.res.status].msg, d.res.lang));
	rp_buf_puts(out, ",\"attributes\":");
	json_attributes(out, p, d.ctx.shown);
	rp_buf_puts(out, ",\"withheld\":");
	json_withheld(out, p, d.res.lang);
	rp_buf_puts(out, ",\"consent_url\":");
	json_str_or_null(out, d.ctx.consent_url);
	rp_buf_puts(out, ",\"login_url\":");
	json_str_or_null(out, d.res.status == RP_ST_SIGNIN ? d.ctx.login_url : NULL);
	/* rp_buf failures are sticky: one check covers every append above. */
	if ((rc = rp_buf_putc(out, '}')) != RP_OK)
		goto out;
	*res = d.res;
out:
	decision_free(&d);
	return rc;
}

static enum rp_lang
error_lang(const struct rp_renderer *r, const char *accept_language)
{
	return rp_lang_choose(NULL, accept_language, r->dflt);
}

enum rp_err
rp_render_error(const struct rp_renderer *r, int http_status,
    const char *accept_language, struct rp_buf *out)
{
	struct rp_tmpl_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.lang = error_lang(r, accept_language);
	ctx.status = "error";
	ctx.code = http_status;
	return rp_tmpl_render(r->error, &ctx, out);
}

enum rp_err
rp_render_error_json(const struct rp_renderer *r, int http_status,
    const char *accept_language, struct rp_buf *out)
{
	enum rp_lang lang = error_lang(r, accept_language);
	const char *text = rp_msg(rp_msg_for_http(http_status), lang);

	rp_buf_appendf(out, "{\"status\":\"error\",\"code\":%d,\"lang\":\"%s\",\"message\":",
	    http_status, rp_lang_code(lang));
	rp_esc_json_string(out, text, strlen(text));
	return rp_buf_putc(out, '}');
}

enum rp_err
rp_render_json_attributes(struct rp_buf *b, const struct rp_profile *p)
{
	return json_attributes(b, p, RP_ATTRSET_ALL);
}
