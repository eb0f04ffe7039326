import { join } from 'node:path';

/** Files and folders of one netns machine inside its machine directory. Names are short: socket paths are limited. */
export interface MachineLayout {
  readonly daemonJson: string;
  /** Engine identity key (`deprecated-key-path`), distinct per machine. */
  readonly keyJson: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly pidFile: string;
  /** The engine's unix socket. */
  readonly socket: string;
  readonly log: string;
  /** How to launch the engine again (`start`), written by the provisioner. */
  readonly launch: string;
}

/** Longest unix socket path we accept (the kernel's limit is 107 bytes; containerd appends to exec-root paths). */
export const MAX_SOCKET_PATH = 100;

/** The layout of the machine whose directory is `machineDir`. */
export function machineLayout(machineDir: string): MachineLayout {
  return {
    daemonJson: join(machineDir, 'daemon.json'),
    keyJson: join(machineDir, 'key.json'),
    dataRoot: join(machineDir, 'data'),
    execRoot: join(machineDir, 'run'),
    pidFile: join(machineDir, 'docker.pid'),
    socket: join(machineDir, 'd.sock'),
    log: join(machineDir, 'dockerd.log'),
    launch: join(machineDir, 'engine.json'),
  };
}
