// The assistant as one tab: its links open the screens of this page.
import { api, session } from "../api.js";

const { nextTick, onMounted, ref } = Vue;

export const Chat = {
  setup() {
    const log = ref([]);
    const text = ref("");
    const busy = ref(false);
    const box = ref(null);
    let sessionId = sessionStorage.getItem("chat-session");

    const scroll = () => nextTick(() => box.value && (box.value.scrollTop = box.value.scrollHeight));

    async function send(value) {
      value = (value || "").trim();
      if (!value || busy.value) return;
      log.value.push({ who: "me", text: value });
      text.value = "";
      busy.value = true;
      scroll();
      const body = { text: value };
      if (sessionId && !session.access) body.session_id = sessionId;
      try {
        const data = await api("/api/v1/chat", { method: "POST", body });
        if (data.session_id) {
          sessionId = data.session_id;
          sessionStorage.setItem("chat-session", sessionId);
        }
        const r = data.reply;
        const links = r.links.concat(r.articles.map((a) => ({ label: a.title, url: a.url })));
        log.value.push({ who: "bot", text: r.text, links, quick: r.quick_replies });
      } catch (e) {
        log.value.push({ who: "bot", text: e.message || "网络异常，请稍后再试。", links: [], quick: [] });
      } finally {
        busy.value = false;
        scroll();
      }
    }
    onMounted(() => {
      if (!log.value.length) send("你好");
    });
    return { log, text, busy, box, send };
  },
  template: `
    <div class="chat">
      <main ref="box" class="chat-log" aria-live="polite">
        <template v-for="(m, i) in log" :key="i">
          <div class="msg" :class="m.who">
            <div class="bubble">{{ m.text }}
              <div v-if="m.links && m.links.length" class="links">
                <a v-for="l in m.links" :key="l.url" :href="l.url">{{ l.label }}</a>
              </div>
            </div>
          </div>
          <div v-if="m.quick && m.quick.length && i === log.length - 1" class="quick">
            <van-button v-for="q in m.quick" :key="q.payload" size="small" round plain type="primary"
              @click="send(q.payload)">{{ q.label }}</van-button>
          </div>
        </template>
      </main>
      <form class="chat-input" @submit.prevent="send(text)">
        <input id="text" v-model="text" maxlength="500" placeholder="请输入您想办的事，如：我要提异议" autocomplete="off">
        <van-button id="send" type="primary" native-type="submit" :disabled="busy">发送</van-button>
      </form>
    </div>`,
};
