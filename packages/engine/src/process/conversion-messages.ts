import { defineMessages } from '@atrium/metadata';

/** The messages conversion refusals put in `details[].message`, in every language Atrium speaks. */
export const conversionMsg = defineMessages('conversions', {
  noConversion: {
    en: 'no conversion is defined for {module}',
    'zh-CN': '模块 {module} 未定义转化',
  },
  converted: {
    en: 'record {id} has already been converted',
    'zh-CN': '记录 {id} 已转化',
  },
  notATarget: {
    en: 'is not a target of the conversion; targets: {targets}',
    'zh-CN': '不是此转化的目标；目标为：{targets}',
  },
  override: {
    en: 'must be an object of field values, or false to skip this target',
    'zh-CN': '必须是字段值对象，或为 false 以跳过此目标',
  },
  version: { en: 'must be a whole number', 'zh-CN': '必须是整数' },
  nothing: {
    en: 'every target is skipped; nothing would be created',
    'zh-CN': '所有目标均被跳过，不会创建任何记录',
  },
});
