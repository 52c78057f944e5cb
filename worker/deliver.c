/* deliver: plan reminders into the outbox, send what is due. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "chat.h"
#include "cadence.h"
#include "civil.h"
#include "config.h"
#include "deliver.h"
#include "feed.h"
#include "ical.h"
#include "log.h"
#include "mail.h"
#include "message.h"
#include "place.h"
#include "plan.h"
#include "store.h"
#include "webhook.h"
#include "xmalloc.h"

/* ------------------------------------------------------------- planning */

int
deliver_store_plan(struct store *st, const struct plan_msg *m, long n,
    const struct store_outbox_scope *scope, time_t now,
    struct store_outbox_counts *counts, char **err)
{
	struct store_outbox_new	*rows;
	long			 i;
	int			 rc;

	rows = xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof(*rows));
	for (i = 0; i < n; i++) {
		rows[i].dedup = m[i].dedup;
		rows[i].kind = m[i].kind;
		rows[i].channel = m[i].channel;
		rows[i].recipient = m[i].recipient;
		rows[i].subject = m[i].subject;
		rows[i].body = m[i].body;
		rows[i].due = m[i].due;
		rows[i].expires = m[i].expires;
	}
	rc = store_outbox_plan(st, rows, (size_t)(n > 0 ? n : 0), scope, now,
	    counts, err);
	free(rows);
	return rc;
}

static int
deliver_plan_one(const struct config_community *c, int day,
    struct civil_time at, struct store *st, time_t now, time_t to,
    struct store_outbox_counts *total, char **err)
{
	struct store_outbox_counts	 counts;
	struct store_outbox_scope	 scope;
	struct plan_msg			*m = NULL;
	const char			*prefixes[2];
	char				*meet, *cancel;
	long				 n;
	int				 rc = -1;

	n = plan_meetings(c, day, at, now, to, now, &m, err);
	meet = xasprintf("%s%s:", PLAN_PREFIX_MEET, c->id);
	cancel = xasprintf("%s%s:", PLAN_PREFIX_CANCEL, c->id);
	if (n < 0)
		goto out;
	/* What this pass plans replaces what earlier passes planned for the
	 * same meetings: a moved, cancelled or dropped meeting's rows follow. */
	prefixes[0] = meet;
	prefixes[1] = cancel;
	scope.prefixes = prefixes;
	scope.nprefixes = 2;
	scope.from = now;
	scope.to = to;
	scope.reason = "no longer planned";
	memset(&counts, 0, sizeof(counts));
	if (deliver_store_plan(st, m, n, &scope, now, &counts, err) == -1)
		goto out;
	total->inserted += counts.inserted;
	total->updated += counts.updated;
	total->unchanged += counts.unchanged;
	total->withdrawn += counts.withdrawn;
	rc = 0;
out:
	plan_free(m, n);
	free(meet);
	free(cancel);
	return rc;
}

int
deliver_plan(const struct config *cfg, struct store *st, time_t now,
    struct store_outbox_counts *planned, char **err)
{
	struct store_outbox_counts	 total;
	const struct config_community	*c;
	struct civil_time		 at;
	char				*cerr = NULL;
	size_t				 i;
	bool				 placed;
	int				 day;

	memset(&total, 0, sizeof(total));
	for (i = 0; i < cfg->ncommunities; i++) {
		c = &cfg->communities[i];
		/* An `auto` slot is placed by availability first. */
		if (place_slot(st, c, &placed, &day, &at, &cerr) == 0 &&
		    !placed)
			continue;
		if (cerr != NULL || deliver_plan_one(c, day, at, st, now,
		    now + (time_t)cfg->worker.horizon, &total, &cerr) == -1) {
			*err = xasprintf("community %s: %s", c->id, cerr);
			free(cerr);
			return -1;
		}
	}
	if (planned != NULL)
		*planned = total;
	return 0;
}

/* ------------------------------------------------------------- sending */

/* A number in [0, 1] that spreads retries out. */
static double
deliver_jitter(void)
{
	uint32_t	r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)rand();
	return (double)r / (double)UINT32_MAX;
}

