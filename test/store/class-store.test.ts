/**
 * Classes and members in the store, against SQLite and PostgreSQL for real:
 * what goes in comes out (times beyond 2^31, the labs' order), join codes are
 * unique, a learner joining again keeps their membership, an end happens once,
 * a removed instructor's classes stay, and a class's staff (who helps, who may
 * watch) is granted, changed and removed, and goes with its user.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClassRecord } from '../../lab-server/store/class-store.ts';
import { SessionStore } from '../../lab-server/store/session-store.ts';
import { postgresBackend, sqliteBackend } from '../support/store-backends.ts';

const T = 1_764_000_000_000;

const aClass = (id: string, extra: Partial<ClassRecord> = {}): ClassRecord => ({
  id,
  name: `Class ${id}`,
  labs: ['layer-cache-order', 'named-volume-masks-image'],
  opensAt: T,
  closesAt: T + 3_600_000,
  expectedSize: 30,
  joinCode: `CODE${id.slice(-4).toUpperCase()}`,
  ownerId: 'u_instructor01',
  createdAt: T - 1000,
  endedAt: null,
  ...extra,
});

for (const backend of [sqliteBackend(), postgresBackend()]) {
  describe(`class store on ${backend.name}`, () => {
    let store: SessionStore;
    before(async () => {
      store = await SessionStore.open(await backend.fresh());
      for (const [id, username] of [
        ['u_instructor01', 'ada'],
        ['u_instructor02', 'grace'],
      ] as const)
        await store.accounts.addUser({
          id,
          username,
          displayName: username,
          role: 'instructor',
          passwordHash: null,
          createdAt: T,
          updatedAt: T,
          disabledAt: null,
          groups: [],
        });
    });
    after(async () => {
      await store?.close();
      await backend.cleanup();
    });

    it('keeps a class as it was given: labs in order, times as numbers', async () => {
      const record = aClass('c_round_trip1', { labs: ['z-lab', 'a-lab', 'm-lab'] });
      assert.equal(await store.classes.addClass(record), true);
      assert.deepEqual(await store.classes.classById(record.id), record);
      assert.deepEqual(await store.classes.classByCode(record.joinCode), record);
      assert.equal(await store.classes.classById('c_nonexistent'), undefined);
    });

    it('refuses a second class with a join code already taken', async () => {
      assert.equal(
        await store.classes.addClass(aClass('c_first_code', { joinCode: 'SAME0000' })),
        true,
      );
      assert.equal(
        await store.classes.addClass(aClass('c_second_cod', { joinCode: 'SAME0000' })),
        false,
      );
      assert.equal(await store.classes.classById('c_second_cod'), undefined);
    });

    it('lists one owner’s classes or all, newest first', async () => {
      await store.classes.addClass(aClass('c_list_old01', { createdAt: T + 10 }));
      await store.classes.addClass(
        aClass('c_list_new01', { createdAt: T + 20, ownerId: 'u_instructor02' }),
      );
      const graces = await store.classes.classes('u_instructor02');
      assert.deepEqual(
        graces.map((c) => c.id),
        ['c_list_new01'],
      );
      const all = (await store.classes.classes()).map((c) => c.id);
      assert.ok(all.indexOf('c_list_new01') < all.indexOf('c_list_old01'));
    });

    it('keeps a learner’s membership when they join again, with their new name', async () => {
      await store.classes.addClass(aClass('c_joinable01'));
      const first = await store.classes.join({
        id: 'm_first_join1',
        classId: 'c_joinable01',
        displayName: 'Ada',
        learner: 'learner:aaaaaaaaaaaaaaaaaaaaaa',
        joinedAt: T + 1,
      });
      await store.classes.join({
        id: 'm_other_join1',
        classId: 'c_joinable01',
        displayName: 'Grace',
        learner: 'learner:bbbbbbbbbbbbbbbbbbbbbb',
        joinedAt: T + 2,
      });
      const again = await store.classes.join({
        id: 'm_again_join1',
        classId: 'c_joinable01',
        displayName: 'Ada L.',
        learner: 'learner:aaaaaaaaaaaaaaaaaaaaaa',
        joinedAt: T + 3,
      });
      assert.deepEqual(again, { ...first, displayName: 'Ada L.' });
      const members = await store.classes.members('c_joinable01');
      assert.deepEqual(
        members.map((m) => [m.id, m.displayName]),
        [
          ['m_first_join1', 'Ada L.'],
          ['m_other_join1', 'Grace'],
        ],
      );
      assert.deepEqual(
        await store.classes.memberCounts(['c_joinable01', 'c_list_old01']),
        new Map([['c_joinable01', 2]]),
      );
      const mine = await store.classes.membershipsOf('learner:aaaaaaaaaaaaaaaaaaaaaa');
      assert.deepEqual(
        mine.map(({ class: c, member }) => [c.id, member.id]),
        [['c_joinable01', 'm_first_join1']],
      );
    });

    it('knows whether a learner is in a class that is neither ended nor closed', async () => {
      const learner = 'learner:cccccccccccccccccccccc';
      await store.classes.addClass(aClass('c_current_01'));
      await store.classes.join({
        id: 'm_current_001',
        classId: 'c_current_01',
        displayName: 'C',
        learner,
        joinedAt: T,
      });
      assert.equal(await store.classes.inCurrentClass(learner, T + 60_000), true);
      assert.equal(await store.classes.inCurrentClass(learner, T + 3_600_000), false, 'closed');
      assert.equal(await store.classes.inCurrentClass('learner:nobody', T), false);
      assert.ok((await store.classes.currentClasses(T)).some((c) => c.id === 'c_current_01'));

      assert.equal(await store.classes.endClass('c_current_01', T + 5), true);
      assert.equal(await store.classes.endClass('c_current_01', T + 6), false, 'ended once');
      assert.equal((await store.classes.classById('c_current_01'))?.endedAt, T + 5);
      assert.equal(await store.classes.inCurrentClass(learner, T + 60_000), false, 'ended');
      assert.ok(!(await store.classes.currentClasses(T)).some((c) => c.id === 'c_current_01'));
    });

    it('forgets a learner at their request: their ended sessions in the labs asked, and their membership', async () => {
      await store.classes.addClass(aClass('c_forgetting1'));
      const learner = 'learner:forgetmeforgetmeforget';
      const member = await store.classes.join({
        id: 'm_forget_me01',
        classId: 'c_forgetting1',
        displayName: 'Forget me',
        learner,
        joinedAt: T + 1,
      });
      const session = (id: string, lab: string, who: string | null, endedAt: number | null) =>
        store.createSession({
          id,
          owner: 'class-store-test',
          lab,
          tokenHash: 'h'.repeat(64),
          seed: 'seed',
          learner: who,
          state: endedAt === null ? 'ready' : 'ended',
          message: '',
          endReason: endedAt === null ? null : 'stopped',
          createdAt: T,
          expiresAt: T + 3_600_000,
          endedAt,
          extensions: 0,
        });
      await session('s_forget_ended', 'layer-cache-order', learner, T + 10);
      await store.appendEvent({ sessionId: 's_forget_ended', type: 'created', at: T, data: {} });
      await session('s_forget_live1', 'layer-cache-order', learner, null);
      await session('s_forget_other', 'some-other-lab', learner, T + 10);
      await session('s_forget_someb', 'layer-cache-order', 'learner:somebodyelsesomebody', T + 10);

      assert.equal(
        await store.forgetLearner(learner, ['layer-cache-order', 'named-volume-masks-image']),
        1,
      );
      assert.equal(await store.session('s_forget_ended'), undefined);
      assert.deepEqual(await store.events({ sessionId: 's_forget_ended' }), []);
      assert.ok(await store.session('s_forget_live1'), 'a live session is ended first, not here');
      assert.ok(await store.session('s_forget_other'), 'another lab is not this class’s');
      assert.ok(await store.session('s_forget_someb'), 'another learner’s stays');

      assert.equal(await store.classes.removeMember('c_forgetting1', member.id), true);
      assert.equal(await store.classes.removeMember('c_forgetting1', member.id), false);
      assert.deepEqual(await store.classes.members('c_forgetting1'), []);
    });

    it('forgets the members of classes that closed or ended before the retention cut-off, and only those', async () => {
      const join = (classId: string, id: string) =>
        store.classes.join({
          id,
          classId,
          displayName: id,
          learner: `learner:${id}-identity-padding`,
          joinedAt: T,
        });
      await store.classes.addClass(aClass('c_retain_old1', { closesAt: T + 100 }));
      await store.classes.addClass(
        aClass('c_retain_end1', { closesAt: T + 10_000_000, endedAt: T + 200 }),
      );
      await store.classes.addClass(aClass('c_retain_new1', { closesAt: T + 10_000_000 }));
      await join('c_retain_old1', 'm_retain_old1');
      await join('c_retain_end1', 'm_retain_end1');
      await join('c_retain_new1', 'm_retain_new1');
      assert.ok((await store.classes.forgetMembersBefore(T + 1000)) >= 2);
      assert.deepEqual(await store.classes.members('c_retain_old1'), []);
      assert.deepEqual(await store.classes.members('c_retain_end1'), []);
      assert.equal((await store.classes.members('c_retain_new1')).length, 1);
      assert.ok(await store.classes.classById('c_retain_old1'), 'the class itself stays');
    });

    it('keeps a removed instructor’s classes, owned by nobody', async () => {
      await store.accounts.addUser({
        id: 'u_leaving_001',
        username: 'leaving',
        displayName: 'leaving',
        role: 'instructor',
        passwordHash: null,
        createdAt: T,
        updatedAt: T,
        disabledAt: null,
        groups: [],
      });
      await store.classes.addClass(aClass('c_orphaned01', { ownerId: 'u_leaving_001' }));
      assert.equal(await store.accounts.removeUser('u_leaving_001'), true);
      assert.equal((await store.classes.classById('c_orphaned01'))?.ownerId, null);
    });

    const addStaffUser = (id: string, username: string, role: 'assistant' | 'instructor') =>
      store.accounts.addUser({
        id,
        username,
        displayName: `${username} (display)`,
        role,
        passwordHash: null,
        createdAt: T,
        updatedAt: T,
        disabledAt: null,
        groups: [],
      });

    it('grants staff to a class, changes whether they may watch, and takes them off it', async () => {
      await addStaffUser('u_helper_0001', 'helper-one', 'assistant');
      await addStaffUser('u_helper_0002', 'alpha-two', 'instructor');
      await store.classes.addClass(aClass('c_staffed_001'));
      await store.classes.addClass(aClass('c_staffed_002', { createdAt: T + 50 }));
      const grant = {
        classId: 'c_staffed_001',
        userId: 'u_helper_0001',
        mayWatch: false,
        grantedBy: 'u_instructor01',
        grantedAt: T + 2 ** 33,
      };
      assert.equal(await store.classes.grantStaff(grant), 'added');
      assert.deepEqual(await store.classes.staffGrant('c_staffed_001', 'u_helper_0001'), grant);

      // Granting again changes only whether they may watch; who granted it and when stay.
      assert.equal(
        await store.classes.grantStaff({ ...grant, mayWatch: true, grantedBy: null, grantedAt: T }),
        'updated',
      );
      assert.deepEqual(await store.classes.staffGrant('c_staffed_001', 'u_helper_0001'), {
        ...grant,
        mayWatch: true,
      });
      assert.equal(
        await store.classes.setStaffWatch('c_staffed_001', 'u_helper_0001', false),
        true,
      );
      assert.equal(
        (await store.classes.staffGrant('c_staffed_001', 'u_helper_0001'))?.mayWatch,
        false,
      );
      assert.equal(
        await store.classes.setStaffWatch('c_staffed_002', 'u_helper_0001', true),
        false,
      );

      await store.classes.grantStaff({
        ...grant,
        userId: 'u_helper_0002',
        mayWatch: true,
        grantedBy: null,
      });
      await store.classes.grantStaff({ ...grant, classId: 'c_staffed_002' });
      const staff = await store.classes.staffOf('c_staffed_001');
      assert.deepEqual(
        staff.map((s) => [s.username, s.role, s.mayWatch, s.displayName, s.disabledAt]),
        [
          ['alpha-two', 'instructor', true, 'alpha-two (display)', null],
          ['helper-one', 'assistant', false, 'helper-one (display)', null],
        ],
        'by username, with their accounts',
      );
      assert.deepEqual(
        (await store.classes.classesHelpedBy('u_helper_0001')).map((h) => [
          h.class.id,
          h.grant.mayWatch,
        ]),
        [
          ['c_staffed_002', false],
          ['c_staffed_001', false],
        ],
        'newest class first',
      );
      assert.deepEqual(await store.classes.classesHelpedBy('u_instructor02'), []);

      assert.equal(await store.classes.removeStaff('c_staffed_001', 'u_helper_0001'), true);
      assert.equal(await store.classes.removeStaff('c_staffed_001', 'u_helper_0001'), false);
      assert.equal(await store.classes.staffGrant('c_staffed_001', 'u_helper_0001'), undefined);
      assert.deepEqual(
        (await store.classes.staffOf('c_staffed_001')).map((s) => s.userId),
        ['u_helper_0002'],
      );
    });

    it('drops a removed user’s grants, and keeps grants whose granter was removed', async () => {
      await addStaffUser('u_granter_001', 'granter', 'instructor');
      await addStaffUser('u_goes_away01', 'goes-away', 'assistant');
      await store.classes.addClass(aClass('c_staff_gone1', { ownerId: 'u_granter_001' }));
      for (const userId of ['u_goes_away01', 'u_instructor02'])
        await store.classes.grantStaff({
          classId: 'c_staff_gone1',
          userId,
          mayWatch: true,
          grantedBy: 'u_granter_001',
          grantedAt: T,
        });
      assert.equal(await store.accounts.removeUser('u_goes_away01'), true);
      assert.equal(await store.accounts.removeUser('u_granter_001'), true);
      assert.deepEqual(
        (await store.classes.staffOf('c_staff_gone1')).map((s) => [s.userId, s.grantedBy]),
        [['u_instructor02', null]],
      );
    });
  });
}
