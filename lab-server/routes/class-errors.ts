/**
 * A class's domain refusals (classes/class-rules.ts) as the API's answers, for
 * every class route: an invalid input 400 with its field, a class that ended
 * 410, a helper asking for what only the instructor may do 403, anything not
 * theirs to see 404.
 */
import { ClassError } from '../classes/class-rules.ts';
import { AppError } from '../errors.ts';

export function asAppError(error: unknown): unknown {
  if (!(error instanceof ClassError)) return error;
  if (error.kind === 'invalid')
    return new AppError('BAD_REQUEST', error.message, {
      ...(error.field === undefined ? {} : { details: { field: error.field } }),
    });
  if (error.kind === 'closed') return new AppError('CLASS_CLOSED', error.message);
  if (error.kind === 'forbidden') return new AppError('CLASS_READ_ONLY', error.message);
  return new AppError('CLASS_NOT_FOUND', error.message);
}

/** Runs the domain's work, its refusals turned into the API's. */
export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asAppError(error);
  }
}
