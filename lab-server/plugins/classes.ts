/**
 * Classes as a Fastify part: the class directory over the store, with the
 * warm pool's reservations, the session manager's ending and the machine's
 * capacity (what admission measures) wired in. When the app is ready, every
 * current class's reservation is made again (the pool keeps reservations in
 * memory only); each ends a grace after its class opens. `now` is the classes'
 * clock (a test moves it).
 */
import fp from 'fastify-plugin';
import { pruneHourly } from './hourly-prune.ts';
import { ClassDirectory, type Viewer } from '../classes/class-directory.ts';
import { machineFacts } from '../classes/class-capacity.ts';
import { ClassWarming } from '../classes/warm-reservations.ts';

declare module 'fastify' {
  interface FastifyInstance {
    classes: ClassDirectory;
  }
}

export const classesPlugin = fp<{ now?: (() => number) | undefined }>(
  async (app, options) => {
    const { config } = app;
    const now = options.now ?? Date.now;
    const knownLab = (slug: string) => app.labs.lab(slug) !== undefined;
    const mayUseLab = (viewer: Viewer, slug: string) => {
      const lab = app.labs.lab(slug);
      return (
        lab !== undefined &&
        app.visibility.mayOpen({ role: viewer.role, groups: viewer.groups ?? [] }, lab)
      );
    };
    const liveSessionsOf = (learners: ReadonlySet<string>, labs: readonly string[]) =>
      app.sessions
        .list()
        .filter((s) => s.live && s.learner !== null && learners.has(s.learner))
        .filter((s) => labs.includes(s.lab.slug));
    const warming = new ClassWarming({
      reserve: (lab, size, readyBy) => app.pool.reserve(lab, size, readyBy),
      cap: Math.min(config.warm.max, config.maxSandboxes),
      knownLab,
      graceMs: config.warm.classGraceMs,
      now,
    });
    const classes = new ClassDirectory({
      store: app.store.classes,
      accounts: app.store.accounts,
      knownLab,
      mayUseLab,
      maxSize: config.maxSandboxes,
      warming,
      now,
      machine: async () => {
        const [host, reading] = await Promise.all([
          app.capacity.probe.facts(),
          app.capacity.meter.read(),
        ]);
        return machineFacts(config, host, reading ? [...reading.sandboxes.values()] : []);
      },
      progress: {
        sessions: app.store,
        lab: (slug) => app.labs.lab(slug),
        liveView: (id) => app.sessions.find(id),
      },
      broadcast: async (learners, labs, from, message) => {
        const told = liveSessionsOf(learners, labs).map((s) =>
          app.sessions.broadcast(s, from, message),
        );
        await Promise.all(told);
        return told.length;
      },
      forgetSessions: (learner, labs) => app.store.forgetLearner(learner, labs),
      actOnSessions: async (learner, labs, action) => {
        const sessions = liveSessionsOf(new Set([learner]), labs);
        await Promise.all(
          sessions.map((s) =>
            action === 'extend'
              ? app.sessions.prolong(s, config.extensionMs || 30 * 60_000, 'instructor')
              : app.sessions.end(s, action === 'reset' ? 'reset' : 'instructor'),
          ),
        );
        return sessions.length;
      },
      endSessions: async (learners, labs) => {
        const ending = liveSessionsOf(learners, labs).map((s) => app.sessions.end(s, 'class'));
        // end() resolves once the sandbox is removed: the class is over when this returns.
        await Promise.all(ending);
        return ending.length;
      },
    });
    app.decorate('classes', classes);
    app.addHook('onReady', () => classes.warm());
    // Finished classes' members (names, identities) go after DRYDOCK_RETENTION_DAYS, as ended sessions do.
    pruneHourly(app, 'old class members', (before) =>
      app.store.classes.forgetMembersBefore(before),
    );
    app.addHook('onClose', () => warming.stop());
  },
  {
    name: 'drydock-classes',
    dependencies: [
      'drydock-store',
      'drydock-labs',
      'drydock-visibility',
      'drydock-sessions',
      'drydock-capacity',
    ],
    decorators: { fastify: ['config'] },
  },
);
