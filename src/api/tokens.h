/* API tokens (design/API.md "Auth"): `cc_v1_<64 hex>`, kept only as SHA-256 hashes in <root>/auth.json
 * (mode 0600). Shared by `system generate-key|list-keys|revoke-key` and the daemon's check. */
#ifndef CC_API_TOKENS_H
#define CC_API_TOKENS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/error.h"
#include "runtime/types.h"

#define API_TOKEN_PREFIX "cc_v1_"

struct api_key {
	char *name;
	char *hash; /* sha256 hex of the whole token */
	int64_t created_ns;
};

/* A new token named `name` (ALREADY_EXISTS when the name is taken); *token is the only copy of it. */
int api_token_generate(const char *root, const char *name, char **token, struct cc_error **err);
int api_token_list(const char *root, struct api_key **keys, size_t *n, struct cc_error **err);
void api_keys_free(struct api_key *keys, size_t n);
/* NOT_FOUND when no key has that name. */
int api_token_revoke(const char *root, const char *name, struct cc_error **err);
/* Is token one of keys? (Constant time in the token's content.) */
bool api_token_valid(const struct api_key *keys, size_t n, const char *token);

#endif
