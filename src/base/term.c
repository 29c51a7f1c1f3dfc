/* The caller's terminal: see term.h. */
#include "base/term.h"

#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

void cc_term_enter(struct cc_term *t, int fd)
{
	t->fd = fd;
	t->winch = -1;
	t->raw = fd >= 0 && tcgetattr(fd, &t->saved) == 0;
	if (!t->raw)
		return;
	struct termios r = t->saved;
	cfmakeraw(&r);
	tcsetattr(fd, TCSANOW, &r);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &mask, &t->old_mask);
	t->winch = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
}

void cc_term_leave(struct cc_term *t)
{
	if (!t->raw)
		return;
	tcsetattr(t->fd, TCSANOW, &t->saved);
	if (t->winch >= 0)
		close(t->winch);
	t->winch = -1;
	pthread_sigmask(SIG_SETMASK, &t->old_mask, NULL);
	t->raw = false;
}

void cc_term_winch_ack(struct cc_term *t)
{
	struct signalfd_siginfo si;
	while (t->winch >= 0 && read(t->winch, &si, sizeof(si)) > 0)
		;
}

bool cc_term_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize ws;
	if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}
