// Open a move-here link (/m/LINK) in Debian's Chromium (playwright-core, no
// browser download), check the page, press "Move it here", and print what
// the browser saw as one JSON line for the shell test to judge.
// Usage: node movepage.mjs URL PROFILE_DIR
import { chromium } from "playwright-core";

const [url, profile] = process.argv.slice(2);
// A hung browser must fail the test, not hold up make check.
const timer = setTimeout(() => {
	console.error("movepage: timed out");
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
	out.title = await page.title();
	out.to = await page.locator("dt:text-is('Move to') + dd").textContent();
	const button = page.getByRole("button", { name: "Move it here" });
	out.buttons = await button.count();
	const [post] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === "POST"),
		button.click(),
	]);
	await page.waitForLoadState();
	out.post_status = post.status();
	out.post_origin = (await post.request().allHeaders())["origin"] ?? null;
	out.after_status_text = await page.getByRole("status").textContent();
	out.buttons_after = await page.getByRole("button", { name: "Move it here" }).count();
} finally {
	await ctx.close();
	clearTimeout(timer);
}
console.log(JSON.stringify(out));
