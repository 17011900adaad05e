import { useTranslation } from 'react-i18next';
import { useNarrow } from './use-narrow.js';

/** One deleted record as the bin shows it (texts already formatted for the user). */
export interface BinRow {
  id: string;
  name: string;
  deletedAt: string;
  deletedBy: string;
  /** Why the last restore was refused, in the API's words. */
  refusal?: string;
  busy: boolean;
}

/**
 * The bin's records: a table on a desktop, a list of cards on a phone (name and Restore on top,
 * when and by whom below), each with a Restore button named after its record.
 */
export function BinList({
  label,
  rows,
  canRestore,
  onRestore,
}: {
  label: string;
  rows: BinRow[];
  canRestore: boolean;
  onRestore(id: string): void;
}) {
  const { t } = useTranslation();
  const narrow = useNarrow();
  const refusalId = (row: BinRow) => `bin-refusal-${row.id}`;
  const name = (row: BinRow) => (
    <>
      <span>{row.name}</span>
      {row.refusal && (
        <span role="alert" className="bin-refusal" id={refusalId(row)}>
          {row.refusal}
        </span>
      )}
    </>
  );
  const restore = (row: BinRow) =>
    canRestore && (
      <button
        type="button"
        className="button"
        aria-label={t('bin.restoreNamed', { name: row.name })}
        aria-describedby={row.refusal ? refusalId(row) : undefined}
        disabled={row.busy}
        aria-busy={row.busy || undefined}
        onClick={() => onRestore(row.id)}
      >
        {row.busy ? t('bin.restoring') : t('bin.restore')}
      </button>
    );
  if (narrow)
    return (
      <ul className="bin-cards" aria-label={label}>
        {rows.map((row) => (
          <li key={row.id} className="bin-card" data-id={row.id}>
            <div className="bin-name">{name(row)}</div>
            <div className="bin-card-action">{restore(row)}</div>
            <dl className="bin-card-facts">
              <div>
                <dt>{t('bin.deletedAt')}</dt>
                <dd>{row.deletedAt}</dd>
              </div>
              <div>
                <dt>{t('bin.deletedBy')}</dt>
                <dd>{row.deletedBy}</dd>
              </div>
            </dl>
          </li>
        ))}
      </ul>
    );
  return (
    <table className="bin-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">{t('bin.name')}</th>
          <th scope="col">{t('bin.deletedAt')}</th>
          <th scope="col">{t('bin.deletedBy')}</th>
          <th scope="col" className="bin-actions">
            <span className="visually-hidden">{t('bin.actions')}</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id} data-id={row.id}>
            <td className="bin-name">{name(row)}</td>
            <td>{row.deletedAt}</td>
            <td>{row.deletedBy}</td>
            <td className="bin-actions">{restore(row)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
