/** The instructor's live dashboard (/classes/live/), as tests drive it in Chromium. */
import type { Locator, Page } from 'playwright-core';

/** The grid's row of the learner shown as `name`. */
export const learnerRow = (dashboard: Page, name: string): Locator =>
  dashboard.locator('[data-testid="class-grid"] tbody tr').filter({
    has: dashboard.locator('.name', { hasText: name }),
  });

/**
 * Resets the learner's lab from their row's More menu (accepting the confirmation)
 * and waits until the dashboard and the learner's own page both say so.
 */
export async function resetFromDashboard(
  dashboard: Page,
  name: string,
  learner: Page,
): Promise<void> {
  const row = learnerRow(dashboard, name);
  dashboard.once('dialog', (dialog) => void dialog.accept());
  await row.locator('summary').click();
  await row.getByRole('button', { name: 'Reset the lab' }).click();
  await dashboard
    .getByTestId('act-status')
    .getByText(new RegExp(`${name}’s lab was reset`))
    .waitFor();
  await learner.waitForFunction(
    () =>
      /reset this lab/i.test(
        document.querySelector('[data-testid="lab-status"]')?.textContent ?? '',
      ),
    undefined,
    { timeout: 15_000 },
  );
}
