import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Containers } from './pages/containers.js';
import { Events } from './pages/events.js';
import { Kv } from './pages/kv.js';
import { Nodes } from './pages/nodes.js';
import { Overview } from './pages/overview.js';
import { Placement } from './pages/placement.js';
import { LiveStore, StoreContext, useLive, usePoll } from './store.js';
import { ago, Badge } from './ui.js';
import './style.css';

const PAGES = {
  overview: { title: 'Overview', view: Overview },
  nodes: { title: 'Nodes', view: Nodes },
  containers: { title: 'Containers', view: Containers },
  placement: { title: 'Placement', view: Placement },
  kv: { title: 'KV', view: Kv },
  events: { title: 'Events', view: Events },
} as const;
type PageName = keyof typeof PAGES;

function pageOf(hash: string): PageName {
  const name = hash.replace(/^#\/?/, '');
  return name in PAGES ? (name as PageName) : 'overview';
}

/** The bar at the top: which manager the dashboard goes through, its role, the stream's state. */
function Header() {
  const live = useLive();
  const config = usePoll<{ target: string; managers: { name: string; addr: string }[] }>(
    '/dash/v1/config',
    60_000,
  );
  const status = live.info?.SystemStatus ?? [];
  const role = status.find(([k]) => k === 'Role')?.[1];
  const primary = status.find(([k]) => k === 'Primary')?.[1];
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return (
    <div class="status" data-testid="status">
      <span>
        via <b data-testid="via">{live.via ?? config.data?.target ?? '…'}</b>
      </span>
      {role ? <Badge kind={role}>{role}</Badge> : null}
      {primary ? (
        <span class="mono">primary {primary}</span>
      ) : role === 'primary' && (live.via ?? config.data) ? (
        <span class="mono">primary {live.via ?? config.data?.target}</span>
      ) : null}
      <Badge kind={live.live ? 'live' : 'down'}>{live.live ? 'live' : 'reconnecting'}</Badge>
      <span class="muted">{live.updatedAt ? `updated ${ago(live.updatedAt)}` : ''}</span>
    </div>
  );
}

function App() {
  const store = useMemo(() => new LiveStore(), []);
  const [page, setPage] = useState<PageName>(pageOf(location.hash));
  useEffect(() => {
    const on = () => setPage(pageOf(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  const View = PAGES[page].view;
  return (
    <StoreContext.Provider value={store}>
      <nav>
        <span class="brand">shoal</span>
        {(Object.keys(PAGES) as PageName[]).map((p) => (
          <a key={p} href={`#/${p}`} class={p === page ? 'on' : ''}>
            {PAGES[p].title}
          </a>
        ))}
        <Header />
      </nav>
      <main>
        <View />
      </main>
    </StoreContext.Provider>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
