/* Unit tests of publishing's pieces: feed tokens and series state in the
 * store, and the atomic write-if-changed of feed files. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "config.h"
#include "publish.h"
#include "store.h"
#include "token.h"
#include "tmpdb.h"

struct fixture {
	char		 dir[64];	/* of db */
	char		*db;
	struct store	*st;
};

static int
setup(void **state)
{
	struct fixture	*f = calloc(1, sizeof(*f));
	char		*err = NULL;

	f->db = tmp_db();
	tmp_db_dir(f->db, f->dir, sizeof(f->dir));
	assert_int_equal(store_open(f->db, &f->st, &err), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*f = *state;

	store_close(f->st);
	rm_db(f->db);
	free(f);
	return 0;
}

static void
test_token_get_or_create(void **state)
{
	struct fixture	*f = *state;
	char		 a[STORE_TOKEN_LEN + 1], b[STORE_TOKEN_LEN + 1];
	char		 c[STORE_TOKEN_LEN + 1], *err = NULL;

	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "bob", 1000, a, &err), 0);
	assert_true(token_valid(a, strlen(a)));
	/* Asking again gives the same token. */
	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "bob", 2000, b, &err), 0);
	assert_string_equal(a, b);
	/* Another owner, or the same ID as a community, gets its own. */
	assert_int_equal(store_token_get_or_create(f->st,
	    STORE_TOKEN_COMMUNITY, "bob", 1000, c, &err), 0);
	assert_string_not_equal(a, c);
	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "carol", 1000, c, &err), 0);
	assert_string_not_equal(a, c);
	assert_null(err);
}

static void
test_token_rotate_revokes(void **state)
{
	struct fixture		*f = *state;
	struct store_token	*list = NULL;
	sqlite3			*db;
	sqlite3_stmt		*s;
	char			 old[STORE_TOKEN_LEN + 1];
	char			 fresh[STORE_TOKEN_LEN + 1];
	char			 now[STORE_TOKEN_LEN + 1], *err = NULL;
	size_t			 n, i, live = 0;

	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "bob", 1000, old, &err), 0);
	assert_int_equal(store_token_get_or_create(f->st,
	    STORE_TOKEN_COMMUNITY, "math7", 1000, now, &err), 0);
	assert_int_equal(store_token_rotate(f->st, STORE_TOKEN_MEMBER, "bob",
	    5000, fresh, &err), 0);
	assert_true(token_valid(fresh, strlen(fresh)));
	assert_string_not_equal(old, fresh);
	/* The new token is the live one from now on. */
	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "bob", 6000, now, &err), 0);
	assert_string_equal(now, fresh);
	/* The list has only live tokens: the old one is gone from it. */
	assert_int_equal(store_token_list(f->st, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++) {
		assert_string_not_equal(list[i].token, old);
		if (strcmp(list[i].owner, "bob") == 0) {
			assert_int_equal(list[i].kind, STORE_TOKEN_MEMBER);
			assert_string_equal(list[i].token, fresh);
			live++;
		}
	}
	assert_int_equal(live, 1);
	/* Members come first. */
	assert_int_equal(list[0].kind, STORE_TOKEN_MEMBER);
	assert_string_equal(list[1].owner, "math7");
	store_token_list_free(list, n);
	/* The old row is kept, revoked at the rotation's time, so the token
	 * can never be handed out again. */
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT revoked FROM tokens "
	    "WHERE token = ?", -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_text(s, 1, old, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 5000);
	sqlite3_finalize(s);
	sqlite3_close(db);
	/* Rotating an owner that never had a token just creates one. */
	assert_int_equal(store_token_rotate(f->st, STORE_TOKEN_MEMBER, "zed",
	    5000, fresh, &err), 0);
	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "zed", 6000, now, &err), 0);
	assert_string_equal(now, fresh);
}

