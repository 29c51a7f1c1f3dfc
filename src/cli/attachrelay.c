/* The detach keys and the signal proxy of `attach` (attachrelay.h). */
#include "cli/attachrelay.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

int cli_detach_keys_parse(const char *spec, unsigned char *keys, size_t *n, char **msg)
{
	*n = 0;
	*msg = NULL;
	char *copy = cc_xstrdup(spec);
	char *save = NULL;
	int r = 0;
	for (char *k = strtok_r(copy, ",", &save); k && r == 0; k = strtok_r(NULL, ",", &save)) {
		int key = -1;
		if (strlen(k) == 1) {
			key = (unsigned char)k[0];
		} else if (strncmp(k, "ctrl-", 5) == 0 && strlen(k) == 6) {
			/* ctrl-a is 1 ... ctrl-z is 26; ctrl-@ 0, ctrl-[ 27, ctrl-\ 28, ctrl-] 29, ctrl-^ 30,
			 * ctrl-_ 31: the character's code with its upper bits dropped */
			int c = toupper((unsigned char)k[5]);
			if ((c >= 'A' && c <= 'Z') || strchr("@[\\]^_", c))
				key = c & 0x1f;
		}
		if (key < 0 || *n == CLI_DETACH_KEYS_MAX) {
			*msg = key < 0
				   ? cc_xasprintf("invalid detach key \"%s\": use ctrl-X or one character", k)
				   : cc_xasprintf("more than %d detach keys", CLI_DETACH_KEYS_MAX);
			r = -1;
		} else {
			keys[(*n)++] = (unsigned char)key;
		}
	}
	free(copy);
	return r;
}

/* Write it all unless quit (-1: none) turns readable first: once the attach has ended nothing reads the
 * pipe, and a full pipe must not hold the relay (and the join that waits for it) for ever. */
static void write_all(int fd, const unsigned char *p, size_t n, int quit)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd fds[2] = {{fd, POLLOUT, 0}, {quit, POLLIN, 0}};
			if (poll(fds, quit >= 0 ? 2 : 1, -1) < 0 && errno != EINTR)
				return;
			if (quit >= 0 && fds[1].revents)
				return;
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* Wait until fd has something to read: false once quit has (the thread is to end), or on an error. */
static bool readable_unless_quit(int fd, int quit)
{
	for (;;) {
		struct pollfd fds[2] = {{fd, POLLIN, 0}, {quit, POLLIN, 0}};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		return !fds[1].revents;
	}
}

/* Wait (two seconds at most) until the attach has read everything in the pipe. */
static void drained(int fd)
{
	for (int i = 0; i < 200; i++) {
		int left = 0;
		if (ioctl(fd, FIONREAD, &left) < 0 || left == 0)
			return;
		usleep(10000);
	}
}

