import { describe, expect, it } from 'vitest';
import { formatProblem, parseConfigText } from '../../core/config/loader';
import type { BullmqProfile } from '../../core/config/types';

const config = (profile: string, queues = '[{ "name": "emails", "prefix": "app" }]') => `{
  "stack": { "redis": { "url": "redis://127.0.0.1:6390" }, "queues": ${queues} },
  "profiles": {
    "real": ${profile}
  }
}`;

const problems = (text: string) => parseConfigText(text).problems.map((p) => formatProblem(p));

describe('bullmq "workers": "app" in the config', () => {
  it('normalizes the job name, the data template and no worker of its own', () => {
    const { config: c, problems: found } = parseConfigText(config('{ "type": "bullmq", "queue": "emails", "workers": "app", "arrivalRate": 50, "duration": "10s", "data": { "to": "u{{seq}}@example.test" } }'));
    expect(found).toEqual([]);
    const p = c!.profiles.real as BullmqProfile;
    expect(p).toMatchObject({ workers: 'app', jobName: 'perflab', data: { to: 'u{{seq}}@example.test' }, arrivalRate: 50, durationMs: 10_000, workerConcurrency: [] });
  });

  it("leaves a profile of PerfLab's own worker as it was (no workers field, so its hash is unchanged)", () => {
    const { config: c } = parseConfigText(config('{ "type": "bullmq", "queue": "emails" }'));
    expect(c!.profiles.real).not.toHaveProperty('workers');
    expect(c!.profiles.real).not.toHaveProperty('data');
  });

  it('refuses a queue the stack does not list, a missing rate, another mode and the options of PerfLab\'s own worker, each with its fix', () => {
    const out = problems(config('{ "type": "bullmq", "queue": "emais", "workers": "app", "mode": "drain", "workerConcurrency": 4, "processTime": "5ms" }'));
    expect(out).toEqual([
      expect.stringMatching(/^perflab\.config\.json:4:5 profiles\.real: "workers": "app" adds jobs at a rate the profile states, and "arrivalRate" is missing — add e\.g\. "arrivalRate": 50/),
      expect.stringMatching(/^perflab\.config\.json:4:\d+ profiles\.real\.queue: "workers": "app" adds jobs to the app's own queue, and "emais" is not listed in stack\.queues — did you mean "emails"\?.*list it under stack\.queues/),
      expect.stringMatching(/profiles\.real\.mode: "workers": "app" times the app's workers from add to completion; mode "drain" does not apply — remove "mode"/),
      expect.stringMatching(/profiles\.real\.workerConcurrency: "workerConcurrency" does not apply with "workers": "app": the app's workers run at their own concurrency — remove "workerConcurrency"/),
      expect.stringMatching(/profiles\.real\.processTime: "processTime" does not apply with "workers": "app": the work is the app's job code/),
    ]);
    expect(parseConfigText(config('{ "type": "bullmq", "queue": "emails", "workers": "app", "arrivalRate": 5 }', '[]')).config).toBeUndefined();
  });

  it('checks the templates of the data and warns of app options on PerfLab\'s own worker', () => {
    expect(problems(config('{ "type": "bullmq", "queue": "emails", "workers": "app", "arrivalRate": 5, "data": { "n": "{{int(5)}}" } }'))).toEqual([
      expect.stringMatching(/profiles\.real\.data\.n: .*int/),
    ]);
    expect(problems(config('{ "type": "bullmq", "queue": "emails", "jobName": "x" }'))).toEqual([
      expect.stringMatching(/profiles\.real\.jobName: warning: "jobName" only applies with "workers": "app".* — set "workers": "app" to measure the app's workers, or remove "jobName"/),
    ]);
  });
});
