// The kernel-verdict panel (vfio_irq_set only): the device (a QEMU test device, or a driver and
// its vectors per index), the kernel, and the fd environment the request runs in. Its answer is
// also listed among the problems and marked on the fields and bytes the failing rule judges.
import { $, fillSelect } from "../dom.js";
import * as lib from "../lib.js";
import { DRIVERS, verdictText } from "../verdict.js";

export function mount(app) {
  fillSelect($("v-device"), [["", "described below"], ...lib.QEMU_DEVICE_NAMES.map((n) => [n, `${n} (QEMU)`])]);
  fillSelect(
    $("v-driver"),
    DRIVERS.map((d) => [d, d]),
  );
  fillSelect(
    $("v-kernel"),
    [...lib.KNOWN_KERNELS].reverse().map((k) => [k, `Linux ${k}`]),
  );
  const inputs = {
    "v-device": "device",
    "v-driver": "driver",
    "v-counts": "counts",
    "v-eventfds": "eventfds",
    "v-files": "files",
  };
  for (const [id, name] of Object.entries(inputs))
    $(id).addEventListener("change", () => {
      const s = app.store.get();
      app.store.set({ verdict: { ...s.verdict, [name]: $(id).value.trim() } });
    });
  $("v-kernel").addEventListener("change", (e) => app.store.set({ kernel: e.target.value }));

  return {
    render(s, model) {
      const v = model.verdict;
      $("verdict").hidden = !v;
      if (!v) return;
      const custom = !s.verdict.device;
      for (const [id, name] of Object.entries(inputs))
        if (document.activeElement !== $(id)) $(id).value = s.verdict[name];
      $("v-kernel").value = s.kernel;
      $("v-driver").disabled = !custom;
      $("v-counts").disabled = !custom;
      // a QEMU device brings its own driver and vectors: show them, not the custom device's
      if (!custom && v.available) {
        $("v-driver").value = v.driver;
        $("v-counts").value = v.counts;
      }
      const p = $("v-result");
      p.className = "verdict";
      p.dataset.state = !v.available ? "unavailable" : v.ok ? "pass" : "fail";
      if (v.available) p.classList.add(v.ok ? "pass" : "fail");
      p.textContent = verdictText(v);
    },
  };
}
