/* recur: RRULE expansion through libical's iterator, as local dates. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include <libical/ical.h>

#include "civil.h"
#include "recur.h"
#include "xmalloc.h"

/*
 * Reads rule and makes its iterator from dtstart; *until gets the rule's
 * UNTIL (null time when none).  libical reports a bad rule only through
 * icalerrno (and freq), so the error is cleared first and checked after each
 * call.  Debian builds libical with errors not fatal, and these calls print
 * nothing.  Returns the iterator (caller frees), or NULL with *err allocated.
 */
static icalrecur_iterator *
recur_open(const char *rule, struct icaltimetype dtstart,
    struct icaltimetype *until, char **err)
{
	struct icalrecurrencetype	 r;
	icalrecur_iterator		*it = NULL;

	if (rule == NULL || *rule == '\0') {
		*err = xstrdup("an empty recurrence rule");
		goto out;
	}
	icalerror_clear_errno();
	r = icalrecurrencetype_from_string(rule);
	if (r.freq == ICAL_NO_RECURRENCE || icalerrno != ICAL_NO_ERROR) {
		*err = xasprintf("'%s' is not an RFC 5545 recurrence rule",
		    rule);
		goto out;
	}
	/*
	 * A UTC UNTIL against a floating start would mix zones: the caller
	 * gets it back to compare as a date.
	 */
	*until = r.until;
	r.until = icaltime_null_time();
	/* Values that parse but cannot occur (BYDAY=6TU, Feb 30) fail here. */
	it = icalrecur_iterator_new(r, dtstart);
	if (it == NULL || icalerrno != ICAL_NO_ERROR) {
		*err = xasprintf("'%s' has a value out of range or can never "
		    "occur", rule);
		if (it != NULL)
			icalrecur_iterator_free(it);
		it = NULL;
	}
out:
	icalerror_clear_errno();
	return it;
}

/* A floating date-time: no zone, so libical steps in wall time. */
static struct icaltimetype
recur_floating(struct civil_date d, struct civil_time t)
{
	struct icaltimetype	 it = icaltime_null_time();

	it.year = d.y;
	it.month = d.m;
	it.day = d.d;
	it.hour = t.h;
	it.minute = t.min;
	it.second = t.s;
	it.is_date = 0;
	it.zone = NULL;
	return it;
}

int
recur_validate(const char *rule, char **err)
{
	struct icaltimetype		 first, until;
	icalrecur_iterator		*it;
	struct civil_date		 d = { 2000, 1, 1 };
	struct civil_time		 t = { 0, 0, 0 };
	int				 rc = -1;

	*err = NULL;
	if ((it = recur_open(rule, recur_floating(d, t), &until, err)) ==
	    NULL)
		goto out;
	/*
	 * libical scans up to its last year for a first match, so a rule that
	 * parses but never happens ("BYMONTH=2;BYMONTHDAY=30") shows here.
	 */
	first = icalrecur_iterator_next(it);
	if (icaltime_is_null_time(first)) {
		*err = xasprintf("'%s' never occurs", rule);
		goto out;
	}
	rc = 0;
out:
	if (it != NULL)
		icalrecur_iterator_free(it);
	icalerror_clear_errno();
	return rc;
}

long
recur_expand(const char *rule, struct civil_date dtstart,
    struct civil_time at, struct civil_date from, struct civil_date to,
    size_t max, struct civil_date **out, char **err)
{
	struct icaltimetype		 next, until;
	icalrecur_iterator		*it = NULL;
	struct civil_date		*v = NULL, d;
	size_t				 n = 0, cap = 0;
	long				 rc = -1;

	*out = NULL;
	*err = NULL;
	if (!civil_date_valid(dtstart)) {
		*err = xasprintf("start %04d-%02d-%02d is not a date",
		    dtstart.y, dtstart.m, dtstart.d);
		goto out;
	}
	if ((it = recur_open(rule, recur_floating(dtstart, at), &until,
	    err)) == NULL)
		goto out;
	if (!icaltime_is_null_time(until)) {
		d.y = until.year;
		d.m = until.month;
		d.d = until.day;
		if (civil_date_cmp(d, to) < 0)
			to = d;
	}
	while (n < max) {
		next = icalrecur_iterator_next(it);
		/* Null at the rule's end (COUNT) or libical's last year. */
		if (icaltime_is_null_time(next))
			break;
		d.y = next.year;
		d.m = next.month;
		d.d = next.day;
		if (civil_date_cmp(d, to) > 0)
			break;
		if (civil_date_cmp(d, from) < 0)
			continue;
		/* BYHOUR and the like give a date twice; a date meets once. */
		if (n > 0 && civil_date_cmp(v[n - 1], d) == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if (cap > max)
				cap = max;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		v[n++] = d;
	}
	*out = v;
	v = NULL;
	rc = (long)n;
out:
	free(v);
	if (it != NULL)
		icalrecur_iterator_free(it);
	icalerror_clear_errno();
	return rc;
}
