import { type HttpSession, query, request } from './http.js';

/** A transition waiting for (or past) someone's decision (`GET /api/approvals`). */
export interface Approval {
  id: number;
  module: string;
  recordId: string;
  transition: string;
  requestedBy: string;
  /** Who may decide; empty: administrators decide. */
  approvers: string[];
  status: 'pending' | 'approved' | 'rejected';
  comment: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
  /** In lists: the record's name as the user may read it; null when they may not. */
  recordName?: string | null;
}

/** One of the user's notifications (`GET /api/notifications`), already in their language. */
export interface Notification {
  id: number;
  title: string;
  body: string | null;
  module: string | null;
  recordId: string | null;
  createdAt: string;
  readAt: string | null;
}

export interface NotificationPage {
  data: Notification[];
  nextCursor: string | null;
  /** How many of the user's notifications are unread, all pages together. */
  unread: number;
}

/** Approvals and notifications: what waits for the user and what happened to their requests. */
export function createInboxApi(session: HttpSession) {
  return {
    /** `mine: true`: pending and waiting for the user; false: the user's own requests, any status. */
    approvals: (mine: boolean) =>
      request<{ data: Approval[] }>(session, 'GET', `/api/approvals${query({ mine })}`),
    decide: (id: number, decision: 'approve' | 'reject', comment: string) =>
      request<{ approval: Approval }>(
        session,
        'POST',
        `/api/approvals/${id}/${decision}`,
        comment.trim() === '' ? {} : { comment: comment.trim() },
      ),
    notifications: (limit: number) =>
      request<NotificationPage>(session, 'GET', `/api/notifications${query({ limit })}`),
    read: (id: number) => request<Notification>(session, 'POST', `/api/notifications/${id}/read`),
    readAll: () => request<{ marked: number }>(session, 'POST', '/api/notifications/read-all'),
  };
}

export type InboxApi = ReturnType<typeof createInboxApi>;
