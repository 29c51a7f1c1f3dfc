/* A run's journal: what a container's monitor saw happen, for whoever reads the container next.
 *
 * The monitor must not touch the state store (native-internal.h), so it appends one line per happening to
 * <dir>/journal: "die <time_ns> <code>" (a run ended and the restart policy starts another),
 * "start <time_ns> <pid>" (that next run runs), "health <time_ns> <status> <streak>", "oom <time_ns>".
 * Each line is one write() on an O_APPEND descriptor, so a reader sees whole lines or nothing of one. The
 * reader keeps its offset in the store, in the same transaction as the state it derives ("settling"), so
 * each line becomes exactly one state change and one event. The monitor's final exit stays in <dir>/exit. */
#ifndef CC_ENGINE_JOURNAL_H
#define CC_ENGINE_JOURNAL_H

#include "base/error.h"
#include "runtime/types.h"

#include <stddef.h>
#include <stdint.h>

enum native_journal_kind {
	NATIVE_JOURNAL_DIE,
	NATIVE_JOURNAL_START,
	NATIVE_JOURNAL_HEALTH,
	NATIVE_JOURNAL_OOM
};

struct native_journal_entry {
	enum native_journal_kind kind;
	int64_t time_ns;
	int value; /* die: the exit code; start: the pid; health: the failing streak */
	enum cc_health_status health;
};

/* Append one entry (the monitor's side; best effort: a full disk loses the line, not the container). */
void native_journal_append(const char *dir, const struct native_journal_entry *e);
/* The complete entries after byte `offset`; *next is the offset after the last one read. A missing journal
 * has none. A malformed line is an INTERNAL error naming the file. */
int native_journal_read(const char *dir, int64_t offset, struct native_journal_entry **out, size_t *n,
			int64_t *next, struct cc_error **err);

#endif
