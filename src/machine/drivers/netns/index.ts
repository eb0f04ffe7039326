import type { DriverContext, DriverFactory, DriverFlagValues } from '../../driver.js';
import { netnsDriverConfig, rawSettingsFromFlags } from './config.js';
import { NetnsDriver } from './netns-driver.js';
import { NetnsProvisioner } from './netns-provisioner.js';

export { DEFAULT_PREFIX, DEFAULT_SUBNET, netnsDriverConfig } from './config.js';
export { EngineStartError, SubnetExhaustedError } from './errors.js';
export { type MachineLayout, machineLayout } from './layout.js';
export { ENGINE_PORT, NetnsDriver, type NetnsRecord } from './netns-driver.js';
export { NetnsProvisioner } from './netns-provisioner.js';
export { sweepPrefix } from './sweep.js';

function recordString(record: Record<string, unknown>, key: string): string | undefined {
  const v = record[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The `netns` driver factory, registered under `netns` in the driver registry. */
export const netnsDriverFactory: DriverFactory = {
  config: netnsDriverConfig,
  fromFlags(ctx: DriverContext, flags: DriverFlagValues) {
    return new NetnsDriver(ctx, rawSettingsFromFlags(flags));
  },
  fromRecord(ctx: DriverContext, record: Record<string, unknown>) {
    return new NetnsDriver(ctx, {
      subnet: recordString(record, 'Subnet'),
      bridge: recordString(record, 'Bridge'),
      prefix: recordString(record, 'Prefix'),
      dockerd: recordString(record, 'Dockerd'),
      ip: recordString(record, 'IPAddress'),
    });
  },
  provisioner(driver) {
    if (!(driver instanceof NetnsDriver)) throw new TypeError('the netns provisioner needs a NetnsDriver');
    return new NetnsProvisioner(driver);
  },
};
