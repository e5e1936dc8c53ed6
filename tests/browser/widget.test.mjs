// The widget on real pages in headless Chromium against the local edge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { launch, edge, hostOrigin, adminApi, watch, w, openWidget, ask, leaveTicket, collectTickets, createdTickets, d1, serve, unique, until, screenshotPath, axeViolations } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the demo page answers from the KB and turns an unanswered question into a ticket in D1', async () => {
  const { url, persist } = edge();
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${url}/demo/`);
  await page.waitForFunction(() => window.Deflect);
  await w(page).launcher.waitFor();

  // The embed costs one loader and one wasm; nothing else until the
  // customer shows interest.
  const widgetRequests = requests.filter((p) => !p.startsWith('/demo/') && p !== '/favicon.ico');
  assert.equal(widgetRequests.filter((p) => p === '/widget.js').length, 1, JSON.stringify(requests));
  assert.equal(widgetRequests.filter((p) => p.endsWith('.wasm')).length, 1, JSON.stringify(requests));
  assert.equal(widgetRequests.length, 2, `only the loader and the wasm: ${JSON.stringify(widgetRequests)}`);

  // Nothing is stored before the customer opens the widget.
  assert.equal(await page.evaluate(() => document.cookie), '');
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  assert.deepEqual(await context.cookies(), []);

  await openWidget(page);
  await collectTickets(page);
  const { panel, log } = w(page);
  assert.equal(await panel.getAttribute('role'), 'dialog');

  await ask(page, 'how do I reset my password?');
  const answer = page.locator('deflect-widget .dfl-answer').last();
  await answer.waitFor();
  assert.match(await answer.locator('h3').innerText(), /Reset your password/);
  await page.screenshot({ path: screenshotPath('widget.png') });
  await answer.getByRole('button', { name: 'This helped' }).click();
  await log.getByText('Glad it helped!').waitFor();

  const marker = unique('parrot');
  await ask(page, `my parrot ate the router cable ${marker}`);
  const noAnswer = page.locator('deflect-widget .dfl-log .dfl-bot').last();
  await noAnswer.getByText("I couldn't find an answer to that.").waitFor();
  await noAnswer.getByRole('button', { name: 'Talk to a person' }).click();
  await page.locator('deflect-widget .dfl-form').getByText('Tell us how to reach you. We usually reply within a few hours.').waitFor();
  const message = await page.locator('deflect-widget #dfl-message').inputValue();
  assert.match(message, new RegExp(marker), 'the form carries the question');
  await leaveTicket(page, { email: 'shells@example.com', name: 'Sandy Shore' });
  const [ticket] = await createdTickets(page);
  await log.getByText(/Sent!/).waitFor();

  const rows = d1(persist, `SELECT t.id, t.shown_articles, m.body FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE t.id = '${ticket.id}'`);
  assert.equal(rows.length, 1, 'the ticket is in D1 once');
  assert.match(rows[0].body, new RegExp(marker));
  assert.match(rows[0].shown_articles, /reset-password/, 'the articles already shown travel with the ticket');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Chinese page: Chinese interface, Chinese question answered', async () => {
  const { url } = edge();
  const context = await browser.newContext({ locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${url}/demo/zh.html`);
  await openWidget(page);
  assert.match(await w(page).launcher.getAttribute('aria-label'), /[\u4e00-\u9fff]/, 'the labels are in Chinese');
  await ask(page, '我想申请退款');
  const answer = page.locator('deflect-widget .dfl-answer').last();
  await answer.waitFor();
  assert.match(await answer.locator('h3').innerText(), /退款/);
  assert.match(await page.locator('deflect-widget .dfl-person').innerText(), /[\u4e00-\u9fff]/, 'the interface is in Chinese');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a hostile host page with a strict CSP cannot break the widget, and the widget does not leak', async () => {
  const { url } = edge();
  const host = new URL(hostOrigin());
  const css = '* { all: unset } input { display: none !important } button { visibility: hidden !important } .dfl-btn { color: rgb(1, 2, 3) }';
  const server = await serve(Number(host.port), {
    '/': {
      body: `<!doctype html><html lang="en"><head><title>Hostile shop</title><link rel="stylesheet" href="/hostile.css"></head>
        <body><p id="own" class="dfl-btn">Shop text</p><input id="own-input">
        <script src="${url}/widget.js" data-site="demo" data-color="#aa3300" data-position="left"
          data-greeting="Ahoy! Ask the shop anything." data-reply-time="We answer <b>within</b> one working day." async></script></body></html>`,
      headers: {
        'content-security-policy': `default-src 'none'; script-src ${url} 'wasm-unsafe-eval'; connect-src ${url}; style-src 'self'; img-src 'self'`,
      },
    },
    '/hostile.css': { body: css, type: 'text/css' },
  });
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/.test(m.text())) violations.push(m.text()); });
  try {
    await page.goto(`${hostOrigin()}/`);
    await openWidget(page);
    const { input, launcher } = w(page);
    assert.ok(await input.isVisible(), 'the question box is visible despite input { display: none !important }');
    assert.ok(await launcher.isVisible(), 'the launcher is visible despite button { visibility: hidden }');
    const box = await w(page).panel.boundingBox();
    assert.ok(box.width > 250 && box.height > 250, `the panel has its size: ${JSON.stringify(box)}`);
    // The data attributes: position, colour, greeting, reply time (as text).
    const viewport = page.viewportSize();
    assert.ok((await launcher.boundingBox()).x < viewport.width / 2, 'data-position="left" puts it on the left');
    assert.equal(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(170, 51, 0)');
    await w(page).log.getByText('Ahoy! Ask the shop anything.').waitFor();
    await ask(page, 'I forgot my password');
    await page.locator('deflect-widget .dfl-answer h3').last().waitFor();
    await page.locator('deflect-widget .dfl-person').click();
    await page.locator('deflect-widget .dfl-form').getByText('Tell us how to reach you. We answer <b>within</b> one working day.').waitFor();
    // The page's own elements keep the page's styles: nothing leaked out.
    const own = await page.evaluate(() => getComputedStyle(document.getElementById('own')).color);
    assert.equal(own, 'rgb(1, 2, 3)');
    assert.equal(await page.evaluate(() => getComputedStyle(document.getElementById('own-input')).display), 'none');
    assert.equal(await page.evaluate(() => document.querySelectorAll('style').length), 0, 'no inline <style> was added');
    assert.deepEqual(violations, []);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
    server.close();
  }
});

