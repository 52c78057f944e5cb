/* slots: where `day = auto` / `time = auto` puts a community's meeting.
 *
 * Pure: no I/O and no clock.  Given each member's free time over a range
 * (avail_member), the candidates are the starts on a 15-minute grid inside
 * the community's `window` (in the community's zone) at which a meeting of
 * the community's `duration` fits; each is scored over the meetings the
 * cadence would hold in the range at that slot (skips, moves and cancels
 * applied: a cancelled meeting does not count) by who could attend.
 *
 * Ranking: the higher share of required members who can come first (over
 * the slot's meetings), then of optional ones, then the current slot, then
 * the earliest in the week and the day.  Stability: the current slot is
 * kept while its expected attendance (the share of required members free,
 * averaged over its meetings) is at least the community's min_attendance;
 * only then does the best slot replace it, so a meeting does not hop
 * whenever one calendar changes.
 */
#ifndef PLC_SLOTS_H
#define PLC_SLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avail.h"
#include "civil.h"
#include "config.h"

/* Candidate starts are this far apart, from midnight. */
#define SLOTS_GRID	900

/* One member's free time; the caller owns free and the member. */
struct slots_member {
	const struct config_member	*member;
	bool				 required;
	struct avail			*free;	/* normalized in place */
};

struct slots_input {
	const struct config_community	*community;
	const struct slots_member	*members;
	size_t				 nmembers;
	int64_t				 from, to;	/* the meetings scored:
							   those wholly inside */
	bool				 has_current;	/* a slot in force */
	int				 current_day;	/* CIVIL_MO..SU */
	struct civil_time		 current_at;
	/* Rank every window slot, as if day and time were both auto (for
	 * advice on a community whose slot is fixed). */
	bool				 explore;
};

/* A scored candidate.  Read-only; owned by its ranking. */
struct slots_candidate {
	int			 day;		/* CIVIL_MO..SU; the configured
						 * day when day is not auto;
						 * -1 for an rrule cadence */
	struct civil_time	 at;		/* local, community zone */
	long			 meetings;	/* scored */
	long			 required_free;	/* sum over meetings */
	long			 optional_free;
	double			 attendance;	/* of required, 0..1 */
	bool			 current;
	const long		*missed;	/* per input member: meetings
						 * they cannot attend */
};

struct slots_ranking;

/*
 * Score and rank every candidate.  Returns 0 with *out set (free it with
 * slots_ranking_free), or -1 with *err allocated when the cadence cannot be
 * expanded.  A community whose window holds no start for its duration has
 * no candidates (slots_count 0 and slots_choice NULL).
 */
int	slots_rank(const struct slots_input *in, struct slots_ranking **out,
	    char **err);
/* NULL is fine. */
void	slots_ranking_free(struct slots_ranking *r);

/* The candidates, best first. */
size_t	slots_count(const struct slots_ranking *r);
const struct slots_candidate *slots_get(const struct slots_ranking *r,
	    size_t i);
/* The current slot's score when it is still a candidate, else NULL. */
const struct slots_candidate *slots_current(const struct slots_ranking *r);
/*
 * The slot to hold: the current one while its attendance is at least
 * min_attendance or no other slot ranks above it, else the best.  NULL
 * when there are no candidates.
 * *kept (may be NULL) says whether it is the current slot.
 */
const struct slots_candidate *slots_choice(const struct slots_ranking *r,
	    bool *kept);

/*
 * The heatmap of the window: a column per weekday in the window (in week
 * order), a row per quarter hour from the window's earliest start to its
 * latest end, and in each cell the number of members (required and
 * optional) free for that whole quarter hour, averaged over the dates of
 * [from, to) with that weekday; -1 where the window does not reach on that
 * day.  out->cells is allocated; free it with slots_heatmap_free.
 */
struct slots_heatmap {
	int	 days[7];
	size_t	 ndays;
	int	 first;		/* secs since midnight of row 0 */
	size_t	 nrows;
	double	*cells;		/* nrows * ndays, row-major */
};
void	slots_heatmap(const struct slots_input *in, struct slots_heatmap *out);
void	slots_heatmap_free(struct slots_heatmap *h);

#endif
