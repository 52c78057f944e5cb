/* deliver: send what is due in the outbox. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "alert.h"
#include "chat.h"
#include "config.h"
#include "deliver.h"
#include "log.h"
#include "mail.h"
#include "message.h"
#include "nudge.h"
#include "plan.h"
#include "quorum.h"
#include "store.h"
#include "webhook.h"
#include "xmalloc.h"

/* A number in [0, 1] that spreads retries out. */
static double
deliver_jitter(void)
{
	uint32_t	r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)rand();
	return (double)r / (double)UINT32_MAX;
}

/* One claimed row, its outcome, and what the server said.  DELIVER_PACED
 * rows were not tried (a channel's pace, a stop): released untouched. */
enum deliver_outcome { DELIVER_SENT, DELIVER_RETRY, DELIVER_FAILED,
	DELIVER_PACED };

struct deliver_job {
	const struct store_outbox_row	*row;
	enum deliver_outcome		 outcome;
	char				*answer;
	long				 retry_after;	/* -1: backoff */
	time_t				 next_try;	/* DELIVER_PACED */
	bool				 cut;		/* sent, but the answer
							   was cut off */
	bool				 queued;	/* in a group (below) */
	bool				 tried;		/* the destination
							   answered (or could
							   not be reached) */
};

static void
deliver_fail(struct deliver_job *j, char *answer)
{
	j->outcome = DELIVER_FAILED;
	j->answer = answer;
}

/*
 * Group commit.  Each outcome is written as soon as it is known, so that a
 * crash re-sends only what was in flight, not the whole claimed batch; and
 * the outcomes decided together share one transaction, so that batching
 * keeps its throughput: a group is committed once it holds
 * DELIVER_GROUP_MAX outcomes or its first is DELIVER_GROUP_MS old,
 * whichever comes first.  A kill -9 re-sends at most the messages in
 * flight and those decided in the last DELIVER_GROUP_MS.
 */
#define DELIVER_GROUP_MS	20
#define DELIVER_GROUP_MAX	32

struct deliver_group {
	struct store		*st;
	time_t			 now;
	struct deliver_counts	*counts;
	struct deliver_job	*v[DELIVER_GROUP_MAX];	/* decided, unwritten */
	size_t			 n;
	int64_t			 first_ms;	/* when v[0] was decided */
	char			*err;		/* the first store failure:
						   nothing more is written */
};

static int64_t
deliver_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void	deliver_mark(struct deliver_job *, struct deliver_counts *,
		    struct store_outbox_mark *);

/* Write the group's outcomes in one transaction, each statement prepared
 * once for the group. */
static void
deliver_group_flush(struct deliver_group *g)
{
	struct store_outbox_mark	m[DELIVER_GROUP_MAX];
	size_t				i;

	if (g->n == 0 || g->err != NULL)
		goto out;
	for (i = 0; i < g->n; i++)
		deliver_mark(g->v[i], g->counts, &m[i]);
	if (store_tx_begin(g->st, &g->err) == -1)
		goto out;
	if (store_outbox_mark_all(g->st, m, g->n, g->now, &g->err) == -1)
		goto out;
	if (store_tx_commit(g->st, &g->err) == -1)
		goto out;
out:
	if (g->err != NULL)
		store_tx_rollback(g->st);
	g->n = 0;
}

/* Milliseconds until the group is due for its commit (-1: it is empty);
 * one that is due is committed now. */
static int64_t
deliver_group_wait(struct deliver_group *g)
{
	int64_t	left;

	if (g->n == 0)
		return -1;
	if ((left = g->first_ms + DELIVER_GROUP_MS - deliver_mono_ms()) > 0)
		return left;
	deliver_group_flush(g);
	return -1;
}

/* j is decided: into the group, which is committed if it is full or due. */
static int64_t
deliver_group_add(struct deliver_group *g, struct deliver_job *j)
{
	j->queued = true;
	if (g->n == 0)
		g->first_ms = deliver_mono_ms();
	g->v[g->n++] = j;
	if (g->n == DELIVER_GROUP_MAX)
		deliver_group_flush(g);
	return deliver_group_wait(g);
}