/* One claimed row, its outcome, and what the server said. */
enum deliver_outcome { DELIVER_SENT, DELIVER_RETRY, DELIVER_FAILED,
	DELIVER_PACED };

struct deliver_job {
	const struct store_outbox_row	*row;
	enum deliver_outcome		 outcome;
	char				*answer;
	long				 retry_after;	/* -1: backoff */
	time_t				 next_try;	/* DELIVER_PACED */
};

static void
deliver_fail(struct deliver_job *j, char *answer)
{
	j->outcome = DELIVER_FAILED;
	j->answer = answer;
}

/*
 * The meeting a reminder or notice is about, as a calendar for its
 * text/calendar part: its dedup key names the community and the series
 * date ("meet:math7:2026-11-03:…").  NULL for other messages, or when the
 * meeting is gone from the config.
 */
static char *
deliver_calendar(const struct config *cfg, struct store *st,
    const char *dedup, time_t now, size_t *len)
{
	const struct config_community	*c;
	struct feed_series		 s;
	struct cadence_occ		 occ;
	struct civil_date		 orig;
	struct civil_time		 at;
	const char			*p;
	char				*id = NULL, *fp = NULL, *uid = NULL;
	char				*date = NULL, *out = NULL, *err = NULL;
	size_t				 n;
	bool				 placed = false;
	int				 day;

	if (strncmp(dedup, PLAN_PREFIX_MEET, strlen(PLAN_PREFIX_MEET)) == 0)
		p = dedup + strlen(PLAN_PREFIX_MEET);
	else if (strncmp(dedup, PLAN_PREFIX_CANCEL,
	    strlen(PLAN_PREFIX_CANCEL)) == 0)
		p = dedup + strlen(PLAN_PREFIX_CANCEL);
	else
		return NULL;
	n = strcspn(p, ":");
	id = xstrndup(p, n);
	date = xstrndup(p + n + (p[n] == ':'), strlen("YYYY-MM-DD"));
	if ((c = config_community_find(cfg, id)) == NULL ||
	    civil_date_parse(date, &orig) == -1 ||
	    place_slot(st, c, &placed, &day, &at, &err) == -1 || !placed)
		goto out;
	memset(&s, 0, sizeof(s));
	s.community = c;
	s.day = day;
	s.at = at;
	uid = feed_series_uid(cfg, c);
	s.uid = uid;
	/* The same UID and SEQUENCE as the feed's, so calendars match it. */
	fp = feed_series_fingerprint(c, day, at);
	if (store_series_sync(st, c->id, uid, fp, now, &s.sequence, &s.created,
	    &s.changed, &err) == -1)
		goto out;
	occ = cadence_meeting(c, orig, at);
	if (ical_render_meeting(cfg, &s, &occ, ICAL_PUBLISH, &out, len,
	    &err) == -1) {
		log_warn("%s: %s", dedup, err);
		out = NULL;
	}
out:
	free(err);
	free(fp);
	free(uid);
	free(date);
	free(id);
	return out;
}

/* Every e-mail row of the batch, over one connection. */
static void
deliver_mail(const struct config *cfg, struct store *st,
    struct deliver_job *jobs, size_t n, time_t now)
{
	struct mail_item	*items = NULL;
	struct deliver_job	**mine = NULL;
	const struct config_member *m;
	struct message		 msg;
	struct mail		*mail = NULL;
	char			**data = NULL, *err = NULL, *cal;
	size_t			 i, k = 0, clen = 0;

