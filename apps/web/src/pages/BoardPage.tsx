import '@atrium/renderer/styles.css';
import { Kanban } from '@atrium/renderer';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { blueprintMove } from '../board-moves.js';
import { labelOf, modulesOf, useWorkspace, viewsOf } from '../meta.js';
import { useRenderContext } from '../render-context.js';
import { NotFoundPage } from './NotFoundPage.js';
import { ViewTabs } from './ViewTabs.js';

/** A kanban view of a module: the view tabs, "New", and the renderer's Kanban. */
export function BoardPage() {
  const { t } = useTranslation();
  const { module, view } = useParams({ from: '/app/m/$module/board/$view' });
  const navigate = useNavigate();
  const workspace = useWorkspace();
  const ctx = useRenderContext();
  const doc = modulesOf(workspace.documents).find((m) => m.name === module);
  const views = viewsOf(workspace.documents, module);
  const current = views.find((v) => v.name === view && v.type === 'kanban');
  if (!doc || !current) return <NotFoundPage />;
  const field = doc.fields.find((f) => f.name === current.groupBy);
  const optionLabel = (value: string) =>
    labelOf(field?.options?.find((o) => o.value === value)?.label, workspace.locale, value);
  // A stage that follows a blueprint moves through its transitions, not by a plain update.
  const onMove = blueprintMove(
    workspace.documents,
    module,
    current.groupBy,
    ctx.client,
    (from, to) => t('board.noTransition', { from: optionLabel(from), to: optionLabel(to) }),
    (transition) =>
      t('board.held', { transition: labelOf(transition.label, workspace.locale, transition.name) }),
  );
  return (
    <>
      <div className="page-header">
        <h1>{labelOf(doc.pluralLabel ?? doc.label, workspace.locale, doc.name)}</h1>
        <Link className="button primary" to="/m/$module/new" params={{ module }}>
          {t('list.new')}
        </Link>
      </div>
      <ViewTabs module={module} views={views} current={current.name} locale={workspace.locale} />
      <Kanban
        key={`${module}:${current.name}`}
        ctx={ctx}
        module={module}
        view={current.name}
        {...(onMove && { onMove })}
        onOpen={(record) =>
          void navigate({ to: '/m/$module/$id', params: { module, id: String(record.id) } })
        }
      />
    </>
  );
}
