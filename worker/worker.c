/* worker: start-up, the cycle, and the loop that waits for reasons to run it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "busy.h"
#include "cadence.h"
#include "deliver.h"
#include "http.h"
#include "ical.h"
#include "link.h"
#include "log.h"
#include "outbox.h"
#include "place.h"
#include "publish.h"
#include "quorum.h"
#include "schedule.h"
#include "series.h"
#include "rcache.h"
#include "statedir.h"
#include "stop.h"
#include "store.h"
#include "webhook.h"
#include "worker.h"
#include "xmalloc.h"

/*
 * How often the database's data_version is read when nothing woke us.  With
 * inotify on the state directory a change by another process wakes the loop
 * at once and this is only a safety net; without it, this is how long
 * `token rotate` takes to show.
 */
#define WORKER_POLL_INOTIFY_MS	30000
#define WORKER_POLL_MS		5000
/* A failed cycle (busy database, full disk) is tried again after this. */
#define WORKER_RETRY_MS		30000
/*
 * A cycle runs at least this often even when nothing changed: the horizon
 * moves on and brings new meetings into it.  /healthz calls the worker
 * overdue after three such periods without a cycle.
 */
#define WORKER_IDLE_MS		300000
/* Messages sent in one go; the rest wait for the next round.  Each round
 * claims afresh (scans for expired and stale rows, sorts the due ones)
 * and lets the transfers run down to none in flight: at 100, a morning's
 * 1,000 reminders paid that ten times. */
#define WORKER_BATCH		1000
/* --once waits this many rounds at most for paced posts to go out. */
#define WORKER_SETTLE_ROUNDS	120
/*
 * On SIGTERM, sends in flight get this long to finish before they are cut
 * off and left for a retry: well inside the unit's TimeoutStopSec=30s, so
 * that systemd never has to kill a worker in the middle of a batch.
 */
#define WORKER_STOP_GRACE_MS	10000
/*
 * A worker whose state.db is gone keeps answering /healthz "failed" (and
 * nothing else changes) this long before it exits, so that a monitor's
 * probe or a person's curl can read why; a restart then refuses with the
 * same advice instead of creating a new database.
 */
#define WORKER_LOST_LINGER_MS	10000

struct worker {
	const struct config	*cfg;		/* in force */
	struct config		*owned;		/* cfg, when a reload made it */
	char			*state_dir;	/* as at start-up */
	char			*listen;	/* as at start-up; NULL = off */
	char			*db_path;
	struct store		*st;
	struct http_server	*http;
	int			 lock_fd, sig_fd, ino_fd;
	int			 stop_fd;	/* SIGTERM/SIGINT pending; never
						   read, only polled */
	struct stop		*stop;		/* on stop_fd, for deliveries */
	bool			 has_now;
	bool			 log_forced;	/* -v/-q over log_level */
	int64_t			 stop_grace_ms;	/* WORKER_STOP_GRACE_MS */
	int64_t			 retry_ms;	/* WORKER_RETRY_MS */
	time_t			 now_offset;	/* --now minus the real clock */
	int64_t			 data_version;
	bool			 cycle_ok;
	/* The last cycle's feeds, for a server started after it.  Their
	 * owner fields may point into a config a reload has freed: only the
	 * tokens and bytes are read from here. */
	struct publish_result	 last;
	uint64_t		 watchdog_ms;	/* 0: systemd does not watch */
	int64_t			 next_dog_ms;	/* monotonic: next WATCHDOG=1 */
	struct http_stats	 stats;		/* for /healthz and /metrics */
	struct webhook_pacer	*pacer;		/* chat posts, across rounds */
	int64_t			 last_cycle_ms;	/* monotonic, at its end */
	unsigned char		*key;		/* signs action links */
	size_t			 keylen;
	struct busy_cache	*busy_cache;	/* parsed calendars, by cycle */
	struct rcache		*blocks;	/* rendered feed blocks, kept
						   across cycles and reloads */
	char			*lost;		/* why state.db is no longer
						   ours; NULL while it is */
	bool			 stopping;	/* SIGTERM/SIGINT was read */
	char			*schedule_warned; /* last told, or NULL */
	/* What STATUS= says of the last cycle; the degraded parts are
	 * added to it (worker_status). */
	char			 status[256];
	time_t			 next_alert;	/* a destination reaches
						   alert_after; 0: none */
};

