/* exec with a terminal: the OCI runtime makes the container's pty and hands its master over a console socket;
 * a relay process copies between it and the caller's terminal, holds that terminal in raw mode while the
 * session runs, and passes each change of its size on.
 *
 * Why not the runtime's own copying (`exec --tty` without a socket): crun 1.8 never resizes its pty after
 * the start, so a session resized later keeps its first size; runc does. One relay gives both runtimes the
 * same behaviour. runc takes a console socket only from a detached exec, so the runtime detaches, and the
 * relay, a child subreaper, inherits the process and reaps it for its exit status. The relay's controlling
 * terminal is the caller's, so the kernel tells it of size changes (SIGWINCH), read from a signalfd: no
 * handler, and nothing of the caller's signal state changes. */
#include "base/cleanup.h"
#include "base/fsutil.h"
#include "base/xalloc.h"
#include "engine/attach.h"
#include "engine/native-internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define CONSOLE_WAIT_MS 10000
#define DRAIN_MS        100 /* output still coming once the runtime is gone (a background child's) */

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		len -= (size_t)w;
	}
	return true;
}

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
	write_all(to, buf, (size_t)r);
	return true;
}

static void copy_size(int terminal, int master)
{
	struct winsize ws;
	if (ioctl(terminal, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* A child's exit status once it is reaped, else -1. */
static int reap(pid_t child)
{
	int st;
	pid_t p;
	while ((p = waitpid(child, &st, WNOHANG)) < 0 && errno == EINTR)
		;
	if (p != child)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 1;
}

/* Until the process has exited and its output is drained; its exit status. */
static int relay(int terminal, int master, int sigfd, pid_t process)
{
	copy_size(terminal, master);
	int code = reap(process);
	bool master_open = true, terminal_open = true;
	while (master_open) {
		struct pollfd p[3] = {
		    {sigfd, POLLIN, 0}, {master, POLLIN, 0}, {terminal_open ? terminal : -1, POLLIN, 0}};
		int n = poll(p, 3, code >= 0 ? DRAIN_MS : -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGWINCH)
				copy_size(terminal, master);
			if (code < 0)
				code = reap(process);
		}
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			master_open = copy_once(master, terminal);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			terminal_open = copy_once(terminal, master);
	}
	if (code < 0)
		code = native_wait_status(process);
	return code;
}

/* The exec'd process's pid from the runtime's pid file in dir (removed), or -1. */
static pid_t take_pid(const char *dir, const char *pid_file)
{
	cleanup_free char *path = cc_xasprintf("%s/%s", dir, pid_file);
	cleanup_free char *text = cc_read_text(path);
	unlink(path);
	long pid = text ? strtol(text, NULL, 10) : -1;
	return pid > 0 ? (pid_t)pid : -1;
}

pid_t native_exec_terminal(const char *dir, const char *socket_name, const char *pid_file, char *const *argv,
			   int terminal)
{
	pid_t own_session = getsid(0);
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	if (tcgetsid(terminal) != own_session && (setsid() < 0 || ioctl(terminal, TIOCSCTTY, 0) < 0))
		_exit(127);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	int listener = native_unix_listen(dir, socket_name);
	/* the runtime detaches (runc takes a console socket only then): the process it leaves comes to us */
	if (sigfd < 0 || listener < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		static const char msg[] =
		    "container-compose: cannot set up the terminal's console socket\r\n";
		write_all(terminal, msg, sizeof(msg) - 1);
		_exit(126);
	}
	/* raw from the start, as the runtimes' own copying had it: what is typed early is not echoed twice */
	struct termios saved, raw;
	bool restore = tcgetattr(terminal, &saved) == 0;
	if (restore) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(terminal, TCSANOW, &raw);
	}
	/* the socket's name is relative to the runtime's working directory (the container's): its absolute
	 * path could pass the 108 bytes a unix socket path may have */
	pid_t rt = native_spawn_in(dir, argv, terminal, terminal, terminal);
	int master = rt > 0 ? native_console_receive(listener, rt, CONSOLE_WAIT_MS) : -1;
	close(listener);
	cleanup_free char *path = cc_xasprintf("%s/%s", dir, socket_name);
	unlink(path);
	if (rt <= 0) {
		if (restore)
			tcsetattr(terminal, TCSANOW, &saved);
		_exit(127);
	}
	/* a failed runtime has said why on the terminal */
	int code = native_wait_status(rt);
	pid_t process = take_pid(dir, pid_file);
	if (master >= 0 && code == 0 && process > 0)
		code = relay(terminal, master, sigfd, process);
	else if (code == 0)
		code = 126;
	if (restore)
		tcsetattr(terminal, TCSANOW, &saved);
	_exit(code);
}
