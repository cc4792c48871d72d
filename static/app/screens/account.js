// Sign-in with phone + one-time code, identity verification (citizen, legal rep, agent), my account.
import { ApiError, api, clearTokens, saveTokens, session, uploadEvidence } from "../api.js";
import { signInFirst, useLoad, useSubmit } from "../common.js";
import { go, route } from "../router.js";

const { ref, reactive, onMounted, onUnmounted } = Vue;

function nextPath() {
  const next = route.query.next || "/";
  return next.startsWith("/") ? next : "/";
}

export const SignIn = {
  setup() {
    const form = reactive({ phone: "", code: "" });
    const wait = ref(0);
    const sent = ref("");
    let timer = null;
    const sending = useSubmit(async () => {
      const body = await api("/api/v1/auth/otp", { method: "POST", body: { phone: form.phone }, auth: false });
      sent.value = "验证码已发送至 " + body.phone;
      wait.value = body.resend_after || 60;
      clearInterval(timer);
      timer = setInterval(() => (wait.value = Math.max(0, wait.value - 1)), 1000);
    });
    const login = useSubmit(async () => {
      const pair = await api("/api/v1/auth/h5", { method: "POST", body: form, auth: false });
      saveTokens(pair);
      vant.showSuccessToast("登录成功");
      go(pair.subject_id ? nextPath() : "/verify?next=" + encodeURIComponent(nextPath()));
    });
    onUnmounted(() => clearInterval(timer));
    const inWeChat = /MicroMessenger/i.test(navigator.userAgent);
    return { form, wait, sent, sending, login, inWeChat };
  },
  template: `
    <div class="screen">
      <div class="intro"><h2>手机号登录</h2><p>登录后可查询本人信用记录、办理异议和信用修复。</p></div>
      <van-form @submit="login.submit()">
        <van-cell-group inset>
          <van-field v-model="form.phone" name="phone" label="手机号" type="tel" maxlength="11"
            placeholder="请输入手机号" autocomplete="tel" :rules="[{ pattern: /^1\\d{10}$/, message: '请输入11位手机号' }]">
            <template #button>
              <van-button size="small" type="primary" plain native-type="button" class="send-code"
                :disabled="wait > 0" :loading="sending.busy.value" @click="sending.submit()">
                {{ wait > 0 ? wait + ' 秒后重发' : '获取验证码' }}</van-button>
            </template>
          </van-field>
          <van-field v-model="form.code" name="code" label="验证码" type="digit" maxlength="6"
            placeholder="6 位短信验证码" autocomplete="one-time-code"
            :rules="[{ pattern: /^\\d{6}$/, message: '请输入6位验证码' }]" />
        </van-cell-group>
        <p v-if="sent" class="hint">{{ sent }}</p>
        <form-error :text="login.error.value || sending.error.value" />
        <div class="actions">
          <van-button round block type="primary" native-type="submit" :loading="login.busy.value">登录</van-button>
        </div>
      </van-form>
      <p v-if="inWeChat" class="hint center">微信内网页授权登录暂未开通，请先用手机号验证码登录。</p>
    </div>`,
};

const SCOPES = [
  ["records:read", "查询记录"],
  ["objection", "异议申请"],
  ["repair", "信用修复"],
  ["pledge", "信用承诺"],
  ["progress", "查询进度"],
];
const AGENT_STATUS = { pending: "待审核", approved: "已通过", rejected: "未通过", revoked: "已撤销", expired: "已过期" };