static void
test_series_sequence(void **state)
{
	struct fixture	*f = *state;
	char		*err = NULL;
	time_t		 created, changed;
	int		 seq;

	/* First sight: sequence 0, both times now. */
	assert_int_equal(store_series_sync(f->st, "math7", "math7.series@x",
	    "fp1", 1000, &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(created, 1000);
	assert_int_equal(changed, 1000);
	/* The same fingerprint later changes nothing. */
	assert_int_equal(store_series_sync(f->st, "math7", "math7.series@x",
	    "fp1", 2000, &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(created, 1000);
	assert_int_equal(changed, 1000);
	/* A new fingerprint raises the sequence once and dates the change. */
	assert_int_equal(store_series_sync(f->st, "math7", "math7.series@x",
	    "fp2", 3000, &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(created, 1000);
	assert_int_equal(changed, 3000);
	assert_int_equal(store_series_sync(f->st, "math7", "math7.series@x",
	    "fp2", 4000, &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 1);
	assert_int_equal(changed, 3000);
	/* Going back to an earlier shape is a change too. */
	assert_int_equal(store_series_sync(f->st, "math7", "math7.series@x",
	    "fp1", 5000, &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 2);
	assert_int_equal(changed, 5000);
	/* Another community has its own state. */
	assert_int_equal(store_series_sync(f->st, "ela8", "ela8.series@x",
	    "fp1", 6000, &seq, &created, &changed, &err), 0);
	assert_int_equal(seq, 0);
	assert_int_equal(created, 6000);
	assert_null(err);
}

/* An unchanged series and an existing token write nothing: another
 * connection (the worker watching data_version) sees no change. */
static void
test_idle_sync_writes_nothing(void **state)
{
	struct fixture	*f = *state;
	struct store	*other = NULL;
	char		 tok[STORE_TOKEN_LEN + 1], *err = NULL;
	time_t		 created, changed;
	int64_t		 v1, v2, v3;
	int		 seq;

	assert_int_equal(store_open(f->db, &other, &err), 0);
	assert_int_equal(store_series_sync(f->st, "math7", "u", "fp", 1000,
	    &seq, &created, &changed, &err), 0);
	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "bob", 1000, tok, &err), 0);
	assert_int_equal(store_data_version(other, &v1, &err), 0);
	assert_int_equal(store_series_sync(f->st, "math7", "u", "fp", 2000,
	    &seq, &created, &changed, &err), 0);
	assert_int_equal(store_token_get_or_create(f->st, STORE_TOKEN_MEMBER,
	    "bob", 2000, tok, &err), 0);
	assert_int_equal(store_data_version(other, &v2, &err), 0);
	assert_true(v1 == v2);
	/* A rotation is seen. */
	assert_int_equal(store_token_rotate(f->st, STORE_TOKEN_MEMBER, "bob",
	    3000, tok, &err), 0);
	assert_int_equal(store_data_version(other, &v3, &err), 0);
	assert_true(v3 != v2);
	/* A connection's own writes do not count. */
	assert_int_equal(store_data_version(f->st, &v1, &err), 0);
	assert_int_equal(store_token_rotate(f->st, STORE_TOKEN_MEMBER, "bob",
	    4000, tok, &err), 0);
	assert_int_equal(store_data_version(f->st, &v2, &err), 0);
	assert_true(v1 == v2);
	store_close(other);
}

static void
test_outbox_depth(void **state)
{
	struct fixture	*f = *state;
	sqlite3		*db;
	char		*err = NULL;
	int64_t		 depth = -1;

	assert_int_equal(store_outbox_depth(f->st, &depth, &err), 0);
	assert_int_equal(depth, 0);
	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO outbox (dedup, kind, "
	    "channel, recipient, body, due, next_try, created, changed, status)"
	    " VALUES ('a', 'k', 'email', 'bob', 'b', 1, 1, 1, 1, 'pending'),"
	    " ('b', 'k', 'email', 'bob', 'b', 1, 1, 1, 1, 'pending'),"
	    " ('c', 'k', 'email', 'bob', 'b', 1, 1, 1, 1, 'sent')",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_outbox_depth(f->st, &depth, &err), 0);
	assert_int_equal(depth, 2);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*fp = fopen(path, "r");
	char	*buf = calloc(1, 4096);

	assert_non_null(fp);
	*len = fread(buf, 1, 4095, fp);
	fclose(fp);
	return buf;
}

static size_t
count_entries(const char *dir, const char *prefix)
{
	DIR		*d = opendir(dir);
	struct dirent	*de;
	size_t		 n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_if_changed(void **state)
{
	struct fixture	*f = *state;
	struct stat	 sb1, sb2;
	char		 path[160], *got, *err = NULL;
	size_t		 len;
	time_t		 m1 = 0, m2 = 0;
	bool		 written;

	snprintf(path, sizeof(path), "%s/a.ics", f->dir);
	assert_int_equal(publish_write_if_changed(f->dir, "a.ics", "one\n", 4,
	    &written, &m1, &err), 0);
	assert_true(written);
	got = slurp(path, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(got, "one\n", 4);
	free(got);
	assert_int_equal(stat(path, &sb1), 0);
	assert_int_equal(sb1.st_mode & 0777, 0640);
	assert_int_equal(m1, sb1.st_mtime);

	/* The same bytes: the file is not touched (same inode, same mtime). */
	assert_int_equal(publish_write_if_changed(f->dir, "a.ics", "one\n", 4,
	    &written, &m2, &err), 0);
	assert_false(written);
	assert_int_equal(stat(path, &sb2), 0);
	assert_int_equal(sb1.st_ino, sb2.st_ino);
	assert_int_equal(m2, sb1.st_mtime);

	/* Same length, other bytes: replaced by a new file (rename). */
	assert_int_equal(publish_write_if_changed(f->dir, "a.ics", "two\n", 4,
	    &written, NULL, &err), 0);
	assert_true(written);
	assert_int_equal(stat(path, &sb2), 0);
	assert_true(sb1.st_ino != sb2.st_ino);
	got = slurp(path, &len);
	assert_memory_equal(got, "two\n", 4);
	free(got);
	/* Another length. */
	assert_int_equal(publish_write_if_changed(f->dir, "a.ics", "three\n",
	    6, &written, NULL, &err), 0);
	assert_true(written);
	got = slurp(path, &len);
	assert_int_equal(len, 6);
	free(got);
	/* No temporary file is left behind. */
	assert_int_equal(count_entries(f->dir, ".tmp-"), 0);
	/* A directory that does not exist is an error with its name. */
	assert_int_equal(publish_write_if_changed("/nonexistent-plc", "a.ics",
	    "x", 1, &written, NULL, &err), -1);
	assert_non_null(strstr(err, "/nonexistent-plc"));
	free(err);
}

static void
touch(const char *dir, const char *name, time_t mtime)
{
	char		path[200];
	struct timeval	tv[2];
	FILE		*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("x", fp);
	fclose(fp);
	if (mtime != 0) {
		tv[0].tv_sec = tv[1].tv_sec = mtime;
		tv[0].tv_usec = tv[1].tv_usec = 0;
		assert_int_equal(utimes(path, tv), 0);
	}
}

static bool
exists(const char *dir, const char *name)
{
	char	path[200];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void
test_remove_stale(void **state)
{
	struct fixture	*f = *state;
	const char	*live = "0123456789abcdef0123456789abcdef";
	char		*keep[1] = { (char *)live }, *err = NULL;
	size_t		 removed = 0;

	touch(f->dir, "0123456789abcdef0123456789abcdef.ics", 0);
	touch(f->dir, "fedcba9876543210fedcba9876543210.ics", 0);
	touch(f->dir, "README", 0);
	touch(f->dir, "FEDCBA9876543210FEDCBA9876543210.ics", 0);
	touch(f->dir, ".tmp-old.ics.abcdef", time(NULL) - 3600);
	touch(f->dir, ".tmp-new.ics.abcdef", 0);
	assert_int_equal(publish_remove_stale(f->dir, keep, 1, &removed,
	    &err), 0);
	assert_int_equal(removed, 2);
	assert_true(exists(f->dir, "0123456789abcdef0123456789abcdef.ics"));
	assert_false(exists(f->dir, "fedcba9876543210fedcba9876543210.ics"));
	/* Only names of our own form are touched. */
	assert_true(exists(f->dir, "README"));
	assert_true(exists(f->dir, "FEDCBA9876543210FEDCBA9876543210.ics"));
	/* A crash's leftover goes; a write in progress stays. */
	assert_false(exists(f->dir, ".tmp-old.ics.abcdef"));
	assert_true(exists(f->dir, ".tmp-new.ics.abcdef"));
	/* Keeping nothing removes every feed file. */
	assert_int_equal(publish_remove_stale(f->dir, NULL, 0, &removed,
	    &err), 0);
	assert_int_equal(removed, 1);
	assert_false(exists(f->dir, "0123456789abcdef0123456789abcdef.ics"));
}

static void
test_prepare_creates_dirs(void **state)
{
	struct fixture	*f = *state;
	struct stat	 sb;
	char		 sd[128], feeds[160], *err = NULL;

	snprintf(sd, sizeof(sd), "%s/state", f->dir);
	snprintf(feeds, sizeof(feeds), "%s/feeds", sd);
	assert_int_equal(publish_prepare(sd, &err), 0);
	assert_int_equal(stat(sd, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	/* 0750 (less the umask): nothing for others. */
	assert_int_equal(sb.st_mode & 0007, 0);
	assert_int_equal(sb.st_mode & 0700, 0700);
	assert_int_equal(stat(feeds, &sb), 0);
	/* Again: nothing to do. */
	assert_int_equal(publish_prepare(sd, &err), 0);
	/* A file in the way is named. */
	touch(f->dir, "file", 0);
	snprintf(sd, sizeof(sd), "%s/file", f->dir);
	assert_int_equal(publish_prepare(sd, &err), -1);
	assert_non_null(strstr(err, "not a directory"));
	free(err);
}

static void
test_urls(void **state)
{
	struct config	 cfg;
	char		*url, *webcal;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.worker.public_url = "https://plc.example.edu";
	url = publish_feed_url(&cfg, "0123456789abcdef0123456789abcdef");
	assert_string_equal(url, "https://plc.example.edu/feeds/"
	    "0123456789abcdef0123456789abcdef.ics");
	webcal = publish_webcal_url(url);
	assert_string_equal(webcal, "webcal://plc.example.edu/feeds/"
	    "0123456789abcdef0123456789abcdef.ics");
	free(webcal);
	free(url);
	webcal = publish_webcal_url("http://127.0.0.1:8080/feeds/x.ics");
	assert_string_equal(webcal, "webcal://127.0.0.1:8080/feeds/x.ics");
	free(webcal);
	/* No public_url (nor listen): no URL, not "(null)/feeds/…". */
	cfg.worker.public_url = NULL;
	assert_null(publish_feed_url(&cfg, "0123456789abcdef0123456789abcdef"));
	assert_null(publish_webcal_url(NULL));
}

static bool
token_valid_str(const char *s)
{
	return token_valid(s, strlen(s));
}

static void
test_token_form(void **state)
{
	(void)state;
	assert_true(token_valid_str("0123456789abcdef0123456789abcdef"));
	assert_false(token_valid_str("0123456789abcdef0123456789abcde"));
	assert_false(token_valid_str("0123456789abcdef0123456789abcdef0"));
	assert_false(token_valid_str("0123456789ABCDEF0123456789abcdef"));
	assert_false(token_valid_str("../../../../../../etc/passwd...."));
	assert_false(token_valid_str(""));
	/* A token inside a longer string (a URL path), by its length. */
	assert_true(token_valid("0123456789abcdef0123456789abcdef.ics", 32));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token_get_or_create,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_rotate_revokes,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_series_sequence,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_sync_writes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_depth,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_if_changed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_stale,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_creates_dirs,
		    setup, teardown),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_token_form),
	};

	return cmocka_run_group_tests_name("publish", tests, NULL, NULL);
}