	items = xcalloc(n + 1, sizeof(*items));
	mine = xcalloc(n + 1, sizeof(*mine));
	data = xcalloc(n + 1, sizeof(*data));
	for (i = 0; i < n; i++) {
		const struct store_outbox_row *r = jobs[i].row;

		if (strcmp(r->channel, PLAN_CHANNEL_EMAIL) != 0)
			continue;
		m = config_member_find(cfg, r->recipient);
		if (m == NULL || m->email == NULL) {
			deliver_fail(&jobs[i], xasprintf("%s has no e-mail "
			    "address in the config", r->recipient));
			continue;
		}
		memset(&msg, 0, sizeof(msg));
		msg.from_name = cfg->smtp.from_name;
		msg.from_addr = cfg->smtp.from_addr;
		msg.to_name = m->name;
		msg.to_addr = m->email;
		msg.subject = r->subject != NULL ? r->subject : "";
		msg.date = now;
		msg.dedup_key = r->dedup;
		msg.text = r->body;
		cal = deliver_calendar(cfg, st, r->dedup, now, &clen);
		msg.calendar = cal;
		msg.calendar_len = cal != NULL ? clen : 0;
		msg.method = MESSAGE_PUBLISH;
		if (message_build(&msg, &data[k], &items[k].len, &err) == -1) {
			free(cal);
			deliver_fail(&jobs[i], err);
			err = NULL;
			continue;
		}
		free(cal);
		items[k].from_addr = cfg->smtp.from_addr;
		items[k].to_addr = m->email;
		items[k].data = data[k];
		mine[k++] = &jobs[i];
	}
	if (k == 0)
		goto out;
	if ((mail = mail_new(&cfg->smtp, &err)) == NULL) {
		for (i = 0; i < k; i++) {
			mine[i]->outcome = DELIVER_RETRY;
			mine[i]->answer = xstrdup(err);
		}
		goto out;
	}
	mail_send(mail, items, k);
	for (i = 0; i < k; i++) {
		mine[i]->answer = items[i].answer;
		items[i].answer = NULL;
		mine[i]->outcome = items[i].status == MAIL_SENT ? DELIVER_SENT :
		    items[i].status == MAIL_TEMPFAIL ? DELIVER_RETRY :
		    DELIVER_FAILED;
	}
out:
	mail_free(mail);
	for (i = 0; i < n; i++) {
		free(data[i]);
		free(items[i].answer);
	}
	free(err);
	free(data);
	free(mine);
	free(items);
}

/* The handle to mention on ch, when the row is for a member who has one. */
static const char *
deliver_handle(const struct config *cfg, const struct store_outbox_row *r,
    const struct config_channel *ch)
{
	const struct config_member	*m = config_member_find(cfg,
					    r->recipient);
	size_t				 i;

	for (i = 0; m != NULL && i < m->nchat; i++)
		if (m->chat[i].channel == ch)
			return m->chat[i].handle;
	return NULL;
}

/*
 * The chat rows of the batch, posted all at once; a row its channel's pace
 * holds back goes back to pending for the moment the pace allows.
 */
static void
deliver_chat(const struct config *cfg, struct deliver_job *jobs, size_t n,
    struct webhook_pacer *pacer, time_t now, int64_t now_ms)
{
	const struct config_channel	*ch;
	struct webhook_job		*wj;
	struct deliver_job		**mine;
	struct chat_message		 cm;
	const char			*handle;
	char				**payloads;
	double				 wait;
	size_t				 i, k = 0;

