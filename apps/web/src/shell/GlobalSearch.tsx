import type { ModuleDoc } from '@atrium/metadata';
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import {
  Button,
  Dialog,
  Heading,
  Input,
  Label,
  Modal,
  ModalOverlay,
  SearchField,
} from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { labelOf, modulesOf, useWorkspace } from '../meta.js';
import { useSession } from '../session.js';

/** Top-bar search across every module with searchable fields; Ctrl-K or `/` opens it. */
export function GlobalSearch() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const typing =
        target?.isContentEditable ||
        ['INPUT', 'TEXTAREA', 'SELECT'].includes(target?.tagName ?? '');
      if ((e.key === 'k' && (e.ctrlKey || e.metaKey)) || (e.key === '/' && !typing)) {
        e.preventDefault();
        setOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <Button
        className="search-button"
        onPress={() => setOpen(true)}
        aria-keyshortcuts="Control+K /"
      >
        <span aria-hidden="true">⌕</span>
        <span className="wide-only">{t('shell.searchHint')}</span>
        <span className="narrow-only">{t('shell.search')}</span>
      </Button>
      <ModalOverlay className="modal-overlay" isOpen={open} onOpenChange={setOpen} isDismissable>
        <Modal className="modal">
          <SearchDialog onClose={() => setOpen(false)} />
        </Modal>
      </ModalOverlay>
    </>
  );
}

function SearchDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { documents, locale } = useWorkspace();
  const { client } = useSession();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  // A request per pause in typing, not per key.
  useEffect(() => {
    const timer = setTimeout(() => setQ(text.trim()), 200);
    return () => clearTimeout(timer);
  }, [text]);
  const modules = modulesOf(documents).filter((m) => m.fields.some((f) => f.searchable));
  const results = useQuery({
    queryKey: ['search', q],
    enabled: q.length >= 2,
    queryFn: async () => {
      const pages = await Promise.all(
        modules.map(async (m) => {
          const page = await client.list(m.name, { q, limit: 5 }).catch(() => ({ data: [] }));
          return page.data.map((row) => ({ module: m, row }));
        }),
      );
      return pages.flat();
    },
  });
  return (
    <Dialog className="dialog" aria-label={t('search.title')}>
      <div className="row-between">
        <Heading slot="title">{t('search.title')}</Heading>
        <Button className="icon-button" onPress={onClose} aria-label={t('search.close')}>
          ✕
        </Button>
      </div>
      <SearchField className="field" value={text} onChange={setText} autoFocus>
        <Label className="visually-hidden">{t('search.label')}</Label>
        <Input placeholder={t('search.placeholder')} />
      </SearchField>
      {q.length < 2 ? (
        <p className="muted">{t('search.typeMore')}</p>
      ) : results.isPending ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : (results.data ?? []).length === 0 ? (
        <p>{t('search.empty', { q })}</p>
      ) : (
        <ul className="search-results">
          {(results.data ?? []).map(({ module, row }) => (
            <li key={`${module.name}:${String(row.id)}`}>
              <Link
                to="/m/$module/$id"
                params={{ module: module.name, id: String(row.id) }}
                onClick={onClose}
              >
                <span>{recordName(module, row)}</span>
                <span className="search-module">{labelOf(module.label, locale, module.name)}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}

function recordName(module: ModuleDoc, row: Record<string, unknown>): string {
  const value = row[module.recordName ?? 'name'];
  return value === undefined || value === null || value === '' ? String(row.id) : String(value);
}
