/**
 * Who may do what in one class, in one place: an admin everything in every
 * class; the class's instructor everything in theirs; staff the instructor
 * granted (an assistant, or another instructor) see it, and watch its learners'
 * terminals only if granted that too; anyone else nothing, not even that it
 * exists. Free of HTTP and of the store: the directory asks with what it read.
 */
import type { ClassAccess } from '../../protocol/class-staff.ts';
import type { ClassRecord, StaffGrant } from '../store/class-store.ts';
import type { Viewer } from './class-directory.ts';

/**
 * This viewer's rights in the class, or undefined when they have none. Only an
 * instructor owns the classes they created: an account later made an assistant
 * keeps none of the owner's rights, unless someone grants it the class.
 */
export function accessTo(
  viewer: Viewer,
  record: ClassRecord,
  grant: StaffGrant | undefined,
): ClassAccess | undefined {
  if (viewer.role === 'admin') return { role: 'admin', mayWatch: true, mayAct: true };
  if (viewer.role === 'instructor' && record.ownerId === viewer.userId)
    return { role: 'owner', mayWatch: true, mayAct: true };
  if (grant && grant.userId === viewer.userId && grant.classId === record.id)
    return { role: 'staff', mayWatch: grant.mayWatch, mayAct: false };
  return undefined;
}
