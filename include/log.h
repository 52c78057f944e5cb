/* log: one line per event on stderr.
 *
 * When stderr is the systemd journal ($JOURNAL_STREAM names it), each line
 * starts with its "<N>" priority so the journal records the level.  The level
 * and the destination are set once at start-up by log_init; they are the only
 * process-wide state besides the read-only config.
 */
#ifndef PLC_LOG_H
#define PLC_LOG_H

#include <syslog.h>

void	log_init(int level);
void	log_set_level(int level);
int	log_level(void);

/* errno is preserved across these calls. */
void	log_msg(int prio, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
#define log_err(...)	log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...)	log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	log_msg(LOG_DEBUG, __VA_ARGS__)

/*
 * Each line of text (the config's "file:line: message" list; NULL is
 * nothing) logged at prio, or at LOG_WARNING for a "…: warning: …" line.  With a prefix, as log_msg(prio, "%s%s",
 * prefix, line); with NULL, bare as they are, the "<N>" prefix added only
 * when stderr is the journal.
 */
void	log_lines(int prio, const char *prefix, const char *text);

/*
 * Copy untrusted text (a server's answer, an item title) into buf, replacing
 * control characters with \xNN so that it cannot forge log lines.  Returns buf.
 */
char	*log_escape(const char *s, char *buf, size_t len);

#endif
