/* err.c: messages for enum rp_err, in one table. */
#include "config.h"

#include <stddef.h>

#include "err.h"

static const struct {
	const char *cls;
	const char *msg;
} errtab[RP_ERR__COUNT] = {
	[RP_OK]           = { "ok", "success" },
	[RP_ENOMEM]       = { "nomem", "out of memory" },
	[RP_EINVAL]       = { "invalid", "invalid argument" },
	[RP_ECONFIG]      = { "config", "configuration rejected" },
	[RP_ETEMPLATE]    = { "template", "template rejected" },
	[RP_EIO]          = { "io", "input/output error" },
	[RP_EMALFORMED]   = { "malformed", "upstream answered with a body that is not a RichProfile document" },
	[RP_EDNS]         = { "dns", "upstream host name did not resolve: check [upstream] endpoint and the resolver" },
	[RP_ECONNREFUSED] = { "refused", "upstream refused the connection: is the API (or the proxy) reachable?" },
	[RP_ECONNTIMEOUT] = { "connect_timeout", "upstream did not accept the connection in time: check the network path or raise connect_timeout_ms" },
	[RP_ETIMEOUT]     = { "timeout", "upstream did not answer in time: raise timeout_ms if the API is known to be slow" },
	[RP_ETLS]         = { "tls", "TLS with upstream failed: check the certificate chain or [upstream] ca_file" },
	[RP_ETOOBIG]      = { "too_large", "upstream body exceeded max_response_bytes" },
	[RP_EREDIRECT]    = { "redirect", "upstream answered with a redirect, which is never followed: check [upstream] endpoint" },
	[RP_EBADSTATUS]   = { "http_status", "upstream answered an HTTP error without a usable XML body" },
	[RP_ESLOW]        = { "too_slow", "upstream sent data slower than the configured floor" },
	[RP_ERESET]       = { "reset", "upstream closed the connection before the body was complete" },
	[RP_EUPSTREAM]    = { "upstream", "upstream request failed" },
	[RP_EBREAKER]     = { "breaker_open", "upstream is failing: circuit breaker open, not asked" },
	[RP_ELIMIT]       = { "limit", "larger than its bound: raise the limit or shorten the input" },
};

const char *
rp_strerror(enum rp_err err)
{
	if ((unsigned)err >= RP_ERR__COUNT || errtab[err].msg == NULL)
		return "unknown error";
	return errtab[err].msg;
}

const char *
rp_errclass(enum rp_err err)
{
	if ((unsigned)err >= RP_ERR__COUNT || errtab[err].cls == NULL)
		return "unknown";
	return errtab[err].cls;
}

int
rp_err_is_upstream(enum rp_err err)
{
	return err == RP_EMALFORMED || (err >= RP_EDNS && err <= RP_EBREAKER);
}
