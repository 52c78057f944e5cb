/* publish: every feed of the config, rendered and written to disk.
 *
 * For the whole config: make sure every member and community has a feed
 * token, bring each meeting series' stored state (UID, SEQUENCE, change
 * times) up to date, render each feed with ical_render_feed and write it as
 * <state_dir>/feeds/TOKEN.ics, atomically and only when its bytes differ
 * from what is there, so that any web server can serve the folder and
 * calendar clients see a change only when there is one.  The files a run
 * changes are written under temporary names, made durable together (a
 * fsync each, or one syncfs for many: a district's first run writes
 * thousands), then renamed into place, then the folder is made durable.
 * Files of revoked or unknown tokens are removed.
 *
 * Runs on the planning thread (it renders through libical).
 */
#ifndef PLC_PUBLISH_H
#define PLC_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "feed.h"
#include "store.h"

/* One rendered feed. */
struct publish_feed {
	enum feed_kind	 kind;
	const char	*owner;		/* config ID; points into the config */
	char		 token[STORE_TOKEN_LEN + 1];
	char		*body;		/* the .ics bytes */
	size_t		 len;
	time_t		 modified;	/* mtime of the file: when the bytes
					   last changed */
	bool		 written;	/* this run wrote the file */
};

struct publish_result {
	struct publish_feed	*feeds;
	size_t			 nfeeds;
	size_t			 written;	/* files (re)written */
	size_t			 unchanged;	/* files left as they were */
	size_t			 removed;	/* stale files deleted */
	size_t			 skipped;	/* series left out (day/time auto) */
};

/*
 * Create state_dir (mode 0750) and state_dir/feeds when missing.  Returns 0,
 * or -1 with *err allocated.
 */
int	publish_prepare(const char *state_dir, char **err);

/* "<state_dir>/state.db"; allocated. */
char	*publish_db_path(const char *state_dir);

/*
 * Publish every feed of cfg into state_dir/feeds (state_dir is passed apart
 * from cfg because a running worker keeps the one it started with).  now
 * dates new tokens and series changes.  record is set by the worker's
 * cycle only: it stores a change of a series' slot as a new epoch
 * (series.h); without it the feeds show the change as of now and the store
 * keeps the epochs it had.  On success returns 0 and fills *res
 * (free it with publish_result_free); the feeds point into cfg, which must
 * outlive them.  On failure returns -1 with *err allocated; *store_failed
 * says whether the database was at fault (rather than rendering or the file
 * system), so that the caller can tell a busy database from a broken disk.
 */
int	publish_run(const struct config *cfg, const char *state_dir,
	    struct store *st, time_t now, bool record,
	    struct publish_result *res, bool *store_failed, char **err);
void	publish_result_free(struct publish_result *res);

/*
 * publish_run with the rendered blocks of earlier runs (rcache.h; NULL:
 * none kept): a block whose inputs have not changed is not rendered again,
 * and the bytes are those publish_run would write.  The blocks this run
 * did not use are dropped from blocks at its end, so it holds what the
 * current feeds need.  The environment variable PLC_TEST_RENDER_WHOLE
 * (tests only) renders every feed whole through libical instead.
 */
struct rcache;
int	publish_run_blocks(const struct config *cfg, const char *state_dir,
	    struct store *st, time_t now, bool record, struct rcache *blocks,
	    struct publish_result *res, bool *store_failed, char **err);

/*
 * Write data to dir/name atomically (a temporary file in dir, fsync, rename,
 * fsync of dir) unless the file already holds exactly these bytes.  *written
 * says which happened; *mtime (may be NULL) is the file's modification time
 * afterwards.  Returns 0, or -1 with *err allocated.
 */
int	publish_write_if_changed(const char *dir, const char *name,
	    const char *data, size_t len, bool *written, time_t *mtime,
	    char **err);

/*
 * Remove from dir every TOKEN.ics whose token is not among keep (n tokens),
 * and temporary files a crash left behind.  Other files are left alone.
 * *removed counts the deletions.  Returns 0, or -1 with *err allocated.
 */
int	publish_remove_stale(const char *dir, char *const *keep, size_t n,
	    size_t *removed, char **err);

/* The feed URLs of a token: public_url/feeds/TOKEN.ics, and the same with
 * the scheme replaced by webcal://.  Allocated; NULL when there is no
 * public_url (nor listen) to build it on, and for a NULL url. */
char	*publish_feed_url(const struct config *cfg, const char *token);
char	*publish_webcal_url(const char *url);

#endif
