import "./polyfill.js";
import { render } from "preact";
import { App } from "./app.js";
import { loadConfig } from "./config.js";
import "./style.css";

const root = document.getElementById("app")!;
loadConfig().then(
  (cfg) => {
    root.textContent = "";
    render(<App cfg={cfg} />, root);
  },
  (err: unknown) => {
    root.textContent = `The claim page could not start: ${(err as Error).message}`;
  },
);