/** A page of the demo site with the widget's ticket form open. */
async function ticketForm(context, url) {
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  await collectTickets(page);
  await page.locator('deflect-widget .dfl-person').click();
  return { page, problems };
}

test('offline: the ticket is kept, then sent once when the network returns', async () => {
  const { url, persist } = edge();
  const context = await browser.newContext();
  const { page, problems } = await ticketForm(context, url);
  const marker = unique('offline');
  await context.setOffline(true);
  await leaveTicket(page, { email: 'offline@example.com', message: `Sent from a train ${marker}` });
  await w(page).log.getByText(/offline/i).waitFor();
  const outbox = await page.evaluate(() => JSON.parse(localStorage.getItem('deflect:demo:outbox') || '[]'));
  assert.equal(outbox.length, 1, 'the ticket waits in localStorage');
  assert.equal(d1(persist, `SELECT count(*) AS n FROM messages WHERE instr(body, '${marker}') > 0`)[0].n, 0);

  await context.setOffline(false);
  const [ticket] = await createdTickets(page);
  await w(page).log.getByText(/back online: your saved message was sent/).waitFor();
  assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('deflect:demo:outbox') || '[]').length), 0);

  // A reload (and another "online" event) sends nothing again.
  await page.reload();
  await page.waitForFunction(() => window.Deflect);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.waitForTimeout(500);
  const rows = d1(persist, `SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE instr(m.body, '${marker}') > 0`);
  assert.deepEqual(rows.map((r) => r.id), [ticket.id], 'exactly one ticket');
  assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), []);
  await context.close();
});

