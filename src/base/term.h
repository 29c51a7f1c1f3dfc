/* The caller's terminal while it is connected to a container's: raw mode, and its size changes (SIGWINCH)
 * as a descriptor to poll, for attach and interactive exec of every backend that relays the bytes itself. */
#ifndef CC_BASE_TERM_H
#define CC_BASE_TERM_H

#include <signal.h>
#include <stdbool.h>
#include <termios.h>

struct cc_term {
	int fd;
	bool raw;  /* the terminal's mode was saved and set raw */
	int winch; /* a signalfd for SIGWINCH (blocked in the calling thread only), or -1 */
	struct termios saved;
	sigset_t old_mask;
};

/* Put terminal `fd` (-1: none, nothing done) in raw mode and follow its size. */
void cc_term_enter(struct cc_term *t, int fd);
/* Restore the mode and the signal mask. */
void cc_term_leave(struct cc_term *t);
/* After winch polled readable: consume the signal. */
void cc_term_winch_ack(struct cc_term *t);
/* The terminal's size; false when fd is not a terminal. */
bool cc_term_size(int fd, unsigned *rows, unsigned *cols);

#endif
