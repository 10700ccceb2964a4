// Types of the weixin-app-login client kit (index.js). Works with or without the official
// mini-program typings (miniprogram-api-typings); it adds the multi-terminal wx.*Login APIs they lack.

/** The kit's own errCodes; every other errCode is WeChat's or the API's (README, "API"). */
export declare const ERR_CODES: {
  /** No answer (no connection, timeout): try again later; the session is kept. */
  readonly NETWORK: 880001
  /** Busy, throttled, or an answer that is not the API's (5xx, HTML): try again later; the session is kept. */
  readonly RETRY_LATER: 880002
  /** App build without a usable session: call login() from a user action. */
  readonly LOGIN_REQUIRED: 880003
  /** 401/403 with a freshly issued token: the gate's policy refuses this call; do not retry. */
  readonly NOT_ALLOWED: 880004
  /** deleteAccount() needs a login from the last 10 minutes: login(), then deleteAccount(). */
  readonly RECENT_LOGIN_REQUIRED: 880005
  /** The kit was called wrongly (function name, login method, code). */
  readonly BAD_ARGUMENT: 880006
  /** The chosen wx.*Login does not exist in this build. */
  readonly LOGIN_UNAVAILABLE: 880007
  /** No such route: an unknown cloud function, or a server without that endpoint. */
  readonly NOT_FOUND: 880008
  /** A bug in the kit. */
  readonly INTERNAL: 880009
}

export type Build = 'app' | 'miniProgram'

/** wx.*Login APIs whose code goes to /login as an identity code (donut/code2verifyinfo). */
export type IdentityLoginMethod = 'weixinAppLogin' | 'weixinMiniProgramLogin' | 'appleLogin' | 'phoneSmsLogin'
/** wx APIs whose code goes to /login with codeType miniProgram (sns/jscode2session). */
export type MiniProgramLoginMethod = 'login' | 'getMiniProgramCode'
export type LoginMethod = IdentityLoginMethod | MiniProgramLoginMethod

export interface LoginCodeResult { code: string; errMsg?: string }
export interface WxFailure { errCode?: number; errno?: number; errMsg: string }
export interface LoginCodeOptions {
  success?: (res: LoginCodeResult) => void
  fail?: (err: WxFailure) => void
  complete?: (res: LoginCodeResult | WxFailure) => void
}

/** What the kit uses of wx: the global wx of either build satisfies it. */
export interface WxLike {
  /** Called with POST, a JSON string body, dataType 'text' and a timeout; success for any status. */
  request(options: any): unknown
  getStorageSync(key: string): any
  setStorageSync(key: string, data: any): void
  removeStorageSync(key: string): void
  login?(options: LoginCodeOptions): unknown
  getMiniProgramCode?(options: LoginCodeOptions): void
  weixinAppLogin?(options: LoginCodeOptions): void
  weixinMiniProgramLogin?(options: LoginCodeOptions): void
  appleLogin?(options: LoginCodeOptions): void
  phoneSmsLogin?(options: LoginCodeOptions): void
  /** Present only in the multi-terminal app build: how `build` is detected. */
  miniapp?: object
}

export interface ClientOptions {
  /** The API's URL (the stack's ApiUrl output). */
  baseUrl: string
  /** Defaults to the global wx. */
  wx?: WxLike
  /** Detected when omitted: 'app' when wx.miniapp exists, else 'miniProgram'. */
  build?: Build
  /** The device clock in ms (tests inject one); defaults to Date.now. */
  now?: () => number
  /** How a call waits out a short Retry-After (tests inject one); defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>
  /** wx.request's timeout in ms; default 15000. */
  timeout?: number
}

export interface Session {
  userId: string | null
  openid: string | null
  unionid: string | null
  loginType: string | null
  /** When the access token expires, on the device's clock (ms). */
  expiresAt: number
}

export type LoginOptions =
  | { method?: LoginMethod; code?: undefined; codeType?: undefined }
  /** A code the app already holds, e.g. from the one-click phone login button; used once. */
  | { code: string; codeType?: 'identity' | 'miniProgram'; method?: undefined }

export interface Failure {
  errCode: number
  /** '<verb>:fail <what happened and what to do>' */
  errMsg: string
  /** The function's request id, when a cloud function failed. */
  requestID?: string
}

export interface CallFunctionResult<R = any> {
  result: R
  requestID: string
  errMsg: 'cloud.callFunction:ok'
}

export interface CallFunctionOptions<R = any> {
  name: string
  data?: any
  success?: (res: CallFunctionResult<R>) => void
  fail?: (err: Failure) => void
  complete?: (res: CallFunctionResult<R> | Failure) => void
  /** Accepted for wx.cloud.callFunction compatibility and ignored. */
  config?: object
  slow?: boolean
}

export type SessionEvent =
  | { type: 'signedIn'; session: Session }
  | { type: 'refreshed'; session: Session }
  | { type: 'signedOut'; reason: 'logout' | 'deleted' | 'refused' }

export interface Client {
  readonly build: Build
  /** Resolves with the new session; rejects with a Failure ('login:fail ...'). */
  login(options?: LoginOptions): Promise<Session>
  /** Like wx.cloud.callFunction: a Promise without callbacks, nothing with them. */
  callFunction<R = any>(options: CallFunctionOptions<R> & { success: Function } | CallFunctionOptions<R> & { fail: Function } | CallFunctionOptions<R> & { complete: Function }): void
  callFunction<R = any>(options: CallFunctionOptions<R>): Promise<CallFunctionResult<R>>
  logout(options?: { everywhere?: boolean }): Promise<{ errMsg: 'logout:ok' }>
  deleteAccount(): Promise<{ errMsg: 'deleteAccount:ok' }>
  getSession(): Session | null
  /** Returns off(), which unsubscribes. */
  onSessionChange(listener: (event: SessionEvent) => void): () => void
}

export declare function createClient(options: ClientOptions): Client

// The multi-terminal login APIs, which the official mini-program typings do not declare.
declare global {
  namespace WechatMiniprogram {
    interface Wx {
      weixinAppLogin(options: LoginCodeOptions): void
      weixinMiniProgramLogin(options: LoginCodeOptions): void
      appleLogin(options: LoginCodeOptions): void
      phoneSmsLogin(options: LoginCodeOptions): void
      getMiniProgramCode(options: LoginCodeOptions): void
      miniapp: object
    }
  }
}
