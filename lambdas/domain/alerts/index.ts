export * from './types';
export * from './compose';
export * from './paused';
export * from './fingerprint';
export * from './subject';
export * from './sns-message';
export { renderEvidence, limitEvidence, tailExcerpt } from './evidence';