/*
 * STATUS= for systemd: the last cycle, then what someone must act on (a
 * failing destination, a refused reload), the same as /healthz says.
 */
static void
worker_status(struct worker *w)
{
	sd_notifyf(0, "STATUS=%s%s%s%s%s", w->status,
	    w->stats.degraded[0] != '\0' ? "; degraded: failing " : "",
	    w->stats.degraded,
	    w->stats.reload_error[0] != '\0' ? "; reload failed: " : "",
	    w->stats.reload_error);
}

/* Intervals are measured on the monotonic clock, so a stepped wall clock
 * neither fires them early nor holds them back. */
static int64_t
worker_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The wall clock in milliseconds, shifted by --now.  CLOCK_REALTIME, not
 * time(): glibc's time() reads the coarse clock, which lags by up to a
 * tick, so a wake-up timed to a second could still see the one before. */
static int64_t
worker_now_ms(const struct worker *w)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec + (w->has_now ? (int64_t)w->now_offset :
	    0)) * 1000 + ts.tv_nsec / 1000000;
}

/* Calendar instants come from the wall clock (shifted by --now). */
static time_t
worker_now(const struct worker *w)
{
	return (time_t)(worker_now_ms(w) / 1000);
}

/*
 * WATCHDOG=1 when it is due.  Called from the loop, between the stages of
 * a cycle and from the waits inside it that are bounded themselves (a
 * fetch, a calendar parsed in a jail), never from a timer: a cycle that
 * truly hangs stops the pings and trips the watchdog.
 */
static void
worker_alive(void *arg)
{
	struct worker	*w = arg;
	int64_t		 now;

	if (w->watchdog_ms == 0)
		return;
	now = worker_mono_ms();
	if (now < w->next_dog_ms)
		return;
	sd_notify(0, "WATCHDOG=1");
	w->next_dog_ms = now + (int64_t)w->watchdog_ms / 2;
}

/*
 * Is <state_dir>/state.db still the database the worker has open?  When it
 * was deleted or replaced, anything more the worker planned or sent would
 * be recorded where no other process can see it, while commands work on
 * another file: the state would split.  Sets w->lost and returns false
 * then.  A path that cannot be checked (an unexpected stat error) is
 * logged and taken as intact.
 */
static bool
worker_intact(struct worker *w)
{
	char	*why = NULL;
	int	 r;

	if (w->lost != NULL)
		return false;
	if ((r = store_same_file(w->st, &why)) == 0)
		return true;
	if (r == -1) {
		log_warn("%s", why);
		free(why);
		return true;
	}
	w->lost = xasprintf("%s while the worker was running: it stopped, so "
	    "that nothing more is planned or sent into a file no other "
	    "process sees; put the right state.db in place (\"Restoring a "
	    "backup\" in plc-cadence(8)) and start it again", why);
	free(why);
	return false;
}

/*
 * The state was lost: say so everywhere (log, STATUS=, /healthz), keep
 * anything more from being written into the lost file (and its close from
 * deleting what its -wal and -shm paths name now), and, with linger, wait
 * WORKER_LOST_LINGER_MS (or until SIGTERM) so that /healthz can be read.
 */
static void
worker_lost(struct worker *w, bool linger)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd;
	int64_t			 end, now;
	char			*err = NULL;

	linger = linger && w->http != NULL && w->sig_fd != -1;
	if (linger)
		log_err("%s; exiting in %d s", w->lost,
		    WORKER_LOST_LINGER_MS / 1000);
	sd_notifyf(0, "STOPPING=1\nSTATUS=failed: %s", w->lost);
	snprintf(w->stats.failed, sizeof(w->stats.failed), "%s", w->lost);
	http_set_stats(w->http, &w->stats);
	if (store_fence(w->st, &err) == -1) {
		log_warn("%s", err);
		free(err);
	}
	if (!linger)
		return;
	end = worker_mono_ms() + WORKER_LOST_LINGER_MS;
	while ((now = worker_mono_ms()) < end) {
		pfd.fd = w->sig_fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)(end - now)) == -1 && errno != EINTR)
			break;
		if (read(w->sig_fd, &si, sizeof(si)) == sizeof(si) &&
		    si.ssi_signo != SIGHUP)
			break;
	}
}

