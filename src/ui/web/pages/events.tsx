import { useState } from 'preact/hooks';
import { useLive } from '../store.js';
import { Badge, Card, ErrorBox } from '../ui.js';

/** Events: the manager's live stream, newest first. */
export function Events() {
  const live = useLive();
  const [type, setType] = useState('');
  const shown = live.events.filter((e) => !type || e.Type === type);
  return (
    <div class="page">
      <Card
        title={`Events (${shown.length})`}
        extra={
          <select value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
            <option value="">all types</option>
            {['container', 'image', 'network', 'volume', 'swarm'].map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        }
      >
        <ErrorBox error={live.error} what="manager" />
        <p class="muted">{live.live ? 'Streaming from the manager.' : 'Connecting to the event stream…'}</p>
        <table data-testid="events">
          <thead>
            <tr>
              <th>time</th>
              <th>type</th>
              <th>action</th>
              <th>node</th>
              <th>actor</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((e, i) => (
              <tr key={`${e.timeNano ?? i}-${i}`}>
                <td>{e.time ? new Date(e.time * 1000).toLocaleTimeString() : ''}</td>
                <td>
                  <Badge kind={e.Type ?? ''}>{e.Type ?? ''}</Badge>
                </td>
                <td>{e.Action ?? e.status ?? ''}</td>
                <td>{e.node?.Name ?? ''}</td>
                <td class="mono">
                  {e.Actor?.Attributes?.name ?? (e.Actor?.ID ?? e.id ?? '').slice(0, 12)}
                  {e.Actor?.Attributes?.image ? (
                    <span class="muted"> ({e.Actor.Attributes.image})</span>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
