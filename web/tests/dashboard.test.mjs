// The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core.
// vesseld runs in a temporary state directory with --http on a free loopback port; the test
// creates a VM of the default guest in the page, sees it running, types into its console,
// pauses it, and checks that a bad form value shows the API's own error. Screenshots go to
// $WEB_SCREENSHOTS. Exit status 77 (ctest: skipped) where Chromium or the guest is missing.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const vesseld = process.env.VESSELD_BIN;
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const shots = process.env.WEB_SCREENSHOTS ?? join(tmpdir(), "vessel-web-screenshots");

function skip(why) {
  console.log(`SKIPPED: ${why}`);
  process.exit(77);
}
if (!vesseld || !existsSync(vesseld)) skip("VESSELD_BIN does not name the vesseld binary");
if (!existsSync(chromiumPath)) skip(`no Chromium at ${chromiumPath} (Debian package chromium)`);
if (!existsSync(join(dirname(vesseld), "web", "index.html"))) skip("the dashboard is not built (web/node_modules missing: run scripts/install-deps.sh)");
let guest;
try {
  guest = execFileSync(join(repo, "scripts", "guest-dir.sh"), { encoding: "utf8" }).trim();
} catch {
  skip("no guest (scripts/guest-dir.sh failed)");
}
const { chromium } = await import("playwright-core");

const work = mkdtempSync(join(tmpdir(), "vessel-web-"));
const socket = join(work, "vessel.sock");
const log = join(work, "vesseld.log");
const daemon = spawn(vesseld, ["--socket", socket, "--state-dir", join(work, "state"), "--log-file", log,
                               "--http", "127.0.0.1:0"], { stdio: "inherit" });
let browser;
after(async () => {
  // VMs outlive the daemon by design: kill ours through the API first.
  try {
    const vms = await (await fetch(`${base()}/v1/vms`)).json();
    for (const vm of vms.vms) if (vm.state !== "stopped") await fetch(`${base()}/v1/vms/${vm.name}/kill`, { method: "POST" });
  } catch {}
  await browser?.close();
  daemon.kill("SIGTERM");
  await new Promise((r) => daemon.once("exit", r));
  rmSync(work, { recursive: true, force: true });
});

// The port vesseld chose, from its log (it writes the line before it serves requests).
let port = 0;
function base() { return `http://127.0.0.1:${port}`; }
async function until(what, predicate, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));  // polling an external process, bounded
  }
}

test("dashboard: create, console, pause, API errors", { timeout: 300_000 }, async () => {
  port = await until("vesseld's HTTP port", () => {
    if (!existsSync(log)) return 0;
    const line = readFileSync(log, "utf8").split("\n").find((l) => l.includes("dashboard and API over HTTP"));
    return line ? JSON.parse(line).port : 0;
  }, 20_000);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  mkdirSync(shots, { recursive: true });
  await page.goto(base());
  await page.waitForSelector("#list");

  // Create a VM from the form; it starts and shows as running.
  await page.fill("input[name=name]", "web1");
  await page.fill("input[name=kernel]", join(guest, "Image"));
  await page.fill("input[name=initrd]", join(guest, "initramfs.cpio.gz"));
  await page.fill("input[name=cmdline]", "console=ttyS0 quiet");
  await page.click("#create-form button[type=submit]");
  const row = page.locator("tr[data-name=web1]");
  await row.and(page.locator("[data-state=running]")).waitFor({ timeout: 30_000 });
  assert.equal(await page.locator("#error").isHidden(), true, await page.locator("#error").textContent());

  // Its console: history, then typing into the guest's shell.
  await row.click();
  const screen = page.locator("#console .xterm-rows");
  await until("the guest's shell", async () => (await screen.innerText()).includes("VESSEL-GUEST-READY"), 180_000);
  await page.click("#console");
  await page.keyboard.type("echo hi-$((6*7))\n");
  await until("hi-42 on the console", async () => /\bhi-42\b/.test(await screen.innerText()), 30_000);
  // Live graphs: a few samples, and the host memory of a running VM is not zero.
  await until("graph samples", async () => Number(await page.getAttribute("#g-mem", "data-samples")) >= 4, 30_000);
  assert.ok(Number(await page.getAttribute("#g-mem", "data-last")) > 1, "the VM's host memory in MiB");
  await page.screenshot({ path: join(shots, "dashboard-console.png") });

  // Snapshot, then restore it as a second VM (the page asks for paths with prompts).
  const snap = join(work, "web1.snap");
  page.once("dialog", (d) => d.accept(snap));
  await row.locator("button[data-action=snapshot]").click();
  await until("the snapshot file", () => existsSync(snap), 60_000);

  // Pause: the state changes in the list.
  await row.locator("button[data-action=pause]").click();
  await page.locator("tr[data-name=web1][data-state=paused]").waitFor({ timeout: 15_000 });
  await page.screenshot({ path: join(shots, "dashboard-paused.png") });
  await page.locator("tr[data-name=web1] button[data-action=resume]").click();
  await page.locator("tr[data-name=web1][data-state=running]").waitFor({ timeout: 15_000 });

  const dialogs = [snap, "web2"];
  page.on("dialog", (d) => d.accept(dialogs.shift()));
  await page.locator("tr[data-name=web1] button[data-action=restore]").click();
  await page.locator("tr[data-name=web2][data-state=running]").waitFor({ timeout: 60_000 });

  // Kill and delete: the row goes.
  await page.locator("tr[data-name=web2] button[data-action=kill]").click();
  await page.locator("tr[data-name=web2][data-state=stopped]").waitFor({ timeout: 15_000 });
  await page.locator("tr[data-name=web2] button[data-action=delete]").click();
  await page.locator("tr[data-name=web2]").waitFor({ state: "detached", timeout: 15_000 });

  // A bad value: the page shows the API's own words.
  const api = await (await fetch(`${base()}/v1/vms`, {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "bad", kernel: join(guest, "Image"), memory: "128M", cpus: "lots" }),
  })).json();
  await page.fill("input[name=name]", "bad");
  await page.fill("input[name=cpus]", "lots");
  await page.click("#create-form button[type=submit]");
  await page.locator("#error").waitFor({ state: "visible", timeout: 10_000 });
  assert.equal(await page.locator("#error").textContent(), api.error.message);
  await page.screenshot({ path: join(shots, "dashboard-error.png") });
});
