// My records (filters, list, detail), summary, who used my data, and the credit report.
import { api, download } from "../api.js";
import { useLoad, useSubmit } from "../common.js";
import { route } from "../router.js";

const { reactive, ref, watch } = Vue;

const NATURE = [
  { text: "全部性质", value: "" },
  { text: "良好信息", value: "good" },
  { text: "不良信息", value: "bad" },
];
const SEVERITY = [
  { text: "全部程度", value: "" },
  { text: "轻微", value: "minor" },
  { text: "一般", value: "general" },
  { text: "严重", value: "severe" },
];
const STATUS = [
  { text: "全部状态", value: "" },
  { text: "公示中", value: "published" },
  { text: "异议处理中", value: "under_objection" },
  { text: "已修复", value: "repaired" },
  { text: "已更正", value: "corrected" },
  { text: "已到期", value: "expired" },
  { text: "已撤销", value: "revoked" },
];

const PERIOD = [
  { text: "全部时间", value: 0 },
  { text: "近一年", value: 1 },
  { text: "近三年", value: 3 },
];

function yearsAgo(n) {
  const d = new Date();
  d.setFullYear(d.getFullYear() - n);
  return d.toISOString().slice(0, 10);
}

export function tagType(record) {
  if (record.nature === "good") return "success";
  return record.severity === "severe" ? "danger" : "warning";
}

export const RecordItem = {
  name: "RecordItem",
  props: { record: Object },
  setup: () => ({ tagType }),
  template: `
    <van-cell :url="'#/records/' + record.id" is-link class="record-item">
      <template #title>
        <div class="record-title">{{ record.title }}</div>
        <div class="record-tags">
          <van-tag :type="tagType(record)">{{ record.nature_label }}</van-tag>
          <van-tag v-if="record.severity_label" plain>{{ record.severity_label }}</van-tag>
          <van-tag v-for="l in record.labels" :key="l.code" plain type="primary">{{ l.label }}</van-tag>
        </div>
      </template>
      <template #label>{{ record.provider }} · 认定日期 {{ record.finding_date }}</template>
    </van-cell>`,
};

export const Records = {
  setup() {
    const filters = reactive({ nature: "", severity: "", status: "", years: 0 });
    const state = useLoad(() => {
      const q = new URLSearchParams({ per_page: "50" });
      for (const k of ["nature", "severity", "status"]) if (filters[k]) q.set(k, filters[k]);
      if (filters.years) q.set("from", yearsAgo(filters.years));
      return api("/api/v1/me/records?" + q);
    });
    watch(filters, () => state.reload());
    return { filters, state, NATURE, SEVERITY, STATUS, PERIOD };
  },
  template: `
    <div class="screen">
      <van-dropdown-menu>
        <van-dropdown-item v-model="filters.nature" :options="NATURE" />
        <van-dropdown-item v-model="filters.severity" :options="SEVERITY" />
        <van-dropdown-item v-model="filters.status" :options="STATUS" />
        <van-dropdown-item v-model="filters.years" :options="PERIOD" />
      </van-dropdown-menu>
      <screen-state :state="state" :empty="state.data && !state.data.items.length" empty-text="没有符合条件的信用记录">
        <p class="hint">共 {{ state.data.total }} 条记录（含已到期、已修复和异议处理中的记录）</p>
        <van-cell-group inset class="record-list">
          <record-item v-for="r in state.data.items" :key="r.id" :record="r" />
        </van-cell-group>
      </screen-state>
      <van-cell-group inset>
        <van-cell title="信用概况" is-link url="#/summary" />
        <van-cell title="谁查询了我的信息" is-link url="#/access-log" />
        <van-cell title="信用报告" is-link url="#/credit-report" />
      </van-cell-group>
    </div>`,
};

