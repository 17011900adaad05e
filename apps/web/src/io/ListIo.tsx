import type { ModuleDoc } from '@atrium/metadata';
import { ClientError } from '@atrium/renderer/client';
import { lazy, Suspense, useMemo, useState } from 'react';
import { Button, Menu, MenuItem, MenuTrigger, Popover } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { useWorkspace } from '../meta.js';
import { useSession } from '../session.js';
import { notify } from '../shell/Toasts.js';
import { createIoApi, type ListQuery, mayExport, mayImport } from './api.js';
import './list-io.css';

// The import flow is loaded when first opened: the list page does not carry it.
const ImportDialog = lazy(() =>
  import('./ImportDialog.js').then((m) => ({ default: m.ImportDialog })),
);

/**
 * "Export" (CSV / Excel of exactly what the list shows: its view, filter, sort and search) and
 * "Import", each shown only with the profile's right.
 */
export function ListIo({
  doc,
  list,
  onImported,
}: {
  doc: ModuleDoc;
  list: ListQuery;
  onImported(): void;
}) {
  const { t } = useTranslation();
  const { http } = useSession();
  const workspace = useWorkspace();
  const api = useMemo(() => createIoApi(http), [http]);
  const [exporting, setExporting] = useState(false);
  const [importing, setImporting] = useState(false);
  const canExport = mayExport(workspace.me, doc.name);
  const canImport = mayImport(workspace.me, doc.name);

  const download = async (format: 'csv' | 'xlsx') => {
    setExporting(true);
    try {
      await api.export(doc.name, list, format);
    } catch (error) {
      notify(
        t('io.exportFailed', {
          message: error instanceof ClientError ? error.message : String(error),
        }),
        'error',
      );
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      {canExport && (
        <MenuTrigger>
          <Button className="button io-button" isDisabled={exporting}>
            {exporting ? t('io.exporting') : t('io.export')}
          </Button>
          <Popover className="popover" placement="bottom end">
            <Menu
              className="menu"
              aria-label={t('io.export')}
              onAction={(key) => void download(key === 'xlsx' ? 'xlsx' : 'csv')}
            >
              <MenuItem id="csv" className="menu-item">
                {t('io.exportCsv')}
              </MenuItem>
              <MenuItem id="xlsx" className="menu-item">
                {t('io.exportXlsx')}
              </MenuItem>
            </Menu>
          </Popover>
        </MenuTrigger>
      )}
      {canImport && (
        <Button className="button io-button" onPress={() => setImporting(true)}>
          {t('io.import')}
        </Button>
      )}
      {importing && (
        <Suspense fallback={null}>
          <ImportDialog
            doc={doc}
            locale={workspace.locale}
            api={api}
            onClose={() => setImporting(false)}
            onImported={onImported}
          />
        </Suspense>
      )}
    </>
  );
}
