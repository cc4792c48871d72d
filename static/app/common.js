// Building blocks every screen shares: loading/empty/error states, form errors, evidence uploads.
import { ApiError, session, uploadEvidence } from "./api.js";
import { go } from "./router.js";

const { ref, reactive, onMounted, toRaw } = Vue;

/** Load data for a screen: { loading, error, data, reload }; 401 sends the user to sign in. */
export function useLoad(fetcher, { needsSignIn = true } = {}) {
  const state = reactive({ loading: true, error: null, data: null });
  async function reload() {
    if (needsSignIn && !session.access) return signInFirst();
    state.loading = true;
    state.error = null;
    try {
      state.data = await fetcher();
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return signInFirst();
      state.error = e;
    } finally {
      state.loading = false;
    }
  }
  onMounted(reload);
  state.reload = reload;
  return state;
}

export function signInFirst() {
  const here = location.hash.replace(/^#/, "") || "/";
  go("/signin?next=" + encodeURIComponent(here));
}

/** Run one submit at a time: a double tap while it is in flight does nothing. */
export function useSubmit(action) {
  const busy = ref(false);
  const error = ref("");
  async function submit(...args) {
    if (busy.value) return;
    busy.value = true;
    error.value = "";
    try {
      await action(...args);
    } catch (e) {
      if (e === "cancel") return; // a dialog the user closed
      if (e instanceof ApiError && e.status === 401 && !session.access) return signInFirst();
      error.value = e instanceof ApiError ? e.message : "操作失败，请稍后再试";
      vant.showFailToast({ message: error.value, duration: 2500 });
    } finally {
      busy.value = false;
    }
  }
  return { busy, error, submit };
}

export const ScreenState = {
  name: "ScreenState",
  props: { state: Object, empty: Boolean, emptyText: { type: String, default: "暂无内容" } },
  template: `
    <div v-if="state.loading" class="state-box"><van-loading vertical>加载中…</van-loading></div>
    <div v-else-if="state.error" class="state-box" role="alert">
      <van-empty image="error" :description="state.error.message">
        <van-button v-if="state.error.code === 'not_verified'" type="primary" round size="small"
          href="#/verify">去身份核验</van-button>
        <van-button v-else round size="small" @click="state.reload()">重试</van-button>
      </van-empty>
    </div>
    <van-empty v-else-if="empty" :description="emptyText" />
    <slot v-else />`,
};

export const FormError = {
  name: "FormError",
  props: { text: String },
  template: `<div v-if="text" class="form-error" role="alert">{{ text }}</div>`,
};

const KB = 1024;

/** Evidence: camera or album/file, each upload with its progress; v-model is the list of ids. */
export const EvidenceField = {
  name: "EvidenceField",
  props: {
    modelValue: Array,
    label: { type: String, default: "证明材料" },
    max: { type: Number, default: 9 },
    upload: { type: Object, default: () => ({}) }, // uploadEvidence options (path, headers, auth)
  },
  emits: ["update:modelValue"],
  setup(props, { emit }) {
    const files = ref([]);
    function sync() {
      emit("update:modelValue", files.value.filter((f) => f.evidenceId).map((f) => f.evidenceId));
    }
    const tracked = (item) => files.value.find((f) => toRaw(f) === toRaw(item)) || item;
    function fromCamera(item) {
      files.value.push(item);
      afterRead(item);
    }
    async function afterRead(items) {
      for (const raw of Array.isArray(items) ? items : [items]) {
        const item = tracked(raw);
        item.status = "uploading";
        item.message = "上传中 0%";
        try {
          const row = await uploadEvidence(item.file, (p) => (item.message = "上传中 " + p + "%"), props.upload);
          item.status = "done";
          item.message = "";
          item.evidenceId = row.id;
        } catch (e) {
          item.status = "failed";
          item.message = e.message || "上传失败";
        }
        sync();
      }
    }
    function oversize() {
      vant.showFailToast("文件不能超过 10 MB");
    }
    return { files, afterRead, fromCamera, sync, oversize, maxSize: 10 * KB * KB };
  },
  template: `
    <van-cell :title="label" label="支持拍照、相册图片或 PDF，单个不超过 10 MB" />
    <div class="evidence">
      <van-uploader v-model="files" :after-read="afterRead" :max-count="max" :max-size="maxSize"
        multiple accept="image/*,application/pdf" upload-text="相册/文件" @delete="sync"
        @oversize="oversize" class="ev-album" />
      <van-uploader :after-read="fromCamera" :max-size="maxSize"
        accept="image/*" capture="environment" :preview-image="false" @oversize="oversize" class="ev-camera">
        <van-button icon="photograph" size="small" round>拍照</van-button>
      </van-uploader>
    </div>`,
};

export function register(app) {
  app.component("ScreenState", ScreenState);
  app.component("FormError", FormError);
  app.component("EvidenceField", EvidenceField);
}