/* Hand the last cycle's feeds to the HTTP server, if one runs. */
static void
worker_serve(struct worker *w)
{
	struct http_feed	*hf;
	size_t			 i;

	if (w->http == NULL)
		return;
	hf = xcalloc(w->last.nfeeds, sizeof(*hf));
	for (i = 0; i < w->last.nfeeds; i++) {
		hf[i].token = w->last.feeds[i].token;
		hf[i].body = w->last.feeds[i].body;
		hf[i].len = w->last.feeds[i].len;
		hf[i].modified = w->last.feeds[i].modified;
	}
	http_set_feeds(w->http, hf, w->last.nfeeds);
	free(hf);
}

/* Send what is due at now (a cycle's, or a wake-up's own); the log says
 * what happened.  Nothing once state.db is lost (a cycle may have been
 * planning when it went): the loop stops at its next turn. */
static int
worker_deliver(struct worker *w, time_t now, int64_t now_ms, char **err)
{
	struct deliver_counts	c;

	if (!worker_intact(w))
		return 0;
	if (deliver_due(w->cfg, w->st, w->pacer, w->stop, now, now_ms,
	    WORKER_BATCH, &c, err) == -1)
		return -1;
	if (c.health_known) {
		w->next_alert = c.next_alert;
		if (strcmp(c.degraded, w->stats.degraded) != 0) {
			snprintf(w->stats.degraded, sizeof(w->stats.degraded),
			    "%s", c.degraded);
			http_set_stats(w->http, &w->stats);
			if (w->status[0] != '\0')
				worker_status(w);
		}
	}
	if (c.sent + c.retried + c.failed + c.skipped > 0)
		log_info("outbox: %zu sent, %zu to retry, %zu failed, "
		    "%zu skipped", c.sent, c.retried, c.failed, c.skipped);
	return 0;
}

/* When the next message is due, on the monotonic clock; -1 if none. */
static int64_t
worker_next_due_ms(struct worker *w)
{
	char	*err = NULL;
	bool	 found;
	time_t	 when;
	int64_t	 now_ms;

	if (store_outbox_next(w->st, &found, &when, &err) == -1) {
		log_warn("%s", err);
		free(err);
		return -1;
	}
	if (!found)
		return -1;
	/* To the millisecond: counted from a whole second, the wait ended
	 * up to a second after the row was due (half a second on average). */
	now_ms = worker_now_ms(w);
	return worker_mono_ms() + ((int64_t)when * 1000 > now_ms ?
	    (int64_t)when * 1000 - now_ms : 0);
}

/*
 * The one-off meeting changes of the state over the config in force, read
 * again each cycle: a `meeting move` from a shell or a move-here link
 * wakes the loop (data_version), and every step of the cycle then sees
 * it.  A warning (a config move of the same date wins) is logged when it
 * is new, not every cycle.  The attendance and report pages read this
 * config too (http.h), so its move and cancel lists change under the HTTP
 * server's config lock.
 */
static bool	worker_str_differs(const char *, const char *);

static void
worker_schedule(struct worker *w)
{
	char	*warnings = NULL, *err = NULL;
	long	 rc;

	http_config_lock(w->http);
	rc = schedule_apply((struct config *)w->cfg, w->st, &warnings, &err);
	http_config_unlock(w->http);
	if (rc == -1) {
		log_warn("one-off meeting changes: %s", err);
		free(err);
		return;
	}
	if (warnings != NULL && worker_str_differs(warnings,
	    w->schedule_warned))
		log_lines(LOG_WARNING, NULL, warnings);
	free(w->schedule_warned);
	w->schedule_warned = warnings;
}

/*
 * The meetings the signed pages may name (RSVP, move here): every
 * community's, from a little before now (a meeting under way) to the
 * horizon, as this cycle's schedule has them.
 */
