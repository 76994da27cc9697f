/**
 * A Killercoda scenario as a Drydock lab: the Markdown annotations, the mapping of
 * every field of index.json (two scenarios written for this test in Killercoda's
 * documented format: one a sandbox can run, one that needs Kubernetes on two hosts),
 * the report of what could not be mapped, and the imported lab loading like any
 * other. The CLI is tested in cli-import.test.ts; the lab running in a sandbox in
 * test/engine/killercoda-import.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLab } from '../../lab-format/load.ts';
import { convertScenario } from '../../lab-server/import/killercoda/convert.ts';
import { convertMarkdown } from '../../lab-server/import/killercoda/markdown.ts';
import { readScenario } from '../../lab-server/import/killercoda/scenario.ts';
import { unmappedOf, writeImportedLab } from '../../lab-server/import/killercoda/write.ts';
import { formatFinding, lintLabScripts } from '../../lab-server/labs/shellcheck.ts';
import { ROOT } from '../support/platform.ts';

const FIXTURES = join(ROOT, 'test/fixtures/killercoda');
const DOCKER = join(FIXTURES, 'start-the-web-container');
const KUBERNETES = join(FIXTURES, 'kubernetes-two-nodes');

function importInto(fixture: string, slug: string) {
  const root = mkdtempSync(join(tmpdir(), 'drydock-killercoda-'));
  mkdirSync(join(root, 'labs'));
  symlinkSync(join(ROOT, 'labs/_lib'), join(root, 'labs/_lib'));
  const lab = convertScenario(readScenario(fixture), slug);
  const written = writeImportedLab(lab, {
    labsDir: join(root, 'labs'),
    lessonsDir: join(root, 'content/lessons'),
    source: fixture,
  });
  return {
    root,
    lab,
    written,
    [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }),
  };
}

describe("Killercoda's Markdown annotations", () => {
  it('turn {{exec}} blocks into blocks that run, {{exec interrupt}} into ones that press Ctrl-C first, {{copy}} into plain ones', () => {
    const { markdown, commands, notes } = convertMarkdown(
      [
        'Run:',
        '',
        '```',
        'docker ps',
        '```{{exec}}',
        '',
        '```plain',
        'curl localhost:8080',
        '```{{exec interrupt}}',
        '',
        '```bash',
        'ls /root',
        '```{{copy}}',
        '',
        '`docker images`{{exec}}',
        '',
        'Inline, `docker info`{{exec}} stays inline; `x`{{open}} is dropped.',
        '',
        '```yaml',
        'a: 1',
        '```{{exec}}',
      ].join('\n'),
      'step 1',
    );
    assert.equal(
      markdown,
      [
        'Run:',
        '',
        '```sh run',
        'docker ps',
        '```',
        '',
        '```sh run interrupt',
        'curl localhost:8080',
        '```',
        '',
        '```bash',
        'ls /root',
        '```',
        '',
        '```sh run',
        'docker images',
        '```',
        '',
        'Inline, `docker info` stays inline; `x` is dropped.',
        '',
        '```yaml',
        'a: 1',
        '```',
      ].join('\n'),
    );
    assert.deepEqual(commands, [
      { code: 'docker ps', interrupt: false },
      { code: 'curl localhost:8080', interrupt: true },
      { code: 'docker images', interrupt: false },
    ]);
    assert.equal(notes.length, 3, notes.join('\n'));
    assert.match(notes.join('\n'), /"yaml" block marked \{\{exec\}\} keeps no Run button/);
    assert.match(notes.join('\n'), /1 command\(s\) marked \{\{exec\}\} inside a sentence/);
    assert.match(notes.join('\n'), /dropped: \{\{open\}\}/);
  });
});

describe('a Killercoda scenario a sandbox can run', () => {
  it('maps steps to tasks, verify to checks, background to setup, assets to files, and reports nothing unmapped', () => {
    using imported = importInto(DOCKER, 'start-the-web-container');
    const { lab, written } = imported;
    assert.deepEqual(lab.report.unmapped, []);
    const manifest = loadLab(written.labDir, { imagesDir: join(ROOT, 'images') }).manifest;
    assert.equal(manifest.title, 'Start the web container');
    assert.equal(manifest.workdir, '/root', "Killercoda's terminal starts in /root");
    assert.deepEqual(manifest.images, ['lab-base']);
    assert.deepEqual(
      manifest.tasks.map((t) => [t.id, t.check]),
      [
        ['start-the-web-container', 'checks/start-the-web-container.sh'],
        ['run-the-app-s-helper', 'checks/run-the-app-s-helper.sh'],
      ],
    );
    assert.match(manifest.tasks[0]!.instructions, /```sh run\ndocker start web\n```/);
    assert.match(manifest.tasks[1]!.instructions, /```sh run interrupt\ncat \/root\/app\/app.conf/);
    assert.match(manifest.tasks[1]!.solution, /cat \/root\/app\/app.conf\napp-helper.sh/);
    assert.match(manifest.intro, /```sh run\ndocker ps -a\n```/);
    const file = (path: string) => readFileSync(join(written.labDir, path), 'utf8');
    // Assets under /root come with the lab's files; others are put in place by setup.
    assert.equal(file('files/app/app.conf'), 'greeting = hello\n');
    assert.match(
      file('setup.sh'),
      /cp -a '\/root\/.killercoda-assets\/usr\/local\/bin\/app-helper.sh' '\/usr\/local\/bin'\//,
    );
    assert.match(file('setup.sh'), /chmod -R '\+x' '\/usr\/local\/bin\/app-helper.sh'/);
    // Both backgrounds run in setup, the intro's first; a step's is reported as moved.
    assert.ok(
      file('setup.sh').indexOf('docker create --name web') <
        file('setup.sh').indexOf('step 2 reached'),
    );
    assert.match(
      lab.report.changed.join('\n'),
      /step 2's background step2\/background.sh runs at the start/,
    );
    // Foreground scripts are kept and noted, not run.
    assert.match(file('killercoda/foreground.sh'), /Waiting for the scenario/);
    assert.match(
      lab.report.changed.join('\n'),
      /foreground script foreground.sh ran in the learner's terminal/,
    );
    // solve.sh is the steps' click-to-run commands, in order.
    assert.match(
      file('solve.sh'),
      /docker start web\n[\s\S]*cat \/root\/app\/app.conf\napp-helper.sh\n/,
    );
    // The lesson holds the intro and the finish text, without Run buttons.
    const lesson = readFileSync(written.lessonFile, 'utf8');
    assert.match(
      lesson,
      /^---\ntitle: "Start the web container"\n[\s\S]*lab: start-the-web-container\n---/,
    );
    assert.match(lesson, /## When you are done\n\nWell done/);
    assert.doesNotMatch(lesson, /sh run/);
    assert.deepEqual(unmappedOf(written.labDir), []);
  });

  it('wraps each verify script in a check that says which step passed or failed', () => {
    using imported = importInto(DOCKER, 'start-the-web-container');
    const check = readFileSync(
      join(imported.written.labDir, 'checks/run-the-app-s-helper.sh'),
      'utf8',
    );
    // As the lab runner runs it: bash, with the shared helpers in front, here on this machine.
    const run = (helperRan: boolean) => {
      const home = mkdtempSync(join(tmpdir(), 'drydock-verify-'));
      const script = [readFileSync(join(ROOT, 'labs/_lib/check.sh'), 'utf8'), check]
        .join('\n')
        .replaceAll('/root/app/helper-ran', join(home, 'helper-ran'));
      if (helperRan) execFileSync('touch', [join(home, 'helper-ran')]);
      const result = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      rmSync(home, { recursive: true });
      return { code: result.status, output: result.stdout + result.stderr };
    };
    const failed = run(false);
    assert.equal(failed.code, 1);
    assert.match(
      failed.output,
      /^Not done yet: the scenario's own check for "Run the app's helper" fails \(exit 1\)\.$/m,
    );
    assert.match(failed.output, /It says only pass or fail/);
    const passed = run(true);
    assert.equal(passed.code, 0);
    assert.match(
      passed.output,
      /Step 2 is done: the scenario's own check for "Run the app's helper" passes\./,
    );
  });

  it("writes scripts that pass the lab scripts' ShellCheck", async () => {
    using imported = importInto(DOCKER, 'start-the-web-container');
    const findings = await lintLabScripts(imported.root, { slugs: ['start-the-web-container'] });
    assert.deepEqual(findings.map(formatFinding), []);
  });
});

describe('a Killercoda scenario that needs Kubernetes on two hosts', () => {
  it('reports every part that cannot be mapped, and says so in the intro instead of pretending', () => {
    using imported = importInto(KUBERNETES, 'kubernetes-two-nodes');
    const { lab, written } = imported;
    const unmapped = lab.report.unmapped.join('\n');
    for (const expected of [
      /backend "kubernetes-kubeadm-2nodes" is a Kubernetes cluster of several hosts/,
      /asset\(s\) for host02/,
      /asset "kubelet.conf" → \/var\/lib\/kubelet: outside the places a sandbox may write/,
      /index.json field time: "15 minutes"/,
      /index.json field interface: \{"layout":"ide"\}/,
      /index.json field details.steps\[0\].hint/,
      /step 2 "Look at the node" has no verify script/,
      /the finish page's scripts/,
      /needs systemd/,
      /needs a Kubernetes cluster/,
    ])
      assert.match(unmapped, expected);
    const manifest = loadLab(written.labDir).manifest;
    assert.match(
      manifest.intro,
      /^> \*\*Imported from Killercoda, not everything came across\.\*\* 11 part\(s\)/,
    );
    assert.match(
      readFileSync(written.reportFile, 'utf8'),
      /\*\*11 part\(s\) could not be mapped\*\*/,
    );
    assert.equal(unmappedOf(written.labDir)?.length, 11, '`labs verify` reads them back');
    // A step without a verify script gets a check that fails and says why.
    assert.match(
      readFileSync(join(written.labDir, 'checks/look-at-the-node.sh'), 'utf8'),
      /fail "This step was imported without a check/,
    );
  });
});
