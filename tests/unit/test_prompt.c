/* Unit tests of the meeting-cycle prompts: agenda and minutes at the right
 * instants in the recipient's zone and out of their quiet hours, skipped
 * when items name the meeting, and the monthly report's instant. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cadence.h"
#include "civil.h"
#include "config.h"
#include "plan.h"
#include "prompt.h"
#include "tz.h"
#include "utc.h"

static const unsigned char KEY[] = "0123456789abcdef0123456789abcdef";

/* math7 in New York, Tuesdays 15:30 for 45 minutes; alice (New York)
 * facilitates; carol (Tokyo) records; quiet hours 20:00-07:00. */
struct fixture {
	struct config_member	 mem[2];
	struct config_member	*members[2];
	struct config_community	 c;
	struct prompt_opts	 o;
	struct cadence_occ	 occ;
};

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->mem[0].id = "alice";
	f->mem[0].name = "Alice";
	f->mem[0].email = "alice@example.edu";
	f->mem[0].tz = tz_find("America/New_York");
	f->mem[1].id = "carol";
	f->mem[1].name = "Carol";
	f->mem[1].email = "carol@example.edu";
	f->mem[1].tz = tz_find("Asia/Tokyo");
	f->members[0] = &f->mem[0];
	f->members[1] = &f->mem[1];
	f->c.id = "math7";
	f->c.name = "Grade 7 Math";
	f->c.facilitator = &f->mem[0];
	f->c.members = f->members;
	f->c.nmembers = 2;
	f->c.duration = 45 * 60;
	f->c.tz = tz_find("America/New_York");
	f->c.has_agenda_due = true;
	f->c.agenda_due = 2 * CIVIL_DAY;
	f->c.has_minutes_due = true;
	f->c.minutes_due = CIVIL_DAY;
	f->c.recorder = &f->mem[1];
	f->c.notes_url = "https://docs.example.edu/plc/{date}";
	f->o.public_url = "https://plc.example.edu";
	f->o.key = KEY;
	f->o.keylen = sizeof(KEY) - 1;
	f->o.horizon = 180 * CIVIL_DAY;
	f->o.has_quiet = true;
	f->o.quiet_from = 20 * 3600;
	f->o.quiet_to = 7 * 3600;
	/* Tue 8 Dec 15:30 New York = 20:30Z. */
	f->occ.orig = (struct civil_date){ 2026, 12, 8 };
	f->occ.date = f->occ.orig;
	f->occ.at = (struct civil_time){ 15, 30, 0 };
	f->occ.start = utc(2026, 12, 8, 20, 30);
	f->occ.end = utc(2026, 12, 8, 21, 15);
}

static const struct plan_msg *
find(const struct plan_msg *m, long n, const char *kind)
{
	long	i;

	for (i = 0; i < n; i++)
		if (strcmp(m[i].kind, kind) == 0)
			return &m[i];
	return NULL;
}

static void
test_agenda_and_minutes(void **state)
{
	struct fixture		 f;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*a, *r;
	long			 n;

	(void)state;
	fixture_init(&f);
	f.mem[1].clock = 12;		/* carol reads a 12-hour clock */
	n = prompt_plan(&f.c, &f.occ, 1, NULL, 0, &f.o,
	    utc(2026, 12, 1, 12, 0), &m);
	assert_int_equal(n, 2);
	/* Two days before: Sun 6 Dec 15:30 in New York, not quiet there. */
	assert_non_null(a = find(m, n, PROMPT_KIND_AGENDA));
	assert_int_equal(a->due, utc(2026, 12, 6, 20, 30));
	assert_int_equal(a->expires, f.occ.start);
	assert_string_equal(a->recipient, "alice");
	assert_string_equal(a->subject, "Post the agenda for Tue 8 Dec");
	assert_string_equal(a->dedup, "agenda:math7:2026-12-08:member:alice:"
	    "email");
	assert_non_null(strstr(a->body,
	    "Notes: https://docs.example.edu/plc/2026-12-08\n"));
	/* A day after the end: Wed 9 Dec 21:15Z is 06:15 on Thursday in
	 * Tokyo, inside carol's quiet hours: held to 07:00 there (22:00Z);
	 * the meeting is Wed 9 Dec 5:30 AM on her clock, in her zone named
	 * as people say it. */
	assert_non_null(r = find(m, n, PROMPT_KIND_MINUTES));
	assert_int_equal(r->due, utc(2026, 12, 9, 22, 0));
	assert_int_equal(r->expires, r->due + PROMPT_MINUTES_LIFETIME);
	assert_string_equal(r->recipient, "carol");
	assert_string_equal(r->subject,
	    "Record minutes and action items of Wed 9 Dec");
	assert_non_null(strstr(r->body,
	    "Who came: https://plc.example.edu/t/a.math7.2026-12-08."));
	assert_non_null(strstr(r->body, "--meeting 2026-12-08"));
	assert_non_null(strstr(r->body, "Wed 9 Dec 5:30 AM Tokyo time\n"));
	assert_non_null(strstr(a->body, "Tue 8 Dec 15:30 New York time\n"));
	plan_free(m, n);
}

/* Items already name the meeting: no minutes prompt; a cancelled meeting
 * has no prompt at all; off keys plan nothing. */
