/**
 * UI strings of the recycle bin and of "Undo" after a delete, en and zh-CN, merged into the
 * app's messages (kept apart like the reports' strings).
 */
export const binEn = {
  'bin.link': 'Recycle bin',
  'bin.title': 'Recycle bin',
  'bin.heading': 'Recycle bin · {{module}}',
  'bin.intro':
    'Records deleted from {{module}}, the most recent first. Restoring one also brings back what its delete took along.',
  'bin.list': 'Deleted {{module}}',
  'bin.name': 'Name',
  'bin.deletedAt': 'Deleted',
  'bin.deletedBy': 'Deleted by',
  'bin.actions': 'Actions',
  'bin.restore': 'Restore',
  'bin.restoreNamed': 'Restore {{name}}',
  'bin.restoring': 'Restoring…',
  'bin.restored': '{{name}} restored',
  'bin.open': 'Open',
  'bin.openNamed': 'Open {{name}}',
  'bin.refused': 'Could not restore {{name}}: {{message}}',
  'bin.problem': '{{field}}: {{message}}',
  'bin.empty': 'The recycle bin is empty',
  'bin.emptyHint': 'Records deleted from {{module}} land here until someone restores them.',
  'bin.more': 'Load more',
  'bin.loadingMore': 'Loading…',
  'bin.unknownUser': 'Unknown user',
  'toast.undo': 'Undo',
  'toast.undoNamed': 'Undo: restore {{name}}',
} as const;

export const binZh: Record<keyof typeof binEn, string> = {
  'bin.link': '回收站',
  'bin.title': '回收站',
  'bin.heading': '回收站 · {{module}}',
  'bin.intro':
    '从{{module}}中删除的记录，最近删除的在前。恢复一条记录时，会一并恢复随它删除的记录。',
  'bin.list': '已删除的{{module}}',
  'bin.name': '名称',
  'bin.deletedAt': '删除时间',
  'bin.deletedBy': '删除人',
  'bin.actions': '操作',
  'bin.restore': '恢复',
  'bin.restoreNamed': '恢复 {{name}}',
  'bin.restoring': '正在恢复…',
  'bin.restored': '已恢复 {{name}}',
  'bin.open': '打开',
  'bin.openNamed': '打开 {{name}}',
  'bin.refused': '无法恢复 {{name}}：{{message}}',
  'bin.problem': '{{field}}：{{message}}',
  'bin.empty': '回收站是空的',
  'bin.emptyHint': '从{{module}}中删除的记录会出现在这里，直到有人恢复。',
  'bin.more': '加载更多',
  'bin.loadingMore': '加载中…',
  'bin.unknownUser': '未知用户',
  'toast.undo': '撤销',
  'toast.undoNamed': '撤销：恢复 {{name}}',
};
