/* alert: which communities a destination serves, and the e-mails planned
 * to their facilitators: one per failure and community, never twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "config.h"
#include "store.h"
#include "tmpdb.h"

/* math7 posts to team; sci6's member carol gets her messages on team; ela8
 * uses only e-mail; art's facilitator has no address (dan reads "other"). */
static const char CONF[] =
    "[channel team]\ntype = slack\nurl = file:/dev/null\n"
    "[channel other]\ntype = slack\nurl = file:/dev/null\n"
    "[member alice]\nname = Alice Martin\nemail = alice@example.edu\n"
    "[member bob]\nemail = bob@example.edu\n"
    "[member carol]\nemail = carol@example.edu\nnotify = team\n"
    "[member dan]\nnotify = other\n"
    "[community math7]\nname = Grade 7 Math\nfacilitator = alice\n"
    "members = alice\ncadence = weekly\nday = TU\ntime = 15:30\n"
    "start = 2026-09-01\nnotify = team\n"
    "[community sci6]\nfacilitator = bob\nmembers = bob, carol\n"
    "cadence = weekly\nday = WE\ntime = 15:30\nstart = 2026-09-01\n"
    "[community ela8]\nfacilitator = alice\nmembers = alice, bob\n"
    "cadence = weekly\nday = TH\ntime = 15:30\nstart = 2026-09-01\n"
    "[community art]\nfacilitator = dan\nmembers = dan, carol\n"
    "cadence = weekly\nday = FR\ntime = 15:30\nstart = 2026-09-01\n";

static struct config *
load(const char *dbpath)
{
	char		 dir[512], *path, *errors = NULL;
	struct config	*cfg = NULL;
	FILE		*f;

	tmp_db_dir(dbpath, dir, sizeof(dir));
	path = malloc(strlen(dir) + 16);
	assert_non_null(path);
	sprintf(path, "%s/plc.ini", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "[worker]\ntimezone = America/New_York\nstate_dir = %s\n%s",
	    dir, CONF);
	fclose(f);
	if (config_load(path, &cfg, &errors, NULL) == -1)
		fail_msg("config_load: %s", errors);
	free(path);
	return cfg;
}

static int
count_alerts(struct store *st, const char *prefix, const char **to)
{
	struct store_outbox_row	*rows = NULL;
	size_t			 n = 0, i;
	char			*err = NULL;
	int			 k = 0;

	assert_int_equal(store_outbox_list(st, STORE_OUTBOX_LIST_ALL, &rows,
	    &n, &err), 0);
	for (i = 0; i < n; i++) {
		if (strncmp(rows[i].dedup, prefix, strlen(prefix)) != 0)
			continue;
		assert_string_equal(rows[i].kind, ALERT_KIND);
		assert_string_equal(rows[i].channel, "email");
		assert_null(strstr(rows[i].body, "/dev/null"));
		if (to != NULL)
			assert_string_equal(rows[i].recipient, to[k]);
		k++;
	}
	store_outbox_rows_free(rows, n);
	return k;
}

static void
test_alert(void **state)
{
	static const char *const serve[] = { "math7", "sci6", "art" };
	const char	*to[] = { "alice", "bob" };
	char		*p = tmp_db(), *err = NULL;
	struct config	*cfg = load(p);
	struct store	*st = NULL;
	size_t		 i;

	(void)state;
	for (i = 0; i < 3; i++)
		assert_true(alert_serves(config_community_find(cfg, serve[i]),
		    "team"));
	assert_false(alert_serves(config_community_find(cfg, "ela8"),
	    "team"));
	assert_false(alert_serves(config_community_find(cfg, "math7"),
	    "other"));
	assert_false(alert_serves(config_community_find(cfg, "math7"),
	    ALERT_SMTP));

	assert_int_equal(store_open(p, &st, &err), 0);
	/* math7 (alice) and sci6 (bob); art's dan has no address. */
	assert_int_equal(alert_plan(cfg, st, "team", 1796150000, "404 from "
	    "http://x\r\nBcc: y", false, 1796160000, &err), 2);
	assert_int_equal(count_alerts(st, "alert:failing:team:", to), 2);
	/* The same failure again: still one each. */
	assert_int_equal(alert_plan(cfg, st, "team", 1796150000, NULL, false,
	    1796170000, &err), 2);
	assert_int_equal(count_alerts(st, "alert:failing:team:", NULL), 2);
	assert_int_equal(alert_plan(cfg, st, "team", 1796150000, NULL, true,
	    1796170000, &err), 2);
	assert_int_equal(count_alerts(st, "alert:recovered:team:", to), 2);
	/* The relay serves nobody by e-mail; "other" only art, whose
	 * facilitator has no address. */
	assert_int_equal(alert_plan(cfg, st, ALERT_SMTP, 1796150000, NULL,
	    false, 1796160000, &err), 0);
	assert_int_equal(alert_plan(cfg, st, "other", 1796150000, NULL,
	    false, 1796160000, &err), 0);
	assert_int_equal(count_alerts(st, "alert:", NULL), 4);
	store_close(st);
	config_free(cfg);
	rm_db(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alert),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
