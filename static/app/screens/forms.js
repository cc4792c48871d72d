// Objection and repair applications: record preselected from the link, evidence, one filing per form.
import { ApiError, api, download, newKey } from "../api.js";
import { useLoad, useSubmit } from "../common.js";
import { route } from "../router.js";

const { reactive, ref } = Vue;

/** The commitment letter of a repair application (DESIGN §4: a GET with `commitment` in its path). */
export const commitmentPath = (recordId) => `/api/v1/me/records/${recordId}/repair/commitment.pdf`;

export const Receipt = {
  name: "Receipt",
  props: { title: String, caseView: Object },
  template: `
    <div class="receipt" role="status">
      <div class="success-box"><van-icon name="checked" size="64" color="#07c160" /><p>{{ title }}</p></div>
      <van-cell-group inset>
        <van-cell title="受理编号" :value="caseView.receipt" class="receipt-no" />
        <van-cell title="状态" :value="caseView.status_label" />
        <van-cell v-if="caseView.handling_department" title="办理部门" :value="caseView.handling_department" />
        <van-cell v-if="caseView.deadline && caseView.deadline.due" title="办结期限"
          :value="caseView.deadline.due + (caseView.deadline.estimated ? '（预计）' : '')" />
      </van-cell-group>
      <div class="actions"><van-button round block type="primary" :url="'#/cases/' + caseView.receipt">查看办理进度</van-button></div>
    </div>`,
};

function useRecord() {
  return useLoad(async () => {
    if (!route.query.record) return { picker: (await api("/api/v1/me/records?per_page=100")).items };
    return { record: await api("/api/v1/me/records/" + route.query.record) };
  });
}

const RecordPicker = {
  name: "RecordPicker",
  props: { records: Array, action: String },
  template: `
    <div>
      <p class="hint">请选择要{{ action }}的记录：</p>
      <van-cell-group inset>
        <van-empty v-if="!records.length" description="暂无信用记录" />
        <van-cell v-for="r in records" :key="r.id" :title="r.title" :label="r.provider + ' · ' + r.finding_date"
          is-link :url="'#/' + (action === '提出异议' ? 'objection' : 'repair') + '?record=' + r.id" />
      </van-cell-group>
    </div>`,
};

const TYPES = [
  ["content_wrong", "记录内容有误"],
  ["period_wrong", "公示期限有误"],
  ["repair_result_wrong", "修复结果有误"],
  ["other", "其他"],
];

export const Objection = {
  components: { Receipt, RecordPicker },
  setup() {
    const target = useRecord();
    const form = reactive({ type: "content_wrong", statement: "", evidence: [] });
    const key = newKey();
    const filed = ref(null);
    const send = useSubmit(async () => {
      const body = { record_id: Number(route.query.record), ...form };
      filed.value = await api("/api/v1/objections", { method: "POST", body, key });
    });
    return { target, form, filed, send, TYPES };
  },
  template: `
    <div class="screen">
      <receipt v-if="filed" title="异议已提交，记录已标注“异议处理中”" :case-view="filed" />
      <screen-state v-else :state="target">
        <record-picker v-if="target.data && target.data.picker" :records="target.data.picker" action="提出异议" />
        <van-form v-else-if="target.data" @submit="send.submit()" class="objection-form">
          <van-cell-group inset title="异议的记录">
            <van-cell :title="target.data.record.title" :label="target.data.record.provider + ' · ' + target.data.record.document_number" />
          </van-cell-group>
          <van-cell-group inset title="异议类型">
            <van-radio-group v-model="form.type">
              <van-cell v-for="t in TYPES" :key="t[0]" :title="t[1]" clickable @click="form.type = t[0]">
                <template #right-icon><van-radio :name="t[0]" /></template>
              </van-cell>
            </van-radio-group>
          </van-cell-group>
          <van-cell-group inset title="异议理由">
            <van-field v-model="form.statement" name="statement" type="textarea" rows="4" maxlength="2000" show-word-limit
              placeholder="请说明哪里有误、正确的情况是什么（至少 5 个字）"
              :rules="[{ validator: (v) => v.trim().length >= 5, message: '请至少填写 5 个字' }]" />
          </van-cell-group>
          <van-cell-group inset><evidence-field v-model="form.evidence" /></van-cell-group>
          <form-error :text="send.error.value" />
          <div class="actions">
            <van-button round block type="primary" native-type="submit" :loading="send.busy.value" loading-text="提交中…">提交异议</van-button>
          </div>
          <p class="hint">提交后记录即标注“异议处理中”；提供部门应在 10 个工作日内书面答复。</p>
        </van-form>
      </screen-state>
    </div>`,
};

