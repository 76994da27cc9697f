/**
 * Who helps in a class, over HTTP (docs/api.md, "Who helps in a class"): its
 * instructor or an admin lists, grants, changes and removes the class's
 * helpers under /api/classes/:id/staff; the operator's admin API gets the same
 * under /api/admin/classes/:id/staff. The rules are ClassStaff's.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { CLASS_ID } from '../../protocol/classes.ts';
import {
  ChangeStaffBodySchema,
  GrantStaffBodySchema,
  StaffListSchema,
  USER_ID,
  type ChangeStaffBody,
  type GrantStaffBody,
  type StaffList,
  type StaffMember,
} from '../../protocol/class-staff.ts';
import type { Viewer } from '../classes/class-directory.ts';
import type { StaffMemberRecord } from '../store/class-store.ts';
import { translated } from './class-errors.ts';

const classParams = z.object({ id: z.string().check(z.regex(CLASS_ID)) });
const helperParams = z.object({
  id: z.string().check(z.regex(CLASS_ID)),
  userId: z.string().check(z.regex(USER_ID)),
});
const answer = { 200: StaffListSchema };

function presentStaff(staff: StaffMemberRecord[]): StaffList {
  return {
    staff: staff.map((s): StaffMember => ({
      userId: s.userId,
      username: s.username,
      displayName: s.displayName,
      role: s.role,
      mayWatch: s.mayWatch,
      grantedAt: new Date(s.grantedAt).toISOString(),
      ...(s.disabledAt === null ? {} : { disabled: true as const }),
    })),
  };
}

export function classStaffRoutes(viewerOf: (request: FastifyRequest) => Promise<Viewer>) {
  return async (app: FastifyInstance) => {
    const { staff } = app.classes;

    app.get<{ Params: { id: string } }>(
      '/classes/:id/staff',
      { schema: { params: classParams, response: answer } },
      async (request) => {
        const viewer = await viewerOf(request);
        return presentStaff(await translated(() => staff.list(viewer, request.params.id)));
      },
    );

    app.post<{ Params: { id: string }; Body: GrantStaffBody }>(
      '/classes/:id/staff',
      {
        schema: {
          params: classParams,
          body: GrantStaffBodySchema,
          response: { 200: answer[200], 201: answer[200] },
        },
      },
      async (request, reply) => {
        const viewer = await viewerOf(request);
        const { username, mayWatch = false } = request.body;
        const done = await translated(() =>
          staff.grant(viewer, request.params.id, username, mayWatch),
        );
        request.log.info(
          { class: request.params.id, helper: username, mayWatch, added: done.added },
          'granted a helper to a class',
        );
        return reply.code(done.added ? 201 : 200).send(presentStaff(done.staff));
      },
    );

    app.patch<{ Params: { id: string; userId: string }; Body: ChangeStaffBody }>(
      '/classes/:id/staff/:userId',
      {
        schema: {
          params: helperParams,
          body: ChangeStaffBodySchema,
          response: answer,
        },
      },
      async (request) => {
        const viewer = await viewerOf(request);
        const { id, userId } = request.params;
        const { mayWatch } = request.body;
        const after = await translated(() => staff.change(viewer, id, userId, mayWatch));
        request.log.info({ class: id, helper: userId, mayWatch }, 'changed a class helper’s grant');
        return presentStaff(after);
      },
    );

    app.delete<{ Params: { id: string; userId: string } }>(
      '/classes/:id/staff/:userId',
      { schema: { params: helperParams, response: answer } },
      async (request) => {
        const viewer = await viewerOf(request);
        const { id, userId } = request.params;
        const after = await translated(() => staff.remove(viewer, id, userId));
        request.log.info({ class: id, helper: userId }, 'took a helper off a class');
        return presentStaff(after);
      },
    );
  };
}
