import { groupSpecs, measureSpecs, numericRef, SpecError, storedType } from './aggregate-spec.js';
import { documentMsg } from './document-messages.js';
import type { DashboardDoc, JsonLogic, ModuleDoc, ReportDoc } from './documents.js';
import { forecastCategoryProblems } from './forecast-categories.js';
import { compileFilter, FilterError } from './logic/compile-filter.js';
import { DATE_PERIODS } from './logic/date-range.js';
import type { Message, Problem } from './messages.js';
import { type FieldResolver, fieldResolver } from './module-fields.js';
import { reportDocMsg as say } from './report-document-messages.js';

/** Properties each report type reads; any other type-specific property is refused. */
const USES: Record<ReportDoc['type'], readonly (keyof ReportDoc)[]> = {
  summary: ['groupBy', 'measures', 'sort', 'limit', 'dateField', 'defaultPeriod'],
  funnel: ['field', 'stages', 'defaultPeriod'],
  forecast: ['amount', 'probability', 'dateField', 'quarters', 'payments', 'categories'],
  leaderboard: ['amount', 'dateField', 'won', 'lost', 'defaultPeriod', 'limit'],
};
const SPECIFIC = [...new Set(Object.values(USES).flat())];

/** A period a report or dashboard may name by default. */
export function isReportPeriod(value: string): boolean {
  return (
    value === 'all' ||
    (!value.endsWith('_n_days') && (DATE_PERIODS as readonly string[]).includes(value)) ||
    /^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$/.test(value)
  );
}

/**
 * The checks of report and dashboard documents across the set: a report's module and fields
 * exist (a summary's groups and measures parse as the aggregate route parses them), its filters
 * compile to SQL, its type has what it needs; report names are unique in the workspace
 * (`GET /api/reports/:name`); a dashboard's widgets name existing reports.
 */
export function reportProblems(
  docs: readonly { doc: ReportDoc | DashboardDoc; at: string }[],
  modules: ReadonlyMap<string, ModuleDoc>,
): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: Message) => problems.push({ ...message, path });
  const reports = new Map<string, string>();
  for (const { doc, at } of docs) {
    if (doc.kind !== 'report') continue;
    const other = reports.get(doc.name);
    // Reported on the document of the request (they come first) rather than a stored one.
    if (other) add(`${other}.name`, say('definedTwice', { name: doc.name, other: at }));
    else reports.set(doc.name, at);
  }
  for (const { doc, at } of docs) {
    if (doc.kind === 'dashboard') {
      doc.widgets.forEach((w, i) => {
        if (!reports.has(w.report))
          add(`${at}.widgets[${i}].report`, say('noReport', { name: w.report }));
      });
      if (doc.filter?.period !== undefined && !isReportPeriod(doc.filter.period))
        add(`${at}.filter.period`, say('notPeriod', { value: doc.filter.period }));
      continue;
    }
    const module = modules.get(doc.module);
    if (!module) {
      add(`${at}.module`, documentMsg('noModule', { name: doc.module }));
      continue;
    }
    new ReportChecker(doc, at, module, modules, add).check();
    if (doc.type === 'forecast' && doc.categories)
      problems.push(
        ...forecastCategoryProblems(doc.categories, `${at}.categories`, module, modules),
      );
  }
  return problems;
}

class ReportChecker {
  private readonly resolve: FieldResolver;
  constructor(
    private readonly doc: ReportDoc,
    private readonly at: string,
    private readonly module: ModuleDoc,
    private readonly modules: ReadonlyMap<string, ModuleDoc>,
    private readonly add: (path: string, message: Message) => void,
  ) {
    this.resolve = fieldResolver(module, modules);
  }

