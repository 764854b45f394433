import { render } from "preact";
import { App } from "./app";
import "./ui/base.css";

const root = document.getElementById("app");
if (root) render(<App />, root);

// The app opens offline once it has been loaded online (see public/sw.js).
if ("serviceWorker" in navigator && location.protocol !== "file:") {
  void navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
}