static void
worker_meetings(struct worker *w, time_t now)
{
	const struct config_community	*c;
	struct http_meeting		*v = NULL;
	struct cadence_occ		*occ = NULL;
	struct civil_time		 at;
	char				*err = NULL;
	size_t				 n = 0, i;
	long				 k, j;
	bool				 placed;
	int				 day;

	if (w->http == NULL)
		return;
	for (i = 0; i < w->cfg->ncommunities; i++) {
		c = &w->cfg->communities[i];
		if (series_slot(w->st, c, &placed, &day, &at, &err) == -1 ||
		    !placed || (k = cadence_expand(c, day, at, now - CIVIL_DAY,
		    now + (time_t)w->cfg->worker.horizon, &occ, &err)) < 0) {
			if (err != NULL)
				log_warn("community %s: %s", c->id, err);
			free(err);
			err = NULL;
			continue;
		}
		v = xreallocarray(v, n + (size_t)k + 1, sizeof(*v));
		for (j = 0; j < k; j++) {
			v[n].community = c->id;
			v[n].date = occ[j].orig;
			v[n].start = occ[j].start;
			v[n].end = occ[j].end;
			v[n].cancelled = occ[j].cancelled;
			n++;
		}
		free(occ);
		occ = NULL;
	}
	http_set_meetings(w->http, v, n);
	free(v);
}

/*
 * One cycle: place `auto` communities from availability (busy calendars
 * fetched), publish every feed (and hand them to the HTTP server), plan
 * reminders into the outbox, deliver what is due.  Every step sees the
 * same instant, read once at the start, so that what placement stored is
 * what publishing, planning and delivery take as in force; only the cycle
 * log's end time is read when the cycle ends.
 */
static int
worker_cycle(struct worker *w, char **err)
{
	struct publish_result	 res;
	struct place_counts	 placed;
	struct store_outbox_counts planned;
	char			*cerr = NULL;
	int64_t			 id = 0;
	time_t			 now = worker_now(w);
	int64_t			 now_ms = worker_mono_ms();	/* when now
							   was read */
	bool			 store_failed = false, logged;
	int			 rc = -1;

	memset(&res, 0, sizeof(res));
	/* Read before the cycle: a change committed while it runs then
	 * shows as a difference at the next check and is not lost. */
	if (store_data_version(w->st, &w->data_version, err) == -1)
		goto out;
	worker_schedule(w);
	logged = store_cycle_begin(w->st, now, &id, &cerr) == 0;
	if (!logged) {
		log_warn("cycle log: %s", cerr);
		free(cerr);
		cerr = NULL;
	}
	/* Placement comes first: the feeds and reminders use its slots. */
	place_run(w->cfg, w->st, now, w->busy_cache, &placed);
	w->stats.busy_failures = placed.failed;
	if (placed.communities + placed.unchanged > 0)
		log_info("slots: %zu auto communities ranked, %zu given a new "
		    "slot, %zu busy sources failed, %zu not ranked again "
		    "(nothing they read changed)", placed.communities,
		    placed.changed, placed.failed, placed.unchanged);
	worker_alive(w);
	if (publish_run_blocks(w->cfg, w->state_dir, w->st, now, true,
	    w->blocks, &res, &store_failed, err) == -1)
		goto end;
	worker_alive(w);
	log_info("feeds: %zu written, %zu unchanged, %zu removed",
	    res.written, res.unchanged, res.removed);
	publish_result_free(&w->last);
	w->last = res;
	memset(&res, 0, sizeof(res));
	worker_serve(w);
	worker_meetings(w, now);
	if (outbox_plan(w->cfg, w->st, w->key, w->keylen, now, &planned,
	    err) == -1)
		goto end;
	if (planned.inserted + planned.updated + planned.withdrawn > 0)
		log_info("outbox: %ld planned, %ld updated, %ld withdrawn",
		    planned.inserted, planned.updated, planned.withdrawn);
	/* After the reminders: a failed watch is retried next cycle, and
	 * does not hold up what is due. */
	if (quorum_run(w->cfg, w->st, w->key, w->keylen, now, NULL,
	    &cerr) == -1) {
		log_warn("%s", cerr);
		free(cerr);
		cerr = NULL;
	}
	worker_alive(w);
	if (worker_deliver(w, now, now_ms, err) == -1)
		goto end;
	rc = 0;
end:
	if (logged && store_cycle_end(w->st, id, worker_now(w), rc == 0,
	    rc == 0 ? NULL : *err, &cerr) == -1) {
		log_warn("cycle log: %s", cerr);
		free(cerr);
	}
out:
	w->cycle_ok = rc == 0;
	publish_result_free(&res);
	return rc;
}