/*
 * The owner of the item an escalation row is about, to copy in: the item's
 * number is the second field of its dedup key ("escalate:C:N:…"), as
 * nudge.c plans it.  NULL for any other row, or an item or owner gone.
 */
static const struct config_member *
deliver_item_owner(const struct config *cfg, struct store *st,
    const struct store_outbox_row *r)
{
	const struct config_member	*m = NULL;
	struct store_action		 a;
	const char			*p;
	char				*end, *err = NULL;
	long long			 id;
	bool				 found = false;

	memset(&a, 0, sizeof(a));
	if (strcmp(r->kind, NUDGE_KIND_ESCALATION) != 0 ||
	    strncmp(r->dedup, NUDGE_PREFIX_ESCALATE,
	    strlen(NUDGE_PREFIX_ESCALATE)) != 0 ||
	    (p = strchr(r->dedup + strlen(NUDGE_PREFIX_ESCALATE), ':')) ==
	    NULL)
		return NULL;
	id = strtoll(p + 1, &end, 10);
	if (end == p + 1 || *end != ':' || id <= 0)
		return NULL;
	if (store_action_get(st, id, &found, &a, &err) == -1) {
		log_warn("outbox %lld: no Cc: %s", (long long)r->id, err);
		free(err);
		return NULL;
	}
	/* The item must be the row's community's, as the key says. */
	if (found && a.owner != NULL && a.community != NULL &&
	    r->community != NULL && strcmp(a.community, r->community) == 0)
		m = config_member_find(cfg, a.owner);
	if (found)
		store_action_free(&a);
	return m;
}

/*
 * Who answers for row r's mail: Reply-To its community's facilitator, and
 * for an escalation the item's owner in Cc (the one who can say "done").
 * Members without an address are left out.
 */
static void
deliver_people(const struct config *cfg, struct store *st,
    const struct store_outbox_row *r, const struct config_member *to,
    struct message *msg)
{
	const struct config_community	*c;
	const struct config_member	*f, *o;

	c = r->community != NULL ? config_community_find(cfg, r->community) :
	    NULL;
	f = c != NULL ? c->facilitator : NULL;
	if (f != NULL && f->email != NULL) {
		msg->reply_to_name = f->name;
		msg->reply_to_addr = f->email;
	}
	o = deliver_item_owner(cfg, st, r);
	if (o != NULL && o != to && o->email != NULL) {
		msg->cc_name = o->name;
		msg->cc_addr = o->email;
	}
}

/* What a mail or webhook callback needs to turn item i into its job. */
struct deliver_sending {
	struct deliver_group	*g;
	struct deliver_job	**mine;
	struct mail_item	*items;		/* e-mail */
	struct webhook_job	*wj;		/* chat */
	time_t			 now;
};

static void
deliver_mail_outcome(struct deliver_job *j, const struct mail_item *it,
    time_t now)
{
	j->answer = xstrdup(it->answer != NULL ? it->answer : "");
	j->tried = !it->untried;
	j->outcome = it->status == MAIL_SENT ? DELIVER_SENT :
	    it->untried ? DELIVER_PACED : it->status == MAIL_TEMPFAIL ?
	    DELIVER_RETRY : DELIVER_FAILED;
	j->next_try = now;
}

/* mail_send's notify: item i is decided, or (MAIL_TICK) time passes. */
static int64_t
deliver_mail_decided(void *arg, size_t i)
{
	struct deliver_sending	*s = arg;

	if (i == MAIL_TICK)
		return deliver_group_wait(s->g);
	deliver_mail_outcome(s->mine[i], &s->items[i], s->now);
	return deliver_group_add(s->g, s->mine[i]);
}

/* Every e-mail row of the batch, over the relay's few connections. */
static void
deliver_mail(const struct config *cfg, struct store *st,
    struct deliver_job *jobs, size_t n, time_t now, struct stop *stop,
    struct deliver_group *g)
{
	struct deliver_sending	 sending;
	struct mail_notify	 notify;
	struct mail_item	*items = NULL;
	struct deliver_job	**mine = NULL;
	const struct config_member *m;
	struct message		 msg;
	struct mail		*mail = NULL;
	char			**data = NULL, *err = NULL;
	size_t			 i, k = 0;

