import { describe, expect, it } from 'vitest';
import { failureReason } from './dockerd.js';

describe('failureReason', () => {
  it.each([
    ["unknown flag: --no-such-flag\nSee 'dockerd --help'.\n", 'unknown flag: --no-such-flag'],
    [
      'time="x" level=info msg="starting up"\ntime="x" level=error msg="bad \\"thing\\"" \nfailed to start daemon: boom\n',
      'failed to start daemon: boom',
    ],
    ['time="x" level=info msg="starting up"\ntime="x" level=error msg="bad \\"thing\\"" \n', 'bad "thing"'],
    ['time="x" level=fatal msg="Devices cgroup isn\'t mounted"\n', "Devices cgroup isn't mounted"],
    ["Status: unknown flag: --x\nSee 'dockerd --help'., Code: 125\n", 'unknown flag: --x'],
    ['', '(empty log)'],
    ['just one line', 'just one line'],
  ])('%j → %j', (log, reason) => {
    expect(failureReason(log)).toBe(reason);
  });
});
