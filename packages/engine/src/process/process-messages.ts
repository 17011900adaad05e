import { defineMessages } from '@atrium/metadata';

/** What the outbox, notification and webhook-secret routes refuse with, en and zh-CN. */
export const processMsg = defineMessages('process', {
  pageLimit: {
    en: 'must be a whole number from {min} to {max}',
    'zh-CN': '必须是 {min} 到 {max} 之间的整数',
  },
  pageBefore: { en: 'must be an id from a previous page', 'zh-CN': '必须是上一页中的 ID' },
  noNotification: { en: 'no notification {id}', 'zh-CN': '没有通知 {id}' },
  secretFromEnv: {
    en: 'set by ATRIUM_WEBHOOK_SECRET',
    'zh-CN': '由 ATRIUM_WEBHOOK_SECRET 设置',
  },
});
