import { defineMessages } from '@atrium/metadata';

/** What approvals say: refusals' details and the notifications' titles, in every language. */
export const approvalMsg = defineMessages('approvals', {
  locked: {
    en: 'waits for approval {id} of the transition "{transition}"; it cannot change until that is approved or rejected',
    'zh-CN': '正在等待流转“{transition}”的审批（{id}），审批通过或驳回之前不能修改',
  },
  decided: { en: 'approval {id} is {status} already', 'zh-CN': '审批 {id} 已{status}' },
  notApprover: {
    en: 'you are not among the approvers of approval {id}',
    'zh-CN': '您不是审批 {id} 的审批人',
  },
  missing: { en: 'no approval {id}', 'zh-CN': '审批 {id} 不存在' },
  requested: {
    en: '{requester} asks you to approve "{transition}" on {record}',
    'zh-CN': '{requester} 请您审批“{record}”的流转“{transition}”',
  },
  approved: {
    en: 'Approved: "{transition}" on {record}',
    'zh-CN': '已批准：“{record}”的流转“{transition}”',
  },
  rejected: {
    en: 'Rejected: "{transition}" on {record}',
    'zh-CN': '已驳回：“{record}”的流转“{transition}”',
  },
  approvedStatus: { en: 'approved', 'zh-CN': '批准' },
  rejectedStatus: { en: 'rejected', 'zh-CN': '驳回' },
  pendingStatus: { en: 'pending', 'zh-CN': '待处理' },
  comment: {
    en: 'must be text of at most {max} characters',
    'zh-CN': '必须是最多 {max} 个字符的文本',
  },
});
