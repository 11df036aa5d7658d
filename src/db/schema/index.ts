export * from './audit';
export * from './auth';
export * from './contacts';
export * from './fields';
export * from './leads';
export * from './pipelines';
export * from './work';
export * from './workspaces';
