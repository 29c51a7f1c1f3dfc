/* Parsers for the value formats of the Compose specification (checklist §7) and the short syntaxes of
 * ports and volumes (edge cases §2 rows 45-47). Pure functions: no I/O, no environment. */
#ifndef CC_COMPOSE_UNITS_H
#define CC_COMPOSE_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/strbuf.h"

/* "{n}{b|k|kb|m|mb|g|gb}" with binary multiples, case-insensitive, optional fraction ("1.5g"); a bare integer
 * is bytes; "-1" is allowed (unlimited). */
int cc_parse_bytes(const char *s, int64_t *out, struct cc_error **err);

/* Go-style durations "{n}{ns|us|µs|ms|s|m|h|d|w}" combinable ("1h5m30s20ms"), fractions ("1.5s"), a sign, and
 * "0". Result in nanoseconds. */
int cc_parse_duration(const char *s, int64_t *out_ns, struct cc_error **err);
/* The canonical text of a duration, like Go's time.Duration.String(): "1m30s", "0s", "1.5s", "100ms". */
void cc_format_duration(int64_t ns, struct cc_strbuf *out);

/* A file mode: "0440", "0o440", "440" are octal (YAML 1.1 and compose-go read modes as octal). */
int cc_parse_mode(const char *s, uint32_t *out, struct cc_error **err);

struct cc_port_spec {
	char *host_ip;   /* NULL when absent; IPv6 without brackets */
	char *published; /* NULL, "8080" or a range "80-90" */
	uint32_t target;
	char protocol[8]; /* "tcp" (default), "udp", "sctp" */
};

/* Short port syntax [[ip:](port|range):](port|range)[/proto], IPv6 hosts in brackets. Ranges expand to one
 * spec per container port; "80-90:8080" is one spec with published "80-90". *out is an array of *n specs. */
int cc_parse_port_short(const char *s, struct cc_port_spec **out, size_t *n, struct cc_error **err);
void cc_port_specs_free(struct cc_port_spec *specs, size_t n);

struct cc_volume_spec {
	char *type;   /* "bind" or "volume" */
	char *source; /* NULL for an anonymous volume */
	char *target;
	bool read_only;
	bool nocopy;
	char *propagation; /* NULL or rprivate|private|rshared|shared|rslave|slave */
	char *selinux;     /* NULL, "z" or "Z" */
};

/* Short volume syntax SRC:DST[:opts] / DST. A source starting with '/', '.', '~' is a bind, else a named
 * volume. Colons inside ${...} are not separators. Errors: "invalid empty volume spec", "too many colons",
 * "invalid spec: <s>", "invalid mode: <m>". */
int cc_parse_volume_short(const char *s, struct cc_volume_spec *out, struct cc_error **err);
void cc_volume_spec_release(struct cc_volume_spec *spec);

#endif
