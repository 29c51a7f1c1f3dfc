/* The error contract (see docs/errors.md).
 *
 * A fallible function takes `struct cc_error **err` as its last parameter, returns a negative value on
 * failure after setting *err, and leaves *err untouched on success. Callers add context on the way up with
 * cc_error_wrap(). Every error carries a kind, which front-ends map to exit codes and HTTP statuses in one
 * place. */
#ifndef CC_BASE_ERROR_H
#define CC_BASE_ERROR_H

enum cc_err_kind {
	CC_ERR_INTERNAL = 0,
	CC_ERR_NOT_FOUND,
	CC_ERR_ALREADY_EXISTS,
	CC_ERR_INVALID_STATE,
	CC_ERR_INVALID_ARGUMENT,
	CC_ERR_TIMEOUT,
	CC_ERR_NOT_SUPPORTED,
	CC_ERR_BACKEND_FAILURE,
	CC_ERR_PERMISSION,
};

struct cc_error {
	enum cc_err_kind kind;
	int errnum; /* errno at the failure, or 0 */
	char *msg;
};

/* Set *err (which must be NULL) and return -1. */
int cc_error_set(struct cc_error **err, enum cc_err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like cc_error_set(), appending ": strerror(errnum)". */
int cc_error_set_errno(struct cc_error **err, enum cc_err_kind kind, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefix "<context>: " to an existing error; returns -1 so callers can `return cc_error_wrap(...)`. */
int cc_error_wrap(struct cc_error **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *cc_err_kind_name(enum cc_err_kind kind);
void cc_error_free(struct cc_error *e);
/* Free *err and set it to NULL. */
void cc_error_release(struct cc_error **err);

static inline void cc_error_releasep(struct cc_error **err)
{
	cc_error_release(err);
}
#define cleanup_error __attribute__((cleanup(cc_error_releasep)))

#endif
