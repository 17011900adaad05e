import '../bin/bin.css';
import { formatDateTime, recordTitle } from '@atrium/renderer';
import type { RecordValues } from '@atrium/renderer/client';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mayDelete } from '../api/auth.js';
import { BinList } from '../bin/BinList.js';
import { restoreWithToast } from '../bin/undo-delete.js';
import { useBin } from '../bin/use-bin.js';
import { labelOf, modulesOf, useWorkspace } from '../meta.js';
import { useSession } from '../session.js';
import { useUserName } from '../use-users.js';
import { NotFoundPage } from './NotFoundPage.js';

/**
 * A module's recycle bin: its deleted records, the most recently deleted first, who deleted
 * them, and a Restore button per record (for those who may delete in the module). A restored
 * record leaves the list with a toast linking to it; a refused one says why beside its row.
 */
export function BinPage() {
  const { t } = useTranslation();
  const { module } = useParams({ from: '/app/m/$module/bin' });
  const workspace = useWorkspace();
  const { token } = useSession();
  const bin = useBin(module);
  const userName = useUserName();
  const [restored, setRestored] = useState<ReadonlySet<string>>(new Set());
  const [busy, setBusy] = useState<ReadonlySet<string>>(new Set());
  const [refusals, setRefusals] = useState<Record<string, string>>({});
  const doc = modulesOf(workspace.documents).find((m) => m.name === module);
  const pages = useInfiniteQuery({
    queryKey: ['bin', module, token],
    queryFn: ({ pageParam }) => bin.api.list(module, pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: doc !== undefined,
    // Deletes happen elsewhere: the bin is read afresh each time it is opened.
    staleTime: 0,
    refetchOnMount: 'always',
  });
  if (!doc) return <NotFoundPage />;
  const plural = labelOf(doc.pluralLabel ?? doc.label, workspace.locale, doc.name);
  const canRestore = mayDelete(workspace.me, module);
  const rows = (pages.data?.pages ?? [])
    .flatMap((p) => p.data)
    .filter((r) => !restored.has(String(r.id)));

  const restore = async (record: RecordValues) => {
    const id = String(record.id);
    const name = recordTitle(doc, record);
    setBusy((old) => new Set(old).add(id));
    setRefusals(({ [id]: _, ...rest }) => rest);
    const done = await restoreWithToast(bin.api, t, { module, id, name }, bin.fieldLabel, (text) =>
      setRefusals((old) => ({ ...old, [id]: text })),
    );
    if (done) setRestored((old) => new Set(old).add(id));
    setBusy((old) => {
      const next = new Set(old);
      next.delete(id);
      return next;
    });
  };

  return (
    <>
      <nav className="breadcrumb" aria-label={t('record.breadcrumb')}>
        <Link to="/m/$module" params={{ module }}>
          {t('record.back', { module: plural })}
        </Link>
      </nav>
      <div className="page-header">
        <h1>{t('bin.heading', { module: plural })}</h1>
      </div>
      {rows.length > 0 && <p className="muted bin-intro">{t('bin.intro', { module: plural })}</p>}
      {pages.error ? (
        <p role="alert" className="form-error">
          {t('common.error', { message: pages.error.message })}
        </p>
      ) : pages.isPending ? (
        <div className="bin-skeleton" aria-busy="true">
          <span className="visually-hidden">{t('common.loading')}</span>
          <span className="bin-bar" />
          <span className="bin-bar" />
          <span className="bin-bar" />
        </div>
      ) : rows.length === 0 && !pages.hasNextPage ? (
        <div className="bin-empty panel">
          <h2>{t('bin.empty')}</h2>
          <p className="muted">{t('bin.emptyHint', { module: plural })}</p>
        </div>
      ) : (
        <>
          <BinList
            label={t('bin.list', { module: plural })}
            rows={rows.map((record) => {
              const id = String(record.id);
              const by = typeof record.updated_by === 'string' ? record.updated_by : undefined;
              return {
                id,
                name: recordTitle(doc, record),
                deletedAt:
                  typeof record.deleted_at === 'string'
                    ? formatDateTime(record.deleted_at, workspace.locale, workspace.timeZone)
                    : '',
                // The delete writes its actor as the last change (a binned record is not edited).
                deletedBy: by ? (userName(by) ?? t('bin.unknownUser')) : '—',
                ...(refusals[id] !== undefined && { refusal: refusals[id] }),
                busy: busy.has(id),
              };
            })}
            canRestore={canRestore}
            onRestore={(id) => {
              const record = rows.find((r) => String(r.id) === id);
              if (record) void restore(record);
            }}
          />
          {pages.hasNextPage && (
            <div className="bin-more">
              <button
                type="button"
                className="button"
                disabled={pages.isFetchingNextPage}
                onClick={() => void pages.fetchNextPage()}
              >
                {pages.isFetchingNextPage ? t('bin.loadingMore') : t('bin.more')}
              </button>
            </div>
          )}
        </>
      )}
    </>
  );
}
