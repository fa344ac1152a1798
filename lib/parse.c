/* parse.c: streaming expat parser from a RichProfile body to a profile. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/*
 * expat.h declares its amplification limits only under XML_DTD, which
 * the library was built with (configure linked the functions).
 */
#if (defined(HAVE_XML_SETBILLIONLAUGHSATTACKPROTECTIONMAXIMUMAMPLIFICATION) || \
    defined(HAVE_XML_SETALLOCTRACKERMAXIMUMAMPLIFICATION)) && !defined(XML_DTD)
#define XML_DTD 1
#endif
#include <expat.h>

#include "arena.h"
#include "err.h"
#include "parse.h"

#define DEF_MAX_BYTES (256u * 1024u)
#define DEF_MAX_DEPTH 16u
#define DEF_MAX_VALUE 4096u
#define DEF_MAX_ITEMS 64u
#define MAX_DEPTH_CAP 256u

/* A scratch buffer grown past this is not kept for the next parse. */
#define KEEP_SCRATCH (64u * 1024u)

/* What an open element means; decides where its text and children go. */
enum role {
	R_RETURN,      /* <getPersonalRichProfileReturn> */
	R_ERROR,       /* <error> */
	R_ERRFIELD,    /* <code>, <detail>, <url>, <exception> of <error> */
	R_DATA,        /* <Data> */
	R_AUTH,        /* <UserAuthorizedData> */
	R_UNAUTH,      /* <UserUnauthorized...> / <UserNotAuthorized...> */
	R_UNAUTHITEM,  /* one refused attribute, named by its text */
	R_REFUSED,     /* one refused attribute, named by the element */
	R_URL,         /* privacy <url> inside <Data> */
	R_VALUE,       /* a text-like attribute */
	R_ADDR,        /* an address attribute */
	R_ADDRPART,    /* Street1 .. Country */
	R_LIST,        /* a list attribute: separated text and/or children */
	R_ITEM,        /* one child of a list */
	R_SKIP         /* ignored: unknown, or inside something ignored */
};

/* What a recorded string is, for the profile built at the end. */
enum what {
	W_TEXT, W_ITEM, W_URL, W_DETAIL, W_EXCEPTION,
	W_PART  /* + enum rp_addr_part */
};

struct frame {
	unsigned char role;
	unsigned char attr;     /* enum rp_attr_id for R_VALUE .. R_ITEM */
	unsigned char what;     /* enum what for collecting frames */
	size_t start;           /* where this frame's text begins in buf */
	const char *name;       /* for reasons: the element (static storage) */
};

/* One string found in the body: bytes [off, off+len) of buf, NUL after. */
struct rec {
	uint32_t off, len;
	unsigned char attr, what;
};

struct rp_parser {
	XML_Parser xp;
	struct rp_parse_limits lim;
	rp_attrset requested, present, refused;
	size_t fed;             /* bytes given to feed so far */
	char head[4];           /* the first bytes, held back (see feed) */
	size_t nhead;
	unsigned depth;
	unsigned unknown;
	int root;               /* role of the root once seen, else -1 */
	unsigned guess;         /* the attribute likely to come next */
	int done;               /* the root element has ended */
	unsigned long done_line, done_column;
	const char *overlong;   /* element whose value passed max_value */
	long code;
	int have_code;
	size_t nitems[RP_ATTR__COUNT];

	enum rp_err fail;       /* RP_OK until the body is known bad */
	char reason[320];
	unsigned long line, column;

	unsigned long salt;     /* expat's hash salt, drawn once per parser */
	struct frame *frames;   /* depth entries in use, lim.max_depth capacity */
	unsigned nframes;

	char *buf;              /* every collected text, NUL-separated */
	size_t len, cap;
	struct rec *recs;
	size_t nrecs, caprecs;
	int finished;
};

/* ------------------------------------------------------------------ */
/* Failure: the first reason wins; it names what to do about it. */

/*
 * Copies an element name into a reason: bounded and printable ASCII,
 * since it comes from the body and ends up in logs.
 */
static void
safe_name(char *dst, size_t size, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < size && name[i] != '\0'; i++)
		dst[i] = name[i] > 0x20 && name[i] < 0x7f ? name[i] : '?';
	dst[i] = '\0';
	if (name[i] != '\0' && i >= 4)
		memcpy(dst + i - 3, "...", 3);
}

