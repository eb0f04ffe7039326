export { ProvisionError, SshError } from '../../errors.js';
export { GenericDriver, genericDriverConfig, genericDriverFactory, tcpProbe } from './generic-driver.js';
export { dockerdArgs, GenericProvisioner, systemdDropIn } from './generic-provisioner.js';
export { type SshTarget, sshArgv, sshExec } from './ssh-client.js';
