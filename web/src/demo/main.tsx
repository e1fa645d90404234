import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";
import { takeSession } from "./session.js";
import "../styles.css";

const session = takeSession(window.location, window.history, window.sessionStorage);
createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <App session={session} />
  </StrictMode>,
);
