// The H5 front: one Vue app, Vant components, screens chosen by the hash route.
import { api, session } from "./api.js";
import { register } from "./common.js";
import { go, route } from "./router.js";
import { Me, SignIn, Verify } from "./screens/account.js";
import { CaseDetail, Cases, Notifications } from "./screens/cases.js";
import { Chat } from "./screens/chat.js";
import { Objection, Repair } from "./screens/forms.js";
import { Pledge, PledgeWall, Tip, TipFollow } from "./screens/public.js";
import { AccessLog, CreditReport, RecordDetail, RecordItem, Records, Summary } from "./screens/records.js";

const { computed, createApp, ref, watch } = Vue;

const Home = {
  setup: () => ({ session }),
  template: `
    <div class="screen home">
      <div class="banner"><h1>信用自助服务</h1><p>查记录 · 提异议 · 修信用 · 签承诺 · 举报失信</p></div>
      <van-notice-bar v-if="!session.access" left-icon="info-o" text="登录并完成身份核验后，可查询本人信用记录和办理业务。" />
      <van-grid :column-num="3" :border="false" class="services">
        <van-grid-item icon="user-circle-o" text="登录" url="#/signin" v-if="!session.access" />
        <van-grid-item icon="passed" text="身份核验" url="#/verify" v-else />
        <van-grid-item icon="orders-o" text="信用记录" url="#/records" />
        <van-grid-item icon="chart-trending-o" text="信用概况" url="#/summary" />
        <van-grid-item icon="description" text="信用报告" url="#/credit-report" />
        <van-grid-item icon="warning-o" text="提出异议" url="#/objection" />
        <van-grid-item icon="replay" text="信用修复" url="#/repair" />
        <van-grid-item icon="records" text="信用承诺" url="#/pledge" />
        <van-grid-item icon="bullhorn-o" text="承诺公示" url="#/pledges" />
        <van-grid-item icon="shield-o" text="失信举报" url="#/tip" />
        <van-grid-item icon="search" text="举报查询" url="#/tip/follow" />
        <van-grid-item icon="todo-list-o" text="办理进度" url="#/cases" />
        <van-grid-item icon="eye-o" text="查询记录" url="#/access-log" />
      </van-grid>
    </div>`,
};

const NotFound = {
  template: `<van-empty image="search" description="页面不存在"><van-button round url="#/">返回首页</van-button></van-empty>`,
};

const SCREENS = {
  home: [Home, "信用自助服务"],
  signin: [SignIn, "登录"],
  verify: [Verify, "身份核验"],
  records: [Records, "我的信用记录"],
  record: [RecordDetail, "记录详情"],
  summary: [Summary, "信用概况"],
  "access-log": [AccessLog, "谁查询了我的信息"],
  "credit-report": [CreditReport, "信用报告"],
  objection: [Objection, "异议申请"],
  repair: [Repair, "信用修复申请"],
  pledge: [Pledge, "信用承诺"],
  pledges: [PledgeWall, "信用承诺公示"],
  tip: [Tip, "失信举报"],
  "tip-follow": [TipFollow, "举报查询"],
  cases: [Cases, "我的办理"],
  case: [CaseDetail, "办理进度"],
  notifications: [Notifications, "消息"],
  chat: [Chat, "智能咨询"],
  me: [Me, "我的"],
  "not-found": [NotFound, "页面不存在"],
};
const TABS = { home: "home", records: "records", record: "records", cases: "cases", case: "cases", notifications: "notifications", chat: "chat", me: "me" };

const Root = {
  setup() {
    const large = ref(localStorage.getItem("large-text") === "1");
    watch(
      large,
      (on) => {
        document.documentElement.classList.toggle("large-text", on);
        localStorage.setItem("large-text", on ? "1" : "0");
      },
      { immediate: true },
    );
    const screen = computed(() => SCREENS[route.name] || SCREENS["not-found"]);
    watch(screen, (s) => (document.title = s[1] + " - 信用自助服务"), { immediate: true });
    const tab = computed(() => TABS[route.name] || "");
    const unread = ref(0);
    watch(
      () => route.name,
      async (name) => {
        if (!["home", "cases", "notifications", "me"].includes(name)) return;
        if (!session.access) return (unread.value = 0);
        const body = await api("/api/v1/notifications").catch(() => ({ items: [] }));
        unread.value = body.items.filter((n) => !n.read).length;
      },
      { immediate: true },
    );
    const back = () => (history.length > 1 ? history.back() : (location.hash = "#/"));
    return { route, large, screen, tab, unread, back, go };
  },
  template: `
    <van-nav-bar :title="screen[1]" :left-arrow="route.name !== 'home'" @click-left="back" fixed placeholder safe-area-inset-top>
      <template #right>
        <span class="large-toggle" role="switch" :aria-checked="large" @click="large = !large">{{ large ? '标准字' : '大字版' }}</span>
      </template>
    </van-nav-bar>
    <component :is="screen[0]" :key="route.path + JSON.stringify(route.query)" />
    <van-tabbar :model-value="tab" fixed placeholder safe-area-inset-bottom>
      <van-tabbar-item name="home" icon="wap-home-o" @click="go('/')">首页</van-tabbar-item>
      <van-tabbar-item name="records" icon="orders-o" @click="go('/records')">记录</van-tabbar-item>
      <van-tabbar-item name="cases" icon="todo-list-o" @click="go('/cases')">办理</van-tabbar-item>
      <van-tabbar-item name="notifications" icon="bell" :badge="unread || ''" @click="go('/notifications')">消息</van-tabbar-item>
      <van-tabbar-item name="chat" icon="chat-o" @click="go('/chat')">咨询</van-tabbar-item>
      <van-tabbar-item name="me" icon="user-o" @click="go('/me')">我的</van-tabbar-item>
    </van-tabbar>`,
};

const app = createApp(Root);
app.use(vant);
register(app);
app.component("RecordItem", RecordItem);
app.mount("#app");
