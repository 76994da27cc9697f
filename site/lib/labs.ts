/**
 * Small helpers shared by the pages that show labs and lessons.
 */
import type { RenderedLab } from './labs-loader.ts';

type BadgeVariant = 'note' | 'tip' | 'caution' | 'danger' | 'success' | 'default';

const DIFFICULTY: Record<RenderedLab['difficulty'], { text: string; variant: BadgeVariant }> = {
  beginner: { text: 'Beginner', variant: 'success' },
  intermediate: { text: 'Intermediate', variant: 'caution' },
  advanced: { text: 'Advanced', variant: 'danger' },
};

export function difficultyBadge(difficulty: RenderedLab['difficulty']) {
  return DIFFICULTY[difficulty];
}

export function labHref(slug: string): string {
  return `/labs/${slug}/`;
}

/** A docs collection id (`lessons/x`) to its page (`/lessons/x/`). */
export function lessonHref(id: string): string {
  return `/${id.replace(/^\/+|\/+$/g, '')}/`;
}
