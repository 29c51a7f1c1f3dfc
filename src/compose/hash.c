#include "compose/hash.h"
#include "compose/emit.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int dump_cb(const char *buffer, size_t size, void *data)
{
	cc_strbuf_add(data, buffer, size);
	return 0;
}

void cc_service_config_hash(const struct cc_val *service, char *out)
{
	json_t *j = cc_val_to_json(service);
	static const char *const volatile_keys[] = {"build",      "pull_policy", "scale",
						    "depends_on", "profiles",    NULL};
	for (const char *const *k = volatile_keys; *k; k++)
		json_object_del(j, *k);
	json_object_del(json_object_get(j, "deploy"), "replicas");
	struct cc_strbuf sb = CC_STRBUF_INIT;
	/* JSON_SORT_KEYS makes the hash independent of the order keys were written in */
	json_dump_callback(j, dump_cb, &sb, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
	json_decref(j);
	cc_sha256_hex(cc_strbuf_str(&sb), sb.len, out);
	cc_strbuf_release(&sb);
}
