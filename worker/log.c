/* log: leveled one-line messages on stderr, journal-aware. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

/* Set once by log_init at start-up (and by -v/-q, reload); read everywhere. */
static int	log_max = LOG_INFO;
static int	log_journal;

/*
 * $JOURNAL_STREAM is "DEV:INO" of the journal's socket; only when our stderr
 * is that very socket do "<N>" prefixes mean something (systemd.exec(5)).
 */
static int
log_stderr_is_journal(void)
{
	const char		*js = getenv("JOURNAL_STREAM");
	unsigned long long	 dev, ino;
	struct stat		 st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return 0;
	if (fstat(fileno(stderr), &st) == -1)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_init(int level)
{
	log_max = level;
	log_journal = log_stderr_is_journal();
}

void
log_set_level(int level)
{
	log_max = level;
}

int
log_level(void)
{
	return log_max;
}

void
log_msg(int prio, const char *fmt, ...)
{
	static const char *const names[] = { "emerg", "alert", "crit",
	    "error", "warning", "notice", "info", "debug" };
	char	 line[2048];
	va_list	 ap;
	int	 saved = errno;

	if (prio > log_max)
		goto out;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", prio, line);
	else if (prio <= LOG_WARNING)
		fprintf(stderr, "plc-cadence: %s: %s\n", names[prio & 7], line);
	else
		fprintf(stderr, "plc-cadence: %s\n", line);
out:
	errno = saved;
}

void
log_lines(int prio, const char *prefix, const char *text)
{
	const char	*p = text;
	size_t		 n;
	int		 saved = errno, pr;

	while (text != NULL && *p != '\0') {
		n = strcspn(p, "\n");
		/* A failed load lists its warnings among the errors. */
		pr = prio < LOG_WARNING && memmem(p, n, ": warning: ",
		    strlen(": warning: ")) != NULL ? LOG_WARNING : prio;
		if (n == 0 || pr > log_max)
			;
		else if (prefix != NULL)
			log_msg(pr, "%s%.*s", prefix, (int)n, p);
		else if (log_journal)
			fprintf(stderr, "<%d>%.*s\n", pr, (int)n, p);
		else
			fprintf(stderr, "%.*s\n", (int)n, p);
		p += n;
		p += *p == '\n';
	}
	errno = saved;
}

char *
log_escape(const char *s, char *buf, size_t len)
{
	size_t	 o = 0;

	if (len == 0)
		return buf;
	for (; s != NULL && *s != '\0' && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}