	items = xcalloc(n + 1, sizeof(*items));
	mine = xcalloc(n + 1, sizeof(*mine));
	data = xcalloc(n + 1, sizeof(*data));
	for (i = 0; i < n; i++) {
		const struct store_outbox_row *r = jobs[i].row;

		if (strcmp(r->channel, PLAN_CHANNEL_EMAIL) != 0 ||
		    jobs[i].answer != NULL)
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
		deliver_people(cfg, st, r, m, &msg);
		msg.subject = r->subject != NULL ? r->subject : "";
		msg.date = now;
		msg.dedup_key = r->dedup;
		msg.text = r->body;
		msg.html = r->html;
		if (message_build(&msg, &data[k], &items[k].len, &err) == -1) {
			deliver_fail(&jobs[i], err);
			err = NULL;
			continue;
		}
		items[k].from_addr = cfg->smtp.from_addr;
		items[k].to_addr = m->email;
		items[k].cc_addr = msg.cc_addr;
		items[k].data = data[k];
		mine[k++] = &jobs[i];
	}
	if (k == 0)
		goto out;
	if ((mail = mail_new(&cfg->smtp, &err)) == NULL) {
		for (i = 0; i < k; i++) {
			mine[i]->outcome = DELIVER_RETRY;
			mine[i]->answer = xstrdup(err);
			mine[i]->tried = true;
		}
		goto out;
	}
	memset(&sending, 0, sizeof(sending));
	sending.g = g;
	sending.mine = mine;
	sending.items = items;
	sending.now = now;
	notify.fn = deliver_mail_decided;
	notify.arg = &sending;
	mail_set_notify(mail, &notify);
	mail_send(mail, items, k, stop);
	for (i = 0; i < k; i++)
		if (!mine[i]->queued) {
			deliver_mail_outcome(mine[i], &items[i], now);
			deliver_group_add(g, mine[i]);
		}
	/* Recorded before mail_free's QUIT, which a server may stall: a
	 * message it answered 250 to is sent, whatever comes after. */
	deliver_group_flush(g);
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

/* Whether row r is one member's own message (not a community's post). */
static bool
deliver_personal(const struct store_outbox_row *r)
{
	return r->audience != NULL &&
	    strcmp(r->audience, PLAN_AUDIENCE_MEMBER) == 0;
}

/* mb's handle on ch, or NULL. */
static const char *
deliver_handle(const struct config_member *mb, const struct config_channel *ch)
{
	size_t	i;

	for (i = 0; mb != NULL && i < mb->nchat; i++)
		if (mb->chat[i].channel == ch)
			return mb->chat[i].handle;
	return NULL;
}

/*
 * The handles to mention in row r on ch: its member's own, for a
 * community's post the members it stands for (outbox.members), and for a
 * community's digest the owners of the community's open items (as they are
 * now), each once.  *out is allocated (the handles are the config's);
 * returns its length.
 */
static size_t
deliver_mentions(const struct config *cfg, struct store *st,
    const struct store_outbox_row *r, const struct config_channel *ch,
    const char ***out)
{
	struct store_action_filter	 f = { r->recipient, NULL,
					    STORE_ACTION_OPEN };
	struct store_action		*acts = NULL;
	const char			*h;
	char				*err = NULL;
	size_t				 na = 0, n = 0, i, j;

	*out = NULL;
	if ((h = deliver_handle(config_member_find(cfg, r->recipient),
	    ch)) != NULL) {
		*out = xcalloc(1, sizeof(**out));
		(*out)[n++] = h;
		return n;
	}
	if (r->members != NULL && !deliver_personal(r)) {
		char	*ids = xstrdup(r->members), *id, *save = NULL;

		*out = xcalloc(strlen(ids) + 1, sizeof(**out));
		for (id = strtok_r(ids, ",", &save); id != NULL;
		    id = strtok_r(NULL, ",", &save)) {
			h = deliver_handle(config_member_find(cfg, id), ch);
			for (j = 0; h != NULL && j < n &&
			    strcmp((*out)[j], h) != 0; j++)
				;
			if (h != NULL && j == n)
				(*out)[n++] = h;
		}
		free(ids);
		if (strcmp(r->kind, NUDGE_KIND_DIGEST) != 0 || n > 0)
			return n;
		free(*out);
		*out = NULL;
	}
	if (strcmp(r->kind, NUDGE_KIND_DIGEST) != 0 ||
	    config_community_find(cfg, r->recipient) == NULL)
		return 0;
	if (store_action_list(st, &f, &acts, &na, &err) == -1) {
		log_warn("outbox %lld: no mentions: %s", (long long)r->id, err);
		free(err);
		return 0;
	}
	*out = xcalloc(na + 1, sizeof(**out));
	for (i = 0; i < na; i++) {
		h = deliver_handle(config_member_find(cfg, acts[i].owner), ch);
		for (j = 0; h != NULL && j < n && strcmp((*out)[j], h) != 0;
		    j++)
			;
		if (h != NULL && j == n)
			(*out)[n++] = h;
	}
	store_action_list_free(acts, na);
	return n;
}

static void
deliver_chat_outcome(struct deliver_job *j, const struct webhook_result *res,
    time_t now)
{
	j->outcome = res->status == WEBHOOK_OK ? DELIVER_SENT :
	    res->untried ? DELIVER_PACED : res->status == WEBHOOK_TEMPFAIL ?
	    DELIVER_RETRY : DELIVER_FAILED;
	j->cut = res->cut;
	j->tried = !res->untried;
	j->next_try = now;
	j->retry_after = res->retry_after;
	j->answer = xstrdup(res->answer != NULL ? res->answer : "");
}

/* webhook_post_all's notify: post i is decided, or time passes. */
static int64_t
deliver_chat_decided(void *arg, size_t i)
{
	struct deliver_sending	*s = arg;

	if (i == WEBHOOK_TICK)
		return deliver_group_wait(s->g);
	deliver_chat_outcome(s->mine[i], &s->wj[i].res, s->now);
	return deliver_group_add(s->g, s->mine[i]);
}

/*
 * The chat rows of the batch, posted all at once; a row its channel's pace
 * holds back goes back to pending for the moment the pace allows.
 */
static void
deliver_chat(const struct config *cfg, struct store *st,
    struct deliver_job *jobs, size_t n, struct webhook_pacer *pacer,
    struct stop *stop, time_t now, struct deliver_group *g)
{
	int64_t				 now_ms = deliver_mono_ms();
	struct deliver_sending		 sending;
	struct webhook_notify		 notify;
	const struct config_channel	*ch;
	struct webhook_job		*wj;
	struct deliver_job		**mine;
	struct chat_message		 cm;
	const char			**handles;
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
		/* Only a member's own channel may carry their links; rows
		 * planned before this rule still hold some. */
		if (!deliver_personal(r) ||
		    !plan_channel_private(cfg, config_member_find(cfg,
		    r->recipient), r->channel))
			cm.withhold = cfg->worker.public_url;
		cm.nmentions = deliver_mentions(cfg, st, r, ch, &handles);
		cm.mentions = handles;
		payloads[k] = chat_payload(ch->type, &cm);
		free(handles);
		wj[k].ch = ch;
		wj[k].payload = payloads[k];
		mine[k++] = &jobs[i];
	}
	memset(&sending, 0, sizeof(sending));
	sending.g = g;
	sending.mine = mine;
	sending.wj = wj;
	sending.now = now;
	notify.fn = deliver_chat_decided;
	notify.arg = &sending;
	webhook_post_all(pacer, wj, k, now, stop, &notify);
	for (i = 0; i < k; i++) {
		if (!mine[i]->queued) {
			deliver_chat_outcome(mine[i], &wj[i].res, now);
			deliver_group_add(g, mine[i]);
		}
		free(wj[i].res.answer);
		free(payloads[i]);
	}
	deliver_group_flush(g);
	free(payloads);
	free(mine);
	free(wj);
}

