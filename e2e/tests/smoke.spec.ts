import { test, expect } from './fixtures';

// The binary under test starts, prints its URL and setup link, and answers /healthz in a real
// browser: the harness itself works.
test('GET /healthz returns 200', async ({ page, server }) => {
  const res = await page.goto('/healthz');
  expect(res, `no response from ${server.baseURL}/healthz`).not.toBeNull();
  expect(res!.status()).toBe(200);
});
