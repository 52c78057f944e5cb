/* metrics: Prometheus text exposition of a snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "xmalloc.h"

static void
metrics_head(struct xbuf *b, const char *name, const char *type,
    const char *help)
{
	xbuf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* A label value: backslash, double quote and newline escaped. */
static void
metrics_label(struct xbuf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			xbuf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			xbuf_printf(b, "\\n");
		else
			xbuf_printf(b, "%c", *v);
	}
}

/* A sum over statuses per channel (rows come sorted by channel). */
static void
metrics_per_channel(struct xbuf *b, const struct metrics_snapshot *m,
    const char *name, const char *help, bool late)
{
	size_t	i, j;
	int64_t	sum;

	metrics_head(b, name, "gauge", help);
	for (i = 0; i < m->noutbox; i = j) {
		sum = 0;
		for (j = i; j < m->noutbox &&
		    strcmp(m->outbox[j].channel, m->outbox[i].channel) == 0; j++)
			sum += late ? m->outbox[j].late : m->outbox[j].retried;
		xbuf_printf(b, "%s{channel=\"", name);
		metrics_label(b, m->outbox[i].channel);
		xbuf_printf(b, "\"} %lld\n", (long long)sum);
	}
}

/* One sample per name of the ", "-separated list. */
static void
metrics_destinations(struct xbuf *b, const char *list)
{
	const char	*p = list, *e;
	char		*name;

	while (*p != '\0') {
		e = strstr(p, ", ");
		if (e == NULL)
			e = p + strlen(p);
		name = xstrndup(p, (size_t)(e - p));
		xbuf_printf(b, "plc_cadence_destination_failing"
		    "{destination=\"");
		metrics_label(b, name);
		xbuf_printf(b, "\"} 1\n");
		free(name);
		p = *e != '\0' ? e + 2 : e;
	}
}

char *
metrics_render(const struct metrics_snapshot *m)
{
	static const char *const codes[METRICS_NCODES] = { "200", "304",
		"404", "other" };
	struct xbuf		 b = { NULL, 0, 0 };
	size_t			 i;

	metrics_head(&b, "plc_cadence_start_time_seconds", "gauge",
	    "When the process started, Unix time.");
	xbuf_printf(&b, "plc_cadence_start_time_seconds %lld\n",
	    (long long)m->start_time);
	metrics_head(&b, "plc_cadence_cycles_total", "counter",
	    "Planning cycles run since start.");
	xbuf_printf(&b, "plc_cadence_cycles_total %llu\n",
	    (unsigned long long)m->cycles);
	metrics_head(&b, "plc_cadence_cycle_failures_total", "counter",
	    "Planning cycles that failed since start.");
	xbuf_printf(&b, "plc_cadence_cycle_failures_total %llu\n",
	    (unsigned long long)m->cycle_failures);
	if (m->has_cycle) {
		metrics_head(&b, "plc_cadence_cycle_duration_seconds", "gauge",
		    "How long the last cycle took.");
		xbuf_printf(&b, "plc_cadence_cycle_duration_seconds %.6f\n",
		    m->cycle_seconds);
		metrics_head(&b, "plc_cadence_last_cycle_seconds", "gauge",
		    "When the last cycle ended, Unix time.");
		xbuf_printf(&b, "plc_cadence_last_cycle_seconds %lld\n",
		    (long long)m->last_cycle);
		metrics_head(&b, "plc_cadence_last_cycle_ok", "gauge",
		    "1 when the last cycle succeeded.");
		xbuf_printf(&b, "plc_cadence_last_cycle_ok %d\n",
		    m->last_cycle_ok ? 1 : 0);
	}
	metrics_head(&b, "plc_cadence_feed_requests_total", "counter",
	    "Feed requests since start, by the status answered.");
	for (i = 0; i < METRICS_NCODES; i++)
		xbuf_printf(&b, "plc_cadence_feed_requests_total"
		    "{code=\"%s\"} %llu\n", codes[i],
		    (unsigned long long)m->feed_requests[i]);
	metrics_head(&b, "plc_cadence_outbox_messages", "gauge",
	    "Messages in the outbox, by channel and status.");
	for (i = 0; i < m->noutbox; i++) {
		xbuf_printf(&b, "plc_cadence_outbox_messages{channel=\"");
		metrics_label(&b, m->outbox[i].channel);
		xbuf_printf(&b, "\",status=\"");
		metrics_label(&b, m->outbox[i].status);
		xbuf_printf(&b, "\"} %lld\n", (long long)m->outbox[i].count);
	}
	metrics_per_channel(&b, m, "plc_cadence_messages_retried",
	    "Messages that took more than one attempt, by channel.", false);
	metrics_per_channel(&b, m, "plc_cadence_messages_late",
	    "Messages sent over a minute after they were due, by channel.",
	    true);
	metrics_head(&b, "plc_cadence_busy_source_failures", "gauge",
	    "Busy calendars whose last fetch or read failed.");
	xbuf_printf(&b, "plc_cadence_busy_source_failures %llu\n",
	    (unsigned long long)m->busy_failures);
	metrics_head(&b, "plc_cadence_destination_failing", "gauge",
	    "Destinations (channel ID or smtp) failing for alert_after.");
	metrics_destinations(&b, m->degraded != NULL ? m->degraded : "");
	metrics_head(&b, "plc_cadence_reload_failed", "gauge",
	    "1 when the last reload's config was refused.");
	xbuf_printf(&b, "plc_cadence_reload_failed %d\n",
	    m->reload_failed ? 1 : 0);
	metrics_head(&b, "plc_cadence_degraded", "gauge",
	    "1 when a destination fails or a reload was refused.");
	xbuf_printf(&b, "plc_cadence_degraded %d\n",
	    m->reload_failed || (m->degraded != NULL && *m->degraded) ? 1 : 0);
	return b.s;
}

enum metrics_health
metrics_health(const struct metrics_health_in *in)
{
	if (in->failed)
		return METRICS_HEALTH_FAILED;
	if (!in->db_ok)
		return METRICS_HEALTH_UNAVAILABLE;
	if (in->last_failed)
		return METRICS_HEALTH_FAILING;
	if (in->overdue_ms > 0 && in->now_ms - in->last_cycle_ms >
	    in->overdue_ms)
		return METRICS_HEALTH_OVERDUE;
	if (in->degraded)
		return METRICS_HEALTH_DEGRADED;
	return METRICS_HEALTH_OK;
}

const char *
metrics_health_name(enum metrics_health h)
{
	switch (h) {
	case METRICS_HEALTH_OK:
		return "ok";
	case METRICS_HEALTH_DEGRADED:
		return "degraded";
	case METRICS_HEALTH_OVERDUE:
		return "overdue";
	case METRICS_HEALTH_FAILING:
		return "failing";
	case METRICS_HEALTH_FAILED:
		return "failed";
	case METRICS_HEALTH_UNAVAILABLE:
		break;
	}
	return "unavailable";
}
