/* fuzz_busy: calendar bytes -> busy intervals, and -> holiday dates.
 *
 * The two readers of calendars from outside, through the entry points the
 * worker uses: ical_busy (busy.c hands it a member's calendar, fetched or
 * read, in the member's zone over the planning range) and ical_read_allday
 * (a [calendar] source, read from the file it names; here a scratch file).
 * ical_busy gets the bytes NUL-terminated, as busy.c, fetch.c and the
 * store all hand them over (it checks text[len]).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avail.h"
#include "civil.h"
#include "ical.h"
#include "tz.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The demo's planning range: 2026-09-01 plus the default 180-day horizon. */
#define FZ_FROM		1788220800LL
#define FZ_TO		(FZ_FROM + 180 * 86400LL)

static char		 fz_path[] = "/tmp/plc-fuzz-busy.XXXXXX";
static const struct tz	*fz_zone;

static void
fz_cleanup(void)
{
	unlink(fz_path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int	fd;

	(void)argc;
	(void)argv;
	if ((fd = mkstemp(fz_path)) == -1) {
		perror("mkstemp");
		abort();
	}
	close(fd);
	atexit(fz_cleanup);
	if ((fz_zone = tz_find("America/New_York")) == NULL)
		abort();
	return 0;
}

static void
fz_busy(const uint8_t *data, size_t size)
{
	struct avail	*set = avail_new();
	char		*text = malloc(size + 1), *err = NULL;
	int64_t		 from, to, prev = INT64_MIN;
	size_t		 i, n;

	memcpy(text, data, size);
	text[size] = '\0';	/* as every caller gives it (ical.c reads it) */
	if (ical_busy(text, size, fz_zone, FZ_FROM, FZ_TO, set, &err) == -1) {
		if (err == NULL || avail_count(set) != 0)
			abort();	/* refused: a reason, and nothing added */
	} else if (err != NULL)
		abort();
	/* A set of disjoint intervals, in order, each non-empty. */
	n = avail_count(set);
	for (i = 0; i < n; i++) {
		avail_get(set, i, &from, &to);
		if (from >= to || from < prev)
			abort();
		prev = to;
	}
	free(err);
	free(text);
	avail_free(set);
}

static void
fz_allday(const uint8_t *data, size_t size)
{
	struct config_span	*days = NULL;
	char			*err = NULL;
	size_t			 n = 0, i;
	FILE			*f;

	if ((f = fopen(fz_path, "we")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	if (ical_read_allday(fz_path, &days, &n, &err) == 0) {
		for (i = 0; i < n; i++)
			if (civil_date_cmp(days[i].from, days[i].to) > 0)
				abort();
	} else if (err == NULL)
		abort();
	free(days);
	free(err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_busy(data, size);
	fz_allday(data, size);
	return 0;
}
