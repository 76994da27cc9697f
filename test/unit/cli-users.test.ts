/**
 * `drydock users` as an operator runs it: a separate process on the server's
 * database. A password piped on stdin works and signs in; one on the command
 * line is refused without being repeated; the terminal prompt does not echo.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { UserDirectory } from '../../lab-server/accounts/user-directory.ts';
import { readNewPassword } from '../../lab-server/cli/password-input.ts';
import { CliError } from '../../lab-server/cli/output.ts';
import { databaseTarget } from '../../lab-server/store/dialect.ts';
import { SessionStore } from '../../lab-server/store/session-store.ts';
import { drydock } from '../support/cli.ts';

const PASSWORD = 'piped passphrase 42';

describe('drydock users', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drydock-users-'));
  // The lane's PostgreSQL when it has one; usernames are unique per run, as lanes share it.
  const url = process.env.DRYDOCK_TEST_STORE_URL ?? `sqlite:${join(dir, 'store.sqlite')}`;
  const env = { DRYDOCK_DATABASE_URL: url, DRYDOCK_STATE_DIR: dir };
  const cli = (args: string[], input?: string) => drydock(['users', ...args], env, input);
  const unique = (name: string) => `${name}-${randomBytes(3).toString('hex')}`;
  let store: SessionStore;
  let directory: UserDirectory;
  before(async () => {
    store = await SessionStore.open(databaseTarget(url, dir));
    directory = new UserDirectory(store.accounts);
  });
  after(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds an account with a piped password, which then signs in', async () => {
    const name = unique('ada');
    const run = await cli(
      ['add', name, '--role', 'instructor', '--name', 'Ada L.'],
      `${PASSWORD}\n`,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `added ${name} (instructor)\n`);
    assert.equal((await directory.authenticate(name, PASSWORD)).outcome, 'ok');
    assert.equal((await directory.find(name)).displayName, 'Ada L.');
  });

  it('never takes a password from the command line, and does not repeat it', async () => {
    const name = unique('bob');
    for (const args of [
      ['add', name, '--role', 'admin', '--password', 'secret on argv 1'],
      ['add', name, '--role', 'admin', '--password=secret on argv 1'],
      ['add', name, 'secret-on-argv-1', '--role', 'admin'],
      ['passwd', name, 'secret-on-argv-1'],
    ]) {
      const run = await cli(args, `${PASSWORD}\n`);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /never taken from the command line/);
      assert.ok(!`${run.stdout}${run.stderr}`.includes('secret'), run.stderr);
    }
    await assert.rejects(directory.find(name), /no account/);
  });

  it('says how to give a password when stdin is empty', async () => {
    const run = await cli(['add', unique('carol'), '--role', 'admin'], '');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no password on stdin: type it at the prompt/);
  });

  it('refuses a weak password, an unknown role, a malformed or taken username', async () => {
    const name = unique('dave');
    assert.match((await cli(['add', name, '--role', 'admin'], 'short\n')).stderr, /too short/);
    const role = await cli(['add', name, '--role', 'root'], `${PASSWORD}\n`);
    assert.equal(role.code, 2);
    assert.match(role.stderr, /Allowed choices are admin, instructor, assistant/);
    const bad = await cli(['add', 'has space', '--role', 'admin'], `${PASSWORD}\n`);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /not a username/);
    await cli(['add', name, '--role', 'admin'], `${PASSWORD}\n`);
    const taken = await cli(['add', name.toUpperCase(), '--role', 'admin'], `${PASSWORD}\n`);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already an account called/);
  });

  it('lists accounts with role and state, as a table and as JSON', async () => {
    const name = unique('erin');
    await cli(['add', name, '--role', 'assistant'], `${PASSWORD}\n`);
    const table = await cli(['list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /^USERNAME\s+ROLE\s+STATE\s+SIGNS IN WITH\s+CREATED\s+LAST SEEN\s+GROUPS\s+NAME/,
    );
    assert.match(table.stdout, new RegExp(`${name}\\s+assistant\\s+active\\s+password`));
    const json = JSON.parse((await cli(['list', '--json'])).stdout) as { username: string }[];
    const listed = json.find((u) => u.username === name);
    assert.deepEqual(Object.keys(listed ?? {}).sort(), [
      'createdAt',
      'disabled',
      'displayName',
      'groups',
      'lastSeenAt',
      'role',
      'signsInWith',
      'username',
    ]);
  });

  it('makes a learner with sign-in groups, and sets them again', async () => {
    const name = unique('lin');
    const add = await cli(
      ['add', name, '--role', 'learner', '--groups', 'platform-team, payments'],
      `${PASSWORD}\n`,
    );
    assert.equal(add.code, 0, add.stderr);
    assert.equal(add.stdout, `added ${name} (learner; groups payments, platform-team)\n`);
    assert.deepEqual((await directory.find(name)).groups, ['payments', 'platform-team']);
    assert.match(
      (await cli(['list'])).stdout,
      new RegExp(`${name}\\s+learner\\s.*payments,platform-team`),
    );

    assert.equal((await cli(['groups', name, 'sre'])).stdout, `${name} is in sre\n`);
    assert.deepEqual((await directory.find(name)).groups, ['sre']);
    assert.equal((await cli(['groups', name, ''])).stdout, `${name} is in no group\n`);
    assert.deepEqual((await directory.find(name)).groups, []);

    const bad = await cli(['groups', name, 'tab\there']);
    assert.equal(bad.code, 2, bad.stdout);
    assert.match(bad.stderr, /is not a group/);
  });

  it('disables, enables, changes the password and the role of, and removes an account', async () => {
    const name = unique('frank');
    await cli(['add', name, '--role', 'instructor'], `${PASSWORD}\n`);
    assert.equal((await cli(['disable', name])).code, 0);
    assert.equal((await directory.authenticate(name, PASSWORD)).outcome, 'disabled');
    assert.equal((await cli(['enable', name])).code, 0);
    assert.equal((await directory.authenticate(name, PASSWORD)).outcome, 'ok');
    const passwd = await cli(['passwd', name], 'a different passphrase\n');
    assert.equal(passwd.code, 0, passwd.stderr);
    assert.equal((await directory.authenticate(name, 'a different passphrase')).outcome, 'ok');
    assert.equal((await cli(['role', name, 'admin'])).stdout, `${name} is now admin\n`);
    assert.equal((await cli(['remove', name])).code, 0);
    const again = await cli(['remove', name]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`no account called ${name}`));
  });
});

describe('the password prompt on a terminal', () => {
  /** A terminal: input typed in chunks, raw mode recorded, prompts captured. */
  function terminal(typed: string[]) {
    const stdin = Object.assign(new PassThrough(), {
      isTTY: true,
      raw: [] as boolean[],
      setRawMode(raw: boolean) {
        stdin.raw.push(raw);
      },
    });
    const stderr = new PassThrough();
    let shown = '';
    stderr.on('data', (chunk: Buffer) => (shown += chunk.toString()));
    let i = 0;
    // Each chunk once the previous one is read, as a person types.
    const feed = () => {
      if (i < typed.length) stdin.write(typed[i++]);
    };
    stderr.on('data', () => setImmediate(feed));
    return { io: { stdin, stderr }, shown: () => shown, raw: stdin.raw };
  }

  it('asks twice without echoing, in raw mode, and honours backspace', async () => {
    const tty = terminal(['hunter2 is wrongX\u007f\r', 'hunter2 is wrong\r']);
    const password = await readNewPassword('ada', tty.io);
    assert.equal(password, 'hunter2 is wrong');
    assert.equal(tty.shown(), 'New password for ada: \nThe same password again: \n');
    assert.deepEqual(tty.raw, [true, false, true, false]);
  });

  it('refuses two different entries, and stops at Ctrl-C', async () => {
    await assert.rejects(
      readNewPassword('ada', terminal(['one passphrase\r', 'another one\r']).io),
      /the two passwords differ/,
    );
    await assert.rejects(
      readNewPassword('ada', terminal(['half\u0003']).io),
      (error: unknown) => error instanceof CliError && error.exitCode === 130,
    );
  });
});
