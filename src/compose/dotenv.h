/* The .env / env_file grammar of compose-go (../shared/reference/compose-go-edge-cases.md §2 rows 20-26). */
#ifndef CC_COMPOSE_DOTENV_H
#define CC_COMPOSE_DOTENV_H

#include <stddef.h>

#include "base/error.h"
#include "base/strmap.h"
#include "compose/lookup.h"

/* Parse `data` (the content of `filename`, used in messages) and store KEY -> value (char *, owned by the
 * map, which must have been initialised with free as its free function) into `out`, replacing keys that are
 * already there (later files win). Expansion of ${X} / $X in unquoted and double-quoted values looks up X
 * with `lookup` first (the OS environment wins), then in `out` (earlier lines and earlier files). A line with
 * a bare KEY takes lookup(KEY), and is left out when that is unset. Errors say "<filename>:<line>: <what>"
 * (kind INVALID_ARGUMENT). Nothing is stored into `out` on failure. */
int cc_dotenv_parse(const char *data, size_t len, const char *filename, cc_lookup_fn lookup, void *lookup_ud,
		    struct cc_strmap *out, struct cc_error **err);

/* env_file `format: raw`: every non-empty line is KEY=VALUE taken literally (no quotes, comments, escapes or
 * expansion). */
int cc_dotenv_parse_raw(const char *data, size_t len, const char *filename, struct cc_strmap *out,
			struct cc_error **err);

#endif
