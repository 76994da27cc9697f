/**
 * Classes over HTTP. Staff (signed in) under /api/classes: an instructor or an
 * admin creates a class; its instructor or an admin shows, runs and ends it and
 * says who helps in it (class-staff.ts); a helper (an assistant, or another
 * instructor, granted the class) sees it read-only; a class nobody granted the
 * viewer is 404, as if it did not exist. Learners, without an account,
 * under /api/join and /api/membership: see what a code opens, join with a display
 * name, list the classes they joined; their identity is the browser's
 * X-Drydock-Learner header. Wrong codes are limited per client address.
 * `classAdminRoutes` gives the operator's admin API (`drydock classes`) the same.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod/mini';
import { LEARNER_HEADER } from '../../protocol/learner-id.ts';
import {
  CLASS_ID,
  MEMBER_ACTIONS,
  MEMBER_ID,
  MemberActionResultSchema,
  ForgottenMemberSchema,
  type ForgottenMember,
  type MemberActionResult,
  ClassDetailSchema,
  ClassListSchema,
  ClassPreviewSchema,
  ClassSummarySchema,
  BroadcastBodySchema,
  BroadcastResultSchema,
  CapacityQuerySchema,
  ClassCapacitySchema,
  type CapacityQuery,
  type ClassCapacity,
  CreateClassBodySchema,
  EndedClassSchema,
  JoinBodySchema,
  MembershipListSchema,
  MembershipSchema,
  type BroadcastBody,
  type BroadcastResult,
  type ClassDetail,
  type ClassList,
  type ClassPreview,
  type CreateClassBody,
  type EndedClass,
  type JoinBody,
  type Membership,
  type MembershipList,
} from '../../protocol/classes.ts';
import { ClassProgressSchema, type ClassProgress } from '../../protocol/class-progress.ts';
import { clientOf, identityOf } from '../admission/client-id.ts';
import { accessTo } from '../classes/class-access.ts';
import type { MemberAction, Viewer } from '../classes/class-directory.ts';
import { ClassError } from '../classes/class-rules.ts';
import { AppError } from '../errors.ts';
import { asAppError, translated } from './class-errors.ts';
import { classStaffRoutes } from './class-staff.ts';
import { presentClasses, presentMember, presentMembership, presentPreview } from './class-views.ts';

/**
 * Wrong join codes one client address may send per window. A room of learners
 * behind one address mistyping now and then stays far below it; a guesser gets
 * 20 tries in 10 minutes out of 2^40 codes.
 */
export const WRONG_CODES_PER_ADDRESS = 20;
export const WRONG_CODES_WINDOW_MS = 10 * 60_000;

const classParams = z.object({ id: z.string().check(z.regex(CLASS_ID)) });
const memberParams = z.object({
  id: z.string().check(z.regex(CLASS_ID)),
  memberId: z.string().check(z.regex(MEMBER_ID)),
  action: z.enum(MEMBER_ACTIONS),
});
const memberOnlyParams = z.object({
  id: z.string().check(z.regex(CLASS_ID)),
  memberId: z.string().check(z.regex(MEMBER_ID)),
});
const codeParams = z.object({ code: z.string().check(z.maxLength(64)) });

/** The operator's admin API acts as an admin: every class. */
const OPERATOR: Viewer = { userId: '', role: 'admin' };