	wj = xcalloc(n + 1, sizeof(*wj));
	mine = xcalloc(n + 1, sizeof(*mine));
	payloads = xcalloc(n + 1, sizeof(*payloads));
	for (i = 0; i < n; i++) {
		const struct store_outbox_row *r = jobs[i].row;

		if (strcmp(r->channel, PLAN_CHANNEL_EMAIL) == 0 ||
		    jobs[i].answer != NULL)
			continue;
		if ((ch = config_channel_find(cfg, r->channel)) == NULL) {
			deliver_fail(&jobs[i], xasprintf("channel %s is not in "
			    "the config", r->channel));
			continue;
		}
		/* A file: sink is no service with a rate to respect. */
		wait = strncmp(ch->url.value != NULL ? ch->url.value : "",
		    "file:", 5) == 0 ? 0 : webhook_pacer_wait(pacer, ch,
		    now_ms);
		if (wait > 0) {
			jobs[i].outcome = DELIVER_PACED;
			jobs[i].next_try = now + (time_t)(wait + 0.999);
			continue;
		}
		webhook_pacer_sent(pacer, ch, now_ms);
		memset(&cm, 0, sizeof(cm));
		cm.title = r->subject;
		cm.text = r->body;
		handle = deliver_handle(cfg, r, ch);
		cm.mentions = handle != NULL ? &handle : NULL;
		cm.nmentions = handle != NULL ? 1 : 0;
		payloads[k] = chat_payload(ch->type, &cm);
		wj[k].ch = ch;
		wj[k].payload = payloads[k];
		mine[k++] = &jobs[i];
	}
	webhook_post_all(wj, k, now);
	for (i = 0; i < k; i++) {
		mine[i]->outcome = wj[i].res.status == WEBHOOK_OK ?
		    DELIVER_SENT : wj[i].res.status == WEBHOOK_TEMPFAIL ?
		    DELIVER_RETRY : DELIVER_FAILED;
		mine[i]->retry_after = wj[i].res.retry_after;
		mine[i]->answer = wj[i].res.answer;
		free(payloads[i]);
	}
	free(payloads);
	free(mine);
	free(wj);
}

/* Record a job's outcome; log what a sysadmin should see. */
static int
deliver_mark(struct store *st, struct deliver_job *j, time_t now,
    struct deliver_counts *counts, char **err)
{
	const struct store_outbox_row	*r = j->row;
	const char			*a = j->answer != NULL ? j->answer : "";

	switch (j->outcome) {
	case DELIVER_SENT:
		counts->sent++;
		log_info("outbox %lld: %s to %s on %s sent", (long long)r->id,
		    r->kind, r->recipient, r->channel);
		return store_outbox_mark_sent(st, r->id, now, j->answer, err);
	case DELIVER_RETRY:
		counts->retried++;
		log_warn("outbox %lld: %s to %s on %s: will retry: %s",
		    (long long)r->id, r->kind, r->recipient, r->channel, a);
		return store_outbox_mark_retry(st, r->id, now, j->answer,
		    j->retry_after, deliver_jitter(), err);
	case DELIVER_FAILED:
		counts->failed++;
		log_err("outbox %lld: %s to %s on %s failed: %s",
		    (long long)r->id, r->kind, r->recipient, r->channel, a);
		return store_outbox_mark_failed(st, r->id, now, j->answer, err);
	case DELIVER_PACED:
		counts->paced++;
		return store_outbox_release(st, r->id, now, j->next_try, err);
	}
	return 0;
}

int
deliver_due(const struct config *cfg, struct store *st,
    struct webhook_pacer *pacer, time_t now, int64_t now_ms, size_t limit,
    struct deliver_counts *counts, char **err)
{
	struct store_outbox_row	*rows = NULL;
	struct deliver_job	*jobs = NULL;
	size_t			 n = 0, i, k = 0;
	int			 rc = -1;

	memset(counts, 0, sizeof(*counts));
	if (store_outbox_claim(st, now, limit, &rows, &n, err) == -1)
		return -1;
	jobs = xcalloc(n + 1, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		if (rows[i].status == STORE_OUTBOX_SKIPPED) {
			counts->skipped++;
			log_notice("outbox %lld: %s to %s on %s skipped: due "
			    "while nothing could send it, and now too late",
			    (long long)rows[i].id, rows[i].kind,
			    rows[i].recipient, rows[i].channel);
			continue;
		}
		jobs[k].row = &rows[i];
		jobs[k].retry_after = -1;
		k++;
	}
	deliver_mail(cfg, st, jobs, k, now);
	deliver_chat(cfg, jobs, k, pacer, now, now_ms);
	for (i = 0; i < k; i++)
		if (deliver_mark(st, &jobs[i], now, counts, err) == -1)
			goto out;
	rc = 0;
out:
	for (i = 0; i < k; i++)
		free(jobs[i].answer);
	free(jobs);
	store_outbox_rows_free(rows, n);
	return rc;
}
