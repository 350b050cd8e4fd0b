/**
 * The course in JupyterLab 4, as a student meets it: the project's own JupyterLab build (lab/,
 * built here if stale) served by Debian's jupyter-server, driven in Debian's Chromium with
 * playwright-core.
 *
 * Every lecture in notebooks/ is opened and run with Run ▸ Run All Cells, two at a time in pages
 * of their own, each kernel shut down when its lecture is checked. For each: the run ends (kernel
 * idle, every code cell numbered); no cell shows an error or writes one to stderr (the failure
 * names the cell and the error); every chart output, in a cell or inside an Output widget, is drawn
 * by JupyterLab's Vega-Lite renderer, none by an image fallback, and the drawn charts inside
 * widgets number the charts the kernel put there (counted from its widget messages); every widget
 * output shows its widget (no "Loading widget..." or "Error displaying widget" left), and a lecture
 * that uses widgets shows one; a screenshot, test-output/browser/lab-NN-name.png. Lectures also
 * check what they show: 05 draws at least two charts, 07's fit view updates in place, 03's weight
 * sliders redraw its chart. Run All times and each lecture kernel's CPU seconds go to
 * test-output/browser/lab-lecture-times.json.
 * GRADBOOK_LAB_AT_ONCE=N runs N lectures at once; GRADBOOK_LAB_SHOTS=all shoots every cell with
 * a chart or a widget.
 *
 * Interrupt, completion kinds, type errors and widgets (slider, button, reload, the playground's
 * train/pause) are checked on a small notebook written here. Screenshots go to test-output/browser/.
 *
 * Notebooks are served from a temporary copy, so autosave never touches the committed ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess, execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { randomBytes } from "crypto";
import { chromium, type Browser, type Locator, type Page } from "playwright-core";
import { ensureKernelspec, freePort, waitForServer } from "./jupyter-server";

const ROOT = path.resolve(__dirname, "..", "..");
const OUT = path.join(ROOT, "test-output", "browser");
const CHROMIUM = "/usr/bin/chromium";
const PY = "/usr/bin/python3";
// Every lecture in notebooks/, so a new one is covered without a change here.
const LECTURES = fs.readdirSync(path.join(ROOT, "notebooks")).filter((f) => /^\d\d-.+\.ipynb$/.test(f)).sort();
// Lectures run two at a time, each in its own page and kernel (a kernel is its own process), and
// each kernel is shut down when its lecture's checks are done, so at most two are alive at once.
const AT_ONCE = Math.max(1, Number(process.env.GRADBOOK_LAB_AT_ONCE ?? 2));
// GRADBOOK_LAB_SHOTS=all: a screenshot of every cell with a chart or widget, not one per lecture.
const ALL_SHOTS = process.env.GRADBOOK_LAB_SHOTS === "all";
const runAllSeconds: Record<string, number> = {};
// The CPU seconds each lecture's kernel used (its process, all threads), which the load of the
// machine does not change the way it changes wall-clock time.
const kernelCpuSeconds: Record<string, number> = {};
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;

/** CPU seconds (user and system) of the kernel process started for kernel `id`, or null where /proc has none. */
function kernelCpu(id: string): number | null {
  for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(`kernel-${id}.json`)) continue;
      const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime and stime, fields 14 and 15 of stat
    } catch {
      // the process ended while being read
    }
  }
  return null;
}
const WIDGETS_NB = "widgets-check.ipynb";
const HOMEWORK = "hw1-logistic-regression";

let server: ChildProcess | null = null;
let browser: Browser | null = null;
let serverLog = "";
let baseUrl = "";
const token = randomBytes(12).toString("hex");
let dir = "";

function notebook(cells: string[]): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: "gradbook", display_name: "TypeScript (gradbook)", language: "typescript" }, language_info: { name: "typescript" } },
    cells: cells.map((source, i) => ({ cell_type: "code", id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
  });
}

// The widget notebook: a slider whose observer records the value and redraws a chart inside an
// Output widget; a button whose callback prints into another Output; then cells for interrupt.
const WIDGET_CELLS = [
  `const lr = new widgets.FloatSlider({ value: 0.5, min: 0, max: 1, step: 0.1, description: "lr" });
const chartOut = new widgets.Output();
let seen = lr.value;
const draw = (v: number) => plot.lineChart({ loss: [1, 1 - v, (1 - v) ** 2, (1 - v) ** 3] }, { title: \`lr \${v.toFixed(1)}\` });
chartOut.capture(() => display(draw(lr.value)));
lr.observe(({ new: v }) => {
  seen = v;
  chartOut.capture(() => { chartOut.clearOutput({ wait: true }); display(draw(v)); });
}, "value");
const clicks = { n: 0 };
const log = new widgets.Output();
const button = new widgets.Button({ description: "count", button_style: "primary" });
button.onClick(() => { clicks.n++; log.capture(() => console.log(\`clicked \${clicks.n}\`)); });
display(new widgets.VBox([lr, chartOut, button, log]));`,
  `let kept = 42;`,
  `for (;;) {}`,
  `kept + 1`,
  `const fine = 1;\nconst wrong: string = fine;\nconsole.log(wrong);`,
  `const pg = new widgets.Playground({ dataset: "xor", hiddenLayers: 1, units: 4, frameMs: 1000 });\npg`,
  // What the lecture checks must catch: a chart kept in an Output widget that is never shown, and an error.
  `const unseen = new widgets.Output();\nunseen.capture(() => display(plot.lineChart({ loss: [3, 2, 1] })));\nthrow new Error("a lesson that breaks");`,
];

