// Actions and "My tasks": the owner plans an action with the five
// questions of clause 6.2, sees it overdue (in red, with an icon and the
// word), records progress and completes it with evidence; then the asset
// register and its import dry run. Every page passes an accessibility check.
import { test, expect, checkA11y } from './fixtures';

const owner = { name: 'Olivia Owner', email: 'olivia@acme.test', password: 'correct horse battery staple' };

test.describe.configure({ mode: 'serial' });

test('plan, follow and complete an action; assets and import', async ({ page, server }) => {
  await page.goto(server.setupURL);
  await page.locator('input[name="org_name"]').fill('Acme Ltd');
  await page.locator('input[name="owner_name"]').fill(owner.name);
  await page.locator('input[name="email"]').fill(owner.email);
  await page.locator('input[name="password"]').fill(owner.password);
  await page.locator('input[name="password_confirm"]').fill(owner.password);
  await page.locator('input[name="time_zone"]').fill('Europe/London');
  await page.getByRole('button', { name: 'Create organisation and sign in' }).click();
  await expect(page).toHaveURL(/\/o\/acme-ltd\/$/);

  // My tasks is in the navigation for everyone and starts empty.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'My tasks' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('My tasks');
  await expect(page.locator('main')).toContainText('Nothing on your list');
  await checkA11y(page);

  // The form asks the five questions; a missing title is named.
  await nav.getByRole('link', { name: 'Actions', exact: true }).click();
  await checkA11y(page);
  await page.getByRole('link', { name: 'Add action' }).first().click();
  await expect(page.getByLabel('Resources needed')).toBeVisible();
  await expect(page.getByLabel('How results will be evaluated')).toBeVisible();
  await page.getByLabel('Resources needed').fill('Two hours of IT time');
  await page.getByRole('button', { name: 'Add action' }).click();
  await expect(page.locator('.error-summary')).toContainText('What will be done');
  await expect(page.getByLabel('Resources needed')).toHaveValue('Two hours of IT time');
  await checkA11y(page);

  await page.getByLabel('What will be done').fill('Turn on multi-factor authentication for email');
  await page.getByLabel('Responsible').selectOption({ label: `${owner.name} (${owner.email})` });
  await page.getByLabel('Due date').fill('2020-03-31');
  await page.getByLabel('How results will be evaluated').fill('The admin console shows MFA on for every mailbox');
  await page.getByRole('button', { name: 'Add action' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Turn on multi-factor authentication');
  const overdue = page.locator('main .overdue').first();
  await expect(overdue).toContainText('31 Mar 2020');
  await expect(overdue).toContainText('(overdue)');
  await expect(overdue.locator('svg')).toHaveCount(1);
  await checkA11y(page);

  // It is on My tasks, marked overdue.
  await nav.getByRole('link', { name: 'My tasks' }).click();
  await expect(page.locator('table.data')).toContainText('Turn on multi-factor authentication');
  await expect(page.locator('table.data .overdue')).toContainText('(overdue)');

  // Progress note, then done: evidence is required.
  await page.getByRole('link', { name: 'Turn on multi-factor authentication for email' }).click();
  await page.getByLabel('New note').fill('Finance mailboxes done first.');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.locator('#notes')).toContainText('Finance mailboxes done first.');
  await page.getByRole('button', { name: 'Mark as done' }).click();
  await expect(page.locator('.error-summary')).toContainText('Say what shows the action was done');
  await checkA11y(page);
  await page.getByLabel('Completion evidence').fill('Admin console report saved in the IT folder');
  await page.getByRole('button', { name: 'Mark as done' }).click();
  await expect(page.locator('.flash')).toContainText('is done');
  await expect(page.locator('main')).toContainText('Completed on');
  await nav.getByRole('link', { name: 'My tasks' }).click();
  await expect(page.locator('main')).toContainText('Nothing on your list');

  // Assets: add one, then check an import file with a mistake in a dry run.
  await nav.getByRole('link', { name: 'Assets' }).click();
  await checkA11y(page);
  await page.getByRole('link', { name: 'Add the first asset' }).click();
  await page.getByLabel('Name').fill('Email service');
  await page.getByLabel('Type').selectOption({ label: 'Service' });
  await page.getByRole('button', { name: 'Add asset' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Email service');
  await checkA11y(page);

  await nav.getByRole('link', { name: 'Assets' }).click();
  await page.getByRole('link', { name: 'Import' }).click();
  await checkA11y(page);
  await page.getByLabel('Excel or CSV file').setInputFiles({
    name: 'assets.csv', mimeType: 'text/csv',
    buffer: Buffer.from('name,type,depends_on\nLaptops,hardware,Ghost\nMailbox archive,information,Email service\n'),
  });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await expect(page.locator('.error-summary')).toContainText('1 row has problems');
  await expect(page.locator('table.data').first()).toContainText('No asset in the register or in the file is called Ghost');
  await checkA11y(page);
  await page.getByLabel('Excel or CSV file').setInputFiles({
    name: 'assets.csv', mimeType: 'text/csv',
    buffer: Buffer.from('name,type,depends_on\nLaptops,hardware,\nMailbox archive,information,Email service\n'),
  });
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByRole('button', { name: 'Import all 2 rows' }).click();
  await expect(page.locator('.flash')).toContainText('Import done: 2 assets added');
  await expect(page.locator('table.data')).toContainText('Mailbox archive');
});
