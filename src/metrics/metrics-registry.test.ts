import { describe, expect, it } from 'vitest';
import { ManagerMetrics } from './manager-metrics.js';
import { checkMetricName, MetricsRegistry } from './metrics-registry.js';
import { parseMetricsAddr } from './metrics-server.js';

describe('checkMetricName', () => {
  it.each([
    ['counter', 'shoal_api_requests_total'],
    ['gauge', 'shoal_nodes'],
    ['histogram', 'shoal_scheduling_duration_seconds'],
  ] as const)('accepts %s %s', (kind, name) => {
    expect(() => checkMetricName(kind, name, ['state'])).not.toThrow();
  });
  it.each([
    ['counter', 'api_requests_total', 'starting with shoal_'],
    ['counter', 'shoal_ApiRequests_total', 'snake case'],
    ['counter', 'shoal_requests', 'must end with _total'],
    ['gauge', 'shoal_nodes_total', 'must not end with _total'],
    ['histogram', 'shoal_scheduling_duration', 'must end with its unit'],
  ] as const)('rejects %s %s', (kind, name, message) => {
    expect(() => checkMetricName(kind, name)).toThrow(message);
  });
  it('rejects a label that is not snake case', () => {
    expect(() => checkMetricName('gauge', 'shoal_nodes', ['State'])).toThrow('label State');
  });
});

describe('MetricsRegistry', () => {
  it('prefixes the process metrics and keeps registries apart', async () => {
    const a = new MetricsRegistry();
    const b = new MetricsRegistry({ processMetrics: false });
    a.counter({ name: 'shoal_x_total', help: 'x' }).inc();
    b.counter({ name: 'shoal_x_total', help: 'x' });
    const text = await a.text();
    expect(text).toContain('shoal_process_cpu_seconds_total');
    expect(text).toContain('shoal_x_total 1');
    expect(await b.text()).toContain('shoal_x_total 0');
    expect(await b.text()).not.toContain('process_cpu');
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#')))
      expect(line.startsWith('shoal_')).toBe(true);
  });
});

describe('ManagerMetrics', () => {
  it('computes nodes, containers and role at scrape time', async () => {
    const reg = new MetricsRegistry({ processMetrics: false });
    let role: 'primary' | 'replica' = 'primary';
    let pending = 0;
    const nodes = [
      { state: 'healthy', availability: 'active' },
      { state: 'healthy', availability: 'active' },
      { state: 'unhealthy', availability: 'active' },
    ];
    const m = new ManagerMetrics(reg, {
      role: () => role,
      nodes: () => nodes,
      containerStates: () => ['running', 'running', 'created'],
      pendingReschedules: () => pending,
    });
    let text = await reg.text();
    expect(text).toContain('shoal_nodes{state="healthy",availability="active"} 2');
    expect(text).toContain('shoal_nodes{state="unhealthy",availability="active"} 1');
    expect(text).toContain('shoal_nodes{state="pending",availability="active"} 0');
    expect(text).toContain('shoal_containers{state="running"} 2');
    expect(text).toContain('shoal_containers{state="created"} 1');
    expect(text).toContain('shoal_containers{state="exited"} 0');
    expect(text).toContain('shoal_manager_role{role="primary"} 1');
    expect(text).toContain('shoal_reschedules_total{trigger="drain",result="lost"} 0');
    expect(text).toContain('shoal_reschedules_pending 0');
    nodes.pop();
    pending = 2;
    m.observeReschedule('node_failure', 'moved', 0.4);
    m.observeReschedule('node_failure', 'no_node', 0.01);
    m.observeReschedule('drain', 'moved', 1.5);
    m.duplicatesRemoved.inc();
    role = 'replica';
    m.observeDecision(false, 0.001, ['constraint', 'constraint', 'health']);
    m.observeDecision(true, 0.002, []);
    m.observeRequest('GET', '/containers/:name/json', 404, 0.01);
    text = await reg.text();
    expect(text).toContain('shoal_nodes{state="unhealthy",availability="active"} 0');
    expect(text).toContain('shoal_manager_role{role="replica"} 1');
    expect(text).toContain('shoal_manager_role{role="primary"} 0');
    expect(text).toContain('shoal_scheduling_decisions_total{result="no_node"} 1');
    expect(text).toContain('shoal_scheduling_decisions_total{result="placed"} 1');
    expect(text).toContain('shoal_placement_failures_total{filter="constraint"} 1');
    expect(text).toContain('shoal_placement_failures_total{filter="health"} 1');
    expect(text).toContain('shoal_scheduling_duration_seconds_count 2');
    expect(text).toContain(
      'shoal_api_requests_total{method="GET",route="/containers/:name/json",status="404"} 1',
    );
    expect(text).toContain('shoal_reschedules_total{trigger="node_failure",result="moved"} 1');
    expect(text).toContain('shoal_reschedules_total{trigger="node_failure",result="no_node"} 1');
    expect(text).toContain('shoal_reschedules_total{trigger="drain",result="moved"} 1');
    expect(text).toContain('shoal_reschedule_duration_seconds_count{trigger="node_failure"} 1');
    expect(text).toContain('shoal_reschedule_duration_seconds_count{trigger="drain"} 1');
    expect(text).toContain('shoal_reschedule_duplicates_removed_total 1');
    expect(text).toContain('shoal_reschedules_pending 2');
  });
});

describe('parseMetricsAddr', () => {
  it.each([
    ['127.0.0.1:9323', { host: '127.0.0.1', port: 9323 }],
    [':9323', { host: '0.0.0.0', port: 9323 }],
    ['[::1]:9323', { host: '::1', port: 9323 }],
  ])('%s', (text, want) => expect(parseMetricsAddr(text)).toEqual(want));
  it.each(['9323', 'host:', 'a:99999', 'tcp://1.2.3.4:1'])('rejects %s', (text) => {
    expect(() => parseMetricsAddr(text)).toThrow('invalid --metrics-addr');
  });
});
