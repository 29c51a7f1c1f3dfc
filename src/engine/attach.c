/* Attach: see attach.h. The monitor's side is driven by its poll loop (no thread of its own); the client's
 * side is native_container_attach, a relay loop of its own in the caller's thread. */
#include "engine/attach.h"
#include "base/fsutil.h"
#include "base/cleanup.h"
#include "base/frame.h"
#include "base/strbuf.h"
#include "base/term.h"
#include "base/xalloc.h"
#include "engine/native-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define REPLAY_BYTES (64 * 1024)
#define MAX_CLIENTS  8

static int sock_path(const char *dir, const char *name, struct sockaddr_un *sa, int *dirfd)
{
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd, name);
	return 0;
}

int native_unix_listen(const char *dir, const char *name)
{
	struct sockaddr_un sa;
	int dfd;
	if (sock_path(dir, name, &sa, &dfd) < 0)
		return -1;
	unlinkat(dfd, name, 0);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
			fchmodat(dfd, name, 0600, 0) < 0 || listen(fd, MAX_CLIENTS) < 0)) {
		close(fd);
		fd = -1;
	}
	close(dfd);
	return fd;
}

int native_console_receive(int listen_fd, int runc_pid, int timeout_ms)
{
	for (int waited = 0; waited < timeout_ms; waited += 50) {
		struct pollfd p = {listen_fd, POLLIN, 0};
		if (poll(&p, 1, 50) > 0) {
			int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			char byte[256];
			char ctl[CMSG_SPACE(sizeof(int))];
			struct iovec iov = {byte, sizeof(byte)};
			struct msghdr m = {.msg_iov = &iov,
					   .msg_iovlen = 1,
					   .msg_control = ctl,
					   .msg_controllen = sizeof(ctl)};
			ssize_t n = recvmsg(c, &m, MSG_CMSG_CLOEXEC);
			close(c);
			struct cmsghdr *h = n >= 0 ? CMSG_FIRSTHDR(&m) : NULL;
			if (h && h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
				int fd;
				memcpy(&fd, CMSG_DATA(h), sizeof(fd));
				return fd;
			}
			return -1;
		}
		/* runc gave up (its error is on its stderr): nothing will connect */
		siginfo_t si = {0};
		if (waitid(P_PID, (id_t)runc_pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == runc_pid)
			return -1;
	}
	return -1;
}

/* ---- the monitor's side ---- */

struct client {
	int fd;
	struct cc_strbuf in; /* a partial frame */
};

struct native_attach {
	int listen_fd;
	struct client clients[MAX_CLIENTS];
	size_t nclients;
	int input; /* -1: none (closed) */
	bool tty;
	struct cc_strbuf pending; /* input not yet taken by the container */
	char replay[REPLAY_BYTES];
	size_t replay_len;
	struct pollfd *polled; /* the entries of the last native_attach_pollfds */
	int npolled;
};

struct native_attach *native_attach_open(const char *dir)
{
	int fd = native_unix_listen(dir, NATIVE_ATTACH_SOCKET);
	if (fd < 0)
		return NULL;
	struct native_attach *a = cc_xcalloc(1, sizeof(*a));
	a->listen_fd = fd;
	a->input = -1;
	return a;
}

static void drop_client(struct native_attach *a, size_t i)
{
	close(a->clients[i].fd);
	cc_strbuf_release(&a->clients[i].in);
	a->clients[i] = a->clients[--a->nclients];
}

void native_attach_set_input(struct native_attach *a, int fd, bool tty)
{
	if (!a) {
		if (fd >= 0)
			close(fd);
		return;
	}
	if (a->input >= 0)
		close(a->input);
	a->input = fd;
	a->tty = tty;
	cc_strbuf_reset(&a->pending);
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

int native_attach_pollfds(struct native_attach *a, struct pollfd *p, int max)
{
	if (!a)
		return 0;
	int k = 0;
	a->polled = p;
	if (k < max)
		p[k++] = (struct pollfd){a->listen_fd, POLLIN, 0};
	for (size_t i = 0; i < a->nclients && k < max; i++)
		p[k++] = (struct pollfd){a->clients[i].fd, POLLIN, 0};
	if (a->input >= 0 && a->pending.len && k < max)
		p[k++] = (struct pollfd){a->input, POLLOUT, 0};
	a->npolled = k;
	return k;
}

static void flush_input(struct native_attach *a)
{
	while (a->input >= 0 && a->pending.len) {
		ssize_t w = write(a->input, a->pending.buf, a->pending.len);
		if (w <= 0) {
			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				close(a->input); /* the container closed its stdin */
				a->input = -1;
			}
			return;
		}
		memmove(a->pending.buf, a->pending.buf + w, a->pending.len - (size_t)w);
		cc_strbuf_truncate(&a->pending, a->pending.len - (size_t)w);
	}
}

static void frame(struct native_attach *a, char type, const char *data, uint32_t len)
{
	if (type == 'd' && a->input >= 0) {
		cc_strbuf_add(&a->pending, data, len);
	} else if (type == 'e' && !a->tty && a->input >= 0) {
		flush_input(a);
		close(a->input);
		a->input = -1;
	} else if (type == 'w' && a->tty && a->input >= 0) {
		struct winsize ws = {0};
		if (cc_frame_size_get(data, len, &ws.ws_row, &ws.ws_col))
			ioctl(a->input, TIOCSWINSZ, &ws);
	}
}

/* Read what a client sent; false when it went away. */
static bool read_client(struct native_attach *a, struct client *c)
{
	char buf[8192];
	ssize_t n = read(c->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0)
		return false;
	cc_strbuf_add(&c->in, buf, (size_t)n);
	size_t off = 0;
	char type;
	const char *payload;
	uint32_t len;
	int got;
	while ((got = cc_frame_next(&c->in, &off, &type, &payload, &len)) > 0)
		frame(a, type, payload, len);
	cc_frame_consumed(&c->in, off);
	return got >= 0; /* not one of ours: dropped */
}

static bool send_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t w = send(fd, data, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false; /* gone, or stalled past its send timeout */
		data += w;
		len -= (size_t)w;
	}
	return true;
}