/* The loop's view of a cycle: timed, logged, told to systemd and /metrics;
 * a failed one is retried later. */
static void
worker_cycle_logged(struct worker *w)
{
	char	*err = NULL, next[48];
	int64_t	 t0 = worker_mono_ms(), depth = 0;
	struct tm tm;
	time_t	 when;
	bool	 ok, found = false;

	ok = worker_cycle(w, &err) == 0;
	if (!ok) {
		log_err("cycle failed (retrying in %d s): %s",
		    (int)(w->retry_ms / 1000), err);
		free(err);
		err = NULL;
	}
	w->last_cycle_ms = worker_mono_ms();
	w->stats.has_cycle = true;
	w->stats.cycle_seconds = (double)(w->last_cycle_ms - t0) / 1000.0;
	w->stats.last_cycle = worker_now(w);
	w->stats.last_ok = ok;
	w->stats.cycles++;
	w->stats.cycle_failures += !ok;
	w->stats.last_cycle_mono_ms = w->last_cycle_ms;
	w->stats.overdue_ms = 3 * (int64_t)WORKER_IDLE_MS;
	http_set_stats(w->http, &w->stats);
	if (store_outbox_depth(w->st, &depth, &err) == -1) {
		free(err);
		err = NULL;
		depth = -1;
	}
	if (store_outbox_next(w->st, &found, &when, &err) == -1) {
		free(err);
		found = false;
	}
	next[0] = '\0';
	if (found && gmtime_r(&when, &tm) != NULL)
		strftime(next, sizeof(next), ", next due %Y-%m-%dT%H:%M:%SZ",
		    &tm);
	snprintf(w->status, sizeof(w->status), "%s; %zu feeds; %lld messages "
	    "waiting%s", ok ? "cycle ok" : "cycle failed, retrying",
	    w->last.nfeeds, (long long)depth, next);
	worker_status(w);
	log_debug("cycle %s in %.3f s; %lld messages waiting%s", ok ? "done" :
	    "failed", w->stats.cycle_seconds, (long long)depth, next);
}

static bool
worker_str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* SIGHUP: read the config again; keep the one in force if the new one is
 * invalid.  Returns true when the new one was taken. */
static bool
worker_reload(struct worker *w)
{
	struct config	*cfg = NULL, *old;
	char		*errors = NULL, *warnings = NULL;
	bool		 taken = false;
	const char	*why = NULL;

	/* systemd (253+) matches a reload by its monotonic time. */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%lld",
	    (long long)worker_mono_ms() * 1000);
	log_notice("reloading %s", w->cfg->path);
	if (config_load(w->cfg->path, &cfg, &errors, &warnings) == -1) {
		log_lines(LOG_ERR, "reload: ", errors);
		log_err("reload: %s has errors; the config in force is kept",
		    w->cfg->path);
		why = errors;
		goto out;
	}
	if (warnings != NULL)
		log_lines(LOG_WARNING, "reload: ", warnings);
	free(warnings);
	ical_read_holidays(cfg, &warnings);
	busy_holidays(w->busy_cache, cfg, w->st, worker_now(w), true,
	    &warnings);
	if (warnings != NULL)
		log_lines(LOG_WARNING, "reload: ", warnings);
	if (cadence_lint(cfg, worker_now(w), &errors) == -1) {
		log_lines(LOG_ERR, "reload: ", errors);
		log_err("reload: %s has errors; the config in force is kept",
		    w->cfg->path);
		config_free(cfg);
		why = errors;
		goto out;
	}
	if (config_secret_unavailable(cfg) != NULL) {
		free(errors);
		errors = xasprintf("%s: %s cannot be read (%s)", w->cfg->path,
		    config_secret_unavailable(cfg),
		    config_secret_why(cfg));
		log_err("reload: %s; the config in force is kept", errors);
		config_free(cfg);
		why = errors;
		goto out;
	}
	/* The directory is locked and the port bound: moving them under a
	 * running worker is a restart's job. */
	if (worker_str_differs(cfg->worker.state_dir, w->state_dir))
		log_warn("reload: state_dir changed; it takes effect when "
		    "the worker restarts");
	if (worker_str_differs(cfg->worker.listen, w->listen))
		log_warn("reload: listen changed; it takes effect when the "
		    "worker restarts");
	/* Links already sent must keep working until the restart. */
	if (worker_str_differs(cfg->worker.secret.value,
	    w->cfg->worker.secret.value))
		log_warn("reload: secret changed; it takes effect when the "
		    "worker restarts");
	/* Follow the config's log level unless -v/-q overrode it. */
	if (!w->log_forced)
		log_set_level(cfg->worker.log_level);
	/* The HTTP threads read the config in force (the attendance and
	 * report pages): the old one is freed once they have the new. */
	old = w->owned;
	w->owned = cfg;
	w->cfg = cfg;
	http_set_config(w->http, cfg);
	config_free(old);
	taken = true;
