import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetadataDoc } from '@atrium/metadata';

const dir = join(import.meta.dirname, '../../../../templates/b2b-sales');

/** The B2B sales template's documents: modules, layouts and views as the app receives them. */
export function templateDocuments(): MetadataDoc[] {
  const read = (file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
  return [
    ...readdirSync(join(dir, 'modules')).map((f) => read(`modules/${f}`)),
    ...read('layouts.json'),
    ...read('views.json'),
  ];
}

/** jsdom has no layout: give the virtualizer and popovers what they ask for. */
export function installLayoutShims(): void {
  const g = globalThis as Record<string, unknown>;
  const css = (g.CSS ?? {}) as { escape?: (s: string) => string };
  if (!css.escape) {
    css.escape = (s: string) => s.replace(/[^a-zA-Z0-9_-]/g, (c) => `\\${c}`);
    g.CSS = css;
  }
  if (!g.ResizeObserver)
    g.ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
}
