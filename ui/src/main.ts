import "./fonts.css";
import "./app.css";
import { mount } from "svelte";
import App from "./App.svelte";

// The face's three files (Latin, Azerbaijani Latin, Cyrillic) load now, while
// the unlock screen waits for the passphrase, rather than when the first ə
// or Cyrillic name appears in a list after unlock (fonts.css).
void document.fonts.load('15px "Vekil Sans"', "aəЖ").catch(() => {});

const target = document.getElementById("app");
if (target) mount(App, { target });
