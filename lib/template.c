/* template.c: compiles templates once, tracking HTML context; renders with escaping. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "consent.h"
#include "err.h"
#include "escape.h"
#include "template.h"

#define MAX_DEPTH 16              /* nested sections */
#define MAX_TAG 256               /* bytes between {{ and }} */
#define MAX_SOURCE (256 * 1024)   /* bytes of one template file */

/* Where a tag sits, which decides its escaper. */
enum ctx {
	CTX_TEXT,        /* element content */
	CTX_ATTR,        /* quoted attribute value */
	CTX_URL_START,   /* start of a URL attribute's value: only links */
	CTX_URL_REST,    /* rest of a URL attribute's value: percent-encoded */
	CTX_TAG          /* inside a tag, between attributes: sections only */
};

/* What a tag names. */
enum src {
	S_ATTR, S_PART, S_LABEL, S_MSG, S_ITEM, S_ITEM_LABEL, S_ITEM_NAME,
	S_CONSENT, S_LOGIN, S_RETURN, S_STATUS, S_LANG, S_VIEW, S_ERROR,
	S_CODE, S_WITHHELD, S_DOT, S_RETURN_PATH
};

enum opkind { OP_TEXT, OP_VALUE, OP_IF, OP_UNLESS };

struct op {
	enum opkind kind;
	enum src src;
	enum ctx ctx;
	int attr;          /* S_ATTR, S_PART, S_LABEL: enum rp_attr_id */
	int part;          /* S_PART: enum rp_addr_part; S_MSG: enum rp_msg */
	int has;           /* {{#has:X}}: a test only, even over a list */
	size_t off, len;   /* OP_TEXT: the bytes in src */
	size_t end;        /* OP_IF, OP_UNLESS: index of the first op after the section */
};

struct rp_tmpl {
	char *src;         /* a copy of the source, which OP_TEXT points into */
	struct op *ops;
	size_t nops;
	rp_attrset uses;
};

/* The HTML tokenizer's states, as far as escaping needs them. */
enum hstate {
	H_TEXT, H_TAG_OPEN, H_BANG, H_TAG_NAME, H_IN_TAG, H_ATTR_NAME,
	H_AFTER_ATTR_NAME, H_BEFORE_VALUE, H_VALUE_DQ, H_VALUE_SQ, H_VALUE_UNQ,
	H_COMMENT, H_DECL, H_RAWTEXT
};

/* An open section during compilation. */
struct open {
	size_t op;                  /* its OP_IF / OP_UNLESS */
	const char *name;           /* as written, for {{/name}} */
	size_t namelen;
	unsigned line, col;
	enum hstate hs;             /* HTML state at the opening tag ... */
	unsigned attrseq;           /* ... and which attribute value it was in */
};

struct compiler {
	const char *name;           /* file name for errors */
	const char *s;
	size_t n;
	unsigned line, col;         /* of the next byte to read, 1-based */
	/* HTML state */
	enum hstate hs;
	char tag[16];               /* current tag name, lower case, maybe cut */
	size_t taglen;
	int closing;                /* in an end tag */
	int dashes;                 /* H_BANG / H_COMMENT: dashes just seen */
	char attr[32];              /* current attribute name, lower case, maybe cut */
	size_t attrlen;
	char prefix[16];            /* first literal bytes of the value, lower case, no blanks */
	size_t prefixlen;
	int prefixdone;             /* a tag came: the prefix is all there is */
	size_t valuelen;            /* non-blank bytes of the value so far, tags included */
	unsigned attrseq;
	char raw[16];               /* H_RAWTEXT: "</script" or "</style" */
	size_t rawlen, rawmatch;
	/* output */
	struct rp_tmpl *t;
	size_t capops;
	struct open stack[MAX_DEPTH];
	size_t depth;
	size_t after;               /* offset just after the tag being compiled */
	char *err;
	size_t errlen;
};

static int
fail(struct compiler *c, unsigned line, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes "NAME:LINE:COL: message" into the caller's buffer. */
static int
fail(struct compiler *c, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (c->err != NULL && c->errlen > 0) {
		k = snprintf(c->err, c->errlen, "%s:%u:%u: ", c->name, line, col);
		if (k >= 0 && (size_t)k < c->errlen) {
			va_start(ap, fmt);
			vsnprintf(c->err + k, c->errlen - (size_t)k, fmt, ap);
			va_end(ap);
		}
	}
	return RP_ETEMPLATE;
}

static int
is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f';
}

static int
is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static char
lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Appends ch, lower-cased, to a small name buffer; long names are cut (and then match nothing). */
static void
grow_name(char *buf, size_t size, size_t *len, char ch)
{
	if (*len + 1 < size)
		buf[(*len)++] = lower(ch);
	else
		*len = size;   /* marks "too long": compares unequal to every known name */
	if (*len < size)
		buf[*len] = '\0';
}

static int
name_is(const char *buf, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(buf, want, len) == 0;
}

/* The end of a start or end tag: <script> and <style> switch to raw text. */
static void
end_of_tag(struct compiler *c)
{
	c->hs = H_TEXT;
	if (c->closing)
		return;
	if (name_is(c->tag, c->taglen, "script") || name_is(c->tag, c->taglen, "style")) {
		c->rawlen = (size_t)snprintf(c->raw, sizeof(c->raw), "</%s", c->tag);
		c->rawmatch = 0;
		c->hs = H_RAWTEXT;
	}
}