static void fail(struct rp_parser *ps, enum rp_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail(struct rp_parser *ps, enum rp_err err, const char *fmt, ...)
{
	va_list ap;

	if (ps->fail != RP_OK)
		return;
	ps->fail = err;
	va_start(ap, fmt);
	vsnprintf(ps->reason, sizeof(ps->reason), fmt, ap);
	va_end(ap);
	if (err == RP_ETOOBIG) {
		/* Where the cap bites depends on chunking: say nowhere. */
		ps->line = ps->column = 0;
	} else {
		ps->line = XML_GetCurrentLineNumber(ps->xp);
		ps->column = XML_GetCurrentColumnNumber(ps->xp) + 1;
	}
	XML_StopParser(ps->xp, XML_FALSE);
}

/* ------------------------------------------------------------------ */
/* Scratch text. */

static int
reserve(struct rp_parser *ps, size_t n)
{
	size_t cap;
	char *nb;

	if (ps->cap - ps->len >= n)
		return 0;
	cap = ps->cap ? ps->cap : 2048;
	while (cap - ps->len < n) {
		if (cap > SIZE_MAX / 2 || cap > UINT32_MAX / 2)
			return -1;
		cap *= 2;
	}
	if ((nb = realloc(ps->buf, cap)) == NULL)
		return -1;
	ps->buf = nb;
	ps->cap = cap;
	return 0;
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Records buf[off, end) trimmed of blanks, NUL-terminated in place
 * (buf[end] must be writable).  Empty strings are not recorded.
 */
static void
record(struct rp_parser *ps, size_t off, size_t end, unsigned attr,
    unsigned what)
{
	struct rec *r;

	while (off < end && is_blank(ps->buf[off]))
		off++;
	while (end > off && is_blank(ps->buf[end - 1]))
		end--;
	ps->buf[end] = '\0';
	if (end == off)
		return;
	if (what == W_ITEM && ++ps->nitems[attr] > ps->lim.max_items) {
		fail(ps, RP_EMALFORMED, "the API's answer lists more than %zu "
		    "items in <%s>; refused as hostile (raise the parser's "
		    "max_items if the API really sends that many)",
		    ps->lim.max_items, rp_attr_get(attr)->name);
		return;
	}
	if (ps->nrecs == ps->caprecs) {
		size_t n = ps->caprecs ? ps->caprecs * 2 : 64;

		if ((r = realloc(ps->recs, n * sizeof(*r))) == NULL) {
			fail(ps, RP_ENOMEM, "out of memory while parsing the "
			    "API's answer");
			return;
		}
		ps->recs = r;
		ps->caprecs = n;
	}
	r = &ps->recs[ps->nrecs++];
	r->off = (uint32_t)off;
	r->len = (uint32_t)(end - off);
	r->attr = (unsigned char)attr;
	r->what = (unsigned char)what;
}

/*
 * Ends the current piece of a list's own text at buf's end: splits it
 * at commas, semicolons and newlines into items.
 */
static void
split_items(struct rp_parser *ps, struct frame *f)
{
	size_t i, from = f->start, end = ps->len;

	if (reserve(ps, 1) != 0) {
		fail(ps, RP_ENOMEM, "out of memory while parsing the API's "
		    "answer");
		return;
	}
	ps->buf[ps->len++] = '\0';
	for (i = from; i <= end && ps->fail == RP_OK; i++)
		if (i == end || ps->buf[i] == ',' || ps->buf[i] == ';' ||
		    ps->buf[i] == '\n') {
			record(ps, from, i, f->attr, W_ITEM);
			from = i + 1;
		}
	f->start = ps->len;
}

/* ------------------------------------------------------------------ */
/* Element names. */

/* The local part of a name: upstream prefixes are not ours to check. */
static const char *
local_name(const char *name)
{
	const char *c = strrchr(name, ':');

	return c != NULL ? c + 1 : name;
}

static int
named(const char *name, const char *want)
{
	return strcasecmp(name, want) == 0;
}

static int
named_prefix(const char *name, const char *prefix)
{
	return strncasecmp(name, prefix, strlen(prefix)) == 0;
}

static const struct {
	const char *name;
	unsigned what;
} error_fields[] = {
	{ "code", W_TEXT },      /* parsed on the spot, W_TEXT unused */
	{ "detail", W_DETAIL },
	{ "url", W_URL },
	{ "exception", W_EXCEPTION },
};

/*
 * The role of a child called name under parent, filling in f.
 * Returns R_SKIP (and counts it) for anything not in the contract.
 */
static unsigned
child_role(struct rp_parser *ps, const struct frame *parent, const char *name,
    struct frame *f)
{
	enum rp_attr_id id;
	enum rp_addr_part part;
	size_t i;

	switch (parent->role) {
	case R_RETURN:
		if (named(name, "Data"))
			return R_DATA;
		break;
	case R_ERROR:
		for (i = 0; i < sizeof(error_fields) / sizeof(error_fields[0]); i++)
			if (named(name, error_fields[i].name)) {
				f->what = (unsigned char)error_fields[i].what;
				f->name = error_fields[i].name;
				return R_ERRFIELD;
			}
		break;
	case R_DATA:
	case R_UNAUTH:
	case R_AUTH:
		/* <url> may sit anywhere in Data, even among the lists. */
		if (named(name, "url")) {
			f->what = W_URL;
			f->name = "url";
			return R_URL;
		}
		if (parent->role == R_DATA) {
			if (named(name, "UserAuthorizedData"))
				return R_AUTH;
			if (named_prefix(name, "UserUnauthorized") ||
			    named_prefix(name, "UserNotAuthorized"))
				return R_UNAUTH;
			break;
		}
		if (parent->role == R_UNAUTH) {
			/* Named by the element itself, or by its text. */
			if (rp_attr_lookup(name, strlen(name), &id) == 0) {
				ps->refused |= RP_ATTR_BIT(id);
				return R_REFUSED;
			}
			f->name = "UserUnauthorizedData";
			return R_UNAUTHITEM;
		}
		/*
		 * The API lists attributes in its table's order: one compare
		 * usually finds the next.  An exact canonical name is what
		 * rp_attr_lookup would answer too.
		 */
		if (ps->guess < RP_ATTR__COUNT &&
		    strcmp(rp_attr_get(ps->guess)->name, name) == 0)
			id = (enum rp_attr_id)ps->guess;
		else if (rp_attr_lookup(name, strlen(name), &id) != 0)
			break;
		ps->guess = (unsigned)id + 1;
		ps->present |= RP_ATTR_BIT(id);
		f->attr = (unsigned char)id;
		f->name = rp_attr_get(id)->name;
		f->what = W_TEXT;
		switch (rp_attr_get(id)->kind) {
		case RP_KIND_ADDRESS:
			return R_ADDR;
		case RP_KIND_LIST:
			return R_LIST;
		default:
			return R_VALUE;
		}
	case R_ADDR:
		if (rp_addr_part_lookup(name, strlen(name), &part) != 0)
			break;
		f->attr = parent->attr;
		f->what = (unsigned char)(W_PART + part);
		f->name = parent->name;
		return R_ADDRPART;
	case R_LIST:
		f->attr = parent->attr;
		f->what = W_ITEM;
		f->name = parent->name;
		return R_ITEM;
	case R_SKIP:
		return R_SKIP;  /* counted once, at the top of what is skipped */
	default:
		break;
	}
	ps->unknown++;
	return R_SKIP;
}

/* Whether text inside an element of this role is kept. */
static int
collects(unsigned role)
{
	return role == R_ERRFIELD || role == R_UNAUTHITEM || role == R_URL ||
	    role == R_VALUE || role == R_ADDRPART || role == R_LIST ||
	    role == R_ITEM;
}

/* ------------------------------------------------------------------ */
/* expat handlers. */

/* Whether the body was already found bad; names an over-long value. */
static int
failed(struct rp_parser *ps)
{
	if (ps->overlong != NULL)
		fail(ps, RP_EMALFORMED, "the API's answer has a value longer "
		    "than %zu bytes in <%s>; refused as hostile",
		    ps->lim.max_value, ps->overlong);
	return ps->fail != RP_OK;
}

static void XMLCALL
on_start(void *ud, const XML_Char *qname, const XML_Char **atts)
{
	struct rp_parser *ps = ud;
	const char *name = local_name(qname);
	struct frame *f, *parent;
	char shown[48];
	unsigned role;

	(void)atts;
	if (failed(ps))
		return;
	if (ps->depth >= ps->lim.max_depth) {
		fail(ps, RP_EMALFORMED, "the API's answer nests elements more "
		    "than %u deep; refused as hostile", ps->lim.max_depth);
		return;
	}
	f = &ps->frames[ps->depth];
	memset(f, 0, sizeof(*f));
	if (ps->depth == 0) {
		if (named(name, "getPersonalRichProfileReturn"))
			role = R_RETURN;
		else if (named(name, "error"))
			role = R_ERROR;
		else {
			safe_name(shown, sizeof(shown), qname);
			fail(ps, RP_EMALFORMED, "the API's answer has root "
			    "element <%s>, not <getPersonalRichProfileReturn> "
			    "or <error>: check that [upstream] endpoint is the "
			    "PersonalRichProfile API", shown);
			return;
		}
		ps->root = (int)role;
	} else {
		parent = &ps->frames[ps->depth - 1];
		/* A list's own text so far is one piece; a child ends it. */
		if (parent->role == R_LIST) {
			split_items(ps, parent);
			if (ps->fail != RP_OK)
				return;
		}
		/* The Return wrapper may carry an <error> too. */
		if (parent->role == R_RETURN && named(name, "error")) {
			role = R_ERROR;
			ps->root = R_ERROR;  /* an error outranks any data */
		} else
			role = child_role(ps, parent, name, f);
	}
	f->role = (unsigned char)role;
	f->start = ps->len;
	ps->depth++;
}

static void
end_refused_item(struct rp_parser *ps, const struct frame *f)
{
	enum rp_attr_id id;
	size_t off = f->start, end = ps->len;

	while (off < end && is_blank(ps->buf[off]))
		off++;
	while (end > off && is_blank(ps->buf[end - 1]))
		end--;
	if (end > off && rp_attr_lookup(ps->buf + off, end - off, &id) == 0)
		ps->refused |= RP_ATTR_BIT(id);
	else
		ps->unknown++;
	ps->len = f->start;  /* the name is not kept */
}

/* Parses <code>: a decimal long, else none (an undocumented code). */
static void
end_code(struct rp_parser *ps, const struct frame *f)
{
	char *s = ps->buf + f->start, *end;
	long v;

	ps->buf[ps->len] = '\0';
	errno = 0;
	v = strtol(s, &end, 10);
	while (is_blank(*end))
		end++;
	if (errno == 0 && end != s && *end == '\0') {
		ps->code = v;
		ps->have_code = 1;
	}
	ps->len = f->start;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct rp_parser *ps = ud;
	struct frame *f;

	(void)name;
	if (failed(ps) || ps->depth == 0)
		return;
	f = &ps->frames[--ps->depth];
	if (!collects(f->role))
		goto out;
	if (reserve(ps, 1) != 0) {
		fail(ps, RP_ENOMEM, "out of memory while parsing the API's "
		    "answer");
		return;
	}
	/* Room for the NUL that record() writes at the end. */
	ps->buf[ps->len] = '\0';
	switch (f->role) {
	case R_UNAUTHITEM:
		end_refused_item(ps, f);
		break;
	case R_ERRFIELD:
		if (strcmp(f->name, "code") == 0) {
			end_code(ps, f);
			break;
		}
		/* FALLTHROUGH */
	case R_URL:
	case R_VALUE:
	case R_ADDRPART:
	case R_ITEM:
		record(ps, f->start, ps->len, f->attr, f->what);
		ps->len++;
		break;
	case R_LIST:
		split_items(ps, f);
		break;
	}
out:
	if (ps->depth == 0) {
		ps->done = 1;
		ps->done_line = XML_GetCurrentLineNumber(ps->xp);
		ps->done_column = XML_GetCurrentColumnNumber(ps->xp) + 1;
	}
	/* The list goes on after its child: its next piece starts here. */
	if (ps->depth > 0 && ps->frames[ps->depth - 1].role == R_LIST)
		ps->frames[ps->depth - 1].start = ps->len;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct rp_parser *ps = ud;
	struct frame *f;

	if (ps->fail != RP_OK || ps->depth == 0)
		return;
	f = &ps->frames[ps->depth - 1];
	if (!collects(f->role))
		return;
	if (ps->overlong != NULL)
		return;
	if (ps->len - f->start + (size_t)len > ps->lim.max_value) {
		/*
		 * Text arrives in pieces that depend on chunking: named at
		 * the next tag, whose position does not.
		 */
		ps->overlong = f->name != NULL ? f->name : "?";
		return;
	}
	/* One spare byte for the NUL that ends each value. */
	if (reserve(ps, (size_t)len + 1) != 0) {
		fail(ps, RP_ENOMEM, "out of memory while parsing the API's "
		    "answer");
		return;
	}
	memcpy(ps->buf + ps->len, s, (size_t)len);
	ps->len += (size_t)len;
}

/* The API never sends a DTD: any declaration means a hostile or foreign body. */
static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	struct rp_parser *ps = ud;

	(void)name; (void)sysid; (void)pubid; (void)has_internal_subset;
	fail(ps, RP_EMALFORMED, "the API's answer has a DOCTYPE, which "
	    "RichProfile documents never have (an HTML page or a hostile "
	    "document?); refused without reading it: check [upstream] "
	    "endpoint");
}

static void XMLCALL
on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
    int value_len, const XML_Char *base, const XML_Char *sysid,
    const XML_Char *pubid, const XML_Char *notation)
{
	struct rp_parser *ps = ud;

	(void)name; (void)is_param; (void)value; (void)value_len; (void)base;
	(void)sysid; (void)pubid; (void)notation;
	fail(ps, RP_EMALFORMED, "the API's answer declares an entity; "
	    "refused without expanding it");
}

