#include "base/error.h"
#include "base/strbuf.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int set_va(struct cc_error **err, enum cc_err_kind kind, int errnum, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int set_va(struct cc_error **err, enum cc_err_kind kind, int errnum, const char *fmt, va_list ap)
{
	struct cc_strbuf sb = CC_STRBUF_INIT;
	cc_strbuf_vaddf(&sb, fmt, ap);
	if (errnum)
		cc_strbuf_addf(&sb, ": %s", strerror(errnum));
	if (!err) {
		cc_strbuf_release(&sb);
		return -1;
	}
	/* An error that is already set wins: it is the root cause, the new one is a consequence. */
	if (*err) {
		cc_strbuf_release(&sb);
		return -1;
	}
	struct cc_error *e = cc_xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->errnum = errnum;
	e->msg = cc_strbuf_detach(&sb, NULL);
	*err = e;
	return -1;
}

int cc_error_set(struct cc_error **err, enum cc_err_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_va(err, kind, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int cc_error_set_errno(struct cc_error **err, enum cc_err_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_va(err, kind, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int cc_error_wrap(struct cc_error **err, const char *fmt, ...)
{
	if (!err || !*err)
		return -1;
	struct cc_strbuf sb = CC_STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	cc_strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	cc_strbuf_addf(&sb, ": %s", (*err)->msg);
	free((*err)->msg);
	(*err)->msg = cc_strbuf_detach(&sb, NULL);
	return -1;
}

const char *cc_err_kind_name(enum cc_err_kind kind)
{
	switch (kind) {
	case CC_ERR_NOT_FOUND:
		return "NOT_FOUND";
	case CC_ERR_ALREADY_EXISTS:
		return "ALREADY_EXISTS";
	case CC_ERR_INVALID_STATE:
		return "INVALID_STATE";
	case CC_ERR_INVALID_ARGUMENT:
		return "INVALID_ARGUMENT";
	case CC_ERR_TIMEOUT:
		return "TIMEOUT";
	case CC_ERR_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case CC_ERR_BACKEND_FAILURE:
		return "BACKEND_FAILURE";
	case CC_ERR_PERMISSION:
		return "PERMISSION";
	case CC_ERR_INTERNAL:
		break;
	}
	return "INTERNAL";
}

void cc_error_free(struct cc_error *e)
{
	if (!e)
		return;
	free(e->msg);
	free(e);
}

void cc_error_release(struct cc_error **err)
{
	if (err && *err) {
		cc_error_free(*err);
		*err = NULL;
	}
}
