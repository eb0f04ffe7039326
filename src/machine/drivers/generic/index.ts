export { GenericDriver, genericDriverConfig, genericDriverFactory, tcpProbe } from './generic-driver.js';
export { dockerdArgs, GenericProvisioner, ProvisionError, systemdDropIn } from './generic-provisioner.js';
export { SshError, type SshTarget, sshArgv, sshExec } from './ssh-client.js';
