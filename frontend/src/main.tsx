import { render } from "preact";
import { App } from "./app";
import "./ui/base.css";

const root = document.getElementById("app");
if (root) render(<App />, root);

// The app opens offline once it has been loaded online (see frontend/sw.js, written into the build by vite.config.ts).
if ("serviceWorker" in navigator && location.protocol !== "file:") {
  void navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
}
