import { useEffect, useRef, useState } from 'preact/hooks';
import { call, get, logFrames, post, stream } from '../api.js';
import { type Container, useLive, useStore } from '../store.js';
import { Badge, Card, ErrorBox } from '../ui.js';

function nodeAndName(c: Container): [string, string] {
  const full = (c.Names[0] ?? '').replace(/^\//, '');
  const i = full.indexOf('/');
  return i < 0 ? ['', full] : [full.slice(0, i), full.slice(i + 1)];
}

function ports(c: Container): string {
  return c.Ports.map((p) =>
    p.PublicPort ? `${p.IP ?? ''}:${p.PublicPort}->${p.PrivatePort}/${p.Type}` : `${p.PrivatePort}/${p.Type}`,
  ).join(', ');
}

/** A live tail of one container's logs (`logs --follow --tail 200`). */
function LogTail({ id, name }: { id: string; name: string }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const ac = new AbortController();
    setText('');
    setError(undefined);
    void (async () => {
      try {
        const info = await get<{ Config?: { Tty?: boolean } }>(`/docker/containers/${id}/json`);
        await stream(
          `/docker/containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=200`,
          ac.signal,
          logFrames(Boolean(info.Config?.Tty), (t) => setText((prev) => (prev + t).slice(-100_000))),
        );
      } catch (err) {
        if (!ac.signal.aborted) setError(err instanceof Error ? err.message : String(err));
      }
    })();
    return () => ac.abort();
  }, [id]);
  useEffect(() => {
    if (pre.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  return (
    <Card title={`Logs: ${name}`}>
      <ErrorBox error={error} what="logs" />
      <pre class="logs" ref={pre} data-testid="logs">
        {text}
      </pre>
    </Card>
  );
}

/** Containers: node, state, image, ports, a search box; stop, start, restart, remove; a live log tail. */
export function Containers() {
  const live = useLive();
  const store = useStore();
  const [q, setQ] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const [logsOf, setLogsOf] = useState<{ id: string; name: string }>();
  const act = async (c: Container, action: string) => {
    setError(undefined);
    setBusy(`${c.Id}:${action}`);
    try {
      if (action === 'remove') await call('DELETE', `/docker/containers/${c.Id}?force=1`);
      else await post(`/docker/containers/${c.Id}/${action}`);
      store.poke(0);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(undefined);
    }
  };
  const needle = q.trim().toLowerCase();
  const rows = live.containers.filter(
    (c) =>
      !needle ||
      c.Names.some((n) => n.toLowerCase().includes(needle)) ||
      c.Image.toLowerCase().includes(needle) ||
      c.Id.startsWith(needle) ||
      c.State.includes(needle),
  );
  return (
    <div class="page">
      <Card
        title={`Containers (${rows.length}/${live.containers.length})`}
        extra={
          <input
            type="search"
            placeholder="search name, image, state, ID"
            value={q}
            onInput={(e) => setQ((e.target as HTMLInputElement).value)}
            data-testid="search"
          />
        }
      >
        <ErrorBox error={live.error} what="manager" />
        <ErrorBox error={error} what="action" />
        <table data-testid="containers">
          <thead>
            <tr>
              <th>name</th>
              <th>node</th>
              <th>state</th>
              <th>image</th>
              <th>ports</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => {
              const [node, name] = nodeAndName(c);
              const running = c.State === 'running';
              return (
                <tr key={c.Id} data-container={name}>
                  <td>
                    <b>{name}</b>
                    <div class="mono muted">{c.Id.slice(0, 12)}</div>
                  </td>
                  <td>{node}</td>
                  <td>
                    <Badge kind={c.State}>{c.State}</Badge>
                    <div class="muted">{c.Status}</div>
                  </td>
                  <td class="mono">{c.Image}</td>
                  <td class="mono">{ports(c)}</td>
                  <td class="actions">
                    {(running ? ['stop', 'restart'] : ['start']).map((a) => (
                      <button
                        type="button"
                        key={a}
                        disabled={busy !== undefined}
                        onClick={() => void act(c, a)}
                      >
                        {busy === `${c.Id}:${a}` ? '…' : a}
                      </button>
                    ))}
                    <button type="button" disabled={busy !== undefined} onClick={() => void act(c, 'remove')}>
                      remove
                    </button>
                    <button type="button" onClick={() => setLogsOf({ id: c.Id, name })}>
                      logs
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </Card>
      {logsOf ? <LogTail id={logsOf.id} name={logsOf.name} /> : null}
    </div>
  );
}
