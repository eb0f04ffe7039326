import { describe, expect, it } from 'vitest';
import { defaultEngineOptions, defaultSwarmOptions } from './host-record.js';
import { type HostListItem, matchesLsFilters, parseLsFilters } from './ls.js';

function item(name: string, over: Partial<HostListItem> = {}): HostListItem {
  return {
    Name: name,
    Active: '-',
    ActiveHost: false,
    ActiveSwarm: false,
    DriverName: 'netns',
    State: 'Running',
    URL: '',
    Swarm: '',
    SwarmOptions: defaultSwarmOptions(),
    EngineOptions: { ...defaultEngineOptions(), Labels: ['zone=a'] },
    Error: '',
    DockerVersion: 'Unknown',
    ResponseTime: '',
    IP: '',
    ...over,
  };
}

const hosts = [
  item('node1'),
  item('node2', { State: 'Stopped', DriverName: 'generic' }),
  item('mgr', { Swarm: 'mgr (master)', EngineOptions: { ...defaultEngineOptions(), Labels: ['zone=b'] } }),
  item('node10', { Swarm: 'mgr', DriverName: 'none' }),
];

describe('ls filters', () => {
  it.each<[string[], string[]]>([
    [[], ['node1', 'node2', 'mgr', 'node10']],
    [['driver=NETNS'], ['node1', 'mgr']],
    [['state=stopped'], ['node2']],
    [['state=running', 'driver=none'], ['node10']],
    [
      ['driver=none', 'driver=generic'],
      ['node2', 'node10'],
    ],
    [['name=^node1'], ['node1', 'node10']],
    [['swarm=mgr'], ['mgr', 'node10']],
    [['label=zone=b'], ['mgr']],
    [
      ['label=zone=a', 'state=Running'],
      ['node1', 'node10'],
    ],
  ])('%j', (filters, names) => {
    const f = parseLsFilters(filters);
    expect(hosts.filter((h) => matchesLsFilters(h, f)).map((h) => h.Name)).toEqual(names);
  });

  it('rejects unknown keys and bad syntax', () => {
    expect(() => parseLsFilters(['color=red'])).toThrow("Unsupported filter key 'color'");
    expect(() => parseLsFilters(['noequals'])).toThrow(/key=value/);
    expect(() => parseLsFilters(['name=('])).toThrow(/regular expression/);
  });
});
