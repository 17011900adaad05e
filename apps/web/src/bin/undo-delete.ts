import { ClientError } from '@atrium/renderer/client';
import type { TFunction } from 'i18next';
import type { BinApi } from '../api/bin.js';
import { notify, toasts } from '../shell/Toasts.js';
import { refusalText } from './refusal-text.js';
import { recordRestored } from './restored.js';

/**
 * "<name> deleted" with an Undo button: Undo restores the record (the bin's own endpoint, so
 * the same rights and refusals hold) and says so with a link to it, or says why it could not.
 */
export function notifyDeleted(
  bin: BinApi,
  t: TFunction,
  record: { module: string; id: string; name: string },
  fieldLabel: (path: string) => string,
): void {
  const { name } = record;
  let running = false;
  const key = notify(t('toast.deleted', { name }), 'success', {
    action: {
      label: t('toast.undo'),
      name: t('toast.undoNamed', { name }),
      run: () => {
        if (running) return;
        running = true;
        toasts.close(key);
        void restoreWithToast(bin, t, record, fieldLabel);
      },
    },
  });
}

/**
 * Restores and says how it went: a toast with a link to the record, or the API's refusal (in a
 * toast, or to `onRefused` when the caller shows it beside the record).
 */
export async function restoreWithToast(
  bin: BinApi,
  t: TFunction,
  record: { module: string; id: string; name: string },
  fieldLabel: (path: string) => string,
  onRefused?: (text: string) => void,
): Promise<boolean> {
  const { module, id, name } = record;
  try {
    await bin.restore(module, id);
    recordRestored(module);
    notify(t('bin.restored', { name }), 'success', {
      link: { label: t('bin.open'), name: t('bin.openNamed', { name }), module, id },
    });
    return true;
  } catch (error) {
    const message =
      error instanceof ClientError ? refusalText(error, t, fieldLabel) : String(error);
    if (onRefused) onRefused(message);
    else notify(t('bin.refused', { name, message }), 'error');
    return false;
  }
}