test('a customer leaves a ticket with a screenshot from the form: the team gets it with the ticket; one too large is refused in words; offline, or with the tab closed before the network returns, the ticket and its file are both kept and sent', async () => {
  const { url, persist } = edge();
  const context = await browser.newContext();
  const { page, problems } = await ticketForm(context, url);
  const file = page.locator('deflect-widget #dfl-file');
  assert.equal(await page.locator('deflect-widget label[for=dfl-file]').innerText(), 'A file or screenshot (optional)');

  const marker = unique('screenshot');
  await file.setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(8 * 1024 * 1024 + 1) });
  await leaveTicket(page, { email: 'pixel@example.com', message: `The checkout button is grey ${marker}` });
  await page.locator('deflect-widget .dfl-form [role=alert]').getByText('A file can be up to 8 MB.').waitFor();
  assert.equal(d1(persist, `SELECT count(*) AS n FROM messages WHERE instr(body, '${marker}') > 0`)[0].n, 0, 'nothing was sent');

  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  await file.setInputFiles({ name: 'checkout.png', mimeType: 'image/png', buffer: png });
  await page.locator('deflect-widget .dfl-form button[type=submit]').click();
  const [ticket] = await createdTickets(page);
  await w(page).log.getByText(/Sent!/).waitFor();
  const detail = await adminApi(url, 'GET', `/v1/agent/tickets/${ticket.id}`);
  assert.match(detail.messages[0].body, new RegExp(marker));
  assert.deepEqual(detail.attachments.map((f) => [f.name, f.size, f.content_type]), [['checkout.png', png.length, 'image/png']]);

  // The connection drops after the ticket is made and before its file
  // goes: the file stays kept, and goes (once) when the browser is back.
  await page.locator('deflect-widget .dfl-person').click();
  await file.setInputFiles({ name: 'dropped.png', mimeType: 'image/png', buffer: png });
  await page.route('**/v1/tickets/*/files*', (route) => route.abort('internetdisconnected'));
  await leaveTicket(page, { email: 'pixel@example.com', message: `Grey on mobile ${marker}` });
  const dropped = (await createdTickets(page, 2))[1];
  await w(page).log.getByText('Sending failed: offline').waitFor();
  assert.deepEqual(await keptFiles(page), ['demo:' + (await waitingUploads(page))[0].key], 'the file is kept for its ticket');
  await page.unroute('**/v1/tickets/*/files*');
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await until(async () => (await adminApi(url, 'GET', `/v1/agent/tickets/${dropped.id}`)).attachments.length === 1, 'the kept file on its ticket');
  assert.deepEqual((await adminApi(url, 'GET', `/v1/agent/tickets/${dropped.id}`)).attachments.map((f) => f.name), ['dropped.png']);
  await until(async () => (await keptFiles(page)).length === 0 && (await waitingUploads(page)).length === 0, 'the sent file to be forgotten');

  // Offline, the ticket and its file are both kept in this browser; the
  // customer closes the tab, and the next visit online sends both.
  await page.locator('deflect-widget .dfl-person').click();
  await file.setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: png });
  await context.setOffline(true);
  await leaveTicket(page, { email: 'pixel@example.com', message: `Still grey ${marker}` });
  await w(page).log.getByText(/You're offline/).waitFor();
  assert.equal(await w(page).log.getByText(/The file was not saved/).count(), 0, 'the file is kept, so nothing asks to send it again');
  assert.equal((await keptFiles(page)).length, 1);
  await page.close();
  await context.setOffline(false);
  const next = await context.newPage();
  await next.goto(`${url}/demo/`);
  const stillGrey = `SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE instr(m.body, 'Still grey ${marker}') > 0`;
  await until(async () => d1(persist, stillGrey).length === 1, 'the kept ticket in D1');
  const later = d1(persist, stillGrey)[0].id;
  await until(async () => (await adminApi(url, 'GET', `/v1/agent/tickets/${later}`)).attachments.length === 1, 'the kept file on the kept ticket');
  const files = (await adminApi(url, 'GET', `/v1/agent/tickets/${later}`)).attachments;
  assert.deepEqual(files.map((f) => [f.name, f.size]), [['again.png', png.length]]);
  await until(async () => (await keptFiles(next)).length === 0, 'the sent file to be forgotten');
  assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), []);
  await context.close();
});

