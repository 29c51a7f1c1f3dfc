/* Listen addresses (design/API.md "Daemon lifecycle and transports"): parsing, the "is a daemon already
 * there" probe, binding with the contract's permissions. */
#ifndef CC_SERVER_LISTEN_H
#define CC_SERVER_LISTEN_H

#include <stdbool.h>

#include "base/error.h"

enum srv_transport { SRV_UNIX = 0, SRV_TCP, SRV_TLS };

struct srv_listener {
	enum srv_transport transport;
	char *path;        /* unix */
	char *host, *port; /* tcp, tls (host without brackets) */
	char *display;     /* the address as printed: "unix:///run/x.sock", "tcp://127.0.0.1:2375" */
	bool loopback;     /* tcp/tls bound to a loopback address */
	int fd;            /* -1 until bound */
};

/* The URL's parts; errors name the problem. `~` in unix://~/path is $HOME. */
int srv_listen_parse(const char *url, struct srv_listener *l, struct cc_error **err);
/* Does a container-compose daemon answer at l? Removes a stale unix socket file. An address in use by
 * something else is ALREADY_EXISTS. */
int srv_listen_probe(struct srv_listener *l, bool *daemon_answers, struct cc_error **err);
/* Bind and listen; a unix socket's directory is created 0700 and the socket made 0600. For port 0 the
 * display address gets the port the kernel chose. */
int srv_listen_open(struct srv_listener *l, struct cc_error **err);
/* Close, and unlink a unix socket. */
void srv_listen_release(struct srv_listener *l);

#endif
