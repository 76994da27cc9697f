/**
 * Content restricted to sign-in groups as a Fastify part (docs/content-visibility.md):
 * the restricted pages of the shown labs and lessons, who a request reads as (its
 * sign-in's role and groups), and the labs a request may see. Every route that
 * lists or looks up a lab asks here, so a lab the caller may not see answers
 * exactly as one that does not exist.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Lab } from '../../lab-format/load.ts';
import { lessonFacts } from '../../lab-format/lesson-frontmatter.ts';
import { mayRead, type Reader, RestrictedPages } from '../visibility/restricted-pages.ts';

export interface Visibility {
  /**
   * The restricted pages: the catalog's labs as they are now (the dev loop reloads
   * them), the lessons as their frontmatter was at start or at the latest reload.
   */
  readonly pages: RestrictedPages;
  /** Reads the lessons' frontmatter again. */
  reload(): void;
  /** Who the request reads as: its sign-in's role and groups, or undefined. */
  readerOf(request: FastifyRequest): Promise<Reader | undefined>;
  /** Whether this reader may see this lab (a lab without groups: anyone). */
  mayOpen(reader: Reader | undefined, lab: Lab): boolean;
  /** The lab of this slug if it exists and the request may see it. */
  labFor(request: FastifyRequest, slug: string): Promise<Lab | undefined>;
  /** The labs the request may see, in the catalog's order. */
  labsFor(request: FastifyRequest): Promise<Lab[]>;
}

declare module 'fastify' {
  interface FastifyInstance {
    visibility: Visibility;
  }
}

function visibility(app: FastifyInstance): Visibility {
  let lessons = lessonFacts(app.config.content, (message) => app.log.warn(message));
  const build = () =>
    RestrictedPages.from(
      app.labs.labs.map((lab) => ({
        slug: lab.slug,
        title: lab.manifest.title,
        groups: lab.manifest.groups,
      })),
      lessons,
    );
  let pages = build();
  // The dev loop's lab watch (labs/lab-watch.ts) replaces the catalog's labs: follow it.
  let builtFrom = app.labs.labs;
  const readerOf = async (request: FastifyRequest): Promise<Reader | undefined> => {
    const who = await app.accounts.signedIn(request);
    return who && { role: who.user.role, groups: who.user.groups };
  };
  // The dev loop's server is an author's, on their machine: they test every lab
  // of their pack, whichever groups it is for (docs/dev-loop.md).
  const mayOpen = (reader: Reader | undefined, lab: Lab) =>
    app.config.dev || mayRead(reader, lab.manifest.groups);
  return {
    get pages() {
      if (app.labs.labs !== builtFrom) {
        builtFrom = app.labs.labs;
        pages = build();
      }
      return pages;
    },
    reload() {
      lessons = lessonFacts(app.config.content, (message) => app.log.warn(message));
      builtFrom = app.labs.labs;
      pages = build();
    },
    readerOf,
    mayOpen,
    async labFor(request, slug) {
      const lab = app.labs.lab(slug);
      if (!lab?.manifest.groups) return lab;
      return mayOpen(await readerOf(request), lab) ? lab : undefined;
    },
    async labsFor(request) {
      const labs = app.labs.labs;
      if (!labs.some((lab) => lab.manifest.groups)) return labs;
      const reader = await readerOf(request);
      return labs.filter((lab) => mayOpen(reader, lab));
    },
  };
}

export const visibilityPlugin = fp(
  async (app) => {
    app.decorate('visibility', visibility(app));
  },
  {
    name: 'drydock-visibility',
    dependencies: ['drydock-labs', 'drydock-accounts'],
    decorators: { fastify: ['config'] },
  },
);