test('where the browser keeps no files (storage blocked), a ticket saved offline says its file must be sent later, and goes without it', async () => {
  const { url, persist } = edge();
  const context = await browser.newContext();
  // The page's IndexedDB is gone, as where a browser blocks a site's storage.
  await context.addInitScript(() => Object.defineProperty(window, 'indexedDB', { value: undefined }));
  const { page, problems } = await ticketForm(context, url);
  const marker = unique('nostore');
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
  await page.locator('deflect-widget #dfl-file').setInputFiles({ name: 'lost.png', mimeType: 'image/png', buffer: png });
  await context.setOffline(true);
  await leaveTicket(page, { email: 'nostore@example.com', message: `No storage here ${marker}` });
  await w(page).log.getByText('The file was not saved with it: send it in the conversation once you\'re back online.').waitFor();
  await context.setOffline(false);
  const [ticket] = await createdTickets(page);
  await w(page).log.getByText(/back online: your saved message was sent/).waitFor();
  assert.match(d1(persist, `SELECT body FROM messages WHERE ticket_id = '${ticket.id}'`)[0].body, new RegExp(marker));
  assert.deepEqual((await adminApi(url, 'GET', `/v1/agent/tickets/${ticket.id}`)).attachments, [], 'the ticket went, without the file');

  // Online, the file still goes with the ticket, straight from the form.
  await page.locator('deflect-widget .dfl-person').click();
  await page.locator('deflect-widget #dfl-file').setInputFiles({ name: 'direct.png', mimeType: 'image/png', buffer: png });
  await leaveTicket(page, { email: 'nostore@example.com', message: `Online now ${marker}` });
  const direct = (await createdTickets(page, 2))[1];
  await w(page).log.getByText(/Sent!/).waitFor();
  await until(async () => (await adminApi(url, 'GET', `/v1/agent/tickets/${direct.id}`)).attachments.length === 1, 'the file on the ticket');
  assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(p)), []);
  await context.close();
});

/** The keys of the files the widget keeps in the page's IndexedDB. */
function keptFiles(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('deflect');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains('files')) return resolve([]);
      const keys = db.transaction('files').objectStore('files').getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result); };
    };
  }));
}

/** The files whose tickets exist, waiting to be sent. */
function waitingUploads(page) {
  return page.evaluate(() => JSON.parse(localStorage.getItem('deflect:demo:uploads') || '[]'));
}

test('keyboard only: open, type, pick an article, close, focus back on the page', async () => {
  const { url } = edge();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}/demo/`);
  await w(page).launcher.waitFor();
  const focused = () => page.evaluate(() => {
    const host = document.activeElement;
    const inner = host && host.shadowRoot && host.shadowRoot.activeElement;
    return inner ? `${inner.tagName.toLowerCase()}.${inner.className}#${inner.id}` : host && host.tagName.toLowerCase();
  });
  for (let i = 0; i < 15 && !(await focused()).includes('dfl-launcher'); i++) await page.keyboard.press('Tab');
  assert.match(await focused(), /dfl-launcher/, 'Tab reaches the launcher');
  await page.keyboard.press('Enter');
  await w(page).input.waitFor();
  assert.match(await focused(), /#dfl-q/, 'the question box has focus once open');
  await page.keyboard.type('reset passw');
  await page.locator('deflect-widget .dfl-live .dfl-choice').first().waitFor();
  const focusedText = () => page.evaluate(() => document.activeElement.shadowRoot.activeElement.innerText);
  for (let i = 0; i < 6 && !((await focused()).includes('dfl-choice') && /password/i.test(await focusedText())); i++) {
    await page.keyboard.press('Shift+Tab');
  }
  assert.match(await focused(), /dfl-choice/, 'Shift+Tab reaches a suggested article');
  await page.keyboard.press('Enter');
  await page.locator('deflect-widget .dfl-answer h3').last().waitFor();
  assert.match(await page.locator('deflect-widget .dfl-answer h3').last().innerText(), /password/i);
  await page.keyboard.press('Escape');
  await w(page).panel.waitFor({ state: 'detached' });
  assert.match(await focused(), /dfl-launcher/, 'focus returns to the launcher on the page');
  assert.equal(await w(page).launcher.getAttribute('aria-expanded'), 'false');
  await context.close();
});

