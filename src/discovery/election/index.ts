export { Candidate, type CandidateEvents, type CandidateOptions, type LeaderFence } from './candidate.js';
export { Follower, type FollowerEvents } from './follower.js';
export { createLeaderElection, DEFAULT_REPLICATION_TTL_MS, type LeaderElection } from './leader-election.js';
