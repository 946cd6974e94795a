// What the browser tests stand on: Postfix's smtp-sink for mail, an ivrcast node in its own
// process on the real broker, the operator's admin API, simulated calls, and Debian's Chromium.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, statSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const env = {
  binary: need("IVRCAST_BINARY"),
  /** Whether the binary honours IVRCAST_FAULT_* (CMake's IVRCAST_FAULT_INJECTION). */
  faultInjection: process.env.IVRCAST_FAULT_INJECTION === "1",
  webRoot: need("IVRCAST_WEB_ROOT"),
  brokers: need("IVRCAST_TEST_BROKERS"),
  artifacts: process.env.IVRCAST_E2E_ARTIFACTS ?? join(tmpdir(), "ivrcast-e2e-artifacts"),
  chromium: process.env.IVRCAST_CHROMIUM ?? "/usr/bin/chromium",
};

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (the test runs from ctest: ctest -R e2e)`);
  return v;
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function eventually<T>(what: string | (() => string), check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}${last ? ": " + String(last) : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** SIGTERM to a child still running, and its exit. */
async function terminate(p: ChildProcess | undefined): Promise<void> {
  if (p && p.exitCode === null) {
    p.kill("SIGTERM");
    await exited(p);
  }
}

function exited(p: ChildProcess): Promise<number | null> {
  return p.exitCode !== null ? Promise.resolve(p.exitCode) : new Promise((r) => p.once("exit", (code) => r(code)));
}

/** Postfix's smtp-sink on loopback, one file per mail. */
export class MailSink {
  private proc?: ChildProcess;
  readonly dir = mkdtempSync(join(tmpdir(), "ivrcast-e2e-mail-"));
  port = 0;

  async start(): Promise<void> {
    chmodSync(this.dir, 0o777);
    this.port = await freePort();
    const args = ["-d", join(this.dir, "%M."), `127.0.0.1:${this.port}`, "32"];
    if (process.getuid?.() === 0) args.unshift("-u", "nobody");  // smtp-sink refuses root
    this.proc = spawn("smtp-sink", args, { stdio: "ignore" });
    await eventually("smtp-sink to accept connections", () => canConnect(this.port), 10000);
  }

  /** The decoded bodies of the mails to `address`, oldest first. */
  mailsTo(address: string): string[] {
    return readdirSync(this.dir)
      .map((f) => join(this.dir, f))
      .map((p) => ({ p, t: statSync(p).mtimeMs, text: readFileSync(p, "latin1") }))
      .filter((m) => m.text.includes(`X-Rcpt-Args: <${address}>`))
      .sort((a, b) => a.t - b.t)
      .map((m) => {
        const start = m.text.indexOf("\r\n\r\n", m.text.indexOf("Content-Transfer-Encoding"));
        const body = start >= 0 ? m.text.slice(start + 4) : m.text.slice(m.text.indexOf("\n\n") + 2);
        return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ""), "base64").toString("utf8");
      });
  }

  /** Waits for the `count`-th mail to `address` and returns the value after `label` in it. */
  async field(address: string, count: number, label: string): Promise<string> {
    const body = await eventually(`mail #${count} to ${address}`, () => {
      const m = this.mailsTo(address);
      return m.length >= count ? m[count - 1] : undefined;
    });
    const line = body.split(/\r?\n/).find((l) => l.includes(label));
    if (!line) throw new Error(`no "${label}" in the mail to ${address}:\n${body}`);
    return line.slice(line.indexOf(label) + label.length).trim();
  }

  async stop(): Promise<void> {
    await terminate(this.proc);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
    s.connect(port, "127.0.0.1");
  });
}

/** An ivrcast node (`ivrcast run`) with the portal, on a fresh topic prefix of the real broker. */
export class NodeProcess {
  readonly dir = mkdtempSync(join(tmpdir(), "ivrcast-e2e-node-"));
  readonly config = join(this.dir, "node.conf");
  readonly adminToken = "e2e-operator-token-0123456789";
  private proc?: ChildProcess;
  private log = "";
  base = "";

  async start(mailPort: number): Promise<void> {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    const unique = `e2e-${process.pid}-${Date.now()}`;
    writeFileSync(
      this.config,
      [
        "node.id = e2e-node",
        `node.data_dir = ${join(this.dir, "data")}`,
        "node.log_level = info",
        `kafka.brokers = ${env.brokers}`,
        `kafka.topic_prefix = ${unique}.`,
        "kafka.partitions = 2",
        `kafka.group_id = g-${unique}`,
        `sms.group_id = gs-${unique}`,
        "sms.simulate_carriers = true",
        // The source tree's data: the test runs in the source directory.
        "sms.number_ranges = config/carriers/number_ranges.csv",
        "sms.ported = config/carriers/ported.csv",
        "smtp.templates = config/mail",
        "sms.simulator_mix = delivered=1",
        `http.listen = 127.0.0.1:${port}`,
        `http.public_url = ${this.base}`,
        `http.web_root = ${env.webRoot}`,
        `http.admin_token = ${this.adminToken}`,
        `smtp.url = smtp://127.0.0.1:${mailPort}`,
        "security.logins_per_minute = 1000",
        "security.argon2_mem_kib = 8192",
        "demo.summary_interval_s = 1",
        "",
      ].join("\n"),
    );
    mkdirSync(env.artifacts, { recursive: true });
    await this.spawn({});
  }

  /**
   * Stops the node (SIGTERM) and starts it again on the same data, topics and port, with
   * `extraEnv` in its environment (IVRCAST_FAULT_* in test builds).
   */
  async restart(extraEnv: Record<string, string>): Promise<void> {
    await terminate(this.proc);
    await this.spawn(extraEnv);
  }