export const Verify = {
  setup() {
    if (!session.access) signInFirst();
    const tab = ref("citizen");
    const person = reactive({ name: "", id_number: "" });
    const firm = reactive({ name: "", uscc: "", rep_name: "", rep_id_number: "" });
    const agent = reactive({ uscc: "", enterprise_name: "", scopes: SCOPES.map((s) => s[0]), letter: [] });
    const step = reactive({ challenge: "", phone: "", code: "" });
    const done = ref(false);
    const progress = ref(0);
    const agents = ref([]);

    const start = useSubmit(async () => {
      const body = tab.value === "citizen" ? { kind: "citizen", ...person } : { kind: "enterprise", ...firm };
      const out = await api("/api/v1/identity/verify", { method: "POST", body });
      Object.assign(step, { challenge: out.challenge, phone: out.phone, code: "" });
    });
    const confirm = useSubmit(async () => {
      const pair = await api("/api/v1/identity/verify/confirm", {
        method: "POST",
        body: { challenge: step.challenge, code: step.code },
      });
      saveTokens(pair);
      done.value = true;
    });
    async function loadAgents() {
      if (!session.access) return;
      agents.value = (await api("/api/v1/identity/agents").catch(() => ({ items: [] }))).items;
    }
    const requestAgency = useSubmit(async () => {
      if (!agent.letter.length) throw new ApiError(0, "input", "请上传授权委托书");
      await uploadEvidence(agent.letter[0].file, (p) => (progress.value = p), {
        path: "/api/v1/identity/agents",
        field: "letter",
        extra: { uscc: agent.uscc, enterprise_name: agent.enterprise_name, scopes: agent.scopes.join(",") },
      });
      vant.showSuccessToast("已提交，等待审核");
      await loadAgents();
    });
    const actAs = useSubmit(async (id) => {
      saveTokens(await api("/api/v1/auth/agent", { method: "POST", body: { authorisation_id: id } }));
      vant.showSuccessToast("已切换为经办人身份");
      go("/records");
    });
    onMounted(loadAgents);
    const next = () => go(nextPath());
    return { tab, person, firm, agent, step, done, progress, agents, start, confirm, requestAgency, actAs, next, SCOPES, AGENT_STATUS };
  },
  template: `
    <div class="screen">
      <div v-if="done" class="success-box" role="status">
        <van-icon name="checked" size="64" color="#07c160" /><p>身份核验成功</p>
        <van-button round type="primary" @click="next">继续办理</van-button>
      </div>
      <template v-else>
        <van-tabs v-model:active="tab" @change="step.challenge = ''">
          <van-tab title="个人" name="citizen" />
          <van-tab title="法定代表人" name="enterprise" />
          <van-tab title="经办人" name="agent" />
        </van-tabs>
        <van-form v-if="step.challenge" @submit="confirm.submit()">
          <p class="hint">验证码已发送至登记手机 {{ step.phone }}</p>
          <van-cell-group inset>
            <van-field v-model="step.code" name="verify_code" label="验证码" type="digit" maxlength="6"
              placeholder="6 位短信验证码" autocomplete="one-time-code" :rules="[{ required: true, message: '请输入验证码' }]" />
          </van-cell-group>
          <form-error :text="confirm.error.value" />
          <div class="actions"><van-button round block type="primary" native-type="submit" :loading="confirm.busy.value">确认核验</van-button></div>
        </van-form>
        <van-form v-else-if="tab === 'citizen'" @submit="start.submit()">
          <van-cell-group inset>
            <van-field v-model="person.name" name="name" label="姓名" placeholder="与身份证一致" :rules="[{ required: true, message: '请输入姓名' }]" />
            <van-field v-model="person.id_number" name="id_number" label="身份证号" maxlength="18" autocomplete="off"
              placeholder="18 位居民身份证号" :rules="[{ pattern: /^\\d{17}[\\dXx]$/, message: '请输入18位身份证号' }]" />
          </van-cell-group>
          <form-error :text="start.error.value" />
          <div class="actions"><van-button round block type="primary" native-type="submit" :loading="start.busy.value">下一步</van-button></div>
        </van-form>
        <van-form v-else-if="tab === 'enterprise'" @submit="start.submit()">
          <van-cell-group inset>
            <van-field v-model="firm.name" name="firm_name" label="企业名称" :rules="[{ required: true, message: '请输入企业名称' }]" />
            <van-field v-model="firm.uscc" name="uscc" label="信用代码" maxlength="18" autocomplete="off"
              placeholder="18 位统一社会信用代码" :rules="[{ pattern: /^[0-9A-Za-z]{18}$/, message: '请输入18位统一社会信用代码' }]" />
            <van-field v-model="firm.rep_name" name="rep_name" label="法定代表人" :rules="[{ required: true, message: '请输入法定代表人姓名' }]" />
            <van-field v-model="firm.rep_id_number" name="rep_id_number" label="法人身份证" maxlength="18" autocomplete="off"
              :rules="[{ pattern: /^\\d{17}[\\dXx]$/, message: '请输入18位身份证号' }]" />
          </van-cell-group>
          <form-error :text="start.error.value" />
          <div class="actions"><van-button round block type="primary" native-type="submit" :loading="start.busy.value">下一步</van-button></div>
        </van-form>
        <template v-else>
          <p class="hint">经办人须先完成个人身份核验，再上传加盖企业公章的授权委托书，由工作人员审核。</p>
          <van-form @submit="requestAgency.submit()">
            <van-cell-group inset>
              <van-field v-model="agent.enterprise_name" name="enterprise_name" label="企业名称" :rules="[{ required: true, message: '请输入企业名称' }]" />
              <van-field v-model="agent.uscc" name="agent_uscc" label="信用代码" maxlength="18" :rules="[{ required: true, message: '请输入统一社会信用代码' }]" />
              <van-field label="办理事项">
                <template #input>
                  <van-checkbox-group v-model="agent.scopes" direction="horizontal">
                    <van-checkbox v-for="s in SCOPES" :key="s[0]" :name="s[0]" shape="square">{{ s[1] }}</van-checkbox>
                  </van-checkbox-group>
                </template>
              </van-field>
              <van-field label="授权委托书" class="agent-letter">
                <template #input>
                  <van-uploader v-model="agent.letter" :max-count="1" accept="image/*,application/pdf" upload-text="拍照或选择文件" />
                </template>
              </van-field>
            </van-cell-group>
            <van-progress v-if="requestAgency.busy.value" :percentage="progress" class="upload-progress" />
            <form-error :text="requestAgency.error.value" />
            <div class="actions"><van-button round block type="primary" native-type="submit" :loading="requestAgency.busy.value">提交授权申请</van-button></div>
          </van-form>
          <van-cell-group v-if="agents.length" inset title="我的经办授权" class="agent-list">
            <van-cell v-for="a in agents" :key="a.id" :title="'授权 #' + a.id" :label="'申请于 ' + (a.requested_at || '').slice(0, 10)">
              <template #value>
                <van-button v-if="a.status === 'approved'" size="mini" type="primary" @click="actAs.submit(a.id)">以经办人身份办理</van-button>
                <van-tag v-else>{{ AGENT_STATUS[a.status] || a.status }}</van-tag>
              </template>
            </van-cell>
          </van-cell-group>
        </template>
      </template>
    </div>`,
};

