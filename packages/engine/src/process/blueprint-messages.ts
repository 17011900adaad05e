import { defineMessages } from '@atrium/metadata';

/** What blueprint refusals put in `details[].message`, en and zh-CN. */
export const blueprintMsg = defineMessages('blueprints', {
  fieldOwned: {
    en: 'follows the blueprint "{blueprint}" and changes only through a transition; from "{state}": {available}',
    'zh-CN': '由流程蓝图“{blueprint}”控制，只能通过流转更改；当前“{state}”可用的流转：{available}',
  },
  unavailable: {
    en: 'transition "{name}" cannot run now from "{state}"; available: {available}',
    'zh-CN': '流转“{name}”当前无法从“{state}”执行；可用的流转：{available}',
  },
  unknown: { en: 'no transition named "{name}"', 'zh-CN': '没有名为“{name}”的流转' },
  requiredBy: {
    en: 'is required by the transition "{name}"',
    'zh-CN': '流转“{name}”要求填写此项',
  },
  setByTransition: {
    en: 'is set by the transition "{name}" to "{to}"',
    'zh-CN': '由流转“{name}”设置为“{to}”',
  },
  none: { en: 'none', 'zh-CN': '无' },
});
