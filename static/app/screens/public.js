// Pledges (sign from a template), the public pledge wall, dishonesty reports and their follow-up.
import { ApiError, api, deviceId, newKey, session } from "../api.js";
import { useLoad, useSubmit } from "../common.js";
import { route } from "../router.js";
import { Receipt } from "./forms.js";

const { computed, reactive, ref } = Vue;

const itemsOf = (body) => (Array.isArray(body) ? body : body.items || body.templates || []);
const fieldLabel = (f) => f.label || f.name;

export const Pledge = {
  components: { Receipt },
  setup() {
    const state = useLoad(async () => itemsOf(await api("/api/v1/pledges/templates", { auth: false })), {
      needsSignIn: false,
    });
    // The service window's link may name the type and the accepting department (ids only).
    const form = reactive({
      type: route.query.type || "",
      values: {},
      department: route.query.department || "",
      publish: true,
      agreed: false,
    });
    const chosen = computed(() => (state.data || []).find((t) => t.code === form.type));
    const key = newKey();
    const filed = ref(null);
    const sign = useSubmit(async () => {
      if (!session.access) throw new ApiError(401, "unauthorized", "请先登录并完成身份核验");
      if (!form.agreed) throw new ApiError(0, "input", "请阅读承诺内容并确认");
      const body = {
        type: form.type,
        values: form.values,
        department_id: form.department ? Number(form.department) : null,
        publish: chosen.value.publish === "always" || form.publish,
      };
      filed.value = await api("/api/v1/pledges", { method: "POST", body, key });
    });
    return { state, form, chosen, filed, sign, fieldLabel };
  },
  template: `
    <div class="screen">
      <receipt v-if="filed" title="信用承诺已签署" :case-view="filed" />
      <screen-state v-else :state="state" :empty="state.data && !state.data.length" empty-text="暂无承诺模板">
        <van-cell-group inset title="承诺类型">
          <van-radio-group v-model="form.type">
            <van-cell v-for="t in state.data" :key="t.code" :title="t.label" :label="t.description"
              clickable @click="form.type = t.code">
              <template #right-icon><van-radio :name="t.code" /></template>
            </van-cell>
          </van-radio-group>
        </van-cell-group>
        <van-form v-if="chosen" @submit="sign.submit()" class="pledge-form">
          <van-cell-group inset title="承诺事项">
            <van-field v-if="chosen.needs_department" v-model="form.department" name="department_id" type="digit"
              label="受理部门编号" placeholder="由办事窗口告知" :rules="[{ required: true, message: '请填写受理部门编号' }]" />
            <van-field v-for="f in chosen.fields" :key="f.name" v-model="form.values[f.name]" :name="f.name"
              :label="fieldLabel(f)" :type="f.kind === 'working_days' ? 'digit' : f.kind === 'list' || (f.max || 0) > 200 ? 'textarea' : 'text'"
              :placeholder="f.kind === 'list' ? '每行一项' : f.kind === 'working_days' ? '工作日数' : ''"
              :maxlength="f.kind === 'text' ? f.max : undefined"
              :rules="f.required ? [{ required: true, message: '请填写' + fieldLabel(f) }] : []" />
          </van-cell-group>
          <van-cell-group inset title="承诺内容">
            <div class="pledge-text">{{ chosen.body }}</div>
            <div class="pledge-text">{{ chosen.liability_clause }}</div>
            <van-cell v-if="chosen.publish === 'always'" title="此类承诺将在信用承诺公示栏公开（不含个人信息）" />
            <van-cell v-else title="同意在信用承诺公示栏公开（不含个人信息）">
              <template #right-icon><van-switch v-model="form.publish" size="20px" /></template>
            </van-cell>
            <div class="check-row"><van-checkbox v-model="form.agreed" shape="square">本人已阅读上述承诺，自愿作出承诺并承担违诺责任</van-checkbox></div>
          </van-cell-group>
          <form-error :text="sign.error.value" />
          <div class="actions"><van-button round block type="primary" native-type="submit" :loading="sign.busy.value">签署承诺</van-button></div>
        </van-form>
      </screen-state>
    </div>`,
};

