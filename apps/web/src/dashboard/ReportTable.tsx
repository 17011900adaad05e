import { useNavigate } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import type { ReportAnswer, ReportRow } from '../api/reports.js';
import { DrillLink } from './DrillLink.js';
import { formatFigure, groupText } from './format.js';

/**
 * A report's rows as a table: group labels, figures right-aligned in the user's number format,
 * the totals as the footer. Each figure links to its records; a click anywhere on a row opens
 * the records of the row's main figure (`measure`, else the first).
 */
export function ReportTable({
  result,
  title,
  locale,
  measure,
  caption,
}: {
  result: ReportAnswer;
  title: string;
  locale: string;
  measure?: string;
  caption?: string;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const main =
    result.columns.find((c) => c.key === measure && c.role === 'measure') ??
    result.columns.find((c) => c.role === 'measure');
  const groups = result.columns.filter((c) => c.role === 'group');
  const cell = (row: ReportRow, key: string, type: string, role: string) => {
    if (role === 'group') {
      const column = result.columns.find((c) => c.key === key);
      return column ? groupText(row, column, locale) : '';
    }
    return formatFigure(row[key], type, { locale, currency: result.currency });
  };
  const open = (row: ReportRow) => {
    const drill = main ? row.$drill?.[main.key] : undefined;
    if (drill)
      void navigate({
        to: '/m/$module',
        params: { module: drill.module },
        search: { filter: drill.filter, from: title },
      });
  };
  const rowName = (row: ReportRow) =>
    groups.map((g) => groupText(row, g, locale)).join(' · ') || title;

  return (
    <div className="report-table-wrap">
      <table className="report-table">
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead>
          <tr>
            {result.columns.map((c) => (
              <th key={c.key} scope="col" data-role={c.role}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((row, i) => (
            <tr
              key={i}
              data-drill={main && row.$drill?.[main.key] ? '' : undefined}
              onClick={(e) => {
                if (!(e.target as HTMLElement).closest('a')) open(row);
              }}
            >
              {result.columns.map((c) => {
                const text = cell(row, c.key, c.type, c.role);
                const drill = row.$drill?.[c.role === 'group' ? (main?.key ?? '') : c.key];
                const Tag = c.role === 'group' && c === result.columns[0] ? 'th' : 'td';
                return (
                  <Tag key={c.key} data-role={c.role} {...(Tag === 'th' && { scope: 'row' })}>
                    {drill ? (
                      <DrillLink
                        drill={drill}
                        from={title}
                        label={
                          c.role === 'measure'
                            ? `${text} — ${t('widget.records', { what: `${rowName(row)}, ${c.label}` })}`
                            : undefined
                        }
                      >
                        {text}
                      </DrillLink>
                    ) : (
                      text
                    )}
                  </Tag>
                );
              })}
            </tr>
          ))}
        </tbody>
        {result.totals && (
          <tfoot>
            <tr>
              {result.columns.map((c, i) => {
                const Tag = i === 0 ? 'th' : 'td';
                return (
                  <Tag key={c.key} data-role={c.role} {...(i === 0 && { scope: 'row' })}>
                    {c.role === 'measure'
                      ? cell(result.totals as ReportRow, c.key, c.type, c.role)
                      : i === 0
                        ? t('report.total')
                        : ''}
                  </Tag>
                );
              })}
            </tr>
          </tfoot>
        )}
      </table>
    </div>
  );
}
