import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';

/**
 * Reads a manager's `GET /metrics` over TLS with the client certificate in `certDir` (`ca.pem`, `cert.pem`,
 * `key.pem`), as Prometheus scrapes it. Rejects on a transport error or a non-200 status.
 */
export async function scrapeManager(port: number, certDir: string, host = '127.0.0.1'): Promise<string> {
  const [ca, cert, key] = await Promise.all(
    ['ca.pem', 'cert.pem', 'key.pem'].map((f) => readFile(join(certDir, f))),
  );
  return new Promise((resolve, reject) => {
    https
      .get({ host, port, path: '/metrics', ca, cert, key, timeout: 5000 }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => {
          text += s;
        });
        res.on('end', () =>
          res.statusCode === 200 ? resolve(text) : reject(new Error(`/metrics: ${res.statusCode} ${text}`)),
        );
      })
      .on('timeout', function (this: { destroy(e: Error): void }) {
        this.destroy(new Error('/metrics: no answer in 5 s'));
      })
      .on('error', reject);
  });
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
