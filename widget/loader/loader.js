// Deflect's embed loader. Bundled with the widget's wasm-bindgen glue into
// one file, /widget.js, by `cargo xtask build`. A page embeds it with
//
//   <script src="https://<edge>/widget.js" data-site="demo" async></script>
//
// and may set data-locale, data-position (left|right), data-color,
// data-greeting, data-title and data-reply-time. It mounts the widget in an open Shadow DOM,
// so page CSS cannot reach it and its CSS cannot leak, with styles adopted
// as a constructed stylesheet (no inline <style>, so a strict CSP works;
// the page must allow 'wasm-unsafe-eval'). It sets no cookie and writes no
// storage until the customer opens the widget.
import init, { mount } from '../../target/wasm-bindgen/deflect-widget/glue.js';
// The style sheet (widget.css beside this file), minified by the build.
import css from '../../target/wasm-bindgen/deflect-widget/widget.min.css';

(function () {
  const script = document.currentScript;
  if (!script || window.Deflect && window.Deflect.__loaded) return;
  const edge = new URL(script.src, location.href).origin;
  // The wasm download starts now, before anything else the loader does, and
  // compiles as it streams in (wasm-bindgen uses instantiateStreaming).
  performance.mark('deflect:loader');
  const wasm = fetch(new URL('/widget/' + __DEFLECT_WASM__, edge), { credentials: 'omit', priority: 'high' });
  const data = script.dataset;
  const lang = data.locale || document.documentElement.lang || navigator.language || 'en';
  const config = {
    site: data.site || 'demo',
    edge,
    locale: lang,
    greeting: data.greeting || null,
    title: data.title || null,
    reply_time: data.replyTime || null,
  };

  let handle = null;
  const queued = [];
  const listeners = [];
  const call = (name, args) => (handle ? handle[name](...args) : queued.push([name, args]));
  window.Deflect = {
    __loaded: true,
    open: () => call('open', []),
    close: () => call('close', []),
    identify: (user) => call('identify', [user && user.email || null, user && user.name || null, user && user.signature || null]),
    onTicketCreated: (fn) => { if (typeof fn === 'function') listeners.push(fn); },
  };

  function notify(event, detail) {
    if (event !== 'ticketCreated') return;
    for (const fn of listeners) {
      try { fn(detail); } catch (e) { console.error(e); }
    }
    window.dispatchEvent(new CustomEvent('deflect:ticket-created', { detail }));
  }

  function start() {
    const host = document.createElement('deflect-widget');
    host.setAttribute('data-position', data.position === 'left' ? 'left' : 'right');
    const color = data.color || data.colour;
    // Only plain colour values reach the stylesheet variable.
    if (color && /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgb\([0-9 ,.%]+\))$/.test(color)) {
      host.style.setProperty('--dfl-accent', color);
    }
    const shadow = host.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    shadow.adoptedStyleSheets = [sheet];
    const root = document.createElement('div');
    root.className = 'dfl-root';
    root.setAttribute('lang', config.locale.toLowerCase().startsWith('zh') ? 'zh' : 'en');
    shadow.appendChild(root);
    document.body.appendChild(host);
    init({ module_or_path: wasm }).then(() => {
      handle = mount(root, JSON.stringify(config), notify);
      for (const [name, args] of queued.splice(0)) handle[name](...args);
      window.dispatchEvent(new CustomEvent('deflect:ready'));
    }).catch((e) => console.error('Deflect widget failed to start:', e));
  }

  if (document.body) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
})();
