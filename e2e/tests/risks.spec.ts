// Risk management end to end: set up the criteria from a preset and
// approve them, build a small register (one risk refused for a missing
// consequence first), approve a treatment plan as risk owner, accept a
// residual risk above the criteria only with a concession, read the heat
// map and the treatment plan, and export the plan to Excel.
import { test, expect, checkA11y } from './fixtures';

const owner = { name: 'Rita Riskowner', email: 'rita@acme.test', password: 'correct horse battery staple' };

test.describe.configure({ mode: 'serial' });

test('criteria, register, treatment plan approval, acceptance and export', async ({ page, server }) => {
  await page.goto(server.setupURL);
  await page.locator('input[name="org_name"]').fill('Acme Ltd');
  await page.locator('input[name="owner_name"]').fill(owner.name);
  await page.locator('input[name="email"]').fill(owner.email);
  await page.locator('input[name="password"]').fill(owner.password);
  await page.locator('input[name="password_confirm"]').fill(owner.password);
  await page.locator('input[name="time_zone"]').fill('Europe/London');
  await page.getByRole('button', { name: 'Create organisation and sign in' }).click();
  await expect(page).toHaveURL(/\/o\/acme-ltd\/$/);

  // No criteria yet: the register offers the preset suited to the firm's size.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Risks', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(/Risk register/);
  await expect(page.getByText('No risk criteria yet.')).toBeVisible();
  await checkA11y(page);
  await page.getByRole('button', { name: 'Start from the 5 × 5 preset' }).click();
  await expect(page).toHaveURL(/\/risks\/criteria\/edit$/);
  await checkA11y(page);

  // An unpainted matrix cell is refused with the cell named.
  await page.locator('[id="matrix.3.2"]').selectOption('');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.locator('.error-summary')).toContainText('likelihood 3 and consequence 2');
  await page.locator('[id="matrix.3.2"]').selectOption('medium');
  await page.getByRole('button', { name: 'Save draft' }).click();
  await expect(page.locator('.flash')).toContainText('Draft version 1 saved');

  // The owner approves the draft; it is then in force.
  page.on('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Approve and put in force' }).click();
  await expect(page.locator('.flash')).toContainText('Criteria version 1 approved');
  await expect(page.locator('h2 .pill', { hasText: 'In force' })).toBeVisible();
  await checkA11y(page);

  // Add a risk: half a rating is refused, the input is kept.
  await page.goto(server.baseURL + '/o/acme-ltd/risks/new');
  await page.locator('#title').fill('Ransomware encrypts the file server');
  await page.locator('#owner_id').selectOption({ label: owner.name });
  await page.locator('#inherent_likelihood').selectOption('4');
  await page.getByRole('button', { name: 'Add risk' }).click();
  await expect(page.locator('.error-summary')).toContainText('Rate both likelihood and consequence');
  await expect(page.locator('#title')).toHaveValue('Ransomware encrypts the file server');
  await page.locator('[id="inherent_dims.operations"]').selectOption('4');
  await page.locator('[id="inherent_dims.financial"]').selectOption('3');
  await page.locator('#treatment-modify').check();
  await page.locator('#residual_likelihood').selectOption('4');
  await page.locator('[id="residual_dims.operations"]').selectOption('3');
  await page.getByRole('button', { name: 'Add risk' }).click();
  await expect(page.locator('.flash')).toContainText('R-001 added');
  await expect(page.locator('.pill', { hasText: 'Needs treatment' })).toBeVisible();
  await checkA11y(page);

  // A treatment action, then the owner approves the plan.
  await page.locator('summary', { hasText: 'Add treatment action' }).click();
  await page.locator('#title').fill('Offline backups of the file server');
  await page.locator('#responsible_id').selectOption({ label: owner.name });
  await page.locator('#due_date').fill('2030-06-30');
  await page.getByRole('button', { name: 'Add treatment action' }).click();
  await expect(page.locator('.flash')).toContainText('Treatment action added');
  await page.locator('#plan-justification').fill('Backups and patching bring it down to high');
  await page.getByRole('button', { name: 'Approve the treatment plan' }).click();
  await expect(page.locator('.flash')).toContainText('Treatment plan of R-001 approved');

  // Accepting a residual level above the criteria needs a concession.
  await page.locator('#justification').fill('Budget for a second site comes next year');
  await page.getByRole('button', { name: 'Accept the residual risk' }).click();
  await expect(page.locator('.error-summary')).toContainText('Tick the concession box');
  await page.locator('#concession').check();
  await page.locator('#justification').fill('Budget for a second site comes next year');
  await page.getByRole('button', { name: 'Accept the residual risk' }).click();
  await expect(page.locator('.flash')).toContainText('Residual risk of R-001 accepted');
  await expect(page.locator('.pill', { hasText: 'Concession' }).first()).toBeVisible();

  // The heat map counts it in its cell; the cell opens the filtered list.
  await page.goto(server.baseURL + '/o/acme-ltd/risks/heatmap');
  await checkA11y(page);
  await page.locator('svg.heatmap a').first().click();
  await expect(page.locator('.row-count')).toHaveText('1 risk matches');

  // The treatment plan shows the action and the approval, and exports.
  await page.goto(server.baseURL + '/o/acme-ltd/risks/plan');
  await expect(page.getByRole('cell', { name: /Offline backups of the file server/ })).toBeVisible();
  await expect(page.getByText('Plan approved').first()).toBeVisible();
  await checkA11y(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Export to Excel' }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^acme-ltd-risk-treatment-plan-\d{4}-\d{2}-\d{2}\.xlsx$/);
  const path = await download.path();
  expect(path).toBeTruthy();
});
