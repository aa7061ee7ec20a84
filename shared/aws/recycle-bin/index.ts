/** Reading a region's Recycle Bin retention rules (see read.ts for the calls and wire.ts for the transport). */
export { readRecycleBinRules, ruleOf, type RecycleBinCalls, type WireRule } from './read';
export { RecycleBinError, recycleBinCalls } from './wire';