void native_attach_service(struct native_attach *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->npolled; i++) {
		struct pollfd *p = &a->polled[i];
		if (!p->revents)
			continue;
		if (p->fd == a->listen_fd) {
			int c = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (a->nclients == MAX_CLIENTS) {
				close(c);
				continue;
			}
			/* a client that stops reading for a second is dropped, never the container's output
			 */
			struct timeval tv = {1, 0};
			setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			if (!send_all(c, a->replay, a->replay_len)) {
				close(c);
				continue;
			}
			a->clients[a->nclients++] = (struct client){.fd = c, .in = CC_STRBUF_INIT};
		} else if (p->fd == a->input && (p->events & POLLOUT)) {
			flush_input(a);
		} else {
			for (size_t k = 0; k < a->nclients; k++)
				if (a->clients[k].fd == p->fd && !read_client(a, &a->clients[k])) {
					drop_client(a, k);
					break;
				}
		}
	}
	a->npolled = 0;
	flush_input(a);
}

void native_attach_output(struct native_attach *a, const char *data, size_t len)
{
	if (!a || !len)
		return;
	if (len >= REPLAY_BYTES) {
		memcpy(a->replay, data + len - REPLAY_BYTES, REPLAY_BYTES);
		a->replay_len = REPLAY_BYTES;
	} else {
		if (a->replay_len + len > REPLAY_BYTES) {
			size_t drop = a->replay_len + len - REPLAY_BYTES;
			memmove(a->replay, a->replay + drop, a->replay_len - drop);
			a->replay_len -= drop;
		}
		memcpy(a->replay + a->replay_len, data, len);
		a->replay_len += len;
	}
	for (size_t i = 0; i < a->nclients;)
		if (send_all(a->clients[i].fd, data, len))
			i++;
		else
			drop_client(a, i);
}

void native_attach_end_run(struct native_attach *a)
{
	if (!a)
		return;
	native_attach_set_input(a, -1, false);
	while (a->nclients)
		drop_client(a, 0);
	a->replay_len = 0;
}

void native_attach_close(struct native_attach *a)
{
	if (!a)
		return;
	native_attach_end_run(a);
	close(a->listen_fd);
	cc_strbuf_release(&a->pending);
	free(a);
}

/* ---- the client's side ---- */

static bool send_frame(int fd, char type, const void *data, uint32_t len)
{
	cleanup_strbuf struct cc_strbuf b = CC_STRBUF_INIT;
	cc_frame_put(&b, type, data, len);
	return send_all(fd, b.buf, b.len);
}

static void send_size(int sock, int terminal)
{
	unsigned rows, cols;
	if (!cc_term_size(terminal, &rows, &cols))
		return;
	cleanup_strbuf struct cc_strbuf b = CC_STRBUF_INIT;
	cc_frame_size_put(&b, rows, cols);
	send_all(sock, b.buf, b.len);
}

/* Relay until the monitor ends the stream. */
static void relay(int sock, const struct cc_attach_io *io, struct cc_term *t)
{
	int winch = t->winch;
	bool in_open = io->in_fd >= 0;
	char buf[16384];
	for (;;) {
		struct pollfd p[4] = {{sock, POLLIN, 0},
				      {in_open ? io->in_fd : -1, POLLIN, 0},
				      {winch, POLLIN, 0},
				      {io->cancel, POLLIN, 0}};
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (p[3].revents)
			return;
		if (p[0].revents) {
			ssize_t n = read(sock, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return;
			if (io->out_fd >= 0)
				(void)cc_write_all(io->out_fd, buf, (size_t)n);
		}
		if (in_open && p[1].revents) {
			ssize_t n = read(io->in_fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n > 0 && !send_frame(sock, 'd', buf, (uint32_t)n))
				return;
			if (n <= 0) {
				in_open = false;
				send_frame(sock, 'e', NULL, 0);
			}
		}
		if (winch >= 0 && p[2].revents) {
			cc_term_winch_ack(t);
			send_size(sock, io->terminal);
		}
	}
}

int native_container_attach(void *self, const char *ref, const struct cc_attach_io *io, struct cc_error **err)
{
	struct native *n = self;
	struct cc_container c;
	if (native_running(self, ref, &c, err) < 0)
		return -1;
	cleanup_free char *dir = native_container_dir(n, c.id);
	bool can = c.spec.stdin_open || c.spec.tty;
	cc_container_release(&c);
	if (!can)
		return cc_error_set(
		    err, CC_ERR_INVALID_STATE,
		    "container %s was created without stdin_open or tty: there is nothing to attach "
		    "to",
		    ref);
	struct sockaddr_un sa;
	int dfd;
	if (sock_path(dir, NATIVE_ATTACH_SOCKET, &sa, &dfd) < 0)
		return cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "attach %s", ref);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r = sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0
		    ? cc_error_set_errno(err, CC_ERR_BACKEND_FAILURE, errno, "attach %s", ref)
		    : 0;
	close(dfd);
	if (r < 0) {
		if (sock >= 0)
			close(sock);
		return -1;
	}
	struct cc_term t;
	cc_term_enter(&t, io->terminal);
	if (t.raw)
		send_size(sock, io->terminal);
	relay(sock, io, &t);
	cc_term_leave(&t);
	close(sock);
	return 0;
}
