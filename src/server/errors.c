/* Error kinds to HTTP statuses, and statuses to the envelope's keys: the one place (design/API.md). */
#include "server/internal.h"

unsigned srv_status_for_kind(enum cc_err_kind kind)
{
	switch (kind) {
	case CC_ERR_NOT_FOUND:
		return 404;
	case CC_ERR_ALREADY_EXISTS:
	case CC_ERR_INVALID_STATE:
		return 409;
	case CC_ERR_INVALID_ARGUMENT:
		return 400;
	case CC_ERR_TIMEOUT:
		return 408;
	case CC_ERR_NOT_SUPPORTED:
		return 501;
	case CC_ERR_BACKEND_FAILURE:
		return 502;
	case CC_ERR_PERMISSION:
		return 403;
	case CC_ERR_INTERNAL:
	default:
		return 500;
	}
}

const char *srv_status_key(unsigned status)
{
	switch (status) {
	case 400:
		return "bad_request";
	case 401:
		return "unauthorized";
	case 403:
		return "forbidden";
	case 404:
		return "not_found";
	case 405:
		return "method_not_allowed";
	case 408:
		return "request_timeout";
	case 409:
		return "conflict";
	case 413:
		return "payload_too_large";
	case 415:
		return "unsupported_media_type";
	case 501:
		return "not_supported";
	case 502:
		return "backend_failure";
	case 503:
		return "unavailable";
	default:
		return "internal_error";
	}
}
