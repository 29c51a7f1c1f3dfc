/* A stable per-service configuration hash, used to decide whether a running container must be recreated.
 * It covers the canonical definition with sorted keys and leaves out what does not change the container:
 * build, pull_policy, scale, deploy.replicas, depends_on and profiles (as docker compose does). */
#ifndef CC_COMPOSE_HASH_H
#define CC_COMPOSE_HASH_H

#include "base/sha256.h"
#include "compose/value.h"

/* out must hold CC_SHA256_HEX_LEN + 1 bytes. */
void cc_service_config_hash(const struct cc_val *service, char *out);

#endif
