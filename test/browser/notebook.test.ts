/**
 * A real browser runs a course notebook: Debian's classic Jupyter Notebook serves the notebooks,
 * Debian's Chromium (driven by playwright-core) opens 05-activations-and-losses, runs all cells,
 * and the test checks the charts that the page really shows. Classic Notebook 6 has no Vega-Lite
 * renderer, so it picks the SVG fallback and inlines it: the chart marks (lines of the activation
 * panels, the loss curves) are in the page's DOM. A screenshot is kept under
 * test-output/browser/ as a CI artifact.
 *
 * The notebooks are served from a temporary copy so that autosave can never write outputs into
 * the committed notebooks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { randomBytes } from "crypto";
import { chromium, type Browser } from "playwright-core";
import { ensureKernelspec, freePort, waitForServer } from "./jupyter-server";

const ROOT = path.resolve(__dirname, "..", "..");
const OUT = path.join(ROOT, "test-output", "browser");
const NOTEBOOK = "05-activations-and-losses.ipynb";
const CHROMIUM = "/usr/bin/chromium";
const JUPYTER = "/usr/bin/jupyter-notebook";

let server: ChildProcess | null = null;
let browser: Browser | null = null;
let serverLog = "";
let baseUrl = "";
const token = randomBytes(12).toString("hex");
let dir = "";

beforeAll(async () => {
  ensureKernelspec();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-browser-"));
  fs.copyFileSync(path.join(ROOT, "notebooks", NOTEBOOK), path.join(dir, NOTEBOOK));
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(JUPYTER, [
    "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--NotebookApp.token=${token}`,
    `--notebook-dir=${dir}`, "--NotebookApp.open_browser=False",
    // CI containers often run as root, which the server refuses without this flag.
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ], { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (d) => (serverLog += d));
  server.stderr!.on("data", (d) => (serverLog += d));
  await waitForServer("jupyter-notebook", server, () => serverLog, `${baseUrl}/api/status?token=${token}`, 30_000);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu"],
  });
});

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => { server!.once("exit", r); setTimeout(r, 5000); });
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("classic Notebook in Chromium", () => {
  it("runs 05-activations-and-losses and shows its charts", async () => {
    const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.goto(`${baseUrl}/notebooks/${NOTEBOOK}?token=${token}`);
    // The kernel must be up before cells are queued.
    await page.waitForFunction(() => {
      const nb = (globalThis as any).Jupyter?.notebook;
      return nb?.kernel?.is_connected?.() && nb.kernel.info_reply?.status === "ok";
    }, undefined, { timeout: 60_000 });
    await page.evaluate(() => (globalThis as any).Jupyter.notebook.execute_all_cells());
    await page.waitForFunction(() => {
      const cells = (globalThis as any).Jupyter.notebook.get_cells().filter((c: any) => c.cell_type === "code");
      return cells.every((c: any) => typeof c.input_prompt_number === "number");
    }, undefined, { timeout: 90_000, polling: 500 });

    fs.mkdirSync(OUT, { recursive: true });
    // The notebook scrolls inside its own container, so a full-page shot shows one screen: take
    // the screen with the first chart, and a close-up of every chart.
    const charts = page.locator(".output_area .output_svg");
    await charts.first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(OUT, "05-activations-and-losses.png") });
    for (let i = 0; i < (await charts.count()); i++) {
      await charts.nth(i).screenshot({ path: path.join(OUT, `05-chart-${i + 1}.png`) });
    }

    const errors = await page.locator(".output_area .output_error, .output_stderr").allTextContents();
    expect(errors).toEqual([]);
    const found = await page.evaluate(() => {
      const doc = (globalThis as any).document;
      const svgs: any[] = [...doc.querySelectorAll(".output_area .output_svg svg")];
      return svgs.map((svg) => ({
        lines: svg.querySelectorAll("g.mark-line.role-mark path").length,
        panels: svg.querySelectorAll("g.mark-group.role-cell, g.mark-group.role-scope").length,
        titles: [...svg.querySelectorAll("g.role-title text, g.role-header-label text, g.mark-text.role-title text")].map((t: any) => t.textContent as string),
        width: svg.getBoundingClientRect().width as number,
      }));
    });
    // Two charts: the activations (8 panels, f and f' in each) and the losses (5 curves).
    expect(found).toHaveLength(2);
    const [activations, losses] = found;
    expect(activations.lines).toBe(16);
    expect(activations.titles).toEqual(expect.arrayContaining(["Activation functions and their derivatives", "sigmoid", "ReLU", "SELU", "softplus"]));
    expect(losses.lines).toBe(5);
    expect(losses.titles.join(" ")).toContain("Classification losses");
    for (const f of found) expect(f.width).toBeGreaterThan(300);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
