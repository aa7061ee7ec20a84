export * from './format';
export * from './holidays';
export * from './evaluate';
export * from './resolve';
export * from './settings';
export * from './patch-settings';
export * from './parameter';