const text = (item) =>
  typeof item === "string" ? item : item.label || item.message || item.title || item.text || item.name || "";
const ruleOf = (item) => (item && item.rule && item.rule.title ? item.rule.title + (item.rule.source ? "（" + item.rule.source + "）" : "") : "");

export const Repair = {
  components: { Receipt, RecordPicker },
  setup() {
    const target = useRecord();
    const check = useLoad(async () =>
      route.query.record ? api(`/api/v1/me/records/${route.query.record}/repair`) : null,
    );
    const form = reactive({ statement: "", evidence: [], accepted: false });
    const key = newKey();
    const filed = ref(null);
    const letter = useSubmit(() =>
      download((check.data && check.data.commitment_url) || commitmentPath(route.query.record), "信用修复承诺书.pdf"),
    );
    const send = useSubmit(async () => {
      if (!form.accepted) throw new ApiError(0, "input", "请先阅读并接受信用修复承诺书");
      const body = {
        record_id: Number(route.query.record),
        statement: form.statement,
        evidence: form.evidence,
        commitment_accepted: form.accepted,
      };
      filed.value = await api("/api/v1/repairs", { method: "POST", body, key });
    });
    const ROUTE = { local_decide: "本地认定部门审核", national_forward: "经“信用中国”网站受理" };
    return { target, check, form, filed, letter, send, text, ruleOf, ROUTE };
  },
  template: `
    <div class="screen">
      <receipt v-if="filed" :title="filed.notice || '信用修复申请已提交（免费办理）'" :case-view="filed" />
      <screen-state v-else :state="target">
        <record-picker v-if="target.data && target.data.picker" :records="target.data.picker" action="申请信用修复" />
        <template v-else-if="target.data">
          <van-cell-group inset title="申请修复的记录">
            <van-cell :title="target.data.record.title" :label="target.data.record.provider + ' · ' + target.data.record.document_number" />
          </van-cell-group>
          <screen-state :state="check">
            <template v-if="check.data">
              <van-cell-group inset title="修复条件">
                <van-cell title="是否可申请" :value="check.data.eligible ? '可以申请' : '暂不可申请'" class="eligibility" />
                <van-cell v-if="check.data.available_from" title="可申请日期" :value="check.data.available_from" />
                <van-cell v-if="check.data.route" title="办理途径" :value="check.data.route_label || ROUTE[check.data.route] || check.data.route" />
                <van-cell v-for="(r, i) in check.data.reasons || []" :key="'r' + i" :title="text(r)" :label="ruleOf(r)" icon="info-o" class="reason" />
                <van-cell v-if="check.data.free_of_charge" title="信用修复免费办理" icon="passed" />
              </van-cell-group>
              <van-cell-group inset title="需要准备的材料" v-if="(check.data.checklist || []).length">
                <van-cell v-for="(c, i) in check.data.checklist" :key="'c' + i" :title="text(c)"
                  :value="c.required === false ? '可选' : '必需'" icon="description" />
              </van-cell-group>
              <van-form v-if="check.data.eligible" @submit="send.submit()" class="repair-form">
                <van-cell-group inset title="纠正失信行为的情况">
                  <van-field v-model="form.statement" name="statement" type="textarea" rows="4" maxlength="2000" show-word-limit
                    placeholder="请说明已履行的义务、纠正的情况（至少 5 个字）"
                    :rules="[{ validator: (v) => v.trim().length >= 5, message: '请至少填写 5 个字' }]" />
                </van-cell-group>
                <van-cell-group inset><evidence-field v-model="form.evidence" label="履行义务的证明" /></van-cell-group>
                <van-cell-group inset title="信用修复承诺书">
                  <van-cell title="阅读承诺书（PDF）" is-link @click="letter.submit()" />
                  <div class="check-row">
                    <van-checkbox v-model="form.accepted" name="accepted" shape="square">我已阅读并接受《信用修复承诺书》</van-checkbox>
                  </div>
                </van-cell-group>
                <form-error :text="send.error.value || letter.error.value" />
                <div class="actions">
                  <van-button round block type="primary" native-type="submit" :loading="send.busy.value" loading-text="提交中…">提交修复申请</van-button>
                </div>
              </van-form>
            </template>
          </screen-state>
        </template>
      </screen-state>
    </div>`,
};
