// Open an RSVP link (/v/LINK) in Debian's Chromium (playwright-core, no
// browser download), check the page offers both answers, press the one
// named, and print what the browser saw as one JSON line for the shell
// test to judge.
// Usage: node rsvppage.mjs URL PROFILE_DIR "I'll be there"|"I can't come"
import { chromium } from "playwright-core";

const [url, profile, press] = process.argv.slice(2);
// A hung browser must fail the test, not hold up make check.
const timer = setTimeout(() => {
	console.error("rsvppage: timed out");
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
	out.lang = await page.getAttribute("html", "lang");
	out.title = await page.title();
	out.meeting = await page.locator("dt:text-is('Meeting') + dd").textContent();
	out.answer_before = await page.locator("#answer").textContent();
	out.yes = await page.getByRole("button", { name: "I'll be there" }).count();
	out.no = await page.getByRole("button", { name: "I can't come" }).count();
	const [post] = await Promise.all([
		page.waitForResponse((r) => r.request().method() === "POST"),
		page.getByRole("button", { name: press }).click(),
	]);
	await page.waitForLoadState();
	out.post_status = post.status();
	out.post_origin = (await post.request().allHeaders())["origin"] ?? null;
	out.after_status_text = await page.getByRole("status").textContent();
	out.answer_after = await page.locator("#answer").textContent();
} finally {
	await ctx.close();
	clearTimeout(timer);
}
console.log(JSON.stringify(out));
