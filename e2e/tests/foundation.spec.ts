// The first-run journey of a new firm: set up Holdfast from the printed
// link, sign out and in again, add a person, edit them, read the history,
// sign out. Every page visited passes an accessibility check.
import { test, expect, checkA11y } from './fixtures';

const owner = { name: 'Olivia Owner', email: 'olivia@acme.test', password: 'correct horse battery staple' };

test.describe.configure({ mode: 'serial' });

test('setup, sign in, add and edit a person, see history, sign out', async ({ page, server }) => {
  // First-run setup from the one-time link.
  await page.goto(server.setupURL);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Set up Holdfast');
  await checkA11y(page);

  // A mistake first: the form comes back with an error summary and keeps the input.
  await page.locator('input[name="org_name"]').fill('Acme Ltd');
  await page.locator('input[name="owner_name"]').fill(owner.name);
  await page.locator('input[name="email"]').fill(owner.email);
  await page.locator('input[name="password"]').fill('short');
  await page.locator('input[name="password_confirm"]').fill('short');
  await page.getByRole('button', { name: 'Create organisation and sign in' }).click();
  await expect(page.locator('.error-summary')).toBeVisible();
  await expect(page.locator('input[name="org_name"]')).toHaveValue('Acme Ltd');
  await checkA11y(page);

  await page.locator('input[name="password"]').fill(owner.password);
  await page.locator('input[name="password_confirm"]').fill(owner.password);
  await page.locator('input[name="time_zone"]').fill('Europe/London');
  await page.getByRole('button', { name: 'Create organisation and sign in' }).click();
  await expect(page).toHaveURL(/\/o\/acme-ltd\/$/);
  await expect(page.locator('.flash')).toContainText('Acme Ltd is ready');
  await checkA11y(page);

  // The setup link is spent: it now only says setup is done.
  const again = await page.request.get(server.setupURL);
  const body = await again.text();
  expect(body).toContain('Holdfast is already set up');
  expect(body).not.toContain('name="password_confirm"');

  // Sign out, then sign in again; a wrong password gets a generic message.
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await checkA11y(page);
  await page.locator('input[name="email"]').fill(owner.email);
  await page.locator('input[name="password"]').fill('wrong password entirely');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('The email or password is not correct.')).toBeVisible();
  await page.locator('input[name="password"]').fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/o\/acme-ltd\/$/);

  // People: the empty register explains itself and offers the first action.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('People');
  await checkA11y(page);
  await page.getByRole('link', { name: 'Add your first person' }).click();
  await checkA11y(page);

  // Submitting without a name re-renders with the problem named.
  await page.locator('input[name="email"]').fill('pat@acme.test');
  await page.getByRole('button', { name: 'Add person' }).click();
  await expect(page.locator('.error-summary')).toContainText('Name');
  await expect(page.locator('input[name="email"]')).toHaveValue('pat@acme.test');
  await checkA11y(page);

  await page.locator('input[name="name"]').fill('Pat Jones');
  await page.locator('input[name="job_title"]').fill('Bookkeeper');
  await page.locator('input[name="department"]').fill('Finance');
  await page.getByRole('button', { name: 'Add person' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Pat Jones');
  await expect(page.locator('main')).toContainText('Bookkeeper');
  await checkA11y(page);

  // Edit: the change shows on the record and in its history, field by field.
  await page.getByRole('link', { name: 'Edit' }).click();
  await page.locator('input[name="job_title"]').fill('Finance Manager');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.locator('main')).toContainText('Finance Manager');
  const history = page.locator('table.diff', { hasText: 'Finance Manager' });
  await expect(history).toContainText('Job title');
  await expect(history).toContainText('Bookkeeper');
  await expect(history).toContainText('Finance Manager');
  await checkA11y(page);

  // The list finds the person by search.
  await page.goto('/o/acme-ltd/people?q=pat');
  await expect(page.locator('table.data')).toContainText('Pat Jones');
  await page.goto('/o/acme-ltd/people?q=nobody-has-this-name');
  await expect(page.locator('main')).not.toContainText('Pat Jones');

  // Sign out: organisation pages now send us to sign in.
  await page.locator('.user-menu summary').click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/o/acme-ltd/people');
  await expect(page).toHaveURL(/\/login/);
});
