import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';

// Browser tests run against the real `holdfast` binary (HOLDFAST_BIN, built by `make test-e2e`)
// in Debian's Chromium; Playwright's own browser download does not work on these machines.
//
// Every test file gets a fresh server (see tests/fixtures.ts). The server is a worker-scoped
// fixture, and Playwright reuses one worker for several files of the same project, so each
// test file is made its own project below: a new worker, hence a new server, per file.

const testDir = path.join(__dirname, 'tests');

const specFiles = fs
  .readdirSync(testDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.spec.ts'))
  .sort();

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export default defineConfig({
  testDir,
  workers: 1,
  retries: 0,
  reporter: 'list',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  outputDir: path.join(__dirname, 'test-results'),
  use: {
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  projects: specFiles.map((file) => ({
    name: file,
    testMatch: new RegExp(`^${escapeRegExp(path.join(testDir, file))}$`),
  })),
});
