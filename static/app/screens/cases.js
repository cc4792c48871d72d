// My cases (every kind) with timelines and deadlines, and my notifications.
import { api } from "../api.js";
import { useLoad, useSubmit } from "../common.js";
import { go, route } from "../router.js";

const { reactive } = Vue;

export function deadlineText(d) {
  if (!d || !d.due) return "";
  const est = d.estimated ? "（预计）" : "";
  if (d.overdue) return `已超期，应于 ${d.due} 前办结${est}`;
  return `${d.due} 前办结${est}，剩 ${d.working_days_left} 个工作日`;
}

export const Cases = {
  setup() {
    const state = useLoad(() => api("/api/v1/cases"));
    return { state, deadlineText };
  },
  template: `
    <div class="screen">
      <screen-state :state="state" :empty="state.data && !state.data.items.length" empty-text="您还没有办理中的事项">
        <van-cell-group inset class="case-list">
          <van-cell v-for="c in state.data.items" :key="c.receipt" is-link :url="'#/cases/' + c.receipt" class="case-item">
            <template #title>
              <div>{{ c.kind_label }} · {{ c.receipt }}</div>
              <div class="muted">{{ c.title }}</div>
            </template>
            <template #label>
              <span :class="{ overdue: c.deadline && c.deadline.overdue }">{{ c.closed_on ? '办结于 ' + c.closed_on : deadlineText(c.deadline) }}</span>
            </template>
            <template #value><van-tag :type="c.closed_on ? 'default' : 'primary'">{{ c.status_label }}</van-tag></template>
          </van-cell>
        </van-cell-group>
      </screen-state>
    </div>`,
};

export const CaseDetail = {
  setup() {
    const state = useLoad(() => api("/api/v1/cases/" + route.params.receipt));
    const more = reactive({ statement: "", evidence: [], open: false });
    const add = useSubmit(async () => {
      state.data = await api(`/api/v1/cases/${route.params.receipt}/material`, {
        method: "POST",
        body: { statement: more.statement, evidence: more.evidence },
      });
      Object.assign(more, { statement: "", evidence: [], open: false });
      vant.showSuccessToast("材料已补充");
    });
    const withdraw = useSubmit(async () => {
      await vant.showConfirmDialog({ title: "撤回申请", message: "撤回后本次申请终止，确定撤回吗？" });
      state.data = await api(`/api/v1/cases/${route.params.receipt}/withdraw`, { method: "POST", body: { reason: "" } });
      vant.showSuccessToast("已撤回");
    });
    return { state, more, add, withdraw, deadlineText };
  },
  template: `
    <div class="screen">
      <screen-state :state="state">
        <template v-if="state.data">
          <van-cell-group inset :title="state.data.kind_label + ' ' + state.data.receipt">
            <van-cell title="事项" :label="state.data.title" />
            <van-cell title="状态"><template #value><van-tag type="primary" size="medium" class="case-status">{{ state.data.status_label }}</van-tag></template></van-cell>
            <van-cell v-if="state.data.handling_department" title="办理部门" :value="state.data.handling_department" />
            <van-cell title="提交日期" :value="state.data.filed_on" />
            <van-cell v-if="state.data.closed_on" title="办结日期" :value="state.data.closed_on" />
            <van-cell v-else-if="state.data.deadline" title="期限" :label="deadlineText(state.data.deadline)"
              class="case-deadline" :class="{ overdue: state.data.deadline.overdue }" />
            <van-cell v-if="state.data.next_step && state.data.next_step.text" title="下一步" :label="state.data.next_step.text" />
            <van-cell v-if="state.data.record_id" title="相关记录" is-link :url="'#/records/' + state.data.record_id" />
          </van-cell-group>
          <van-cell-group inset title="办理过程">
            <van-steps direction="vertical" :active="state.data.timeline.length - 1" class="timeline">
              <van-step v-for="(t, i) in state.data.timeline" :key="i">
                <div>{{ t.label }}</div>
                <div class="muted">{{ t.on || (t.at || '').slice(0, 10) }} {{ t.department || t.by }}</div>
                <div v-if="t.reason" class="muted">{{ t.reason }}</div>
              </van-step>
            </van-steps>
          </van-cell-group>
          <van-cell-group inset v-if="state.data.evidence && state.data.evidence.length" title="已提交的材料" class="case-evidence">
            <van-cell v-for="e in state.data.evidence" :key="e.id" :title="e.name" icon="description"
              :value="Math.max(1, Math.round(e.size / 1024)) + ' KB'" />
          </van-cell-group>
          <template v-if="!state.data.closed_on">
            <van-cell-group inset v-if="more.open" title="补充材料" class="case-more">
              <van-field v-model="more.statement" type="textarea" rows="3" maxlength="2000" placeholder="补充说明（可选）" />
              <evidence-field v-model="more.evidence" />
            </van-cell-group>
            <form-error :text="add.error.value || withdraw.error.value" />
            <div class="actions">
              <van-button v-if="more.open" round block type="primary" :loading="add.busy.value" @click="add.submit()">提交补充材料</van-button>
              <van-button v-else round block plain type="primary" @click="more.open = true">补充材料</van-button>
              <van-button round block plain :loading="withdraw.busy.value" @click="withdraw.submit()">撤回申请</van-button>
            </div>
          </template>
        </template>
      </screen-state>
    </div>`,
};

export const Notifications = {
  setup() {
    const state = useLoad(() => api("/api/v1/notifications"));
    async function open(n) {
      if (!n.read) {
        n.read = true;
        api(`/api/v1/notifications/${n.id}/read`, { method: "POST" }).catch(() => null);
      }
      if (n.receipt) go("/cases/" + n.receipt);
    }
    return { state, open };
  },
  template: `
    <div class="screen">
      <screen-state :state="state" :empty="state.data && !state.data.items.length" empty-text="暂无消息">
        <van-cell-group inset class="notification-list">
          <van-cell v-for="n in state.data.items" :key="n.id" :title="n.title" :label="n.body" clickable
            :is-link="!!n.receipt" @click="open(n)" :class="{ unread: !n.read }">
            <template #value><span class="muted">{{ (n.created_at || '').slice(5, 16).replace('T', ' ') }}</span></template>
          </van-cell>
        </van-cell-group>
      </screen-state>
    </div>`,
};