static int XMLCALL
on_external(XML_Parser xp, const XML_Char *context, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid)
{
	(void)xp; (void)context; (void)base; (void)sysid; (void)pubid;
	return XML_STATUS_ERROR;  /* nothing is ever loaded */
}

/* ------------------------------------------------------------------ */
/* Life cycle.  One parser per thread is kept: expat's set-up costs more
 * than parsing a whole answer. */

static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static int spare_ok;

static void
destroy(struct rp_parser *ps)
{
	if (ps == NULL)
		return;
	if (ps->xp != NULL)
		XML_ParserFree(ps->xp);
	free(ps->frames);
	free(ps->buf);
	free(ps->recs);
	free(ps);
}

static void
spare_destroy(void *p)
{
	destroy(p);
}

static void
spare_init(void)
{
	spare_ok = pthread_key_create(&spare_key, spare_destroy) == 0;
}

static void
limits_apply(struct rp_parse_limits *lim, const struct rp_parse_limits *in)
{
	lim->max_bytes = in != NULL && in->max_bytes ? in->max_bytes :
	    DEF_MAX_BYTES;
	lim->max_depth = in != NULL && in->max_depth ? in->max_depth :
	    DEF_MAX_DEPTH;
	lim->max_value = in != NULL && in->max_value ? in->max_value :
	    DEF_MAX_VALUE;
	lim->max_items = in != NULL && in->max_items ? in->max_items :
	    DEF_MAX_ITEMS;
	/* One frame per level is allocated up front: keep that small. */
	if (lim->max_depth > MAX_DEPTH_CAP)
		lim->max_depth = MAX_DEPTH_CAP;
	/* Offsets in buf are 32-bit; the body bounds everything in it. */
	if (lim->max_bytes > UINT32_MAX / 4)
		lim->max_bytes = UINT32_MAX / 4;
}

