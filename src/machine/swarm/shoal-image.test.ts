import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OPENSSL_CONFIG, SEMI_SPACE_FLAG } from '../../util/node-flags.js';
import { APP_DIR, appRoot, buildId, importChanges } from './shoal-image.js';

describe('the shoal image', () => {
  it('starts node with shoal OpenSSL settings and young-generation size, as ./shoal does', async () => {
    const changes = importChanges('abc');
    const entry = changes[changes.indexOf('--change') + 1] ?? '';
    expect(entry.startsWith('ENTRYPOINT ')).toBe(true);
    expect(JSON.parse(entry.slice('ENTRYPOINT '.length))).toEqual([
      '/usr/bin/node',
      `--openssl-config=${APP_DIR}/${OPENSSL_CONFIG}`,
      SEMI_SPACE_FLAG,
      `${APP_DIR}/dist/cli/main.js`,
    ]);
    const script = await readFile(join(appRoot(), 'shoal'), 'utf8');
    expect(script).toContain(`--openssl-config="$dir/${OPENSSL_CONFIG}" ${SEMI_SPACE_FLAG} `);
    expect(await readFile(join(appRoot(), OPENSSL_CONFIG), 'utf8')).toMatch(/^NumTickets = 0$/m);
  });

  it('gives a new build id when the OpenSSL settings change', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-image-'));
    try {
      await mkdir(join(root, 'dist'));
      await mkdir(join(root, 'etc'));
      await writeFile(join(root, 'dist', 'main.js'), 'x');
      await writeFile(join(root, 'package.json'), '{}');
      await writeFile(join(root, 'package-lock.json'), '{}');
      await writeFile(join(root, OPENSSL_CONFIG), 'a');
      const first = await buildId(root, process.execPath);
      expect(await buildId(root, process.execPath)).toBe(first);
      await writeFile(join(root, OPENSSL_CONFIG), 'b');
      expect(await buildId(root, process.execPath)).not.toBe(first);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
