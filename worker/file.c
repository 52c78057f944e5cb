#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "file.h"
#include "xmalloc.h"

enum file_read_result
file_read(const char *path, size_t max, char **out, size_t *len)
{
	struct stat		 sb;
	char			*buf = NULL;
	size_t			 got = 0;
	ssize_t			 r;
	int			 fd, saved;
	enum file_read_result	 rc;

	/* Not blocking: a FIFO or a device must not hold the caller. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1)
		return FILE_READ_OPEN;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		rc = FILE_READ_NOT_REGULAR;
		goto out;
	}
	if ((uintmax_t)sb.st_size > max) {
		rc = FILE_READ_TOO_BIG;
		goto out;
	}
	buf = xmalloc((size_t)sb.st_size + 1);
	while (got < (size_t)sb.st_size) {
		r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	if (got != (size_t)sb.st_size) {
		rc = FILE_READ_SHORT;
		goto out;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	buf = NULL;
	rc = FILE_READ_OK;
out:
	/* The caller words the error from errno: close must not change it. */
	saved = errno;
	free(buf);
	close(fd);
	errno = saved;
	return rc;
}