/*
 * When a personal message may go: now, or the end of its recipient's quiet
 * hours.  The planner already keeps nudges, digests, welcomes and prompts
 * out of them; this holds the ones that come due late (the worker was
 * down) inside them.
 */
static time_t
deliver_quiet_until(const struct config *cfg, const struct store_outbox_row *r,
    time_t now)
{
	const struct config_member	*m;

	/* What is about a meeting soon (a reminder, a change, a quorum
	 * warning) or an outage goes at once; everything else can wait for
	 * the morning, also when it comes due late after downtime. */
	if (!cfg->worker.has_quiet || !deliver_personal(r) ||
	    strcmp(r->kind, PLAN_KIND_REMINDER) == 0 ||
	    strcmp(r->kind, PLAN_KIND_CHANGE) == 0 ||
	    strcmp(r->kind, QUORUM_KIND) == 0 ||
	    strcmp(r->kind, ALERT_KIND) == 0 ||
	    (m = config_member_find(cfg, r->recipient)) == NULL)
		return now;
	return nudge_after_quiet(m->tz, cfg->worker.quiet_from,
	    cfg->worker.quiet_to, now);
}

/*
 * A job's outcome as the store records it (*m; the answer is the job's),
 * counted, and logged: a failure or retry for the sysadmin, one message
 * sent only at debug level (the cycle logs how many were sent: a line per
 * message was a write to the journal per message).
 */
