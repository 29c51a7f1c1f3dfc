/* Pull and push progress on standard error: on a terminal, one line per layer with a bar, redrawn in place;
 * otherwise a plain line per step of each layer. */
#ifndef CC_CLI_PROGRESS_H
#define CC_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/runtime.h"

struct cli_progress;
/* json: an object per event, as docker compose's --progress json writes them ({id, parent_id, status,
 * current, total}); tty is then ignored. */
struct cli_progress *cli_progress_new(bool tty, bool quiet, bool json);
void cli_progress_free(struct cli_progress *p);
/* A cc_progress_sink emit function over a cli_progress. */
int cli_progress_emit(void *ctx, const struct cc_progress *p);

#endif
