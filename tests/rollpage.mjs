// Open a signed attendance page (/t/LINK) in Debian's Chromium (driven by
// playwright-core), tick the members named, untick the rest, press "Save
// attendance" and print what the browser saw as one JSON line.
// Usage: node rollpage.mjs URL PROFILE_DIR ID[,ID…]
import { chromium } from "playwright-core";

const [url, profile, tick] = process.argv.slice(2);
const want = new Set(tick.split(","));
const timer = setTimeout(() => {
	console.error("rollpage: timed out");
	process.exit(2);
}, 90000);

const ctx = await chromium.launchPersistentContext(profile, {
	executablePath: "/usr/bin/chromium",
	headless: true,
	args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync"],
});
const out = {};
try {
	const page = await ctx.newPage();
	const resp = await page.goto(url);
	out.get_status = resp.status();
	out.h1 = await page.locator("h1").textContent();
	const boxes = page.locator("input[type=checkbox][name=present]");
	out.boxes = await boxes.count();
	out.ticked_before = await page.$$eval("input[name=present]:checked",
	    (v) => v.map((i) => i.value));
	for (let i = 0; i < out.boxes; i++) {
		const b = boxes.nth(i);
		await b.setChecked(want.has(await b.getAttribute("value")));
	}
	const [post] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === "POST"),
		page.getByRole("button", { name: "Save attendance" }).click(),
	]);
	await page.waitForLoadState();
	out.post_status = post.status();
	out.saved = await page.getByRole("status").textContent();
	out.ticked_after = await page.$$eval("input[name=present]:checked",
	    (v) => v.map((i) => i.value));
} finally {
	await ctx.close();
	clearTimeout(timer);
}
console.log(JSON.stringify(out));
