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
  // A scroller is as tall as its max-height says (jsdom lays nothing out).
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return Number.parseInt(this.style.maxHeight, 10) || 0;
    },
  });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', {
    configurable: true,
    get(this: HTMLElement) {
      return this.style.maxHeight ? 1024 : 0;
    },
  });
  if (!g.ResizeObserver)
    g.ResizeObserver = class {
      observe() {}
      unobserve() {}
      disconnect() {}
    };
}