test('axe-core finds no accessibility violations in the open widget', async () => {
  const { url } = edge();
  // axe is injected as a script, which the demo page's CSP would block.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  await ask(page, 'how do I get a refund');
  await page.locator('deflect-widget .dfl-answer').last().waitFor();
  const check = () => axeViolations(page, { include: [['deflect-widget', '.dfl-root']] });
  assert.deepEqual(await check(), [], 'chat with an answer');
  await page.locator('deflect-widget .dfl-person').click();
  await page.locator('deflect-widget #dfl-email').waitFor();
  assert.deepEqual(await check(), [], 'ticket form');
  await context.close();
});

test('axe-core finds no accessibility violations in the help centre', async () => {
  const { url } = edge();
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  const found = [];
  const check = async (address) => found.push(...(await axeViolations(page)).map((v) => `${address}: ${v}`));
  for (const address of ['/help/demo', '/help/demo?q=how+do+I+get+a+refund', '/help/demo?q=deliver+a+parcel+to+the+moon', '/help/demo?lang=zh']) {
    const r = await page.goto(`${url}${address}`);
    assert.equal(r.status(), 200, address);
    await check(address);
  }
  await page.goto(`${url}/help/demo`);
  const article = page.locator('a[href*="/help/demo/articles/"]').first();
  const href = await article.getAttribute('href');
  await article.click();
  await page.waitForURL(`**${href.split('?')[0]}*`);
  await check(href);
  assert.deepEqual(found, []);
  await context.close();
});

test('a 360 px wide phone screen shows the whole panel', async () => {
  const { url } = edge();
  const context = await browser.newContext({ viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  const box = await w(page).panel.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 360, `the panel fits the width: ${JSON.stringify(box)}`);
  assert.ok(box.y >= 0 && box.y + box.height <= 640, `the panel fits the height: ${JSON.stringify(box)}`);
  const input = await w(page).input.boundingBox();
  assert.ok(input.x >= 0 && input.x + input.width <= 360, 'the question box is on screen');
  await ask(page, 'change my plan');
  await page.locator('deflect-widget .dfl-answer, deflect-widget .dfl-choices').last().waitFor();
  await context.close();
});

test('a question asked before the KB index arrives is answered when it does', async () => {
  const { url } = edge();
  const context = await browser.newContext();
  const page = await context.newPage();
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route('**/v1/kb/index**', async (route) => { await held; await route.continue(); });
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  await ask(page, 'I forgot my password');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('deflect-widget .dfl-answer').count(), 0, 'no answer yet');
  assert.equal(await page.getByText("I couldn't find an answer").count(), 0, 'and no premature "no answer"');
  release();
  await page.locator('deflect-widget .dfl-answer h3').last().waitFor();
  assert.match(await page.locator('deflect-widget .dfl-answer h3').last().innerText(), /password/i);
  await context.close();
});

