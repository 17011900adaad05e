import { FIELD_TYPES, type FieldDef, type ModuleDoc } from '@atrium/metadata';
import { type DragEvent, useId, useMemo, useState } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { labelOf } from '../meta.js';
import { notify } from '../shell/Toasts.js';
import { type createIoApi, type ImportAnswer, ImportRefused, type Problem } from './api.js';
import './io.css';

const SYSTEM = new Set(['id', 'created_at', 'updated_at', 'created_by', 'updated_by', 'version']);
const writable = (f: FieldDef) => !FIELD_TYPES[f.type]?.computed && !SYSTEM.has(f.name);

/** The cells of a CSV's first line (quotes as RFC 4180 writes them). */
export function csvHeadings(text: string): string[] {
  const body = text.replace(/^\uFEFF/, '');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else if (c === '\n' || c === '\r') break;
    else cell += c;
  }
  cells.push(cell.trim());
  return cells.filter((c, i) => c !== '' || i < cells.length - 1);
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Import a CSV into a module: choose (or drop) a file, see the columns it maps, a dry run's answer
 * (how many records, ignored columns, every refusal by row and column), then confirm. Nothing is
 * written before "Import N records".
 */
export function ImportDialog({
  doc,
  locale,
  api,
  onClose,
  onImported,
}: {
  doc: ModuleDoc;
  locale: string;
  api: ReturnType<typeof createIoApi>;
  onClose(): void;
  onImported(count: number): void;
}) {
  const { t } = useTranslation();
  const fileId = useId();
  const [csv, setCsv] = useState<string | null>(null);
  const [fileName, setFileName] = useState('');
  const [busy, setBusy] = useState<'check' | 'import' | null>(null);
  const [answer, setAnswer] = useState<ImportAnswer | null>(null);
  const [problems, setProblems] = useState<Problem[] | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const module = labelOf(doc.pluralLabel ?? doc.label, locale, doc.name);
  const fieldLabel = (f: FieldDef) => labelOf(f.label, locale, f.name);
  const byHeading = useMemo(() => {
    const map = new Map<string, FieldDef>();
    for (const f of doc.fields) {
      for (const key of [f.name, f.label?.en, f.label?.['zh-CN']])
        if (key) map.set(key.toLowerCase(), f);
    }
    return map;
  }, [doc]);
  const headings = csv === null ? [] : csvHeadings(csv);

  const check = async (text: string) => {
    setBusy('check');
    setAnswer(null);
    setProblems(null);
    setFailure(null);
    try {
      setAnswer(await api.import(doc.name, text, true));
    } catch (error) {
      if (error instanceof ImportRefused && error.details.length > 0) setProblems(error.details);
      else setFailure(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(null);
    }
  };
  const choose = async (file: File | undefined) => {
    if (!file) return;
    const text = await file.text();
    setFileName(file.name);
    setCsv(text);
    await check(text);
  };
  const run = async () => {
    if (csv === null) return;
    setBusy('import');
    try {
      const done = await api.import(doc.name, csv, false);
      notify(t('io.done', { count: done.created }));
      onImported(done.created);
      onClose();
    } catch (error) {
      if (error instanceof ImportRefused && error.details.length > 0) setProblems(error.details);
      else setFailure(error instanceof Error ? error.message : String(error));
      setAnswer(null);
    } finally {
      setBusy(null);
    }
  };
  const template = () => {
    const line = doc.fields.filter(writable).map(fieldLabel).map(csvCell).join(',');
    const link = document.createElement('a');
    link.href = URL.createObjectURL(
      new Blob([`\uFEFF${line}\r\n`], { type: 'text/csv;charset=utf-8' }),
    );
    link.download = `${doc.name}-template.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  /** `rows[12].amount` → "Row 14 · Amount": the heading line is row 1, the first record row 2. */
  const where = (path: string) => {
    const cell = /^rows\[(\d+)\](?:\.(.+))?$/.exec(path);
    if (cell) {
      const row = Number(cell[1]) + 2;
      if (!cell[2]) return t('io.atRow', { row });
      const field = doc.fields.find((f) => f.name === cell[2]);
      return t('io.at', { row, column: field ? fieldLabel(field) : cell[2] });
    }
    const heading = /^headings\[(\d+)\]$/.exec(path);
    if (heading) return t('io.atColumn', { column: headings[Number(heading[1])] ?? path });
    return path;
  };
  const drop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    void choose(event.dataTransfer.files[0]);
  };
  const count = answer?.records?.length ?? answer?.created ?? 0;

  return (
    <ModalOverlay
      className="modal-overlay"
      isOpen
      isDismissable
      onOpenChange={(open) => !open && onClose()}
    >
      <Modal className="modal io-modal">
        <Dialog className="dialog io-dialog">
          <Heading slot="title">{t('io.title', { module })}</Heading>
          <p className="io-intro">{t('io.intro')}</p>
          <fieldset
            className="io-drop"
            data-dragging={dragging || undefined}
            onDragOver={(e) => {
              e.preventDefault();
              setDragging(true);
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={drop}
          >
            <label htmlFor={fileId}>{t('io.file')}</label>
            <input
              id={fileId}
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => void choose(e.currentTarget.files?.[0])}
            />
            <span className="io-hint">{t('io.drop')}</span>
          </fieldset>
          <button type="button" className="link-button io-template" onClick={template}>
            {t('io.template')}
          </button>
          {headings.length > 0 && (
            <div className="io-map">
              <table>
                <caption>
                  {t('io.headings')}
                  {fileName && ` · ${fileName}`}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('io.heading')}</th>
                    <th scope="col">{t('io.field')}</th>
                  </tr>
                </thead>
                <tbody>
                  {headings.map((h, i) => {
                    const field = byHeading.get(h.toLowerCase());
                    const ignored = answer?.ignored?.includes(h);
                    return (
                      <tr key={i}>
                        <td>{h}</td>
                        <td data-unknown={!field || undefined}>
                          {field ? fieldLabel(field) : t('io.unknown')}
                          {ignored && ` (${t('io.ignoredMark')})`}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          <div aria-live="polite" className="io-result">
            {busy === 'check' && <p>{t('io.checking')}</p>}
            {answer && (
              <>
                <p className="io-ok">
                  {count > 0 ? t('io.wouldCreate', { count }) : t('io.empty')}
                </p>
                {answer.ignored && answer.ignored.length > 0 && (
                  <p>{t('io.ignored', { columns: answer.ignored.join(', ') })}</p>
                )}
              </>
            )}
          </div>
          {problems && (
            <div role="alert" className="io-problems">
              <p>
                <strong>{t('io.problems', { count: problems.length })}</strong>
              </p>
              <ul>
                {problems.map((p, i) => (
                  <li key={i}>
                    <span className="io-where">{where(p.path)}</span>
                    {t('io.sep')}
                    {p.message}
                  </li>
                ))}
              </ul>
              <p className="io-hint">{t('io.counting')}</p>
            </div>
          )}
          {failure && (
            <p role="alert" className="form-error">
              {failure}
            </p>
          )}
          <div className="io-actions">
            <Button className="button" onPress={onClose}>
              {t('io.cancel')}
            </Button>
            <Button
              className="button primary"
              isDisabled={!answer || count === 0 || busy !== null}
              onPress={() => void run()}
            >
              {busy === 'import'
                ? t('io.importing')
                : answer
                  ? t('io.confirm', { count })
                  : t('io.import')}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