out:
	/* Shown until a good reload: the first error (a file:line), and
	 * how many more; a restart now would not start. */
	if (why != NULL) {
		size_t	 len = strcspn(why, "\n"), more = 0;
		const char *p;

		for (p = why; (p = strchr(p, '\n')) != NULL; p++)
			more++;
		if (more > 0)
			snprintf(w->stats.reload_error,
			    sizeof(w->stats.reload_error), "%.*s (and %zu "
			    "more)", (int)(len < 400 ? len : 400), why, more);
		else
			snprintf(w->stats.reload_error,
			    sizeof(w->stats.reload_error), "%.*s",
			    (int)(len < 480 ? len : 480), why);
	} else
		w->stats.reload_error[0] = '\0';
	http_set_stats(w->http, &w->stats);
	free(errors);
	free(warnings);
	sd_notify(0, "READY=1");
	if (!taken)
		worker_status(w);
	return taken;
}

static int
worker_signals(struct worker *w, char **err)
{
	sigset_t	set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	/* Blocked before the HTTP threads exist, so they inherit the mask
	 * and every signal reaches the signalfd.  The mask is not restored:
	 * the process ends with the worker, and unblocking would deliver a
	 * second SIGINT with its default action. */
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0 ||
	    (w->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1) {
		*err = xasprintf("signalfd: %s", strerror(errno));
		return -1;
	}
	/* A second view of the stopping signals, which deliveries poll
	 * without taking the signal from the loop's signalfd. */
	sigdelset(&set, SIGHUP);
	if ((w->stop_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) ==
	    -1) {
		*err = xasprintf("signalfd: %s", strerror(errno));
		return -1;
	}
	w->stop = stop_new(w->stop_fd, w->stop_grace_ms);
	/* Writes to a peer that went away must fail, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* Wake on writes in the state directory (the database's WAL among them),
 * and on files leaving it (state.db deleted or renamed). */
static void
worker_watch(struct worker *w)
{
	w->ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->ino_fd != -1 && inotify_add_watch(w->ino_fd, w->state_dir,
	    IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_MOVED_TO | IN_DELETE |
	    IN_MOVED_FROM) == -1) {
		close(w->ino_fd);
		w->ino_fd = -1;
	}
	if (w->ino_fd == -1)
		log_notice("inotify unavailable (%s): changes by other "
		    "processes show within %d s", strerror(errno),
		    WORKER_POLL_MS / 1000);
}

