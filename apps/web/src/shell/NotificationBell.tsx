import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { Button, Dialog, DialogTrigger, Heading, Popover } from 'react-aria-components';
import { useTranslation } from 'react-i18next';
import type { Notification } from '../api/inbox.js';
import { useInboxApi, useNotifications } from '../inbox/hooks.js';
import { fullTime, relativeTime } from '../inbox/when.js';
import { useWorkspace } from '../meta.js';
import './inbox.css';

/**
 * The top bar's bell: the unread count in its name and on a badge, and a panel with the latest
 * notifications. Opening one marks it read and goes to its record; Escape closes the panel and
 * focus goes back to the bell (React Aria's dialog).
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const notifications = useNotifications();
  const unread = notifications.data?.unread ?? 0;
  const label = unread === 0 ? t('inbox.bellNone') : t('inbox.bell', { count: unread });
  return (
    <DialogTrigger isOpen={open} onOpenChange={setOpen}>
      <Button className="icon-button bell" aria-label={label}>
        <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <path
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
            strokeLinecap="round"
            strokeLinejoin="round"
            d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10.3 21a1.94 1.94 0 0 0 3.4 0"
          />
        </svg>
        {unread > 0 && (
          <span className="bell-count" aria-hidden="true">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </Button>
      <Popover className="popover notice-popover" placement="bottom end">
        <Dialog className="notice-panel" aria-labelledby="notice-heading">
          <NoticePanel onClose={() => setOpen(false)} />
        </Dialog>
      </Popover>
    </DialogTrigger>
  );
}

function NoticePanel({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { locale, timeZone } = useWorkspace();
  const api = useInboxApi();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const notifications = useNotifications();
  const [busy, setBusy] = useState(false);
  const page = notifications.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['notifications'] });

  const open = async (n: Notification) => {
    if (n.readAt === null) {
      await api.read(n.id).catch(() => undefined);
      void refresh();
    }
    onClose();
    if (n.module && n.recordId)
      void navigate({ to: '/m/$module/$id', params: { module: n.module, id: n.recordId } });
  };
  const readAll = async () => {
    setBusy(true);
    try {
      await api.readAll();
      await refresh();
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <div className="notice-head">
        <Heading slot="title" id="notice-heading" className="notice-title">
          {t('inbox.title')}
        </Heading>
        <Button
          className="button notice-read-all"
          onPress={() => void readAll()}
          isDisabled={busy || !page || page.unread === 0}
        >
          {t('inbox.markAll')}
        </Button>
      </div>
      {notifications.error ? (
        <p role="alert" className="form-error notice-state">
          {t('inbox.failed', { message: notifications.error.message })}
        </p>
      ) : !page ? (
        <p aria-busy="true" className="notice-state">
          {t('common.loading')}
        </p>
      ) : page.data.length === 0 ? (
        <p className="notice-state muted">{t('inbox.empty')}</p>
      ) : (
        <ul className="notice-list">
          {page.data.map((n) => (
            <li key={n.id}>
              <button
                type="button"
                className="notice"
                data-unread={n.readAt === null ? 'true' : undefined}
                onClick={() => void open(n)}
              >
                <span className="notice-dot" aria-hidden="true" />
                <span className="notice-text">
                  {n.readAt === null && (
                    <span className="visually-hidden">{t('inbox.unread')}: </span>
                  )}
                  <span className="notice-line">{n.title}</span>
                  {n.body && <span className="notice-body">{n.body}</span>}
                  <time
                    className="notice-when"
                    dateTime={n.createdAt}
                    title={fullTime(n.createdAt, locale, timeZone)}
                  >
                    {relativeTime(n.createdAt, locale)}
                  </time>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="notice-foot">
        <Link to="/approvals" onClick={onClose}>
          {t('inbox.allApprovals')}
        </Link>
      </div>
    </>
  );
}
