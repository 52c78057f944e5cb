/* fuzz_config: INI text -> config_load -> config_free.
 *
 * config_load reads a file, so each input is written to a scratch
 * directory first.  The loader also opens the files a config names
 * (file: secrets, credential: secrets, holiday calendars): while it runs,
 * every open() and fopen() made by the worker's objects (linked with
 * --wrap, see the Makefile) is confined to the scratch directory, which
 * holds a holiday calendar, a secret and a credentials directory for the
 * seeds to name.  Nothing outside it is read, and nothing is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

int	LLVMFuzzerInitialize(int *argc, char ***argv);
int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	__real_open(const char *path, int flags, ...);
int	__wrap_open(const char *path, int flags, ...);
FILE	*__real_fopen(const char *path, const char *mode);
FILE	*__wrap_fopen(const char *path, const char *mode);

static char	 fz_dir[] = "/tmp/plc-fuzz-config.XXXXXX";
static char	 fz_ini[sizeof(fz_dir) + 16];
static bool	 fz_loading;	/* confine opens only during config_load */

static const char fz_holidays[] =
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\n"
    "BEGIN:VEVENT\r\nUID:h1@fuzz\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20261126\r\nDTEND;VALUE=DATE:20261128\r\n"
    "SUMMARY:Thanksgiving\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

/* A path inside the scratch directory, with no way back out of it. */
static bool
fz_allowed(const char *path)
{
	size_t	n = strlen(fz_dir);

	return strncmp(path, fz_dir, n) == 0 && path[n] == '/' &&
	    strstr(path, "/..") == NULL;
}

int
__wrap_open(const char *path, int flags, ...)
{
	va_list	ap;
	int	mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (fz_loading && (!fz_allowed(path) ||
	    (flags & O_ACCMODE) != O_RDONLY)) {
		errno = EACCES;
		return -1;
	}
	return __real_open(path, flags, mode);
}

FILE *
__wrap_fopen(const char *path, const char *mode)
{
	if (fz_loading && (!fz_allowed(path) || strchr(mode, 'r') == NULL ||
	    strchr(mode, '+') != NULL)) {
		errno = EACCES;
		return NULL;
	}
	return __real_fopen(path, mode);
}

static void
fz_write(const char *name, const void *data, size_t len, mode_t mode)
{
	char	 path[sizeof(fz_dir) + 64];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", fz_dir, name);
	if ((f = __real_fopen(path, "we")) == NULL ||
	    fwrite(data, 1, len, f) != len || fclose(f) != 0 ||
	    chmod(path, mode) == -1) {
		perror(path);
		abort();
	}
}

static void
fz_cleanup(void)
{
	static const char *const names[] = { "c.ini", "holidays.ics",
	    "secret", "creds/smtp-password", "creds/link-secret", "creds" };
	char	path[sizeof(fz_dir) + 64];
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		snprintf(path, sizeof(path), "%s/%s", fz_dir, names[i]);
		(void)(i + 1 < sizeof(names) / sizeof(*names) ? unlink(path) :
		    rmdir(path));
	}
	rmdir(fz_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char	creds[sizeof(fz_dir) + 8];

	(void)argc;
	(void)argv;
	if (mkdtemp(fz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	atexit(fz_cleanup);
	snprintf(fz_ini, sizeof(fz_ini), "%s/c.ini", fz_dir);
	snprintf(creds, sizeof(creds), "%s/creds", fz_dir);
	if (mkdir(creds, 0700) == -1) {
		perror(creds);
		abort();
	}
	fz_write("holidays.ics", fz_holidays, sizeof(fz_holidays) - 1, 0644);
	fz_write("secret", "0123456789abcdef0123456789abcdef\n", 33, 0600);
	fz_write("creds/smtp-password", "hunter2hunter2", 14, 0600);
	fz_write("creds/link-secret", "fedcba9876543210fedcba9876543210",
	    32, 0600);
	setenv("CREDENTIALS_DIRECTORY", creds, 1);
	setenv("PLC_FUZZ_SECRET", "an-env-secret-of-some-length", 1);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config	*cfg = NULL;
	char		*errors = NULL, *warnings = NULL;
	int		 rc;

	fz_write("c.ini", data, size, 0644);
	fz_loading = true;
	rc = config_load(fz_ini, &cfg, &errors, &warnings);
	fz_loading = false;
	/* The contract: a config and no errors, or errors and no config. */
	if ((rc == 0) != (cfg != NULL) || (rc == 0) != (errors == NULL) ||
	    (rc == -1 && *errors == '\0')) {
		fprintf(stderr, "config_load broke its contract: rc %d\n", rc);
		abort();
	}
	config_free(cfg);
	free(errors);
	free(warnings);
	return 0;
}
