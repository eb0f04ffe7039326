import { useLive, usePoll } from '../store.js';
import { Badge, Card, ErrorBox } from '../ui.js';

interface ManagerRow {
  name: string;
  addr: string;
  up: boolean;
  role?: string;
  primary?: string | null;
  error?: string;
}
interface Failover {
  at: string;
  primary: string;
  previous?: string;
  vacantMs?: number;
}
interface Member {
  name: string;
  endpoint: string;
  reachable: boolean;
  leader: boolean;
  error?: string;
}
interface HostRow {
  name: string;
  driver: string;
  ip: string;
  state: string;
  master: boolean;
}

/** Overview: managers and their roles, failovers, KV members, registry, hosts and totals. */
export function Overview() {
  const live = useLive();
  const managers = usePoll<{ managers: ManagerRow[]; leaderKey: string | null }>('/dash/v1/managers', 2000);
  const failovers = usePoll<{ failovers: Failover[] }>('/dash/v1/failovers', 2000);
  const members = usePoll<{ members: Member[] }>('/dash/v1/kv/members', 5000);
  const registry = usePoll<{ registry: { address: string; running: boolean } | null }>(
    '/dash/v1/registry',
    10_000,
  );
  const hosts = usePoll<{ hosts: HostRow[] }>('/dash/v1/hosts', 10_000);
  const healthy = live.nodes.filter((n) => n.status === 'Healthy').length;
  const running = live.containers.filter((c) => c.State === 'running').length;
  const rows = managers.data?.managers ?? [];
  const primaryRow = rows.find((m) => m.up && m.role === 'primary');
  const switches = (failovers.data?.failovers ?? []).filter((f) => f.previous !== undefined);
  return (
    <div class="page">
      <div class="totals">
        <div
          class={`total ${healthy < live.nodes.length ? 'total-warn' : 'total-ok'}`}
          data-testid="total-nodes"
        >
          <b>
            {healthy}/{live.nodes.length}
          </b>
          <span>nodes healthy</span>
        </div>
        <div class="total" data-testid="total-containers">
          <b>
            {running}/{live.containers.length}
          </b>
          <span>containers running</span>
        </div>
        <div class={`total ${primaryRow ? 'total-ok' : 'total-warn'}`} data-testid="total-primary">
          <b>{primaryRow?.name ?? 'none'}</b>
          <span>primary manager</span>
        </div>
        <div class="total" data-testid="total-failovers">
          <b>{switches.length}</b>
          <span>failovers seen</span>
        </div>
      </div>
      <Card title="Managers">
        <ErrorBox error={managers.error} what="managers" />
        <table data-testid="managers">
          <thead>
            <tr>
              <th>manager</th>
              <th>address</th>
              <th>role</th>
              <th>primary</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.name} data-manager={m.name}>
                <td>{m.name}</td>
                <td class="mono">{m.addr}</td>
                <td>
                  {m.up ? <Badge kind={m.role ?? ''}>{m.role}</Badge> : <Badge kind="down">down</Badge>}
                  {m.error ? <span class="muted"> {m.error}</span> : null}
                </td>
                <td class="mono">{m.up ? (m.role === 'primary' ? 'this one' : (m.primary ?? '?')) : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="muted">Leader key: {managers.data?.leaderKey ?? 'vacant'}</p>
      </Card>
      <Card title="Failover history">
        <ErrorBox error={failovers.error} what="failovers" />
        {(failovers.data?.failovers ?? []).length === 0 ? (
          <p class="muted">No primary seen yet.</p>
        ) : (
          <table data-testid="failovers">
            <thead>
              <tr>
                <th>time</th>
                <th>primary</th>
                <th>previous</th>
                <th>without primary</th>
              </tr>
            </thead>
            <tbody>
              {[...(failovers.data?.failovers ?? [])].reverse().map((f) => (
                <tr key={f.at + f.primary} class={f.previous ? 'failover' : ''}>
                  <td>{new Date(f.at).toLocaleTimeString()}</td>
                  <td class="mono">{f.primary}</td>
                  <td class="mono">{f.previous ?? '(first seen)'}</td>
                  <td>{f.vacantMs !== undefined ? `${(f.vacantMs / 1000).toFixed(1)} s` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <div class="two">
        <Card title="KV members">
          <ErrorBox error={members.error} what="KV" />
          <table>
            <tbody>
              {(members.data?.members ?? []).map((m) => (
                <tr key={m.name}>
                  <td>{m.name}</td>
                  <td class="mono">{m.endpoint}</td>
                  <td>
                    {m.reachable ? (
                      <Badge kind="healthy">healthy</Badge>
                    ) : (
                      <Badge kind="down">unreachable</Badge>
                    )}
                    {m.leader ? <Badge kind="primary">leader</Badge> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
        <Card title="Registry">
          <ErrorBox error={registry.error} what="registry" />
          {registry.data?.registry ? (
            <p>
              <span class="mono">{registry.data.registry.address}</span>{' '}
              {registry.data.registry.running ? (
                <Badge kind="healthy">running</Badge>
              ) : (
                <Badge kind="down">down</Badge>
              )}
            </p>
          ) : (
            <p class="muted">No registry mirror in this cluster.</p>
          )}
        </Card>
      </div>
      <Card title="Hosts (machine store)">
        <ErrorBox error={hosts.error} what="hosts" />
        <table>
          <tbody>
            {(hosts.data?.hosts ?? []).map((h) => (
              <tr key={h.name}>
                <td>{h.name}</td>
                <td>{h.driver}</td>
                <td class="mono">{h.ip}</td>
                <td>
                  <Badge kind={h.state === 'Running' ? 'healthy' : 'down'}>{h.state}</Badge>
                  {h.master ? <Badge kind="primary">swarm master</Badge> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
