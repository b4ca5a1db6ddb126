// Colours: the system's (prefers-color-scheme), or dark or light chosen with the header button
// (or "d"). The choice is part of the state, so a link keeps it.
import { $ } from "../dom.js";
import { THEMES } from "../state.js";

const LABELS = { auto: "Colours: system", dark: "Colours: dark", light: "Colours: light" };

export function mount(app) {
  app.cycleTheme = () => {
    const t = app.store.get().theme;
    app.store.set({ theme: THEMES[(THEMES.indexOf(t) + 1) % THEMES.length] });
  };
  $("theme").addEventListener("click", app.cycleTheme);
  return {
    render(s) {
      const root = document.documentElement;
      if (s.theme === "auto") delete root.dataset.theme;
      else root.dataset.theme = s.theme;
      $("theme").textContent = LABELS[s.theme];
      $("theme").setAttribute("aria-label", `${LABELS[s.theme]} (click to change)`);
    },
  };
}