export const RecordDetail = {
  setup() {
    const state = useLoad(() => api("/api/v1/me/records/" + route.params.id));
    return { state, tagType };
  },
  template: `
    <div class="screen">
      <screen-state :state="state">
        <template v-if="state.data">
          <div class="record-head">
            <h2>{{ state.data.title }}</h2>
            <van-tag :type="tagType(state.data)" size="medium">{{ state.data.nature_label }}</van-tag>
            <van-tag v-for="l in state.data.labels" :key="l.code" plain type="primary" size="medium">{{ l.label }}</van-tag>
          </div>
          <van-cell-group inset title="基本信息">
            <van-cell title="信息类别" :value="state.data.class_label" />
            <van-cell title="严重程度" :value="state.data.severity_label || '—'" />
            <van-cell title="提供部门" :value="state.data.provider" />
            <van-cell title="文书号" :value="state.data.document_number || '—'" />
            <van-cell title="内容" :label="state.data.content" />
            <van-cell v-if="state.data.legal_basis" title="依据" :label="state.data.legal_basis" />
          </van-cell-group>
          <van-cell-group inset title="公示期限">
            <van-cell title="认定日期" :value="state.data.finding_date" />
            <van-cell title="公示开始" :value="state.data.publicity_start || '—'" />
            <van-cell title="公示截止" :value="state.data.publicity_end || '—'" />
            <van-cell title="可申请修复" :value="state.data.repair_eligible_from || '—'" />
            <van-cell title="停止公示" :value="state.data.unpublish_at || '—'" />
            <van-cell v-if="state.data.period_rule" title="适用规则" class="rule"
              :label="state.data.period_rule.title + '（' + state.data.period_rule.source + '）'" />
          </van-cell-group>
          <van-cell-group inset title="适用的措施">
            <van-cell v-if="!state.data.measures.length" title="无" />
            <van-cell v-for="m in state.data.measures" :key="m.code" :title="m.title"
              :label="m.legal_basis + (m.reason ? '；' + m.reason : '')">
              <template #value><van-tag :type="m.in_force ? 'danger' : 'default'">{{ m.in_force ? '执行中' : '未执行' }}</van-tag></template>
            </van-cell>
          </van-cell-group>
          <van-cell-group inset title="办理">
            <van-cell title="提出异议" :is-link="state.data.actions.objection.available"
              :url="state.data.actions.objection.available ? '#/objection?record=' + state.data.id : ''"
              :label="state.data.actions.objection.available ? '信息有误可提出异议' : state.data.actions.objection.reason" />
            <van-cell title="申请信用修复" :is-link="state.data.actions.repair.available"
              :url="state.data.actions.repair.available ? '#/repair?record=' + state.data.id : ''"
              :label="state.data.actions.repair.available ? '已纠正失信行为可申请修复' :
                (state.data.actions.repair.reason || '') + (state.data.actions.repair.available_from ? '（' + state.data.actions.repair.available_from + ' 起可申请）' : '')" />
          </van-cell-group>
          <van-cell-group inset title="变更记录">
            <van-steps direction="vertical" :active="state.data.history.length - 1">
              <van-step v-for="(h, i) in state.data.history" :key="i">
                <div>{{ h.action_label }}</div>
                <div class="muted">{{ (h.at || '').slice(0, 10) }} {{ h.by }} {{ h.reason }}</div>
              </van-step>
            </van-steps>
          </van-cell-group>
        </template>
      </screen-state>
    </div>`,
};