  private async spawn(extraEnv: Record<string, string>): Promise<void> {
    this.proc = spawn(env.binary, ["run", "--config", this.config], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...extraEnv } });
    const keep = (b: Buffer) => {
      this.log += b.toString();
      if (this.log.length > 4_000_000) this.log = this.log.slice(-2_000_000);
    };
    this.proc.stdout?.on("data", keep);
    this.proc.stderr?.on("data", keep);
    await eventually(
      "the node's HTTP API",
      async () => {
        if (this.proc?.exitCode !== null) throw new Error("the node exited:\n" + this.log.slice(-3000));
        const r = await fetch(this.base + "/v1/health");
        return r.ok;
      },
      120000,
    );
  }

  /** What the node has logged (its last 2-4 MB). */
  logText(): string {
    return this.log;
  }

  /** The operator's admin API (bearer token). */
  async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await fetch(this.base + path, {
      method,
      headers: { Authorization: `Bearer ${this.adminToken}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /**
   * Simulated calls (`ivrcast sim`) to the targets' number, as `mix` says, dated `backdateS`
   * seconds ago; resolves when every call has finished.
   */
  async placeCalls(targetsFile: string, calls: number, mix: string, backdateS = 0): Promise<string> {
    const p = spawn(
      env.binary,
      ["sim", "--config", this.config, "--calls", String(calls), "--rate", "20", "--mix", mix, "--backdate-s", String(backdateS), "--seconds", "120"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, IVRCAST_FLOWS_FILE: targetsFile } },
    );
    let out = "";
    p.stdout?.on("data", (b: Buffer) => (out += b.toString()));
    p.stderr?.on("data", (b: Buffer) => (out += b.toString()));
    const code = await exited(p);
    if (code !== 0) throw new Error(`ivrcast sim exited ${code}:\n${out}`);
    const m = out.match(/RESULT started=(\d+) finished=(\d+)/);
    if (!m || Number(m[2]) !== calls) throw new Error(`not every simulated call finished:\n${out}`);
    return out;
  }

  async stop(): Promise<void> {
    await terminate(this.proc);
    writeFileSync(join(env.artifacts, "node.log"), this.log);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Debian's Chromium, headless, as the machine's closed network needs it. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--autoplay-policy=no-user-gesture-required",
      "--lang=ja-JP",
    ],
    // Date inputs take their format from the browser's own language, as a Japanese user's would.
    // The file-system locale stays UTF-8 (ja_JP.UTF-8 is rarely generated on a test machine, and
    // under the C locale Chromium cannot name a download 配信ログ_….csv and calls it "download").
    env: { ...process.env, LANG: "C.UTF-8", LANGUAGE: "ja" },
  });
}

export async function newPage(browser: Browser, base: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1280, height: 800 },
    locale: "ja-JP",
    timezoneId: "Asia/Tokyo",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20000);
  watch(page);
  return { context, page };
}

/**
 * What went wrong in the browser since the last failed step: its console errors, uncaught
 * exceptions, requests that failed and answers of 400 or more. Printed with a failure, as a CI
 * run keeps no screenshots.
 */
const trail: string[] = [];

function remember(line: string): void {
  trail.push(`${new Date().toISOString()} ${line}`);
  if (trail.length > 200) trail.splice(0, trail.length - 200);
}

function watch(page: Page): void {
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") remember(`console.${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => remember(`page error: ${e.message}`));
  page.on("requestfailed", (r) => remember(`request failed: ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ""}`));
  page.on("response", (r) => {
    if (r.status() >= 400) remember(`answer ${r.status()}: ${r.request().method()} ${r.url()}`);
  });
}

/** The browser's trail since the last call, and the node's warnings and errors (last 40). */
export function diagnosis(node: NodeProcess): string {
  const browser = trail.splice(0, trail.length);
  const warnings = node
    .logText()
    .split("\n")
    .filter((l) => /level=(warning|error|critical)/.test(l))
    .slice(-40);
  return [
    "browser (console errors, failed requests, answers >= 400):",
    ...(browser.length ? browser : ["(nothing)"]),
    "node (warnings and errors, last 40):",
    ...(warnings.length ? warnings : ["(nothing)"]),
  ].join("\n  ");
}

/** A screenshot of the whole screen as the user sees it at 1280×800. */
export async function shot(page: Page, name: string): Promise<void> {
  const dir = join(env.artifacts, "screenshots");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, name + ".png") });
}

/** A WAV file: 8 kHz μ-law mono by default (the portal's rule), or another format to refuse. */
export function wav(opts: { rate?: number; format?: "mulaw" | "pcm16"; seconds?: number } = {}): Buffer {
  const rate = opts.rate ?? 8000;
  const pcm = opts.format === "pcm16";
  const bytesPerSample = pcm ? 2 : 1;
  const samples = Math.round(rate * (opts.seconds ?? 0.5));
  const data = Buffer.alloc(samples * bytesPerSample, pcm ? 0 : 0xff);  // silence (μ-law 0xFF)
  const fmtLen = pcm ? 16 : 18;
  const header = Buffer.alloc(12 + 8 + fmtLen + 8);
  header.write("RIFF", 0);
  header.writeUInt32LE(header.length - 8 + data.length, 4);
  header.write("WAVE", 8);
  header.write("fmt ", 12);
  header.writeUInt32LE(fmtLen, 16);
  header.writeUInt16LE(pcm ? 1 : 7, 20);  // 1 PCM, 7 μ-law
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * bytesPerSample, 28);
  header.writeUInt16LE(bytesPerSample, 32);
  header.writeUInt16LE(pcm ? 16 : 8, 34);
  if (!pcm) header.writeUInt16LE(0, 36);
  header.write("data", 20 + fmtLen);
  header.writeUInt32LE(data.length, 24 + fmtLen);
  return Buffer.concat([header, data]);
}