beforeAll(async () => {
  // Builds lab/ when its lock or sources changed (about a minute the first time, nothing after).
  execFileSync("bash", [path.join(ROOT, "scripts", "lab-build.sh")], { stdio: "inherit" });
  ensureKernelspec();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gradbook-lab-"));
  const nbDir = path.join(dir, "notebooks");
  fs.mkdirSync(nbDir);
  for (const nb of LECTURES) fs.copyFileSync(path.join(ROOT, "notebooks", nb), path.join(nbDir, nb));
  fs.writeFileSync(path.join(nbDir, WIDGETS_NB), notebook(WIDGET_CELLS));
  // Homework 1 as a student gets it (gradbook assign), for the self-check.
  execFileSync(process.execPath, [path.join(ROOT, "bin", "gradbook.js"), "assign", path.join(ROOT, "homework", "src", `${HOMEWORK}.ts`), "-o", path.join(nbDir, "homework"), "--no-check"], { stdio: "ignore" });
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  server = spawn(PY, [
    "-c", "import gradbook_lab; gradbook_lab.main()",
    "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--ServerApp.token=${token}`, `--ServerApp.root_dir=${nbDir}`,
    // Settings and workspaces of this run only: no saved layout reopens tabs.
    `--GradbookLab.user_settings_dir=${path.join(dir, "settings")}`, `--GradbookLab.workspaces_dir=${path.join(dir, "workspaces")}`,
    ...(process.getuid?.() === 0 ? ["--allow-root"] : []),
  ], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONPATH: path.join(ROOT, "lab") } });
  server.stdout!.on("data", (d) => (serverLog += d));
  server.stderr!.on("data", (d) => (serverLog += d));
  await waitForServer("the JupyterLab server", server, () => serverLog, `${baseUrl}/api/status?token=${token}`, 60_000);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-background-networking"] });
  fs.mkdirSync(OUT, { recursive: true });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => {
      server!.once("exit", r);
      setTimeout(r, 5000);
    });
  }
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens a notebook and waits until JupyterLab is restored and the gradbook kernel is idle. Pages
 * open at once use workspaces of their own, so none saves its layout over another's.
 */
async function open(name: string, workspace = "default"): Promise<Page> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  (page as unknown as { errors: string[] }).errors = errors;
  // The notebook's panel, found by path: other tabs (a restored layout) cannot be taken for it.
  await page.addInitScript((nb) => {
    const w = globalThis as any;
    w.gbPanel = () => [...(w.jupyterapp?.shell.widgets("main") ?? [])].find((p: any) => p.context?.path === nb);
  }, name);
  // ?reset: start from an empty layout, not the one the previous page left.
  await page.goto(`${baseUrl}/lab/${workspace === "default" ? "" : `workspaces/${workspace}/`}tree/${name}?reset&token=${token}`);
  await page.waitForSelector("body[data-gradbook-lab=ready]", { state: "attached", timeout: 90_000 });
  await waitForKernel(page);
  return page;
}

async function waitForKernel(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const panel = (globalThis as any).gbPanel?.();
    const kernel = panel?.sessionContext?.session?.kernel;
    return kernel?.name === "gradbook" && kernel.status === "idle" && kernel.connectionStatus === "connected";
  }, undefined, { timeout: 90_000, polling: 250 });
}

