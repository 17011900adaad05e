import '@atrium/renderer/styles.css';
import { RecordForm, type RecordValues, recordTitle } from '@atrium/renderer';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useBlocker, useNavigate, useParams, useSearch } from '@tanstack/react-router';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { labelOf, modulesOf, useWorkspace } from '../meta.js';
import { useRenderContext } from '../render-context.js';
import { notify } from '../shell/Toasts.js';
import { NotFoundPage } from './NotFoundPage.js';

/** A new record of a module; "New" from a related list arrives with the link pre-filled. */
export function NewRecordPage() {
  const { module } = useParams({ from: '/app/m/$module/new' });
  const { prefill } = useSearch({ from: '/app/m/$module/new' });
  return <FormScreen module={module} initialValues={prefill} />;
}

/** Editing an existing record; the form sends its version so a concurrent change is refused. */
export function EditRecordPage() {
  const { module, id } = useParams({ from: '/app/m/$module/$id/edit' });
  const ctx = useRenderContext();
  const { t } = useTranslation();
  const record = useQuery({
    queryKey: ['record', module, id],
    queryFn: () => ctx.client.get(module, id),
  });
  if (record.error)
    return <p role="alert">{t('common.error', { message: record.error.message })}</p>;
  if (!record.data) return <p aria-busy="true">{t('common.loading')}</p>;
  return <FormScreen module={module} record={record.data} />;
}

function FormScreen({
  module,
  record,
  initialValues,
}: {
  module: string;
  record?: RecordValues;
  initialValues?: RecordValues;
}) {
  const { t } = useTranslation();
  const workspace = useWorkspace();
  const ctx = useRenderContext();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const dirty = useRef(false);
  // Leaving with unsaved changes asks first (in-app navigation and closing the tab).
  useBlocker({
    shouldBlockFn: () => dirty.current && !window.confirm(t('form.unsaved')),
    enableBeforeUnload: () => dirty.current,
  });
  const doc = modulesOf(workspace.documents).find((m) => m.name === module);
  if (!doc) return <NotFoundPage />;
  const title = record
    ? t('form.editTitle', { name: recordTitle(doc, record) })
    : t('form.newTitle', { module: labelOf(doc.label, workspace.locale, doc.name) });
  const back = () =>
    record
      ? navigate({ to: '/m/$module/$id', params: { module, id: String(record.id) } })
      : navigate({ to: '/m/$module', params: { module } });
  return (
    <>
      <div className="page-header">
        <h1>{title}</h1>
      </div>
      <div className="panel">
        <RecordForm
          ctx={ctx}
          module={module}
          record={record}
          initialValues={initialValues}
          onDirtyChange={(next) => {
            dirty.current = next;
          }}
          onCancel={() => void back()}
          onSaved={async (saved) => {
            dirty.current = false;
            notify(t(record ? 'toast.saved' : 'toast.created', { name: recordTitle(doc, saved) }));
            await queryClient.invalidateQueries({ queryKey: ['record', module] });
            await navigate({ to: '/m/$module/$id', params: { module, id: String(saved.id) } });
          }}
        />
      </div>
    </>
  );
}
