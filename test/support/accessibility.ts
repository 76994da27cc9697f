/** Checking pages with axe-core, shared by the accessibility test and `npm run audit:a11y`. */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

/** What we hold every page to: WCAG 2.1, levels A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Waits for what the page's own scripts do after load: Starlight enables the search,
 * Expressive Code gives code blocks that scroll sideways a tab stop (after a short
 * debounce), so keyboard users can scroll them.
 */
export async function settled(page: Page): Promise<void> {
  await page
    .locator('button[data-open-modal]:not([disabled])')
    .first()
    .waitFor({ state: 'attached' });
  await page.waitForFunction(() =>
    [...document.querySelectorAll<HTMLElement>('.expressive-code pre')].every(
      (pre) => pre.scrollWidth <= pre.clientWidth || pre.hasAttribute('tabindex'),
    ),
  );
}

/** The page's violations, one line each: impact, rule, help and the first elements. The page's context must come from browser.newContext(). */
export async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return results.violations.map(
    (v) =>
      `${v.impact} ${v.id}: ${v.help} (${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(', ')})`,
  );
}