static void
deliver_mark(struct deliver_job *j, struct deliver_counts *counts,
    struct store_outbox_mark *m)
{
	const struct store_outbox_row	*r = j->row;
	const char			*a = j->answer != NULL ? j->answer : "";

	memset(m, 0, sizeof(*m));
	m->id = r->id;
	m->answer = j->answer;
	m->retry_after = -1;
	switch (j->outcome) {
	case DELIVER_SENT:
		counts->sent++;
		m->kind = STORE_OUTBOX_MARK_SENT;
		if (j->cut)
			log_warn("outbox %lld: %s to %s on %s sent, but the "
			    "answer was cut short: %s", (long long)r->id,
			    r->kind, r->recipient, r->channel, a);
		else
			log_debug("outbox %lld: %s to %s on %s sent",
			    (long long)r->id, r->kind, r->recipient,
			    r->channel);
		return;
	case DELIVER_RETRY:
		counts->retried++;
		log_warn("outbox %lld: %s to %s on %s: will retry: %s",
		    (long long)r->id, r->kind, r->recipient, r->channel, a);
		m->kind = STORE_OUTBOX_MARK_RETRY;
		m->retry_after = j->retry_after;
		m->jitter = deliver_jitter();
		return;
	case DELIVER_FAILED:
		counts->failed++;
		log_err("outbox %lld: %s to %s on %s failed: %s",
		    (long long)r->id, r->kind, r->recipient, r->channel, a);
		m->kind = STORE_OUTBOX_MARK_FAILED;
		return;
	case DELIVER_PACED:
		counts->paced++;
		m->kind = STORE_OUTBOX_MARK_RELEASE;
		m->answer = NULL;
		m->next_try = j->next_try;
		return;
	}
}

/* ------------------------------------------------------- destinations */

/*
 * Retry-After and backoff belong to the destination (a chat channel, or the
 * SMTP relay), not to one message: a server that asked for a pause gets
 * none of the rows due meanwhile.  The records live in the store, so that
 * a hold, a failure's start and "the facilitators were told" outlive a
 * restart; one call reads them once and writes back those it changed.
 */
struct deliver_dest {
	struct store_dest	 d;
	bool			 known;		/* in the config */
	bool			 stored;	/* has a record */
	bool			 dirty;		/* to save */
	bool			 sent, failed;	/* this call's outcomes */
	long			 retry_after;	/* the longest asked; -1 */
	const char		*answer;	/* the last failure's (a job's) */
};

struct deliver_dests {
	struct deliver_dest	*v;
	size_t			 n;
};

