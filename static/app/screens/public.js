// Pledges (sign from a template), the public pledge wall, dishonesty reports and their follow-up.
import { ApiError, api, newKey, session } from "../api.js";
import { useLoad, useSubmit } from "../common.js";
import { Receipt } from "./forms.js";

const { computed, reactive, ref } = Vue;

const itemsOf = (body) => (Array.isArray(body) ? body : body.items || body.templates || []);
const fieldLabel = (f) => f.label || f.label_zh || f.title || f.name;

export const Pledge = {
  components: { Receipt },
  setup() {
    const state = useLoad(async () => itemsOf(await api("/api/v1/pledges/templates", { auth: false })), {
      needsSignIn: false,
    });
    const form = reactive({ type: "", fields: {}, publish: true, agreed: false });
    const chosen = computed(() => (state.data || []).find((t) => (t.type || t.code) === form.type));
    const key = newKey();
    const filed = ref(null);
    const sign = useSubmit(async () => {
      if (!session.access) throw new ApiError(401, "unauthorized", "请先登录并完成身份核验");
      if (!form.agreed) throw new ApiError(0, "input", "请阅读承诺内容并确认");
      const body = { type: form.type, fields: form.fields, publish: form.publish, agreed: form.agreed };
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
            <van-cell v-for="t in state.data" :key="t.type || t.code" :title="t.label || t.title || t.name"
              :label="t.description || ''" clickable @click="form.type = t.type || t.code">
              <template #right-icon><van-radio :name="t.type || t.code" /></template>
            </van-cell>
          </van-radio-group>
        </van-cell-group>
        <van-form v-if="chosen" @submit="sign.submit()" class="pledge-form">
          <van-cell-group inset title="承诺事项">
            <van-field v-for="f in chosen.fields || []" :key="f.name" v-model="form.fields[f.name]" :name="f.name"
              :label="fieldLabel(f)" :type="f.kind === 'text' || f.multiline ? 'textarea' : 'text'"
              :placeholder="f.placeholder || f.help || ''"
              :rules="f.required === false ? [] : [{ required: true, message: '请填写' + fieldLabel(f) }]" />
          </van-cell-group>
          <van-cell-group inset title="承诺内容">
            <div class="pledge-text">{{ chosen.text || chosen.template || '' }}</div>
            <van-cell title="同意在信用承诺公示栏公开（不含个人信息）">
              <template #right-icon><van-switch v-model="form.publish" size="20px" /></template>
            </van-cell>
            <van-cell><van-checkbox v-model="form.agreed" shape="square">本人已阅读上述承诺，自愿作出承诺并承担违诺责任</van-checkbox></van-cell>
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
          <van-cell v-for="(p, i) in state.data.items" :key="p.receipt || i"
            :title="p.name || p.subject_name || p.signer" :label="p.text || p.title">
            <template #value>
              <div><van-tag plain type="primary">{{ p.type_label || p.type }}</van-tag></div>
              <div class="muted">{{ p.signed_on || p.date || '' }} {{ p.status_label || '' }}</div>
            </template>
          </van-cell>
        </van-cell-group>
        <van-pagination v-if="state.data.total > (state.data.per_page || 20)" :model-value="page" @change="turn"
          :total-items="state.data.total" :items-per-page="state.data.per_page || 20" mode="simple" />
      </screen-state>
    </div>`,
};

const CATEGORIES = [
  ["food_drug", "食品药品"],
  ["environment", "生态环境"],
  ["work_safety", "安全生产"],
  ["fire_safety", "消防安全"],
  ["product_quality", "产品质量"],
  ["wage_arrears", "拖欠工资"],
  ["tax", "税收"],
  ["fraud", "诈骗与非法集资"],
  ["false_advertising", "虚假广告"],
  ["bid_rigging", "串通投标"],
  ["consumer_rights", "侵害消费者权益"],
  ["judgement", "拒不履行法院判决"],
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
      party_name: "",
      party_code: "",
      party_address: "",
      category: "",
      place: "",
      happened_on: "",
      facts: "",
      evidence: [],
      declaration: false,
    });
    const picking = ref(false);
    const key = newKey();
    const filed = ref(null);
    const saved = ref(false);
    const categoryLabel = computed(() => (CATEGORIES.find((c) => c[0] === form.category) || [])[1] || "");
    const send = useSubmit(async () => {
      if (!form.declaration) throw new ApiError(0, "input", "请确认举报内容真实");
      const auth = !form.anonymous;
      filed.value = await api("/api/v1/tips", { method: "POST", body: { ...form }, key, auth });
    });
    const signedIn = computed(() => !!session.access);
    return { form, picking, filed, saved, send, categoryLabel, signedIn, copy, CATEGORIES };
  },
  template: `
    <div class="screen">
      <div v-if="filed" class="receipt tip-receipt" role="status">
        <div class="success-box"><van-icon name="checked" size="64" color="#07c160" /><p>举报已提交，我们将严格为举报人保密</p></div>
        <van-cell-group inset>
          <van-cell title="举报编号" :value="filed.receipt" class="receipt-no">
            <template #right-icon><van-button size="mini" @click="copy(filed.receipt)">复制</van-button></template>
          </van-cell>
          <van-cell v-if="filed.secret && !saved" title="查询密码" :label="filed.secret" class="tip-secret">
            <template #right-icon><van-button size="mini" @click="copy(filed.secret)">复制</van-button></template>
          </van-cell>
        </van-cell-group>
        <van-notice-bar v-if="filed.secret && !saved" wrapable color="#b35900" background="#fff7e6"
          text="查询密码只显示这一次，请复制或截图保存。凭举报编号和查询密码可查看办理进度、补充线索。" />
        <div class="actions">
          <van-button v-if="filed.secret && !saved" round block type="primary" @click="saved = true">我已保存</van-button>
          <van-button v-else round block type="primary" url="#/tip/follow">查询举报进度</van-button>
        </div>
      </div>
      <van-form v-else @submit="send.submit()" class="tip-form">
        <van-cell-group inset>
          <van-cell title="匿名举报" label="匿名时不记录您的身份、IP 和设备信息">
            <template #right-icon><van-switch v-model="form.anonymous" size="20px" :disabled="!signedIn" /></template>
          </van-cell>
        </van-cell-group>
        <van-cell-group inset title="被举报对象">
          <van-field v-model="form.party_name" name="party_name" label="名称" placeholder="企业或个人名称" :rules="[{ required: true, message: '请填写被举报对象' }]" />
          <van-field v-model="form.party_code" name="party_code" label="信用代码" placeholder="统一社会信用代码（选填）" maxlength="18" />
          <van-field v-model="form.party_address" name="party_address" label="地址" placeholder="选填" />
        </van-cell-group>
        <van-cell-group inset title="举报内容">
          <van-field :model-value="categoryLabel" name="category" label="类别" readonly is-link placeholder="请选择"
            @click="picking = true" :rules="[{ required: true, message: '请选择类别' }]" />
          <van-field v-model="form.place" name="place" label="地点" placeholder="发生地点" />
          <van-field v-model="form.happened_on" name="happened_on" label="时间" type="date" />
          <van-field v-model="form.facts" name="facts" type="textarea" rows="5" maxlength="5000" show-word-limit
            placeholder="请描述具体事实（至少 20 个字）" :rules="[{ validator: (v) => v.trim().length >= 20, message: '请至少填写 20 个字' }]" />
        </van-cell-group>
        <van-cell-group inset v-if="signedIn"><evidence-field v-model="form.evidence" label="证据材料" /></van-cell-group>
        <van-cell-group inset>
          <van-cell><van-checkbox v-model="form.declaration" shape="square">本人承诺所举报内容真实，如有捏造愿承担法律责任</van-checkbox></van-cell>
        </van-cell-group>
        <form-error :text="send.error.value" />
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
    const reply = reactive({ text: "" });
    const headers = () => ({ "X-Tip-Secret": form.secret.trim() });
    const path = () => "/api/v1/tips/" + encodeURIComponent(form.receipt.trim().toUpperCase());
    const look = useSubmit(async () => {
      tip.value = await api(path(), { auth: false, headers: headers() });
    });
    const send = useSubmit(async () => {
      await api(path() + "/messages", { method: "POST", auth: false, headers: headers(), body: { text: reply.text } });
      reply.text = "";
      tip.value = await api(path(), { auth: false, headers: headers() });
      vant.showSuccessToast("已发送");
    });
    const thread = computed(() => (tip.value && (tip.value.messages || tip.value.thread)) || []);
    return { form, tip, reply, look, send, thread };
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
          <van-cell title="状态" :value="tip.status_label || tip.status" class="tip-status" />
          <van-cell v-if="tip.outcome_label || tip.outcome" title="处理结果" :label="tip.outcome_summary || ''" :value="tip.outcome_label || tip.outcome" />
          <van-cell v-if="tip.deadline && tip.deadline.due" title="期限" :value="tip.deadline.due" />
        </van-cell-group>
        <van-cell-group inset title="沟通记录">
          <van-empty v-if="!thread.length" image-size="60" description="暂无消息" />
          <div v-for="(m, i) in thread" :key="i" class="msg" :class="{ me: (m.from || m.author) === 'reporter' }">
            <div class="bubble">{{ m.text || m.body }}<div class="muted">{{ (m.at || '').slice(0, 16).replace('T', ' ') }}</div></div>
          </div>
        </van-cell-group>
        <van-cell-group inset>
          <van-field v-model="reply.text" type="textarea" rows="3" maxlength="2000" placeholder="补充线索或回复工作人员" />
        </van-cell-group>
        <form-error :text="send.error.value" />
        <div class="actions"><van-button round block type="primary" :loading="send.busy.value" :disabled="!reply.text.trim()" @click="send.submit()">发送</van-button></div>
      </template>
    </div>`,
};
