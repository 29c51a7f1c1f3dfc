/* Shared libraries opened when first needed, for the ones only some commands use: linking them brings them
 * (and what they link) into every process's start-up. gnutls and libmicrohttpd (only `serve`, `system
 * generate-cert` and the TLS probe need them) and libnftables (only the firewall) cost every CLI run about
 * 1.5 ms here before anything else happened (bench/RESULTS.md, bench/start).
 *
 * A library's header (base/libgnutls.h, ...) lists its symbols once, in an X-macro: from it come a table of
 * pointers typed after the real declarations, the names the loader looks up, and macros that send each call
 * of the real name through the table, so the code calling the library reads as it would with the library
 * linked. The table is written once, under pthread_once, and only read after. Every entry point calls the
 * library's *_ready() before its first call: a missing library is then an error that says which package to
 * install, not a crash. (libcurl and libarchive, base/curl.h and base/libarchive.h, predate this and keep
 * their own tables.) */
#ifndef CC_BASE_DYNLIB_H
#define CC_BASE_DYNLIB_H

#include "base/error.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct cc_dynsym {
	const char *name;
	size_t offset; /* of its pointer in the table */
};

struct cc_dynlib {
	const char *soname;
	const char *package; /* the Debian package that has it, for the message */
	const struct cc_dynsym *syms;
	size_t nsyms;
	void *table;
	bool ok;
	char why[256];
};

/* Open lib->soname and fill lib->table; on failure lib->why says why (run it under pthread_once). */
void cc_dynlib_open(struct cc_dynlib *lib);
/* 0, or BACKEND_FAILURE with lib->why. */
int cc_dynlib_ready(const struct cc_dynlib *lib, struct cc_error **err);

/* For the X-macros: a table field typed after the real symbol (in the library's header, before the macros
 * that redirect its calls), and the loader's entry for it (CC_DYN_TABLE: the table's type). */
#define CC_DYN_FIELD(sym) __typeof__(&sym) p_##sym;
#define CC_DYN_ENTRY(sym) {#sym, offsetof(CC_DYN_TABLE, p_##sym)},

/* The loader of one library, in its .c file: `const CC_DYN_TABLE *api(void)` and `int api_ready(err)`. */
#define CC_DYNLIB_DEFINE(api, SYMBOLS, soname, package)                                                      \
	static CC_DYN_TABLE api##_table;                                                                     \
	static const struct cc_dynsym api##_syms[] = {SYMBOLS(CC_DYN_ENTRY)};                                \
	static struct cc_dynlib api##_lib =                                                                  \
	    {soname,       package, api##_syms, sizeof(api##_syms) / sizeof(api##_syms[0]),                  \
	     &api##_table, false,   ""};                                                                     \
	static pthread_once_t api##_once = PTHREAD_ONCE_INIT;                                                \
	static void api##_load(void)                                                                         \
	{                                                                                                    \
		cc_dynlib_open(&api##_lib);                                                                  \
	}                                                                                                    \
	const CC_DYN_TABLE *api(void)                                                                        \
	{                                                                                                    \
		pthread_once(&api##_once, api##_load);                                                       \
		return &api##_table;                                                                         \
	}                                                                                                    \
	int api##_ready(struct cc_error **err)                                                               \
	{                                                                                                    \
		pthread_once(&api##_once, api##_load);                                                       \
		return cc_dynlib_ready(&api##_lib, err);                                                     \
	}

#endif
