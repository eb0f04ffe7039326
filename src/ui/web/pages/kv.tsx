import { useState } from 'preact/hooks';
import { usePoll } from '../store.js';
import { Card, ErrorBox } from '../ui.js';

interface Entry {
  key: string;
  value: string;
  lease?: string;
  modRevision: string;
}

/** KV: the discovery and leader keys, read-only, as a tree filtered by folder. */
export function Kv() {
  const kv = usePoll<{ root: string; keys: Entry[] }>('/dash/v1/kv', 2000);
  const [folder, setFolder] = useState('');
  const root = kv.data?.root ?? '';
  const keys = kv.data?.keys ?? [];
  const rel = (k: string) => k.slice(root.length + 1);
  const folders = [...new Set(keys.map((k) => rel(k.key).split('/').slice(0, -1).join('/')))].sort();
  const shown = keys.filter((k) => !folder || rel(k.key).startsWith(`${folder}/`));
  return (
    <div class="page">
      <Card title={`KV: ${root}/ (read-only)`}>
        <ErrorBox error={kv.error} what="KV" />
        <div class="folders">
          <button type="button" class={folder === '' ? 'on' : ''} onClick={() => setFolder('')}>
            all ({keys.length})
          </button>
          {folders.map((f) => (
            <button type="button" key={f} class={folder === f ? 'on' : ''} onClick={() => setFolder(f)}>
              {f || '(top)'}
            </button>
          ))}
        </div>
        <table data-testid="kv">
          <thead>
            <tr>
              <th>key</th>
              <th>value</th>
              <th>lease</th>
              <th>revision</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((k) => (
              <tr key={k.key}>
                <td class="mono">{rel(k.key)}</td>
                <td class="mono">{k.value.length > 200 ? `${k.value.slice(0, 200)}…` : k.value}</td>
                <td class="mono">{k.lease ?? ''}</td>
                <td>{k.modRevision}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </div>
  );
}
