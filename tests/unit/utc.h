/* utc: expected instants for unit tests, from glibc's timegm (not from the
 * civil or tz code under test). */
#ifndef PLC_TEST_UTC_H
#define PLC_TEST_UTC_H

#include <stdint.h>
#include <string.h>
#include <time.h>

/* To the second. */
static inline int64_t
utc_s(int y, int mo, int d, int h, int mi, int s)
{
	struct tm	tm;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

static inline int64_t
utc(int y, int mo, int d, int h, int mi)
{
	return utc_s(y, mo, d, h, mi, 0);
}

#endif