/* Readies xp for a new document; handlers do not survive a reset. */
static int
xp_setup(struct rp_parser *ps)
{
	XML_Parser xp = ps->xp;

	/*
	 * expat draws a fresh salt from the kernel for every document;
	 * a secret one drawn at creation protects the hash tables as well
	 * and spares that system call on every answer.
	 */
	XML_SetHashSalt(xp, ps->salt);
	XML_SetUserData(xp, ps);
	XML_SetElementHandler(xp, on_start, on_end);
	XML_SetCharacterDataHandler(xp, on_text);
	XML_SetStartDoctypeDeclHandler(xp, on_doctype);
	XML_SetEntityDeclHandler(xp, on_entity);
	XML_SetExternalEntityRefHandler(xp, on_external);
	XML_SetParamEntityParsing(xp, XML_PARAM_ENTITY_PARSING_NEVER);
#ifdef HAVE_XML_SETBILLIONLAUGHSATTACKPROTECTIONMAXIMUMAMPLIFICATION
	/* Unreachable behind the DOCTYPE refusal; a second wall all the same. */
	if (!XML_SetBillionLaughsAttackProtectionMaximumAmplification(xp, 2.0f) ||
	    !XML_SetBillionLaughsAttackProtectionActivationThreshold(xp,
	    64u * 1024u))
		return -1;
#endif
#ifdef HAVE_XML_SETALLOCTRACKERMAXIMUMAMPLIFICATION
	if (!XML_SetAllocTrackerMaximumAmplification(xp, 4.0f) ||
	    !XML_SetAllocTrackerActivationThreshold(xp, 1024u * 1024u))
		return -1;
#endif
	return 0;
}

