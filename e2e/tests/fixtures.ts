// Shared fixtures for the browser tests.
//
//   import { test, expect, checkA11y } from './fixtures';
//
//   test('…', async ({ page, server }) => {
//     await page.goto('/');            // baseURL is the test file's own server
//     await page.goto(server.setupURL); // first-run setup link printed by `holdfast serve`
//     await checkA11y(page);
//   });
//
// `server` is worker-scoped and playwright.config.ts gives every test file its own worker, so
// each test file starts with a fresh, empty Holdfast (new data folder, no users) and the tests in
// one file share it, in order. Playwright replaces the worker after a failed test, so the rest of
// that file then gets another fresh server: do per-file setup (first user, sign-in) in
// test.beforeAll or in a worker fixture, not in the first test.
import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

export type Server = {
  /** http://127.0.0.1:PORT, no trailing slash. */
  baseURL: string;
  /** The first-run setup link the server printed: http://127.0.0.1:PORT/setup?token=… */
  setupURL: string;
  /** The server's --data folder (SQLite database and evidence files). */
  dataDir: string;
  /** Everything the server printed so far (stdout and stderr), for failure messages. */
  output: () => string;
};

const startTimeoutMs = 30_000;

function holdfastBin(): string {
  const bin = process.env.HOLDFAST_BIN || path.resolve(__dirname, '..', '..', '.cache', 'bin', 'holdfast');
  if (!fs.existsSync(bin)) {
    throw new Error(`holdfast binary not found at ${bin}: run the browser tests with \`make test-e2e\`, or set HOLDFAST_BIN`);
  }
  return bin;
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      if (addr === null || typeof addr === 'string') {
        srv.close();
        reject(new Error('could not get a free port'));
        return;
      }
      srv.close(() => resolve(addr.port));
    });
  });
}

async function waitReady(baseURL: string, child: ChildProcess, deadline: number, output: () => string) {
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`holdfast exited (${child.exitCode ?? child.signalCode}) before /readyz answered.\n${output()}`);
    }
    try {
      const res = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
      last = `status ${res.status}: ${(await res.text()).slice(0, 200)}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`GET ${baseURL}/readyz did not return 200 within ${startTimeoutMs} ms (last: ${last}).\n${output()}`);
}

async function startServer(): Promise<{ server: Server; child: ChildProcess }> {
  const bin = holdfastBin();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'holdfast-e2e-'));
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;

  // The server's configuration comes from its flags only, not from the developer's HOLDFAST_*.
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('HOLDFAST_')) env[k] = v;
  }
  const child = spawn(bin, ['serve', '--data', dataDir, '--addr', `127.0.0.1:${port}`], {
    cwd: dataDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const lines: string[] = [];
  const output = () => `--- holdfast serve output ---\n${lines.join('\n')}\n---`;
  readline.createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));

  // Read stdout line by line until the server has announced its URL and the setup link.
  const deadline = Date.now() + startTimeoutMs;
  const setupURL = await new Promise<string>((resolve, reject) => {
    let sawURL = false;
    let setup = '';
    const timer = setTimeout(() => {
      reject(new Error(`holdfast did not print ${sawURL ? 'a /setup?token= link' : baseURL} within ${startTimeoutMs} ms.\n${output()}`));
    }, startTimeoutMs);
    const rl = readline.createInterface({ input: child.stdout! });
    rl.on('line', (line) => {
      lines.push(line);
      if (line.includes(baseURL)) sawURL = true;
      const m = line.match(/https?:\/\/\S+\/setup\?token=[^\s"'<>)]+/);
      if (m && !setup) setup = m[0].replace(/[.,;:]+$/, '');
      if (sawURL && setup) {
        clearTimeout(timer);
        resolve(setup);
      }
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${bin}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`holdfast exited (${code ?? signal}) before printing its URL and setup link.\n${output()}`));
    });
  }).catch(async (err) => {
    await stopServer(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });

  try {
    await waitReady(baseURL, child, deadline, output);
  } catch (err) {
    await stopServer(child);
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return { server: { baseURL, setupURL, dataDir, output }, child };
}

/** Stops the server: SIGTERM, then SIGKILL after 10 s. */
async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<{}, { server: Server }>({
  server: [
    async ({}, use) => {
      const { server, child } = await startServer();
      let died = '';
      child.on('exit', (code, signal) => {
        died = `holdfast exited unexpectedly (${code ?? signal}) while the tests were running.\n${server.output()}`;
      });
      try {
        await use(server);
      } finally {
        const unexpected = died;
        child.removeAllListeners('exit');
        await stopServer(child);
        if (process.env.HOLDFAST_E2E_KEEP) {
          console.log(`holdfast e2e: kept data folder ${server.dataDir}`);
        } else {
          fs.rmSync(server.dataDir, { recursive: true, force: true });
        }
        if (unexpected) throw new Error(unexpected);
      }
    },
    { scope: 'worker', timeout: startTimeoutMs + 15_000 },
  ],

  // page.goto('/…') and request.get('/…') go to this file's server.
  baseURL: async ({ server }, use) => {
    await use(server.baseURL);
  },
});

export { expect };

const a11yTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Runs axe on the page as it is now and fails the test when any WCAG 2.2 AA violation of
 * impact "serious" or "critical" is found, listing each one.
 */
export async function checkA11y(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(a11yTags).analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const listed = blocking.map((v) => {
    const first = v.nodes[0]?.target.map(String).join(' ') ?? '(no element)';
    const more = v.nodes.length > 1 ? ` (+${v.nodes.length - 1} more)` : '';
    return `${v.id} [${v.impact}] ${v.help} — ${first}${more}`;
  });
  expect(listed, `serious or critical accessibility violations on ${page.url()}`).toEqual([]);
}
