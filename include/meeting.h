/* meeting: the meeting cycle's pure parts (issue 16).
 *
 * Pure: no I/O, no clock.  The quorum arithmetic, the overlay of one-off
 * database changes (meeting move/cancel, move-here links) on a community's
 * configured moves and cancels, and the subjects of RSVP and move-here
 * links (link.h).
 */
#ifndef PLC_MEETING_H
#define PLC_MEETING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "civil.h"
#include "config.h"

/* The quorum_check default and the quorum share default (config.h). */
#define MEETING_QUORUM_DEFAULT	0.5

/* c's quorum: `quorum`, else min_attendance where written, else 0.5. */
double	meeting_quorum_share(const struct config_community *c);

/*
 * How many of required members must be able to come for share (0..1]:
 * ceil(share * required), with a little slack so 0.6 * 5 is 3, not 4; at
 * least 1 when required > 0.
 */
size_t	meeting_quorum_needed(size_t required, double share);
/* Whether required members of whom unavailable cannot come make quorum. */
bool	meeting_quorum_ok(size_t required, size_t unavailable, double share);

/* The alternatives the quorum watch offers: at most this many. */
#define MEETING_NALT	3

/* One alternative slot, in the community's zone. */
struct meeting_alt {
	struct civil_date	 date;
	struct civil_time	 at;
	time_t			 start;
	long			 required_free, optional_free;
};

/*
 * Up to MEETING_NALT other slots in the same week (Monday to Sunday in c's
 * zone) for c's meeting [start, end), ranked as slots_rank ranks (every
 * window slot, as if day and time were auto), with the RSVPs counted in:
 * members (their free time over that week, e.g. place_input's; each free
 * set is normalized in place) named in cant (ncant IDs, "I can't come")
 * are taken as busy during [start, end) itself.  Only slots that start
 * after now, are not the meeting's own start, and where more required
 * members are free than can come to the meeting (base) are offered, best
 * first.  Returns the count with out filled, or -1 with *err allocated
 * when the week cannot be expanded.
 */
struct slots_member;
long	meeting_alternatives(const struct config_community *c,
	    const struct slots_member *members, size_t nmembers,
	    time_t start, time_t end, const char *const *cant, size_t ncant,
	    long base, time_t now, struct meeting_alt out[MEETING_NALT],
	    char **err);

/* One one-off change in force (the database's), borrowed strings. */
struct meeting_change {
	const char		*community;
	struct civil_date	 date;		/* series date */
	bool			 cancel;	/* else a move: */
	struct civil_date	 to;
	bool			 has_time;
	struct civil_time	 at;
};

/*
 * Make cfg's moves and cancels the config's own followed by the changes v
 * (n of them, any communities; those of communities not in cfg ignored),
 * replacing what an earlier call added: the effective schedule every
 * reader of c->moves and c->cancels (cadence, feeds, plan, check) then
 * sees.  A config move or cancel of the same series date wins; each such
 * change is left out with a line in *warnings ("[community ID] meeting
 * DATE: …", '\n' between lines, allocated; NULL when none).  Returns how
 * many changes were applied.  Call on the thread that owns cfg.
 */
size_t	meeting_apply(struct config *cfg, const struct meeting_change *v,
	    size_t n, char **warnings);

/* Whether c's own config (not the overlay) moves or cancels series date d. */
bool	meeting_config_changes(const struct config_community *c,
	    struct civil_date d);

/* "math7.2026-12-08.bob": the subject of member's RSVP link.  Allocated. */
char	*meeting_rsvp_subject(const char *community, struct civil_date date,
	    const char *member);
/* Split an RSVP subject (untrusted) into its parts: 0, or -1 when it is
 * not one.  *community and *member allocated. */
int	meeting_rsvp_parse(const char *subject, char **community,
	    struct civil_date *date, char **member);
/* "math7.2026-12-08.2026-12-10.1600": move the meeting of date to (to, at). */
char	*meeting_move_subject(const char *community, struct civil_date date,
	    struct civil_date to, struct civil_time at);
int	meeting_move_parse(const char *subject, char **community,
	    struct civil_date *date, struct civil_date *to,
	    struct civil_time *at);

#endif
