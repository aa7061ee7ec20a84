/**
 * The Lambda side of the functions: one handler factory, its deps and its middleware. A handler.ts
 * imports job-handler.ts itself rather than this index, which also exports jobDeps (and so the AWS
 * clients): what a handler imports is what its cold start loads.
 */
export { createJobHandler, type JobSettings, type JobSpec } from './job-handler';
export { jobDeps, perRegionCache, type PerRegion } from './deps';
export { failWhenNoRegionRead, type JobOutcome, type JobResponse } from './no-region-read';
export { withLambdaDefaults, type LambdaOptions, type ResolvedLambdaOptions } from './options';
