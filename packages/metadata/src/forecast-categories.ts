import { documentMsg } from './document-messages.js';
import { FORECAST_CATEGORIES } from './document-schemas.js';
import type { ModuleDoc, ReportDoc } from './documents.js';
import type { Problem } from './messages.js';
import { fieldResolver } from './module-fields.js';
import { reportDocMsg } from './report-document-messages.js';

/** A forecast's categories as declared: the stage field and the options in each category. */
export type ForecastCategories = NonNullable<ReportDoc['categories']>;
export type ForecastCategory = (typeof FORECAST_CATEGORIES)[number];

/**
 * The categories a forecast declares, surest first, each with its options; a category that
 * lists no option is left out.
 */
export function forecastCategories(c: ForecastCategories): [ForecastCategory, string[]][] {
  return FORECAST_CATEGORIES.flatMap((k): [ForecastCategory, string[]][] => {
    const stages = c[k] ?? [];
    return stages.length > 0 ? [[k, stages]] : [];
  });
}

/**
 * Checks a forecast's categories: `field` is a picklist of the module (not through a lookup),
 * each listed value is one of its options, and no option is in two categories.
 */
export function forecastCategoryProblems(
  c: ForecastCategories,
  at: string,
  module: ModuleDoc,
  modules: ReadonlyMap<string, ModuleDoc>,
): Problem[] {
  const ref = fieldResolver(module, modules)(c.field);
  if (!ref || ref.path.length > 1 || ref.field.type !== 'picklist')
    return [reportDocMsg.at(`${at}.field`, 'categoryField')];
  const options = new Set((ref.field.options ?? []).map((o) => o.value));
  const seen = new Map<string, string>();
  const problems: Problem[] = [];
  for (const category of FORECAST_CATEGORIES)
    (c[category] ?? []).forEach((value, i) => {
      const path = `${at}.${category}[${i}]`;
      if (!options.has(value))
        problems.push(documentMsg.at(path, 'notOptionOf', { value, field: c.field }));
      const other = seen.get(value);
      if (other) problems.push(reportDocMsg.at(path, 'categoryTwice', { value, other }));
      seen.set(value, category);
    });
  return problems;
}
