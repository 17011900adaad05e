import type { Locale, Problem } from '@atrium/metadata';

/**
 * One entry of the catalog: the HTTP status and the top-level message in English, with its
 * zh-CN translation. A code added without `zh-CN` still works: zh-CN callers then read English.
 */
export interface ErrorEntry {
  readonly status: number;
  readonly message: string;
  readonly 'zh-CN'?: string;
}

/** Every refusal the engine makes, with its HTTP status. One catalog, stable codes. */
export const ERRORS = {
  VALIDATION_FAILED: { status: 400, message: 'Some values are not valid', 'zh-CN': '部分值无效' },
  INVALID_FILTER: {
    status: 400,
    message: 'The filter cannot be used',
    'zh-CN': '无法使用该筛选条件',
  },
  INVALID_QUERY: {
    status: 400,
    message: 'The query parameters are not valid',
    'zh-CN': '查询参数无效',
  },
  INVALID_METADATA: {
    status: 400,
    message: 'The metadata documents are not valid',
    'zh-CN': '元数据文档无效',
  },
  UNAUTHORIZED: { status: 401, message: 'Sign in first', 'zh-CN': '请先登录' },
  FORBIDDEN: { status: 403, message: 'You may not do this', 'zh-CN': '您无权执行此操作' },
  UNKNOWN_MODULE: { status: 404, message: 'No such module', 'zh-CN': '模块不存在' },
  NOT_FOUND: { status: 404, message: 'No such record', 'zh-CN': '记录不存在' },
  VERSION_CONFLICT: {
    status: 409,
    message: 'The record was changed by someone else; reload it',
    'zh-CN': '该记录已被他人修改，请重新加载',
  },
  DUPLICATE_VALUE: {
    status: 409,
    message: 'A value must be unique and is already used',
    'zh-CN': '某个值必须唯一，但已被使用',
  },
  DESTRUCTIVE_CHANGE: {
    status: 409,
    message: 'The change drops or narrows data; confirm it explicitly',
    'zh-CN': '此更改会删除或缩减数据，请明确确认',
  },
  METADATA_CHANGED: {
    status: 409,
    message: 'The metadata changed meanwhile; plan again',
    'zh-CN': '元数据已在此期间更改，请重新规划',
  },
  APPLY_FAILED: {
    status: 422,
    message: 'The change could not be applied; nothing was changed',
    'zh-CN': '无法应用此更改，未做任何修改',
  },
  BAD_REQUEST: { status: 400, message: 'The request is not valid', 'zh-CN': '请求无效' },
  ROUTE_NOT_FOUND: { status: 404, message: 'No such route', 'zh-CN': '没有此接口' },
  REQUEST_TIMEOUT: { status: 408, message: 'The request took too long', 'zh-CN': '请求超时' },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    message: 'The request body is too large',
    'zh-CN': '请求正文过大',
  },
  URI_TOO_LONG: {
    status: 414,
    message: 'A part of the address is too long',
    'zh-CN': '地址的某一部分过长',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'Send the body as application/json',
    'zh-CN': '请以 application/json 格式发送请求正文',
  },
  RATE_LIMITED: {
    status: 429,
    message: 'Too many requests; try again later',
    'zh-CN': '请求过多，请稍后再试',
  },
  HEADERS_TOO_LARGE: {
    status: 431,
    message: 'The address or the headers are too large',
    'zh-CN': '地址或请求头过大',
  },
  INTERNAL: { status: 500, message: 'Something went wrong on our side', 'zh-CN': '服务器内部出错' },
  REFERENCED: {
    status: 409,
    message: 'Other records refer to this one and restrict its deletion; remove those links first',
    'zh-CN': '其他记录引用了此记录并限制删除；请先移除这些引用',
  },
  DATABASE_UNAVAILABLE: {
    status: 503,
    message: 'The database cannot be reached right now; try again shortly',
    'zh-CN': '暂时无法连接数据库，请稍后重试',
  },
  DATA_CONFLICT: {
    status: 409,
    message: 'The change does not fit the records already stored; say how to resolve it',
    'zh-CN': '此更改与已存储的记录不符，请说明如何处理',
  },
  NO_SUCH_USER: { status: 404, message: 'No such user', 'zh-CN': '用户不存在' },
  NO_SUCH_TOKEN: { status: 404, message: 'No such API token', 'zh-CN': 'API 令牌不存在' },
  LINK_EXPIRED: {
    status: 400,
    message: 'This link is used up or has expired; ask an administrator for a new one',
    'zh-CN': '此链接已使用或已过期，请向管理员索取新链接',
  },
  DUPLICATE_EMAIL: {
    status: 409,
    message: 'A user with this e-mail exists',
    'zh-CN': '已存在使用此电子邮件的用户',
  },
  BLUEPRINT_FIELD: {
    status: 409,
    message: 'This field follows a blueprint; change it through one of its transitions',
    'zh-CN': '此字段由流程蓝图控制，请通过其中一个流转来更改',
  },
  TRANSITION_UNAVAILABLE: {
    status: 409,
    message: 'This transition cannot run on the record now',
    'zh-CN': '此流转当前无法在该记录上执行',
  },
  UNKNOWN_TRANSITION: { status: 404, message: 'No such transition', 'zh-CN': '流转不存在' },
  JOB_NOT_RETRYABLE: {
    status: 409,
    message: 'Only a failed or dead-lettered job can be retried',
    'zh-CN': '只能重试失败或已进入死信的任务',
  },
  UNKNOWN_REPORT: { status: 404, message: 'No such report', 'zh-CN': '报表不存在' },
  UNKNOWN_DASHBOARD: { status: 404, message: 'No such dashboard', 'zh-CN': '仪表盘不存在' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** A message written for one refusal, in English and (when known) Chinese. */
export interface ErrorMessage {
  en: string;
  'zh-CN'?: string;
}

/** The body of every refusal. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Problem[] };
}

/**
 * A refusal: becomes `{ error: { code, message, details } }` with the catalog's status. The
 * top-level message is the catalog's unless one is given; `toJSON(locale)` picks the caller's
 * language, falling back to English.
 * @example throw new AtriumError('NOT_FOUND', [{ path: 'n', message: 'no revision 9' }], { en: 'No such revision', 'zh-CN': '修订不存在' })
 */
export class AtriumError extends Error {
  readonly status: number;
  private readonly messages: ErrorMessage;
  constructor(
    readonly code: ErrorCode,
    readonly details: Problem[] = [],
    message?: string | ErrorMessage,
  ) {
    const entry: ErrorEntry = ERRORS[code];
    const messages: ErrorMessage =
      message === undefined
        ? { en: entry.message, 'zh-CN': entry['zh-CN'] }
        : typeof message === 'string'
          ? { en: message }
          : message;
    super(messages.en);
    this.messages = messages;
    this.name = 'AtriumError';
    this.status = entry.status;
  }

  /** The top-level message in `locale`, English when there is no translation. */
  localMessage(locale: Locale = 'en'): string {
    return (locale === 'en' ? undefined : this.messages[locale]) ?? this.messages.en;
  }

  toJSON(locale: Locale = 'en'): ErrorBody {
    return {
      error: { code: this.code, message: this.localMessage(locale), details: this.details },
    };
  }
}
