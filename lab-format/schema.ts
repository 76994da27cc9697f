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

export const wrongFixSchema = z.strictObject({
  /** Script that performs a plausible but wrong fix; at least one check must keep failing after it. */
  script: labFile,
  /** Why this fix is wrong, in one sentence. */
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
  /** Script run once in the sandbox after the files are copied, to break things. */
  setup: labFile.default('setup.sh'),
  /** Script that performs a correct fix; CI runs it and expects every check to pass. */
  solve: labFile.default('solve.sh'),
  /** Seconds a check may run before it is stopped and counted as failed. */
  checkTimeout: z.number().int().min(1).max(120).default(30),
  tasks: z.array(taskSchema).min(1),
  wrongFixes: z.array(wrongFixSchema).default([]),
});

export type LabManifest = z.infer<typeof labManifestSchema>;
export type LabTask = z.infer<typeof taskSchema>;
export type LabWrongFix = z.infer<typeof wrongFixSchema>;
