/* Per-route request counters and latency histograms, rendered as Prometheus text (GET /metrics). Updated
 * with atomics from every libmicrohttpd thread: no lock on the request path. */
#include "base/strbuf.h"
#include "server/internal.h"

#include <stdio.h>

/* upper bounds in microseconds */
static const unsigned long bucket_us[SRV_HIST_BUCKETS] = {100,   250,   500,   1000,   2500,   5000,
							  10000, 25000, 50000, 100000, 500000, 1000000};

void srv_metrics_record(struct server *s, struct srv_route *route, unsigned status, int64_t duration_ns)
{
	unsigned cls = status / 100;
	if (cls < 1 || cls > 5)
		cls = 5;
	if (!route) {
		atomic_fetch_add(&s->unmatched[cls], 1);
		return;
	}
	unsigned long us = duration_ns > 0 ? (unsigned long)(duration_ns / 1000) : 0;
	size_t b = 0;
	while (b < SRV_HIST_BUCKETS && us > bucket_us[b])
		b++;
	atomic_fetch_add(&route->count[cls], 1);
	atomic_fetch_add(&route->hist[b], 1);
	atomic_fetch_add(&route->sum_us, us);
}

void srv_metrics_render(struct server *s, struct cc_strbuf *out)
{
	cc_strbuf_adds(out, "# HELP container_compose_http_requests_total HTTP requests answered, by route "
			    "and status class.\n# TYPE container_compose_http_requests_total counter\n");
	for (size_t i = 0; i < s->nroutes; i++) {
		struct srv_route *r = &s->routes[i];
		for (unsigned c = 1; c <= 5; c++) {
			unsigned long n = atomic_load(&r->count[c]);
			if (n)
				cc_strbuf_addf(
				    out,
				    "container_compose_http_requests_total{method=\"%s\",route=\"%s\","
				    "code=\"%uxx\"} %lu\n",
				    r->method, r->path, c, n);
		}
	}
	for (unsigned c = 1; c <= 5; c++) {
		unsigned long n = atomic_load(&s->unmatched[c]);
		if (n)
			cc_strbuf_addf(
			    out,
			    "container_compose_http_requests_total{method=\"\",route=\"unmatched\","
			    "code=\"%uxx\"} %lu\n",
			    c, n);
	}
	cc_strbuf_adds(out, "# HELP container_compose_http_request_duration_seconds Time from the request's "
			    "first byte to the end of its response.\n"
			    "# TYPE container_compose_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i < s->nroutes; i++) {
		struct srv_route *r = &s->routes[i];
		unsigned long cum = 0;
		for (size_t b = 0; b <= SRV_HIST_BUCKETS; b++)
			cum += atomic_load(&r->hist[b]);
		if (!cum)
			continue;
		unsigned long acc = 0;
		for (size_t b = 0; b <= SRV_HIST_BUCKETS; b++) {
			acc += atomic_load(&r->hist[b]);
			if (b < SRV_HIST_BUCKETS)
				cc_strbuf_addf(
				    out,
				    "container_compose_http_request_duration_seconds_bucket{method=\"%s\","
				    "route=\"%s\",le=\"%g\"} %lu\n",
				    r->method, r->path, (double)bucket_us[b] / 1e6, acc);
			else
				cc_strbuf_addf(
				    out,
				    "container_compose_http_request_duration_seconds_bucket{method=\"%s\","
				    "route=\"%s\",le=\"+Inf\"} %lu\n",
				    r->method, r->path, acc);
		}
		cc_strbuf_addf(
		    out,
		    "container_compose_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} "
		    "%.6f\n",
		    r->method, r->path, (double)atomic_load(&r->sum_us) / 1e6);
		cc_strbuf_addf(
		    out,
		    "container_compose_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} "
		    "%lu\n",
		    r->method, r->path, acc);
	}
}
