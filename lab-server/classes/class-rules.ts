/**
 * What makes a class and a learner's display name acceptable, and the error
 * that names the field that broke a rule and how to comply. Free of HTTP: the
 * routes turn a ClassError into 400 with its field, the CLI into its message.
 */
import {
  BROADCAST_MAX,
  CLASS_LABS_MAX,
  CLASS_NAME_MAX,
  DISPLAY_NAME_MAX,
} from '../../protocol/classes.ts';

/**
 * invalid: an input breaks a rule (`field` names it); not-found: no such class
 * (or member, or helper) for this viewer; closed: the class has ended;
 * forbidden: the viewer helps in the class, and only its instructor or an admin
 * may do this.
 */
export type ClassErrorKind = 'invalid' | 'not-found' | 'closed' | 'forbidden';

export class ClassError extends Error {
  readonly kind: ClassErrorKind;
  /** The input that is wrong (for `invalid`): `name`, `labs`, `closesAt`, … */
  readonly field: string | undefined;
  constructor(kind: ClassErrorKind, message: string, field?: string) {
    super(message);
    this.name = 'ClassError';
    this.kind = kind;
    this.field = field;
  }
}

const invalid = (field: string, message: string) => new ClassError('invalid', message, field);

/**
 * Control characters (a name that rewrites a terminal's or a log's line, or
 * breaks a CSV row) and line or paragraph separators; anything else of
 * Unicode is a name someone may have.
 */
const UNPRINTABLE = /[\p{Cc}\u2028\u2029]/u;

/** A broadcast's line: printable, 1 to BROADCAST_MAX characters. */
export function checkBroadcast(message: string): string {
  return checkText('message', 'message', message, BROADCAST_MAX);
}

/** Trimmed, 1 to `max` characters (code points), printable; NFC so one name is one string. */
function checkText(field: string, what: string, text: string, max: number): string {
  const value = text.normalize('NFC').trim();
  if (value.length === 0) throw invalid(field, `Give the ${what}.`);
  if ([...value].length > max)
    throw invalid(field, `The ${what} is too long: at most ${max} characters.`);
  if (UNPRINTABLE.test(value))
    throw invalid(field, `The ${what} may not contain control characters or line breaks.`);
  return value;
}

export function checkDisplayName(text: string): string {
  return checkText('displayName', 'display name', text, DISPLAY_NAME_MAX);
}

export interface ClassInput {
  name: string;
  labs: string[];
  opensAt: Date;
  closesAt: Date;
  expectedSize: number;
}

export interface ClassLimits {
  knownLab: (slug: string) => boolean;
  /** The most learners a class may expect: what the server may run at once (DRYDOCK_MAX_SANDBOXES). */
  maxSize: number;
  now: number;
}

/** A class as it may be created, or a ClassError naming the first field that is wrong. */
export function checkClass(input: ClassInput, limits: ClassLimits): ClassInput {
  const name = checkText('name', 'class’s name', input.name, CLASS_NAME_MAX);
  if (input.labs.length === 0) throw invalid('labs', 'Choose at least one lab.');
  if (input.labs.length > CLASS_LABS_MAX)
    throw invalid('labs', `A class has at most ${CLASS_LABS_MAX} labs.`);
  const unknown = input.labs.filter((slug) => !limits.knownLab(slug));
  if (unknown.length > 0)
    throw invalid('labs', `No lab is called ${unknown.map((s) => `"${s}"`).join(', ')}.`);
  if (new Set(input.labs).size !== input.labs.length)
    throw invalid('labs', 'Each lab may be in a class once.');
  const opens = input.opensAt.getTime();
  const closes = input.closesAt.getTime();
  if (closes <= opens) throw invalid('closesAt', 'The class must close after it opens.');
  if (closes <= limits.now) throw invalid('closesAt', 'The class would close in the past.');
  if (closes - opens > 14 * 86_400_000)
    throw invalid('closesAt', 'A class may last at most 14 days.');
  if (!Number.isInteger(input.expectedSize) || input.expectedSize < 1)
    throw invalid('expectedSize', 'Expect at least one learner.');
  if (input.expectedSize > limits.maxSize)
    throw invalid(
      'expectedSize',
      `This server runs at most ${limits.maxSize} sandboxes at once (DRYDOCK_MAX_SANDBOXES): expect at most ${limits.maxSize} learners.`,
    );
  return { ...input, name };
}