enum rp_err
rp_parser_new(rp_attrset requested, const struct rp_parse_limits *limits,
    struct rp_parser **out)
{
	struct rp_parser *ps = NULL;
	struct frame *frames;
	int rc = RP_ENOMEM;

	pthread_once(&spare_once, spare_init);
	if (spare_ok && (ps = pthread_getspecific(spare_key)) != NULL) {
		pthread_setspecific(spare_key, NULL);
		if (!XML_ParserReset(ps->xp, NULL))
			goto out;
	} else {
		if ((ps = calloc(1, sizeof(*ps))) == NULL)
			goto out;
		if ((ps->xp = XML_ParserCreate(NULL)) == NULL)
			goto out;
		/* Without entropy, leave the salt to expat (0: its own). */
		if (getrandom(&ps->salt, sizeof(ps->salt), GRND_NONBLOCK) !=
		    (ssize_t)sizeof(ps->salt))
			ps->salt = 0;
	}
	limits_apply(&ps->lim, limits);
	if (ps->nframes < ps->lim.max_depth) {
		frames = realloc(ps->frames, ps->lim.max_depth * sizeof(*frames));
		if (frames == NULL)
			goto out;
		ps->frames = frames;
		ps->nframes = ps->lim.max_depth;
	}
	if (xp_setup(ps) != 0)
		goto out;
	ps->requested = requested;
	ps->present = ps->refused = 0;
	ps->fed = 0;
	ps->nhead = 0;
	ps->depth = 0;
	ps->unknown = 0;
	ps->root = -1;
	ps->guess = 0;
	ps->done = 0;
	ps->overlong = NULL;
	ps->code = 0;
	ps->have_code = 0;
	memset(ps->nitems, 0, sizeof(ps->nitems));
	ps->fail = RP_OK;
	ps->reason[0] = '\0';
	ps->line = ps->column = 0;
	ps->len = 0;
	ps->nrecs = 0;
	ps->finished = 0;
	*out = ps;
	ps = NULL;
	rc = RP_OK;
out:
	destroy(ps);
	return rc;
}

