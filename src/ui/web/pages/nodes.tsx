import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { useLive, usePoll, useStore } from '../store.js';
import { Badge, Bar, Card, ErrorBox } from '../ui.js';

interface SwarmNode {
  ID: string;
  Version?: { Index: number };
  Spec?: { Availability?: string };
  Description?: { Hostname?: string };
}

/** Nodes: health, availability, containers, reserved CPU and memory, labels; pause, drain, activate. */
export function Nodes() {
  const live = useLive();
  const store = useStore();
  const avail = usePoll<SwarmNode[]>('/docker/nodes', 3000);
  const [error, setError] = useState<string>();
  const availability = (id: string, name: string) =>
    avail.data?.find((n) => n.ID === id || n.Description?.Hostname === name)?.Spec?.Availability;
  const change = async (id: string, to: string) => {
    setError(undefined);
    try {
      const node = await get<SwarmNode>(`/docker/nodes/${encodeURIComponent(id)}`);
      await post(`/docker/nodes/${encodeURIComponent(id)}/update?version=${node.Version?.Index ?? 0}`, {
        ...(node.Spec ?? {}),
        Availability: to,
      });
      avail.reload();
      store.poke(0);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div class="page">
      <Card title={`Nodes (${live.nodes.length})`}>
        <ErrorBox error={live.error} what="manager" />
        <ErrorBox error={error} what="availability change" />
        <ErrorBox error={avail.error} what="node availability (GET /nodes)" />
        <table data-testid="nodes">
          <thead>
            <tr>
              <th>node</th>
              <th>status</th>
              <th>availability</th>
              <th>containers</th>
              <th>reserved CPUs</th>
              <th>reserved memory</th>
              <th>labels</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {live.nodes.map((n) => {
              const a = availability(n.id, n.name) ?? n.availability;
              return (
                <tr key={n.addr} data-node={n.name}>
                  <td>
                    <b>{n.name}</b>
                    <div class="mono muted">{n.addr}</div>
                  </td>
                  <td>
                    <Badge kind={n.status}>{n.status}</Badge>
                    {n.error ? <div class="muted">{n.error}</div> : null}
                  </td>
                  <td>{a ? <Badge kind={a}>{a}</Badge> : <span class="muted">?</span>}</td>
                  <td>{n.containers}</td>
                  <td>
                    <Bar ratio={n.cpus[1] ? n.cpus[0] / n.cpus[1] : 0} text={`${n.cpus[0]} / ${n.cpus[1]}`} />
                  </td>
                  <td>
                    <Bar ratio={n.memoryRatio} text={`${n.memory[0]} / ${n.memory[1]}`} />
                  </td>
                  <td class="labels">
                    {n.labels.map((l) => (
                      <span class="label" key={l}>
                        {l}
                      </span>
                    ))}
                  </td>
                  <td class="actions">
                    {['active', 'pause', 'drain'].map((to) => (
                      <button
                        type="button"
                        key={to}
                        disabled={a === to}
                        onClick={() => void change(n.id, to)}
                      >
                        {to === 'active' ? 'activate' : to}
                      </button>
                    ))}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