  check(): void {
    const { doc, at } = this;
    for (const p of SPECIFIC)
      if (doc[p] !== undefined && !USES[doc.type].includes(p))
        this.add(`${at}.${p}`, say('notUsed', { type: doc.type, key: p }));
    if (doc.filter !== undefined) this.filter(this.resolve, doc.filter, '.filter');
    if (doc.defaultPeriod !== undefined && !isReportPeriod(doc.defaultPeriod))
      this.add(`${at}.defaultPeriod`, say('notPeriod', { value: doc.defaultPeriod }));
    if (doc.dateField !== undefined) this.dateField(this.resolve, doc.dateField, '.dateField');
    switch (doc.type) {
      case 'summary':
        this.spec('.groupBy', () => groupSpecs(this.resolve, doc.module, doc.groupBy ?? []));
        this.spec('.measures', () => measureSpecs(this.resolve, doc.module, doc.measures ?? []));
        return;
      case 'funnel': {
        const field = doc.field ? this.resolve(doc.field) : undefined;
        if (!field || field.path.length > 1 || field.field.type !== 'picklist') {
          this.add(`${at}.field`, say('funnelField'));
          return;
        }
        const values = new Set((field.field.options ?? []).map((o) => o.value));
        (doc.stages ?? []).forEach((s, i) => {
          if (!values.has(s))
            this.add(
              `${at}.stages[${i}]`,
              documentMsg('notOptionOf', { value: s, field: doc.field }),
            );
        });
        return;
      }
      case 'forecast':
        this.money(this.resolve, doc.amount, '.amount', doc.module);
        // Expected revenue is amount × probability, or by category (forecast-categories.ts).
        if (doc.probability === undefined && doc.categories === undefined)
          this.add(`${at}.probability`, say('forecastNeeds', { key: 'probability' }));
        else if (doc.probability !== undefined)
          this.spec('.probability', () =>
            numericRef(this.resolve, doc.module, doc.probability as string),
          );
        if (doc.dateField === undefined)
          this.add(`${at}.dateField`, say('forecastNeeds', { key: 'dateField' }));
        if (doc.payments) {
          const p = doc.payments;
          const target = this.modules.get(p.module);
          if (!target) {
            this.add(`${at}.payments.module`, documentMsg('noModule', { name: p.module }));
            return;
          }
          const resolve = fieldResolver(target, this.modules);
          this.money(resolve, p.amount, '.payments.amount', p.module);
          this.dateField(resolve, p.dateField, '.payments.dateField');
          if (p.filter !== undefined) this.filter(resolve, p.filter, '.payments.filter');
        }
        return;
      case 'leaderboard':
        this.money(this.resolve, doc.amount, '.amount', doc.module);
        if (doc.dateField === undefined)
          this.add(`${at}.dateField`, say('leaderboardNeeds', { key: 'dateField' }));
        if (doc.won === undefined) this.add(`${at}.won`, say('leaderboardWon'));
        else this.filter(this.resolve, doc.won, '.won');
        if (doc.lost !== undefined) this.filter(this.resolve, doc.lost, '.lost');
        return;
    }
  }

  private spec(path: string, parse: () => unknown): void {
    try {
      parse();
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
      this.add(`${this.at}${path}`, e.said);
    }
  }

  private money(
    resolve: FieldResolver,
    name: string | undefined,
    path: string,
    module: string,
  ): void {
    if (name === undefined) {
      this.add(
        `${this.at}${path}`,
        say('needs', { type: this.doc.type, key: path.split('.').pop() }),
      );
      return;
    }
    this.spec(path, () => numericRef(resolve, module, name));
  }

  private dateField(resolve: FieldResolver, name: string, path: string): void {
    const ref = name.includes('.') ? undefined : resolve(name);
    const type = ref ? storedType(ref) : undefined;
    if (type !== 'date' && type !== 'datetime')
      this.add(`${this.at}${path}`, say('notDateField', { name }));
  }

  private filter(resolve: FieldResolver, logic: JsonLogic, path: string): void {
    try {
      compileFilter(logic, resolve, { path: 'filter', history: true });
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      this.add(`${this.at}${path}${e.path.slice('filter'.length)}`, e.problem);
    }
  }
}