static void
start_attr(struct compiler *c, char ch)
{
	c->attrlen = 0;
	c->attr[0] = '\0';
	grow_name(c->attr, sizeof(c->attr), &c->attrlen, ch);
	c->hs = H_ATTR_NAME;
}

static void
start_value(struct compiler *c, enum hstate hs)
{
	c->hs = hs;
	c->valuelen = 0;
	c->prefixlen = 0;
	c->prefix[0] = '\0';
	c->prefixdone = 0;
	c->attrseq++;
}

/* Feeds one literal byte to the HTML state machine. */
static void
html_byte(struct compiler *c, char ch)
{
	switch (c->hs) {
	case H_TEXT:
		if (ch == '<')
			c->hs = H_TAG_OPEN;
		break;
	case H_TAG_OPEN:
		c->closing = 0;
		c->taglen = 0;
		c->tag[0] = '\0';
		if (ch == '/') {
			c->closing = 1;
			c->hs = H_TAG_NAME;
		} else if (ch == '!') {
			c->dashes = 0;
			c->hs = H_BANG;
		} else if (ch == '?')
			c->hs = H_DECL;
		else if (is_alpha(ch)) {
			grow_name(c->tag, sizeof(c->tag), &c->taglen, ch);
			c->hs = H_TAG_NAME;
		} else
			c->hs = ch == '<' ? H_TAG_OPEN : H_TEXT;
		break;
	case H_BANG:
		if (ch == '-' && ++c->dashes == 2) {
			c->dashes = 0;
			c->hs = H_COMMENT;
		} else if (ch != '-')
			c->hs = ch == '>' ? H_TEXT : H_DECL;
		break;
	case H_DECL:
		if (ch == '>')
			c->hs = H_TEXT;
		break;
	case H_COMMENT:
		if (ch == '>' && c->dashes >= 2)
			c->hs = H_TEXT;
		c->dashes = ch == '-' ? c->dashes + 1 : 0;
		break;
	case H_TAG_NAME:
		if (is_blank(ch) || ch == '/')
			c->hs = H_IN_TAG;
		else if (ch == '>')
			end_of_tag(c);
		else
			grow_name(c->tag, sizeof(c->tag), &c->taglen, ch);
		break;
	case H_IN_TAG:
		if (ch == '>')
			end_of_tag(c);
		else if (!is_blank(ch) && ch != '/')
			start_attr(c, ch);
		break;
	case H_ATTR_NAME:
		if (is_blank(ch))
			c->hs = H_AFTER_ATTR_NAME;
		else if (ch == '=')
			c->hs = H_BEFORE_VALUE;
		else if (ch == '>')
			end_of_tag(c);
		else if (ch == '/')
			c->hs = H_IN_TAG;
		else
			grow_name(c->attr, sizeof(c->attr), &c->attrlen, ch);
		break;
	case H_AFTER_ATTR_NAME:
		if (ch == '=')
			c->hs = H_BEFORE_VALUE;
		else if (ch == '>')
			end_of_tag(c);
		else if (ch == '/')
			c->hs = H_IN_TAG;
		else if (!is_blank(ch))
			start_attr(c, ch);
		break;
	case H_BEFORE_VALUE:
		if (ch == '"')
			start_value(c, H_VALUE_DQ);
		else if (ch == '\'')
			start_value(c, H_VALUE_SQ);
		else if (ch == '>')
			end_of_tag(c);
		else if (!is_blank(ch))
			start_value(c, H_VALUE_UNQ);
		break;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		if (ch == (c->hs == H_VALUE_DQ ? '"' : '\'')) {
			c->hs = H_IN_TAG;
			break;
		}
		/* Browsers drop blanks and controls when they read a scheme. */
		if ((unsigned char)ch > 0x20) {
			c->valuelen++;
			if (!c->prefixdone && c->prefixlen < sizeof(c->prefix) - 1) {
				c->prefix[c->prefixlen++] = lower(ch);
				c->prefix[c->prefixlen] = '\0';
			}
		}
		break;
	case H_VALUE_UNQ:
		if (is_blank(ch))
			c->hs = H_IN_TAG;
		else if (ch == '>')
			end_of_tag(c);
		break;
	case H_RAWTEXT:
		if (lower(ch) == c->raw[c->rawmatch])
			c->rawmatch++;
		else
			c->rawmatch = ch == '<' ? 1 : 0;
		if (c->rawmatch == c->rawlen) {
			c->closing = 1;
			c->taglen = 0;
			c->hs = H_TAG_NAME;
			grow_name(c->tag, sizeof(c->tag), &c->taglen, 'x');
		}
		break;
	}
}

/* Attributes whose value is a URL a browser will load or follow. */
static int
url_attr(const char *name, size_t len)
{
	static const char *const names[] = {
		"href", "src", "action", "formaction", "poster", "cite",
		"background", "data", "srcset", "xlink:href", "manifest",
		"codebase", "longdesc", "usemap", "ping", "icon", "profile",
		"classid", "archive", "lowsrc", "dynsrc", NULL,
	};
	size_t i;

	for (i = 0; names[i] != NULL; i++)
		if (name_is(name, len, names[i]))
			return 1;
	return 0;
}

