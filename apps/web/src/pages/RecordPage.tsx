import '@atrium/renderer/styles.css';
import { RecordDetail, recordTitle } from '@atrium/renderer';
import { Link, useNavigate, useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { labelOf, modulesOf, useWorkspace } from '../meta.js';
import { useRenderContext } from '../render-context.js';
import { useUserName } from '../use-users.js';
import { DeleteRecordButton } from './DeleteRecordButton.js';
import { NotFoundPage } from './NotFoundPage.js';

/** A record: the renderer's RecordDetail, wired to the app's routes for edit and related records. */
export function RecordPage() {
  const { t } = useTranslation();
  const { module, id } = useParams({ from: '/app/m/$module/$id' });
  const navigate = useNavigate();
  const workspace = useWorkspace();
  const ctx = useRenderContext();
  const userName = useUserName();
  const doc = modulesOf(workspace.documents).find((m) => m.name === module);
  if (!doc) return <NotFoundPage />;
  return (
    <>
      <nav className="breadcrumb" aria-label={t('record.breadcrumb')}>
        <Link to="/m/$module" params={{ module }}>
          {t('record.back', {
            module: labelOf(doc.pluralLabel ?? doc.label, ctx.locale, doc.name),
          })}
        </Link>
      </nav>
      <RecordDetail
        key={`${module}:${id}`}
        ctx={ctx}
        module={module}
        id={id}
        userName={userName}
        onEdit={() => void navigate({ to: '/m/$module/$id/edit', params: { module, id } })}
        actions={(record) => (
          <DeleteRecordButton
            module={module}
            record={record}
            name={recordTitle(doc, record)}
            onDeleted={() => void navigate({ to: '/m/$module', params: { module } })}
          />
        )}
        onOpenRelated={(target, record) =>
          void navigate({ to: '/m/$module/$id', params: { module: target, id: String(record.id) } })
        }
        onNewRelated={(target, initialValues) =>
          void navigate({
            to: '/m/$module/new',
            params: { module: target },
            search: { prefill: initialValues as Record<string, string> },
          })
        }
      />
    </>
  );
}