static void *relay_main(void *arg)
{
	struct cli_input_relay *r = arg;
	size_t matched = 0; /* how much of the detach sequence the input ends with, held back */
	while (readable_unless_quit(r->from, r->quit_r)) {
		unsigned char buf[4096];
		ssize_t n = read(r->from, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break; /* its end is the container's stdin's end */
		size_t start = 0;
		for (size_t i = 0; i < (size_t)n; i++) {
			if (r->nkeys && buf[i] == r->keys[matched]) {
				/* what came before the match goes on; the match waits */
				write_all(r->pipe_w, buf + start, i - start, r->quit_r);
				start = i + 1;
				if (++matched == r->nkeys) {
					/* what was typed before the keys reaches the container first: the
					 * attach ends as soon as it sees the cancel, whatever the pipe still
					 * holds */
					drained(r->in);
					r->detached = true;
					write_all(r->cancel_w, (const unsigned char *)"d", 1, -1);
					goto out;
				}
				continue;
			}
			if (matched) {
				/* not the sequence after all: what was held is input */
				write_all(r->pipe_w, buf + start, i - start, r->quit_r);
				write_all(r->pipe_w, r->keys, matched, r->quit_r);
				start = i;
				matched = 0;
				i--; /* this byte may begin the sequence */
				continue;
			}
		}
		write_all(r->pipe_w, buf + start, (size_t)n - start, r->quit_r);
	}
out:
	close(r->pipe_w);
	r->pipe_w = -1;
	return NULL;
}

int cli_input_relay_start(struct cli_input_relay *r, int from, const unsigned char *keys, size_t nkeys)
{
	int in[2], cancel[2], quit[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	if (pipe2(cancel, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	if (pipe2(quit, O_CLOEXEC) < 0) {
		close(in[0]);
		close(in[1]);
		close(cancel[0]);
		close(cancel[1]);
		return -1;
	}
	*r = (struct cli_input_relay){.in = in[0],
				      .cancel = cancel[0],
				      .from = from,
				      .pipe_w = in[1],
				      .cancel_w = cancel[1],
				      .quit_r = quit[0],
				      .quit_w = quit[1],
				      .nkeys = nkeys};
	memcpy(r->keys, keys, nkeys);
	/* the relay takes no signal: they are the signal proxy's, or the main thread's */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int started = pthread_create(&r->thread, NULL, relay_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started != 0) {
		int fds[] = {in[0], in[1], cancel[0], cancel[1], quit[0], quit[1]};
		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			close(fds[i]);
		return -1;
	}
	return 0;
}

void cli_input_relay_stop(struct cli_input_relay *r)
{
	write_all(r->quit_w, (const unsigned char *)"q", 1, -1);
	pthread_join(r->thread, NULL);
	int fds[] = {r->in, r->cancel, r->cancel_w, r->quit_r, r->quit_w, r->pipe_w};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static void *proxy_main(void *arg)
{
	struct cli_signal_proxy *sp = arg;
	while (readable_unless_quit(sp->sfd, sp->quit_r)) {
		struct signalfd_siginfo si;
		if (read(sp->sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		const char *name = cc_signal_name((int)si.ssi_signo);
		struct cc_error *err = NULL;
		if (name && cc_rt_container_kill(sp->rt, sp->container, name, &err) < 0)
			cc_error_free(err); /* it ended meanwhile: the attach ends with it */
	}
	return NULL;
}

int cli_signal_proxy_start(struct cli_signal_proxy *sp, struct cc_runtime *rt, const char *container)
{
	*sp = (struct cli_signal_proxy){
	    .rt = rt, .container = container, .sfd = -1, .quit_r = -1, .quit_w = -1};
	sigset_t set;
	sigemptyset(&set);
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	int quit[2];
	if (pipe2(quit, O_CLOEXEC) < 0) {
		pthread_sigmask(SIG_SETMASK, NULL, &sp->old); /* what stop restores: the mask as it is */
		return -1;
	}
	/* blocked here, before the attach's threads exist, so only the descriptor takes them */
	pthread_sigmask(SIG_BLOCK, &set, &sp->old);
	sp->sfd = signalfd(-1, &set, SFD_CLOEXEC);
	sp->quit_r = quit[0];
	sp->quit_w = quit[1];
	if (sp->sfd < 0 || pthread_create(&sp->thread, NULL, proxy_main, sp) != 0) {
		cli_signal_proxy_stop(sp);
		return -1;
	}
	sp->started = true;
	return 0;
}

void cli_signal_proxy_stop(struct cli_signal_proxy *sp)
{
	if (sp->started) {
		write_all(sp->quit_w, (const unsigned char *)"q", 1, -1);
		pthread_join(sp->thread, NULL);
		sp->started = false;
	}
	if (sp->sfd >= 0) {
		/* what came after the attach ended is not delivered once the mask is restored */
		struct signalfd_siginfo si;
		int fl = fcntl(sp->sfd, F_GETFL);
		fcntl(sp->sfd, F_SETFL, fl | O_NONBLOCK);
		while (read(sp->sfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
		close(sp->sfd);
		sp->sfd = -1;
	}
	pthread_sigmask(SIG_SETMASK, &sp->old, NULL);
	if (sp->quit_r >= 0)
		close(sp->quit_r);
	if (sp->quit_w >= 0)
		close(sp->quit_w);
	sp->quit_r = sp->quit_w = -1;
}