export const PledgeWall = {
  setup() {
    const q = ref("");
    const page = ref(1);
    const state = useLoad(
      () => api(`/api/v1/public/pledges?page=${page.value}&q=${encodeURIComponent(q.value)}`, { auth: false }),
      { needsSignIn: false },
    );
    const search = () => {
      page.value = 1;
      state.reload();
    };
    const turn = (n) => {
      page.value = n;
      state.reload();
    };
    return { q, page, state, search, turn };
  },
  template: `
    <div class="screen">
      <van-search v-model="q" placeholder="企业名称或统一社会信用代码" @search="search" @clear="search" />
      <screen-state :state="state" :empty="state.data && !state.data.items.length" empty-text="暂无公开的信用承诺">
        <van-cell-group inset class="wall">
          <div v-for="p in state.data.items" :key="p.receipt" class="wall-item">
            <div class="wall-head"><b>{{ p.name }}</b><van-tag plain type="primary">{{ p.type_label }}</van-tag></div>
            <div v-if="p.code" class="muted">统一社会信用代码 {{ p.code }}</div>
            <div class="wall-text">{{ p.text }}</div>
            <div class="muted">{{ p.signed_on }} 签署 · {{ p.status_label }}</div>
          </div>
        </van-cell-group>
        <van-pagination v-if="state.data.total > (state.data.per_page || 20)" :model-value="page" @change="turn"
          :total-items="state.data.total" :items-per-page="state.data.per_page || 20" mode="simple" />
      </screen-state>
    </div>`,
};

const CATEGORIES = [
  ["food_drugs", "食品药品"],
  ["environment", "生态环境"],
  ["work_safety", "安全生产"],
  ["fire_safety", "消防安全"],
  ["product_quality", "产品质量"],
  ["wage_arrears", "拖欠工资"],
  ["tax", "税收"],
  ["fraud_fundraising", "诈骗与非法集资"],
  ["false_advertising", "虚假广告"],
  ["bid_rigging", "串通投标"],
  ["consumer_rights", "侵害消费者权益"],
  ["court_judgements", "拒不履行法院判决"],
  ["other", "其他"],
];

async function copy(value) {
  try {
    await navigator.clipboard.writeText(value);
    vant.showSuccessToast("已复制");
  } catch (e) {
    vant.showToast("请长按选中后复制");
  }
}

