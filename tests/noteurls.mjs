import fs from "node:fs";
import ICAL from "ical.js";
const [file, fromArg, toArg] = process.argv.slice(2);
const cal = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
for (const vtz of cal.getAllSubcomponents("vtimezone"))
	ICAL.TimezoneService.register(new ICAL.Timezone(vtz));
const from = ICAL.Time.fromString(fromArg), to = ICAL.Time.fromString(toArg);
const evs = cal.getAllSubcomponents("vevent").map((v) => new ICAL.Event(v));
const masters = evs.filter((e) => !e.isRecurrenceException() && e.isRecurring());
for (const e of evs) if (e.isRecurrenceException()) {
	const m = masters.find((x) => x.uid === e.uid);
	if (m) m.relateException(e);
}
for (const m of masters) {
	const it = m.iterator();
	let t;
	while ((t = it.next()) && t.compare(to) < 0) {
		const d = m.getOccurrenceDetails(t);
		if (d.startDate.toUnixTime() < from.toUnixTime()) continue;
		const url = d.item.component.getFirstPropertyValue("url");
		console.log(`${d.startDate.toString().slice(0, 10)}|${url ?? ""}`);
	}
}
