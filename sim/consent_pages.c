/* consent_pages.c: the privacy page of Orange's consent process (grant once, grant permanently, refuse). */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "sim.h"

/* Page texts in the user's language; French first, as Orange's pages are. */
struct texts {
	const char *title, *intro, *once, *always, *refuse, *note;
};

static const struct texts fr = {
	"Orange – vos données personnelles",
	"Un site partenaire demande à accéder à ces informations de votre "
	"profil Orange :",
	"Accepter cette fois",
	"Accepter toujours",
	"Refuser",
	"Vous pourrez changer d'avis à tout moment. Après votre choix, vous "
	"retournerez sur le site.",
};

static const struct texts en = {
	"Orange – your personal data",
	"A partner site asks to read this information from your Orange "
	"profile:",
	"Allow this once",
	"Always allow",
	"Refuse",
	"You can change your mind at any time. After your choice you will go "
	"back to the site.",
};

/* Only an absolute http(s) URL may be a return address (no open redirect to javascript: etc.). */
static int
return_ok(const char *u)
{
	const char *p;

	if (strncasecmp(u, "http://", 7) == 0)
		p = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		p = u + 8;
	else
		return 0;
	if (*p == '\0' || *p == '/')
		return 0;
	for (; *u != '\0'; u++)
		if ((unsigned char)*u <= 0x20 || *u == 0x7f)
			return 0;
	return 1;
}

static enum MHD_Result
page(struct MHD_Connection *conn, const struct sim_user *u, rp_attrset set,
    const char *ctx, const char *attrs, const char *ret)
{
	const struct texts *t = strcmp(u->language, "en") == 0 ? &en : &fr;
	struct rp_buf b = SIM_BUF_INIT;
	int i;

	rp_buf_appendf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>%s</title>\n"
	    "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}"
	    "h1{color:#f60}button{margin:.3em;padding:.5em 1em}</style>\n"
	    "</head>\n<body>\n<h1>%s</h1>\n<p>%s</p>\n<ul class=\"attributes\">\n",
	    u->language, t->title, t->title, t->intro);
	for (i = 0; i < RP_ATTR__COUNT; i++)
		if (set & RP_ATTR_BIT(i)) {
			rp_buf_appendf(&b, "<li data-attribute=\"%s\">",
			    rp_attr_get((enum rp_attr_id)i)->name);
			sim_esc(&b, rp_attr_label((enum rp_attr_id)i,
			    u->language));
			rp_buf_puts(&b, "</li>\n");
		}
	rp_buf_puts(&b, "</ul>\n<form method=\"post\" action=\"" SIM_PRIVACY_PATH
	    "\">\n<input type=\"hidden\" name=\"ctx\" value=\"");
	sim_esc(&b, ctx);
	rp_buf_puts(&b, "\">\n<input type=\"hidden\" name=\"attributes\" value=\"");
	sim_esc(&b, attrs);
	rp_buf_puts(&b, "\">\n<input type=\"hidden\" name=\"urlRetour\" value=\"");
	sim_esc(&b, ret);
	rp_buf_appendf(&b, "\">\n"
	    "<button type=\"submit\" name=\"choice\" value=\"once\">%s</button>\n"
	    "<button type=\"submit\" name=\"choice\" value=\"always\">%s</button>\n"
	    "<button type=\"submit\" name=\"choice\" value=\"refuse\">%s</button>\n"
	    "</form>\n<p>%s</p>\n</body>\n</html>\n",
	    t->once, t->always, t->refuse, t->note);
	return sim_reply_html(conn, &b);
}

enum MHD_Result
sim_privacy(struct sim_req *r)
{
	int post = strcmp(r->method, "POST") == 0;
	const char *ctx, *attrs, *ret, *choice = NULL;
	struct sim_user *u;
	rp_attrset set;

	if (!post && strcmp(r->method, "GET") != 0)
		return sim_reply_error(r->conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "the privacy page answers GET and POST only");
	if (post) {
		if (r->form_bad)
			return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
			    "privacy form: too many or too long fields");
		ctx = sim_form(r, "ctx");
		attrs = sim_form(r, "attributes");
		ret = sim_form(r, "urlRetour");
		choice = sim_form(r, "choice");
	} else {
		ctx = sim_arg(r->conn, "ctx");
		attrs = sim_arg(r->conn, "attributes");
		ret = sim_arg(r->conn, "urlRetour");
	}
	if (ret == NULL || !return_ok(ret))
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
		    "privacy page: urlRetour must be an absolute http:// or "
		    "https:// URL of the site to go back to");
	if (attrs == NULL || rp_attrset_parse(attrs, &set, NULL, NULL) != 0)
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
		    "privacy page: attributes must be a comma list of attribute "
		    "names, as the API's privacy URL gives it");
	pthread_mutex_lock(&sim.lock);
	u = ctx != NULL ? sim_user_by_ctx(ctx) : NULL;
	if (u == NULL) {
		pthread_mutex_unlock(&sim.lock);
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
		    "privacy page: this consent link is unknown or out of date; "
		    "go back to the site and follow its link again");
	}
	if (!post) {
		/* The page only reads u's immutable fields once the lock is gone. */
		pthread_mutex_unlock(&sim.lock);
		return page(r->conn, u, set, ctx, attrs, ret);
	}
	if (choice != NULL && strcmp(choice, "once") == 0) {
		u->refused &= ~set;
		u->once |= set;
	} else if (choice != NULL && strcmp(choice, "always") == 0) {
		u->refused &= ~set;
		u->once &= ~set;
	} else if (choice != NULL && strcmp(choice, "refuse") == 0) {
		u->refused |= set;
		u->once &= ~set;
	} else {
		pthread_mutex_unlock(&sim.lock);
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
		    "privacy page: choice must be once, always or refuse");
	}
	pthread_mutex_unlock(&sim.lock);
	return sim_redirect(r->conn, MHD_HTTP_SEE_OTHER, ret, NULL);
}