export const Tip = {
  setup() {
    const form = reactive({
      anonymous: true,
      party: { name: "", identifier: "", address: "" },
      category: "",
      place: "",
      happened: "",
      facts: "",
      evidence: [],
      declaration: false,
      reporter: { name: "", phone: "", otp: "" },
    });
    const picking = ref(false);
    const key = newKey();
    const filed = ref(null);
    const saved = ref(false);
    const signedIn = computed(() => !!session.access);
    const categoryLabel = computed(() => (CATEGORIES.find((c) => c[0] === form.category) || [])[1] || "");
    const otp = useSubmit(async () => {
      await api("/api/v1/tips/otp", { method: "POST", auth: false, body: { phone: form.reporter.phone } });
      vant.showSuccessToast("验证码已发送");
    });
    const send = useSubmit(async () => {
      if (!form.declaration) throw new ApiError(0, "input", "请确认举报内容真实");
      const { reporter, evidence, ...rest } = form;
      const body = { ...rest, evidence: signedIn.value ? evidence : [], reporter: form.anonymous ? null : reporter };
      const headers = { "X-Device-Id": deviceId() };
      filed.value = await api("/api/v1/tips", { method: "POST", body, key, headers, auth: signedIn.value });
    });
    return { form, picking, filed, saved, otp, send, categoryLabel, signedIn, copy, CATEGORIES };
  },
  template: `
    <div class="screen">
      <div v-if="filed" class="receipt tip-receipt" role="status">
        <div class="success-box"><van-icon name="checked" size="64" color="#07c160" /><p>举报已提交，我们将严格为举报人保密</p></div>
        <van-cell-group inset>
          <van-cell title="举报编号" :value="filed.receipt" class="receipt-no">
            <template #right-icon><van-button size="mini" class="copy-receipt" @click="copy(filed.receipt)">复制</van-button></template>
          </van-cell>
          <van-cell v-if="filed.secret && !saved" title="查询密码" :label="filed.secret" class="tip-secret">
            <template #right-icon><van-button size="mini" @click="copy(filed.secret)">复制</van-button></template>
          </van-cell>
          <van-cell title="状态" :value="filed.status_label" />
          <van-cell v-if="filed.feedback_due" title="答复期限" :value="filed.feedback_due" />
        </van-cell-group>
        <van-notice-bar v-if="filed.secret && !saved" wrapable color="#b35900" background="#fff7e6"
          text="查询密码只显示这一次，请复制或截图保存。凭举报编号和查询密码可查看办理进度、补充线索和证据。" />
        <div class="actions">
          <van-button v-if="filed.secret && !saved" round block type="primary" @click="saved = true">我已保存</van-button>
          <van-button v-else round block type="primary" url="#/tip/follow">查询举报进度</van-button>
        </div>
      </div>
      <van-form v-else @submit="send.submit()" class="tip-form">
        <van-cell-group inset>
          <van-cell title="匿名举报" label="匿名时不记录您的身份、IP 和设备信息；实名举报人信息严格保密">
            <template #right-icon><van-switch v-model="form.anonymous" size="20px" /></template>
          </van-cell>
        </van-cell-group>
        <van-cell-group inset v-if="!form.anonymous" title="举报人（加密保存，仅用于反馈）">
          <van-field v-model="form.reporter.name" name="reporter_name" label="姓名" :rules="[{ required: true, message: '请填写姓名' }]" />
          <van-field v-model="form.reporter.phone" name="reporter_phone" label="手机号" type="tel" maxlength="11"
            :rules="[{ pattern: /^1\\d{10}$/, message: '请输入11位手机号' }]">
            <template #button>
              <van-button size="small" type="primary" plain native-type="button" :loading="otp.busy.value" @click="otp.submit()">获取验证码</van-button>
            </template>
          </van-field>
          <van-field v-model="form.reporter.otp" name="reporter_otp" label="验证码" type="digit" maxlength="6"
            autocomplete="one-time-code" :rules="[{ required: true, message: '请输入验证码' }]" />
        </van-cell-group>
        <van-cell-group inset title="被举报对象">
          <van-field v-model="form.party.name" name="party_name" label="名称" placeholder="企业或个人名称" :rules="[{ required: true, message: '请填写被举报对象' }]" />
          <van-field v-model="form.party.identifier" name="party_identifier" label="信用代码" placeholder="统一社会信用代码或身份证号（选填）" maxlength="18" />
          <van-field v-model="form.party.address" name="party_address" label="地址" placeholder="选填" />
        </van-cell-group>
        <van-cell-group inset title="举报内容">
          <van-field :model-value="categoryLabel" name="category" label="类别" readonly is-link placeholder="请选择"
            @click="picking = true" :rules="[{ required: true, message: '请选择类别' }]" />
          <van-field v-model="form.place" name="place" label="地点" placeholder="发生地点" />
          <van-field v-model="form.happened" name="happened" label="时间" placeholder="如：2026年11月中旬" />
          <van-field v-model="form.facts" name="facts" type="textarea" rows="5" maxlength="5000" show-word-limit
            placeholder="请描述具体事实（至少 20 个字）" :rules="[{ validator: (v) => v.trim().length >= 20, message: '请至少填写 20 个字' }]" />
        </van-cell-group>
        <van-cell-group inset v-if="signedIn"><evidence-field v-model="form.evidence" label="证据材料" /></van-cell-group>
        <p v-else class="hint">证据材料可在提交后凭举报编号和查询密码上传。</p>
        <van-cell-group inset>
          <div class="check-row"><van-checkbox v-model="form.declaration" name="declaration" shape="square">本人承诺所举报内容真实，如有捏造愿承担法律责任</van-checkbox></div>
        </van-cell-group>
        <form-error :text="send.error.value || otp.error.value" />
        <div class="actions"><van-button round block type="primary" native-type="submit" :loading="send.busy.value">提交举报</van-button></div>
        <van-action-sheet v-model:show="picking" title="举报类别" cancel-text="取消"
          :actions="CATEGORIES.map((c) => ({ name: c[1], value: c[0] }))" @select="(a) => { form.category = a.value; picking = false; }" />
      </van-form>
    </div>`,
};

