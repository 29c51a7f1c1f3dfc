/* exec with a terminal: the OCI runtime makes the container's pty and hands its master over a console socket;
 * a relay process copies between it and the caller's terminal, holds that terminal in raw mode while the
 * session runs, and passes each change of its size on.
 *
 * Why not the runtime's own copying (`exec --tty` without a socket): size changes were then the runtime's
 * business, and once, in the daemon suite under crun, a session resized after its start kept its first size.
 * The relay makes both runtimes behave the same. runc takes a console socket only from a detached exec, so
 * the runtime detaches, and the relay, a child subreaper, inherits the process and learns its end from a
 * pidfd. The relay's controlling terminal is the caller's, so the kernel tells it of size changes (SIGWINCH,
 * through cc_term's signalfd). */
#include "base/cleanup.h"
#include "base/clock.h"
#include "base/fsutil.h"
#include "base/term.h"
#include "base/xalloc.h"
#include "engine/attach.h"
#include "engine/native-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CONSOLE_WAIT_MS 10000
#define DRAIN_MS        100 /* output still coming once the process is gone (a background child's) */

/* One read from `from` written to `to`; false at the end of `from` (EOF, or EIO once a pty's other side
 * has closed). */
static bool copy_once(int from, int to)
{
	char buf[8192];
	ssize_t r = read(from, buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (r <= 0)
		return false;
	cc_write_all(to, buf, (size_t)r);
	return true;
}

static void copy_size(int terminal, int master)
{
	struct winsize ws;
	if (ioctl(terminal, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Until the process has exited and its output is drained (for DRAIN_MS at most after the exit); its exit
 * status. What is typed goes through a buffer to the master, which does not block: a process that neither
 * reads its input nor can write its output while we wait on it would hold both of us. A signal that ends the
 * relay (`ended`) hangs the session up: the master is closed, the process gets the pty's SIGHUP, and the
 * result is 128 + the signal, without waiting for a process that may ignore the hang-up. */
static int relay(struct cc_term *t, int master, pid_t process, int ended)
{
	int terminal = t->fd;
	int exited = (int)syscall(SYS_pidfd_open, process, 0);
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	char typed[16384];
	size_t ntyped = 0;
	int64_t deadline = 0; /* once the process is gone */
	bool master_open = true, terminal_open = true;
	while (master_open) {
		int timeout = -1;
		if (deadline) {
			int64_t left = deadline - cc_monotonic_ns();
			if (left <= 0)
				break;
			timeout = (int)(left / CC_NS_PER_MSEC) + 1;
		}
		struct pollfd p[5] = {{t->winch, POLLIN, 0},
				      {deadline ? -1 : exited, POLLIN, 0},
				      {master, (short)(POLLIN | (ntyped ? POLLOUT : 0)), 0},
				      {terminal_open && ntyped < sizeof(typed) ? terminal : -1, POLLIN, 0},
				      {ended, POLLIN, 0}};
		int n = poll(p, 5, timeout);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		struct signalfd_siginfo si;
		if ((p[4].revents & POLLIN) && read(ended, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (exited >= 0)
				close(exited);
			close(master);
			return 128 + (int)si.ssi_signo;
		}
		if (p[0].revents & POLLIN) {
			cc_term_winch_ack(t);
			copy_size(terminal, master);
		}
		if (p[1].revents & POLLIN)
			deadline = cc_monotonic_ns() + DRAIN_MS * CC_NS_PER_MSEC;
		if (p[2].revents & POLLOUT) {
			ssize_t w = write(master, typed, ntyped);
			if (w > 0) {
				memmove(typed, typed + w, ntyped - (size_t)w);
				ntyped -= (size_t)w;
			}
		}
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			master_open = copy_once(master, terminal);
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(terminal, typed + ntyped, sizeof(typed) - ntyped);
			if (r > 0)
				ntyped += (size_t)r;
			else if (r == 0 || (errno != EINTR && errno != EAGAIN))
				terminal_open = false;
		}
	}
	if (exited >= 0)
		close(exited);
	close(master);
	int code = native_wait_status(process);
	return code < 0 ? 1 : code;
}

/* What the runtime wrote on its standard error, read without waiting: a process it left behind may hold the
 * pipe open. */
static size_t take_output(int fd, char *buf, size_t size)
{
	size_t len = 0;
	for (ssize_t r; len < size - 1 && (r = read(fd, buf + len, size - 1 - len)) > 0;)
		len += (size_t)r;
	buf[len] = '\0';
	return len;
}

/* Text onto a terminal in raw mode, where a line feed no longer returns the carriage. */
static void write_raw_lines(int terminal, const char *text)
{
	for (const char *nl; (nl = strchr(text, '\n')); text = nl + 1) {
		cc_write_all(terminal, text, (size_t)(nl - text));
		cc_write_all(terminal, "\r\n", 2);
	}
	cc_write_all(terminal, text, strlen(text));
}

/* The exec'd process's pid from the runtime's pid file (removed), or -1. Reads into the stack: this runs in
 * the relay, forked from a process that may have threads. */
static pid_t take_pid(const char *path)
{
	char text[32] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t r = read(fd, text, sizeof(text) - 1);
		text[r > 0 ? r : 0] = '\0';
		close(fd);
	}
	unlink(path);
	long pid = strtol(text, NULL, 10);
	return pid > 0 ? (pid_t)pid : -1;
}

pid_t native_exec_terminal(const char *dir, const char *socket_name, const char *pid_file, char *const *argv,
			   int terminal)
{
	/* made before the fork: the daemon that calls this has threads, and the relay only makes system calls
	 */
	cleanup_free char *socket_path = cc_xasprintf("%s/%s", dir, socket_name);
	cleanup_free char *pid_path = cc_xasprintf("%s/%s", dir, pid_file);
	pid_t own_session = getsid(0);
	pid_t caller = getpid();
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (tcgetsid(terminal) != own_session && (setsid() < 0 || ioctl(terminal, TIOCSCTTY, 0) < 0))
		_exit(127);
	/* nothing of the caller's but its stdio and the terminal: the daemon's sockets and other sessions'
	 * descriptors must not live on in a session's relay */
	if (dup2(terminal, 3) < 0)
		_exit(127);
	terminal = 3;
	close_range(4, ~0U, 0);
	/* The signals that end a session come through a descriptor, so that the terminal is restored before
	 * the relay goes: a hang-up of the terminal, TERM, INT or QUIT sent to the relay, and the caller's
	 * end (a CLI killed), which the kernel reports as a hang-up. Everything else has the default action:
	 * the daemon's mask is not the relay's. */
	sigset_t ends;
	sigemptyset(&ends);
	static const int ending[] = {SIGHUP, SIGINT, SIGTERM, SIGQUIT};
	for (size_t i = 0; i < sizeof(ending) / sizeof(*ending); i++) {
		signal(ending[i], SIG_DFL);
		sigaddset(&ends, ending[i]);
	}
	sigprocmask(SIG_SETMASK, &ends, NULL);
	int ended = signalfd(-1, &ends, SFD_CLOEXEC | SFD_NONBLOCK);
	if (prctl(PR_SET_PDEATHSIG, SIGHUP) < 0 || getppid() != caller)
		_exit(129);
	int listener = native_unix_listen(dir, socket_name);
	int errpipe[2];
	/* the runtime detaches (runc takes a console socket only then): the process it leaves comes to us */
	if (ended < 0 || listener < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 ||
	    pipe2(errpipe, O_CLOEXEC) < 0) {
		static const char msg[] =
		    "container-compose: cannot set up the terminal's console socket\r\n";
		cc_write_all(terminal, msg, sizeof(msg) - 1);
		_exit(126);
	}
	fcntl(errpipe[0], F_SETFL, O_NONBLOCK);
	/* raw from the start, as the runtimes' own copying had it: what is typed early is not echoed twice */
	struct cc_term t;
	cc_term_enter(&t, terminal);
	/* the socket's name is relative to the runtime's working directory (the container's): its absolute
	 * path could pass the 108 bytes a unix socket path may have. Its errors are kept until the terminal
	 * is out of raw mode again, where they read as lines. */
	pid_t rt = native_spawn_in(dir, argv, terminal, terminal, errpipe[1]);
	close(errpipe[1]);
	int master = rt > 0 ? native_console_receive(listener, rt, CONSOLE_WAIT_MS) : -1;
	close(listener);
	unlink(socket_path);
	if (master >= 0)
		copy_size(terminal, master);
	int code = rt > 0 ? native_wait_status(rt) : 127;
	char said[4096];
	take_output(errpipe[0], said, sizeof(said));
	close(errpipe[0]);
	pid_t process = take_pid(pid_path);
	if (master >= 0 && code == 0 && process > 0) {
		/* a warning of a runtime that started the process */
		write_raw_lines(terminal, said);
		code = relay(&t, master, process, ended);
		said[0] = '\0';
	} else {
		if (process > 0) {
			/* started, but its terminal never came: nobody could reach it */
			kill(process, SIGKILL);
			native_wait_status(process);
		}
		if (master >= 0)
			close(master);
		if (code == 0)
			code = 126;
	}
	cc_term_leave(&t);
	/* a failed runtime's reason, as lines now */
	cc_write_all(terminal, said, strlen(said));
	_exit(code);
}
