/* schedule: the database's one-off meeting changes over the config's. */
#include <stdlib.h>
#include <string.h>

#include "civil.h"
#include "meeting.h"
#include "schedule.h"
#include "xmalloc.h"

long
schedule_apply(struct config *cfg, struct store *st, char **warnings,
    char **err)
{
	struct store_meeting_change	*rows = NULL;
	struct meeting_change		*v;
	char				*bad = NULL, *w = NULL;
	size_t				 n = 0, i, k = 0;
	long				 applied;

	*warnings = NULL;
	if (store_meeting_changes(st, NULL, &rows, &n, err) == -1)
		return -1;
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		struct meeting_change	*m = &v[k];

		m->community = rows[i].community;
		m->cancel = rows[i].action == STORE_MEETING_CANCEL;
		if (civil_date_parse(rows[i].meeting, &m->date) == -1 ||
		    (!m->cancel && (rows[i].to_date == NULL ||
		    civil_date_parse(rows[i].to_date, &m->to) == -1 ||
		    rows[i].to_time >= 24 * 60))) {
			char *s = xasprintf("%s%s[community %s] a meeting "
			    "change in the database cannot be read; left out",
			    bad != NULL ? bad : "", bad != NULL ? "\n" : "",
			    rows[i].community);

			free(bad);
			bad = s;
			continue;
		}
		m->has_time = !m->cancel && rows[i].to_time >= 0;
		if (m->has_time)
			m->at = civil_time_from_secs(rows[i].to_time * 60);
		k++;
	}
	applied = (long)meeting_apply(cfg, v, k, &w);
	if (bad != NULL && w != NULL) {
		*warnings = xasprintf("%s\n%s", bad, w);
		free(bad);
		free(w);
	} else
		*warnings = bad != NULL ? bad : w;
	free(v);
	store_meeting_changes_free(rows, n);
	return applied;
}