/* Turns expat's own complaint into one a person can act on. */
static void
fail_xml(struct rp_parser *ps)
{
	enum XML_Error e = XML_GetErrorCode(ps->xp);

	/*
	 * expat's own complaint outranks an over-long value not yet named:
	 * whether that value's text came before the bad byte depends on
	 * chunking, and the answer must not.
	 */
	if (ps->fail != RP_OK || e == XML_ERROR_ABORTED)
		return;
	if (e == XML_ERROR_NO_MEMORY) {
		fail(ps, RP_ENOMEM, "out of memory while parsing the API's "
		    "answer");
		return;
	}
	if (ps->done) {
		/*
		 * expat names trailing junk differently depending on how it
		 * was cut; one name, at the end of the document, whatever.
		 */
		fail(ps, RP_EMALFORMED, "the API's answer goes on after its "
		    "document element ends: check that [upstream] endpoint is "
		    "the PersonalRichProfile API and nothing in between "
		    "appends to its answers");
		ps->line = ps->done_line;
		ps->column = ps->done_column;
		return;
	}
	if (ps->fed == 0) {
		fail(ps, RP_EMALFORMED, "the API answered with an empty body "
		    "where an XML RichProfile document was expected: check "
		    "[upstream] endpoint");
		return;
	}
	if (e == XML_ERROR_UNKNOWN_ENCODING || e == XML_ERROR_INCORRECT_ENCODING) {
		fail(ps, RP_EMALFORMED, "the API's answer is in an encoding "
		    "this parser does not read (%s); UTF-8, UTF-16, ISO-8859-1 "
		    "and US-ASCII are read", XML_ErrorString(e));
		return;
	}
	if (e == XML_ERROR_NO_ELEMENTS || e == XML_ERROR_UNCLOSED_TOKEN ||
	    e == XML_ERROR_PARTIAL_CHAR || e == XML_ERROR_UNCLOSED_CDATA_SECTION) {
		fail(ps, RP_EMALFORMED, "the API's answer ends before its XML "
		    "document does (%s): the connection was cut or "
		    "[upstream] endpoint is not the PersonalRichProfile API",
		    XML_ErrorString(e));
		return;
	}
	fail(ps, RP_EMALFORMED, "the API's answer is not well-formed XML "
	    "(expat: %s): check that [upstream] endpoint is the "
	    "PersonalRichProfile API", XML_ErrorString(e));
}