/* The destination name of row r: its channel's ID, or "smtp". */
static const char *
deliver_dest_name(const struct store_outbox_row *r)
{
	return strcmp(r->channel, PLAN_CHANNEL_EMAIL) == 0 ? ALERT_SMTP :
	    r->channel;
}

static struct deliver_dest *
deliver_dest_of(struct deliver_dests *ds, const char *name)
{
	struct deliver_dest	*x;
	size_t			 i;

	for (i = 0; i < ds->n; i++)
		if (strcmp(ds->v[i].d.name, name) == 0)
			return &ds->v[i];
	ds->v = xreallocarray(ds->v, ds->n + 1, sizeof(*ds->v));
	x = &ds->v[ds->n++];
	memset(x, 0, sizeof(*x));
	x->d.name = xstrdup(name);
	x->retry_after = -1;
	return x;
}

static int
deliver_dests_load(const struct config *cfg, struct store *st,
    struct deliver_dests *ds, char **err)
{
	struct store_dest	*v = NULL;
	size_t			 n = 0, i;

	memset(ds, 0, sizeof(*ds));
	if (store_dest_list(st, &v, &n, err) == -1)
		return -1;
	ds->v = xcalloc(n + 1, sizeof(*ds->v));
	for (i = 0; i < n; i++) {
		ds->v[i].d = v[i];
		ds->v[i].retry_after = -1;
		ds->v[i].stored = true;
		/* A channel taken out of the config fails nobody. */
		ds->v[i].known = strcmp(v[i].name, ALERT_SMTP) == 0 ||
		    config_channel_find(cfg, v[i].name) != NULL;
	}
	ds->n = n;
	free(v);	/* the strings moved to ds */
	return 0;
}

static void
deliver_dests_free(struct deliver_dests *ds)
{
	size_t	i;

	for (i = 0; i < ds->n; i++) {
		free(ds->v[i].d.name);
		free(ds->v[i].d.error);
	}
	free(ds->v);
}

/* The pause after the n-th failure in a row: 60 s doubling, at most 1 h,
 * as for one message's retries (store.h). */
static long
deliver_dest_backoff(int n)
{
	long	b = STORE_OUTBOX_BACKOFF_BASE;

	while (--n > 0 && b < STORE_OUTBOX_BACKOFF_CAP)
		b *= 2;
	return b < STORE_OUTBOX_BACKOFF_CAP ? b : STORE_OUTBOX_BACKOFF_CAP;
}

