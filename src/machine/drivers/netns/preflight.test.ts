import { describe, expect, it } from 'vitest';
import { PreCreateCheckError } from '../../errors.js';
import { machineLayout } from './layout.js';
import { checkRoot, checkSocketPaths, checkTools } from './preflight.js';

describe('preflight', () => {
  it('refuses a non-root user with a clear reason', () => {
    expect(() => checkRoot(65534)).toThrow(PreCreateCheckError);
    expect(() => checkRoot(65534)).toThrow(/needs root/);
    expect(() => checkRoot(0)).not.toThrow();
  });
  it('refuses a missing dockerd', async () => {
    await expect(checkTools('/nonexistent/dockerd')).rejects.toThrow(
      /dockerd not found: "\/nonexistent\/dockerd"/,
    );
    await expect(checkTools('no-such-dockerd')).rejects.toThrow(/not an executable in PATH/);
  });
  it('refuses store paths whose sockets would be too long', () => {
    expect(() => checkSocketPaths(machineLayout('/root/.shoal/machines/m1'))).not.toThrow();
    expect(() => checkSocketPaths(machineLayout(`/tmp/${'x'.repeat(60)}/machines/m1`))).toThrow(
      /shorter --storage-path/,
    );
  });
});
