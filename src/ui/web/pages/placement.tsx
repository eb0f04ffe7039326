import { useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { Badge, Card, ErrorBox } from '../ui.js';

/** The placement explanation the manager answers with (`/shoal/v1/plan`, `/shoal/v1/placements/{c}`). */
interface Explanation {
  container?: string;
  node: string | null;
  strategy: string;
  filters: string[];
  at: string;
  summary: string;
  nodes: {
    name: string;
    id: string;
    addr: string;
    verdict: 'chosen' | 'eligible' | 'rejected';
    filter?: string;
    reason?: string;
    score?: number;
    rank?: number;
  }[];
  error?: string;
}

function ExplanationTable({ e }: { e: Explanation }) {
  return (
    <div data-testid="explanation">
      <p class="summary">
        <b>{e.node ? `→ ${e.node}` : 'no node fits'}</b> · {e.summary} · strategy {e.strategy}
      </p>
      {e.error ? <div class="error">{e.error}</div> : null}
      <table>
        <thead>
          <tr>
            <th>node</th>
            <th>verdict</th>
            <th>filter</th>
            <th>reason</th>
            <th>score</th>
            <th>rank</th>
          </tr>
        </thead>
        <tbody>
          {e.nodes.map((n) => (
            <tr key={n.id || n.name} data-node={n.name}>
              <td>
                <b>{n.name}</b> <span class="mono muted">{n.addr}</span>
              </td>
              <td>
                <Badge kind={n.verdict}>{n.verdict}</Badge>
              </td>
              <td>{n.filter ?? ''}</td>
              <td>{n.reason ?? ''}</td>
              <td>{n.score ?? ''}</td>
              <td>{n.rank ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function lines(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Placement: plan a run (nothing is created) and explain where an existing container went. */
export function Placement() {
  const [image, setImage] = useState('busybox');
  const [env, setEnv] = useState('');
  const [labels, setLabels] = useState('');
  const [memory, setMemory] = useState('');
  const [cpus, setCpus] = useState('');
  const [portText, setPortText] = useState('');
  const [plan, setPlan] = useState<Explanation>();
  const [planError, setPlanError] = useState<string>();
  const [ref, setRef] = useState('');
  const [explained, setExplained] = useState<Explanation>();
  const [explainError, setExplainError] = useState<string>();

  const runPlan = async (e: Event) => {
    e.preventDefault();
    setPlanError(undefined);
    setPlan(undefined);
    const bindings: Record<string, { HostPort: string }[]> = {};
    const exposed: Record<string, object> = {};
    for (const p of lines(portText)) {
      const [host, inner] = p.includes(':') ? p.split(':') : ['', p];
      const key = inner!.includes('/') ? inner! : `${inner}/tcp`;
      exposed[key] = {};
      bindings[key] = [{ HostPort: host ?? '' }];
    }
    const body = {
      Image: image,
      Env: lines(env),
      Labels: Object.fromEntries(
        lines(labels).map((l) => [l.split('=')[0], l.split('=').slice(1).join('=')]),
      ),
      ExposedPorts: exposed,
      HostConfig: {
        ...(memory ? { Memory: Number(memory) * 1024 * 1024 } : {}),
        ...(cpus ? { NanoCpus: Math.round(Number(cpus) * 1e9) } : {}),
        PortBindings: bindings,
      },
    };
    try {
      setPlan(await post<Explanation>('/docker/shoal/v1/plan', body));
    } catch (err) {
      setPlanError(err instanceof Error ? err.message : String(err));
    }
  };
  const explain = async (e: Event) => {
    e.preventDefault();
    setExplainError(undefined);
    setExplained(undefined);
    try {
      setExplained(await get<Explanation>(`/docker/shoal/v1/placements/${encodeURIComponent(ref.trim())}`));
    } catch (err) {
      setExplainError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div class="page">
      <Card title="Plan a run (nothing is created)">
        <form class="form" onSubmit={(e) => void runPlan(e)} data-testid="plan-form">
          <label>
            image{' '}
            <input
              value={image}
              onInput={(e) => setImage((e.target as HTMLInputElement).value)}
              name="image"
            />
          </label>
          <label>
            -e (constraint:node==x, affinity:...)
            <input value={env} onInput={(e) => setEnv((e.target as HTMLInputElement).value)} name="env" />
          </label>
          <label>
            -l labels{' '}
            <input value={labels} onInput={(e) => setLabels((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            -m MiB <input value={memory} onInput={(e) => setMemory((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            --cpus <input value={cpus} onInput={(e) => setCpus((e.target as HTMLInputElement).value)} />
          </label>
          <label>
            -p <input value={portText} onInput={(e) => setPortText((e.target as HTMLInputElement).value)} />
          </label>
          <button type="submit">plan</button>
        </form>
        <ErrorBox error={planError} what="plan" />
        {plan ? <ExplanationTable e={plan} /> : null}
      </Card>
      <Card title="Explain a container">
        <form class="form" onSubmit={(e) => void explain(e)}>
          <label>
            container{' '}
            <input value={ref} onInput={(e) => setRef((e.target as HTMLInputElement).value)} name="ref" />
          </label>
          <button type="submit">explain</button>
        </form>
        <ErrorBox error={explainError} what="explain" />
        {explained ? <ExplanationTable e={explained} /> : null}
      </Card>
    </div>
  );
}