/** The staff routes for one kind of caller: a signed-in user, or the operator. */
function staffRoutes(
  viewerOf: (request: FastifyRequest) => Promise<Viewer>,
  /** Who signs a broadcast: the signed-in user's name, or the operator. */
  senderOf: (request: FastifyRequest) => Promise<string>,
) {
  return async (app: FastifyInstance) => {
    const { classes } = app;
    const detail = async (viewer: Viewer, id: string): Promise<ClassDetail> => {
      const visible = await translated(() => classes.access(viewer, id));
      const [summary] = await presentClasses(app, [visible]);
      const roster = (await classes.members(visible.record)).map(presentMember);
      return { ...summary!, roster };
    };

    app.get(
      '/classes',
      { schema: { response: { 200: ClassListSchema } } },
      async (request): Promise<ClassList> => ({
        classes: await presentClasses(app, await classes.list(await viewerOf(request))),
      }),
    );

    app.get<{ Querystring: CapacityQuery }>(
      '/classes/capacity',
      {
        schema: {
          querystring: CapacityQuerySchema,
          response: { 200: ClassCapacitySchema },
        },
      },
      async (request, reply): Promise<ClassCapacity> => {
        // Whether a class would fit is for those who create classes (and tells of others').
        const viewer = await viewerOf(request);
        if (viewer.role === 'assistant')
          throw new AppError(
            'ROLE_REQUIRED',
            'This needs the role instructor or admin: an assistant creates no classes.',
          );
        const { labs, size, opensAt, closesAt } = request.query;
        reply.header('cache-control', 'no-store');
        return translated(() =>
          classes.capacity(viewer, {
            labs: labs.split(',').map((slug) => slug.trim()),
            expectedSize: Number(size),
            ...(opensAt ? { opensAt: new Date(opensAt) } : {}),
            ...(closesAt ? { closesAt: new Date(closesAt) } : {}),
          }),
        );
      },
    );

    app.get<{ Params: { id: string } }>(
      '/classes/:id',
      { schema: { params: classParams, response: { 200: ClassDetailSchema } } },
      async (request) => detail(await viewerOf(request), request.params.id),
    );

    app.get<{ Params: { id: string } }>(
      '/classes/:id/progress',
      { schema: { params: classParams, response: { 200: ClassProgressSchema } } },
      async (request, reply): Promise<ClassProgress> => {
        const record = await translated(async () =>
          classes.find(await viewerOf(request), request.params.id),
        );
        reply.header('cache-control', 'no-store');
        return classes.progress(record);
      },
    );

    app.post<{ Params: { id: string; memberId: string; action: MemberAction } }>(
      '/classes/:id/members/:memberId/:action',
      { schema: { params: memberParams, response: { 200: MemberActionResultSchema } } },
      async (request): Promise<MemberActionResult> => {
        const { id, memberId, action } = request.params;
        const viewer = await viewerOf(request);
        const done = await translated(() => classes.actOnMember(viewer, id, memberId, action));
        request.log.info(
          { class: id, member: memberId, action, sessions: done.sessions },
          'an instructor acted on a learner’s sandbox',
        );
        return { sessions: done.sessions };
      },
    );

    app.delete<{ Params: { id: string; memberId: string } }>(
      '/classes/:id/members/:memberId',
      {
        schema: {
          params: memberOnlyParams,
          response: { 200: ForgottenMemberSchema },
        },
      },
      async (request): Promise<ForgottenMember> => {
        const { id, memberId } = request.params;
        const viewer = await viewerOf(request);
        const done = await translated(() => classes.forgetMember(viewer, id, memberId));
        request.log.info(
          { class: id, member: memberId, sessionsDeleted: done.sessionsDeleted },
          'a learner’s records were deleted',
        );
        return done;
      },
    );

    app.get<{ Params: { id: string } }>(
      '/classes/:id/results.csv',
      { schema: { params: classParams } },
      async (request, reply) => {
        const viewer = await viewerOf(request);
        const record = await translated(() =>
          classes.managed(viewer, request.params.id, 'download its results'),
        );
        const day = new Date(record.opensAt).toISOString().slice(0, 10);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="class-${record.id}-${day}.csv"`)
          .header('cache-control', 'no-store')
          .send(await classes.resultsCsv(record));
      },
    );

    app.post<{ Params: { id: string }; Body: BroadcastBody }>(
      '/classes/:id/broadcast',
      {
        schema: {
          params: classParams,
          body: BroadcastBodySchema,
          response: { 200: BroadcastResultSchema },
        },
      },
      async (request): Promise<BroadcastResult> => {
        const viewer = await viewerOf(request);
        const from = await senderOf(request);
        const delivered = await translated(() =>
          classes.broadcast(viewer, request.params.id, from, request.body.message),
        );
        request.log.info({ class: request.params.id, delivered }, 'broadcast to a class');
        return { delivered };
      },
    );

    app.post<{ Params: { id: string } }>(
      '/classes/:id/end',
      { schema: { params: classParams, response: { 200: EndedClassSchema } } },
      async (request): Promise<EndedClass> => {
        const viewer = await viewerOf(request);
        const ended = await translated(() => classes.end(viewer, request.params.id));
        request.log.info({ class: ended.class.id, sessions: ended.sessionsEnded }, 'class ended');
        const { access } = await classes.access(viewer, ended.class.id);
        const [summary] = await presentClasses(app, [{ record: ended.class, access }]);
        return { class: summary!, sessionsEnded: ended.sessionsEnded };
      },
    );

    await app.register(classStaffRoutes(viewerOf));
  };
}

/** Staff and learner routes under /api. */
export async function classRoutes(app: FastifyInstance): Promise<void> {
  const { classes, accounts } = app;
  const staff = accounts.requireRole('instructor', 'admin', 'assistant');
  const owners = accounts.requireRole('instructor', 'admin');
  const viewerOf = async (request: FastifyRequest): Promise<Viewer> => {
    const who = await accounts.signedIn(request);
    // requireRole ran first: only a signed-in staff user gets here.
    if (!who) throw new AppError('NOT_SIGNED_IN');
    return { userId: who.user.id, role: who.user.role, groups: who.user.groups };
  };

  await app.register(async (scope) => {
    // Before validation: a stranger's malformed body is 401, not a hint about the schema.
    scope.addHook('preValidation', staff);
    scope.post<{ Body: CreateClassBody }>(
      '/classes',
      {
        // An assistant only helps in classes others made.
        preValidation: owners,
        schema: {
          body: CreateClassBodySchema,
          response: { 201: ClassSummarySchema },
        },
      },
      async (request, reply) => {
        const viewer = await viewerOf(request);
        const body = request.body;
        const record = await translated(() =>
          classes.create(viewer, {
            name: body.name,
            labs: body.labs,
            opensAt: new Date(body.opensAt),
            closesAt: new Date(body.closesAt),
            expectedSize: body.expectedSize,
          }),
        );
        request.log.info(
          { class: record.id, labs: record.labs, expected: record.expectedSize },
          'class created',
        );
        const [summary] = await presentClasses(app, [
          { record, access: accessTo(viewer, record, undefined)! },
        ]);
        return reply.code(201).send(summary);
      },
    );
    await scope.register(
      staffRoutes(viewerOf, async (request) => {
        const who = await accounts.signedIn(request);
        return who?.user.displayName || who?.user.username || 'Your instructor';
      }),
    );
  });

  const wrongCodes = app.createRateLimit({
    max: WRONG_CODES_PER_ADDRESS,
    timeWindow: WRONG_CODES_WINDOW_MS,
    keyGenerator: (request) => `join-code:${clientOf(request.ip)}`,
  });
  /** Refuses a client that guessed too often; counts this request's code if it opens no class. */
  const guarded = async <T>(request: FastifyRequest, work: () => Promise<T>): Promise<T> => {
    const peek = await wrongCodes(request, { increment: false });
    if (!peek.isAllowed && peek.remaining <= 0)
      throw new AppError(
        'RATE_LIMITED',
        `Too many wrong class codes from your address. Try again in ${peek.ttlInSeconds} s.`,
        { retryAfter: peek.ttlInSeconds },
      );
    try {
      return await work();
    } catch (error) {
      if (error instanceof ClassError && error.kind === 'not-found') {
        await wrongCodes(request);
        throw new AppError('JOIN_CODE_UNKNOWN', error.message);
      }
      throw asAppError(error);
    }
  };
  /** The learner identity the browser sent; joining needs one (it is what keeps the place). */
  const learnerOf = (request: FastifyRequest): string => {
    const { learner } = identityOf(request);
    if (!learner.startsWith('learner:'))
      throw new AppError(
        'BAD_REQUEST',
        `Joining a class needs the browser's learner identity (the ${LEARNER_HEADER} header the site sends).`,
        { details: { field: LEARNER_HEADER } },
      );
    return learner;
  };

  /** The labs of a class this learner is shown: not those kept for groups they are not signed in with. */
  const shownTo = async (request: FastifyRequest) => {
    const reader = await app.visibility.readerOf(request);
    return (slug: string) => {
      const lab = app.labs.lab(slug);
      return lab === undefined || app.visibility.mayOpen(reader, lab);
    };
  };

  app.get<{ Params: { code: string } }>(
    '/join/:code',
    { schema: { params: codeParams, response: { 200: ClassPreviewSchema } } },
    async (request): Promise<ClassPreview> =>
      presentPreview(
        app,
        await guarded(request, () => classes.byCode(request.params.code)),
        await shownTo(request),
      ),
  );

  app.post<{ Body: JoinBody }>(
    '/join',
    {
      schema: {
        body: JoinBodySchema,
        response: { 200: MembershipSchema },
      },
    },
    async (request): Promise<Membership> => {
      const learner = learnerOf(request);
      const { code, displayName } = request.body;
      const joined = await guarded(request, () => classes.join(code, learner, displayName));
      request.log.info({ class: joined.class.id, member: joined.member.id }, 'joined a class');
      return presentMembership(app, joined.class, joined.member, await shownTo(request));
    },
  );

  app.get(
    '/membership',
    { schema: { response: { 200: MembershipListSchema } } },
    async (request, reply): Promise<MembershipList> => {
      // Personal: never from a shared cache.
      reply.header('cache-control', 'no-store');
      const found = await classes.memberships(learnerOf(request));
      const shown = await shownTo(request);
      return {
        memberships: found.map(({ class: record, member }) =>
          presentMembership(app, record, member, shown),
        ),
      };
    },
  );
}

/** The operator's view under /api/admin (behind its token): every class, and ending one. */
export const classAdminRoutes = staffRoutes(
  async () => OPERATOR,
  async () => 'The operator',
);