enum rp_err
rp_parser_feed(struct rp_parser *ps, const char *buf, size_t len)
{
	size_t n;
	int over = 0;

	if (ps->fail != RP_OK || ps->finished)
		return ps->fail != RP_OK ? (int)ps->fail : RP_EINVAL;
	/*
	 * Parse up to the cap before refusing the rest, so a body broken
	 * early is named for that whatever the chunks' sizes.
	 */
	if (len > ps->lim.max_bytes - ps->fed) {
		len = ps->lim.max_bytes - ps->fed;
		over = 1;
	}
	ps->fed += len;
	/*
	 * expat guesses the encoding from what its first call gives it,
	 * and guesses differently from one byte than from four: it gets
	 * the first four at once, whatever the chunks.
	 */
	if (ps->nhead < sizeof(ps->head)) {
		n = sizeof(ps->head) - ps->nhead;
		if (n > len)
			n = len;
		memcpy(ps->head + ps->nhead, buf, n);
		ps->nhead += n;
		buf += n;
		len -= n;
		if (ps->nhead == sizeof(ps->head) &&
		    XML_Parse(ps->xp, ps->head, (int)ps->nhead, XML_FALSE) ==
		    XML_STATUS_ERROR)
			fail_xml(ps);
	}
	if (len > 0 && ps->fail == RP_OK &&
	    XML_Parse(ps->xp, buf, (int)len, XML_FALSE) == XML_STATUS_ERROR)
		fail_xml(ps);
	if (over)
		fail(ps, RP_ETOOBIG, "the API's answer is larger than %zu "
		    "bytes; refused (raise [upstream] max_response_bytes if "
		    "the API really sends that much)", ps->lim.max_bytes);
	return ps->fail == RP_OK ? RP_OK :
	    ps->fail == RP_ETOOBIG || ps->fail == RP_ENOMEM ? (int)ps->fail :
	    RP_EMALFORMED;
}

/* The attributes that have a value: the profile's slots. */
static rp_attrset
value_slots(const struct rp_parser *ps)
{
	rp_attrset slots = 0;
	size_t i;

	for (i = 0; i < ps->nrecs; i++)
		if (ps->recs[i].what == W_TEXT || ps->recs[i].what == W_ITEM ||
		    ps->recs[i].what >= W_PART)
			slots |= RP_ATTR_BIT(ps->recs[i].attr);
	return slots;
}

/* Whether an address part of attr was recorded. */
static int
has_parts(const struct rp_parser *ps, unsigned attr)
{
	size_t i;

	for (i = 0; i < ps->nrecs; i++)
		if (ps->recs[i].attr == attr && ps->recs[i].what >= W_PART)
			return 1;
	return 0;
}

/*
 * Bytes a profile needs beyond its struct and values for the recorded
 * strings, item arrays and addresses (each rounded as the arena does).
 */
static size_t
profile_extra(const struct rp_parser *ps)
{
	size_t extra = rp_arena_round(ps->len + 1);
	unsigned i;

	for (i = 0; i < RP_ATTR__COUNT; i++) {
		if (ps->nitems[i] > 0)
			extra += rp_arena_round(ps->nitems[i] * sizeof(char *));
		if (rp_attr_get((enum rp_attr_id)i)->kind == RP_KIND_ADDRESS &&
		    has_parts(ps, i))
			extra += rp_arena_round(sizeof(struct rp_address));
	}
	return extra;
}

