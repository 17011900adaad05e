import { Link } from '@tanstack/react-router';
import {
  Button,
  Text,
  UNSTABLE_Toast as Toast,
  UNSTABLE_ToastContent as ToastContent,
  UNSTABLE_ToastQueue as ToastQueue,
  UNSTABLE_ToastRegion as ToastRegion,
} from 'react-aria-components';
import { useTranslation } from 'react-i18next';

/** A button in a toast ("Undo"): `label` is shown, `name` is what screen readers hear. */
export interface ToastAction {
  label: string;
  name: string;
  run(): void;
}

/** A link in a toast to a record ("Open"). */
export interface ToastLink {
  label: string;
  name: string;
  module: string;
  id: string;
}

interface ToastBody {
  text: string;
  tone: 'success' | 'error';
  action?: ToastAction;
  link?: ToastLink;
}

/**
 * The app's one queue of toasts: "Saved", "3 records updated". React Aria's region is a landmark
 * that announces each toast to screen readers and lets keyboard users reach it (F6).
 */
export const toasts = new ToastQueue<ToastBody>({ maxVisibleToasts: 3 });

/**
 * Shows `text` for a few seconds (errors stay until closed; a toast with an action stays 8 s,
 * and React Aria pauses the timer while the pointer or the focus is in the region). Returns the
 * toast's key, so an action can close it.
 */
export function notify(
  text: string,
  tone: ToastBody['tone'] = 'success',
  extra: Pick<ToastBody, 'action' | 'link'> = {},
): string {
  const timeout = tone === 'error' ? undefined : extra.action ? 8000 : 5000;
  return toasts.add({ text, tone, ...extra }, timeout ? { timeout } : {});
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
          {toast.content.link && (
            <Link
              className="toast-action"
              to="/m/$module/$id"
              params={{ module: toast.content.link.module, id: toast.content.link.id }}
              aria-label={toast.content.link.name}
              onClick={() => toasts.close(toast.key)}
            >
              {toast.content.link.label}
            </Link>
          )}
          {toast.content.action && (
            <Button
              className="toast-action"
              aria-label={toast.content.action.name}
              onPress={toast.content.action.run}
            >
              {toast.content.action.label}
            </Button>
          )}
          <Button slot="close" className="icon-button toast-close" aria-label={t('toast.close')}>
            ✕
          </Button>
        </Toast>
      )}
    </ToastRegion>
  );
}
