/* err.h: the one error enum of the library and its messages. */
#ifndef RP_ERR_H
#define RP_ERR_H

/*
 * Every library function that can fail returns one of these and writes
 * its results through out-parameters only on success.  The transport
 * classes (RP_EDNS .. RP_EBADSTATUS) are what the HTTP client reports;
 * they are kept apart so logs, metrics and exit codes can name them.
 */
enum rp_err {
	RP_OK = 0,
	RP_ENOMEM,        /* out of memory */
	RP_EINVAL,        /* bad argument or input from the caller */
	RP_ECONFIG,       /* configuration file rejected */
	RP_ETEMPLATE,     /* template rejected */
	RP_EIO,           /* file or socket I/O */
	RP_EMALFORMED,    /* upstream body is not a usable RichProfile document */
	RP_EDNS,          /* upstream host name did not resolve */
	RP_ECONNREFUSED,  /* upstream refused the connection */
	RP_ECONNTIMEOUT,  /* upstream did not accept within connect_timeout_ms */
	RP_ETIMEOUT,      /* upstream did not finish within timeout_ms */
	RP_ETLS,          /* TLS handshake or certificate verification failed */
	RP_ETOOBIG,       /* upstream body larger than max_response_bytes */
	RP_EREDIRECT,     /* upstream answered 3xx; redirects are never followed */
	RP_EBADSTATUS,    /* HTTP status without a usable XML body */
	RP_ESLOW,         /* upstream sent slower than the configured floor */
	RP_ERESET,        /* upstream closed or reset the connection mid-body */
	RP_EUPSTREAM,     /* any other transport failure */
	RP_EBREAKER,      /* circuit breaker open: upstream not asked */
	RP_ELIMIT,        /* output or input larger than its configured bound */
	RP_ERR__COUNT
};

/* A short, static, human message; never NULL. */
const char *rp_strerror(enum rp_err err);

/* A stable lower-case token for logs and metrics ("timeout", "tls"...). */
const char *rp_errclass(enum rp_err err);

/* Non-zero when err is an upstream failure (transport or malformed body). */
int rp_err_is_upstream(enum rp_err err);

#endif