/* Points the profile's values into blob, its copy of buf. */
static int
fill_values(struct rp_parser *ps, struct rp_profile *p, const char *blob)
{
	const char **items[RP_ATTR__COUNT] = { NULL };
	struct rp_address *addr;
	struct rp_value *v;
	size_t i;
	int a;

	for (a = 0; a < RP_ATTR__COUNT; a++)
		if (ps->nitems[a] > 0) {
			items[a] = rp_arena_alloc(p->arena,
			    ps->nitems[a] * sizeof(char *));
			if (items[a] == NULL)
				return RP_ENOMEM;
			rp_profile_value_mut(p, (enum rp_attr_id)a)->items =
			    items[a];
		}
	for (i = 0; i < ps->nrecs; i++) {
		const struct rec *r = &ps->recs[i];
		const char *s = blob + r->off;

		switch (r->what) {
		case W_TEXT:
			/* A repeated element: the last wins. */
			rp_profile_value_mut(p, r->attr)->text = s;
			break;
		case W_ITEM:
			v = rp_profile_value_mut(p, r->attr);
			items[r->attr][v->nitems++] = s;
			break;
		case W_URL:
			p->privacy_url = s;
			break;
		case W_DETAIL:
			p->detail = s;
			break;
		case W_EXCEPTION:
			p->exception = s;
			break;
		default:
			if ((addr = rp_profile_address_mut(p, r->attr)) == NULL)
				return RP_ENOMEM;
			addr->part[r->what - W_PART] = s;
			break;
		}
	}
	return RP_OK;
}

enum rp_err
rp_parser_finish(struct rp_parser *ps, struct rp_profile **out)
{
	struct rp_profile *p = NULL;
	char *blob;
	size_t n;
	int rc = RP_EINVAL;

	if (ps->finished)
		goto out;
	ps->finished = 1;
	/* A body shorter than the held-back head is parsed only now. */
	n = ps->nhead < sizeof(ps->head) ? ps->nhead : 0;
	if (ps->fail == RP_OK && XML_Parse(ps->xp, n > 0 ? ps->head : NULL,
	    (int)n, XML_TRUE) == XML_STATUS_ERROR)
		fail_xml(ps);
	if (ps->fail == RP_ENOMEM) {
		rc = RP_ENOMEM;
		goto out;
	}
	if (ps->fail != RP_OK) {
		rc = rp_profile_new_sized(ps->requested, 0, sizeof(ps->reason),
		    &p);
		if (rc != RP_OK)
			goto out;
		p->outcome = RP_OUT_MALFORMED;
		p->err = ps->fail;
		p->reason = rp_profile_strdup(p, ps->reason, strlen(ps->reason));
		p->line = ps->line;
		p->column = ps->column;
		goto done;
	}
	rc = rp_profile_new_sized(ps->requested, value_slots(ps),
	    profile_extra(ps), &p);
	if (rc != RP_OK)
		goto out;
	rc = RP_ENOMEM;
	if ((blob = rp_arena_alloc(p->arena, ps->len + 1)) == NULL)
		goto out;
	if (ps->len > 0)  /* buf is NULL until the first text */
		memcpy(blob, ps->buf, ps->len);
	blob[ps->len] = '\0';
	if ((rc = fill_values(ps, p, blob)) != RP_OK)
		goto out;
	p->unknown = ps->unknown;
	if (ps->root == R_ERROR) {
		p->code = ps->have_code ? ps->code : 0;
		if (ps->have_code && ps->code == -3)
			p->outcome = RP_OUT_REFUSED;
		else if (ps->have_code && (ps->code == 102 || ps->code == 103))
			p->outcome = RP_OUT_ACCOUNT;
		else
			p->outcome = RP_OUT_APIERROR;
		goto done;
	}
	p->present = ps->present;
	p->withheld = ps->requested & (~ps->present | ps->refused);
	p->outcome = p->withheld != 0 ? RP_OUT_PARTIAL : RP_OUT_GRANTED;
done:
	*out = p;
	p = NULL;
	rc = RP_OK;
out:
	rp_profile_free(p);
	return rc;
}

void
rp_parser_free(struct rp_parser *ps)
{
	if (ps == NULL)
		return;
	if (ps->cap > KEEP_SCRATCH) {
		/* One hostile body must not pin its size to the thread. */
		free(ps->buf);
		ps->buf = NULL;
		ps->cap = ps->len = 0;
	}
	pthread_once(&spare_once, spare_init);
	if (spare_ok && pthread_getspecific(spare_key) == NULL &&
	    pthread_setspecific(spare_key, ps) == 0)
		return;
	destroy(ps);
}

enum rp_err
rp_parse(rp_attrset requested, const struct rp_parse_limits *limits,
    const char *body, size_t len, struct rp_profile **out)
{
	struct rp_parser *ps = NULL;
	int rc;

	if ((rc = rp_parser_new(requested, limits, &ps)) != RP_OK)
		goto out;
	/* A bad body is not an error here: finish reports it in the profile. */
	(void)rp_parser_feed(ps, body, len);
	rc = rp_parser_finish(ps, out);
out:
	rp_parser_free(ps);
	return rc;
}