/** Run ▸ Run All Cells, from the menu bar. */
async function runAllFromMenu(page: Page): Promise<void> {
  await page.locator(".lm-MenuBar-item", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-item", { hasText: /^Run All Cells/ }).first().click();
}

/** Waits until every code cell has an execution count and the kernel is idle. */
async function waitForAllRun(page: Page, ms: number): Promise<void> {
  await page.waitForFunction(() => {
    const panel = (globalThis as any).gbPanel();
    const cells = panel.content.widgets.filter((w: any) => w.model.type === "code");
    return panel.sessionContext.session.kernel.status === "idle" && cells.every((c: any) => typeof c.model.executionCount === "number" && !c.promptNode?.textContent?.includes("*"));
  }, undefined, { timeout: ms, polling: 500 });
}

interface CellReport {
  index: number;
  source: string;
  executionCount: number | null;
  outputs: { type: string; mimes: string[]; text: string; ename?: string; name?: string; modelId?: string }[];
  /** The cell's own output nodes, in the order of `outputs`: the renderer's classes, and whether a chart or widget is drawn in it. */
  views: { classes: string; drawn: boolean; widget: boolean; text: string }[];
  /** Vega-Lite views drawn among the cell's own outputs (not inside Output widgets). */
  vegaViews: number;
  /** Images and SVG among the cell's own outputs. */
  fallbacks: number;
  /** Inside the cell's Output widgets: drawn Vega-Lite views, and images or SVG. */
  widgetVegaViews: number;
  widgetFallbacks: number;
  /** Widget outputs still saying "Loading widget..." or "Error displaying widget". */
  widgetLeftovers: string[];
}

/** What each code cell shows: output types and MIME types from the model, renderers from the DOM. */
function cellReports(page: Page): Promise<CellReport[]> {
  return page.evaluate(() => {
    const panel = (globalThis as any).gbPanel();
    const drawnChart = (e: any) => !!e.querySelector("canvas, svg") && e.offsetHeight > 50;
    const inWidget = (e: any) => !!e.parentElement?.closest(".widget-output");
    return panel.content.widgets
      .map((w: any, index: number) => ({ w, index }))
      .filter(({ w }: any) => w.model.type === "code")
      .map(({ w, index }: any) => {
        const own = [...w.outputArea.node.children]
          .filter((c: any) => c.classList.contains("jp-OutputArea-child"))
          .map((c: any) => c.querySelector(":scope > .jp-OutputArea-output") ?? c);
        const all = [...w.node.querySelectorAll(".jp-OutputArea-output")] as any[];
        return {
          index,
          source: w.model.sharedModel.getSource(),
          executionCount: w.model.executionCount ?? null,
          outputs: w.model.outputs.toJSON().map((o: any) => ({
            type: o.output_type,
            mimes: Object.keys(o.data ?? {}),
            text: String(o.text ?? o.evalue ?? o.data?.["text/plain"] ?? ""),
            ename: o.ename,
            name: o.name,
            modelId: o.data?.["application/vnd.jupyter.widget-view+json"]?.model_id,
          })),
          views: own.map((e: any) => ({
            classes: e.className,
            drawn: e.classList.contains("jp-RenderedVegaLite") ? drawnChart(e) : !!e.querySelector(":scope > .jupyter-widgets.lm-Widget"),
            widget: !!e.querySelector(":scope > .jupyter-widgets"),
            text: String(e.textContent ?? "").slice(0, 200),
          })),
          vegaViews: [...w.node.querySelectorAll(".jp-RenderedVegaLite")].filter((e: any) => !inWidget(e) && drawnChart(e)).length,
          fallbacks: [...w.node.querySelectorAll(".jp-OutputArea-output.jp-RenderedSVG, .jp-OutputArea-output.jp-RenderedImage")].filter((e: any) => !inWidget(e)).length,
          widgetVegaViews: [...w.node.querySelectorAll(".widget-output .jp-RenderedVegaLite")].filter(drawnChart).length,
          widgetFallbacks: w.node.querySelectorAll(".widget-output .jp-RenderedSVG, .widget-output .jp-RenderedImage").length,
          widgetLeftovers: all.map((e) => String(e.textContent ?? "").trim()).filter((t) => /^(Loading widget|Error displaying widget)/.test(t)),
        };
      });
  });
}

async function shotOfCell(page: Page, index: number, file: string): Promise<void> {
  await page.evaluate((i) => (globalThis as any).gbPanel().content.widgets[i].node.scrollIntoView({ block: "start" }), index);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(OUT, file) });
}

/** A screenshot with the outputs of cell `index` at the top (and the last lines of its code above them). */
async function shotOfOutputs(page: Page, index: number, file: string): Promise<void> {
  await page.evaluate((i) => {
    const node = (globalThis as any).gbPanel().content.widgets[i].outputArea.node;
    node.scrollIntoView({ block: "start" });
    node.closest(".jp-WindowedPanel-outer")?.scrollBy(0, -80);
  }, index);
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(OUT, file) });
}

const VL = "application/vnd.vegalite.v5+json";

/** Runs code in the page's kernel (as the console would) and returns its text/plain result. */
function kernelValueIn(page: Page, code: string): Promise<string> {
  return page.evaluate(async (code) => {
    const kernel = (globalThis as any).gbPanel().sessionContext.session.kernel;
    let text = "";
    const future = kernel.requestExecute({ code, silent: false, store_history: false });
    future.onIOPub = (msg: any) => {
      if (msg.header.msg_type === "execute_result") text = msg.content.data["text/plain"];
    };
    await future.done;
    return text;
  }, code);
}

