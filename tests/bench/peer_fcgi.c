/*
 * peer_fcgi.c: peer (r1) of `make bench`, the FastCGI limit: the least a
 * libfcgi responder can do, a fixed 1 KiB body from a few threads, each
 * in FCGX_Accept_r.  What the program's cache hits are measured against.
 *
 *   peer_fcgi SOCKET [THREADS]   (SOCKET: a Unix socket path; 8 threads)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>

static int listen_fd;
static char body[1024];

static void *
serve(void *arg)
{
	FCGX_Request r;

	(void)arg;
	if (FCGX_InitRequest(&r, listen_fd, 0) != 0)
		return NULL;
	while (FCGX_Accept_r(&r) == 0) {
		FCGX_PutS("Status: 200 OK\r\nContent-Type: text/html\r\n"
		    "Content-Length: 1024\r\n\r\n", r.out);
		FCGX_PutStr(body, sizeof(body), r.out);
		FCGX_Finish_r(&r);
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	int i, n = argc > 2 ? atoi(argv[2]) : 8;
	pthread_t t;

	if (argc < 2 || n < 1) {
		fprintf(stderr, "usage: peer_fcgi SOCKET [THREADS]\n");
		return 2;
	}
	memset(body, 'x', sizeof(body));
	if (FCGX_Init() != 0 || (listen_fd = FCGX_OpenSocket(argv[1], 1024)) < 0) {
		fprintf(stderr, "peer_fcgi: cannot listen on %s\n", argv[1]);
		return 1;
	}
	chmod(argv[1], 0666);
	for (i = 1; i < n; i++)
		if (pthread_create(&t, NULL, serve, NULL) != 0) {
			fprintf(stderr, "peer_fcgi: cannot start thread %d\n", i);
			return 1;
		}
	serve(NULL);
	return 0;
}
