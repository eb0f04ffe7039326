export {
  type MembershipFile,
  MembershipRegistry,
  type MembershipRegistryOptions,
} from './membership-registry.js';
export { MEMBERSHIP_PATH, ShoalDiscovery } from './shoal-discovery.js';
