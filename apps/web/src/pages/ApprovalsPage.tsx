import type { BlueprintDoc, ModuleDoc } from '@atrium/metadata';
import { ClientError } from '@atrium/renderer/client';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useSearch } from '@tanstack/react-router';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Approval } from '../api/inbox.js';
import { useApprovals, useInboxApi } from '../inbox/hooks.js';
import { fullTime, relativeTime } from '../inbox/when.js';
import { labelOf, modulesOf, useWorkspace } from '../meta.js';
import { useSession } from '../session.js';
import { notify } from '../shell/Toasts.js';
import { useUserName } from '../use-users.js';
import '../inbox/approvals.css';

/**
 * `/approvals`: the requests waiting for the user's decision (Approve / Reject with an optional
 * comment), and the user's own requests with what became of them.
 */
export function ApprovalsPage() {
  const { t } = useTranslation();
  const { tab } = useSearch({ from: '/app/approvals' });
  const mine = tab !== 'requests';
  const approvals = useApprovals(mine);
  const rows = approvals.data?.data;
  return (
    <div className="approvals-page">
      <div className="page-header">
        <h1>{t('approvals.title')}</h1>
      </div>
      <nav className="tabs" aria-label={t('approvals.tabs')}>
        {/* Exact: the first tab's empty search would otherwise match the second's too. */}
        <Link to="/approvals" search={{}} activeOptions={{ exact: true }} activeProps={{}}>
          {t('approvals.tabMine')}
        </Link>
        <Link
          to="/approvals"
          search={{ tab: 'requests' }}
          activeOptions={{ exact: true }}
          activeProps={{}}
        >
          {t('approvals.tabRequests')}
        </Link>
      </nav>
      {approvals.error ? (
        <p role="alert" className="form-error">
          {t('common.error', { message: approvals.error.message })}
        </p>
      ) : !rows ? (
        <p aria-busy="true">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="approvals-empty">
          {t(mine ? 'approvals.emptyMine' : 'approvals.emptyRequests')}
        </p>
      ) : (
        <ul className="approvals">
          {rows.map((a) => (
            <ApprovalRow key={a.id} approval={a} decide={mine} />
          ))}
        </ul>
      )}
    </div>
  );
}

function ApprovalRow({ approval: a, decide }: { approval: Approval; decide: boolean }) {
  const { t } = useTranslation();
  const { documents, locale, timeZone } = useWorkspace();
  const { token } = useSession();
  const api = useInboxApi();
  const queryClient = useQueryClient();
  const userName = useUserName();
  const commentId = useId();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [closed, setClosed] = useState(false);

  const doc = modulesOf(documents).find((m) => m.name === a.module) as ModuleDoc | undefined;
  const blueprint = documents.find(
    (d): d is BlueprintDoc => d.kind === 'blueprint' && d.module === a.module,
  );
  const step = blueprint?.transitions.find((x) => x.name === a.transition);
  const transition = labelOf(step?.label, locale, a.transition);
  // The record's name as the list read it for the user (null: they may not read it), else its id.
  const name = a.recordName === '' ? null : (a.recordName ?? null);
  const recordText = name ?? t('approvals.unreadable', { id: a.recordId.slice(0, 8) });
  const who = (id: string) => userName(id) ?? t('approvals.someone');

  const run = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    setProblem(null);
    try {
      const { approval } = await api.decide(a.id, decision, comment);
      // The row stays where it was, with its new status, until the next visit.
      // (A decision answers no name: the row keeps the one the list gave.)
      queryClient.setQueryData<{ data: Approval[] }>(['approvals', token, true], (old) =>
        old
          ? {
              data: old.data.map((x) =>
                x.id === approval.id ? { ...approval, recordName: x.recordName } : x,
              ),
            }
          : old,
      );
      void queryClient.invalidateQueries({ queryKey: ['notifications'] });
      notify(
        t(decision === 'approve' ? 'approvals.doneApproved' : 'approvals.doneRejected', {
          transition,
          record: recordText,
        }),
      );
    } catch (error) {
      // Decided by someone else meanwhile: nothing is left to decide here (the message says
      // how it ended; the list drops it on its next read).
      if (error instanceof ClientError && error.code === 'APPROVAL_DECIDED') setClosed(true);
      setProblem(
        error instanceof ClientError
          ? [error.message, ...error.details.map((d) => d.message)].join(' — ')
          : String(error),
      );
    } finally {
      setBusy(false);
    }
  };

  const when = (iso: string) => (
    <time dateTime={iso} title={fullTime(iso, locale, timeZone)}>
      {relativeTime(iso, locale)}
    </time>
  );
  const headingId = `${commentId}-title`;
  return (
    <li className="approval" aria-labelledby={headingId} data-status={a.status}>
      <div className="approval-main">
        <h2 className="approval-record" id={headingId}>
          {doc ? (
            <Link to="/m/$module/$id" params={{ module: a.module, id: a.recordId }}>
              {recordText}
            </Link>
          ) : (
            recordText
          )}
        </h2>
        <span className="approval-status" data-status={closed ? 'decided' : a.status}>
          {t(closed ? 'approvals.status.decided' : `approvals.status.${a.status}`)}
        </span>
      </div>
      <p className="approval-step">
        {t('approvals.step', {
          transition,
          module: doc ? labelOf(doc.label, locale, doc.name) : a.module,
        })}
      </p>
      <p className="approval-meta muted">
        {t('approvals.asked', { who: who(a.requestedBy) })} · {when(a.createdAt)}
        {a.decidedBy && a.decidedAt && (
          <>
            <br />
            {t('approvals.decided', {
              who: who(a.decidedBy),
              status: t(`approvals.status.${a.status}`),
            })}{' '}
            · {when(a.decidedAt)}
          </>
        )}
      </p>
      {a.comment && <blockquote className="approval-comment">{a.comment}</blockquote>}
      {decide && a.status === 'pending' && !closed && (
        <div className="approval-decide">
          <label htmlFor={commentId} className="visually-hidden">
            {t('approvals.commentOf', { record: recordText })}
          </label>
          <textarea
            id={commentId}
            className="approval-input"
            rows={1}
            maxLength={2000}
            placeholder={t('approvals.comment')}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            disabled={busy}
          />
          <div className="approval-buttons">
            <button
              type="button"
              className="button"
              disabled={busy}
              aria-label={t('approvals.rejectRecord', { transition, record: recordText })}
              onClick={() => void run('reject')}
            >
              {t('approvals.reject')}
            </button>
            <button
              type="button"
              className="button primary"
              disabled={busy}
              aria-label={t('approvals.approveRecord', { transition, record: recordText })}
              onClick={() => void run('approve')}
            >
              {t('approvals.approve')}
            </button>
          </div>
        </div>
      )}
      {problem && (
        <p role="alert" className="form-error approval-problem">
          {t('approvals.refused', { message: problem })}
        </p>
      )}
    </li>
  );
}
