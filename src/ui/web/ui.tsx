import type { ComponentChildren } from 'preact';

/** An error from the API, shown as it came (never swallowed). */
export function ErrorBox({ error, what }: { error?: string | undefined; what?: string }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      {what ? <strong>{what}: </strong> : null}
      {error}
    </div>
  );
}

/** A coloured state label. */
export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind.toLowerCase().replace(/[^a-z]+/g, '-')}`}>{children}</span>;
}

/** A usage bar (0..1) with its text. */
export function Bar({ ratio, text }: { ratio: number; text: string }) {
  const pct = Math.max(0, Math.min(1, Number.isFinite(ratio) ? ratio : 0)) * 100;
  return (
    <div class="bar" title={text}>
      <div class={`bar-fill ${pct > 85 ? 'bar-high' : ''}`} style={{ width: `${pct}%` }} />
      <span class="bar-text">{text}</span>
    </div>
  );
}

/** A titled section. */
export function Card({
  title,
  children,
  extra,
}: {
  title: string;
  children: ComponentChildren;
  extra?: ComponentChildren;
}) {
  return (
    <section class="card">
      <header>
        <h2>{title}</h2>
        {extra}
      </header>
      {children}
    </section>
  );
}

/** A short "3 s ago" text. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}
