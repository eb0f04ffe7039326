import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';

/**
 * A GET to a manager's API over TLS with the client certificate in `certDir` (`ca.pem`, `cert.pem`, `key.pem`).
 * Resolves with the status and body; rejects on a transport error or no answer within 5 s.
 */
export async function getFromManager(
  port: number,
  certDir: string,
  path: string,
  host = '127.0.0.1',
): Promise<{ status: number; body: string }> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(certDir, f))),
  );
  return new Promise((resolve, reject) => {
    const req = https.get({ host, port, path, ca, cert, key, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (s: string) => {
        body += s;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${path}: no answer in 5 s`)));
    req.on('error', reject);
  });
}

/** A manager's `GET /metrics` as Prometheus scrapes it (see {@link getFromManager}); rejects unless 200. */
export async function scrapeManager(port: number, certDir: string, host = '127.0.0.1'): Promise<string> {
  const r = await getFromManager(port, certDir, '/metrics', host);
  if (r.status !== 200) throw new Error(`/metrics: ${r.status} ${r.body}`);
  return r.body;
}

/**
 * The value of one sample in Prometheus text format, by its exact series (`name{label="v",...}` as exposed, or a
 * bare name); undefined when the series is absent.
 */
export function sampleValue(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1).split(' ')[0]);
  }
  return undefined;
}
