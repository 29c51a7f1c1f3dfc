/* The daemon, `container-compose serve` (design/API.md): one entry point for the front-end. */
#ifndef CC_SERVER_SERVER_H
#define CC_SERVER_SERVER_H

#include <stdbool.h>
#include <stdio.h>

#include "base/error.h"

struct srv_config {
	const char *root;        /* state root */
	const char *backend;     /* runtime backend name; NULL: the default */
	const char *docker_host; /* the docker backend's engine (--docker-host); NULL: DOCKER_HOST */
	const char *oci_runtime; /* the native backend's OCI runtime (--oci-runtime); NULL: pick */
	const char *cleanup_exe; /* the native backend's exit command (cc_runtime_config); NULL: none */
	const char *listen;      /* unix://PATH, tcp://HOST:PORT, tls://HOST:PORT */
	const char *cert, *key, *client_ca;
	bool insecure;      /* plain TCP on a non-loopback address */
	bool auth_required; /* tokens on a unix socket too */
	int threads;        /* HTTP threads; <= 0: one per CPU */
	FILE *out;          /* the ready line and warnings */
};

enum srv_outcome {
	SRV_STOPPED = 0,           /* served until SIGTERM/SIGINT, then shut down cleanly */
	SRV_ALREADY_LISTENING = 1, /* a daemon already answers at the address; nothing was started */
};

/* "METHOD PATH" per line, the route table in order (what tests compare with data/openapi.yaml). */
void srv_print_routes(FILE *out);

/* Serve until SIGTERM or SIGINT. Blocks those signals (and SIGHUP, ignored) in the calling thread first,
 * so call it before any other thread exists. */
int srv_run(const struct srv_config *cfg, enum srv_outcome *outcome, struct cc_error **err);

#endif
