// A page of the app (either build), typed: every verb of the kit as app code uses it. Checked by
// `npm run check-types` against the official mini-program typings (miniprogram-api-typings);
// test/types/misuse.ts holds the wrong uses the same typings must refuse.
import { createClient, ERR_CODES, Client, Failure, Session, SessionEvent } from '../index'

const cloud: Client = createClient({ baseUrl: 'https://abc123.execute-api.ap-east-1.amazonaws.com', wx })
// The build is detected from wx.miniapp; tests and odd set-ups may name it.
const miniProgram: Client = createClient({ baseUrl: 'https://api.example.com/', wx, build: 'miniProgram', timeout: 10000 })

interface Greeting { hello: string; userId: string }

function show (err: Failure): void {
  wx.showToast({ title: err.errMsg, icon: 'none' })
}

Page({
  data: { signedIn: cloud.getSession() !== null, userId: '', result: '' },
  off: (): void => {},
  onLoad () {
    // Show the login button exactly when a session really ends, not on a passing failure.
    this.off = cloud.onSessionChange((e: SessionEvent) => {
      if (e.type === 'signedOut') {
        const why: 'logout' | 'deleted' | 'refused' = e.reason
        this.setData({ signedIn: false, userId: '', result: why })
      } else {
        const session: Session = e.session
        this.setData({ signedIn: true, userId: session.userId || '' })
      }
    })
  },
  onUnload () {
    this.off()
  },
  async onLoginTap () {   // a user action: in the app build login() opens WeChat
    try {
      const session: Session = await cloud.login()                        // app: wx.weixinAppLogin
      const expiresAt: number = session.expiresAt
      console.log(session.loginType, expiresAt)
    } catch (e) {
      show(e as Failure)
    }
  },
  async onMiniProgramLoginTap () {
    await miniProgram.login()                                             // mini program: wx.login
    await cloud.login({ method: 'weixinMiniProgramLogin' })
    await cloud.login({ method: 'getMiniProgramCode' })
  },
  onPhoneButton (e: { detail: { code: string } }) {
    // A code the app already holds (the one-click phone button's), used once.
    cloud.login({ code: e.detail.code }).catch(show)
    miniProgram.login({ code: e.detail.code, codeType: 'miniProgram' }).catch(show)
  },
  onCallTap () {
    // wx.cloud.callFunction's callback style: nothing returned.
    const nothing: void = cloud.callFunction<Greeting>({
      name: 'myCloudFunction',
      data: { hello: 'world' },
      success: res => this.setData({ result: res.result.hello + ' ' + res.requestID }),
      fail: err => {
        if (err.errCode === ERR_CODES.LOGIN_REQUIRED) this.setData({ signedIn: false })
        else if (err.errCode === ERR_CODES.NETWORK || err.errCode === ERR_CODES.RETRY_LATER) show(err)  // the session is kept
        else show(err)
      },
      complete: () => wx.hideLoading(),
    })
    return nothing
  },
  async onCallAwaitTap () {
    // ...and its Promise style.
    try {
      const res = await cloud.callFunction<Greeting>({ name: 'myCloudFunction', data: { hello: 'world' } })
      const ok: 'cloud.callFunction:ok' = res.errMsg
      this.setData({ result: res.result.userId + ok })
    } catch (e) {
      const err = e as Failure
      if (err.errCode === ERR_CODES.NOT_ALLOWED) this.setData({ result: 'not for this login type' })
      else if (err.requestID) show(err)   // the function itself failed
    }
  },
  async onLogoutTap () {
    await cloud.logout()
    const everywhere: { errMsg: 'logout:ok' } = await cloud.logout({ everywhere: true })
    console.log(everywhere.errMsg)
  },
  async onDeleteAccountTap () {
    try {
      const done: { errMsg: 'deleteAccount:ok' } = await cloud.deleteAccount()
      console.log(done.errMsg)
    } catch (e) {
      const err = e as Failure
      // The server wants a login from the last 10 minutes: log in (a user action), then delete.
      if (err.errCode === ERR_CODES.RECENT_LOGIN_REQUIRED) await cloud.login()
      else show(err)
    }
  },
})

// The multi-terminal login APIs are typed on the global wx as well.
wx.weixinAppLogin({ success: res => console.log(res.code.length) })
const codes: number[] = [ERR_CODES.NETWORK, ERR_CODES.RETRY_LATER, ERR_CODES.LOGIN_REQUIRED, ERR_CODES.NOT_ALLOWED,
  ERR_CODES.RECENT_LOGIN_REQUIRED, ERR_CODES.BAD_ARGUMENT, ERR_CODES.LOGIN_UNAVAILABLE, ERR_CODES.NOT_FOUND, ERR_CODES.INTERNAL]
console.log(codes, miniProgram.build === 'miniProgram')
