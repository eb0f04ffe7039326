/**
 * A zombie primary: the primary's manager process is frozen (SIGSTOP) until the replica has taken over (its lease
 * ran out), then resumed (SIGCONT). From the moment it resumes it must not answer as primary: twenty `/info`
 * requests are already queued on its socket when it wakes, and more follow for 3 s. Any `Role: primary` while the
 * other manager is primary is a violation, as is no takeover within 30 s.
 */
import type { ManagerView } from '../../../src/up/index.js';
import { type Fault, type FaultContext, type Injected, signal, sleep, waitFor } from './fault.js';

export const freezePrimary: Fault = {
  kind: 'freeze-primary',
  description:
    'SIGSTOP the primary manager past its TTL until the replica leads, then SIGCONT; it must not answer as primary',
  async inject({ cluster }: FaultContext): Promise<Injected> {
    const primary = await cluster.primary();
    if (!primary) throw new Error('no primary to freeze');
    const other = cluster.managers.find((m) => m.name !== primary)?.name as string;
    const pid = await cluster.managerPid(primary);
    if (pid === undefined || !signal(pid, 'SIGSTOP'))
      throw new Error(`cannot stop the manager on ${primary}`);
    const violations: string[] = [];
    const notes: string[] = [];
    const t0 = Date.now();
    const took = await waitFor(
      async () => ((await cluster.view(other, 2000))?.role === 'primary' ? true : undefined),
      30_000,
    );
    if (!took) violations.push(`${other} did not become primary within 30 s of freezing ${primary}`);
    else notes.push(`${other} primary ${((Date.now() - t0) / 1000).toFixed(1)} s after the freeze`);
    await sleep(1000);
    return {
      target: `${primary} (primary)`,
      violations,
      notes,
      heal: async () => {
        const answers: Promise<ManagerView | undefined>[] = [];
        for (let i = 0; i < 20; i++) answers.push(cluster.view(primary, 5000));
        await sleep(50);
        signal(pid, 'SIGCONT');
        const until = Date.now() + 3000;
        while (Date.now() < until) {
          answers.push(cluster.view(primary, 3000));
          await sleep(100);
        }
        const seen = await Promise.all(answers);
        const asPrimary = seen.filter((v) => v?.role === 'primary').length;
        if (asPrimary > 0) {
          const now = await cluster.view(other, 3000);
          violations.push(
            `resumed ${primary} answered Role: primary ${asPrimary} of ${seen.length} times ` +
              `(${other} says ${now?.role ?? 'nothing'})`,
          );
        }
        notes.push(
          `${seen.filter((v) => v !== undefined).length}/${seen.length} probes of the resumed manager answered`,
        );
      },
    };
  },
};
