// Open the signed report page (/r/LINK) in Debian's Chromium (driven by
// playwright-core, no browser download): take a screenshot, read each
// member's stacked bar and the other charts from the DOM, look at it on a
// phone-sized screen and as printed, and print what the browser saw as
// one JSON line for the shell test to judge.
// Usage: node reportpage.mjs URL PROFILE_DIR SCREENSHOT.png
import { chromium } from "playwright-core";

const [url, profile, shot] = process.argv.slice(2);
// A hung browser must fail the test, not hold up make check.
const timer = setTimeout(() => {
	console.error("reportpage: timed out");
	process.exit(2);
}, 90000);

const ctx = await chromium.launchPersistentContext(profile, {
	executablePath: "/usr/bin/chromium",
	headless: true,
	viewport: { width: 1000, height: 900 },
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync"],
});
const out = {};
try {
	const page = await ctx.newPage();
	const resp = await page.goto(url);
	out.status = resp.status();
	out.title = await page.title();
	out.scripts = await page.locator("script").count();
	out.svgs = await page.locator("svg").count();
	// Each bar: its counts as the segments drawn say them.
	out.bars = await page.$$eval("svg.bars g.bar", (gs) => gs.map((g) => {
		const seg = {};
		for (const r of g.querySelectorAll("rect.seg")) {
			const k = [...r.classList].find((c) => c !== "seg");
			seg[k] = Number(r.getAttribute("data-count"));
			seg[k + "_width"] = r.getBBox().width;
		}
		return { member: g.getAttribute("data-member"), seg };
	}));
	out.strips = await page.$$eval("svg.strips g.strip", (gs) => gs.map((g) => ({
		meeting: g.getAttribute("data-meeting"),
		present: g.querySelectorAll("rect.present").length,
		absent: g.querySelectorAll("rect.absent").length,
	})));
	out.line_points = await page.$eval("svg.line polyline.open",
	    (p) => p.getAttribute("points").split(" ").length);
	await page.screenshot({ path: shot, fullPage: true });
	// A phone: nothing wider than the screen but the table's own scroller.
	await page.setViewportSize({ width: 390, height: 844 });
	out.phone_overflow = await page.evaluate(() =>
	    document.documentElement.scrollWidth > window.innerWidth);
	out.phone_bar_width = await page.$eval("svg.bars",
	    (s) => s.getBoundingClientRect().width);
	// Printed: the charts are still there, and keep their colours.
	await page.emulateMedia({ media: "print" });
	out.print_svgs_visible = await page.$$eval("svg", (v) =>
	    v.every((s) => s.getBoundingClientRect().height > 0));
	out.print_pdf_bytes = (await page.pdf({ format: "A4" })).length;
} finally {
	await ctx.close();
	clearTimeout(timer);
}
console.log(JSON.stringify(out));
