/* What `attach` puts between the terminal and the container, as docker's attach does: the detach keys
 * (ctrl-p,ctrl-q by default) end the attach and leave the container running, and with --sig-proxy the
 * signals the CLI receives go to the container's process. */
#ifndef CC_CLI_ATTACHRELAY_H
#define CC_CLI_ATTACHRELAY_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "runtime/runtime.h"

#define CLI_DETACH_KEYS_MAX 16

/* docker's --detach-keys: comma-separated keys, each `ctrl-X` (X a letter or one of @[\]^_) or a single
 * character; "" disables detaching. -1 with the bad key named in msg (the caller frees it). */
int cli_detach_keys_parse(const char *spec, unsigned char *keys, size_t *n, char **msg);

/* Standard input copied to a pipe the attach reads (`in`), held back while it matches the detach keys; the
 * whole sequence makes `cancel` readable, which ends the attach, and sets detached. */
struct cli_input_relay {
	int in, cancel; /* the attach's in_fd and cancel */
	bool detached;
	/* private */
	int from, pipe_w, cancel_w, quit_r, quit_w;
	unsigned char keys[CLI_DETACH_KEYS_MAX];
	size_t nkeys;
	pthread_t thread;
};
int cli_input_relay_start(struct cli_input_relay *r, int from, const unsigned char *keys, size_t nkeys);
/* Ends the relay (whatever is still unread stays unread) and closes its descriptors. */
void cli_input_relay_stop(struct cli_input_relay *r);

/* SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 to the CLI, sent on to the container while it lasts;
 * the CLI itself then keeps running (its attach ends with the container). */
struct cli_signal_proxy {
	struct cc_runtime *rt;
	const char *container;
	/* private */
	int sfd, quit_r, quit_w;
	sigset_t old;
	pthread_t thread;
	bool started;
};
int cli_signal_proxy_start(struct cli_signal_proxy *sp, struct cc_runtime *rt, const char *container);
void cli_signal_proxy_stop(struct cli_signal_proxy *sp);

#endif
