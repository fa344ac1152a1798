/* cgi_mode.c: richprofile-fcgi started as a plain CGI program: one request, from the environment. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "client.h"
#include "err.h"
#include "log.h"
#include "request.h"
#include "server.h"

/* Writes all of buf to stdout, the CGI response channel. */
static int
stdout_write(void *ctx, const char *buf, size_t len)
{
	(void)ctx;
	while (len > 0) {
		ssize_t w = write(STDOUT_FILENO, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int
rp_server_run_cgi(const struct rp_app *app)
{
	extern char **environ;
	struct rp_client *client = NULL;
	struct rp_io io = { stdout_write, NULL, NULL };
	int rc, status = 1;

	signal(SIGPIPE, SIG_IGN);
	if (getenv("REQUEST_METHOD") == NULL) {
		rp_log_console(RP_LOG_ERROR, "no FastCGI socket on fd 0 and no CGI "
		    "request in the environment (REQUEST_METHOD is unset): "
		    "give -s unix:/PATH or -s tcp:HOST:PORT, or start it from "
		    "spawn-fcgi or the web server; see -h");
		goto out;
	}
	if ((rc = rp_client_new(app->cfg, &client)) != RP_OK) {
		rp_log_console(RP_LOG_ERROR, "cannot create the HTTP client: %s",
		    rp_strerror(rc));
		goto out;
	}
	rp_request_handle(app, client, environ, &io, NULL);
	status = 0;
out:
	rp_client_free(client);
	return status;
}