export const TipFollow = {
  setup() {
    const form = reactive({ receipt: "", secret: "" });
    const tip = ref(null);
    const reply = reactive({ body: "", evidence: [] });
    const replyKey = ref(0);
    const headers = () => ({ "X-Tip-Secret": form.secret.trim() });
    const path = () => "/api/v1/tips/" + encodeURIComponent(form.receipt.trim().toUpperCase());
    const upload = computed(() => ({ path: path() + "/evidence", headers: headers(), auth: false }));
    const look = useSubmit(async () => {
      tip.value = await api(path(), { auth: false, headers: headers() });
    });
    const send = useSubmit(async () => {
      const body = { body: reply.body, evidence: reply.evidence };
      await api(path() + "/messages", { method: "POST", auth: false, headers: headers(), body });
      Object.assign(reply, { body: "", evidence: [] });
      replyKey.value += 1;
      tip.value = await api(path(), { auth: false, headers: headers() });
      vant.showSuccessToast("已发送");
    });
    return { form, tip, reply, replyKey, upload, look, send };
  },
  template: `
    <div class="screen">
      <van-form v-if="!tip" @submit="look.submit()">
        <p class="hint">请输入举报时获得的举报编号和查询密码。</p>
        <van-cell-group inset>
          <van-field v-model="form.receipt" name="receipt" label="举报编号" placeholder="如 JB20261122-0042" :rules="[{ required: true, message: '请输入举报编号' }]" />
          <van-field v-model="form.secret" name="secret" label="查询密码" type="password" autocomplete="off" :rules="[{ required: true, message: '请输入查询密码' }]" />
        </van-cell-group>
        <form-error :text="look.error.value" />
        <div class="actions"><van-button round block type="primary" native-type="submit" :loading="look.busy.value">查询</van-button></div>
      </van-form>
      <template v-else>
        <van-cell-group inset :title="'举报 ' + tip.receipt">
          <van-cell title="状态" :value="tip.status_label" :label="tip.progress_label" class="tip-status" />
          <van-cell v-if="tip.category_label" title="类别" :value="tip.category_label" />
          <van-cell v-if="tip.handling_department" title="办理部门" :value="tip.handling_department" />
          <van-cell v-if="tip.next_step" title="下一步" :label="tip.next_step" />
          <van-cell v-if="tip.feedback_due" title="答复期限" :value="tip.feedback_due" />
          <van-cell v-if="tip.outcome" title="处理结果" :value="tip.outcome.label" :label="tip.outcome.summary" />
        </van-cell-group>
        <van-cell-group inset title="沟通记录" class="tip-thread">
          <van-empty v-if="!tip.messages.length" image-size="60" description="暂无消息" />
          <div v-for="(m, i) in tip.messages" :key="i" class="msg" :class="{ me: m.from === 'reporter' }">
            <div class="bubble"><div class="muted">{{ m.from_label }}</div>{{ m.body }}
              <div class="muted">{{ (m.at || '').slice(0, 16).replace('T', ' ') }}</div></div>
          </div>
        </van-cell-group>
        <van-cell-group inset title="补充线索或回复">
          <van-field v-model="reply.body" name="message" type="textarea" rows="3" maxlength="2000" placeholder="补充线索或回复工作人员" />
          <evidence-field :key="replyKey" v-model="reply.evidence" label="补充证据" :upload="upload" />
        </van-cell-group>
        <form-error :text="send.error.value" />
        <div class="actions"><van-button round block type="primary" :loading="send.busy.value"
          :disabled="!reply.body.trim() && !reply.evidence.length" @click="send.submit()">发送</van-button></div>
      </template>
    </div>`,
};
