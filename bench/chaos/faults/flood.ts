/**
 * 1,000 idle TLS connections (handshake done with the client certificate, no request sent) held on one manager
 * for 10 s. Meanwhile a fresh `/info` must be answered within 5 s every second, and the manager must not restart.
 */
import tls from 'node:tls';
import { choose, type Fault, type FaultContext, type Injected, sleep } from './fault.js';

const CONNECTIONS = 1000;
const HOLD_MS = 10_000;

export const idleTlsFlood: Fault = {
  kind: 'idle-tls-flood',
  description: 'hold 1,000 idle TLS connections on a manager for 10 s; it must keep answering',
  async inject({ cluster, rng }: FaultContext): Promise<Injected> {
    const target = choose(
      rng,
      cluster.managers.map((m) => m.name),
    );
    const to = cluster.manager(target);
    const pidBefore = await cluster.managerPid(target);
    const sockets: tls.TLSSocket[] = [];
    let open = 0;
    const connect = () =>
      new Promise<void>((resolve) => {
        const s = tls.connect({ host: to.ip, port: to.port, ...cluster.tls });
        sockets.push(s);
        const t = setTimeout(resolve, 10_000);
        s.once('secureConnect', () => {
          open++;
          clearTimeout(t);
          resolve();
        });
        s.on('error', () => {
          clearTimeout(t);
          resolve();
        });
      });
    for (let i = 0; i < CONNECTIONS; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, CONNECTIONS - i) }, connect));
    }
    const violations: string[] = [];
    const notes = [`${open}/${CONNECTIONS} connections established`];
    let failed = 0;
    let slowest = 0;
    const until = Date.now() + HOLD_MS;
    while (Date.now() < until) {
      const a = await cluster.call(to, 'GET', '/info', undefined, 5000);
      slowest = Math.max(slowest, a.end - a.start);
      if (a.status !== 200) failed++;
      await sleep(1000);
    }
    const stillOpen = sockets.filter((s) => !s.destroyed).length;
    notes.push(`slowest /info ${slowest} ms; ${stillOpen} connections still open after ${HOLD_MS / 1000} s`);
    if (failed)
      violations.push(
        `${target} left ${failed} /info requests unanswered within 5 s under ${open} idle connections`,
      );
    return {
      target,
      violations,
      notes,
      heal: async () => {
        for (const s of sockets) s.destroy();
        const pidAfter = await cluster.managerPid(target);
        if (pidBefore !== undefined && pidAfter !== pidBefore)
          violations.push(
            `the manager on ${target} restarted under the flood (PID ${pidBefore} → ${pidAfter ?? 'none'})`,
          );
      },
    };
  },
};