test('the page API: open, identify, close, onTicketCreated', async () => {
  const { url, persist } = edge();
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = watch(page);
  // The site's server signs the customer's e-mail with its identity secret.
  const secret = (await adminApi(url, 'GET', '/v1/admin/identity-secret?site=demo')).secret;
  const signature = createHmac('sha256', secret).update('known@example.com').digest('hex');
  await page.goto(`${url}/demo/`);
  // Calls made before the wasm is ready are queued by the loader.
  await page.evaluate((signature) => {
    window.__created = [];
    window.Deflect.onTicketCreated((t) => window.__created.push(t));
    window.Deflect.identify({ email: 'known@example.com', name: 'Known Customer', signature });
    window.Deflect.open();
  }, signature);
  await w(page).input.waitFor();
  await w(page).person.click();
  assert.equal(await page.locator('deflect-widget #dfl-email').inputValue(), 'known@example.com');
  assert.equal(await page.locator('deflect-widget #dfl-name').inputValue(), 'Known Customer');
  const marker = unique('api');
  await page.locator('deflect-widget #dfl-message').fill(`Sent through the page API ${marker}`);
  await page.locator('deflect-widget .dfl-form button[type=submit]').click();
  await page.waitForFunction(() => window.__created.length === 1);
  const [created] = await page.evaluate(() => window.__created);
  const rows = d1(persist, `SELECT c.name, t.customer_identity FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = '${created.id}'`);
  assert.deepEqual(rows, [{ name: 'Known Customer', customer_identity: 'verified' }], 'the site vouched for them');
  await page.evaluate(() => window.Deflect.close());
  await w(page).panel.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a verified customer's conversations follow them to another browser, and not to the next person", async () => {
  const { url } = edge();
  // The site's server signs each customer's e-mail with its identity secret.
  const secret = (await adminApi(url, 'GET', '/v1/admin/identity-secret?site=demo')).secret;
  const marker = unique('roam');
  const vera = `${marker}@example.com`;
  // A plain signature, or one that expires in an hour.
  const hmac = (text) => createHmac('sha256', secret).update(text).digest('hex');
  const until = Math.floor(Date.now() / 1000) + 3600;
  const identify = (page, email, expiring = false) => page.evaluate(([email, signature]) => window.Deflect.identify({ email, name: 'Vera', signature }),
    [email, expiring ? `${until}.${hmac(`${email}\n${until}`)}` : hmac(email)]);
  const visit = async (context) => {
    const page = await context.newPage();
    await page.goto(`${url}/demo/`);
    await page.waitForFunction(() => window.Deflect);
    return page;
  };

  // On her laptop, signed in to the shop, Vera asks a person.
  const laptop = await browser.newContext();
  const a = await visit(laptop);
  const laptopProblems = watch(a);
  await identify(a, vera);
  await openWidget(a);
  await collectTickets(a);
  await w(a).person.click();
  await a.locator('deflect-widget #dfl-message').fill(`Where is parcel ${marker}?`);
  await a.locator('deflect-widget .dfl-form button[type=submit]').click();
  const [ticket] = await createdTickets(a);
  assert.deepEqual(laptopProblems, []);
  await laptop.close();
  await adminApi(url, 'POST', `/v1/agent/tickets/${ticket.id}/messages`, { body: `It ships today. ${marker}` });

  // On her phone, which never saw the ticket, the reply waits for her (this
  // page signs with a signature that expires).
  const phone = await browser.newContext();
  const b = await visit(phone);
  const problems = watch(b);
  await identify(b, vera, true);
  assert.equal(await b.evaluate(() => localStorage.length), 0, 'nothing is fetched or stored before she opens the widget');
  await openWidget(b);
  await b.locator('deflect-widget .dfl-head .dfl-text-btn', { hasText: '(1)' }).click();
  const item = b.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: marker });
  await item.locator('.dfl-new').waitFor();
  await item.click();
  await b.locator('deflect-widget .dfl-thread').getByText(`It ships today. ${marker}`).waitFor();
  await b.locator('deflect-widget .dfl-thread').getByText(`Where is parcel ${marker}?`).waitFor();

  // A visit the page does not identify (she signed out) does not show it,
  // though the browser keeps it for her next visit.
  await b.reload();
  await b.waitForFunction(() => window.Deflect);
  await openWidget(b);
  await b.locator('deflect-widget .dfl-head .dfl-text-btn').click();
  await b.locator('deflect-widget .dfl-pane h3').waitFor();
  assert.equal(await b.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: marker }).count(), 0, 'hidden');
  assert.ok(await b.evaluate((id) => JSON.stringify(localStorage).includes(id), ticket.id), 'kept');
  // When the page says she signed out, this browser forgets her e-mail and
  // her conversations; signed in again, they are fetched again.
  await identify(b, vera, true);
  await b.evaluate(() => window.Deflect.identify({}));
  await b.waitForFunction((id) => !JSON.stringify(localStorage).includes(id), ticket.id);
  // The next person at this page starts afresh: the chat, not her list, and
  // the form without her e-mail.
  await w(b).person.click();
  assert.equal(await b.locator('deflect-widget #dfl-email').inputValue(), '', 'the next person does not see her e-mail');
  await identify(b, vera, true);
  await b.waitForFunction((id) => JSON.stringify(localStorage).includes(id), ticket.id);
  // Once the page names someone else, it is forgotten.
  await identify(b, `next-${marker}@example.com`);
  await b.waitForFunction((id) => !JSON.stringify(localStorage).includes(id), ticket.id);
  assert.deepEqual(problems, []);
  await phone.close();
});
