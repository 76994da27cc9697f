/**
 * How a class's window and state read on the class pages, in the reader's own
 * time zone and language (the server sends UTC).
 */
import type { ClassPreview, ClassState } from '../../protocol/classes.ts';

export const STATE_LABELS: Record<ClassState, string> = {
  upcoming: 'Not started yet',
  open: 'Open now',
  closed: 'Over',
  ended: 'Ended',
};

const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** "Dec 4, 2026, 9:00 AM – 12:00 PM", the date written once when the window is within a day. */
export function classWindow(details: Pick<ClassPreview, 'opensAt' | 'closesAt'>): string {
  const opens = new Date(details.opensAt);
  const closes = new Date(details.closesAt);
  const sameDay = opens.toDateString() === closes.toDateString();
  return `${day.format(opens)} – ${sameDay ? time.format(closes) : day.format(closes)}`;
}
