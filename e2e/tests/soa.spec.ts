// The Statement of Applicability journey: decide on controls (include one
// with a justification, exclude another with a reason), mark the included
// one implemented and back it with an uploaded evidence file, watch the
// consistency warnings change, approve the SoA as version 1 and export it.
// Every page visited passes an accessibility check.
import { test, expect, checkA11y } from './fixtures';
import type { Page } from '@playwright/test';

const owner = { name: 'Olivia Owner', email: 'olivia@acme.test', password: 'correct horse battery staple' };
const org = '/o/acme-ltd';

test.describe.configure({ mode: 'serial' });

/** The number of consistency warnings the SoA page lists. */
async function warningCount(page: Page): Promise<number> {
  await page.goto(`${org}/soa`);
  const text = await page.locator('#warnings-title .row-count').innerText();
  return Number(text.trim());
}

/** Opens a control from the controls list by its reference. */
async function openControl(page: Page, ref: string) {
  await page.goto(`${org}/controls?q=${encodeURIComponent(ref)}`);
  await page.getByRole('link', { name: ref, exact: true }).first().click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(ref);
}

test('decide controls, add evidence, approve and export the SoA', async ({ page, server }) => {
  test.setTimeout(180_000);
  await page.goto(server.setupURL);
  await page.locator('input[name="org_name"]').fill('Acme Ltd');
  await page.locator('input[name="owner_name"]').fill(owner.name);
  await page.locator('input[name="email"]').fill(owner.email);
  await page.locator('input[name="password"]').fill(owner.password);
  await page.locator('input[name="password_confirm"]').fill(owner.password);
  await page.locator('input[name="time_zone"]').fill('Europe/London');
  await page.getByRole('button', { name: 'Create organisation and sign in' }).click();
  await expect(page).toHaveURL(/\/o\/acme-ltd\/$/);

  // A new SoA: every Annex A control is undecided, none approved.
  const start = await warningCount(page);
  expect(start).toBe(93);
  await expect(page.locator('.page-meta')).toContainText('Not approved yet');
  await checkA11y(page);

  await page.goto(`${org}/controls`);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Controls');
  await checkA11y(page);

  // Include A.8.13 with a justification and mark it implemented.
  await openControl(page, 'A.8.13');
  await checkA11y(page);
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await checkA11y(page);
  await page.locator('input[name="decision"][value="included"]').check();
  await page.locator('textarea[name="justification"]').fill('Customer records must survive ransomware.');
  await page.locator('select[name="status"]').selectOption('implemented');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('A.8.13');
  await expect(page.locator('main')).toContainText('Customer records must survive ransomware.');
  await checkA11y(page);
  // Undecided is gone, "implemented without evidence" has come.
  expect(await warningCount(page)).toBe(start);
  await expect(page.locator('.soa-warning-list')).toContainText('no evidence is linked');

  // Exclude A.7.5 with a reason and an explanation.
  await openControl(page, 'A.7.5');
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  await page.locator('input[name="decision"][value="excluded"]').check();
  await page.locator('select[name="exclusion_reason"]').selectOption('out_of_scope');
  await page.locator('textarea[name="exclusion_text"]').fill('We rent serviced offices; the landlord protects the building.');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('main')).toContainText('landlord protects the building');
  expect(await warningCount(page)).toBe(start - 1);

  // Upload a small evidence file linked to A.8.13.
  await openControl(page, 'A.8.13');
  await page.locator(`a[href*="/evidence/new?control="]`).first().click();
  await expect(page.locator('select[name="controls"] option:checked')).toContainText('A.8.13');
  await checkA11y(page);
  await page.locator('input[name="title"]').fill('Restore test March');
  await page.locator('input[name="kind"][value="file"]').check();
  await page.locator('input[name="file"]').setInputFiles({ name: 'restore-test.txt', mimeType: 'text/plain', buffer: Buffer.from('Restore of the CRM database: passed.\n') });
  await page.getByRole('button', { name: 'Add evidence' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Restore test March');
  await expect(page.locator('main')).toContainText('restore-test.txt');
  await expect(page.locator('main')).toContainText('A.8.13');
  await checkA11y(page);
  await page.goto(`${org}/evidence`);
  await expect(page.locator('main')).toContainText('Restore test March');
  await checkA11y(page);

  // The evidence clears the last warning about A.8.13.
  expect(await warningCount(page)).toBe(start - 2);
  await expect(page.locator('.soa-warning-list')).not.toContainText('no evidence is linked');

  // Approve: version 1 appears and the draft matches it.
  page.once('dialog', (d) => d.accept());
  await page.locator('textarea[name="note"]').fill('First approval');
  await page.getByRole('button', { name: 'Approve and publish' }).click();
  await expect(page.locator('.flash')).toContainText('SoA version 1 approved.');
  await expect(page.locator('.page-meta')).toContainText('Matches approved version 1');
  const versions = page.locator('section[aria-labelledby="versions-title"]');
  await expect(versions).toContainText('Version 1');
  await expect(versions).toContainText('First approval');
  await checkA11y(page);

  // Export as Excel: a non-empty download named after the organisation.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.locator('.page-actions').getByRole('link', { name: 'Excel' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^acme-ltd-soa-draft-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const file = await download.path();
  const fs = await import('node:fs');
  expect(fs.statSync(file!).size).toBeGreaterThan(0);

  // The comparison page shows what changed since version 1.
  await page.goto(`${org}/soa/compare?from=1&to=0`);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await checkA11y(page);
});
