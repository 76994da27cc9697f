/**
 * The lab manifest (`labs/<slug>/lab.yaml`) schema. Shared by the site build and
 * the lab server, so it must stay free of Fastify, dockerode and Node-only APIs.
 */
import * as z from 'zod';
import { FEATURE_NAMES } from './features.ts';

const slug = z
  .string()
  .regex(
    /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
    'use lowercase letters, digits and single dashes (kebab-case)',
  );

/**
 * A path to a file inside the lab folder, e.g. `checks/service-runs.sh`: not
 * absolute, no `..` part. A pattern rather than a refinement, so that the JSON
 * Schema for editors (lab-format/lab.schema.json) checks it too.
 */
const labFile = z
  .string()
  .regex(/^(?!\/)(?!(?:.*\/)?\.\.(?:\/|$)).+$/, 'must be a relative path inside the lab folder');

/** One thing the learner must achieve, judged by its check script. */
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
  /**
   * Whether the check also runs on its own while the learner works (live checks,
   * docs/live-checks.md). Set `false` for a check that is expensive (it builds an
   * image) or disruptive (it stops or recreates what the learner runs): it then
   * runs only when the learner presses Check. @example false
   */
  live: z.boolean().default(true),
  /** Markdown hints, revealed one at a time, from gentle to explicit. */
  hints: z.array(z.string().min(1)).default([]),
  /** Markdown: the fix for this task, shown only when the learner asks for it. */
  solution: z.string().min(1),
  /**
   * The lesson section that explains this task's point: a lesson id, `#`, and the
   * anchor of one of its headings (as the page gives it). The lab page links it as
   * "Why: <section title>" beside a failing check's message. Checked when the lab
   * loads: the lesson exists and has that heading.
   * @example "lessons/named-volume-masks-image#why-it-happens"
   */
  explainedIn: z
    .string()
    .regex(
      /^[a-z0-9]+(?:[-/][a-z0-9]+)*#[a-z0-9_-]+$/,
      'write it as lessons/<slug>#<heading-anchor>, e.g. lessons/named-volume-masks-image#why-it-happens',
    )
    .optional(),
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

/** A plausible wrong fix, and the check that must catch it (CI runs it in a sandbox). */
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

/** A correct fix other than the solve script (CI runs it in a sandbox). */
export const rightFixSchema = z.strictObject({
  /** Script that fixes the lab correctly in a way that differs from the solve script; every check must pass. */
  script: labFile,
  /** How this fix differs from the solve script and why it is sound, in one sentence. */
  why: z.string().min(10),
});

/** A Drydock lab's manifest, `labs/<slug>/lab.yaml` (docs/writing-labs.md). */
export const labManifestSchema = z.strictObject({
  /** Shown in the lab list and the page header. @example "A named volume hides files baked into the image" */
  title: z.string().min(3).max(120),
  /** One or two sentences for the lab list and the page header. */
  summary: z.string().min(10).max(400),
  /** How much Docker the learner needs to know already. */
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
   * Sign-in groups that may see the lab (docs/content-packs.md): anyone signed in
   * with one of them. Absent, everyone may. For everyone else the lab's page, its
   * place in lists and search, and its API are absent, as if it did not exist.
   * @example ["platform-team"]
   */
  groups: z.array(z.string().min(1).max(100)).min(1).optional(),
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
  /** What the learner must achieve, in order: each task has a check script. */
  tasks: z.array(taskSchema).min(1),
  /** Plausible wrong fixes, each with the check that must catch it (docs/writing-labs.md). */
  wrongFixes: z.array(wrongFixSchema).default([]),
  /** Correct fixes other than the solve script (another sound design); every check must pass after each. */
  rightFixes: z.array(rightFixSchema).default([]),
});

export type LabManifest = z.infer<typeof labManifestSchema>;
export type LabTask = z.infer<typeof taskSchema>;
export type LabWrongFix = z.infer<typeof wrongFixSchema>;
export type LabRightFix = z.infer<typeof rightFixSchema>;
