import '@atrium/renderer/styles.css';
import { FieldValue, fieldMap, recordTitle } from '@atrium/renderer';
import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useTranslation } from 'react-i18next';
import { labelOf, layoutOf, modulesOf, useWorkspace } from '../meta.js';
import { useRenderContext } from '../render-context.js';
import { useUserName } from '../use-users.js';
import { NotFoundPage } from './NotFoundPage.js';

/** A record: its name, "Edit", and the layout's sections as read-only values. */
export function RecordPage() {
  const { t } = useTranslation();
  const { module, id } = useParams({ from: '/app/m/$module/$id' });
  const workspace = useWorkspace();
  const ctx = useRenderContext();
  const doc = modulesOf(workspace.documents).find((m) => m.name === module);
  const userName = useUserName();
  // Lookups come with their target, so they show its name.
  const expand = doc?.fields.filter((f) => f.type === 'lookup').map((f) => f.name) ?? [];
  const record = useQuery({
    queryKey: ['record', module, id, 'expanded'],
    queryFn: () => ctx.client.get(module, id, expand.length > 0 ? { expand } : undefined),
    enabled: doc !== undefined,
  });
  if (!doc) return <NotFoundPage />;
  if (record.error)
    return (
      <p role="alert" className="form-error">
        {t('common.error', { message: record.error.message })}
      </p>
    );
  if (!record.data) return <p aria-busy="true">{t('common.loading')}</p>;
  const byName = fieldMap(doc);
  const sections = layoutOf(workspace.documents, module)?.sections ?? [
    { fields: doc.fields.map((f) => f.name) },
  ];
  const data = record.data;
  return (
    <>
      <div className="page-header">
        <h1>{recordTitle(doc, data)}</h1>
        <Link className="button" to="/m/$module" params={{ module }}>
          {t('record.back', {
            module: labelOf(doc.pluralLabel ?? doc.label, ctx.locale, doc.name),
          })}
        </Link>
        <Link className="button primary" to="/m/$module/$id/edit" params={{ module, id }}>
          {t('record.edit')}
        </Link>
      </div>
      <div className="panel record-sections">
        {sections.map((section, i) => (
          <section key={`${i}-${section.fields.join()}`}>
            {section.label && <h2>{labelOf(section.label, ctx.locale, '')}</h2>}
            <dl className="record-fields">
              {section.fields.map((name) => {
                const field = byName.get(name);
                if (!field) return null;
                return (
                  <div key={name}>
                    <dt>{labelOf(field.label, ctx.locale, name)}</dt>
                    <dd>
                      <FieldValue
                        field={field}
                        value={data[name]}
                        ctx={ctx}
                        currency={(data.currency_code as string | undefined) ?? null}
                        userName={userName}
                      />
                    </dd>
                  </div>
                );
              })}
            </dl>
          </section>
        ))}
      </div>
    </>
  );
}