export const Summary = {
  setup() {
    const state = useLoad(() => api("/api/v1/me/summary"));
    return { state };
  },
  template: `
    <div class="screen">
      <screen-state :state="state">
        <template v-if="state.data">
          <van-grid :column-num="3" class="counts">
            <van-grid-item :text="'全部记录'"><template #icon><b class="big">{{ state.data.total }}</b></template></van-grid-item>
            <van-grid-item text="良好信息"><template #icon><b class="big good">{{ state.data.by_nature.good }}</b></template></van-grid-item>
            <van-grid-item text="不良信息"><template #icon><b class="big bad">{{ state.data.by_nature.bad }}</b></template></van-grid-item>
          </van-grid>
          <van-cell-group inset title="名单">
            <van-cell v-if="!state.data.lists.length" title="未列入红名单或严重失信主体名单" />
            <van-cell v-for="l in state.data.lists" :key="l.kind + l.entered_on" :title="l.label"
              :label="l.department + ' · ' + l.entered_on + ' 列入' + (l.exit_due ? '，预计 ' + l.exit_due + ' 移出' : '')"
              :value="l.active ? '有效' : '已移出'" />
          </van-cell-group>
          <van-cell-group inset title="执行中的措施">
            <van-cell v-if="!state.data.measures_in_force.length" title="无" />
            <van-cell v-for="m in state.data.measures_in_force" :key="m.code + m.record_id" :title="m.title" :label="m.legal_basis" />
          </van-cell-group>
          <van-cell-group inset title="办理中的事项">
            <van-cell v-if="!state.data.open_cases.length" title="无" />
            <van-cell v-for="c in state.data.open_cases" :key="c.record_id" :title="c.record_title"
              :label="c.next_deadline ? '下一期限 ' + c.next_deadline : ''" is-link :url="c.receipt ? '#/cases/' + c.receipt : '#/records/' + c.record_id" />
          </van-cell-group>
          <van-cell-group inset v-if="state.data.repairable_now.length" title="现在可申请修复">
            <van-cell v-for="id in state.data.repairable_now" :key="id" :title="'记录 #' + id" is-link :url="'#/records/' + id" />
          </van-cell-group>
        </template>
      </screen-state>
    </div>`,
};

export const AccessLog = {
  setup() {
    const state = useLoad(() => api("/api/v1/me/access-log"));
    return { state };
  },
  template: `
    <div class="screen">
      <p class="hint">以下为查询或使用您信用信息的部门、角色和用途（不显示工作人员姓名）。</p>
      <screen-state :state="state" :empty="state.data && !state.data.items.length" empty-text="暂无查询记录">
        <van-cell-group inset>
          <van-cell v-for="(e, i) in state.data.items" :key="i" :title="e.department || e.role"
            :label="(e.at || '').replace('T', ' ').slice(0, 16) + ' · ' + (e.purpose || e.action)" :value="e.role" />
        </van-cell-group>
      </screen-state>
    </div>`,
};

export const CreditReport = {
  setup() {
    const years = ref(3);
    const report = ref(null);
    const load = useSubmit(async () => {
      report.value = await api("/api/v1/me/report?years=" + years.value);
    });
    const saved = ref("");
    const pdf = useSubmit(async () => {
      const name = await download("/api/v1/me/report?format=pdf&years=" + years.value, "信用报告.pdf");
      const code = /credit-report-(.+)\.pdf/.exec(name);
      saved.value = code ? code[1] : "";
      vant.showSuccessToast("已下载");
    });
    return { years, report, load, pdf, saved };
  },
  template: `
    <div class="screen">
      <van-cell-group inset title="报告期限">
        <van-cell title="近几年的信用信息">
          <template #value><van-stepper v-model="years" min="1" max="5" integer name="years" /></template>
        </van-cell>
      </van-cell-group>
      <form-error :text="load.error.value || pdf.error.value" />
      <div class="actions">
        <van-button round block type="primary" :loading="load.busy.value" @click="load.submit()">生成信用报告</van-button>
      </div>
      <template v-if="report">
        <van-cell-group inset :title="report.title" class="report">
          <van-cell title="主体" :value="report.subject.name" />
          <van-cell title="期间" :value="report.period.from + ' 至 ' + report.period.to" />
          <van-cell title="良好 / 不良 / 已修复" :value="report.counts.good + ' / ' + report.counts.bad + ' / ' + report.counts.repaired" />
          <van-cell title="验证码" :value="report.verification.code" class="verification-code"
            label="他人可凭验证码在本平台核验报告真伪" />
        </van-cell-group>
        <div class="actions">
          <van-button round block icon="down" :loading="pdf.busy.value" @click="pdf.submit()">下载 PDF</van-button>
        </div>
        <p v-if="saved" class="hint pdf-saved">PDF 已下载，其验证码为 {{ saved }}（每份报告的验证码不同）。</p>
      </template>
    </div>`,
};
