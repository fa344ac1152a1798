/* pages.c: the demo's sign-in and sign-out pages, the photos, and the index page. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

/* The name a person recognises: Displayname, else first and last name, else the id. */
static void
display_name(struct rp_buf *b, const struct sim_user *u)
{
	const char *dn = u->values[RP_A_DISPLAYNAME].text;
	const char *fn = u->values[RP_A_FIRSTNAME].text;
	const char *ln = u->values[RP_A_LASTNAME].text;

	if (dn != NULL && dn[0] != '\0')
		sim_esc(b, dn);
	else if (fn != NULL || ln != NULL) {
		sim_esc(b, fn != NULL ? fn : "");
		rp_buf_puts(b, " ");
		sim_esc(b, ln != NULL ? ln : "");
	} else
		sim_esc(b, u->id);
}

static const char *
return_arg(struct MHD_Connection *conn)
{
	const char *ret = sim_arg(conn, "return");

	return ret != NULL ? ret : "/";
}

enum MHD_Result
sim_signin(struct sim_req *r)
{
	const char *ret = return_arg(r->conn), *id = sim_arg(r->conn, "user");
	struct rp_buf b = SIM_BUF_INIT;
	struct sim_user *u;
	size_t i;

	if (!sim_local_path(ret))
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
		    "sign-in: return must be a path of this site, such as /account");
	if (id != NULL) {
		pthread_mutex_lock(&sim.lock);
		if ((u = sim_user_by_id(id)) != NULL) {
			/* A sign-in gives a fresh token lifetime. */
			clock_gettime(CLOCK_MONOTONIC, &u->issued);
			rp_buf_appendf(&b, "%s=%s; Path=/; HttpOnly; SameSite=Lax",
			    sim.cookie, u->token);
		}
		pthread_mutex_unlock(&sim.lock);
		if (u == NULL)
			return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
			    "sign-in: no such demo user; pick one on /signin");
		if (b.failed)
			return sim_reply_error(r->conn, 500, "out of memory");
		{
			enum MHD_Result rc = sim_redirect(r->conn,
			    MHD_HTTP_SEE_OTHER, ret, b.data);

			rp_buf_free(&b);
			return rc;
		}
	}
	rp_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>Connexion de démonstration</title>\n"
	    "<style>body{font-family:sans-serif;max-width:44em;margin:2em auto}"
	    "li{margin:.6em 0}</style>\n</head>\n<body>\n"
	    "<h1>Connexion de démonstration</h1>\n"
	    "<p>Choisissez un client Orange fictif. Le site recevra son jeton "
	    "dans son cookie de session.</p>\n<ul class=\"users\">\n");
	/* Users and their fields are fixed after start: no lock needed. */
	for (i = 0; i < sim.users.n; i++) {
		u = &sim.users.v[i];
		rp_buf_puts(&b, "<li><a href=\"/signin?user=");
		sim_urlenc(&b, u->id);
		rp_buf_puts(&b, "&amp;return=");
		sim_urlenc(&b, ret);
		rp_buf_puts(&b, "\">");
		display_name(&b, u);
		rp_buf_puts(&b, "</a>");
		if (u->about != NULL) {
			rp_buf_puts(&b, " — <span class=\"about\">");
			sim_esc(&b, u->about);
			rp_buf_puts(&b, "</span>");
		}
		rp_buf_puts(&b, "</li>\n");
	}
	rp_buf_puts(&b, "</ul>\n<p><a href=\"/signout?return=");
	sim_urlenc(&b, ret);
	rp_buf_puts(&b, "\">Se déconnecter</a></p>\n</body>\n</html>\n");
	return sim_reply_html(r->conn, &b);
}

enum MHD_Result
sim_signout(struct sim_req *r)
{
	const char *ret = return_arg(r->conn);
	struct rp_buf b = SIM_BUF_INIT;
	enum MHD_Result rc;

	if (!sim_local_path(ret))
		return sim_reply_error(r->conn, MHD_HTTP_BAD_REQUEST,
		    "sign-out: return must be a path of this site, such as /account");
	rp_buf_appendf(&b, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax",
	    sim.cookie);
	if (b.failed)
		return sim_reply_error(r->conn, 500, "out of memory");
	rc = sim_redirect(r->conn, MHD_HTTP_SEE_OTHER, ret, b.data);
	rp_buf_free(&b);
	return rc;
}

enum MHD_Result
sim_photo(struct sim_req *r)
{
	const char *name = r->path + strlen("/photos/");
	size_t n = strlen(name), i;
	struct rp_buf path = SIM_BUF_INIT;
	struct MHD_Response *resp;
	enum MHD_Result rc;
	FILE *f = NULL;
	char *data = NULL;
	long len;

	/* NAME.png with NAME from the users' id alphabet: no way out of the directory. */
	if (n < 5 || n > 40 || strcmp(name + n - 4, ".png") != 0)
		goto notfound;
	for (i = 0; i < n - 4; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		    (name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
		    name[i] == '_'))
			goto notfound;
	rp_buf_appendf(&path, "%s/%s", sim.photos, name);
	if (path.failed || (f = fopen(path.data, "rb")) == NULL ||
	    fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    len > 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0 ||
	    (data = malloc((size_t)len + 1)) == NULL ||
	    fread(data, 1, (size_t)len, f) != (size_t)len)
		goto notfound;
	fclose(f);
	rp_buf_free(&path);
	resp = MHD_create_response_from_buffer((size_t)len, data,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(data);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "image/png");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "public, max-age=3600");
	rc = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
notfound:
	if (f != NULL)
		fclose(f);
	free(data);
	rp_buf_free(&path);
	return sim_reply_error(r->conn, MHD_HTTP_NOT_FOUND, "no such photo");
}

enum MHD_Result
sim_index(struct sim_req *r)
{
	struct rp_buf b = SIM_BUF_INIT;

	rp_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>richprofile-sim</title>\n"
	    "</head>\n<body>\n<h1>richprofile-sim</h1>\n"
	    "<p>A stand-in for Orange's Personal RichProfile API, for demos and "
	    "tests.</p>\n<ul>\n"
	    "<li>API: <code>" SIM_API_PATH "?action=getPersonalRichProfile&amp;"
	    "infos=Firstname,Lastname&amp;token=TOKEN</code></li>\n"
	    "<li><a href=\"/signin?return=/\">Demo sign-in</a></li>\n"
	    "<li><a href=\"/_control/stats\">Counters</a></li>\n"
	    "</ul>\n</body>\n</html>\n");
	return sim_reply_html(r->conn, &b);
}
