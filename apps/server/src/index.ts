export { type AppOptions, buildApp } from './app.js';
export { type Booted, boot, ensureFirstAdmin } from './boot.js';
export { type Config, loadConfig } from './config.js';
export { installTemplate } from './templates.js';