export const Me = {
  setup() {
    const state = useLoad(() => api("/api/v1/me"));
    function logout() {
      api("/api/v1/auth/logout", { method: "POST" }).catch(() => null);
      clearTokens();
      go("/");
    }
    return { state, logout };
  },
  template: `
    <div class="screen">
      <screen-state :state="state">
        <van-cell-group inset title="我的身份" v-if="state.data">
          <van-cell title="名称" :value="state.data.name" />
          <van-cell v-if="state.data.uscc" title="统一社会信用代码" :value="state.data.uscc" />
          <van-cell v-if="state.data.id_number" title="身份证号" :value="state.data.id_number" />
          <van-cell v-if="state.data.legal_representative" title="法定代表人" :value="state.data.legal_representative" />
          <van-cell v-if="state.data.phone" title="登记手机" :value="state.data.phone" />
        </van-cell-group>
      </screen-state>
      <van-cell-group inset title="服务">
        <van-cell title="身份核验 / 经办授权" is-link url="#/verify" />
        <van-cell title="谁查询了我的信息" is-link url="#/access-log" />
        <van-cell title="我的承诺" is-link url="#/pledge" />
      </van-cell-group>
      <div class="actions"><van-button round block @click="logout">退出登录</van-button></div>
    </div>`,
};
