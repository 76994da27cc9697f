/**
 * The lab manifest (`labs/<slug>/lab.yaml`) schema. Shared by the site build and
 * the lab server, so it must stay free of Fastify, dockerode and Node-only APIs.
 */
import { z } from 'zod';
import { FEATURE_NAMES } from './features.ts';

const slug = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'use lowercase letters, digits and single dashes (kebab-case)',
  );

/** A path to a file inside the lab folder, e.g. `checks/service-runs.sh`. */
const labFile = z
  .string()
  .min(1)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..'),
    'must be a relative path inside the lab folder',
  );

export const taskSchema = z.strictObject({
  /** Stable id used in URLs, API answers and test reports. @example "service-starts" */
  id: slug,
  /** One line the learner sees in the task list. @example "The service starts and renders its config" */
  title: z.string().min(3).max(120),
  /** Markdown: what to do, shown beside the terminal. */
  instructions: z.string().min(1),
  /**
   * Script run in the sandbox by `bash` when the learner presses Check. Exit 0 passes;
   * anything else fails, and its output (stdout and stderr) is shown as the reason.
   * @example "checks/service-starts.sh"
   */
  check: labFile,
  /** Markdown hints, revealed one at a time, from gentle to explicit. */
  hints: z.array(z.string().min(1)).default([]),
  /** Markdown: the fix for this task, shown only when the learner asks for it. */
  solution: z.string().min(1),
});

/**
 * The kinds of plausible wrong fix a lab guards against (docs/writing-labs.md
 * explains each, with an example from our labs and the check that catches it).
 */
export const WRONG_FIX_KINDS = [
  /** Today's state is right, but the bug returns on the next release, rebuild or clean recreate. */
  'breaks-later',
  /** What a check looks at is made true without doing what the task teaches. */
  'observable-only',
  /** The task says fix X (the image, the repository) and the learner fixes something else. */
  'wrong-artefact',
  /** A cleanup or change that destroys more than it may. */
  'collateral-damage',
  /** Part of the fix: renaming instead of removing, one of two places, a symptom silenced. */
  'half-measure',
  /** Reachable or working by switching a safety off, exposing a service, or leaking a secret. */
  'security-shortcut',
  /** A fix for something that was never the problem (a no-cache rebuild, a restart). */
  'misdiagnosis',
] as const;

export const wrongFixSchema = z.strictObject({
  /** Script that performs a plausible but wrong fix; at least one check must keep failing after it. */
  script: labFile,
  /** Which kind of shortcut this is. @example "breaks-later" */
  kind: z.enum(WRONG_FIX_KINDS),
  /** Why this fix is wrong, in one sentence. */
  why: z.string().min(10),
  /** The id of the task whose check must fail after this fix. @example "template-outside-mounts" */
  caughtBy: slug,
  /**
   * Words the failing check's message must contain (case-insensitive), so the
   * learner is told the real problem, not just "failed". @example "hidden by"
   */
  says: z.string().min(3),
});

export const rightFixSchema = z.strictObject({
  /** Script that fixes the lab correctly in a way that differs from the solve script; every check must pass. */
  script: labFile,
  /** How this fix differs from the solve script and why it is sound, in one sentence. */
  why: z.string().min(10),
});

export const labManifestSchema = z.strictObject({
  /** @example "A named volume hides files baked into the image" */
  title: z.string().min(3).max(120),
  /** One or two sentences for the lab list and the page header. */
  summary: z.string().min(10).max(400),
  difficulty: z.enum(['beginner', 'intermediate', 'advanced']),
  /** Minutes a learner typically needs. @example 20 */
  minutes: z.number().int().min(1).max(240),
  /** Lesson slugs in `content/` this lab practises, e.g. `lessons/named-volume-masks-image`. */
  lessons: z.array(z.string().min(1)).default([]),
  /** Images from `images/` loaded into the sandbox's engine before setup. @example ["lab-base"] */
  images: z.array(slug).default([]),
  /**
   * What the lab needs of the sandbox's engine beyond plain Docker (see
   * lab-format/features.ts). Servers that cannot provide it show the lab as unavailable.
   * @example ["memory-limits"]
   */
  requires: z.array(z.enum(FEATURE_NAMES)).default([]),
  /**
   * Where the scenario files (the lab's `files/` folder) are copied and the shell
   * starts. Under /root: the rest of the sandbox's file system is read-only.
   */
  workdir: z
    .string()
    .regex(
      /^\/root(\/[\w.-]+)*$/,
      'must be /root or a folder under it (the rest of the sandbox is read-only)',
    )
    .default('/root/lab'),
  /** Markdown shown above the tasks: the situation the learner walks into. */
  intro: z.string().min(1),
  /**
   * Script run once per version of the lab, not per learner, on a fresh engine
   * with the lab's files and images: what it leaves in the engine (images, build
   * cache, volumes) is what every sandbox's engine starts from, so the part of
   * setup that is the same for everyone (e.g. `docker compose build`) is done once.
   * It must leave no container, and setup still runs in full: a build it repeats
   * finds its steps cached. Optional. @example "prepare.sh"
   */
  prepare: labFile.optional(),
  /** Script run once in the sandbox after the files are copied, to break things. */
  setup: labFile.default('setup.sh'),
  /** Script that performs a correct fix; CI runs it and expects every check to pass. */
  solve: labFile.default('solve.sh'),
  /** Seconds a check may run before it is stopped and counted as failed. */
  checkTimeout: z.number().int().min(1).max(120).default(30),
  tasks: z.array(taskSchema).min(1),
  wrongFixes: z.array(wrongFixSchema).default([]),
  /** Correct fixes other than the solve script (another sound design); every check must pass after each. */
  rightFixes: z.array(rightFixSchema).default([]),
});

export type LabManifest = z.infer<typeof labManifestSchema>;
export type LabTask = z.infer<typeof taskSchema>;
export type LabWrongFix = z.infer<typeof wrongFixSchema>;
export type LabRightFix = z.infer<typeof rightFixSchema>;
