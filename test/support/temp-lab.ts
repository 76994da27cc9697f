/** Writes lab folders to a temporary directory for tests of the lab format and the API. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'yaml';

export const GOOD_MANIFEST = {
  title: 'A tiny lab',
  summary: 'Start a container named web and keep it running.',
  difficulty: 'beginner',
  minutes: 5,
  images: ['lab-base'],
  intro: 'You need a running container.',
  tasks: [
    {
      id: 'web-runs',
      title: 'A container named web runs',
      instructions: 'Start it.',
      check: 'checks/web-runs.sh',
      hints: ['Use docker run.'],
      solution: '`docker run -d --name web drydock/lab-base sleep infinity`',
    },
  ],
  wrongFixes: [
    {
      script: 'wrong-fixes/stopped.sh',
      kind: 'observable-only',
      why: 'A created but stopped container is not running.',
      caughtBy: 'web-runs',
      says: 'not running',
    },
  ],
};

export interface TempRoot {
  root: string;
  labsDir: string;
  imagesDir: string;
  /** Writes labs/<slug>/ with the manifest (object or raw YAML text) and the scripts it names. */
  writeLab(slug: string, manifest: unknown, files?: Record<string, string>): string;
  [Symbol.dispose](): void;
}

export function tempRoot(): TempRoot {
  const root = mkdtempSync(join(tmpdir(), 'drydock-test-'));
  const labsDir = join(root, 'labs');
  const imagesDir = join(root, 'images');
  mkdirSync(join(imagesDir, 'lab-base'), { recursive: true });
  mkdirSync(join(imagesDir, 'sandbox'), { recursive: true });
  writeFileSync(
    join(imagesDir, 'lab-base', 'image.json'),
    '{"name":"drydock/lab-base","buildArgs":{"SANDBOX_IMAGE":"@sandbox"}}',
  );
  writeFileSync(join(imagesDir, 'lab-base', 'Dockerfile'), 'FROM scratch\n');
  writeFileSync(
    join(imagesDir, 'sandbox', 'image.json'),
    '{"name":"drydock/sandbox","suite":"trixie"}',
  );
  writeFileSync(join(imagesDir, 'sandbox', 'packages.txt'), 'bash\n');
  return {
    root,
    labsDir,
    imagesDir,
    writeLab(
      slug,
      manifest,
      files = {
        'setup.sh': 'true',
        'solve.sh': 'true',
        'checks/web-runs.sh': 'false',
        'wrong-fixes/stopped.sh': 'true',
      },
    ) {
      const dir = join(labsDir, slug);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'lab.yaml'),
        typeof manifest === 'string' ? manifest : stringify(manifest),
      );
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      return dir;
    },
    [Symbol.dispose]() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
