// Read a feed with ical.js (Thunderbird's parser), independent of libical.
// Usage: node icalcheck.mjs FILE FROM TO [--items]
// Checks the structure a calendar app relies on and prints one line per
// meeting or item starting in [FROM, TO) (UTC, "2026-10-01T00:00:00Z"):
//   UID|local start|TZID|UTC start|STATUS|SEQUENCE|SUMMARY
// With --items, one line per all-day event (an action item) instead:
//   UID|start|end|SEQUENCE|DTSTAMP|LAST-MODIFIED|TRANSP|SUMMARY|DESCRIPTION
// (DESCRIPTION with its newlines as \n).
// Problems go to stderr, one per line, and make the exit status 1.
import fs from "node:fs";
import ICAL from "ical.js";

const [file, fromArg, toArg, mode] = process.argv.slice(2);
const bytes = fs.readFileSync(file);
const text = bytes.toString("utf8");
const problems = [];
const problem = (m) => problems.push(m);

// Octet folding: no line over 75 octets, no UTF-8 character split.
let lineno = 0;
for (const line of bytes.toString("latin1").split("\r\n")) {
	lineno++;
	if (line.length > 75)
		problem(`line ${lineno}: ${line.length} octets`);
}
if (!text.endsWith("\r\n"))
	problem("the file does not end with CRLF");
if (Buffer.from(text, "utf8").compare(bytes) !== 0)
	problem("the file is not valid UTF-8");
for (const piece of text.split("\r\n ").slice(1))
	if (/^[\u0080-\u00bf]/.test(Buffer.from(piece, "utf8").toString("latin1")))
		problem("a folded line starts inside a UTF-8 character");

const cal = new ICAL.Component(ICAL.parse(text));
for (const p of ["prodid", "version", "calscale", "method", "x-wr-calname",
    "x-wr-timezone", "refresh-interval", "x-published-ttl", "name"])
	if (!cal.hasProperty(p))
		problem(`VCALENDAR has no ${p.toUpperCase()}`);
if (cal.getFirstPropertyValue("method") !== "PUBLISH")
	problem("METHOD is not PUBLISH");

const zones = new Set();
for (const vtz of cal.getAllSubcomponents("vtimezone")) {
	const tz = new ICAL.Timezone(vtz);
	if (tz.tzid.includes("/freeassociation"))
		problem(`TZID ${tz.tzid} is not a plain IANA name`);
	for (const off of vtz.getAllSubcomponents())
		for (const p of ["tzoffsetfrom", "tzoffsetto"]) {
			const v = off.getFirstProperty(p);
			if (v && v.toICALString().match(/[+-]\d{6}$/))
				problem(`${tz.tzid}: ${p} with seconds`);
		}
	ICAL.TimezoneService.register(tz);
	zones.add(tz.tzid);
}

const from = ICAL.Time.fromString(fromArg);
const to = ICAL.Time.fromString(toArg);
const masters = new Map();
const exceptions = [];
for (const ve of cal.getAllSubcomponents("vevent")) {
	for (const p of ["uid", "dtstamp", "dtstart", "organizer", "sequence",
	    "summary"])
		if (!ve.hasProperty(p))
			problem(`VEVENT ${ve.getFirstPropertyValue("uid")} has no ${p}`);
	for (const p of ["dtstart", "exdate", "recurrence-id"])
		for (const prop of ve.getAllProperties(p)) {
			const tzid = prop.getParameter("tzid");
			if (tzid && !zones.has(tzid))
				problem(`${p} uses TZID ${tzid} without its VTIMEZONE`);
		}
	const rr = ve.getFirstPropertyValue("rrule");
	if (rr && rr.until && !rr.until.isDate && rr.until.zone !== ICAL.Timezone.utcTimezone)
		problem("UNTIL is not in UTC");
	const ev = new ICAL.Event(ve);
	// An all-day event lasts exactly its day: DTEND a DATE one day on.
	if (ev.startDate.isDate) {
		const end = ve.getFirstPropertyValue("dtend");
		const next = ev.startDate.clone();
		next.adjust(1, 0, 0, 0);
		if (!end || !end.isDate || end.compare(next) !== 0)
			problem(`all-day VEVENT ${ev.uid} does not end the next day`);
	}
	if (ve.hasProperty("recurrence-id"))
		exceptions.push(ev);
	else
		masters.set(ev.uid, ev);
}
for (const ex of exceptions) {
	const m = masters.get(ex.uid);
	if (!m)
		problem(`override ${ex.uid} without its series`);
	else
		m.relateException(ex);
}

const out = [];
const finish = () => {
	for (const l of out)
		console.log(l);
	for (const p of problems)
		console.error(p);
	process.exit(problems.length > 0 ? 1 : 0);
};
if (mode === "--items") {
	for (const ev of masters.values()) {
		if (!ev.startDate.isDate || ev.isRecurring())
			continue;
		const c = ev.component;
		out.push([ev.uid, ev.startDate.toString(), ev.endDate.toString(),
		    ev.sequence, c.getFirstPropertyValue("dtstamp").toString(),
		    c.getFirstPropertyValue("last-modified").toString(),
		    c.getFirstPropertyValue("transp"), ev.summary,
		    (ev.description || "").replace(/\n/g, "\\n")].join("|"));
	}
	out.sort();
	finish();
}
const fmt = (t) => t.toString().replace("T", " ").slice(0, 16);
for (const ev of masters.values()) {
	const emit = (start, item) => {
		const utc = start.convertToZone(ICAL.Timezone.utcTimezone);
		if (utc.compare(from) < 0 || utc.compare(to) >= 0)
			return;
		out.push([ev.uid, start.isDate ? start.toString() : fmt(start),
		    start.isDate ? "date" : start.zone.tzid,
		    start.isDate ? "-" : fmt(utc),
		    item.component.getFirstPropertyValue("status") || "CONFIRMED",
		    item.sequence, item.summary].join("|"));
	};
	if (!ev.isRecurring()) {
		emit(ev.startDate, ev);
		continue;
	}
	const it = ev.iterator();
	for (let n = 0, t; (t = it.next()) && n < 5000; n++) {
		const d = ev.getOccurrenceDetails(t);
		if (t.convertToZone(ICAL.Timezone.utcTimezone).compare(to) >= 0 &&
		    d.startDate.convertToZone(ICAL.Timezone.utcTimezone).compare(to) >= 0)
			break;
		emit(d.startDate, d.item);
	}
}
out.sort((a, b) => a.split("|")[3].localeCompare(b.split("|")[3]) || a.localeCompare(b));
finish();
