/* Attaching to a native container's stdio (`run -i`, `run -it`): the monitor's side and the client's.
 *
 * A container created with stdin_open or tty has its monitor listen on <dir>/attach.sock (0600). The monitor
 * holds the container's input (a pipe to its stdin, or the master of its pty, received from runc over a
 * console socket) and sends each client the container's raw output as it comes, starting with the last
 * 64 KiB of output so far (a shell's first prompt printed before the client connected). A client sends
 * frames: a type byte, a 4-byte big-endian length and the payload: 'd' input, 'e' end of input (closes a
 * pipe; a terminal has no end), 'w' the terminal's size (rows and columns, 2 bytes each). The monitor closes
 * every client when the run's output has ended, which is how a client learns the container is done.
 *
 * Socket paths are reached through /proc/self/fd/<dir fd>/, so a deep state root does not hit the 108-byte
 * limit of unix socket paths. */
#ifndef CC_ENGINE_ATTACH_H
#define CC_ENGINE_ATTACH_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define NATIVE_ATTACH_SOCKET  "attach.sock"
#define NATIVE_CONSOLE_SOCKET "console.sock"

/* ---- the monitor's side ---- */
struct native_attach;
/* Listen in dir; NULL when the socket could not be made (the container then runs without attach). */
struct native_attach *native_attach_open(const char *dir);
void native_attach_close(struct native_attach *a);
/* The input of the current run: a pipe's write end or a pty master (owned: closed at the run's end). */
void native_attach_set_input(struct native_attach *a, int fd, bool tty);
/* Add what the monitor's poll waits on (at most `max` entries); returns how many. */
int native_attach_pollfds(struct native_attach *a, struct pollfd *p, int max);
/* After the poll: accept clients, read their frames, write pending input. */
void native_attach_service(struct native_attach *a);
/* The container's output, to every client and the replay buffer. */
void native_attach_output(struct native_attach *a, const char *data, size_t len);
/* The run is over: its input closed, every client told (end of stream). */
void native_attach_end_run(struct native_attach *a);

/* Receive the pty master runc sends over the console socket listening at `listen_fd` (accepting one
 * connection); -1 when none came within `timeout_ms` or runc (`runc_pid`) ended first. */
int native_console_receive(int listen_fd, int runc_pid, int timeout_ms);
/* A listening unix socket at <dir>/<name> (the stale one removed); -1 on failure. */
int native_unix_listen(const char *dir, const char *name);

#endif
