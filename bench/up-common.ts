/** Helpers shared by the `shoal up` benchmarks: run the built CLI and the docker CLI, sweep leftovers. */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** The built CLI (run `npm run build` first). */
export const CLI = resolve(import.meta.dirname, '../../../dist/cli/main.js');
/** Prefix and subnet of the benchmarks' cluster. */
export const PREFIX = 'shu';
export const SUBNET = '10.236.0.0/24';

/** Result of a command. */
export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv to completion; `onLine` sees stdout lines as they come. */
export function run(
  argv: string[],
  env: Record<string, string> = {},
  onLine?: (l: string) => void,
): Promise<Ran> {
  return new Promise((done) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      partial += b.toString();
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) onLine?.(l);
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** `shoal <args>` with the store given. */
export function shoal(store: string, args: string[], onLine?: (l: string) => void): Promise<Ran> {
  return run(['node', CLI, ...args], { SHOAL_STORAGE_PATH: store }, onLine);
}

/** The docker CLI against `tcp://ip:port` with a machine's certificates. */
export function docker(store: string, host: string, ip: string, port: number, args: string[]): Promise<Ran> {
  return run(['docker', ...args], {
    DOCKER_HOST: `tcp://${ip}:${port}`,
    DOCKER_TLS_VERIFY: '1',
    DOCKER_CERT_PATH: `${store}/machines/${host}`,
  });
}

/** Median of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
