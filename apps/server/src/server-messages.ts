import { defineMessages } from '@atrium/metadata';

/** What the server's own routes (users, sessions, tokens, audit, sign-in) say in details, en and zh-CN. */
export const serverMsg = defineMessages('server', {
  noUser: { en: 'no user {id}', 'zh-CN': '没有用户 {id}' },
  emailTaken: { en: '{email} is taken', 'zh-CN': '{email} 已被使用' },
  lastAdmin: {
    en: 'the last active administrator cannot be deactivated nor demoted',
    'zh-CN': '不能停用最后一位在职管理员，也不能取消其管理员身份',
  },
  alreadyTheirs: {
    en: 'the records already belong to this user',
    'zh-CN': '这些记录已属于该用户',
  },
  notActiveUser: { en: 'not an active user', 'zh-CN': '不是在职用户' },
  notCurrentPassword: { en: 'is not the current password', 'zh-CN': '不是当前密码' },
  notUsable: { en: 'not usable', 'zh-CN': '无法使用' },
  future: { en: 'must be a time in the future', 'zh-CN': '必须是将来的时间' },
  noToken: { en: 'no token {id}', 'zh-CN': '没有令牌 {id}' },
  notATime: { en: 'not a time', 'zh-CN': '不是有效的时间' },
  noMatch: { en: 'does not match', 'zh-CN': '不匹配' },
});