static void
worker_drain(int fd)
{
	char	buf[4096];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

/* Did another connection commit since the last cycle? */
static bool
worker_changed(struct worker *w)
{
	int64_t	 v;
	char	*err = NULL;

	if (store_data_version(w->st, &v, &err) == -1) {
		log_warn("%s", err);
		free(err);
		return false;
	}
	return v != w->data_version;
}

/* Rows a crash left in 'sending' go out again: at most those, none lost. */
static int
worker_recover(struct worker *w, char **err)
{
	long	n = 0;

	if (store_outbox_recover(w->st, worker_now(w), &n, err) == -1)
		return -1;
	if (n > 0)
		log_notice("outbox: %ld messages were being sent when the "
		    "worker stopped; sending them again", n);
	return 0;
}

/*
 * run --once: one cycle, then the posts a channel's pace held back, so
 * that everything due now has gone out (or failed) when it returns.
 */
static int
worker_once(struct worker *w, char **err)
{
	int64_t	due, now;
	int	i;

	if (worker_cycle(w, err) == -1)
		return -1;
	for (i = 0; i < WORKER_SETTLE_ROUNDS && worker_intact(w); i++) {
		due = worker_next_due_ms(w);
		now = worker_mono_ms();
		if (due < 0 || due > now + 2000)
			break;
		if (due > now)
			poll(NULL, 0, (int)(due - now));
		/* A new wake-up: its own now. */
		if (worker_deliver(w, worker_now(w), worker_mono_ms(),
		    err) == -1)
			return -1;
	}
	log_debug("once: %d delivery rounds after the cycle", i);
	return 0;
}

static void
worker_loop(struct worker *w)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[2];
	int64_t			 now, next_check, next_retry, next;
	int64_t			 poll_ms, due;
	char			*err = NULL;
	nfds_t			 nfd;
	bool			 stop = false, hup, check;

	poll_ms = w->ino_fd != -1 ? WORKER_POLL_INOTIFY_MS : WORKER_POLL_MS;
	now = worker_mono_ms();
	next_check = now + poll_ms;
	next_retry = now + w->retry_ms;
	while (!stop) {
		next = next_check;
		if (w->last_cycle_ms + WORKER_IDLE_MS < next)
			next = w->last_cycle_ms + WORKER_IDLE_MS;
		if (!w->cycle_ok && next_retry < next)
			next = next_retry;
		if (w->watchdog_ms > 0 && w->next_dog_ms < next)
			next = w->next_dog_ms;
		/* The next reminder wakes the loop: idle otherwise; so does
		 * a failing destination reaching alert_after. */
		due = worker_next_due_ms(w);
		if (w->next_alert != 0) {
			int64_t	at = worker_mono_ms() + ((int64_t)(w->next_alert -
			    worker_now(w)) * 1000 > 0 ? (int64_t)(w->next_alert -
			    worker_now(w)) * 1000 : 0);

			if (due < 0 || at < due)
				due = at;
		}
		if (due >= 0 && due < next)
			next = due;
		now = worker_mono_ms();
		pfd[0].fd = w->sig_fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = w->ino_fd;
		pfd[1].events = POLLIN;
		nfd = w->ino_fd != -1 ? 2 : 1;
		if (poll(pfd, nfd, next > now ? (int)(next - now) : 0) == -1 &&
		    errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			break;
		}
		hup = check = false;
		while (read(w->sig_fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGHUP)
				hup = true;
			else {
				log_notice("%s: stopping",
				    strsignal((int)si.ssi_signo));
				stop = w->stopping = true;
			}
		}
		if (stop)
			break;
		/* Before anything is planned or sent, every time round. */
		if (!worker_intact(w))
			break;
		if (nfd == 2 && (pfd[1].revents & POLLIN)) {
			worker_drain(w->ino_fd);
			check = true;
		}
		now = worker_mono_ms();
		if (now >= next_check) {
			check = true;
			next_check = now + poll_ms;
		}
		/* A message about to go is planned again first when the
		 * store changed since the last pass (an item done from the
		 * command line or a link): what it says is then current. */
		if (due >= 0 && worker_mono_ms() >= due)
			check = true;
		if ((hup && worker_reload(w)) || (check && worker_changed(w)) ||
		    (!w->cycle_ok && now >= next_retry) ||
		    now - w->last_cycle_ms >= WORKER_IDLE_MS) {
			worker_cycle_logged(w);
			next_retry = worker_mono_ms() + w->retry_ms;
		} else if (due >= 0 && worker_mono_ms() >= due &&
		    worker_deliver(w, worker_now(w), worker_mono_ms(),
		    &err) == -1) {
			log_err("delivery: %s", err);
			free(err);
			err = NULL;
		}
		worker_alive(w);
	}
}

