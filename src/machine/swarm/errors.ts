import { ClusterError } from '../../util/errors.js';

/** Building, importing or starting the swarm containers (`shoal-agent`, `shoal-agent-master`) failed. */
export class SwarmSetupError extends ClusterError {
  override readonly code: string = 'SWARM_SETUP';
  override readonly httpStatus: number = 500;
}