/* "2026-12-01T14:00:07Z" */
static void
deliver_stamp(time_t t, char *buf, size_t len)
{
	struct tm	tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, len,
	    "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

/* The jobs' outcomes, told to their destinations. */
static void
deliver_dests_tally(struct deliver_dests *ds, struct deliver_job *jobs,
    size_t n)
{
	struct deliver_dest	*x;
	size_t			 i;

	for (i = 0; i < n; i++) {
		if (!jobs[i].tried || jobs[i].outcome == DELIVER_PACED)
			continue;
		x = deliver_dest_of(ds, deliver_dest_name(jobs[i].row));
		x->known = true;
		if (jobs[i].outcome == DELIVER_SENT) {
			x->sent = true;
			continue;
		}
		/* A relay refusing one address (5xx) works; a webhook
		 * refusing for good (404: deleted) does not. */
		if (jobs[i].outcome == DELIVER_FAILED &&
		    strcmp(x->d.name, ALERT_SMTP) == 0)
			continue;
		x->failed = true;
		x->answer = jobs[i].answer;
		if (jobs[i].outcome == DELIVER_RETRY &&
		    jobs[i].retry_after > x->retry_after)
			x->retry_after = jobs[i].retry_after;
		/* A refusal for good is no reason to pause the rest; a
		 * temporary failure without Retry-After is (backoff). */
		if (jobs[i].outcome == DELIVER_RETRY && jobs[i].retry_after < 0 &&
		    x->retry_after < 0)
			x->retry_after = -2;
	}
}

/*
 * Bring each destination's record up to this call's outcomes: a pause
 * asked for (Retry-After) or earned (backoff), a failure begun or ended;
 * then tell the facilitators of one failing for alert_after (once), and of
 * its recovery (once, if they were told).  counts gets which are degraded
 * and when the next one will be.
 */
static int
deliver_dests_update(const struct config *cfg, struct store *st,
    struct deliver_dests *ds, time_t now, int64_t now_ms,
    struct deliver_counts *counts, char **err)
{
	struct deliver_dest	*x;
	char			 at[32];
	size_t			 i, len;
	time_t			 when, hold, answered;
	int64_t			 took = deliver_mono_ms() - now_ms;
	long			 n;

	/* A pause counts from the answer, which came some time after now
	 * was read (now_ms: a cycle's planning, then the batch); now itself
	 * is a whole second that had begun: the hold ends no earlier than
	 * the server asked. */
	answered = now + 1 + (time_t)(took > 0 ? (took + 999) / 1000 : 0);

	for (i = 0; i < ds->n; i++) {
		x = &ds->v[i];
		if (!x->sent && !x->failed)
			continue;
		hold = 0;
		if (x->retry_after >= 0)
			hold = answered + (time_t)x->retry_after;
		/* A destination that works and worked before is written
		 * once, not again each batch: its record would not change. */
		x->dirty = !x->stored || !x->sent || x->d.failures != 0 ||
		    x->d.failing_since != 0 || x->d.alerted ||
		    x->d.error != NULL || x->d.hold_until != hold;
		if (x->sent) {
			if (x->d.failing_since != 0) {
				deliver_stamp(x->d.failing_since, at,
				    sizeof(at));
				log_notice("destination %s works again "
				    "(failing since %s)", x->d.name, at);
			}
			if (x->d.alerted && x->known && (n = alert_plan(cfg,
			    st, x->d.name, x->d.failing_since, NULL, true,
			    now, err)) == -1)
				return -1;
			x->d.failures = 0;
			x->d.failing_since = 0;
			x->d.alerted = false;
			free(x->d.error);
			x->d.error = NULL;
		} else {
			x->d.failures++;
			if (x->d.failing_since == 0)
				x->d.failing_since = now;
			free(x->d.error);
			x->d.error = x->answer != NULL ? xstrndup(x->answer,
			    400) : NULL;
			if (x->retry_after == -2)
				hold = now + deliver_dest_backoff(
				    x->d.failures);
		}
		x->d.hold_until = hold;
		if (hold > now) {
			deliver_stamp(hold, at, sizeof(at));
			log_notice("destination %s: nothing more goes to it "
			    "until %s (%s)", x->d.name, at, x->retry_after >= 0 ?
			    "Retry-After" : "backoff");
		}
	}
	counts->next_alert = 0;
	counts->degraded[0] = '\0';
	for (i = 0; i < ds->n; i++) {
		x = &ds->v[i];
		if (!x->known || x->d.failing_since == 0)
			continue;
		when = x->d.failing_since + (time_t)cfg->worker.alert_after;
		if (when > now) {
			if (counts->next_alert == 0 || when < counts->next_alert)
				counts->next_alert = when;
			continue;
		}
		len = strlen(counts->degraded);
		snprintf(counts->degraded + len, sizeof(counts->degraded) - len,
		    "%s%s", len > 0 ? ", " : "", x->d.name);
		if (x->d.alerted)
			continue;
		deliver_stamp(x->d.failing_since, at, sizeof(at));
		log_err("destination %s has failed since %s: telling the "
		    "facilitators", x->d.name, at);
		if ((n = alert_plan(cfg, st, x->d.name, x->d.failing_since,
		    x->d.error, false, now, err)) == -1)
			return -1;
		x->d.alerted = true;
		x->dirty = true;
	}
	/* The records changed, in one transaction: a commit each was a
	 * write to the WAL per channel per batch. */
	for (i = 0; i < ds->n && !ds->v[i].dirty; i++)
		;
	if (i == ds->n)
		return 0;
	if (store_tx_begin(st, err) == -1)
		return -1;
	for (; i < ds->n; i++)
		if (ds->v[i].dirty && store_dest_save(st, &ds->v[i].d,
		    err) == -1) {
			store_tx_rollback(st);
			return -1;
		}
	if (store_tx_commit(st, err) == -1) {
		store_tx_rollback(st);
		return -1;
	}
	return 0;
}

int
deliver_due(const struct config *cfg, struct store *st,
    struct webhook_pacer *pacer, struct stop *stop, time_t now,
    int64_t now_ms, size_t limit, struct deliver_counts *counts, char **err)
{
	struct store_outbox_row	*rows = NULL;
	struct deliver_job	*jobs = NULL;
	struct deliver_group	 g;
	struct deliver_dests	 ds;
	struct deliver_dest	*x;
	char			 at[32];
	size_t			 n = 0, i, k = 0;
	int			 rc = -1;

	memset(counts, 0, sizeof(*counts));
	memset(&g, 0, sizeof(g));
	g.st = st;
	g.now = now;
	g.counts = counts;
	memset(&ds, 0, sizeof(ds));
	if (stop_asked(stop))
		return 0;
	if (deliver_dests_load(cfg, st, &ds, err) == -1)
		return -1;
	if (store_outbox_claim(st, now, limit, &rows, &n, err) == -1) {
		deliver_dests_free(&ds);
		return -1;
	}
	jobs = xcalloc(n + 1, sizeof(*jobs));
	for (i = 0; i < n; i++) {
		if (rows[i].status == STORE_OUTBOX_SKIPPED) {
			counts->skipped++;
			log_notice("outbox %lld: %s to %s on %s skipped: %s",
			    (long long)rows[i].id, rows[i].kind,
			    rows[i].recipient, rows[i].channel,
			    rows[i].last_answer != NULL && strcmp(
			    rows[i].last_answer, "expired") != 0 ?
			    rows[i].last_answer : "due while nothing could "
			    "send it, and now too late");
			continue;
		}
		jobs[k].row = &rows[i];
		jobs[k].retry_after = -1;
		if ((jobs[k].next_try = deliver_quiet_until(cfg, &rows[i],
		    now)) > now) {
			/* Not sent: back to pending, untried, for the morning. */
			jobs[k].outcome = DELIVER_PACED;
			jobs[k].answer = xstrdup("held: the recipient's quiet "
			    "hours");
			log_info("outbox %lld: %s to %s on %s held until the "
			    "end of quiet hours", (long long)rows[i].id,
			    rows[i].kind, rows[i].recipient, rows[i].channel);
		} else if ((x = deliver_dest_of(&ds, deliver_dest_name(
		    &rows[i])))->d.hold_until > now) {
			/* Its destination asked for a pause, or is backed off:
			 * back to pending for when the pause ends. */
			jobs[k].outcome = DELIVER_PACED;
			jobs[k].next_try = x->d.hold_until;
			deliver_stamp(x->d.hold_until, at, sizeof(at));
			jobs[k].answer = xasprintf("waiting until %s", at);
			log_info("outbox %lld: %s to %s on %s waits until %s",
			    (long long)rows[i].id, rows[i].kind,
			    rows[i].recipient, rows[i].channel, at);
		}
		k++;
	}
	/* Rows held for quiet hours are decided before any send. */
	for (i = 0; i < k; i++)
		if (jobs[i].answer != NULL)
			deliver_group_add(&g, &jobs[i]);
	deliver_mail(cfg, st, jobs, k, now, stop, &g);
	deliver_chat(cfg, st, jobs, k, pacer, stop, now, &g);
	/* And those refused before they could go (no address, no channel). */
	for (i = 0; i < k; i++)
		if (!jobs[i].queued)
			deliver_group_add(&g, &jobs[i]);
	deliver_group_flush(&g);
	deliver_dests_tally(&ds, jobs, k);
	if (g.err == NULL && deliver_dests_update(cfg, st, &ds, now, now_ms,
	    counts, &g.err) == 0)
		counts->health_known = true;
	if (g.err != NULL) {
		if (err != NULL)
			*err = g.err;
		else
			free(g.err);
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < k; i++)
		free(jobs[i].answer);
	free(jobs);
	store_outbox_rows_free(rows, n);
	deliver_dests_free(&ds);
	return rc;
}