enum worker_result
worker_run(const struct worker_opts *opts, char **err)
{
	struct worker		 w;
	enum worker_result	 rc = WORKER_UNAVAILABLE;
	uint64_t		 usec;
	struct stop_watch	 watch;
	char			*perr = NULL;
	int			 r;
	bool			 linger;

	memset(&w, 0, sizeof(w));
	w.lock_fd = w.sig_fd = w.ino_fd = w.stop_fd = -1;
	w.cfg = opts->cfg;
	w.state_dir = xstrdup(opts->cfg->worker.state_dir);
	if (opts->cfg->worker.listen != NULL && opts->cfg->worker.listen[0])
		w.listen = xstrdup(opts->cfg->worker.listen);
	w.db_path = publish_db_path(w.state_dir);
	w.has_now = opts->has_now;
	w.log_forced = opts->log_forced;
	w.stop_grace_ms = opts->stop_grace_ms > 0 ? opts->stop_grace_ms :
	    WORKER_STOP_GRACE_MS;
	w.retry_ms = opts->retry_ms > 0 ? opts->retry_ms : WORKER_RETRY_MS;
	if (opts->has_now)
		w.now_offset = opts->now - time(NULL);

	if (publish_prepare(w.state_dir, err) == -1)
		goto out;
	if ((r = statedir_lock(w.state_dir, &w.lock_fd, err)) != 0) {
		rc = r == 1 ? WORKER_LOCKED : WORKER_UNAVAILABLE;
		goto out;
	}
	if (statedir_open_store(w.state_dir, &w.st, err) == -1)
		goto out;
	if (opts->lock_wait_ms > 0)
		store_set_busy_timeout(w.st, (int)opts->lock_wait_ms);
	if (statedir_note_pid(w.state_dir, &perr) == -1) {
		log_debug("%s", perr);
		free(perr);
	}

	/* Made on first start, so the links of the first cycle's nudges
	 * are signed with the key the server checks them with. */
	if (link_key_load(w.state_dir, opts->cfg->worker.secret.value, &w.key,
	    &w.keylen, err) == -1)
		goto out;
	w.pacer = webhook_pacer_new();
	w.busy_cache = busy_cache_new();
	w.blocks = rcache_new();
	if (worker_recover(&w, err) == -1)
		goto out;
	if (opts->once) {
		rc = worker_once(&w, err) == 0 ? WORKER_OK : WORKER_FAILED;
		goto out;
	}

	if (worker_signals(&w, err) == -1)
		goto out;
	/* Fetches and parses in a cycle watch for SIGTERM and keep the
	 * watchdog fed, from the first cycle on. */
	watch.stop = w.stop;
	watch.alive = worker_alive;
	watch.arg = &w;
	busy_cache_watch(w.busy_cache, &watch);
	if (sd_watchdog_enabled(0, &usec) > 0)
		w.watchdog_ms = usec / 1000;
	worker_watch(&w);
	/* Publish before listening, so the port never answers 404 for a
	 * feed that exists; a failed first cycle is retried by the loop. */
	worker_cycle_logged(&w);
	if (w.listen != NULL) {
		if (http_start(w.listen, w.db_path, w.key, w.keylen,
		    w.has_now ? w.now_offset : 0, &w.http, err) == -1)
			goto out;
		http_set_config(w.http, w.cfg);
		worker_serve(&w);
		worker_meetings(&w, worker_now(&w));
		http_set_stats(w.http, &w.stats);
		log_notice("serving feeds on http://%s/feeds/", w.listen);
	}
	sd_notify(0, "READY=1");
	log_notice("running on %s", w.state_dir);
	worker_loop(&w);
	if (w.lost == NULL)
		sd_notify(0, "STOPPING=1");
	rc = WORKER_OK;
out:
	/* Lost while it ran (the loop stopped for it: linger), or found
	 * lost as it stops or fails. */
	linger = w.lost != NULL && !w.stopping;
	if (w.st != NULL && !worker_intact(&w)) {
		worker_lost(&w, linger);
		if (rc != WORKER_OK)
			free(*err);
		*err = xstrdup(w.lost);
		rc = WORKER_LOST;
	}
	http_stop(w.http);
	store_close(w.st);
	if (w.ino_fd != -1)
		close(w.ino_fd);
	if (w.sig_fd != -1)
		close(w.sig_fd);
	stop_free(w.stop);
	if (w.stop_fd != -1)
		close(w.stop_fd);
	/* Closing the descriptor releases the flock. */
	if (w.lock_fd != -1)
		close(w.lock_fd);
	publish_result_free(&w.last);
	webhook_pacer_free(w.pacer);
	if (w.key != NULL)
		explicit_bzero(w.key, w.keylen);
	free(w.key);
	busy_cache_free(w.busy_cache);
	rcache_free(w.blocks);
	config_free(w.owned);
	free(w.schedule_warned);
	free(w.lost);
	free(w.db_path);
	free(w.listen);
	free(w.state_dir);
	return rc;
}
