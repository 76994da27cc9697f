import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resultsCsv } from '../../lab-server/classes/results-csv.ts';

describe('a class’s results as CSV', () => {
  it('has a header and a row per learner and task, times in ISO and seconds, a skipped task as "solution shown"', () => {
    const csv = resultsCsv([
      {
        learner: 'Ada',
        lab: 'volumes',
        task: 'build',
        state: 'passed',
        firstPassedAt: Date.UTC(2026, 11, 3, 9, 15, 0),
        attempts: 2,
        timeSpentMs: 301_400,
        lastMessage: 'ok',
      },
      { learner: 'Bob', lab: 'volumes', task: 'build', state: 'not-started', attempts: 0 },
      {
        learner: 'Cy',
        lab: 'volumes',
        task: 'build',
        state: 'shown',
        shownAt: Date.UTC(2026, 11, 3, 9, 20, 0),
        attempts: 3,
        lastMessage: 'ok',
      },
    ]);
    assert.equal(
      csv,
      'learner,lab,task,status,first_passed_at,attempts,time_spent_seconds,last_message,solution_shown_at\n' +
        'Ada,volumes,build,passed,2026-12-03T09:15:00.000Z,2,301,ok,\n' +
        'Bob,volumes,build,not-started,,0,,,\n' +
        'Cy,volumes,build,solution shown,,3,,ok,2026-12-03T09:20:00.000Z\n',
    );
  });

  it('quotes commas, quotes and line breaks, and keeps a learner’s formula from running in a spreadsheet', () => {
    const csv = resultsCsv([
      {
        learner: '=HYPERLINK("http://evil.example","click")',
        lab: 'volumes',
        task: 'run',
        state: 'failing',
        attempts: 1,
        lastMessage: '@SUM(1,2) exited: "no such file"\nsee logs',
      },
    ]);
    const row = csv.split('\n').slice(1).join('\n');
    assert.equal(
      row,
      `"'=HYPERLINK(""http://evil.example"",""click"")",volumes,run,failing,,1,,"'@SUM(1,2) exited: ""no such file""\nsee logs",\n`,
    );
  });
});
