import { ClientError, type RecordValues } from '@atrium/renderer/client';
import { useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Modal, ModalOverlay } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import { notifyDeleted } from '../bin/undo-delete.js';
import { useBin } from '../bin/use-bin.js';
import { useRenderContext } from '../render-context.js';

/**
 * Delete with a confirmation (the record goes to the recycle bin, with its version so a record
 * changed meanwhile is refused); the app then returns to the list and says so in a toast whose
 * "Undo" brings the record back.
 */
export function DeleteRecordButton({
  module,
  record,
  name,
  onDeleted,
}: {
  module: string;
  record: RecordValues;
  name: string;
  onDeleted(): void;
}) {
  const { t } = useTranslation();
  const ctx = useRenderContext();
  const bin = useBin(module);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const remove = async (close: () => void) => {
    setBusy(true);
    setProblem(null);
    try {
      await ctx.client.remove(module, String(record.id), Number(record.version));
      close();
      notifyDeleted(bin.api, t, { module, id: String(record.id), name }, bin.fieldLabel);
      onDeleted();
    } catch (error) {
      setProblem(error instanceof ClientError ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <DialogTrigger>
      <Button className="button">{t('record.delete')}</Button>
      <ModalOverlay className="modal-overlay" isDismissable>
        <Modal className="modal">
          <Dialog className="dialog" role="alertdialog">
            {({ close }) => (
              <>
                <Heading slot="title">{t('record.deleteTitle', { name })}</Heading>
                <p>{t('record.deleteBody')}</p>
                {problem && (
                  <p role="alert" className="form-error">
                    {problem}
                  </p>
                )}
                <div className="row-between" style={{ justifyContent: 'flex-end' }}>
                  <Button className="button" onPress={close}>
                    {t('record.cancel')}
                  </Button>
                  <Button
                    className="button danger"
                    onPress={() => void remove(close)}
                    isDisabled={busy}
                  >
                    {t('record.deleteConfirm')}
                  </Button>
                </div>
              </>
            )}
          </Dialog>
        </Modal>
      </ModalOverlay>
    </DialogTrigger>
  );
}
