import { bridgeName, isValidLinkName, isValidPrefix, MAX_PREFIX_LENGTH } from '../../../host/names.js';
import type { DriverConfig, DriverFlagValues } from '../../driver.js';
import { InvalidFlagError } from '../../errors.js';
import { parseSubnet, type Subnet } from './subnet.js';

/** Default subnet of the machines' bridge. */
export const DEFAULT_SUBNET = '10.200.0.0/24';
/** Default prefix of namespace, bridge and veth names. */
export const DEFAULT_PREFIX = 'shoal';

/** The netns driver's flags (`shoal machine create -d netns --netns-...`). */
export const netnsDriverConfig: DriverConfig = {
  name: 'netns',
  description:
    'Local Docker hosts: network + UTS + mount namespaces on a bridge, each running its own dockerd',
  flags: [
    {
      name: 'netns-subnet',
      description: 'IPv4 subnet of the machines bridge; the bridge gets .1, machines the next free address',
      type: 'string',
      env: 'NETNS_SUBNET',
      default: DEFAULT_SUBNET,
    },
    {
      name: 'netns-bridge',
      description:
        'Bridge to plug the machine into (created if missing; default derived from prefix and subnet)',
      type: 'string',
      env: 'NETNS_BRIDGE',
    },
    {
      name: 'netns-prefix',
      description: 'Prefix of the namespace, bridge and veth names (1-6 lower-case letters/digits)',
      type: 'string',
      env: 'NETNS_PREFIX',
      default: DEFAULT_PREFIX,
    },
    {
      name: 'netns-dockerd',
      description: 'dockerd binary to run (looked up in PATH unless absolute)',
      type: 'string',
      env: 'NETNS_DOCKERD',
      default: 'dockerd',
    },
  ],
};

/** Checks `--netns-prefix`: 1-6 lower-case letters or digits, starting with a letter. */
export function checkPrefix(prefix: string): string {
  if (!isValidPrefix(prefix)) {
    throw new InvalidFlagError(
      `Invalid --netns-prefix "${prefix}": use 1-${MAX_PREFIX_LENGTH} lower-case letters or digits, starting with a letter`,
    );
  }
  return prefix;
}

/** Checks `--netns-bridge`: a valid Linux interface name. */
export function checkBridgeName(name: string): string {
  if (!isValidLinkName(name)) {
    throw new InvalidFlagError(
      `Invalid --netns-bridge "${name}": interface names are 1-15 letters, digits, _ . -`,
    );
  }
  return name;
}

/** Validated netns settings. */
export interface NetnsSettings {
  readonly subnet: Subnet;
  readonly bridge: string;
  readonly prefix: string;
  readonly dockerd: string;
}

function str(flags: DriverFlagValues, name: string): string | undefined {
  const v = flags[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string') throw new InvalidFlagError(`--${name} takes one string value`);
  return v;
}

/** Validates the raw settings (from flags or from a saved record). Throws `InvalidFlagError`. */
export function resolveSettings(raw: {
  subnet?: string;
  bridge?: string;
  prefix?: string;
  dockerd?: string;
}): NetnsSettings {
  const prefix = checkPrefix(raw.prefix ?? DEFAULT_PREFIX);
  const subnet = parseSubnet(raw.subnet ?? DEFAULT_SUBNET);
  const bridge = raw.bridge ? checkBridgeName(raw.bridge) : bridgeName(prefix, subnet);
  const dockerd = raw.dockerd ?? 'dockerd';
  if (dockerd.trim() === '') throw new InvalidFlagError('--netns-dockerd must not be empty');
  return { subnet, bridge, prefix, dockerd };
}

/** Raw settings from create flags (flag values already hold env/defaults, but absent ones fall back here too). */
export function rawSettingsFromFlags(flags: DriverFlagValues): {
  subnet?: string;
  bridge?: string;
  prefix?: string;
  dockerd?: string;
} {
  return {
    subnet: str(flags, 'netns-subnet') ?? process.env.NETNS_SUBNET,
    bridge: str(flags, 'netns-bridge') ?? process.env.NETNS_BRIDGE,
    prefix: str(flags, 'netns-prefix') ?? process.env.NETNS_PREFIX,
    dockerd: str(flags, 'netns-dockerd') ?? process.env.NETNS_DOCKERD,
  };
}
