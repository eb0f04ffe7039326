import { describe, expect, it } from 'vitest';
import { cached, hexId } from '../testkit/cluster-fixtures.js';
import { humanDuration, reconcileSummary, statusText } from './container-status.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

describe('humanDuration', () => {
  it.each([
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1000, '1 second'],
    [59_000, '59 seconds'],
    [60_000, 'About a minute'],
    [5 * 60_000, '5 minutes'],
    [59 * 60_000, '59 minutes'],
    [60 * 60_000, 'About an hour'],
    [5 * 3_600_000, '5 hours'],
    [3 * 86_400_000, '3 days'],
    [21 * 86_400_000, '3 weeks'],
    [90 * 86_400_000, '3 months'],
    [3 * 365 * 86_400_000, '3 years'],
  ])('%d ms is %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });
});

describe('statusText', () => {
  it.each([
    [{ Status: 'running', Running: true, Paused: false, StartedAt: ago(3000) }, 'Up 3 seconds'],
    [{ Status: 'paused', Running: true, Paused: true, StartedAt: ago(120_000) }, 'Up 2 minutes (Paused)'],
    [
      { Status: 'running', Running: true, Paused: false, StartedAt: ago(0), Health: { Status: 'healthy' } },
      'Up Less than a second (healthy)',
    ],
    [
      {
        Status: 'exited',
        Running: false,
        Paused: false,
        StartedAt: ago(900),
        FinishedAt: ago(400),
        ExitCode: 0,
      },
      'Exited (0) Less than a second ago',
    ],
    [
      {
        Status: 'exited',
        Running: false,
        Paused: false,
        StartedAt: ago(9000),
        FinishedAt: ago(5000),
        ExitCode: 137,
      },
      'Exited (137) 5 seconds ago',
    ],
    [{ Status: 'created', Running: false, Paused: false, StartedAt: '0001-01-01T00:00:00Z' }, 'Created'],
    [{ Status: 'dead', Running: false, Paused: false, Dead: true, StartedAt: ago(1) }, 'Dead'],
  ])('%j reads %s', (state, text) => {
    expect(statusText(state, NOW)).toBe(text);
  });
});

describe('reconcileSummary', () => {
  it('keeps a list entry that agrees with the inspected state', () => {
    const c = cached({ id: hexId('a1'), name: 'a' });
    expect(reconcileSummary(c.summary, c.info, NOW)).toBe(c.summary);
  });

  it('takes state and status from the inspect when the list entry still shows the container running', () => {
    const listed = cached({ id: hexId('a1'), name: 'g3', state: 'running' }).summary;
    const inspected = cached({ id: hexId('a1'), name: 'g3', state: 'exited' }).info;
    inspected.State = { ...inspected.State, StartedAt: ago(200), FinishedAt: ago(100), ExitCode: 0 };
    const got = reconcileSummary(listed, inspected, NOW);
    expect(got).toMatchObject({
      Id: listed.Id,
      Names: ['/g3'],
      State: 'exited',
      Status: 'Exited (0) Less than a second ago',
    });
    expect(listed.State).toBe('running');
  });
});
