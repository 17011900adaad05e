import {
  Button,
  Text,
  UNSTABLE_Toast as Toast,
  UNSTABLE_ToastContent as ToastContent,
  UNSTABLE_ToastQueue as ToastQueue,
  UNSTABLE_ToastRegion as ToastRegion,
} from 'react-aria-components';
import { useTranslation } from 'react-i18next';

interface ToastBody {
  text: string;
  tone: 'success' | 'error';
}

/**
 * The app's one queue of toasts: "Saved", "3 records updated". React Aria's region is a landmark
 * that announces each toast to screen readers and lets keyboard users reach it (F6).
 */
export const toasts = new ToastQueue<ToastBody>({ maxVisibleToasts: 3 });

/** Shows `text` for a few seconds (errors stay until closed). */
export function notify(text: string, tone: ToastBody['tone'] = 'success'): void {
  toasts.add({ text, tone }, tone === 'error' ? {} : { timeout: 5000 });
}

/** Where toasts appear: bottom right on a desktop, bottom and full width on a phone. */
export function Toasts() {
  const { t } = useTranslation();
  return (
    <ToastRegion queue={toasts} className="toast-region" aria-label={t('toast.region')}>
      {({ toast }) => (
        <Toast toast={toast} className="toast" data-tone={toast.content.tone}>
          <ToastContent className="toast-content">
            <span className="toast-mark" aria-hidden="true">
              {toast.content.tone === 'error' ? '!' : '✓'}
            </span>
            {/* The toast's name for screen readers (it is an alert dialog). */}
            <Text slot="title">{toast.content.text}</Text>
          </ToastContent>
          <Button slot="close" className="icon-button toast-close" aria-label={t('toast.close')}>
            ✕
          </Button>
        </Toast>
      )}
    </ToastRegion>
  );
}
