/**
 * Named schedules from an SSM parameter (SCALE_SCHEDULES_PARAMETER), so a team changes its hours
 * without a deploy: the value is JSON in SCALE_SCHEDULES' form, read once per run. How the two
 * sources merge:
 * - a name in one source only is used as it is;
 * - a name in both with the same schedule and holidays is used;
 * - a name in both that differs is a conflict: neither is trusted, resources naming it are skipped
 *   and reported (which one the owner meant cannot be told), and the run reports the conflict;
 * - a parameter that cannot be read (missing, refused, not JSON, one bad entry: all or nothing)
 *   adds no names; the run reports it, and a ScaleToZero value that is neither a name from
 *   SCALE_SCHEDULES nor a schedule written in the tag is skipped and reported as possibly naming a
 *   schedule of that parameter. Tags with `true`, SCALE_SCHEDULES names or inline schedules still work.
 * Pure: the read is done by the job (shared/jobs/scale-schedules.ts).
 */
import { ConfigError } from '../config';
import { scheduleKey } from './evaluate';
import type { Schedule } from './format';
import type { ScheduleSource } from './resolve';
import { namedSchedules } from './settings';

/** What reading the parameter gave: its value, or why there is none. */
export type ParameterRead = { name: string; value: string } | { name: string; error: string };

export interface MergedSchedules extends Pick<ScheduleSource, 'refusedNames' | 'namedUnavailable'> {
  namedSchedules: Map<string, Schedule>;
  /** For the run's report: the parameter unread, names in conflict. */
  problems: string[];
}

/** The schedule without the text it was written as: two spellings of the same hours agree. */
function meaning(s: Schedule): string {
  return scheduleKey(s).split('\n').slice(1).join('\n');
}

export function mergeNamedSchedules(
  fromEnv: ReadonlyMap<string, Schedule>,
  read: ParameterRead,
): MergedSchedules {
  const where = `SSM parameter ${read.name} (SCALE_SCHEDULES_PARAMETER)`;
  const merged = new Map(fromEnv);
  let fromParameter: Map<string, Schedule>;
  try {
    if ('error' in read) throw new ConfigError(read.error);
    fromParameter = namedSchedules(read.value, `SSM parameter ${read.name}`);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const why = `${where} could not be read: ${e.message}`;
    return { namedSchedules: merged, namedUnavailable: why, problems: [why] };
  }
  const refused = new Map<string, string>();
  for (const [name, schedule] of fromParameter) {
    const other = fromEnv.get(name);
    if (other && meaning(other) !== meaning(schedule)) {
      refused.set(
        name,
        `schedule "${name}" is defined differently in SCALE_SCHEDULES (${other.text}) and in ${where} (${schedule.text}); define it in one place`,
      );
      merged.delete(name);
    } else merged.set(name, schedule);
  }
  const out: MergedSchedules = { namedSchedules: merged, problems: [...refused.values()] };
  if (refused.size > 0) out.refusedNames = refused;
  return out;
}