/** Drags the handle of the `index`th slider under `scope` with the mouse to `fraction` of its track. */
async function dragSlider(page: Page, scope: Locator, fraction: number, index = 0): Promise<void> {
  await scope.locator(".widget-slider").nth(index).scrollIntoViewIfNeeded();
  const handle = (await scope.locator(".widget-slider .noUi-handle").nth(index).boundingBox())!;
  const track = (await scope.locator(".widget-slider .noUi-base").nth(index).boundingBox())!;
  const y = handle.y + handle.height / 2;
  await page.mouse.move(handle.x + handle.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(track.x + fraction * track.width, y, { steps: 8 });
  await page.mouse.up();
}

/** The pixels of the `n`th Vega-Lite canvas inside Output widgets of cell `cell` (null while there is none). */
function widgetCanvas(page: Page, cell: number, n = 0): Promise<string | null> {
  return page.evaluate(([cell, n]) => {
    const node = (globalThis as any).gbPanel().content.widgets[cell].node;
    const canvases = [...node.querySelectorAll(".widget-output .jp-RenderedVegaLite canvas")] as any[];
    return canvases[n]?.toDataURL() ?? null;
  }, [cell, n] as const);
}

/** Runs at most `n` of the functions given to it at once, the others in the order they came. */
function limiter(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (f) => {
    if (running >= n) await new Promise<void>((r) => queue.push(r));
    else running++;
    try {
      return await f();
    } finally {
      const next = queue.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * Counts, from the kernel's IOPub messages, display updates (fit's live view) and the outputs each
 * Output widget holds (the kernel syncs them as the widget's `outputs` state), so the charts drawn
 * inside widgets can be counted against the charts the kernel put there.
 */
function watchKernel(page: Page): Promise<void> {
  return page.evaluate(() => {
    const w = globalThis as any;
    w.gbUpdates = 0;
    w.gbOutputWidgets = {};
    w.gbPanel().sessionContext.session.kernel.iopubMessage.connect((_: unknown, msg: any) => {
      const type = msg.header.msg_type;
      const c = msg.content;
      if (type === "update_display_data") w.gbUpdates++;
      else if (type === "comm_open" && c.target_name === "jupyter.widget" && c.data?.state?._model_name === "OutputModel") w.gbOutputWidgets[c.comm_id] = c.data.state.outputs ?? [];
      else if (type === "comm_msg" && c.comm_id in w.gbOutputWidgets && c.data?.method === "update" && c.data.state?.outputs) w.gbOutputWidgets[c.comm_id] = c.data.state.outputs;
      else if (type === "comm_close") delete w.gbOutputWidgets[c.comm_id];
    });
  });
}

/** The Vega-Lite outputs the kernel has put in Output widgets (by their synced state). */
function chartsInOutputWidgets(page: Page): Promise<number> {
  return page.evaluate(() => Object.values((globalThis as any).gbOutputWidgets as Record<string, any[]>).flat().filter((o) => o.data?.["application/vnd.vegalite.v5+json"]).length);
}

/** Like waitForAllRun, but a run that does not finish names the cells still waiting and the kernel's state. */
async function waitForRunAll(page: Page, name: string, ms: number): Promise<void> {
  try {
    await waitForAllRun(page, ms);
  } catch (e) {
    const state = await page.evaluate(() => {
      const panel = (globalThis as any).gbPanel();
      return {
        kernel: panel.sessionContext.session?.kernel?.status ?? "gone",
        waiting: panel.content.widgets.map((w: any, i: number) => ({ w, i })).filter(({ w }: any) => w.model.type === "code" && typeof w.model.executionCount !== "number").map(({ i }: any) => i),
      };
    }).catch(() => null);
    throw new Error(`${name}: Run All did not finish within ${ms / 1000} s` + (state ? ` (the kernel is ${state.kernel}; cells without an execution count: ${state.waiting.join(", ") || "none"})` : "") + `\n${e}`);
  }
}

/** Everything wrong with a lecture after Run All, in words: each item names the cell. */
function problems(cells: CellReport[], chartsExpectedInWidgets: number, pageErrors: string[]): string[] {
  const out: string[] = [];
  const firstLine = (c: CellReport) => `cell ${c.index} (${JSON.stringify(c.source.split("\n")[0].slice(0, 60))})`;
  for (const c of cells) {
    if (typeof c.executionCount !== "number") out.push(`${firstLine(c)} has no execution count`);
    for (const o of c.outputs) {
      if (o.type === "error") out.push(`${firstLine(c)} shows an error: ${o.ename}: ${o.text}`);
      if (o.type === "stream" && o.name === "stderr" && /Error/.test(o.text)) out.push(`${firstLine(c)} wrote an error to stderr: ${o.text.slice(0, 300)}`);
    }
    if (c.views.length !== c.outputs.length) out.push(`${firstLine(c)} has ${c.outputs.length} outputs but JupyterLab shows ${c.views.length}`);
    c.outputs.forEach((o, k) => {
      const v = c.views[k];
      if (!v) return;
      if (o.mimes.includes(VL)) {
        if (!/\bjp-RenderedVegaLite\b/.test(v.classes)) out.push(`${firstLine(c)}: chart output ${k} is drawn by "${v.classes}", not the Vega-Lite renderer`);
        else if (!v.drawn) out.push(`${firstLine(c)}: chart output ${k} has the Vega-Lite renderer but no drawn chart`);
      }
      if (o.modelId && !v.drawn) out.push(`${firstLine(c)}: widget output ${k} shows no widget: ${JSON.stringify(v.text.slice(0, 100))}`);
    });
    for (const t of c.widgetLeftovers) out.push(`${firstLine(c)}: a widget output still reads ${JSON.stringify(t.slice(0, 100))}`);
    if (c.widgetFallbacks) out.push(`${firstLine(c)}: ${c.widgetFallbacks} image(s) inside Output widgets, where charts are drawn by the Vega-Lite renderer`);
  }
  const inWidgets = cells.reduce((n, c) => n + c.widgetVegaViews, 0);
  if (inWidgets !== chartsExpectedInWidgets) out.push(`Output widgets hold ${chartsExpectedInWidgets} Vega-Lite chart(s) but ${inWidgets} are drawn`);
  for (const e of pageErrors) out.push(`the page threw: ${e}`);
  return out;
}

/** Shuts the page's kernel down (as Kernel ▸ Shut Down Kernel does) and returns the CPU seconds it used. */
async function shutDownKernel(page: Page): Promise<number | null> {
  const id = await page.evaluate(() => (globalThis as any).gbPanel().sessionContext.session.kernel.id as string);
  const cpu = kernelCpu(id);
  await page.evaluate(() => (globalThis as any).gbPanel().sessionContext.shutdown());
  const listed = async () => ((await (await fetch(`${baseUrl}/api/kernels?token=${token}`)).json()) as { id: string }[]).some((k) => k.id === id);
  for (const until = Date.now() + 20_000; await listed(); await new Promise((r) => setTimeout(r, 250))) {
    if (Date.now() > until) throw new Error(`the kernel ${id} still runs 20 s after the notebook's session was shut down`);
  }
  return cpu;
}

type Expect = typeof expect;

/** Checks a lecture asks for beyond the ones every lecture gets, run on its page after Run All. */
const LECTURE_CHECKS: Record<string, (page: Page, cells: CellReport[], expect: Expect) => Promise<void>> = {
  "05-activations-and-losses": async (page, cells, expect) => {
    const charts = cells.filter((c) => c.outputs.some((o) => o.mimes.includes(VL)));
    expect(charts.length).toBeGreaterThanOrEqual(2);
    await shotOfCell(page, charts[0].index, "lab-05-activations.png");
    await shotOfCell(page, charts[charts.length - 1].index, "lab-05-losses.png");
  },

  // fit's live view updates in place: the first fit cell shows one live chart, replaced as the
  // epochs go, not one chart per epoch.
  "07-training": async (page, cells, expect) => {
    expect(await page.evaluate(() => (globalThis as any).gbUpdates as number)).toBeGreaterThanOrEqual(3);
    const fit = cells.find((c) => /await model\.fit\(/.test(c.source))!;
    expect(fit).toBeDefined();
    expect(fit.outputs.filter((o) => o.mimes.includes(VL))).toHaveLength(1);
    expect(fit.vegaViews).toBe(1);
    await shotOfCell(page, fit.index, "lab-07-fit.png");
  },

  // Moving a weight slider redraws the perceptron's regions and its count of mistakes.
  "03-perceptrons-and-xor": async (page, cells, expect) => {
    const explorer = cells.find((c) => /widgets\.interactive\(/.test(c.source))!;
    expect(explorer).toBeDefined();
    const cell = page.locator(".jp-Notebook .jp-Cell").nth(explorer.index);
    await page.evaluate((i) => (globalThis as any).gbPanel().content.widgets[i].node.scrollIntoView({ block: "start" }), explorer.index);
    await expect.poll(() => widgetCanvas(page, explorer.index), { timeout: 30_000 }).not.toBeNull();
    const before = await widgetCanvas(page, explorer.index);
    await expect.poll(() => cell.locator(".widget-output").first().textContent(), { timeout: 15_000 }).toContain("AND: 1 of 4 points misclassified");
    await page.screenshot({ path: path.join(OUT, "lab-03-perceptron-before.png") });
    // The bias w₀ (the third slider) from 0 to its right end, 3: every corner is now answered 1.
    await dragSlider(page, cell, 1, 2);
    await expect.poll(() => kernelValueIn(page, "perceptronExplorer.controls.w0.value"), { timeout: 15_000 }).toBe("3");
    await expect.poll(() => cell.locator(".widget-output").first().textContent(), { timeout: 15_000 }).toContain("AND: 3 of 4 points misclassified");
    await expect.poll(async () => { const now = await widgetCanvas(page, explorer.index); return now !== null && now !== before; }, { timeout: 15_000 }).toBe(true);
    await page.screenshot({ path: path.join(OUT, "lab-03-perceptron-after.png") });
  },
};

/**
 * Opens a lecture, runs it with Run ▸ Run All Cells and checks what a student sees: the run ends,
 * no cell shows an error, every chart the kernel sent (in a cell or in an Output widget) is drawn
 * by the Vega-Lite renderer, every widget is shown. Then the lecture's own checks, a screenshot,
 * and the kernel is shut down.
 */
async function runLecture(nb: string, expect: Expect): Promise<void> {
  const stem = nb.replace(/\.ipynb$/, "");
  const page = await open(nb, stem);
  try {
    await watchKernel(page);
    const start = Date.now();
    await runAllFromMenu(page);
    await waitForRunAll(page, stem, 300_000);
    runAllSeconds[stem] = Math.round((Date.now() - start) / 100) / 10;
    // The last redraws land (widgets' outputs, vega's asynchronous drawing).
    const settled = async () => {
      const cells = await cellReports(page);
      return problems(cells, await chartsInOutputWidgets(page), []);
    };
    for (const until = Date.now() + 20_000; Date.now() < until && (await settled()).length; ) await page.waitForTimeout(500);
    const cells = await cellReports(page);
    const found = problems(cells, await chartsInOutputWidgets(page), (page as unknown as { errors: string[] }).errors);
    expect(found, `${stem}: what is wrong after Run All`).toEqual([]);
    const shown = (c: CellReport) => c.outputs.some((o) => o.mimes.includes(VL) || o.modelId);
    if (/\bwidgets\.\w+/.test(cells.map((c) => c.source).join("\n"))) {
      expect(cells.filter((c) => c.outputs.some((o) => o.modelId)).length, `${stem} uses widgets but shows none`).toBeGreaterThan(0);
    }
    await LECTURE_CHECKS[stem]?.(page, cells, expect);
    const rich = cells.filter(shown);
    if (ALL_SHOTS) for (const c of rich) await shotOfOutputs(page, c.index, `lab-${stem}-cell${c.index}.png`);
    await shotOfOutputs(page, (rich[0] ?? cells[cells.length - 1]).index, `lab-${stem}.png`);
    const cpu = await shutDownKernel(page);
    if (cpu !== null) kernelCpuSeconds[stem] = Math.round(cpu * 10) / 10;
  } finally {
    await page.close();
  }
}

describe("JupyterLab 4 (lab/ build) in Chromium", () => {
  describe("every lecture, run with Run All from the Run menu", () => {
    const slot = limiter(AT_ONCE);
    afterAll(() => {
      if (!Object.keys(runAllSeconds).length) return;
      fs.writeFileSync(path.join(OUT, "lab-lecture-times.json"), JSON.stringify({ atOnce: AT_ONCE, runAllSeconds, kernelCpuSeconds }, null, 1) + "\n");
      const list = (r: Record<string, number>) => Object.entries(r).map(([k, v]) => `${k.slice(0, 2)} ${v}`).join(", ");
      console.log(`Run All, seconds (${AT_ONCE} at once): ${list(runAllSeconds)}\nkernel CPU, seconds: ${list(kernelCpuSeconds)}`);
    });
    for (const nb of LECTURES) {
      const stem = nb.replace(/\.ipynb$/, "");
      // The slot's own waits carry the time limits (and say what did not finish); this one only backs them up.
      it.concurrent(`${stem}: Run All finishes without an error; every chart is drawn by the Vega-Lite renderer and every widget shows`, ({ expect }) => slot(() => runLecture(nb, expect)), 1_800_000);
    }
  });

  describe("on a notebook written here", () => {
    let page: Page;
    beforeAll(async () => {
      page = await open(WIDGETS_NB);
    }, 120_000);
    afterAll(async () => {
      await page?.close();
    });

    const kernelValue = (code: string) => kernelValueIn(page, code);

    const runCell = async (index: number) => {
      await page.evaluate(async (i) => {
        const app = (globalThis as any).jupyterapp;
        const panel = (globalThis as any).gbPanel();
        app.shell.activateById(panel.id);
        panel.content.activeCellIndex = i;
        panel.content.mode = "command";
        // Not awaited: the command settles when the cell ends, and a cell may never end.
        void app.commands.execute("notebook:run-cell");
      }, index);
    };

    /** Drags the first slider's handle with the mouse to `fraction` of its track. */
    const dragSliderTo = (fraction: number) => dragSlider(page, page.locator("body"), fraction);

    const canvasOf = () => page.evaluate(() => ((globalThis as any).document.querySelector(".jp-OutputArea-output .widget-output .jp-RenderedVegaLite canvas") as any)?.toDataURL() ?? null);

    it("shows widgets; moving the slider changes the kernel's value and redraws the chart", async () => {
      await runCell(0);
      const slider = page.locator(".widget-slider .noUi-handle").first();
      await slider.waitFor({ timeout: 30_000 });
      await page.waitForFunction(() => !!(globalThis as any).document.querySelector(".widget-output .jp-RenderedVegaLite canvas"), undefined, { timeout: 30_000 });
      const before = await canvasOf();
      expect(await kernelValue("seen")).toBe("0.5");
      await dragSliderTo(0.7);
      await expect.poll(() => kernelValue("seen"), { timeout: 15_000 }).toBe("0.7");
      expect(await kernelValue("lr.value")).toBe("0.7");
      await expect.poll(async () => (await canvasOf()) !== null && (await canvasOf()) !== before, { timeout: 15_000 }).toBe(true);
      await expect.poll(() => page.locator(".widget-slider .widget-readout").first().textContent()).toBe("0.70");
      await page.screenshot({ path: path.join(OUT, "lab-widgets-slider.png") });
    }, 120_000);

    it("runs a button's callback, whose output lands in its Output widget", async () => {
      await page.locator(".widget-button", { hasText: "count" }).click();
      await page.locator(".widget-button", { hasText: "count" }).click();
      await expect.poll(() => kernelValue("clicks.n"), { timeout: 15_000 }).toBe("2");
      await expect.poll(() => page.locator(".widget-output").nth(1).textContent(), { timeout: 15_000 }).toContain("clicked 2");
      await page.screenshot({ path: path.join(OUT, "lab-widgets-button.png") });
    }, 60_000);

    it("keeps the widgets' state across a page reload", async () => {
      await page.evaluate(() => (globalThis as any).jupyterapp.commands.execute("docmanager:save"));
      await page.waitForTimeout(1000);
      await page.reload();
      await page.waitForSelector("body[data-gradbook-lab=ready]", { state: "attached", timeout: 90_000 });
      await waitForKernel(page);
      await expect.poll(() => page.locator(".widget-slider .widget-readout").first().textContent(), { timeout: 30_000 }).toBe("0.70");
      await expect.poll(() => page.locator(".widget-output").nth(1).textContent(), { timeout: 15_000 }).toContain("clicked 2");
      await page.waitForFunction(() => !!(globalThis as any).document.querySelector(".widget-output .jp-RenderedVegaLite canvas"), undefined, { timeout: 30_000 });
      // The restored views are live: the slider still drives the kernel.
      await dragSliderTo(0.6);
      await expect.poll(() => kernelValue("seen"), { timeout: 15_000 }).toBe("0.6");
      await page.screenshot({ path: path.join(OUT, "lab-widgets-after-reload.png") });
    }, 150_000);

    it("stops a running cell with the interrupt button and keeps the kernel's variables", async () => {
      await runCell(1);
      await runCell(2);
      await page.waitForFunction(() => (globalThis as any).gbPanel().sessionContext.session.kernel.status === "busy", undefined, { timeout: 15_000 });
      await page.waitForTimeout(500);
      await page.locator('.jp-NotebookPanel-toolbar .jp-Toolbar-item[data-jp-item-name="interrupt"]').first().click();
      await page.waitForFunction(() => (globalThis as any).gbPanel().sessionContext.session.kernel.status === "idle", undefined, { timeout: 20_000 });
      const cells = await cellReports(page);
      expect(cells[2].outputs.filter((o) => o.type === "error").map((o) => o.text)).toEqual([expect.stringMatching(/interrupted/)]);
      await runCell(3);
      await expect.poll(async () => (await cellReports(page))[3].outputs.map((o) => o.text), { timeout: 15_000 }).toEqual(["43"]);
      await shotOfCell(page, 2, "lab-interrupt.png");
    }, 90_000);

    it("shows a type error as an error output at the cell's own line", async () => {
      await runCell(4);
      await expect.poll(async () => (await cellReports(page))[4].outputs.map((o) => o.type), { timeout: 20_000 }).toEqual(["error"]);
      const [err] = (await cellReports(page))[4].outputs;
      expect(err.text).toMatch(/^line 2, column 7: Type 'number' is not assignable to type 'string'/);
      await expect.poll(() => page.locator(".jp-Cell").nth(4).locator(".jp-OutputArea-output").textContent()).toContain("const wrong: string = fine;");
      await shotOfCell(page, 4, "lab-type-error.png");
    }, 60_000);

    it("trains the playground from its train button, redraws the loss curve as it goes, and stops on pause", async () => {
      await runCell(5);
      const cell = page.locator(".jp-Notebook .jp-Cell").nth(5);
      const toggle = cell.locator(".widget-toggle-button");
      await toggle.waitFor({ timeout: 30_000 });
      await cell.scrollIntoViewIfNeeded();
      // The cell's Output widgets: the decision boundary (0) and the loss curve (1).
      await expect.poll(() => widgetCanvas(page, 5, 1), { timeout: 30_000 }).not.toBeNull();
      // A redraw every second while it trains (frameMs): the first picture and two more.
      const seen = new Set([await widgetCanvas(page, 5, 1)]);
      await toggle.click();
      await expect.poll(async () => {
        const now = await widgetCanvas(page, 5, 1);
        if (now !== null) seen.add(now);
        return seen.size;
      }, { timeout: 30_000, interval: 200 }).toBeGreaterThanOrEqual(3);
      expect(await kernelValue("pg.playing")).toBe("true");
      await expect.poll(() => toggle.textContent()).toContain("pause");
      await page.screenshot({ path: path.join(OUT, "lab-playground-training.png") });
      await toggle.click();
      await expect.poll(() => kernelValue("pg.playing"), { timeout: 15_000 }).toBe("false");
      await expect.poll(() => toggle.textContent()).toContain("train");
      const epoch = await kernelValue("pg.epoch");
      expect(Number(epoch)).toBeGreaterThan(0);
      await page.waitForTimeout(1000); // the redraw at the pause lands
      const last = await widgetCanvas(page, 5, 1);
      await page.waitForTimeout(1500);
      expect(await kernelValue("pg.epoch")).toBe(epoch);
      expect(await widgetCanvas(page, 5, 1)).toBe(last);
      await page.screenshot({ path: path.join(OUT, "lab-playground-paused.png") });
    }, 120_000);

    it("the checks each lecture gets name an error and a chart that is not drawn", async () => {
      await watchKernel(page);
      await runCell(6);
      await expect.poll(async () => (await cellReports(page))[6].outputs.map((o) => o.type), { timeout: 20_000 }).toEqual(["error"]);
      const cell = (await cellReports(page))[6];
      expect(problems([cell], await chartsInOutputWidgets(page), [])).toEqual([
        `cell 6 (${JSON.stringify("const unseen = new widgets.Output();")}) shows an error: Error: a lesson that breaks`,
        "Output widgets hold 1 Vega-Lite chart(s) but 0 are drawn",
      ]);
    }, 60_000);

    // JupyterLab drops a completion reply that takes longer than its provider timeout (1 s by
    // default) without a word; the first completion of a session waits for the kernel's language
    // warm-up, so the course's JupyterLab waits 10 s (lab/settings/overrides.json).
    it("completes library members with Tab, listing them with their kinds", async () => {
      const typeAndTab = async (source: string) => {
        await page.evaluate((source) => {
          const panel = (globalThis as any).gbPanel();
          panel.content.activeCell.model.sharedModel.setSource(source);
          panel.content.mode = "edit";
        }, source);
        await page.locator(".jp-Notebook .jp-Cell.jp-mod-active .cm-content").click();
        await page.keyboard.press("End");
        await page.keyboard.press("Tab");
      };
      const item = (label: string) => page.locator(".jp-Completer-item", { has: page.locator(".jp-Completer-match", { hasText: new RegExp(`^${label}$`) }) });
      const kindOf = async (label: string) => {
        await item(label).waitFor({ timeout: 20_000 });
        return [await item(label).getAttribute("title"), await item(label).locator(".jp-Completer-typeExtended").textContent()];
      };
      await page.evaluate(async () => {
        const app = (globalThis as any).jupyterapp;
        const panel = (globalThis as any).gbPanel();
        app.shell.activateById(panel.id);
        panel.content.activeCellIndex = panel.content.widgets.length - 1;
        await app.commands.execute("notebook:insert-cell-below");
      });
      await waitForKernel(page);
      await typeAndTab("nn.");
      expect(await kindOf("Dense")).toEqual(["class", "class"]);
      expect(await kindOf("binaryCrossEntropy")).toEqual(["function", "function"]);
      expect(await page.locator(".jp-Completer-item").count()).toBeGreaterThan(20);
      await page.screenshot({ path: path.join(OUT, "lab-completion.png") });
      await page.keyboard.press("Escape");
      await expect.poll(() => page.locator(".jp-Completer").first().isVisible()).toBe(false);

      await typeAndTab("tensor([1, 2]).");
      expect(await kindOf("matmul")).toEqual(["function", "function"]);
      expect(await kindOf("shape")).toEqual(["property", "property"]);
      await page.screenshot({ path: path.join(OUT, "lab-completion-tensor.png") });
      await page.keyboard.press("Escape");

      // One match is listed too; a second Tab inserts it.
      await typeAndTab("plot.plotAct");
      expect(await kindOf("plotActivations")).toEqual(["function", "function"]);
      await page.keyboard.press("Tab");
      await expect.poll(() => page.evaluate(() => (globalThis as any).gbPanel().content.activeCell.model.sharedModel.getSource()), { timeout: 20_000 }).toBe("plot.plotActivations");
    }, 60_000);
  });
  // What a student sees of the self-check: each test cell's table drawn as HTML by JupyterLab,
  // failing tests that say what to do, and `await check("q1")` passing once q1 is answered.
  describe("a homework's self-check in the student version", () => {
    let page: Page;
    const nb = `homework/${HOMEWORK}.ipynb`;
    beforeAll(async () => {
      page = await open(nb, "homework");
    }, 120_000);
    afterAll(async () => {
      await page?.close();
    });

    /** The rows of the check tables drawn in code cell `index` (or in every cell): [question, test, points, result, message]. */
    const tableRows = (index: number | null) =>
      page.evaluate((i) => {
        const panel = (globalThis as any).gbPanel();
        const nodes = i === null ? [panel.content.node] : [panel.content.widgets[i].node];
        return nodes.flatMap((n: any) => [...n.querySelectorAll(".jp-RenderedHTMLCommon table.gradbook-check tbody tr")])
          .map((tr: any) => [...tr.querySelectorAll("td")].map((td: any) => String(td.textContent).trim()));
      }, index);

    it("draws every test cell's table, each failing test saying what to write; answering q1 makes check(\"q1\") pass", async () => {
      await runAllFromMenu(page);
      await waitForAllRun(page, 180_000);
      const rows = await tableRows(null);
      expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(["q1", "q2", "q3", "q4", "q5"]));
      expect(rows.every((r) => r[3] === "✗ fail" && /^0\//.test(r[2]))).toBe(true);
      expect(rows.find((r) => r[0] === "q1")![4]).toMatch(/not implemented yet \(q1\): replace the line throw new Error\("not implemented: q1"\) with your code/);
      await shotOfOutputs(page, (await cellReports(page)).find((c) => c.source.startsWith('await tests("q1"'))!.index, "lab-self-check-student.png");

      // The student answers q1, runs the answer, then asks for q1's tests in a new cell.
      const cells = await cellReports(page);
      const answer = cells.find((c) => c.source.includes('throw new Error("not implemented: q1")'))!;
      await page.evaluate(async ({ i }) => {
        const app = (globalThis as any).jupyterapp;
        const panel = (globalThis as any).gbPanel();
        app.shell.activateById(panel.id);
        const cell = panel.content.widgets[i];
        const src = cell.model.sharedModel.getSource();
        cell.model.sharedModel.setSource(src.replace(/throw new Error\("not implemented: q1"\);?/, "return z.neg().exp().add(1).reciprocal();"));
        panel.content.activeCellIndex = i;
        panel.content.mode = "command";
        await app.commands.execute("notebook:run-cell");
        panel.content.activeCellIndex = panel.content.widgets.length - 1;
        await app.commands.execute("notebook:insert-cell-below");
        panel.content.activeCell.model.sharedModel.setSource('await check("q1")');
        await app.commands.execute("notebook:run-cell");
      }, { i: answer.index });
      const last = await page.evaluate(() => (globalThis as any).gbPanel().content.widgets.length - 1);
      await expect.poll(async () => (await tableRows(last)).length, { timeout: 60_000 }).toBeGreaterThan(0);
      const q1 = await tableRows(last);
      expect(q1.length).toBeGreaterThan(1);
      expect(q1.every((r) => r[0] === "q1" && r[3] === "✓ pass" && r[4] === "")).toBe(true);
      const total = await page.evaluate((i) => [...(globalThis as any).gbPanel().content.widgets[i].node.querySelectorAll("table.gradbook-check tfoot td")].map((td: any) => String(td.textContent).trim()).filter(Boolean), last);
      expect(total).toEqual(["total", "2/2"]);
      await shotOfOutputs(page, last, "lab-self-check-q1.png");
    }, 300_000);
  });
});
