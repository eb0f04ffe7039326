import type { Command } from 'commander';
import { LS_DEFAULT_FORMAT, LS_HEADERS, listHosts, matchesLsFilters, parseLsFilters } from '../machine/ls.js';
import { renderRows } from '../machine/template.js';
import { parseDuration } from '../util/duration.js';
import { InvalidArgumentError } from '../util/errors.js';
import { collect, serviceFor, withStore } from './machine-common.js';
import { runAction } from './run-action.js';

/** `shoal machine ls`. */
export function addLsCommand(machine: Command): void {
  withStore(machine.command('ls'))
    .description('List machines')
    .option('-q, --quiet', 'print names only')
    .option('--filter <k=v>', 'filter: driver, state, name (regexp), swarm, label (repeatable)', collect)
    .option('-t, --timeout <secs>', 'timeout per host, seconds or a duration like 2s', '10')
    .option('-f, --format <template>', 'Go-template format; "table" prefix adds headers')
    .action(
      runAction(async (o: Record<string, unknown>, self: Command) => {
        const filters = parseLsFilters((o.filter as string[] | undefined) ?? []);
        const t = String(o.timeout);
        const timeoutMs = /^\d+(\.\d+)?$/.test(t) ? Number(t) * 1000 : parseDuration(t);
        if (!(timeoutMs > 0)) throw new InvalidArgumentError(`invalid --timeout "${t}"`);
        const svc = serviceFor(self);
        const items = (await listHosts(svc, { timeoutMs, dockerHost: process.env.DOCKER_HOST })).filter((i) =>
          matchesLsFilters(i, filters),
        );
        const format = o.quiet ? '{{.Name}}' : ((o.format as string | undefined) ?? LS_DEFAULT_FORMAT);
        const lines = renderRows(format, items, LS_HEADERS);
        if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );
}