static void
test_skips(void **state)
{
	struct fixture		 f;
	struct plan_msg		*m = NULL;
	struct civil_date	 minuted = { 2026, 12, 8 };
	long			 n;

	(void)state;
	fixture_init(&f);
	n = prompt_plan(&f.c, &f.occ, 1, &minuted, 1, &f.o,
	    utc(2026, 12, 1, 12, 0), &m);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].kind, PROMPT_KIND_AGENDA);
	plan_free(m, n);
	f.occ.cancelled = true;
	n = prompt_plan(&f.c, &f.occ, 1, NULL, 0, &f.o,
	    utc(2026, 12, 1, 12, 0), &m);
	assert_int_equal(n, 0);
	f.occ.cancelled = false;
	f.c.has_agenda_due = f.c.has_minutes_due = false;
	n = prompt_plan(&f.c, &f.occ, 1, NULL, 0, &f.o,
	    utc(2026, 12, 1, 12, 0), &m);
	assert_int_equal(n, 0);
	/* Once the meeting has started, no agenda prompt. */
	f.c.has_agenda_due = true;
	n = prompt_plan(&f.c, &f.occ, 1, NULL, 0, &f.o,
	    utc(2026, 12, 8, 20, 31), &m);
	assert_int_equal(n, 0);
}

/* On a chat channel that is not hers alone (no config: every channel is
 * shared), the minutes prompt names the command instead of the link. */
static void
test_shared_channel(void **state)
{
	struct fixture		 f;
	struct config_channel	 team;
	struct config_notify	 nt;
	struct plan_msg		*m = NULL;
	const struct plan_msg	*r;
	long			 n;

	(void)state;
	fixture_init(&f);
	memset(&team, 0, sizeof(team));
	team.id = "team";
	nt.email = false;
	nt.channel = &team;
	f.mem[1].notify = &nt;
	f.mem[1].nnotify = 1;
	n = prompt_plan(&f.c, &f.occ, 1, NULL, 0, &f.o,
	    utc(2026, 12, 1, 12, 0), &m);
	assert_non_null(r = find(m, n, PROMPT_KIND_MINUTES));
	assert_string_equal(r->channel, "team");
	assert_null(strstr(r->body, "/t/"));
	/* She reads no e-mail from us: no "link in your e-mail" either. */
	assert_non_null(strstr(r->body, "Who came: plc-cadence meeting attend "
	    "math7 2026-12-08 --present MEMBERS --absent MEMBERS\n"));
	plan_free(m, n);
	/* By e-mail and on the team channel: the copy there points to the
	 * e-mail's link. */
	{
		struct config_notify	both[2];

		both[0].email = true;
		both[0].channel = NULL;
		both[1] = nt;
		f.mem[1].notify = both;
		f.mem[1].nnotify = 2;
		n = prompt_plan(&f.c, &f.occ, 1, NULL, 0, &f.o,
		    utc(2026, 12, 1, 12, 0), &m);
		assert_int_equal(n, 3);
		for (long i = 0; i < n; i++)
			if (strcmp(m[i].kind, PROMPT_KIND_MINUTES) == 0 &&
			    strcmp(m[i].channel, "team") == 0)
				assert_non_null(strstr(m[i].body, "--absent "
				    "MEMBERS (or the link in your e-mail)\n"));
			else if (strcmp(m[i].kind, PROMPT_KIND_MINUTES) == 0)
				assert_non_null(strstr(m[i].body, "/t/"));
		plan_free(m, n);
	}
}

/* "1st 07:00" in New York: due from then for PROMPT_REPORT_LIFETIME. */
static void
test_report_due(void **state)
{
	struct fixture	 f;
	char		 month[PROMPT_MONTH_LEN];
	time_t		 due = 0;

	(void)state;
	fixture_init(&f);
	f.c.has_report = true;
	f.c.report_mday = 1;
	f.c.report_time = (struct civil_time){ 7, 0, 0 };
	assert_false(prompt_report_due(&f.c, utc(2026, 12, 1, 11, 59), &due,
	    month));
	assert_true(prompt_report_due(&f.c, utc(2026, 12, 1, 12, 0), &due,
	    month));
	assert_int_equal(due, utc(2026, 12, 1, 12, 0));
	assert_string_equal(month, "2026-12");
	assert_true(prompt_report_due(&f.c, utc(2026, 12, 3, 12, 0), &due,
	    month));
	assert_false(prompt_report_due(&f.c, utc(2026, 12, 4, 12, 0), &due,
	    month));
	/* January's, on 2 January. */
	assert_true(prompt_report_due(&f.c, utc(2027, 1, 2, 0, 0), &due,
	    month));
	assert_string_equal(month, "2027-01");
	f.c.has_report = false;
	assert_false(prompt_report_due(&f.c, utc(2026, 12, 1, 12, 0), &due,
	    month));
}

/* The report mail: by e-mail only, the link in the text and in the HTML
 * where the mark is. */
static void
test_report_mail(void **state)
{
	struct fixture	 f;
	struct plan_msg	*m = NULL;
	long		 n;

	(void)state;
	fixture_init(&f);
	n = prompt_report(&f.c, "Report", "Figures\n",
	    "<p>x</p><!--plc:report-link--><p>y</p>", "2026-12",
	    utc(2026, 12, 1, 12, 0), &f.o, utc(2026, 12, 1, 12, 0), &m);
	assert_int_equal(n, 1);
	assert_string_equal(m[0].channel, PLAN_CHANNEL_EMAIL);
	assert_string_equal(m[0].recipient, "alice");
	assert_string_equal(m[0].dedup, "report:math7:2026-12:member:alice:"
	    "email");
	assert_non_null(strstr(m[0].body, "https://plc.example.edu/r/r.math7."));
	assert_non_null(strstr(m[0].html, "<p>x</p><p><a href=\""
	    "https://plc.example.edu/r/r.math7."));
	assert_non_null(strstr(m[0].html, "</a></p><p>y</p>"));
	plan_free(m, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agenda_and_minutes),
		cmocka_unit_test(test_skips),
		cmocka_unit_test(test_shared_channel),
		cmocka_unit_test(test_report_due),
		cmocka_unit_test(test_report_mail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
