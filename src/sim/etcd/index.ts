export * from './mvcc';
export * from './raft';
export * from './client';
