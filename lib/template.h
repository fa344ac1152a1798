/* template.h: HTML templates, compiled once, filled with escaped values. */
#ifndef RP_TEMPLATE_H
#define RP_TEMPLATE_H

#include <stddef.h>

#include "attr.h"
#include "buf.h"
#include "err.h"
#include "i18n.h"
#include "profile.h"

/*
 * Syntax (documented for site authors in conf/templates/README):
 *
 *   {{Attr}}              the value of an attribute (any catalogue name or
 *                         alias); a list is joined with ", ", an address
 *                         as "Street1, Street2, ZipCode City, State, Country"
 *   {{Attr.Part}}         one part of an address (Street1 ... Country)
 *   {{label:Attr}}        the attribute's label in the response language
 *   {{msg:key}}           a message (see i18n.h for the keys)
 *   {{#Attr}}..{{/Attr}}  only when Attr has a value (a URL attribute:
 *                         only when it is http/https); over a list: once
 *                         per item, {{.}} being the item
 *   {{^Attr}}..{{/Attr}}  only when Attr has no value
 *   {{#has:Attr}}..{{/has:Attr}}  only when Attr has a value, once even
 *                         for a list (to wrap the items in a <ul>)
 *   {{#withheld}}..{{/withheld}}  once per withheld attribute:
 *                         {{label}} its label, {{name}} its name
 *   {{consent_url}} {{login_url}} {{return_url}}  links (sections too)
 *   {{return_path}}       the checked return path (text, not a link)
 *   {{status}} {{lang}}   "ok"/"partial"/...; "fr"/"en"
 *   {{view}}              (outcome templates) the view's template here
 *   {{error}} {{code}}    (error template) message and HTTP status
 *   {{! comment }}        nothing
 *
 * The author never escapes: the compiler follows the HTML around each
 * tag and picks the escaper (text; quoted attribute value; URL
 * attribute such as href/src, where a link or URL value may start the
 * value and any other value is percent-encoded after a literal
 * prefix).  Tags are refused where no escaping is safe: inside a tag
 * outside a quoted value, in unquoted values, in event-handler or
 * style attributes, in <script>/<style>, in comments.
 */

struct rp_tmpl;

/*
 * Compiles len bytes of src; name (a file name) is used in errors.
 * On error returns RP_ETEMPLATE and writes "NAME:LINE:COL: what is
 * wrong" into err.  Caller frees with rp_tmpl_free.  The result is
 * immutable and may be shared by every thread.
 */
enum rp_err rp_tmpl_compile(const char *name, const char *src, size_t len,
    struct rp_tmpl **out, char *err, size_t errlen);

/* Reads and compiles the file at path (RP_EIO when unreadable). */
enum rp_err rp_tmpl_load(const char *path, struct rp_tmpl **out, char *err,
    size_t errlen);

void rp_tmpl_free(struct rp_tmpl *t);

/*
 * The attributes whose values the template shows ({{Attr}}, {{Attr.Part}}
 * and sections; not {{label:Attr}}), to warn when a view does not ask
 * for them.
 */
rp_attrset rp_tmpl_uses(const struct rp_tmpl *t);

/* Everything a template can show; all borrowed for one render. */
struct rp_tmpl_ctx {
	const struct rp_profile *profile; /* NULL: no values (signin, errors) */
	rp_attrset shown;            /* only these attributes' values show (a
	                                view's infos); any other reads as absent */
	enum rp_lang lang;
	const char *status;          /* "ok", "partial", ...; NULL: "" */
	const char *consent_url;     /* a checked link, or NULL */
	const char *login_url;       /* NULL: none */
	const char *return_url;      /* site url + return path, or NULL */
	const char *return_path;     /* the return path alone, or NULL */
	const struct rp_tmpl *view;  /* what {{view}} renders, or NULL */
	int code;                    /* error template: HTTP status; 0 otherwise */
};

/*
 * Appends the filled template to out.  RP_OK or an rp_buf error (the
 * buffer then holds a partial result the caller should discard).
 */
enum rp_err rp_tmpl_render(const struct rp_tmpl *t, const struct rp_tmpl_ctx *ctx,
    struct rp_buf *out);

#endif
