/* The project record in the state store: what was brought up from where (working dir, files, each
 * service's config hash), for `ls`-style listings and the daemon's project routes. The containers' labels
 * stay the source of truth for what runs; this is the user's project as last converged. */
#include "orchestrator/internal.h"
#include "base/cleanup.h"
#include "base/clock.h"
#include "compose/hash.h"
#include "runtime/codec.h"
#include "store/store.h"

#include <jansson.h>

int cc_orch_project_record(struct cc_store *s, const struct cc_project *p, struct cc_error **err)
{
	json_t *files = json_array(), *hashes = json_object();
	for (size_t i = 0; i < p->nconfig_files; i++)
		json_array_append_new(files, json_string(p->config_files[i]));
	const struct cc_val *svcs = cc_project_services(p);
	for (size_t i = 0; svcs && i < svcs->map.n; i++) {
		char hash[CC_SHA256_HEX_LEN + 1];
		cc_service_config_hash(svcs->map.e[i].val, hash);
		json_object_set_new(hashes, svcs->map.e[i].key, json_string(hash));
	}
	json_t *j =
	    json_pack("{ss ss so so sI}", "name", p->name, "workingDir", p->working_dir, "configFiles", files,
		      "configHashes", hashes, "updatedNs", (json_int_t)cc_now_ns());
	cleanup_free char *payload = cc_json_dump_compact(j);
	return cc_store_project_put(s, p->name, payload, err);
}

int cc_orch_project_forget(struct cc_store *s, const char *name, struct cc_error **err)
{
	CC_ORCH_ERR_SINK(err);
	struct cc_error *e = NULL;
	if (cc_store_project_delete(s, name, &e) < 0) {
		if (e->kind == CC_ERR_NOT_FOUND) {
			cc_error_free(e);
			return 0;
		}
		*err = e;
		return -1;
	}
	return 0;
}
