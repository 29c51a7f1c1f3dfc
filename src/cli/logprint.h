/* Printing container output the way docker compose does: "web-1  | line", the prefix padded to the widest
 * name and coloured per service, optionally with timestamps; frames from many threads never interleave
 * within a line. */
#ifndef CC_CLI_LOGPRINT_H
#define CC_CLI_LOGPRINT_H

#include <pthread.h>
#include <stdbool.h>

#include "cli/cli.h"

struct cli_log_printer {
	pthread_mutex_t lock;
	bool color, timestamps, no_prefix;
	size_t width;
	struct cc_kvs services; /* container name -> service */
	const char *project;
	/* when buffering (not following): frames kept to be printed in time order */
	bool buffer;
	struct buffered_frame *frames;
	size_t nframes, cap;
};

void cli_log_printer_init(struct cli_log_printer *lp, struct cli_ctx *ctx, const char *project,
			  const struct cc_container *cs, size_t n, bool no_prefix, bool timestamps);
void cli_log_printer_release(struct cli_log_printer *lp);
/* A container that came after init (recreated or scaled while attached): its prefix and colour. */
void cli_log_printer_add(struct cli_log_printer *lp, const struct cc_container *c);
/* A cc_log_sink emit function over a printer. */
int cli_log_printer_emit(void *printer, const struct cc_log_frame *f);
/* Print buffered frames in time order. */
void cli_log_printer_flush(struct cli_log_printer *lp);
/* A line from compose itself in the log stream ("web-1 exited with code 0"). */
void cli_log_printer_note(struct cli_log_printer *lp, const char *container, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Stream the logs of containers through the printer: one thread per container; returns when every stream
 * has ended (with follow: when the containers stopped, or when *stop becomes true). */
int cli_stream_logs(struct cc_runtime *rt, const struct cc_container *cs, size_t n,
		    const struct cc_log_opts *opts, struct cli_log_printer *lp);

/* One container's log, followed (opts->follow) through the restarts its policy makes, as docker compose
 * follows it: the log goes on from past the last line shown; with notes, each run's end is printed
 * ("exited with code 1 (restarting)"). Returns when the log is read (no follow), or once the container is
 * stopped for good; *exit_code is its last exit code (-1: none seen). */
int cli_follow_logs(struct cc_runtime *rt, const struct cc_container *c, const struct cc_log_opts *opts,
		    struct cli_log_printer *lp, bool notes, int *exit_code, struct cc_error **err);

#endif