static int
add_op(struct compiler *c, const struct op *op)
{
	struct op *p;
	size_t cap;

	if (c->t->nops == c->capops) {
		cap = c->capops != 0 ? c->capops * 2 : 32;
		if ((p = realloc(c->t->ops, cap * sizeof(*p))) == NULL)
			return RP_ENOMEM;
		c->t->ops = p;
		c->capops = cap;
	}
	c->t->ops[c->t->nops++] = *op;
	return RP_OK;
}

/* Feeds literal bytes [from, to) to the HTML machine and emits an OP_TEXT. */
static int
literal(struct compiler *c, size_t from, size_t to)
{
	struct op op;
	size_t i;

	if (from == to)
		return RP_OK;
	for (i = from; i < to; i++) {
		html_byte(c, c->s[i]);
		if (c->s[i] == '\n') {
			c->line++;
			c->col = 1;
		} else
			c->col++;
	}
	memset(&op, 0, sizeof(op));
	op.kind = OP_TEXT;
	op.off = from;
	op.len = to - from;
	return add_op(c, &op);
}

static int
eq(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

/* Resolves a tag's name (without sigil) into op->src and its ids. */
static int
resolve(struct compiler *c, const char *s, size_t n, struct op *op,
    unsigned line, unsigned col)
{
	static const struct {
		const char *name;
		enum src src;
	} specials[] = {
		{ ".", S_DOT }, { "consent_url", S_CONSENT }, { "login_url", S_LOGIN },
		{ "return_url", S_RETURN }, { "status", S_STATUS }, { "lang", S_LANG },
		{ "view", S_VIEW }, { "error", S_ERROR }, { "code", S_CODE },
		{ "withheld", S_WITHHELD }, { "label", S_ITEM_LABEL },
		{ "name", S_ITEM_NAME }, { "return_path", S_RETURN_PATH },
	};
	enum rp_attr_id id;
	enum rp_addr_part part;
	enum rp_msg msg;
	const char *dot;
	size_t i;

	for (i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (eq(s, n, specials[i].name)) {
			op->src = specials[i].src;
			return RP_OK;
		}
	if (n > 6 && memcmp(s, "label:", 6) == 0) {
		if (rp_attr_lookup(s + 6, n - 6, &id) != 0)
			return fail(c, line, col, "unknown attribute \"%.*s\" in {{label:...}}",
			    (int)(n - 6), s + 6);
		op->src = S_LABEL;
		op->attr = (int)id;
		return RP_OK;
	}
	if (n > 4 && memcmp(s, "msg:", 4) == 0) {
		if (rp_msg_lookup(s + 4, n - 4, &msg) != 0)
			return fail(c, line, col, "unknown message key \"%.*s\" in {{msg:...}}",
			    (int)(n - 4), s + 4);
		op->src = S_MSG;
		op->part = (int)msg;
		return RP_OK;
	}
	if ((dot = memchr(s, '.', n)) != NULL) {
		if (rp_attr_lookup(s, (size_t)(dot - s), &id) != 0)
			return fail(c, line, col, "unknown attribute \"%.*s\"",
			    (int)(dot - s), s);
		if (rp_attr_get(id)->kind != RP_KIND_ADDRESS)
			return fail(c, line, col, "%s is not an address: it has no parts",
			    rp_attr_get(id)->name);
		if (rp_addr_part_lookup(dot + 1, (size_t)(s + n - dot - 1), &part) != 0)
			return fail(c, line, col, "unknown address part \"%.*s\" (use Street1, "
			    "Street2, ZipCode, City, State or Country)",
			    (int)(s + n - dot - 1), dot + 1);
		op->src = S_PART;
		op->attr = (int)id;
		op->part = (int)part;
		c->t->uses |= RP_ATTR_BIT(id);
		return RP_OK;
	}
	if (rp_attr_lookup(s, n, &id) != 0)
		return fail(c, line, col, "unknown attribute or name \"%.*s\"", (int)n, s);
	op->src = S_ATTR;
	op->attr = (int)id;
	c->t->uses |= RP_ATTR_BIT(id);
	return RP_OK;
}

/* The escaping context of a tag at the current HTML state, or an error. */
static int
context(struct compiler *c, int section, enum ctx *out, unsigned line,
    unsigned col)
{
	switch (c->hs) {
	case H_TEXT:
		*out = CTX_TEXT;
		return RP_OK;
	case H_VALUE_DQ:
	case H_VALUE_SQ:
		if ((c->attrlen >= 2 && c->attr[0] == 'o' && c->attr[1] == 'n') ||
		    name_is(c->attr, c->attrlen, "style") ||
		    name_is(c->attr, c->attrlen, "srcdoc"))
			return fail(c, line, col, "a tag cannot go in the %.*s attribute "
			    "(script, style and document attributes cannot be escaped)",
			    (int)c->attrlen, c->attr);
		if (!url_attr(c->attr, c->attrlen))
			*out = CTX_ATTR;
		else if (c->valuelen == 0)
			*out = CTX_URL_START;
		else
			*out = CTX_URL_REST;
		return RP_OK;
	case H_IN_TAG:
	case H_AFTER_ATTR_NAME:
		if (section) {
			*out = CTX_TAG;
			return RP_OK;
		}
		return fail(c, line, col, "a value cannot stand inside a tag outside "
		    "a quoted attribute value");
	case H_BEFORE_VALUE:
	case H_VALUE_UNQ:
		return fail(c, line, col, "quote the attribute value around the tag "
		    "(attr=\"{{...}}\")");
	case H_COMMENT:
	case H_BANG:
		return fail(c, line, col, "a tag cannot go in an HTML comment");
	case H_RAWTEXT:
		return fail(c, line, col, "a tag cannot go inside <%s> (its content "
		    "cannot be escaped)", c->raw + 2);
	default:
		return fail(c, line, col, "a tag cannot go in a tag name or "
		    "attribute name");
	}
}

/* Which values may start a URL attribute: links we check before writing. */
static int
is_link(const struct op *op)
{
	if (op->src == S_ATTR || op->src == S_ITEM)
		return rp_attr_get((enum rp_attr_id)op->attr)->kind == RP_KIND_URL;
	return op->src == S_CONSENT || op->src == S_LOGIN || op->src == S_RETURN;
}

/* {{.}} means the value of the innermost {{#section}}. */
static int
resolve_dot(struct compiler *c, struct op *op, unsigned line, unsigned col)
{
	const struct op *sec;

	if (c->depth == 0)
		return fail(c, line, col, "{{.}} outside a section");
	sec = &c->t->ops[c->stack[c->depth - 1].op];
	if (sec->kind != OP_IF || sec->has)
		return fail(c, line, col, "{{.}} has no value in an inverted or has: "
		    "section");
	op->attr = sec->attr;
	op->part = sec->part;
	switch (sec->src) {
	case S_ATTR:
		op->src = rp_attr_get((enum rp_attr_id)sec->attr)->kind == RP_KIND_LIST ?
		    S_ITEM : S_ATTR;
		break;
	case S_WITHHELD:
		op->src = S_ITEM_LABEL;
		break;
	default:
		op->src = sec->src;
		break;
	}
	return RP_OK;
}

static int
in_withheld(const struct compiler *c)
{
	size_t i;

	for (i = 0; i < c->depth; i++)
		if (c->t->ops[c->stack[i].op].src == S_WITHHELD &&
		    c->t->ops[c->stack[i].op].kind == OP_IF &&
		    !c->t->ops[c->stack[i].op].has)
			return 1;
	return 0;
}

static int
value_tag(struct compiler *c, const char *s, size_t n, unsigned line,
    unsigned col)
{
	struct op op;
	int rc;

	memset(&op, 0, sizeof(op));
	op.kind = OP_VALUE;
	if ((rc = resolve(c, s, n, &op, line, col)) != RP_OK)
		return rc;
	if (op.src == S_DOT && (rc = resolve_dot(c, &op, line, col)) != RP_OK)
		return rc;
	if (op.src == S_WITHHELD)
		return fail(c, line, col, "withheld is a list: use "
		    "{{#withheld}}{{label}}{{/withheld}}");
	if ((op.src == S_ITEM_LABEL || op.src == S_ITEM_NAME) && !in_withheld(c))
		return fail(c, line, col, "{{%.*s}} outside {{#withheld}}", (int)n, s);
	if ((rc = context(c, 0, &op.ctx, line, col)) != RP_OK)
		return rc;
	if (op.src == S_VIEW && op.ctx != CTX_TEXT)
		return fail(c, line, col, "{{view}} must stand in element content");
	if (op.ctx == CTX_URL_START && !is_link(&op))
		return fail(c, line, col, "only a URL value (a photo URL, consent_url, "
		    "login_url, return_url) may start the %.*s attribute; put a "
		    "literal prefix before other values", (int)c->attrlen, c->attr);
	if (op.ctx == CTX_URL_REST && (strncmp(c->prefix, "javascript:", 11) == 0 ||
	    strncmp(c->prefix, "vbscript:", 9) == 0 || strncmp(c->prefix, "data:", 5) == 0))
		return fail(c, line, col, "values cannot go in a %.*s URL",
		    (int)strcspn(c->prefix, ":"), c->prefix);
	/* The value stands for bytes of the attribute: what follows is not its start. */
	if (op.ctx == CTX_URL_START || op.ctx == CTX_URL_REST || op.ctx == CTX_ATTR) {
		c->valuelen++;
		c->prefixdone = 1;
	}
	return add_op(c, &op);
}

static int
open_section(struct compiler *c, char sigil, const char *s, size_t n,
    unsigned line, unsigned col)
{
	struct op op;
	struct open *o;
	enum ctx ctx;
	int rc;

	memset(&op, 0, sizeof(op));
	op.kind = sigil == '#' ? OP_IF : OP_UNLESS;
	/* {{#has:List}} tests for a list without walking it. */
	if (n > 4 && memcmp(s, "has:", 4) == 0) {
		op.has = 1;
		if ((rc = resolve(c, s + 4, n - 4, &op, line, col)) != RP_OK)
			return rc;
	} else if ((rc = resolve(c, s, n, &op, line, col)) != RP_OK)
		return rc;
	if (op.src != S_ATTR && op.src != S_PART && op.src != S_CONSENT &&
	    op.src != S_LOGIN && op.src != S_RETURN && op.src != S_WITHHELD)
		return fail(c, line, col, "{{%c%.*s}}: only attributes, address parts, "
		    "withheld and the links can open a section", sigil, (int)n, s);
	if (c->depth == MAX_DEPTH)
		return fail(c, line, col, "sections nested deeper than %d", MAX_DEPTH);
	if ((rc = context(c, 1, &ctx, line, col)) != RP_OK)
		return rc;
	/*
	 * Inside a tag a section holds whole attributes: a name still being
	 * read would glue to the section's content in one branch only.
	 */
	if (ctx == CTX_TAG)
		c->hs = H_IN_TAG;
	o = &c->stack[c->depth++];
	o->op = c->t->nops;
	o->name = s;
	o->namelen = n;
	o->line = line;
	o->col = col;
	o->hs = c->hs;
	o->attrseq = c->attrseq;
	op.ctx = ctx;
	return add_op(c, &op);
}

static int
close_section(struct compiler *c, const char *s, size_t n, unsigned line,
    unsigned col)
{
	struct open *o;

	if (c->depth == 0)
		return fail(c, line, col, "{{/%.*s}} closes no open section", (int)n, s);
	o = &c->stack[c->depth - 1];
	if (o->namelen != n || memcmp(o->name, s, n) != 0)
		return fail(c, line, col, "{{/%.*s}} does not close {{%c%.*s}} opened at "
		    "%u:%u", (int)n, s, c->t->ops[o->op].kind == OP_IF ? '#' : '^',
		    (int)o->namelen, o->name, o->line, o->col);
	/*
	 * A section inside a tag may end after an attribute name if nothing
	 * glues to it: the name is complete in both branches.
	 */
	if (o->hs == H_IN_TAG && (c->hs == H_ATTR_NAME || c->hs == H_AFTER_ATTR_NAME)) {
		char nx = c->after < c->n ? c->s[c->after] : '\0';

		if (c->hs == H_ATTR_NAME && !is_blank(nx) && nx != '>' && nx != '/')
			return fail(c, line, col, "{{/%.*s}} ends an attribute name: follow "
			    "it with a blank, / or >", (int)n, s);
		c->hs = H_IN_TAG;
	}
	/* Both branches must leave the HTML where they found it. */
	if (o->hs != c->hs || ((o->hs == H_VALUE_DQ || o->hs == H_VALUE_SQ) &&
	    o->attrseq != c->attrseq))
		return fail(c, line, col, "section {{%c%.*s}} opened at %u:%u ends in "
		    "another HTML context (a section must not span a tag or "
		    "attribute boundary)", c->t->ops[o->op].kind == OP_IF ? '#' : '^',
		    (int)n, s, o->line, o->col);
	c->t->ops[o->op].end = c->t->nops;
	c->depth--;
	return RP_OK;
}

/* Offset of the "}}" that closes the tag at s[i], or 0 when none does. */
static size_t
tag_close(const struct compiler *c, size_t i)
{
	size_t k, lim;

	if (i + 2 < c->n && c->s[i + 2] == '!') {
		/* A comment may span lines. */
		for (k = i + 3; k + 1 < c->n; k++)
			if (c->s[k] == '}' && c->s[k + 1] == '}')
				return k;
		return 0;
	}
	lim = c->n - (i + 2) < MAX_TAG ? c->n : i + 2 + MAX_TAG;
	for (k = i + 2; k + 1 < lim && c->s[k] != '\n'; k++)
		if (c->s[k] == '}' && c->s[k + 1] == '}')
			return k;
	return 0;
}

/* Moves line and column over s[from, to) without compiling it. */
static void
skip(struct compiler *c, size_t from, size_t to)
{
	for (; from < to; from++)
		if (c->s[from] == '\n') {
			c->line++;
			c->col = 1;
		} else
			c->col++;
}

/*
 * Whether the tag at s[i] stands alone on its line (a section, a close
 * or a comment, with only blanks around it), as in Mustache: such a
 * line leaves nothing in the output, so templates can put sections on
 * lines of their own.  *from..*to is the line, newline included.
 */
static int
standalone(const struct compiler *c, size_t start, size_t i, size_t *from,
    size_t *to)
{
	const char *p = c->s + i + 2;
	size_t j = i, k, close;

	while (*p == ' ' || *p == '\t')
		p++;
	if ((*p != '#' && *p != '^' && *p != '/' && *p != '!') ||
	    (close = tag_close(c, i)) == 0)
		return 0;
	while (j > start && (c->s[j - 1] == ' ' || c->s[j - 1] == '\t'))
		j--;
	if (j != 0 && c->s[j - 1] != '\n')
		return 0;
	for (k = close + 2; k < c->n && (c->s[k] == ' ' || c->s[k] == '\t'); k++)
		;
	if (k < c->n && c->s[k] == '\r')
		k++;
	if (k < c->n && c->s[k] != '\n')
		return 0;
	*from = j;
	*to = k < c->n ? k + 1 : k;
	return 1;
}

/* One {{...}} at s[i] (i at the first '{'); advances *next past it. */
static int
tag(struct compiler *c, size_t i, size_t *next)
{
	const char *s = c->s + i + 2, *end;
	size_t n, k, close;
	unsigned line = c->line, col = c->col;
	char sigil = 0;

	if ((close = tag_close(c, i)) == 0)
		return fail(c, line, col, *s == '!' ? "unterminated {{! comment: no }}" :
		    "unterminated {{: no }} on the same line");
	end = c->s + close;
	skip(c, i, close + 2);
	*next = c->after = (size_t)(end + 2 - c->s);
	if (*s == '!')
		return RP_OK;
	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	if (s < end && (*s == '#' || *s == '^' || *s == '/')) {
		sigil = *s++;
		while (s < end && is_blank(*s))
			s++;
	}
	n = (size_t)(end - s);
	if (n == 0)
		return fail(c, line, col, "empty tag");
	for (k = 0; k < n; k++) {
		char ch = s[k];

		if (!(is_alpha(ch) || (ch >= '0' && ch <= '9') || ch == '_' ||
		    ch == '.' || ch == ':' || ch == '-'))
			return fail(c, line, col, "unexpected character '%c' in tag "
			    "(names are letters, digits and _ . : -)", ch);
	}
	if (sigil == '#' || sigil == '^')
		return open_section(c, sigil, s, n, line, col);
	if (sigil == '/')
		return close_section(c, s, n, line, col);
	return value_tag(c, s, n, line, col);
}

enum rp_err
rp_tmpl_compile(const char *name, const char *src, size_t len,
    struct rp_tmpl **out, char *err, size_t errlen)
{
	struct compiler c;
	size_t i = 0, start = 0, next = 0, from, to;
	int rc = RP_OK;

	memset(&c, 0, sizeof(c));
	c.name = name != NULL ? name : "template";
	c.line = c.col = 1;
	c.err = err;
	c.errlen = errlen;
	if (len > MAX_SOURCE) {
		rc = fail(&c, 1, 1, "template larger than %d bytes", MAX_SOURCE);
		goto out;
	}
	if (!rp_utf8_valid(src, len)) {
		rc = fail(&c, 1, 1, "template is not valid UTF-8 (or holds a NUL byte)");
		goto out;
	}
	if ((c.t = calloc(1, sizeof(*c.t))) == NULL ||
	    (c.t->src = malloc(len + 1)) == NULL) {
		rc = RP_ENOMEM;
		goto out;
	}
	memcpy(c.t->src, src, len);
	c.t->src[len] = '\0';
	c.s = c.t->src;
	c.n = len;
	while (i + 1 < len) {
		if (c.s[i] != '{' || c.s[i + 1] != '{') {
			i++;
			continue;
		}
		if (standalone(&c, start, i, &from, &to)) {
			if ((rc = literal(&c, start, from)) != RP_OK)
				goto out;
			skip(&c, from, i);
			if ((rc = tag(&c, i, &next)) != RP_OK)
				goto out;
			skip(&c, next, to);
			i = start = to;
			continue;
		}
		if ((rc = literal(&c, start, i)) != RP_OK ||
		    (rc = tag(&c, i, &next)) != RP_OK)
			goto out;
		i = start = next;
	}
	if ((rc = literal(&c, start, len)) != RP_OK)
		goto out;
	if (c.depth > 0) {
		struct open *o = &c.stack[c.depth - 1];

		rc = fail(&c, o->line, o->col, "{{%c%.*s}} is never closed",
		    c.t->ops[o->op].kind == OP_IF ? '#' : '^', (int)o->namelen, o->name);
		goto out;
	}
	/* A template ends where it began, so {{view}} leaves its host in text. */
	if (c.hs != H_TEXT) {
		rc = fail(&c, c.line, c.col, "template ends inside %s",
		    c.hs == H_COMMENT || c.hs == H_BANG ? "an HTML comment" :
		    c.hs == H_VALUE_DQ || c.hs == H_VALUE_SQ ? "an attribute value" :
		    c.hs == H_RAWTEXT ? "a <script> or <style> element" : "a tag");
		goto out;
	}
	*out = c.t;
	c.t = NULL;
out:
	rp_tmpl_free(c.t);
	return rc;
}

enum rp_err
rp_tmpl_load(const char *path, struct rp_tmpl **out, char *err, size_t errlen)
{
	FILE *f = NULL;
	char *buf = NULL;
	size_t len = 0, got;
	int rc = RP_OK;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: cannot open template: %s", path, strerror(errno));
		rc = RP_EIO;
		goto out;
	}
	if ((buf = malloc(MAX_SOURCE + 1)) == NULL) {
		rc = RP_ENOMEM;
		goto out;
	}
	while ((got = fread(buf + len, 1, MAX_SOURCE + 1 - len, f)) > 0)
		len += got;
	if (ferror(f)) {
		snprintf(err, errlen, "%s: cannot read template: %s", path, strerror(errno));
		rc = RP_EIO;
		goto out;
	}
	rc = rp_tmpl_compile(path, buf, len, out, err, errlen);
out:
	free(buf);
	if (f != NULL)
		fclose(f);
	return rc;
}

void
rp_tmpl_free(struct rp_tmpl *t)
{
	if (t == NULL)
		return;
	free(t->src);
	free(t->ops);
	free(t);
}

rp_attrset
rp_tmpl_uses(const struct rp_tmpl *t)
{
	return t->uses;
}

/* ---- rendering ---- */

/* The loop variables of the sections around the op being rendered. */
struct frame {
	const char *item;        /* current list item */
	int withheld;            /* current withheld attribute, -1 if none */
};

struct renderer {
	const struct rp_tmpl_ctx *ctx;
	struct rp_buf *out;
	struct rp_buf raw;       /* scratch: the unescaped value */
	struct rp_buf enc;       /* scratch: a percent-encoded value */
};

static const struct rp_value *
value_of(const struct rp_tmpl_ctx *ctx, int attr)
{
	/* A value the view did not ask for is not shown, even when the API
	 * sent it: what a page shows follows its configuration alone. */
	if (ctx->profile == NULL || !(ctx->shown & RP_ATTR_BIT(attr)) ||
	    !rp_profile_has(ctx->profile, (enum rp_attr_id)attr))
		return NULL;
	return rp_profile_value(ctx->profile, (enum rp_attr_id)attr);
}

static int
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/* Presence as sections see it: a URL is present only if it may be used. */
static int
present(const struct rp_tmpl_ctx *ctx, const struct op *op)
{
	const struct rp_value *v;

	switch (op->src) {
	case S_ATTR:
		if ((v = value_of(ctx, op->attr)) == NULL)
			return 0;
		if (rp_attr_get((enum rp_attr_id)op->attr)->kind == RP_KIND_URL)
			return v->text != NULL && rp_url_is_http(v->text, strlen(v->text));
		return 1;
	case S_PART:
		return (v = value_of(ctx, op->attr)) != NULL &&
		    nonempty(rp_value_part(v, (enum rp_addr_part)op->part));
	case S_CONSENT:
		return nonempty(ctx->consent_url);
	case S_LOGIN:
		return nonempty(ctx->login_url);
	case S_RETURN:
		return nonempty(ctx->return_url);
	case S_WITHHELD:
		return ctx->profile != NULL && ctx->profile->withheld != 0;
	default:
		return 0;
	}
}

/* An address as one line: "Street1, Street2, ZipCode City, State, Country". */
static int
address_text(struct rp_buf *b, const struct rp_address *a)
{
	int i, rc = RP_OK, any = 0;

	if (a == NULL)  /* no part came */
		return RP_OK;
	for (i = 0; i < RP_ADDR__COUNT && rc == RP_OK; i++) {
		if (!nonempty(a->part[i]))
			continue;
		if (any)
			rc = rp_buf_puts(b, i == RP_ADDR_CITY &&
			    nonempty(a->part[RP_ADDR_ZIPCODE]) ? " " : ", ");
		if (rc == RP_OK)
			rc = rp_buf_puts(b, a->part[i]);
		any = 1;
	}
	return rc;
}

/* The unescaped text of a value op into r->raw; *link says it must be a checked URL. */
static int
raw_value(struct renderer *r, const struct op *op, const struct frame *fr,
    int *link)
{
	const struct rp_tmpl_ctx *ctx = r->ctx;
	const struct rp_value *v;
	enum rp_kind kind;
	size_t i;
	int rc = RP_OK;

	*link = 0;
	switch (op->src) {
	case S_ATTR:
		if ((v = value_of(ctx, op->attr)) == NULL)
			break;
		kind = rp_attr_get((enum rp_attr_id)op->attr)->kind;
		if (kind == RP_KIND_ADDRESS)
			rc = address_text(&r->raw, v->addr);
		else if (kind == RP_KIND_LIST)
			for (i = 0; i < v->nitems && rc == RP_OK; i++) {
				if (i > 0)
					rc = rp_buf_puts(&r->raw, ", ");
				if (rc == RP_OK)
					rc = rp_buf_puts(&r->raw, v->items[i]);
			}
		else if (v->text != NULL)
			rc = rp_buf_puts(&r->raw, v->text);
		*link = kind == RP_KIND_URL;
		break;
	case S_ITEM:
		if (fr->item != NULL)
			rc = rp_buf_puts(&r->raw, fr->item);
		*link = rp_attr_get((enum rp_attr_id)op->attr)->kind == RP_KIND_URL;
		break;
	case S_PART:
		if ((v = value_of(ctx, op->attr)) != NULL &&
		    rp_value_part(v, (enum rp_addr_part)op->part) != NULL)
			rc = rp_buf_puts(&r->raw,
			    rp_value_part(v, (enum rp_addr_part)op->part));
		break;
	case S_LABEL:
		rc = rp_buf_puts(&r->raw, rp_attr_label((enum rp_attr_id)op->attr,
		    rp_lang_code(ctx->lang)));
		break;
	case S_MSG:
		rc = rp_buf_puts(&r->raw, rp_msg((enum rp_msg)op->part, ctx->lang));
		break;
	case S_ITEM_LABEL:
		if (fr->withheld >= 0)
			rc = rp_buf_puts(&r->raw, rp_attr_label(
			    (enum rp_attr_id)fr->withheld, rp_lang_code(ctx->lang)));
		break;
	case S_ITEM_NAME:
		if (fr->withheld >= 0)
			rc = rp_buf_puts(&r->raw, rp_attr_get(
			    (enum rp_attr_id)fr->withheld)->name);
		break;
	case S_CONSENT:
	case S_LOGIN:
	case S_RETURN:
		rc = rp_buf_puts(&r->raw, op->src == S_CONSENT ? ctx->consent_url :
		    op->src == S_LOGIN ? ctx->login_url : ctx->return_url);
		*link = 1;
		break;
	case S_STATUS:
		if (ctx->status != NULL)
			rc = rp_buf_puts(&r->raw, ctx->status);
		break;
	case S_LANG:
		rc = rp_buf_puts(&r->raw, rp_lang_code(ctx->lang));
		break;
	case S_RETURN_PATH:
		if (ctx->return_path != NULL)
			rc = rp_buf_puts(&r->raw, ctx->return_path);
		break;
	case S_ERROR:
		rc = rp_buf_puts(&r->raw, rp_msg(rp_msg_for_http(ctx->code), ctx->lang));
		break;
	case S_CODE:
		if (ctx->code != 0)
			rc = rp_buf_appendf(&r->raw, "%d", ctx->code);
		break;
	default:
		break;
	}
	return rc;
}

static int
render_range(struct renderer *r, const struct rp_tmpl *t, size_t from,
    size_t to, const struct frame *fr);

static int
render_value(struct renderer *r, const struct op *op, const struct frame *fr)
{
	const char *s;
	size_t n;
	int link, rc;

	if (op->src == S_VIEW) {
		const struct rp_tmpl_ctx *outer = r->ctx;
		struct rp_tmpl_ctx sub;
		struct frame f0 = { NULL, -1 };

		if (outer->view == NULL)
			return RP_OK;
		/* The view renders in the same context, but never itself again. */
		sub = *outer;
		sub.view = NULL;
		r->ctx = &sub;
		rc = render_range(r, outer->view, 0, outer->view->nops, &f0);
		r->ctx = outer;
		return rc;
	}
	rp_buf_reset(&r->raw);
	if ((rc = raw_value(r, op, fr, &link)) != RP_OK)
		return rc;
	s = rp_buf_str(&r->raw);
	n = r->raw.len;
	if (n == 0)
		return RP_OK;
	/* A link reaches the page only as http(s), or as a site-local path. */
	if (link && !rp_url_is_http(s, n) &&
	    !(op->src != S_ATTR && op->src != S_ITEM && rp_return_path_ok(s, n)))
		return RP_OK;
	switch (op->ctx) {
	case CTX_TEXT:
		return rp_esc_html_text(r->out, s, n);
	case CTX_URL_REST:
		rp_buf_reset(&r->enc);
		if ((rc = rp_esc_url_component(&r->enc, s, n)) != RP_OK)
			return rc;
		return rp_buf_append(r->out, rp_buf_str(&r->enc), r->enc.len);
	default:
		return rp_esc_html_attr(r->out, s, n);
	}
}

static int
render_section(struct renderer *r, const struct rp_tmpl *t, size_t i,
    const struct frame *fr)
{
	const struct op *op = &t->ops[i];
	const struct rp_value *v;
	struct frame f = *fr;
	size_t k;
	int rc = RP_OK, id;

	if (op->kind == OP_UNLESS)
		return present(r->ctx, op) ? RP_OK :
		    render_range(r, t, i + 1, op->end, fr);
	if (!present(r->ctx, op))
		return RP_OK;
	if (op->has)
		return render_range(r, t, i + 1, op->end, fr);
	if (op->src == S_WITHHELD) {
		for (id = 0; id < RP_ATTR__COUNT && rc == RP_OK; id++)
			if (r->ctx->profile->withheld & RP_ATTR_BIT(id)) {
				f.withheld = id;
				rc = render_range(r, t, i + 1, op->end, &f);
			}
		return rc;
	}
	if (op->src == S_ATTR &&
	    rp_attr_get((enum rp_attr_id)op->attr)->kind == RP_KIND_LIST) {
		v = value_of(r->ctx, op->attr);
		for (k = 0; k < v->nitems && rc == RP_OK; k++) {
			f.item = v->items[k];
			rc = render_range(r, t, i + 1, op->end, &f);
		}
		return rc;
	}
	return render_range(r, t, i + 1, op->end, fr);
}

static int
render_range(struct renderer *r, const struct rp_tmpl *t, size_t from,
    size_t to, const struct frame *fr)
{
	const struct op *op;
	size_t i = from;
	int rc = RP_OK;

	while (i < to && rc == RP_OK) {
		op = &t->ops[i];
		switch (op->kind) {
		case OP_TEXT:
			rc = rp_buf_append(r->out, t->src + op->off, op->len);
			i++;
			break;
		case OP_VALUE:
			rc = render_value(r, op, fr);
			i++;
			break;
		default:
			rc = render_section(r, t, i, fr);
			i = op->end;
			break;
		}
	}
	return rc;
}

enum rp_err
rp_tmpl_render(const struct rp_tmpl *t, const struct rp_tmpl_ctx *ctx,
    struct rp_buf *out)
{
	struct renderer r;
	struct frame f0 = { NULL, -1 };
	int rc;

	r.ctx = ctx;
	r.out = out;
	rp_buf_init(&r.raw, out->max);
	rp_buf_init(&r.enc, out->max);
	rc = render_range(&r, t, 0, t->nops, &f0);
	rp_buf_free(&r.raw);
	rp_buf_free(&r.enc);
	return rc;
}
