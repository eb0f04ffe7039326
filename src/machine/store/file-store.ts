import { chmod, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../host/atomic-write.js';
import { HostLoadError, HostNotFoundError } from '../errors.js';
import { type HostRecord, parseHostRecord } from '../host-record.js';
import type { HostStore } from './host-store.js';

/**
 * The on-disk store: `<root>/machines/<name>/config.json` (0600, dir 0700), written with temp + rename. Loading an
 * older ConfigVersion migrates it, keeps the original as `config.json.bak` and saves the new form.
 */
export class FileStore implements HostStore {
  constructor(readonly path: string) {}

  machineDir(name: string): string {
    return join(this.path, 'machines', name);
  }

  private configPath(name: string): string {
    return join(this.machineDir(name), 'config.json');
  }

  async exists(name: string): Promise<boolean> {
    try {
      return (await stat(this.machineDir(name))).isDirectory();
    } catch {
      return false;
    }
  }

  async list(): Promise<string[]> {
    try {
      const entries = await readdir(join(this.path, 'machines'), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async load(name: string): Promise<HostRecord> {
    let text: string;
    try {
      text = await readFile(this.configPath(name), 'utf8');
    } catch (err) {
      if (!(await this.exists(name))) throw new HostNotFoundError(name);
      throw new HostLoadError(`cannot read host record ${this.configPath(name)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const { record, migrated } = parseHostRecord(text, {
      name,
      storePath: this.path,
      machineDir: this.machineDir(name),
    });
    if (migrated) {
      await writeFileAtomic(`${this.configPath(name)}.bak`, text, 0o600);
      await this.save(record);
    }
    return record;
  }

  async save(record: HostRecord): Promise<void> {
    const dir = this.machineDir(record.Name);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    await writeFileAtomic(this.configPath(record.Name), `${JSON.stringify(record, null, 4)}\n`, 0o600);
  }

  async remove(name: string): Promise<void> {
    await rm(this.machineDir(name), { recursive: true, force: true });
  }
}
