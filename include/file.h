/* file: the one reader of a whole small file named by the config.
 *
 * For paths from outside (busy files, holiday calendars): opened without
 * blocking, so that a FIFO or a device named there cannot hold the caller,
 * and refused unless it is a regular file of at most a given size.  The
 * callers word their own errors, so the reader says what went wrong and
 * leaves errno as the failing call set it.
 *
 * Secret files (config_value.c) and the link key (link.c) keep their own
 * readers: they check modes, refuse links and wipe their buffers.
 */
#ifndef PLC_FILE_H
#define PLC_FILE_H

#include <stddef.h>

enum file_read_result {
	FILE_READ_OK = 0,
	FILE_READ_OPEN,		/* open failed: errno says why */
	FILE_READ_NOT_REGULAR,	/* fstat failed, or not a regular file */
	FILE_READ_TOO_BIG,	/* larger than max bytes */
	FILE_READ_SHORT		/* fewer bytes than fstat said: errno */
};

/*
 * The whole of the regular file at path (untrusted contents), at most max
 * bytes.  On FILE_READ_OK, *out is allocated (caller frees), NUL-terminated
 * after its *len bytes (the bytes may hold NULs of their own); otherwise
 * *out and *len are untouched.
 */
enum file_read_result	file_read(const char *path, size_t max, char **out,
			    size_t *len);

#endif
