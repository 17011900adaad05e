import '@atrium/renderer/styles.css';
import { RecordTable } from '@atrium/renderer';
import { Link, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { mayDelete } from '../api/auth.js';
import { BinIcon } from '../bin/BinIcon.js';
import { useRestoredRevision } from '../bin/restored.js';
import { DrillChip } from '../dashboard/DrillChip.js';
import type { ListQuery } from '../io/api.js';
import { ListIo } from '../io/ListIo.js';
import { labelOf, modulesOf, useWorkspace, viewsOf } from '../meta.js';
import { useRenderContext } from '../render-context.js';
import { useViewportHeight } from '../use-viewport-height.js';
import { NotFoundPage } from './NotFoundPage.js';
import { ViewTabs } from './ViewTabs.js';

/** A module's list: the saved-view switcher, "New", and the renderer's RecordTable. */
export function ListPage() {
  const { t } = useTranslation();
  const { module } = useParams({ from: '/app/m/$module' });
  const { view, filter, from } = useSearch({ from: '/app/m/$module' });
  const navigate = useNavigate();
  const workspace = useWorkspace();
  const ctx = useRenderContext();
  const height = useViewportHeight(200);
  // A record brought back from the bin (Undo) reloads the list so it shows again.
  const restored = useRestoredRevision(module);
  // What the table asks of the list right now (export asks the same), and a reload after an import.
  const [listQuery, setListQuery] = useState<ListQuery>({});
  const [imported, setImported] = useState(0);
  const doc = modulesOf(workspace.documents).find((m) => m.name === module);
  if (!doc) return <NotFoundPage />;
  const views = viewsOf(workspace.documents, module);
  const current =
    views.find((v) => v.name === view && v.type === 'table') ??
    views.find((v) => v.type === 'table');
  return (
    <>
      <div className="page-header">
        <h1>{labelOf(doc.pluralLabel ?? doc.label, workspace.locale, doc.name)}</h1>
        {mayDelete(workspace.me, module) && (
          <Link className="button" to="/m/$module/bin" params={{ module }}>
            <BinIcon />
            {t('bin.link')}
          </Link>
        )}
        <ListIo doc={doc} list={listQuery} onImported={() => setImported((n) => n + 1)} />
        <Link className="button primary" to="/m/$module/new" params={{ module }}>
          {t('list.new')}
        </Link>
      </div>
      <ViewTabs module={module} views={views} current={current?.name} locale={workspace.locale} />
      {filter !== undefined && <DrillChip module={module} from={from} />}
      <RecordTable
        key={`${module}:${current?.name ?? ''}:${restored}`}
        ctx={ctx}
        module={module}
        view={current?.name}
        {...(typeof filter === 'object' && { filter })}
        height={height}
        refreshKey={imported}
        onQueryChange={setListQuery}
        onOpen={(record) =>
          void navigate({
            to: '/m/$module/$id',
            params: { module, id: String(record.id) },
          })
        }
      />
    </>
  );
}
