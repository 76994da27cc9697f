/**
 * An issue's goals that a bench run can judge on its own figures, printed after
 * them as met or NOT met, so that a run says at a glance where this machine
 * stands. A bench judges only the goals whose shape its run has (a warm burst of
 * 30 is judged only by a run of 30 warm Starts at once).
 */
export type Goal = [goal: string, met: boolean];

/** `issue`: the issue that set the goals, e.g. `#10`. */
export function printGoals(issue: string, goals: Goal[]): void {
  if (goals.length === 0) return;
  console.log(
    `\nissue ${issue}'s goals: ${goals.map(([goal, met]) => `${goal}: ${met ? 'met' : 'NOT met'}`).join('; ')}`,
  );
}
