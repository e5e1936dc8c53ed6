// The support team's dashboard in headless Chromium, on a fresh local edge
// of its own so the queue and the metrics hold only what this file does.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createHmac } from 'node:crypto';
import { launch, dashEdge, d1, watch, w, openWidget, ask, leaveTicket, collectTickets, createdTickets, adminPassword, adminApi, staffApi, sentMails, ADMIN_EMAIL, screenshotPath, unique, axeViolations } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"><b>bold</b>`;

/**
 * A browser context for one member of staff, seen by the edge as its own
 * client address (the header Cloudflare sets), so each test has its own
 * login rate-limit budget, as people on different machines do.
 */
const staffContext = (options = {}) => browser.newContext({ ...options, extraHTTPHeaders: { 'cf-connecting-ip': unique('staff') } });

/** Opens the dashboard and submits the login form. */
async function submitLogin(page, url, email, password) {
  await page.goto(`${url}/dashboard/`);
  await page.locator('#password').waitFor();
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.locator('#password').press('Enter');
}

async function login(page, url, email, password) {
  await submitLogin(page, url, email, password);
  await page.locator('nav.top').waitFor();
}

/** Sends an API request from the page, with its session cookie. */
const api = (page, method, path, body) => page.evaluate(async ([method, path, body]) => {
  const r = await fetch(path, { method, headers: { 'content-type': 'application/json', 'x-deflect-csrf': '1' }, body: body && JSON.stringify(body) });
  return { status: r.status, json: await r.json().catch(() => null) };
}, [method, path, body]);

/**
 * Creates a ticket on the demo site from the page (as the widget would),
 * keyed by its subject; returns the ticket and its customer token.
 */
async function createTicket(page, customer, subject, message) {
  const created = await page.evaluate(async ([customer, subject, message]) => {
    const r = await fetch('/v1/tickets', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': subject.replace(/\W/g, '-') },
      body: JSON.stringify({ site: 'demo', customer, subject, message }),
    });
    return { status: r.status, json: await r.json() };
  }, [customer, subject, message]);
  assert.equal(created.status, 201, JSON.stringify(created.json));
  return created.json;
}

/** A customer session on the demo page: asks, and says the answer helped. */
async function deflectedSession(context, url, question) {
  const page = await context.newPage();
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  await ask(page, question);
  const answer = page.locator('deflect-widget .dfl-answer').last();
  await answer.waitFor();
  await answer.getByRole('button', { name: 'This helped' }).click();
  await w(page).log.getByText('Glad it helped!').waitFor();
  await page.close();
}

/**
 * A customer on the demo page who leaves these tickets in the widget, one
 * after the other; returns their browser context, page, the page's
 * problems and the tickets created.
 */
async function customerWithTickets(url, tickets) {
  const customer = await browser.newContext();
  const page = await customer.newPage();
  const problems = watch(page);
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  await collectTickets(page);
  for (const [i, t] of tickets.entries()) {
    await w(page).person.click();
    await leaveTicket(page, t);
    await createdTickets(page, i + 1);
  }
  return { customer, page, problems, created: await createdTickets(page, tickets.length) };
}

test('a logged-out browser is sent to the login page', async () => {
  const { url } = dashEdge();
  const context = await browser.newContext();
  const page = await context.newPage();
  for (const route of ['#/queue', '#/settings', '#/metrics']) {
    await page.goto(`${url}/dashboard/${route}`);
    await page.locator('#password').waitFor();
    assert.equal(await page.locator('nav.top').count(), 0, `${route} shows nothing but the login`);
  }
  await context.close();
});

test('an urgent widget ticket tops the queue; the agent replies and solves; the customer sees it and rates', async () => {
  const { url } = dashEdge();
  // The customer: a calm question first, then an urgent one with markup.
  const customer = await browser.newContext();
  const page = await customer.newPage();
  const customerProblems = watch(page);
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  await collectTickets(page);
  await w(page).person.click();
  await leaveTicket(page, { email: 'calm@example.com', name: 'Calm Customer', message: 'When does the summer sale start?' });
  await createdTickets(page, 1);
  const marker = unique('urgent');
  await w(page).person.click();
  await leaveTicket(page, {
    email: 'urgent@example.com',
    name: `Mallory ${HOSTILE}`,
    message: `URGENT: production is down, I forgot my password and nobody on our team can log in! ${marker} ${HOSTILE}`,
  });
  const [, urgent] = await createdTickets(page, 2);

  // The agent (the seeded admin) sees it first, with its explanation.
  const agent = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const dash = await agent.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const first = dash.locator('tr.ticket-row').first();
  await first.waitFor();
  assert.equal(await first.getAttribute('data-id'), urgent.id, 'the urgent ticket is at the top of the queue');
  assert.match(await first.locator('.badge').innerText(), /urgent/);
  assert.match(await first.locator('a.subject').innerText(), /^URGENT: production is down/);
  assert.ok((await first.innerText()).includes('<script>window.__pwned = 1</script>'), 'markup shows as text in the queue');
  await first.locator('.badge').click();
  await dash.locator('.explain').waitFor();
  assert.match(await dash.locator('.explain').innerText(), /outage|cannot access|urgent/i, 'the score explains itself');
  // Its terms come to more than 100: the sum is shown, and the bound it is held to.
  assert.match(await dash.locator('.explain').innerText(), /^score 100\.0 = [\d.]+ \(base\) \+ [\d.]+ importance \+ [\d.]+ urgency = 1\d\d\.\d, held to 100 · model: hand/);
  await dash.screenshot({ path: screenshotPath('queue.png') });
  // The text filter narrows the queue to the calm question.
  await dash.locator('#f-q').fill('summer sale');
  await dash.locator('#f-q').press('Enter');
  await dash.waitForFunction(() => document.querySelectorAll('tr.ticket-row').length === 1);
  assert.match(await dash.locator('tr.ticket-row a.subject').innerText(), /summer sale/);
  await dash.locator('#f-q').fill('');
  await dash.locator('#f-q').press('Enter');
  await dash.waitForFunction(() => document.querySelectorAll('tr.ticket-row').length === 2);

  // The ticket view: thread, customer, reply, solve.
  await first.locator('a.subject').click();
  await dash.locator('#reply').waitFor();
  const body = await dash.locator('body').innerText();
  assert.ok(body.includes(`Mallory ${HOSTILE}`), 'the customer name shows as text');
  assert.ok(body.includes(HOSTILE), 'the message shows as text');
  await dash.locator('#reply').fill('Hello from the team: logins work again.');
  // The matcher's suggestion goes into the reply as a help-centre link.
  const suggestion = dash.locator('section.suggested li').first();
  await suggestion.waitFor();
  const suggestedTitle = await suggestion.locator('a').innerText();
  await suggestion.getByRole('button', { name: /^Insert a link to/ }).click();
  const withLink = await dash.locator('#reply').inputValue();
  const title = suggestedTitle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(withLink, new RegExp(`^Hello from the team: logins work again\\.\\n${title}: ${url}/help/demo/articles/[\\w-]+$`));
  await dash.locator('form button[type=submit]').first().click();
  await dash.getByText('Hello from the team: logins work again.').first().waitFor();
  await dash.locator('#t-status').selectOption('solved');
  await dash.waitForFunction(() => document.querySelector('#t-status').value === 'solved');
  await dash.waitForTimeout(300);
  await dash.screenshot({ path: screenshotPath('ticket.png'), fullPage: true });
  const detail = await api(dash, 'GET', `/v1/agent/tickets/${urgent.id}`);
  assert.equal(detail.json.ticket.status, 'solved');

  // The customer sees the reply and the status in the widget, and rates.
  await page.locator('deflect-widget .dfl-head .dfl-text-btn').click();
  await page.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: /^URGENT: production is down/ }).click();
  await page.locator('deflect-widget .dfl-thread').getByText('Hello from the team: logins work again.').waitFor();
  // The address in the reply is a link that opens the article in a new tab.
  const link = page.locator('deflect-widget .dfl-thread a[href*="/help/demo/articles/"]');
  assert.equal(await link.count(), 1);
  assert.equal(await link.getAttribute('href'), withLink.split(': ').pop());
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.equal(await page.locator('deflect-widget .dfl-status-value').innerText(), 'Solved');
  await page.locator('deflect-widget #dfl-rate-comment').fill('Quick fix <b>thanks</b>');
  await page.locator('deflect-widget .dfl-star').nth(4).click();
  await page.locator('deflect-widget').getByText(/thank/i).waitFor();
  const rated = await api(dash, 'GET', `/v1/agent/tickets/${urgent.id}`);
  assert.equal(rated.json.csat, 5);
  assert.equal(rated.json.csat_comment, 'Quick fix <b>thanks</b>', 'the comment reaches the team');

  assert.equal(await dash.evaluate(() => window.__pwned), undefined, 'no customer markup ran in the dashboard');
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no markup ran in the widget');
  assert.deepEqual(problems, []);
  assert.deepEqual(customerProblems, []);
  await agent.close();
  await customer.close();
});

/** An admin creates an agent (role agent) with this password; returns the e-mail. */
async function createAgent(url, password) {
  const adminContext = await staffContext();
  const admin = await adminContext.newPage();
  await login(admin, url, ADMIN_EMAIL, adminPassword());
  const email = `${unique('agent')}@example.com`;
  const created = await api(admin, 'POST', '/v1/admin/agents', { email, name: 'Ada Agent', role: 'agent', password });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  await adminContext.close();
  return email;
}

test('an agent cannot reach admin settings', async () => {
  const { url } = dashEdge();
  const email = await createAgent(url, 'agent password 123');
  const context = await staffContext();
  const page = await context.newPage();
  await login(page, url, email, 'agent password 123');
  assert.equal(await page.locator('nav.top a[href="#/settings"]').count(), 0, 'no Settings link for agents');
  await page.goto(`${url}/dashboard/#/settings`);
  await page.getByText('Settings need the admin role.').waitFor();
  assert.equal(await page.locator('#rules, textarea').count(), 0, 'no settings form is shown');
  const r = await api(page, 'GET', '/v1/admin/settings');
  assert.equal(r.status, 403);
  await context.close();
});

/** The code an authenticator app shows for a base32 secret, `ahead` steps from now (RFC 6238). */
function appCode(secret, ahead = 0) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const ch of secret.replace(/\s/g, '').toUpperCase()) bits += alphabet.indexOf(ch).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + ahead));
  const mac = createHmac('sha1', key).update(counter).digest();
  const at = mac[19] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1000000).padStart(6, '0');
}

test('an agent turns on two-step login with an authenticator app; logging in then asks for its code; an admin can reset it', async () => {
  const { url } = dashEdge();
  const password = 'agent password 2fa';
  const email = await createAgent(url, password);
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, email, password);
  await page.goto(`${url}/dashboard/#/account`);
  await page.getByRole('heading', { name: 'Two-step login' }).waitFor();
  assert.match(await page.locator('#two-factor-state').textContent(), /^Off/);
  await page.locator('#two-factor-password').fill(password);
  await page.getByRole('button', { name: 'Set up two-step login' }).click();
  await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
  const secret = (await page.locator('#totp-secret').textContent()).replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await page.locator('#totp-code').fill(appCode(secret));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.locator('ul.recovery-codes li').first().waitFor();
  assert.equal(await page.locator('ul.recovery-codes li').count(), 10);
  assert.match(await page.locator('#two-factor-state').textContent(), /^On/);
  assert.deepEqual(problems, []);

  // A new browser: the password, then the code.
  const later = await staffContext();
  const again = await later.newPage();
  const laterProblems = watch(again);
  await submitLogin(again, url, email, password);
  await again.locator('#code').waitFor();
  assert.equal(await again.locator('nav.top').count(), 0, 'not in yet');
  await again.locator('#code').fill('12345x');
  await again.locator('#code').press('Enter');
  await again.getByRole('alert').getByText(/6 digits/).waitFor();
  await again.locator('#code').fill(appCode(secret, 1));
  await again.locator('#code').press('Enter');
  await again.locator('nav.top').waitFor();
  assert.deepEqual(laterProblems, []);

  // The first browser sees both sessions and logs the other one out.
  await page.reload();
  await page.getByRole('heading', { name: 'Where you are logged in' }).waitFor();
  await page.locator('table.sessions tr.session').nth(1).waitFor();
  assert.equal(await page.locator('table.sessions tr.session').count(), 2);
  assert.match(await page.locator('tr.session[data-current="true"]').innerText(), /Chrome on Linux — this browser/);
  await page.getByRole('button', { name: 'Log out everywhere else' }).click();
  await page.getByRole('status').getByText('Every other session is logged out.').waitFor();
  await page.locator('table.sessions tr.session').nth(1).waitFor({ state: 'detached' });
  assert.equal((await api(again, 'GET', '/v1/auth/me')).status, 401, 'the other browser is logged out');

  // The admin sees it on, and resets it for a lost phone.
  const adminContext = await staffContext();
  const admin = await adminContext.newPage();
  await login(admin, url, ADMIN_EMAIL, adminPassword());
  await admin.locator('nav.top a[href="#/settings"]').click();
  const row = admin.locator('tr', { hasText: email });
  await row.locator('td.two-step', { hasText: 'on' }).waitFor();
  await row.getByRole('button', { name: 'Reset two-step login of Ada Agent' }).click();
  await row.locator('td.two-step', { hasText: 'off' }).waitFor();
  await adminContext.close();
  await later.close();
  await context.close();
});

test('when the team requires two-step login, an agent without it sees only the account page until it is set up', async () => {
  const { url } = dashEdge();
  // A second admin with two-step login turns the rule on (the seeded admin
  // has none, and the other tests log in as them), and off again at the end.
  const password = 'policy admin password';
  const adminContext = await staffContext();
  const admin = await adminContext.newPage();
  await login(admin, url, ADMIN_EMAIL, adminPassword());
  const adminEmail = `${unique('policy-admin')}@example.com`;
  assert.equal((await api(admin, 'POST', '/v1/admin/agents', { email: adminEmail, name: 'Pat Policy', role: 'admin', password })).status, 201);
  const policyContext = await staffContext();
  const policy = await policyContext.newPage();
  await login(policy, url, adminEmail, password);
  const setup = (await api(policy, 'POST', '/v1/auth/two-factor/setup', { password })).json;
  assert.equal((await api(policy, 'POST', '/v1/auth/two-factor/confirm', { code: appCode(setup.secret) })).status, 200);
  const settings = (await api(policy, 'GET', '/v1/admin/settings')).json;
  assert.equal((await api(policy, 'PUT', '/v1/admin/settings', { ...settings, require_two_factor: true })).status, 200);
  await adminContext.close();
  try {
    const agentPassword = 'agent password policy';
    const email = await (async () => {
      const e = `${unique('agent')}@example.com`;
      const r = await api(policy, 'POST', '/v1/admin/agents', { email: e, name: 'Nat New', role: 'agent', password: agentPassword });
      assert.equal(r.status, 201, JSON.stringify(r.json));
      return e;
    })();
    const context = await staffContext();
    const page = await context.newPage();
    const problems = watch(page);
    await login(page, url, email, agentPassword);
    await page.locator('#two-factor-demanded').waitFor();
    await page.locator('nav.top a[href="#/queue"]').click();
    await page.locator('#two-factor-demanded').waitFor();
    assert.equal(await page.locator('table.queue').count(), 0, 'no queue before two-step login is on');
    await page.locator('#two-factor-password').fill(agentPassword);
    await page.getByRole('button', { name: 'Set up two-step login' }).click();
    const secret = (await page.locator('#totp-secret').textContent()).replace(/\s/g, '');
    await page.locator('#totp-code').fill(appCode(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.locator('ul.recovery-codes li').first().waitFor();
    assert.equal(await page.locator('#two-factor-demanded').count(), 0);
    assert.equal(await page.locator('ul.recovery-codes li').count(), 10, 'the codes stay on screen');
    await page.locator('nav.top a[href="#/queue"]').click();
    await page.locator('table.queue').waitFor();
    assert.deepEqual(problems, []);
    await context.close();
  } finally {
    assert.equal((await api(policy, 'PUT', '/v1/admin/settings', { ...settings, require_two_factor: false })).status, 200);
    await policyContext.close();
  }
});

test('an admin makes an API token in Settings, sees it once, and revokes it', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  await page.locator('nav.top a[href="#/settings"]').click();
  await page.getByRole('heading', { name: 'API tokens' }).waitFor();
  const name = unique('export script');
  await page.locator('#token-name').fill(name);
  await page.getByRole('button', { name: 'Make a token' }).click();
  const shown = page.locator('.new-token code.token');
  await shown.waitFor();
  const token = (await shown.textContent()).trim();
  assert.match(token, /^dfl_/);
  const row = page.locator('table.tokens tr', { hasText: name });
  await row.waitFor();
  assert.equal(await row.getByText(token).count(), 0, 'the list does not show the token');
  assert.equal(await row.locator('td.token-ends').textContent(), 'when revoked');

  // One made to last 30 days says when it stops.
  const monthly = unique('monthly script');
  await page.locator('#token-name').fill(monthly);
  await page.locator('#token-days').selectOption('30');
  await page.getByRole('button', { name: 'Make a token' }).click();
  const monthlyRow = page.locator('table.tokens tr', { hasText: monthly });
  await monthlyRow.waitFor();
  const ends = await monthlyRow.locator('td.token-ends').textContent();
  const expires = (await api(page, 'GET', '/v1/admin/tokens')).json.find((t) => t.name === monthly).expires_at;
  assert.ok(Math.abs(expires - Date.now() - 30 * 86400000) < 600000, `30 days from now: ${expires}`);
  assert.notEqual(ends, 'when revoked');
  assert.match(ends, new RegExp(String(new Date(expires).getUTCFullYear())), ends);
  assert.equal(await page.locator('#token-days').inputValue(), '', 'the form starts over');
  await monthlyRow.getByRole('button', { name: `Revoke ${monthly}` }).click();
  await monthlyRow.waitFor({ state: 'detached' });

  const asScript = () => page.evaluate(async (token) => (await fetch('/v1/auth/me', { headers: { authorization: `Bearer ${token}` }, credentials: 'omit' })).status, token);
  assert.equal(await asScript(), 200);
  await row.getByRole('button', { name: `Revoke ${name}` }).click();
  await page.getByRole('status').getByText(`Revoked the token “${name}”.`).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.equal(await shown.count(), 0, 'the revoked token is no longer shown');
  assert.equal(await asScript(), 401);
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * A webhook receiver on 127.0.0.1 that answers with `status()` and keeps
 * what it got.
 */
async function webhookReceiver(status) {
  const hits = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      res.writeHead(status()).end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/deflect`, hits, close: () => server.close() };
}

test('an admin tests a webhook receiver, sends a failed delivery again, and checks its signature with the secret', async () => {
  const { url } = dashEdge();
  let answer = 503;
  const receiver = await webhookReceiver(() => answer);
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  await page.locator('nav.top a[href="#/settings"]').click();
  await page.getByRole('heading', { name: 'Webhooks' }).waitFor();

  // The receiver is down: the test says so in words and gives up at once.
  await page.locator('#webhook-test-url').fill(receiver.url);
  await page.getByRole('button', { name: 'Send a test' }).click();
  await page.getByRole('status').getByText(`The test did not reach ${receiver.url}: the receiver answered 503.`).waitFor();
  const row = page.locator('table.deliveries tr.delivery', { hasText: receiver.url }).first();
  await row.waitFor();
  assert.equal(await row.getAttribute('data-state'), 'failed');
  assert.equal((await row.locator('td.standing').textContent()).trim(), 'gave up');

  // It is back: sending the same delivery again reaches it.
  answer = 200;
  await row.getByRole('button', { name: `Send again the ping delivery to ${receiver.url}` }).click();
  await page.getByRole('status').getByText('Sent again: delivered (200).').waitFor();
  await page.locator(`table.deliveries tr.delivery[data-state="delivered"]`, { hasText: receiver.url }).first().waitFor();
  assert.equal(receiver.hits.length, 2);
  const [first, second] = receiver.hits;
  assert.equal(first.headers['deflect-delivery'], second.headers['deflect-delivery'], 'one delivery, two attempts');
  assert.equal(second.headers['deflect-event'], 'ping');

  // The secret shown verifies the signature, as a receiver would check it.
  await page.getByRole('button', { name: 'Show the signing secret' }).click();
  const secret = (await page.locator('#webhook-secret').textContent()).trim();
  assert.match(secret, /^whsec_/);
  const verifies = (hit, key) => {
    const parts = hit.headers['deflect-signature'].split(',');
    const t = parts.find((p) => p.startsWith('t=')).slice(2);
    const macs = parts.filter((p) => p.startsWith('v1=')).map((p) => p.slice(3));
    return macs.includes(createHmac('sha256', key).update(`${t}.${hit.body}`).digest('hex'));
  };
  assert.ok(verifies(second, secret), second.headers['deflect-signature']);
  assert.ok(!verifies({ ...second, body: `${second.body} ` }, secret), 'a changed body does not verify');

  // Rotating asks first, then shows the new secret.
  await page.locator('#rotate-secret').click();
  await page.locator('#rotate-confirm').click();
  await page.getByRole('status').getByText(/A new signing secret is in use/).waitFor();
  const rotated = (await page.locator('#webhook-secret').textContent()).trim();
  assert.notEqual(rotated, secret);
  await page.locator('#webhook-test-url').fill(receiver.url);
  await page.getByRole('button', { name: 'Send a test' }).click();
  await page.getByRole('status').getByText(`The test reached ${receiver.url} (it answered 200).`).waitFor();
  const third = receiver.hits[2];
  assert.ok(verifies(third, rotated) && verifies(third, secret), 'both secrets sign for a day');

  receiver.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('an admin shows a site\'s identity secret; a ticket the site signed with it shows its customer as verified, a wrong signature as not', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  await page.locator('nav.top a[href="#/settings"]').click();
  await page.getByRole('heading', { name: 'Identity verification' }).waitFor();
  await page.getByRole('button', { name: 'Show the identity secret' }).click();
  const secret = (await page.locator('#identity-secret').textContent()).trim();
  assert.match(secret, /^idsec_/);

  // The site's server signs its logged-in customer's e-mail with it.
  const email = `${unique('vera')}@example.com`;
  const signature = createHmac('sha256', secret).update(email).digest('hex');
  const signed = await createTicket(page, { email, name: 'Vera', signature }, unique('Signed in'), 'Where is my order?');
  await page.goto(`${url}/dashboard/#/ticket/${signed.ticket.id}`);
  await page.locator('#customer-identity').getByText("verified: the site's page had logged them in").waitFor();
  const forged = await createTicket(page, { email, signature: signature.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, unique('Forged'), 'Refund me');
  await page.goto(`${url}/dashboard/#/ticket/${forged.ticket.id}`);
  await page.locator('#customer-identity').getByText("not verified: the site's signature did not match").waitFor();
  // A ticket with no signature says nothing of it.
  const typed = await createTicket(page, { email }, unique('Typed'), 'Hello');
  await page.goto(`${url}/dashboard/#/ticket/${typed.ticket.id}`);
  await page.getByRole('heading', { name: 'Customer' }).waitFor();
  assert.equal(await page.locator('#customer-identity').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an agent changes their own password from the account page', async () => {
  const { url } = dashEdge();
  const email = await createAgent(url, 'agent password 123');
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, email, 'agent password 123');
  await page.locator('nav.top a[href="#/account"]').click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await page.getByText(email).waitFor();
  const fill = async (current, fresh, repeat) => {
    await page.locator('#current-password').fill(current);
    await page.locator('#new-password').fill(fresh);
    await page.locator('#repeat-password').fill(repeat);
    await page.getByRole('button', { name: 'Change password' }).click();
  };
  await fill('agent password 123', 'a new passphrase 456', 'a new passphrase 457');
  await page.getByRole('alert').getByText('differ').waitFor();
  await fill('not my password at all', 'a new passphrase 456', 'a new passphrase 456');
  await page.getByRole('alert').getByText('not your current password').waitFor();
  await fill('agent password 123', 'a new passphrase 456', 'a new passphrase 456');
  await page.getByRole('status').getByText('Password changed').waitFor();
  assert.equal(await page.locator('#current-password').inputValue(), '', 'the form is cleared');
  // Still logged in here, with the new session.
  assert.equal((await api(page, 'GET', '/v1/auth/me')).status, 200);
  await page.locator('nav.top').getByRole('button', { name: 'Log out' }).click();
  await page.locator('#password').waitFor();

  const later = await context.newPage();
  await submitLogin(later, url, email, 'agent password 123');
  await later.getByRole('alert').getByText('wrong e-mail or password').waitFor();
  await login(later, url, email, 'a new passphrase 456');
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * The dashboard link in the `n`th mail of this kind (`reset`, `invite`) to
 * `email`, once it came.
 */
async function mailedLink(url, persist, kind, email, n = 1) {
  for (let i = 0; i < 80; i++) {
    const mail = sentMails(persist, `<deflect-alert.${kind}.`).filter((m) => m.raw.includes(`<${email}>`))[n - 1];
    const link = mail?.text.split(/\s+/).find((word) => word.includes('/dashboard/#/reset/'));
    if (link) {
      assert.ok(link.startsWith(`${url}/dashboard/#/reset/`), `a link to this desk in the mail: ${link}`);
      return link;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`no ${kind} mail to ${email} within 20 s`);
}

test('an agent writes a signature on the account page; it goes below their replies to the customer, not below notes', async () => {
  const { url } = dashEdge();
  const password = 'agent password 123';
  const email = await createAgent(url, password);
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, email, password);
  const subject = unique('Signed');
  const created = await createTicket(page, { email: 'sig@example.com', name: 'Sig Nature' }, subject, 'Is it signed?');

  await page.goto(`${url}/dashboard/#/account`);
  await page.locator('#signature').fill('x\n'.repeat(7));
  await page.locator('#save-signature').click();
  await page.getByRole('status').getByText('at most 6 lines').waitFor();
  await page.locator('#signature').fill('Ada Agent\nAcme support, Mon–Fri');
  await page.locator('#save-signature').click();
  await page.getByRole('status').getByText('Saved: your replies to customers end with it.').waitFor();

  await page.goto(`${url}/dashboard/#/ticket/${created.ticket.id}`);
  await page.locator('#reply').waitFor();
  await page.locator('#signature-note').waitFor();
  await page.locator('#reply').fill('It is.');
  await page.locator('form.reply button[type=submit]').click();
  await page.getByRole('status').getByText('Reply sent.').waitFor();
  const reply = page.locator('ol.thread li.msg.agent .body').last();
  await reply.waitFor();
  assert.equal(await reply.innerText(), 'It is.\n\nAda Agent\nAcme support, Mon–Fri');
  // A note goes without it, and the page says no signature is added.
  await page.getByLabel('internal note (not shown to the customer)').check();
  await page.locator('#signature-note').waitFor({ state: 'detached' });
  await page.locator('#reply').fill('Checked the courier.');
  await page.locator('form.reply button[type=submit]').click();
  await page.getByRole('status').getByText('Note added.').waitFor();
  assert.equal(await page.locator('ol.thread li.msg.note .body').last().innerText(), 'Checked the courier.');

  // The customer reads the signed reply.
  const seen = await page.evaluate(async ([id, token]) => (await fetch(`/v1/tickets/${id}`, { headers: { 'x-ticket-token': token } })).json(), [created.ticket.id, created.token]);
  assert.equal(seen.messages.at(-1).body, 'It is.\n\nAda Agent\nAcme support, Mon–Fri');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an admin adds an agent without a password in Settings; the agent chooses theirs from the mailed invitation', async () => {
  const { url, persist } = dashEdge();
  const before = await adminApi(url, 'GET', '/v1/admin/settings');
  const withMail = structuredClone(before);
  withMail.sites.push({ id: unique('inviteshop').toLowerCase(), name: 'Invite Shop', allowed_origins: [], reply_address: 'help@invite.example' });
  await adminApi(url, 'PUT', '/v1/admin/settings', withMail);
  const context = await staffContext();
  try {
    const page = await context.newPage();
    const problems = watch(page);
    await login(page, url, ADMIN_EMAIL, adminPassword());
    await page.goto(`${url}/dashboard/#/settings`);
    const email = `${unique('invited')}@example.com`;
    await page.locator('#n-email').fill(email);
    await page.locator('#n-name').fill('Ivy Invited');
    await page.locator('#n-teams').fill('billing');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText(`Added Ivy Invited: a link to choose their password was mailed to ${email}.`).waitFor();
    await page.getByRole('cell', { name: email }).waitFor();
    const first = await mailedLink(url, persist, 'invite', email);
    // Mailed again from the row: the first link stops working.
    const row = page.locator('tr', { has: page.getByRole('cell', { name: email }) });
    await row.getByText('(invited)').waitFor();
    await row.getByRole('button', { name: 'Mail Ivy Invited the invitation again' }).click();
    await page.getByText(`A new link to choose their password was mailed to ${email}.`).waitFor();
    const second = await mailedLink(url, persist, 'invite', email, 2);
    assert.notEqual(second, first);

    const agent = await browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': unique('invited') } });
    const invited = await agent.newPage();
    const invitedProblems = watch(invited);
    await invited.goto(first);
    await invited.locator('#new-password').fill('my own passphrase 1');
    await invited.locator('#new-password-again').fill('my own passphrase 1');
    await invited.getByRole('button', { name: 'Set the new password' }).click();
    await invited.getByRole('alert').getByText('a newer one was mailed').waitFor();
    await invited.goto('about:blank');
    await invited.goto(second);
    await invited.locator('#new-password').fill('my own passphrase 1');
    await invited.locator('#new-password-again').fill('my own passphrase 1');
    await invited.getByRole('button', { name: 'Set the new password' }).click();
    await invited.getByRole('status').getByText('Your new password is set').waitFor();
    await login(invited, url, email, 'my own passphrase 1');
    await invited.locator('nav.top').getByText('Ivy Invited').waitFor();
    await agent.close();
    // The admin's list no longer says they are invited.
    await page.reload();
    await page.getByRole('cell', { name: email }).waitFor();
    assert.equal(await row.getByText('(invited)').count(), 0);
    assert.deepEqual([...problems, ...invitedProblems], []);
  } finally {
    await context.close();
    await adminApi(url, 'PUT', '/v1/admin/settings', before);
  }
});

test('an agent who forgot their password asks for a link on the login page and sets a new one from the mail', async () => {
  const { url, persist } = dashEdge();
  const email = await createAgent(url, 'agent password 123');
  const before = await adminApi(url, 'GET', '/v1/admin/settings');
  const withMail = structuredClone(before);
  withMail.sites.push({ id: unique('resetshop').toLowerCase(), name: 'Reset Shop', allowed_origins: [], reply_address: 'help@reset.example' });
  await adminApi(url, 'PUT', '/v1/admin/settings', withMail);
  const context = await staffContext();
  try {
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${url}/dashboard/`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Forgot your password?' }).waitFor();
    await page.locator('#reset-email').fill(email);
    await page.getByRole('button', { name: 'Mail me a link' }).click();
    await page.getByRole('status').getByText('a link to set a new password is on its way').waitFor();
    const link = await mailedLink(url, persist, 'reset', email);

    // The link opens the page to set it, without a session.
    const reset = await context.newPage();
    const resetProblems = watch(reset);
    await reset.goto(link);
    await reset.getByRole('heading', { name: 'Set a new password' }).waitFor();
    await reset.locator('#new-password').fill('a new passphrase 789');
    await reset.locator('#new-password-again').fill('a new passphrase 788');
    await reset.getByRole('button', { name: 'Set the new password' }).click();
    await reset.getByRole('alert').getByText('differ').waitFor();
    await reset.locator('#new-password-again').fill('a new passphrase 789');
    await reset.getByRole('button', { name: 'Set the new password' }).click();
    await reset.getByRole('status').getByText('Your new password is set').waitFor();
    await reset.getByRole('link', { name: 'Log in' }).click();
    await reset.locator('#password').waitFor();
    await reset.locator('#email').fill(email);
    await reset.locator('#password').fill('a new passphrase 789');
    await reset.locator('#password').press('Enter');
    await reset.locator('nav.top').waitFor();

    // The browser that used the link keeps a device cookie, sent only to
    // /v1/auth/: guesses at this login from elsewhere lock out only other
    // clients, and this browser still logs in.
    const device = (await context.cookies()).find((c) => c.name === 'deflect_device');
    assert.ok(device, 'a device cookie');
    assert.equal(device.httpOnly, true);
    assert.equal(device.path, '/v1/auth/');
    const tryLogin = async (password) => {
      const r = await fetch(`${url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-deflect-csrf': '1', 'cf-connecting-ip': unique('guesser') },
        body: JSON.stringify({ email, password }),
      });
      return r.status;
    };
    for (let i = 0; i < 10; i++) assert.equal(await tryLogin('a wrong guess 123'), 401);
    assert.equal(await tryLogin('a new passphrase 789'), 429, 'elsewhere waits');
    const here = await api(reset, 'POST', '/v1/auth/login', { email, password: 'a new passphrase 789' });
    assert.equal(here.status, 200, 'this browser does not');

    // The same link a second time says why it does nothing.
    const again = await context.newPage();
    await again.goto(link);
    await again.locator('#new-password').fill('yet another passphrase');
    await again.locator('#new-password-again').fill('yet another passphrase');
    await again.getByRole('button', { name: 'Set the new password' }).click();
    await again.getByRole('alert').getByText('was used already').waitFor();
    assert.deepEqual([...problems, ...resetProblems], []);
  } finally {
    await context.close();
    await adminApi(url, 'PUT', '/v1/admin/settings', before);
  }
});

test('an agent chooses the mail alerts they get on the account page, mentions a teammate in a note, and reads why an alert failed', async () => {
  const { url, persist } = dashEdge();
  const email = await createAgent(url, 'agent password 123');
  const teammate = await createAgent(url, 'agent password 123');
  // (bypassCSP only lets axe-core in, for the open list of teammates.)
  const context = await staffContext({ bypassCSP: true });
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, email, 'agent password 123');
  await page.goto(`${url}/dashboard/#/account`);
  await page.getByRole('heading', { name: 'Mail alerts' }).waitFor();
  const mentions = page.getByLabel('a teammate mentions me');
  const given = page.getByLabel('a ticket is given to me');
  const replied = page.getByLabel('the customer of a ticket of mine (or one I follow) writes again');
  const fresh = page.getByLabel('a new ticket comes in for my team');
  const missed = page.getByLabel('a ticket of mine (or one I follow, or one of my team');
  const summary = page.getByLabel("once a day, with the desk's last 24 hours in figures");
  const boxes = async () => Promise.all([mentions, given, replied, fresh, missed, summary].map((b) => b.isChecked()));
  assert.deepEqual(await boxes(), [true, false, false, false, false, false], 'mentions on, the rest off, at first');
  // Whether the page warns that nothing goes depends on the desk having an
  // address to send from, as the API says.
  const me = (await api(page, 'GET', '/v1/auth/me')).json;
  assert.equal(await page.locator('#mail-alerts-unsent').isVisible(), !me.mail_alerts_can_send);
  await given.check();
  await replied.check();
  await summary.check();
  await page.getByRole('button', { name: 'Save mail alerts' }).click();
  await page.getByRole('status').getByText('Saved: you are mailed as ticked.').waitFor();
  assert.deepEqual((await api(page, 'GET', '/v1/auth/me')).json.mail_alerts,
    { mentioned: true, assigned: true, customer_replied: true, new_ticket: false, sla_missed: false, business_hours_only: false, daily_summary: true });
  // Another page and back: the page shows what was saved.
  await page.locator('nav.top a[href="#/customers"]').click();
  await page.getByRole('heading', { name: 'Customers' }).waitFor();
  await page.locator('nav.top a[href="#/account"]').click();
  await page.getByRole('heading', { name: 'Mail alerts' }).waitFor();
  assert.deepEqual(await boxes(), [true, true, true, false, false, true]);
  await page.reload();
  await page.getByRole('heading', { name: 'Mail alerts' }).waitFor();
  assert.deepEqual(await boxes(), [true, true, true, false, false, true]);

  // Alerts only while the desk is open: not offered while it keeps no
  // business hours, then offered with its hours in words.
  const adminContext = await staffContext();
  const admin = await adminContext.newPage();
  await login(admin, url, ADMIN_EMAIL, adminPassword());
  const settings = (await api(admin, 'GET', '/v1/admin/settings')).json;
  const withHours = (business_hours) => ({ ...settings, sla: { ...settings.sla, business_hours } });
  try {
    assert.equal((await api(admin, 'PUT', '/v1/admin/settings', withHours(null))).status, 200);
    await page.reload();
    await page.getByText('it keeps no business hours: an admin sets them in Settings, under SLA').waitFor();
    assert.equal(await page.locator('#alert-business-hours').isDisabled(), true, 'no hours to keep to');
    const hours = { utc_offset_minutes: 60, open: '08:30', close: '17:30', days: ['mon', 'tue', 'wed', 'thu', 'fri'], summer_time: 'eu' };
    assert.equal((await api(admin, 'PUT', '/v1/admin/settings', withHours(hours))).status, 200);
    await page.reload();
    const waits = page.getByLabel('only while the desk is open (mon–fri 08:30–17:30, UTC+01:00 with summer time as in the EU): what comes outside those hours waits');
    assert.equal(await waits.isChecked(), false);
    await waits.check();
    await page.getByRole('button', { name: 'Save mail alerts' }).click();
    await page.getByRole('status').getByText('Saved: you are mailed as ticked.').waitFor();
    assert.equal((await api(page, 'GET', '/v1/auth/me')).json.mail_alerts.business_hours_only, true);
    await page.reload();
    assert.equal(await waits.isChecked(), true, 'kept');
    await waits.uncheck();
    await page.getByRole('button', { name: 'Save mail alerts' }).click();
    await page.getByRole('status').getByText('Saved: you are mailed as ticked.').waitFor();
  } finally {
    assert.equal((await api(admin, 'PUT', '/v1/admin/settings', settings)).status, 200);
    await adminContext.close();
  }

  // On a ticket, an internal note mentions a teammate picked from the list.
  const subject = `Mention ${unique('mention')}`;
  const t = await createTicket(page, { email: `${unique('mo')}@example.com`, name: 'Mo Mention' }, subject, 'Where is it?');
  await page.goto(`${url}/dashboard/#/ticket/${t.ticket.id}`);
  await page.getByRole('heading', { name: subject }).waitFor();
  assert.equal(await page.locator('#mention').count(), 0, 'only for notes');
  await page.getByLabel('internal note (not shown to the customer)').check();
  const handle = teammate.split('@')[0].toLowerCase();
  await page.getByLabel('Reply to the customer, or write an internal note').fill('Please look');
  await page.getByLabel(/^Mention a teammate/).selectOption({ label: `Ada Agent (@${handle})` });
  assert.equal(await page.getByLabel('Reply to the customer, or write an internal note').inputValue(), `Please look @${handle} `);
  assert.equal(await page.getByLabel(/^Mention a teammate/).inputValue(), '', 'ready to mention another');
  await page.getByRole('button', { name: 'Add note' }).click();
  await page.getByRole('status').getByText('Note added.').waitFor();
  await page.locator('.msg.note').getByText(`Please look @${handle}`).waitFor();
  // Typing @ and the start of a handle offers the teammates it fits: a
  // click, or Enter on the one the arrows reach, puts the handle in.
  await page.getByLabel('internal note (not shown to the customer)').check();
  const box = page.getByLabel('Reply to the customer, or write an internal note');
  await box.fill('');
  await box.pressSequentially(`Thanks @${handle}`);
  const list = page.getByRole('listbox', { name: 'Teammates to mention' });
  const offered = list.getByRole('option', { name: `Ada Agent (@${handle})` });
  await offered.waitFor();
  assert.equal(await box.getAttribute('aria-activedescendant'), 'mention-option-0');
  await box.press('Escape');
  await list.waitFor({ state: 'detached' });
  assert.equal(await box.getAttribute('aria-activedescendant'), null, 'closed');
  await box.press('Backspace');
  await offered.click();
  assert.equal(await box.inputValue(), `Thanks @${handle} `);
  await list.waitFor({ state: 'detached' });
  await box.pressSequentially('and @ag');
  const options = list.getByRole('option');
  await options.first().waitFor();
  assert.ok(await options.count() >= 2, 'the teammates it fits are offered');
  await box.press('ArrowDown');
  assert.equal(await box.getAttribute('aria-activedescendant'), 'mention-option-1');
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  assert.deepEqual(await axeViolations(page, 'form.reply'), [], 'with the list open');
  const second = (await options.nth(1).textContent()).match(/\(@(.+)\)$/)[1];
  await box.press('Enter');
  assert.equal(await box.inputValue(), `Thanks @${handle} and @${second} `, 'Enter takes it, and adds no line');
  await box.pressSequentially('ok');
  assert.equal(await box.inputValue(), `Thanks @${handle} and @${second} ok`, 'typing goes on after it');
  await box.fill('');
  // They follow the ticket, which the page shows after a reload, and stop.
  await page.locator('#followers').getByText('No one follows this ticket.').waitFor();
  await page.getByRole('button', { name: 'Follow', exact: true }).click();
  await page.locator('#followers').getByText('Followed by Ada Agent.').waitFor();
  await page.reload();
  await page.getByRole('button', { name: 'Stop following' }).click();
  await page.locator('#followers').getByText('No one follows this ticket.').waitFor();
  await page.getByRole('button', { name: 'Follow', exact: true }).waitFor();
  assert.equal((await api(page, 'PATCH', `/v1/agent/tickets/${t.ticket.id}`, { status: 'closed' })).status, 200);

  // An alert to them that could not be sent, after every attempt, is
  // explained on their account page.
  await page.goto(`${url}/dashboard/#/account`);
  await page.getByRole('heading', { name: 'Mail alerts' }).waitFor();
  assert.equal(await page.locator('#mail-alerts-failed').count(), 0, 'none failed yet');
  d1(persist, `INSERT INTO mail_alerts (id, agent_id, ticket_id, event, created_at, next_at, state, attempts, error)
    VALUES ('${unique('alert')}', '${me.id}', '${t.ticket.id}', 'assigned', ${Date.now()}, ${Date.now()}, 'failed', 5, 'destination address not verified')`);
  await page.reload();
  await page.locator('#mail-alerts-failed').getByText('The latest alert could not be mailed to you: destination address not verified.').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the metrics page shows the deflection rate of the sessions in this test', async () => {
  const { url } = dashEdge();
  const customers = await browser.newContext();
  // Three more sessions answered in the widget and not escalated.
  await deflectedSession(customers, url, 'how do I reset my password');
  await deflectedSession(customers, url, 'how do I get a refund');
  await deflectedSession(customers, url, 'how do I invite a teammate');
  await customers.close();

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await login(page, url, ADMIN_EMAIL, adminPassword());
  // The sessions of this file: one that escalated twice (the ticket test)
  // and three deflected ones. Events are sent in the background; wait for
  // the last to land.
  let m;
  for (let i = 0; i < 50; i++) {
    m = (await api(page, 'GET', '/v1/agent/metrics?days=1')).json;
    if (m.deflected_sessions >= 3 && m.helped >= 3) break;
    await page.waitForTimeout(200);
  }
  assert.equal(m.widget_sessions, 4, JSON.stringify(m));
  assert.equal(m.deflected_sessions, 3, JSON.stringify(m));
  await page.goto(`${url}/dashboard/#/metrics`);
  const card = page.locator('.card', { hasText: 'Deflection rate' });
  await card.waitFor();
  assert.match(await card.innerText(), /75\.0%/);
  assert.match(await card.innerText(), /3 of 4 widget conversations answered without a ticket/);
  // Counts take the noun that goes with them ("1 rating", "2 ratings").
  const csat = await page.locator('.card', { hasText: 'CSAT' }).innerText();
  assert.ok(csat.includes(m.csat_count === 1 ? '1 rating ' : `${m.csat_count} ratings `), csat);
  // With the share of solved tickets that were rated.
  const solved = m.resolution.count === 1 ? '1 solved ticket' : `${m.resolution.count} solved tickets`;
  const share = csat.match(new RegExp(`\\(from (\\d+)% of ${solved}\\)`));
  assert.ok(share && Math.abs(Number(share[1]) - m.csat_response_rate * 100) <= 0.5, csat);
  assert.ok(await page.locator('svg').count() >= 2, 'the metrics are charts');
  // What the customer wrote with their rating, as text.
  await page.locator('ul.feedback li', { hasText: 'Quick fix <b>thanks</b>' }).waitFor();
  // The per-agent table holds every ticket of the period, in one row each.
  const counts = await page.locator('table.by-agent tr.agent-row td.tickets').allInnerTexts();
  assert.ok(counts.length >= 1, 'a row per agent');
  assert.equal(counts.reduce((sum, n) => sum + Number(n), 0), m.tickets, JSON.stringify(m.by_agent));
  // So does the per-channel table; the widget's tickets are named in words.
  const byChannel = await page.locator('table.by-channel tr.channel-row td.tickets').allInnerTexts();
  assert.equal(byChannel.reduce((sum, n) => sum + Number(n), 0), m.tickets, JSON.stringify(m.by_channel));
  await page.locator('table.by-channel tr.channel-row[data-channel="widget"] th', { hasText: 'Chat widget' }).waitFor();
  await page.screenshot({ path: screenshotPath('metrics.png'), fullPage: true });

  await page.goto(`${url}/dashboard/#/kb`);
  await page.locator('h1').first().waitFor();
  // The unanswered questions include the urgent ticket's markup, as text.
  await page.getByText('window.__pwned = 1').first().waitFor();
  await page.screenshot({ path: screenshotPath('kb.png'), fullPage: true });
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no customer markup ran on the KB page');
  await context.close();
});

test('an agent finds a customer in the directory, edits their record, and opens their ticket', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const marker = unique('Grace');
  const email = `${marker.toLowerCase()}@directory.example`;
  const subject = `Invoice question ${marker}`;
  await createTicket(page, { email, name: `${marker} Hopper` }, subject, 'Can I get my invoice as a PDF?');

  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
  // Part of an address finds nothing (addresses are stored encrypted); the
  // whole address, in capitals, finds the customer, as does part of a name.
  await page.locator('#c-q').fill(email.replace('.example', ''));
  await page.locator('#c-q').press('Enter');
  await page.getByText('No customers match.').waitFor();
  await page.locator('#c-q').fill(email.toUpperCase());
  await page.locator('#c-q').press('Enter');
  const row = page.locator('table.customers tr.customer-row');
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  const cells = await row.locator('td').allInnerTexts();
  assert.deepEqual(cells.slice(0, 6), [`${marker} Hopper`, email, '—', '$0.00', '1', '1']);
  assert.match(cells[6], /just now|min ago/);
  await page.locator('#c-q').fill(marker.toLowerCase());
  await page.locator('#c-q').press('Enter');
  await row.getByRole('link', { name: `${marker} Hopper` }).click();

  await page.getByRole('heading', { name: `${marker} Hopper`, level: 1 }).waitFor();
  await page.locator('#cu-value').fill('12.345');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Lifetime value: has more than two decimals').waitFor();
  await page.locator('#cu-plan').fill('Enterprise');
  await page.locator('#cu-value').fill('$1,250.50');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').getByText('Customer saved.').waitFor();
  const id = page.url().split('#/customer/')[1];
  const record = await api(page, 'GET', `/v1/agent/customers/${id}`);
  assert.equal(record.json.plan, 'Enterprise');
  assert.equal(record.json.lifetime_value_cents, 125050);

  // The directory shows the change, and the plan narrows it.
  await page.getByRole('link', { name: '← Customers' }).click();
  await page.locator('#c-q').fill(marker);
  await page.locator('#c-plan-filter').fill('basic');
  await page.locator('#c-plan-filter').press('Enter');
  await page.getByText('No customers match.').waitFor();
  await page.locator('#c-plan-filter').fill('enterprise');
  await page.locator('#c-plan-filter').press('Enter');
  await row.getByText('$1250.50').waitFor();
  assert.equal(await row.count(), 1);
  await row.getByRole('link').click();
  await page.getByRole('link', { name: subject }).click();
  await page.getByRole('heading', { name: subject, level: 1 }).waitFor();
  // The ticket's customer panel links back to the record. (Under load a
  // click can land on the panel just as it is redrawn, and be lost; a
  // person would click again, and so does this test, once.)
  const link = page.locator('a.customer-link');
  assert.equal(await link.getAttribute('href'), `#/customer/${id}`);
  await link.click();
  await page.waitForURL(/#\/customer\//, { timeout: 5000 }).catch(() => link.click());
  await page.getByRole('heading', { name: `${marker} Hopper`, level: 1 }).waitFor();
  await context.close();
});

test('an admin writes a saved reply in Settings; an agent inserts it into a reply, filled in; one that also solves and tags the ticket', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const subject = unique('Saved reply check');
  const created = await createTicket(page, { email: 'ada@example.com', name: 'Ada Lovelace' }, subject, 'Where is my invoice?');

  await page.goto(`${url}/dashboard/#/settings`);
  await page.getByRole('heading', { name: 'Saved replies' }).waitFor();
  const n = await page.locator('fieldset.saved-reply').count();
  await page.getByRole('button', { name: 'Add a saved reply' }).click();
  const title = unique('Invoice answer');
  await page.locator(`#sr-title-${n}`).fill(title);
  await page.locator(`#sr-body-${n}`).fill('Hi {{customer.nickname}}');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').getByText(`saved_replies[${n}].body: has an unknown placeholder {{customer.nickname}}`).waitFor();
  await page.locator(`#sr-body-${n}`).fill('Hi {{customer.first_name|there}}, your invoice for "{{ticket.subject}}" is on its way. {{agent.name}}');
  // A second one also solves the ticket and tags it once sent.
  await page.getByRole('button', { name: 'Add a saved reply' }).click();
  const macro = unique('Invoice sent');
  await page.locator(`#sr-title-${n + 1}`).fill(macro);
  // Each field is kept as it is typed: setting another field, adding a
  // reply or removing one loses none of it.
  await page.locator(`#sr-body-${n + 1}`).fill('The invoice is in your inbox.');
  await page.locator(`#sr-tags-${n + 1}`).fill('invoice, billing');
  await page.locator(`#sr-status-${n + 1}`).selectOption('solved');
  const sla = page.locator('#sla-low-first');
  const slaBefore = await sla.inputValue();
  await sla.fill(String(Number(slaBefore) + 1));
  await sla.dispatchEvent('change');
  await page.getByRole('button', { name: 'Add a saved reply' }).click();
  await page.locator(`#sr-title-${n + 2}`).fill('Thrown away');
  await page.getByRole('button', { name: `Remove saved reply ${n + 1}`, exact: true }).waitFor();
  await page.getByRole('button', { name: `Remove saved reply ${n + 3}`, exact: true }).click();
  assert.equal(await page.locator('fieldset.saved-reply').count(), n + 2);
  assert.equal(await page.locator(`#sr-body-${n + 1}`).inputValue(), 'The invoice is in your inbox.');
  assert.equal(await page.locator(`#sr-tags-${n + 1}`).inputValue(), 'invoice, billing');
  assert.equal(await page.locator(`#sr-status-${n + 1}`).inputValue(), 'solved');
  await sla.fill(slaBefore);
  await sla.dispatchEvent('change');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').getByText('Settings saved.').waitFor();
  const saved = (await api(page, 'GET', '/v1/admin/settings')).json.saved_replies;
  assert.deepEqual(saved.slice(n).map((r) => r.title), [title, macro], 'the removed reply is gone, the others kept');
  assert.deepEqual(saved[n + 1].add_tags, ['invoice', 'billing']);

  await page.goto(`${url}/dashboard/#/ticket/${created.ticket.id}`);
  await page.locator('#saved-reply').waitFor();
  await page.locator('#reply').fill('First line.');
  await page.locator('#saved-reply').selectOption({ label: title });
  const me = (await api(page, 'GET', '/v1/auth/me')).json;
  assert.equal(await page.locator('#reply').inputValue(), `First line.\nHi Ada, your invoice for "${subject}" is on its way. ${me.name}`);
  assert.equal(await page.locator('#saved-reply').inputValue(), '', 'the picker is ready for the next pick');
  assert.equal(await page.locator('#then').count(), 0, 'a plain saved reply only adds text');

  // The macro says what it will do; the agent can drop that, or send it.
  await page.locator('#reply').fill('');
  await page.locator('#saved-reply').selectOption({ label: macro });
  await page.locator('#then').getByText('Once the reply is sent, the ticket will be solved, tagged invoice, billing.').waitFor();
  await page.getByRole('button', { name: 'Only send the text' }).click();
  await page.locator('#then').waitFor({ state: 'detached' });
  await page.locator('#reply').fill('');
  await page.locator('#saved-reply').selectOption({ label: macro });
  await page.locator('#then').waitFor();
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.getByRole('status').getByText('Reply sent; the ticket is solved, tagged invoice, billing.').waitFor();
  const after = (await api(page, 'GET', `/v1/agent/tickets/${created.ticket.id}`)).json;
  assert.equal(after.ticket.status, 'solved');
  assert.deepEqual(after.ticket.tags.filter((t) => t === 'invoice' || t === 'billing').sort(), ['billing', 'invoice']);
  assert.equal(after.messages.filter((m) => m.body === 'The invoice is in your inbox.').length, 1);
  await page.locator('#t-status').waitFor();
  assert.equal(await page.locator('#t-status').inputValue(), 'solved', 'the page shows the new status');
  assert.equal(await page.locator('#then').count(), 0, 'the macro is spent');
  await context.close();
});

test('two agents on one ticket see each other, and a reply past the customer\'s news waits until it is read', async () => {
  const { url } = dashEdge();
  const password = 'correct horse battery';
  const agentEmail = await createAgent(url, password);
  const adminContext = await staffContext();
  const admin = await adminContext.newPage();
  const adminProblems = watch(admin);
  await login(admin, url, ADMIN_EMAIL, adminPassword());
  const subject = unique('Collision');
  const created = await createTicket(admin, { email: 'collide@example.com', name: 'Cole Lision' }, subject, 'Where is my order?');
  const agentContext = await staffContext();
  const agent = await agentContext.newPage();
  const agentProblems = watch(agent);
  await login(agent, url, agentEmail, password);

  await admin.goto(`${url}/dashboard/#/ticket/${created.ticket.id}`);
  await admin.locator('#reply').waitFor();
  await agent.goto(`${url}/dashboard/#/ticket/${created.ticket.id}`);
  await agent.locator('#reply').waitFor();
  const me = (await api(admin, 'GET', '/v1/auth/me')).json;
  await agent.locator('#presence').getByText(`${me.name} is also viewing this ticket.`).waitFor();
  // The agent starts a reply: the admin's page says so at its next report.
  await agent.locator('#reply').fill('Let me check the courier…');
  await admin.locator('#presence').getByText('Ada Agent is writing a reply.').waitFor({ timeout: 25_000 });

  // The customer writes again; the admin's reply, written before reading
  // it (the page's refresh of the thread is held at what it showed), is
  // held back, the thread reloads with the news, the draft stays.
  const shownThread = (await api(admin, 'GET', `/v1/agent/tickets/${created.ticket.id}/thread`)).json;
  await admin.route('**/thread', (route) => route.fulfill({ status: 200, json: shownThread }));
  const more = await admin.evaluate(async ([id, token]) => {
    const r = await fetch(`/v1/tickets/${id}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-ticket-token': token }, body: JSON.stringify({ body: 'Also, can I change the address?' }) });
    return r.status;
  }, [created.ticket.id, created.token]);
  assert.equal(more, 201);
  await admin.locator('#reply').fill('It ships today.');
  await admin.locator('form.reply button[type=submit]').click();
  await admin.getByRole('status').getByText(/1 new message since you opened this ticket/).waitFor();
  await admin.getByText('Also, can I change the address?', { exact: true }).waitFor();
  assert.equal(await admin.locator('#reply').inputValue(), 'It ships today.');
  await admin.unroute('**/thread');
  await admin.locator('#reply').fill('It ships today, and yes, reply with the new address.');
  await admin.locator('form.reply button[type=submit]').click();
  await admin.getByRole('status').getByText('Reply sent.').waitFor();

  // Leaving the page tells the others at once.
  await agent.goto(`${url}/dashboard/#/queue`);
  await agent.locator('tr.ticket-row').first().waitFor();
  let viewers = [];
  for (let i = 0; i < 20; i++) {
    viewers = (await api(admin, 'POST', `/v1/agent/tickets/${created.ticket.id}/presence`, {})).json;
    if (viewers.length === 0) break;
    await admin.waitForTimeout(250);
  }
  assert.deepEqual(viewers, [], 'the agent left well within the 30 seconds a report counts');
  assert.deepEqual(adminProblems, []);
  assert.deepEqual(agentProblems, []);
  await adminContext.close();
  await agentContext.close();
});

test('a message that arrives while an agent writes a reply shows in the thread, as text, without taking the draft; a teammate\'s change is offered', async () => {
  const { url, persist } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const subject = unique('Parcel');
  const created = await createTicket(page, { email: 'pat.parcel@example.com', name: 'Pat Parcel' }, subject, 'Is my parcel lost?');
  await page.goto(`${url}/dashboard/#/ticket/${created.ticket.id}`);
  await page.locator('#reply').waitFor();
  await page.locator('#reply').fill('Checking with the courier');
  await page.locator('#reply').press('End');

  // The customer writes from the widget meanwhile.
  const said = `Its number is <b>${HOSTILE}</b>`;
  const r = await fetch(`${url}/v1/tickets/${created.ticket.id}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-ticket-token': created.token, 'cf-connecting-ip': unique('customer') },
    body: JSON.stringify({ body: said }),
  });
  assert.equal(r.status, 201);
  await page.locator('ol.thread li.msg.customer .body').getByText(said, { exact: true }).waitFor({ timeout: 20_000 });
  await page.getByRole('status').getByText('New: a message from Pat Parcel.').waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'the customer\'s text is shown as text');
  assert.equal(await page.locator('#reply').inputValue(), 'Checking with the courier', 'the draft is kept');
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'reply', 'and keeps the focus');
  await page.locator('#reply').pressSequentially(', one moment.');
  assert.equal(await page.locator('#reply').inputValue(), 'Checking with the courier, one moment.');

  // A teammate who has this agent's very name writes a note: it is news
  // all the same (the page knows its own messages by agent, not by name).
  const me = (await api(page, 'GET', '/v1/auth/me')).json;
  const twin = `${unique('twin')}@example.com`;
  const made = await api(page, 'POST', '/v1/admin/agents', { email: twin, name: me.name, role: 'agent', password: 'twin password 123' });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  await staffApi(url, twin, 'twin password 123', 'POST', `/v1/agent/tickets/${created.ticket.id}/messages`, { body: 'I asked the courier too', internal: true });
  await page.getByRole('status').getByText(`New: a note from ${me.name}.`).waitFor({ timeout: 20_000 });
  const twinNote = (await api(page, 'GET', `/v1/agent/tickets/${created.ticket.id}/thread`)).json.messages.at(-1);
  assert.equal(twinNote.agent_id, made.json.id, 'agents see who wrote a note');
  const seenByCustomer = await (await fetch(`${url}/v1/tickets/${created.ticket.id}`, { headers: { 'x-ticket-token': created.token } })).json();
  assert.ok(seenByCustomer.messages.every((m) => !('agent_id' in m)), 'customers are not told agents\' ids');
  // The twin leaves the team, so no other test meets two of one name.
  await adminApi(url, 'PATCH', `/v1/admin/agents/${made.json.id}`, { name: 'Former twin', active: false });

  // The SLA line keeps time too: a first response now overdue shows as
  // such without a reload.
  const clock = page.locator('.ticket-grid span.sla');
  assert.match(await clock.innerText(), / left$/);
  d1(persist, `UPDATE tickets SET first_response_due = ${Date.now() - 3 * 60_000} WHERE id = '${created.ticket.id}'`);
  await clock.getByText(/^breached \d+ min/).waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#reply').inputValue(), 'Checking with the courier, one moment.');

  // A teammate changes the ticket: the page offers to show it, and showing
  // it keeps the draft.
  await adminApi(url, 'PATCH', `/v1/agent/tickets/${created.ticket.id}`, { status: 'pending' });
  await page.locator('#changed-notice').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#t-status').inputValue(), 'open', 'not drawn again by itself');
  await page.locator('#changed-notice').getByRole('button', { name: 'Show the changes' }).click();
  await page.locator('#changed-notice').waitFor({ state: 'detached' });
  assert.equal(await page.locator('#t-status').inputValue(), 'pending');
  assert.equal(await page.locator('#reply').inputValue(), 'Checking with the courier, one moment.');

  // The page has shown the customer's news, so the reply goes at once.
  await page.locator('form.reply button[type=submit]').click();
  await page.getByRole('status').getByText('Reply sent.').waitFor();
  const thread = (await api(page, 'GET', `/v1/agent/tickets/${created.ticket.id}/thread`)).json;
  assert.equal(thread.messages.at(-1).body, 'Checking with the courier, one moment.');
  assert.equal(thread.messages.at(-1).agent_id, me.id);
  // The page's own reply is not news to it, through the next refresh.
  await page.waitForResponse((r) => r.url().endsWith(`/v1/agent/tickets/${created.ticket.id}/thread`), { timeout: 20_000 });
  await page.waitForTimeout(300);
  assert.equal(await page.getByRole('status').getByText(/^New: /).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a change made on the ticket page keeps what the page holds unsaved: the reply, a plan being typed, a spam confirmation half done; a load that fails keeps the ticket shown', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const created = await createTicket(page, { email: `${unique('steady')}@example.com`, name: 'Sam Steady' }, unique('Steady'), 'The invoice total looks wrong');
  const id = created.ticket.id;
  await page.goto(`${url}/dashboard/#/ticket/${id}`);
  await page.locator('#t-priority').waitFor();
  await page.locator('#reply').fill('Looking at the invoice');
  await page.locator('#mark-spam').click();
  await page.locator('#spam-confirm').waitFor();

  // The agent sets the priority; the page's load of the ticket after it is
  // held while they type a plan for the customer.
  let release;
  const held = new Promise((r) => { release = r; });
  await page.route(`**/v1/agent/tickets/${id}`, async (route) => {
    if (route.request().method() === 'GET') await held;
    await route.continue();
  });
  const reloaded = page.waitForResponse((r) => r.url().endsWith(`/v1/agent/tickets/${id}`) && r.request().method() === 'GET');
  await page.locator('#t-priority').selectOption('high');
  await page.getByRole('status').getByText('Saved.').waitFor();
  await page.locator('#c-plan').click();
  await page.keyboard.type('Gold');
  release();
  await reloaded;
  await page.unroute(`**/v1/agent/tickets/${id}`);
  // The load is drawn once the select's markup names the override (the
  // agent's pick alone changes only its current value).
  await page.waitForFunction(() => document.querySelector('#t-priority option[value=high]').hasAttribute('selected'));

  assert.equal(await page.locator('#c-plan').inputValue(), 'Gold', 'the plan being typed stays');
  assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.id), 'c-plan', 'and keeps the focus');
  assert.ok(await page.locator('#spam-confirm').isVisible(), 'the spam confirmation stays open');
  assert.equal(await page.locator('#reply').inputValue(), 'Looking at the invoice');
  assert.equal((await adminApi(url, 'GET', `/v1/agent/tickets/${id}`)).ticket.priority_override, 'high');

  // A change the page did not make is drawn when asked for, and keeps them
  // too; the plan shown follows the record only when the plan changes.
  await adminApi(url, 'PATCH', `/v1/agent/tickets/${id}`, { status: 'pending' });
  await page.locator('#changed-notice').getByRole('button', { name: 'Show the changes' }).click({ timeout: 20_000 });
  await page.waitForFunction(() => document.getElementById('t-status').value === 'pending');
  assert.equal(await page.locator('#c-plan').inputValue(), 'Gold');
  assert.ok(await page.locator('#spam-confirm').isVisible());
  await page.locator('#c-plan').press('Enter');
  await page.getByRole('status').getByText('Customer saved.').waitFor();
  assert.equal((await adminApi(url, 'GET', `/v1/agent/tickets/${id}`)).customer.plan, 'Gold');

  // A load that fails (the network drops) keeps the ticket shown, with the
  // reply, and says so.
  await page.route(`**/v1/agent/tickets/${id}`, (route) =>
    route.request().method() === 'GET' ? route.abort('internetdisconnected') : route.continue());
  await page.locator('#t-priority').selectOption('low');
  await page.getByRole('status').getByText(/^The ticket could not be loaded again \(.+\); what is shown may be out of date\.$/).waitFor();
  assert.equal(await page.locator('#reply').inputValue(), 'Looking at the invoice');
  assert.equal(await page.locator('#t-status').inputValue(), 'pending');
  assert.equal(await page.locator('[role=alert]').count(), 0, 'no error in the ticket\'s place');
  await page.unroute(`**/v1/agent/tickets/${id}`);
  assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED/.test(p)), []);
  await context.close();
});

test('an agent selects tickets in the queue and solves them in one step', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const marker = unique('Bulk');
  const made = [];
  for (const n of [1, 2, 3]) {
    made.push(await createTicket(page, { email: `${marker.toLowerCase()}-${n}@example.com` }, `${marker} ticket ${n}`, 'A quick one'));
  }
  await page.goto(`${url}/dashboard/#/queue`);
  await page.locator('#f-q').fill(marker);
  await page.locator('#f-q').press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('tr.ticket-row').length === 3);
  // Select all, then leave the third out.
  await page.locator('#select-all').check();
  await page.getByText('3 selected').waitFor();
  await page.getByRole('checkbox', { name: `Select ${marker} ticket 3` }).uncheck();
  await page.getByText('2 selected').waitFor();
  assert.equal(await page.locator('#select-all').isChecked(), false);
  await page.locator('#bulk-status').selectOption('solved');
  await page.locator('#bulk-apply').click();
  await page.getByRole('status').getByText('2 tickets changed.').waitFor();
  // Solved tickets leave the open + pending view; the third stays.
  await page.waitForFunction(() => document.querySelectorAll('tr.ticket-row').length === 1);
  assert.match(await page.locator('tr.ticket-row a.subject').innerText(), / ticket 3$/);
  assert.equal(await page.locator('form.bulk').count(), 0, 'the selection was cleared');
  for (const [i, t] of made.entries()) {
    const d = await api(page, 'GET', `/v1/agent/tickets/${t.ticket.id}`);
    assert.equal(d.json.ticket.status, i < 2 ? 'solved' : 'open');
  }
  // The live refresh (every 10 s) draws again only the row whose ticket
  // changed: the table and its checkboxes stay the same elements, so a
  // refresh never takes one from under the agent's pointer.
  await page.locator('#select-all').evaluate((el) => { el.dataset.kept = 'yes'; });
  const tagged = await api(page, 'PATCH', `/v1/agent/tickets/${made[2].ticket.id}`, { tags: ['refreshed'] });
  assert.equal(tagged.status, 200, JSON.stringify(tagged.json));
  await page.locator('tr.ticket-row').getByText('refreshed').waitFor({ timeout: 25_000 });
  assert.equal(await page.locator('#select-all').getAttribute('data-kept'), 'yes', 'the table was not drawn again');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an agent pages through a long queue and the customer directory, a chosen number at a time', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const marker = unique('Paged');
  const made = await page.evaluate(async (marker) => {
    const ids = [];
    for (let n = 1; n <= 27; n++) {
      const r = await fetch('/v1/agent/tickets', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-deflect-csrf': '1', 'idempotency-key': `${marker}-${n}` },
        body: JSON.stringify({ customer: { email: `${marker.toLowerCase()}-${n}@example.com`, name: `${marker} customer ${n}` }, channel: 'email', message: `${marker} question ${n}` }),
      });
      if (r.status !== 201) throw new Error(`${r.status} ${await r.text()}`);
      ids.push((await r.json()).ticket.id);
    }
    return ids;
  }, marker);
  await page.goto(`${url}/dashboard/#/queue`);
  await page.locator('#queue-per-page').selectOption('25');
  await page.locator('#f-q').fill(marker);
  await page.locator('#f-q').press('Enter');
  const rows = () => page.locator('tr.ticket-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  await page.locator('#queue-range').getByText('Tickets 1–25 of 27').waitFor();
  const first = await rows();
  assert.equal(first.length, 25);
  assert.equal(await page.locator('#queue-prev').isDisabled(), true, 'no page before the first');
  await page.locator('#queue-next').click();
  await page.locator('#queue-range').getByText('Tickets 26–27 of 27').waitFor();
  const second = await rows();
  assert.equal(second.length, 2);
  assert.equal(await page.locator('#queue-next').isDisabled(), true, 'no page after the last');
  assert.deepEqual([...first, ...second].sort(), [...made].sort(), 'every ticket once, on one page or the other');
  // The order is the edge's, page after page.
  const order = (await api(page, 'GET', `/v1/agent/tickets?q=${marker}`)).json.map((t) => t.id);
  assert.deepEqual([...first, ...second], order);
  await page.locator('#queue-prev').click();
  await page.locator('#queue-range').getByText('Tickets 1–25 of 27').waitFor();
  // A new search starts at its first page; the page size is kept in this browser.
  await page.locator('#queue-next').click();
  await page.locator('#queue-range').getByText('Tickets 26–27 of 27').waitFor();
  await page.locator('#f-q').fill(`${marker} question 2`);
  await page.locator('#f-q').press('Enter');
  await page.locator('#queue-range').getByText('Tickets 1–9 of 9').waitFor();
  await page.reload();
  await page.locator('#queue-range').waitFor();
  assert.equal(await page.locator('#queue-per-page').inputValue(), '25');
  // The customer directory pages the same way, with a page size of its own.
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
  assert.equal(await page.locator('#customers-per-page').inputValue(), '200');
  await page.locator('#customers-per-page').selectOption('25');
  await page.locator('#c-q').fill(marker);
  await page.locator('#c-q').press('Enter');
  await page.locator('#customers-range').getByText('Customers 1–25 of 27').waitFor();
  const customers = () => page.locator('tr.customer-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  const firstCustomers = await customers();
  await page.locator('#customers-next').click();
  await page.locator('#customers-range').getByText('Customers 26–27 of 27').waitFor();
  const allCustomers = [...firstCustomers, ...(await customers())];
  assert.equal(new Set(allCustomers).size, 27, 'every customer once');
  // Closed again, so later tests see the queue as they left it.
  const closed = await api(page, 'POST', '/v1/agent/tickets/bulk', { ids: made, update: { status: 'closed' } });
  assert.equal(closed.status, 200, JSON.stringify(closed.json));
  assert.equal(closed.json.updated.length, 27);
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * Routes the first request to `pattern` to the edge, then loses its answer
 * (as a dropped connection would): the edge acted, the page hears nothing.
 */
async function loseFirstAnswer(page, pattern) {
  let lost = false;
  await page.route(pattern, async (route) => {
    if (lost || route.request().method() !== 'POST') return route.continue();
    lost = true;
    await route.fetch();
    await route.abort('connectionreset');
  });
}

test('nothing is lost or doubled: a reply survives a reload, and one whose answer was lost is sent again once, from the dashboard and the widget', async () => {
  const { url } = dashEdge();
  const marker = unique('once');
  const { customer, page, problems: customerProblems, created: [ticket] } = await customerWithTickets(url, [
    { email: `${marker.toLowerCase()}@example.com`, message: `My order never came ${marker}` },
  ]);
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  await dash.goto(`${url}/dashboard/#/ticket/${ticket.id}`);
  const text = `It ships today ${marker}`;
  await dash.locator('#reply').fill(text);
  // A reload keeps the reply being written.
  await dash.reload();
  await dash.locator('#reply').waitFor();
  await dash.waitForFunction((t) => document.querySelector('#reply').value === t, text);
  // The edge takes the reply but its answer is lost: the page says so and
  // keeps the text; sent again, it is kept once.
  await loseFirstAnswer(dash, '**/v1/agent/tickets/*/messages');
  await dash.getByRole('button', { name: 'Send reply' }).click();
  await dash.getByRole('status').getByText('the server did not answer').waitFor();
  assert.equal(await dash.locator('#reply').inputValue(), text, 'the draft stays');
  const count = async (body) => (await api(dash, 'GET', `/v1/agent/tickets/${ticket.id}`)).json.messages.filter((m) => m.body === body).length;
  assert.equal(await count(text), 1, 'the edge did take it');
  await dash.getByRole('button', { name: 'Send reply' }).click();
  await dash.getByRole('status').getByText('Reply sent.').waitFor();
  assert.equal(await count(text), 1, 'one reply');
  await dash.reload();
  await dash.locator('#reply').waitFor();
  await dash.getByText(text).first().waitFor();
  assert.equal(await dash.locator('#reply').inputValue(), '', 'a sent reply is no longer a draft');

  // The customer answers in the widget; the first answer is lost too.
  await page.locator('deflect-widget .dfl-head .dfl-text-btn').click();
  await page.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: `My order never came ${marker}` }).click();
  await page.locator('deflect-widget .dfl-thread').getByText(text).waitFor();
  await loseFirstAnswer(page, '**/v1/tickets/*/messages');
  const answer = `Great, thank you ${marker}`;
  await page.locator('deflect-widget #dfl-reply').fill(answer);
  await page.locator('deflect-widget .dfl-composer button[type=submit]').click();
  await page.locator('deflect-widget .dfl-error').getByText(/^Sending failed: /).waitFor();
  assert.equal(await page.locator('deflect-widget #dfl-reply').inputValue(), answer, 'the text stays');
  assert.equal(await count(answer), 1, 'the edge did take it');
  await page.locator('deflect-widget .dfl-composer button[type=submit]').click();
  await page.locator('deflect-widget .dfl-thread').getByText(answer).waitFor();
  assert.equal(await page.locator('deflect-widget .dfl-error').count(), 0, 'the error went');
  assert.equal(await page.locator('deflect-widget .dfl-thread').getByText(answer).count(), 1);
  assert.equal(await count(answer), 1, 'one message from the customer');
  assert.deepEqual(problems.filter((p) => !/Failed to fetch|ERR_CONNECTION_RESET/.test(p)), []);
  assert.deepEqual(customerProblems.filter((p) => !/Failed to fetch|ERR_CONNECTION_RESET/.test(p)), []);
  await staff.close();
  await customer.close();
});

test('an agent works the queue from the keyboard, and can turn the shortcuts off', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const marker = unique('Keys');
  const made = [];
  for (const n of [1, 2, 3]) {
    made.push((await createTicket(page, { email: `${marker.toLowerCase()}-${n}@example.com` }, `${marker} ticket ${n}`, 'A quick one')).ticket.id);
  }
  await page.goto(`${url}/dashboard/#/queue`);
  await page.locator('#f-q').fill(marker);
  await page.locator('#f-q').press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('tr.ticket-row').length === 3);
  const order = await page.locator('tr.ticket-row').evaluateAll((trs) => trs.map((tr) => tr.dataset.id));
  const focusedRow = () => page.evaluate(() => document.activeElement?.closest('tr.ticket-row')?.dataset.id ?? null);
  // Typed into the search field, j is a letter, not a move.
  await page.locator('#f-q').press('j');
  assert.equal(await page.locator('#f-q').inputValue(), `${marker}j`);
  await page.locator('#f-q').fill(marker);
  await page.locator('#f-q').press('Enter');
  await page.locator('h1').click();
  await page.keyboard.press('j');
  assert.equal(await focusedRow(), order[0]);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  assert.equal(await focusedRow(), order[2]);
  await page.keyboard.press('j');
  assert.equal(await focusedRow(), order[2], 'the last row stays');
  await page.keyboard.press('k');
  assert.equal(await focusedRow(), order[1]);
  await page.keyboard.press('x');
  await page.getByText('1 selected').waitFor();
  await page.keyboard.press('x');
  await page.getByText('1 selected').waitFor({ state: 'detached' });
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'f-q');
  await page.locator('h1').click();
  // ? lists them; Escape closes the list.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await help.waitFor();
  assert.match(await help.innerText(), /g q\s+Go to the queue/);
  await page.keyboard.press('Escape');
  await help.waitFor({ state: 'detached' });
  // Open the focused ticket, write a reply from the keyboard, go back.
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await page.waitForURL(new RegExp(`#/ticket/${order[0]}$`));
  await page.locator('#reply').waitFor();
  await page.keyboard.press('r');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'reply');
  await page.keyboard.type('typed r and g q here');
  assert.equal(await page.locator('#reply').inputValue(), 'typed r and g q here', 'letters in the reply stay letters');
  await page.locator('h1').click();
  await page.keyboard.press('g');
  await page.keyboard.press('c');
  await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
  await page.keyboard.press('g');
  await page.keyboard.press('q');
  await page.getByRole('heading', { name: 'Queue', level: 1 }).waitFor();

  // Turned off on the account page: keys do nothing, in this browser, until turned on.
  await page.goto(`${url}/dashboard/#/account`);
  await page.getByRole('button', { name: 'Turn keyboard shortcuts off' }).click();
  await page.getByText('Off in this browser: keys only type.').waitFor();
  await page.goto(`${url}/dashboard/#/queue`);
  await page.reload();
  await page.locator('tr.ticket-row').first().waitFor();
  await page.locator('h1').click();
  await page.keyboard.press('j');
  await page.keyboard.press('?');
  assert.equal(await focusedRow(), null, 'j does nothing');
  assert.equal(await page.getByRole('dialog').count(), 0, '? does nothing');
  await page.goto(`${url}/dashboard/#/account`);
  await page.getByRole('button', { name: 'Turn keyboard shortcuts on' }).click();
  await page.getByText('On in this browser').waitFor();
  const closed = await api(page, 'POST', '/v1/agent/tickets/bulk', { ids: made, update: { status: 'closed' } });
  assert.equal(closed.status, 200, JSON.stringify(closed.json));
  assert.deepEqual(problems, []);
  await context.close();
});

test('an agent snoozes a ticket for a day, sees it marked in the queue, and opens it again', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const marker = unique('Snooze');
  const { ticket } = await createTicket(page, { email: `${marker.toLowerCase()}@example.com` }, `${marker} back on Monday`, 'Talk then');
  await page.goto(`${url}/dashboard/#/ticket/${ticket.id}`);
  await page.locator('#t-snooze').selectOption({ label: 'for a day' });
  await page.locator('#snoozed').getByText(/^Snoozed until .+: it opens again then, or when the customer writes\./).waitFor();
  const snoozed = (await api(page, 'GET', `/v1/agent/tickets/${ticket.id}`)).json.ticket;
  assert.equal(snoozed.status, 'pending');
  assert.equal(snoozed.snoozed_until - snoozed.updated_at, 24 * 3600 * 1000);
  assert.equal(await page.locator('#t-status').inputValue(), 'pending');
  await page.goto(`${url}/dashboard/#/queue`);
  await page.locator('#f-q').fill(marker);
  await page.locator('#f-q').press('Enter');
  const row = page.locator('tr.ticket-row', { hasText: marker });
  await row.locator('.tag.snoozed').waitFor();
  await row.locator('a.subject').click();
  await page.getByRole('button', { name: 'Open it now' }).click();
  await page.locator('#t-snooze').waitFor();
  const opened = (await api(page, 'GET', `/v1/agent/tickets/${ticket.id}`)).json.ticket;
  assert.equal(opened.status, 'open');
  assert.equal(opened.snoozed_until, null);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a reply that comes while the customer has the conversation open in the widget shows there, and what they are typing keeps its focus', async () => {
  const { url } = dashEdge();
  const marker = unique('live');
  const { customer, page, problems, created: [ticket] } =
    await customerWithTickets(url, [{ email: `${marker}@example.com`, message: `Where is my refund? ${marker}` }]);
  // The panel is open on the conversation, and the customer starts typing.
  await page.locator('deflect-widget .dfl-head .dfl-text-btn').click();
  await page.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: marker }).click();
  await page.locator('deflect-widget .dfl-thread').getByText(`Where is my refund? ${marker}`).waitFor();
  const reply = page.locator('deflect-widget #dfl-reply');
  await reply.fill('Also, the order number is');
  const focused = () => page.evaluate(() => document.querySelector('deflect-widget').shadowRoot.activeElement?.id);
  assert.equal(await focused(), 'dfl-reply');

  await adminApi(url, 'POST', `/v1/agent/tickets/${ticket.id}/messages`, { body: `It went out this morning. ${marker}` });
  await page.locator('deflect-widget .dfl-thread').getByText(`It went out this morning. ${marker}`).waitFor({ timeout: 40_000 });
  assert.equal(await reply.inputValue(), 'Also, the order number is', 'the text being typed stays');
  assert.equal(await focused(), 'dfl-reply', 'and so does the focus');
  await reply.pressSequentially(' 4411');
  await reply.press('Enter');
  await page.locator('deflect-widget .dfl-thread').getByText('Also, the order number is 4411').waitFor();
  // Shown is read: on the next visit the launcher counts nothing new.
  await page.reload();
  await w(page).launcher.waitFor();
  await page.waitForFunction(() => window.Deflect);
  await page.waitForTimeout(1500);
  assert.equal(await page.locator('deflect-widget .dfl-badge').count(), 0);
  assert.deepEqual(problems, []);
  await customer.close();
});

test('a reply from the team shows on the widget launcher until the customer reads it', async () => {
  const { url } = dashEdge();
  const marker = unique('unread');
  const { customer, page, problems: customerProblems, created: [ticket] } =
    await customerWithTickets(url, [{ email: `${marker}@example.com`, message: `Is my order shipped? ${marker}` }]);
  await page.reload();
  await w(page).launcher.waitFor();
  assert.equal(await page.locator('deflect-widget .dfl-badge').count(), 0, 'nothing new yet');

  const staff = await staffContext();
  const dash = await staff.newPage();
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  // The reply comes with the parcel's label as a file.
  const uploaded = await dash.evaluate(async (path) => {
    const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'image/png', 'x-deflect-csrf': '1' }, body: 'label bytes' });
    return { status: r.status, json: await r.json() };
  }, `/v1/agent/tickets/${ticket.id}/attachments?name=label.png`);
  assert.equal(uploaded.status, 201, JSON.stringify(uploaded.json));
  const sent = await api(dash, 'POST', `/v1/agent/tickets/${ticket.id}/messages`, { body: `Yes, it left today. ${marker}`, attachments: [uploaded.json.id] });
  assert.equal(sent.status, 201, JSON.stringify(sent.json));

  // The next visit shows the count on the launcher and the conversation.
  await page.reload();
  const badge = page.locator('deflect-widget .dfl-badge');
  await badge.waitFor();
  assert.equal(await badge.innerText(), '1');
  assert.match(await w(page).launcher.getAttribute('aria-label'), /\(1 new replies\)$/);
  await w(page).launcher.click();
  await page.locator('deflect-widget .dfl-head .dfl-text-btn', { hasText: '(1)' }).click();
  const item = page.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: marker });
  await item.locator('.dfl-new').waitFor();
  await item.click();
  await page.locator('deflect-widget .dfl-thread').getByText(`Yes, it left today. ${marker}`).waitFor();
  // The file is a link under the reply, to the customer's own copy of it.
  const label = page.locator('deflect-widget .dfl-thread').getByRole('link', { name: 'label.png' });
  await label.waitFor();
  const saved = await fetch(await label.getAttribute('href'));
  assert.equal(saved.status, 200);
  assert.equal(await saved.text(), 'label bytes');
  assert.match(saved.headers.get('content-disposition'), /^attachment;/);
  // The thread links the conversation's own page (the one mailed replies
  // link to), in a new tab: what is written there shows here.
  const own = page.locator('deflect-widget .dfl-status').getByRole('link', { name: "This conversation's own page" });
  assert.equal(await own.getAttribute('target'), '_blank');
  const [tab] = await Promise.all([customer.waitForEvent('page'), own.click()]);
  const tabProblems = watch(tab);
  await tab.getByText(`Yes, it left today. ${marker}`).waitFor();
  await tab.getByLabel('Write to us').fill(`Here is the box. ${marker}`);
  await tab.getByLabel(/^Attach files/).setInputFiles({ name: 'box.png', mimeType: 'image/png', buffer: Buffer.from('box photo') });
  await tab.getByRole('button', { name: 'Send', exact: true }).click();
  await tab.getByRole('status').getByText('Thank you: we have your message.').waitFor();
  assert.deepEqual(tabProblems, []);
  await tab.close();
  await page.locator('deflect-widget .dfl-pane .dfl-text-btn').first().click();
  await item.click();
  await page.locator('deflect-widget .dfl-thread').getByText(`Here is the box. ${marker}`).waitFor();
  const box = page.locator('deflect-widget .dfl-thread').getByRole('link', { name: 'box.png' });
  await box.waitFor();
  assert.equal(await (await fetch(await box.getAttribute('href'))).text(), 'box photo');
  // Or the customer sends a file from the widget itself: it goes at once,
  // as a message of its own, with its type, and the team has it.
  const fileButton = page.locator('deflect-widget').getByLabel('Send a file');
  // While it is on its way, the widget says so.
  let release;
  const held = new Promise((r) => { release = r; });
  const upload = (url) => url.pathname.endsWith('/files');
  await page.route(upload, async (route) => { await held; await route.continue(); });
  await fileButton.setInputFiles({ name: 'receipt 收据.pdf', mimeType: 'application/pdf', buffer: Buffer.from('receipt bytes') });
  const sending = page.locator('deflect-widget').getByRole('status').filter({ hasText: 'Sending the file…' });
  await sending.waitFor();
  release();
  const receipt = page.locator('deflect-widget .dfl-thread').getByRole('link', { name: 'receipt 收据.pdf' });
  await receipt.waitFor();
  await sending.waitFor({ state: 'detached' });
  await page.unroute(upload);
  const fetched = await fetch(await receipt.getAttribute('href'));
  assert.equal(await fetched.text(), 'receipt bytes');
  assert.equal(fetched.headers.get('content-type'), 'application/pdf');
  // A screenshot pasted into the reply box goes the same way.
  await page.locator('deflect-widget #dfl-reply').evaluate((input) => {
    const data = new DataTransfer();
    data.items.add(new File(['pasted bytes'], 'image.png', { type: 'image/png' }));
    input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  const pasted = page.locator('deflect-widget .dfl-thread').getByRole('link', { name: 'image.png' });
  await pasted.waitFor();
  assert.equal(await (await fetch(await pasted.getAttribute('href'))).text(), 'pasted bytes');
  const onTicket = (await api(dash, 'GET', `/v1/agent/tickets/${ticket.id}`)).json;
  assert.ok(onTicket.attachments.some((f) => f.name === 'receipt 收据.pdf'), JSON.stringify(onTicket.attachments));
  // A file over 8 MB is refused in words before anything is sent.
  const sentBefore = onTicket.attachments.length;
  await fileButton.setInputFiles({ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(8 * 1024 * 1024 + 1) });
  await page.locator('deflect-widget').getByText('A file can be up to 8 MB.').waitFor();
  assert.equal((await api(dash, 'GET', `/v1/agent/tickets/${ticket.id}`)).json.attachments.length, sentBefore);
  await page.locator('deflect-widget .dfl-pane .dfl-text-btn').first().click();
  await item.waitFor();
  assert.equal(await item.locator('.dfl-new').count(), 0, 'read');
  // Read stays read on the next visit.
  await page.reload();
  await w(page).launcher.waitFor();
  await page.waitForTimeout(1000);
  assert.equal(await page.locator('deflect-widget .dfl-badge').count(), 0);
  assert.deepEqual(customerProblems, []);
  await staff.close();
  await customer.close();
});

test('the knowledge base page shows how each article does with customers', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const perf = async () => (await api(dash, 'GET', '/v1/agent/kb/performance?days=30')).json;
  const lineOf = (lines, id) => lines.find((l) => l.id === id);
  const before = lineOf(await perf(), 'reset-password');
  assert.ok(before, 'the demo KB has reset-password');

  // Two customers get the password article: one is helped, one is not.
  const customers = await browser.newContext();
  await deflectedSession(customers, url, 'how do I reset my password');
  const page = await customers.newPage();
  await page.goto(`${url}/demo/`);
  await openWidget(page);
  await ask(page, 'how do I reset my password');
  const answer = page.locator('deflect-widget .dfl-answer').last();
  await answer.waitFor();
  await answer.getByRole('button', { name: 'This did not help' }).click();
  await page.waitForTimeout(500);
  await customers.close();

  const after = lineOf(await perf(), 'reset-password');
  assert.equal(after.helped, before.helped + 1);
  assert.equal(after.not_helped, before.not_helped + 1);
  assert.ok(after.shown >= before.shown + 2, `${before.shown} -> ${after.shown}`);
  await dash.goto(`${url}/dashboard/#/kb`);
  const row = dash.locator('table.performance tr.perf-row[data-id="reset-password"]');
  await row.waitFor();
  const cells = await row.locator('td').allInnerTexts();
  const share = after.helped / (after.helped + after.not_helped);
  assert.deepEqual([cells[0], cells[1], cells[2], cells[4]], [String(after.shown), String(after.helped), String(after.not_helped), String(after.solved_tickets)]);
  assert.match(cells[3], /^\d+%$/);
  assert.ok(Math.abs(parseInt(cells[3], 10) - share * 100) <= 0.5, `${cells[3]} for ${share}`);
  assert.deepEqual(problems, []);
  await staff.close();
});

test('an article edited meanwhile is not overwritten: the editor shows the other version and keeps the text; history restores; a deleted article comes back', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const id = unique('returns').toLowerCase();
  const made = await api(dash, 'POST', '/v1/admin/articles', { id, title: 'Returns window', body: 'Return within 30 days.' });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const current = async () => (await api(dash, 'GET', `/v1/agent/articles/${id}`)).json;
  const notice = dash.locator('p.notice');

  await dash.goto(`${url}/dashboard/#/kb`);
  await dash.locator('ul.articles').getByRole('button', { name: 'Returns window (en)' }).click();
  await dash.locator('#a-title').fill('Mine: returns within 60 days');
  // Another admin saves first, from the same revision.
  const theirs = await api(dash, 'PUT', `/v1/admin/articles/${id}`, { title: 'Theirs: returns within 45 days', body: HOSTILE });
  assert.equal(theirs.status, 200, JSON.stringify(theirs.json));
  await dash.getByRole('button', { name: 'Save', exact: true }).click();
  const conflict = dash.locator('#edit-conflict');
  await conflict.waitFor();
  assert.match(await notice.innerText(), /^Admin changed this article after you opened it \(it is at revision 2 now\), so nothing was saved/);
  assert.equal(await conflict.locator('.their-title').innerText(), 'Theirs: returns within 45 days');
  assert.equal(await conflict.locator('.their-body').innerText(), HOSTILE, 'their text is shown as text');
  assert.equal(await dash.evaluate(() => window.__pwned), undefined);
  assert.equal(await dash.locator('#a-title').inputValue(), 'Mine: returns within 60 days', 'the editor keeps my text');
  assert.equal((await current()).title, 'Theirs: returns within 45 days', 'nothing was overwritten');
  await dash.locator('#keep-mine').click();
  await notice.getByText('Saved “Mine: returns within 60 days”').waitFor();
  const mine = await current();
  assert.deepEqual([mine.title, mine.revision], ['Mine: returns within 60 days', 3]);

  // The history lists all three, and brings back the first.
  await dash.locator('ul.articles').getByRole('button', { name: 'Mine: returns within 60 days (en)' }).click();
  await dash.locator('#show-history').click();
  const revisions = dash.locator('ol.revisions li.revision');
  await revisions.first().waitFor();
  assert.deepEqual(await revisions.evaluateAll((l) => l.map((li) => li.dataset.revision)), ['3', '2', '1']);
  assert.match(await revisions.first().innerText(), /Revision 3 — edited by .+: “Mine: returns within 60 days”/);
  assert.match(await revisions.last().innerText(), /Revision 1 — created by /);
  assert.equal(await revisions.first().locator('button.restore').count(), 0, 'the current revision has nothing to restore');
  await dash.locator('ol.revisions li.revision[data-revision="1"] button.restore').click();
  await notice.getByText('Restored revision 1 of “Returns window” as revision 4').waitFor();
  assert.equal(await dash.locator('#a-title').inputValue(), 'Returns window');
  assert.deepEqual([(await current()).title, (await current()).revision], ['Returns window', 4]);

  // Deleted, then brought back from the list of deleted articles.
  await dash.getByRole('button', { name: 'Delete', exact: true }).click();
  await notice.getByText('Deleted.').waitFor();
  const gone = dash.locator(`ul.deleted-articles li[data-id="${id}"]`);
  await gone.waitFor();
  assert.match(await gone.innerText(), /Returns window — deleted by /);
  await gone.getByRole('button', { name: 'Restore “Returns window”' }).click();
  await notice.getByText('Restored revision 5 of “Returns window” as revision 6').waitFor();
  await dash.locator('ul.articles').getByRole('button', { name: 'Returns window (en)' }).waitFor();
  await gone.waitFor({ state: 'detached' });
  assert.equal((await current()).body, 'Return within 30 days.');

  assert.equal((await api(dash, 'DELETE', `/v1/admin/articles/${id}`)).status, 204);
  assert.deepEqual(problems, []);
  await staff.close();
});

test('an admin tries a question on the saved articles before publishing, and sees what the widget would do', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const id = unique('luggage').toLowerCase();
  const made = await api(dash, 'POST', '/v1/admin/articles', {
    id, title: 'Lost luggage on the airship', body: 'Tell the purser; bags left on board are kept at the dock office for a month.',
    phrasings: ['my bag was lost on the airship', 'I left my suitcase on the zeppelin'],
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));

  await dash.goto(`${url}/dashboard/#/kb`);
  const state = dash.locator('p.publish-state');
  await state.waitFor();
  assert.match(await state.innerText(), /^Published .+\. Not in the widget yet: \d+ articles? new or changed(?: and \d+ articles? deleted)?; publish to update it\.$/);
  assert.equal(await state.getAttribute('data-pending'), 'true');
  await dash.locator('#try-q').fill('I lost my bag on the airship');
  assert.equal(await dash.locator('#try-draft').isChecked(), true, 'the saved articles by default');
  const result = dash.locator('.try-result');
  const tryIt = async () => {
    const before = await result.count() ? await result.innerText() : '';
    await dash.getByRole('button', { name: 'Try it' }).click();
    await dash.waitForFunction((b) => (document.querySelector('.try-result')?.innerText ?? '') !== b, before);
  };
  await tryIt();
  assert.equal(await result.getAttribute('data-decision'), 'answer');
  assert.match(await result.locator('.try-decision').innerText(), /^The widget answers with “Lost luggage on the airship” \(confidence \d+%; it answers from \d+%\)\. Searched the \d+ saved articles\.$/);
  const first = result.locator('ol.try-hits li').first();
  assert.deepEqual([await first.getAttribute('data-id'), await first.getAttribute('data-shown')], [id, 'true']);

  // The widget's index does not have it until it is published.
  await dash.locator('#try-draft').uncheck();
  await tryIt();
  assert.match(await result.locator('.try-decision').innerText(), /Searched the \d+ published articles\.$/);
  assert.equal(await result.locator(`ol.try-hits li[data-id="${id}"]`).count(), 0);
  await dash.getByRole('button', { name: 'Publish to the widget' }).click();
  await dash.locator('p.notice').getByText(/^Published \d+ articles/).waitFor();
  await dash.locator('p.publish-state[data-pending="false"]').getByText(/^The widget has everything saved: published just now, \d+ articles\.$/).waitFor();
  await dash.locator('#try-q').fill('I lost my bag on the airship!');
  await tryIt();
  assert.equal(await first.getAttribute('data-id'), id);

  assert.equal((await api(dash, 'DELETE', `/v1/admin/articles/${id}`)).status, 204);
  assert.equal((await api(dash, 'POST', '/v1/admin/kb/publish', {})).status, 200);
  assert.deepEqual(problems, []);
  await staff.close();
});

test('an admin reads the audit log in words, filtered by what and on what, a page at a time', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const id = unique('audited').toLowerCase();
  // 57 lines on one article: made, changed 55 times, deleted.
  const made = await dash.evaluate(async (id) => {
    const send = (method, path, body) => fetch(path, { method, headers: { 'content-type': 'application/json', 'x-deflect-csrf': '1' }, body: body && JSON.stringify(body) });
    const statuses = [(await send('POST', '/v1/admin/articles', { id, title: 'Audited', body: 'v0' })).status];
    for (let i = 1; i <= 55; i += 1) statuses.push((await send('PUT', `/v1/admin/articles/${id}`, { title: 'Audited', body: `v${i}` })).status);
    statuses.push((await send('DELETE', `/v1/admin/articles/${id}`)).status);
    return statuses;
  }, id);
  assert.deepEqual([made[0], new Set(made.slice(1, -1)), made.at(-1)], [201, new Set([200]), 204]);

  await dash.goto(`${url}/dashboard/#/audit`);
  await dash.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
  const lines = dash.locator('table.audit tr.audit-line');
  await lines.first().waitFor();
  await dash.locator('#audit-target').fill(id);
  await dash.getByRole('button', { name: 'Filter' }).click();
  await dash.waitForFunction((id) => {
    const rows = [...document.querySelectorAll('table.audit tr.audit-line')];
    return rows.length === 50 && rows.every((tr) => tr.querySelector('td:nth-child(4)').innerText === id);
  }, id);
  const first = await lines.first().locator('td').allInnerTexts();
  assert.deepEqual(first.slice(1, 4), ['Admin', 'deleted an article', id]);
  await dash.locator('#audit-older').click();
  await dash.waitForFunction(() => document.querySelectorAll('table.audit tr.audit-line').length === 57);
  assert.equal(await lines.last().locator('td:nth-child(3)').innerText(), 'wrote an article');
  assert.equal(await dash.locator('#audit-older').count(), 0, 'nothing older');

  // By area: the article's changes only.
  await dash.locator('#audit-area').selectOption('article');
  await dash.waitForFunction(() => [...document.querySelectorAll('table.audit tr.audit-line')].every((tr) => tr.dataset.action.startsWith('article.')));
  await dash.locator('#audit-area').selectOption('auth');
  await dash.getByText('Nothing in the log matches.').waitFor();
  assert.deepEqual(problems, []);
  await staff.close();
});

test('an agent sets themselves away from the top bar, which the admin sees in Settings, and comes back', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const me = (await api(dash, 'GET', '/v1/auth/me')).json;
  assert.equal(me.away, false);
  await dash.getByRole('button', { name: 'Set me away' }).click();
  await dash.locator('#away-state').getByText('away: no new tickets').waitFor();
  assert.equal((await api(dash, 'GET', '/v1/auth/me')).json.away, true);
  // It is kept: a reload still shows it, and Settings says they take no new tickets.
  await dash.goto(`${url}/dashboard/#/settings`);
  await dash.locator('#away-state').waitFor();
  const takes = dash.getByRole('checkbox', { name: `${me.name} takes new tickets (not away)` });
  await takes.waitFor();
  assert.equal(await takes.isChecked(), false);
  await dash.getByRole('button', { name: 'I am back' }).click();
  await dash.locator('#away-state').waitFor({ state: 'detached' });
  assert.equal((await api(dash, 'GET', '/v1/auth/me')).json.away, false);
  await dash.getByRole('button', { name: 'Set me away' }).waitFor();
  assert.deepEqual(problems, []);
  await staff.close();
});

test('a ticket that starts waiting for an agent shows in the tab title and as a desktop alert that opens it', async () => {
  const { url, persist } = dashEdge();
  const password = 'alert password 123';
  const email = await createAgent(url, password);
  const staff = await staffContext();
  // The operating system's notifications cannot be watched from here: this
  // stands in for the browser's Notification API and records what the
  // dashboard asks it to show.
  await staff.addInitScript(() => {
    window.__notes = [];
    window.Notification = class {
      constructor(title, options = {}) {
        Object.assign(this, { title, body: options.body, tag: options.tag, onclick: null });
        window.__notes.push(this);
      }
      static get permission() { return sessionStorage.getItem('test-notification-permission') || 'default'; }
      static requestPermission() {
        sessionStorage.setItem('test-notification-permission', 'granted');
        return Promise.resolve('granted');
      }
    };
  });
  const dash = await staff.newPage();
  const problems = watch(dash);
  const firstLook = dash.waitForResponse((r) => r.url().includes('/v1/agent/tickets?assignee=me'));
  await login(dash, url, email, password);
  await firstLook;
  const base = await dash.title();
  assert.ok(!base.startsWith('('), base);
  assert.equal(await dash.locator('#waiting-count').count(), 0);
  await dash.getByRole('button', { name: 'Desktop alerts: off' }).click();
  await dash.getByRole('button', { name: 'Desktop alerts: on' }).waitFor();
  const me = (await api(dash, 'GET', '/v1/auth/me')).json;

  // A customer writes in and an admin gives the ticket to the agent.
  const adminContext = await staffContext();
  const admin = await adminContext.newPage();
  await login(admin, url, ADMIN_EMAIL, adminPassword());
  const subject = `Export does nothing ${unique('alert')}`;
  const t = await createTicket(admin, { email: `${unique('cleo')}@example.com`, name: 'Cleo Customer' }, subject, 'The export button does nothing.');
  const id = t.ticket.id;
  const assigned = await api(admin, 'PATCH', `/v1/agent/tickets/${id}`, { assignee: me.id });
  assert.equal(assigned.status, 200, JSON.stringify(assigned.json));

  await dash.waitForFunction((base) => document.title === `(1) ${base}`, base, { timeout: 30000 });
  assert.equal((await dash.locator('#waiting-count').innerText()).trim(), '1');
  const notes = await dash.evaluate(() => window.__notes.map(({ title, body, tag }) => ({ title, body, tag })));
  assert.deepEqual(notes, [{ title: 'Needs your reply', body: `${subject} — Cleo Customer`, tag: id }]);
  // The alert opens the ticket.
  await dash.evaluate(() => window.__notes[0].onclick());
  await dash.waitForURL(`**/dashboard/#/ticket/${id}`);
  await dash.locator('#reply').fill('Fixed: the export works again.');
  await dash.locator('form button[type=submit]').first().click();
  await dash.getByText('Fixed: the export works again.').first().waitFor();
  // Now it waits for the customer, not for the agent.
  await dash.waitForFunction((base) => document.title === base, base, { timeout: 30000 });
  assert.equal(await dash.locator('#waiting-count').count(), 0);

  // The customer answers: it waits for the agent again, and says so once.
  const answered = await admin.evaluate(async ([id, token]) => {
    const r = await fetch(`/v1/tickets/${id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-ticket-token': token },
      body: JSON.stringify({ body: 'It does, thank you!' }),
    });
    return r.status;
  }, [id, t.token]);
  assert.equal(answered, 201);
  await dash.waitForFunction((base) => document.title === `(1) ${base}`, base, { timeout: 30000 });
  assert.equal(await dash.evaluate(() => window.__notes.length), 2);

  // Snoozed, it waits for nobody; when the snooze ends (the cron), it is
  // the agent's again, and says so.
  const snoozed = await api(dash, 'PATCH', `/v1/agent/tickets/${id}`, { snooze_hours: 1 });
  assert.equal(snoozed.status, 200, JSON.stringify(snoozed.json));
  await dash.waitForFunction((base) => document.title === base, base, { timeout: 30000 });
  d1(persist, `UPDATE tickets SET snoozed_until = ${Date.now() - 1000} WHERE id = '${id}'`);
  assert.equal((await dash.evaluate(async () => (await fetch('/__scheduled?cron=*+*+*+*+*')).status)), 200);
  await dash.waitForFunction((base) => document.title === `(1) ${base}`, base, { timeout: 30000 });
  const woken = await dash.evaluate(() => window.__notes.map(({ title, tag }) => ({ title, tag })));
  assert.deepEqual(woken.slice(2), [{ title: 'Needs your reply', tag: id }]);

  // The choice is kept in this browser across a reload, on and off.
  await dash.reload();
  await dash.getByRole('button', { name: 'Desktop alerts: on' }).click();
  await dash.getByRole('button', { name: 'Desktop alerts: off' }).waitFor();
  await dash.reload();
  await dash.getByRole('button', { name: 'Desktop alerts: off' }).waitFor();
  assert.deepEqual(problems, []);
  await adminContext.close();
  await staff.close();
});

test('a customer\'s e-mail shows in the queue as an e-mail ticket with its file to save; the reply goes with a file and says it was e-mailed, or why not, and is sent again', async () => {
  const { url, persist } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const marker = unique('mailed');
  const from = `${unique('mia')}@example.com`;
  const receipt = `Order 77, paid ${marker}\n`;
  const raw = [
    `From: Mia Mail <${from}>`, 'To: help@deflect.test', `Subject: Refund for ${marker}`,
    `Message-ID: <${unique('m')}@mail.example.com>`, 'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b1"', '',
    '--b1', 'Content-Type: text/plain; charset=utf-8', '',
    // Customer text is text: markup in a mail is shown as written.
    'Please refund order 77. <img src=x onerror="window.__pwned = 1">',
    '--b1', 'Content-Type: text/plain', 'Content-Disposition: attachment; filename="receipt 77.txt"',
    'Content-Transfer-Encoding: base64', '', Buffer.from(receipt).toString('base64'),
    '--b1--', '',
  ].join('\r\n');
  const status = await page.evaluate(async ([from, raw]) => (await fetch(`/cdn-cgi/handler/email?from=${from}&to=help@deflect.test`, { method: 'POST', body: raw })).status, [from, raw]);
  assert.equal(status, 200);
  await page.goto(`${url}/dashboard/#/queue`);
  await page.locator('#f-q').fill(marker);
  await page.locator('#f-q').press('Enter');
  const row = page.locator('tr', { hasText: marker });
  await row.waitFor();
  await row.getByRole('link').first().click();
  await page.getByText('Please refund order 77. <img src=x onerror="window.__pwned = 1">').waitFor();
  await page.getByText(/· email ·/).waitFor();
  // The file that came with the mail is a link under the message, and
  // clicking it saves the file as sent.
  const file = page.getByRole('list', { name: 'Attached files' }).getByRole('link', { name: 'receipt 77.txt' });
  await file.waitFor();
  assert.equal(await page.locator('.files li').textContent(), `receipt 77.txt ${Buffer.byteLength(receipt)} bytes`);
  const [download] = await Promise.all([page.waitForEvent('download'), file.click()]);
  assert.equal(download.suggestedFilename(), 'receipt 77.txt');
  assert.equal(readFileSync(await download.path(), 'utf8'), receipt);
  await page.locator('#reply').fill('The refund is on its way.');
  // The agent attaches the credit note; it is listed to go with the reply.
  await page.locator('#reply-files').setInputFiles({ name: `credit ${marker}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 credit note') });
  await page.getByRole('list', { name: 'Files to send' }).getByText(`credit ${marker}.pdf`).waitFor();
  await page.getByRole('button', { name: 'Send reply' }).click();
  await page.getByRole('status').getByText('Reply sent.').waitFor();
  assert.equal(await page.getByRole('list', { name: 'Files to send' }).locator('li').count(), 0);
  await page.locator('.msg.agent').getByRole('link', { name: `credit ${marker}.pdf` }).waitFor();
  // The page refreshes on its own; the reply's mail goes out after the answer.
  const deadline = Date.now() + 20_000;
  while (await page.locator('.tag.delivery.sent').count() === 0) {
    assert.ok(Date.now() < deadline, 'the reply was not marked e-mailed within 20 s');
    await page.waitForTimeout(500);
    await page.reload();
    await page.getByText('The refund is on its way.').waitFor();
  }
  assert.equal(await page.locator('.tag.delivery.sent').textContent(), 'e-mailed');
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const id = page.url().split('/').pop();
  // Had Cloudflare refused it on every attempt, the agent reads why, and
  // sends it again from the thread.
  d1(persist, `UPDATE messages SET delivery = 'failed', delivery_attempts = 5, delivery_error = 'destination address not verified' WHERE ticket_id = '${id}' AND author = 'agent'`);
  await page.reload();
  await page.locator('.tag.delivery.failed').getByText('e-mail not sent: destination address not verified').waitFor();
  await page.getByRole('button', { name: 'Send again' }).click();
  await page.getByRole('status').getByText('The reply was e-mailed.').waitFor();
  await page.locator('.tag.delivery.sent').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Send again' }).count(), 0);
  assert.equal((await api(page, 'PATCH', `/v1/agent/tickets/${id}`, { status: 'closed' })).status, 200);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a customer answers and rates their request on its own page, under its strict CSP', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const admin = await staff.newPage();
  await login(admin, url, ADMIN_EMAIL, adminPassword());
  const subject = `Parcel went to the neighbour ${unique('page')}`;
  const t = await createTicket(admin, { email: `${unique('pat')}@example.com`, name: 'Pat Page' }, subject, `My parcel went next door ${HOSTILE}`);
  const id = t.ticket.id;
  const address = `${url}/help/demo/tickets/${id}?token=${encodeURIComponent(t.token)}`;

  // The customer's browser, with the page's own CSP in force.
  const customer = await browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': unique('pat') } });
  const page = await customer.newPage();
  const problems = watch(page);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  await page.goto(address);
  await page.getByRole('heading', { name: subject }).waitFor();
  await page.getByText(`My parcel went next door ${HOSTILE}`).waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.getByLabel('Write to us').fill('It is back with me now.');
  // With a photo of it: the page's form takes files.
  const photo = Buffer.from('photo of the parcel');
  await page.getByLabel(/^Attach files/).setInputFiles({ name: 'parcel.jpg', mimeType: 'image/jpeg', buffer: photo });
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.getByRole('status').getByText('Thank you: we have your message.').waitFor();
  await page.getByText('It is back with me now.').waitFor();
  const saved = page.getByRole('list', { name: 'Attached files' }).getByRole('link', { name: 'parcel.jpg' });
  await saved.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), saved.click()]);
  assert.ok(readFileSync(await download.path()).equals(photo), 'the photo came back changed');
  // A reload after the redirect does not send it again.
  await page.reload();
  assert.equal(await page.getByText('It is back with me now.').count(), 1);

  const solved = await api(admin, 'PATCH', `/v1/agent/tickets/${id}`, { status: 'solved' });
  assert.equal(solved.status, 200, JSON.stringify(solved.json));
  // A score link of the rating request's mail opens the page with that
  // score chosen; nothing is rated until the customer sends it.
  await page.goto(`${address}&rating=4#rate`);
  await page.getByRole('status').getByText('You picked 4 of 5.').waitFor();
  assert.equal(await page.getByRole('group', { name: 'How did we do?' }).getByLabel('4 – good').isChecked(), true);
  assert.equal((await api(admin, 'GET', `/v1/agent/tickets/${id}`)).json.csat, null);
  await page.getByRole('group', { name: 'How did we do?' }).getByLabel('5 – very good').check();
  await page.getByLabel('Anything to add? (optional)').fill('Quick and kind.');
  await page.getByRole('button', { name: 'Send rating' }).click();
  await page.getByText('You rated our help 5 of 5. Thank you!').waitFor();
  assert.equal(await page.getByLabel('Anything to add? (optional)').inputValue(), 'Quick and kind.', 'the words stand with the rating');
  await page.screenshot({ path: screenshotPath('request.png'), fullPage: true });
  const seen = (await api(admin, 'GET', `/v1/agent/tickets/${id}`)).json;
  assert.equal(seen.csat, 5);
  assert.equal(seen.csat_comment, 'Quick and kind.');
  assert.ok(seen.messages.some((m) => m.author === 'customer' && m.body === 'It is back with me now.'));
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);

  // Accessible (axe needs its script on the page, so this look skips the CSP).
  const audit = await browser.newContext({ bypassCSP: true, extraHTTPHeaders: { 'cf-connecting-ip': unique('axe') } });
  const look = await audit.newPage();
  await look.goto(address);
  assert.deepEqual(await axeViolations(look), []);
  await look.goto(`${address}&lang=zh`);
  await look.getByText('您的评价：5/5。谢谢！').waitFor();
  assert.deepEqual(await axeViolations(look), []);
  assert.equal((await api(admin, 'PATCH', `/v1/agent/tickets/${id}`, { status: 'closed' })).status, 200);
  await audit.close();
  await customer.close();
  await staff.close();
});

test('a customer the help centre does not answer writes to the team from its form, with a screenshot, and lands on their request', async () => {
  const { url } = dashEdge();
  const marker = unique('tulips');
  const customer = await browser.newContext({ extraHTTPHeaders: { 'cf-connecting-ip': unique('sam') } });
  const page = await customer.newPage();
  const problems = watch(page);
  const violations = [];
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  // A search the help centre cannot answer.
  await page.goto(`${url}/help/demo?lang=en`);
  await page.getByRole('searchbox').fill(`Is the tulip festival open on Sunday ${marker}?`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText('No article answers this yet.').waitFor();
  await page.getByRole('link', { name: 'Write to our team' }).click();
  // The form starts with the question; the customer adds the rest and a screenshot.
  await page.getByRole('heading', { name: 'Write to our team' }).waitFor();
  assert.equal(await page.getByLabel('Your question').inputValue(), `Is the tulip festival open on Sunday ${marker}?`);
  await page.getByLabel('Your e-mail address').fill(`${marker}@example.com`);
  await page.getByLabel('Your name (optional)').fill(`Sam ${HOSTILE}`);
  await page.getByLabel('Your question').fill(`Is the tulip festival open on Sunday ${marker}? ${HOSTILE}`);
  const shot = Buffer.from('a screenshot of the checkout');
  await page.getByLabel(/^Attach files/).setInputFiles({ name: 'checkout.png', mimeType: 'image/png', buffer: shot });
  // The bots' trap is off screen and out of the tab order: Tab goes from
  // the files to Send. (Measured once the page's stylesheet has loaded:
  // the form can be in the page before it is.)
  await page.waitForLoadState('load');
  const trap = await page.locator('input[name=website]').boundingBox();
  assert.ok(trap && trap.x + trap.width <= 0, `the trap is on screen: ${JSON.stringify(trap)}`);
  await page.getByLabel(/^Attach files/).focus();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Send');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  // Their request's own page, which says where the answers come.
  await page.getByRole('status').getByText('We have your request.', { exact: false }).waitFor();
  await page.getByText(`Is the tulip festival open on Sunday ${marker}? ${HOSTILE}`).waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  const saved = page.getByRole('list', { name: 'Attached files' }).getByRole('link', { name: 'checkout.png' });
  const [download] = await Promise.all([page.waitForEvent('download'), saved.click()]);
  assert.ok(readFileSync(await download.path()).equals(shot), 'the screenshot came back changed');
  const address = page.url();
  assert.match(address, /\/help\/demo\/tickets\/[0-9a-f]+\?token=/);
  assert.deepEqual(violations, []);
  assert.deepEqual(problems, []);

  // The team sees it in the queue, marked as from the help centre's form.
  const staff = await staffContext();
  const dash = await staff.newPage();
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  await dash.locator('#f-q').fill(marker);
  await dash.locator('#f-q').press('Enter');
  const row = dash.locator('tr.ticket-row', { hasText: marker });
  await row.waitFor();
  const tag = row.locator('.tag.channel');
  assert.equal(await tag.innerText(), 'web');
  assert.equal(await tag.getAttribute('title'), "sent with the help centre's form");
  await row.locator('a.subject').click();
  await dash.getByRole('link', { name: 'checkout.png' }).waitFor();

  // Accessible, in both languages (axe needs its script, so this look skips the CSP).
  const audit = await browser.newContext({ bypassCSP: true, extraHTTPHeaders: { 'cf-connecting-ip': unique('axe') } });
  const look = await audit.newPage();
  await look.goto(`${url}/help/demo/contact?lang=en`);
  assert.deepEqual(await axeViolations(look), []);
  await look.goto(`${url}/help/demo/contact?lang=zh`);
  await look.getByRole('heading', { name: '联系我们的团队' }).waitFor();
  assert.deepEqual(await axeViolations(look), []);
  await audit.close();
  await staff.close();
  await customer.close();
});

test('an agent logs a phone call as a ticket from the queue, and lands on it', async () => {
  const { url } = dashEdge();
  const password = 'logger password 123';
  const email = await createAgent(url, password);
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, email, password);
  const me = (await api(dash, 'GET', '/v1/auth/me')).json;
  const marker = unique('called');
  await dash.getByRole('button', { name: 'Log a ticket from a call or e-mail' }).click();
  const form = dash.getByRole('form', { name: 'Log a ticket for a customer' });
  await form.getByLabel('They', { exact: true }).selectOption('phone');
  await form.getByLabel('Their e-mail').fill(`${marker}@example.com`);
  await form.getByLabel('Their name').fill(`Carla ${HOSTILE}`);
  await form.getByLabel('Their phone').fill('+1 555 0100');
  // Nothing asked yet: the edge says so in words, and nothing is made.
  await form.getByRole('button', { name: 'Log the ticket' }).click();
  await form.getByRole('alert').getByText('message: is required').waitFor();
  await form.getByLabel('What they asked').fill(`Wants to move her booking to Friday ${marker}`);
  // Sent twice at once (a double click): one ticket.
  await dash.evaluate(() => {
    const f = document.querySelector('#log-submit').form;
    f.requestSubmit();
    f.requestSubmit();
  });
  await dash.waitForURL(/#\/ticket\/[\w-]+$/);
  await dash.locator('#reply').waitFor();
  const id = dash.url().split('/').pop();
  const page = await dash.locator('body').innerText();
  assert.ok(page.includes(`Wants to move her booking to Friday ${marker}`), 'the request is the first message');
  assert.ok(page.includes(`Carla ${HOSTILE}`), 'the name shows as text');
  assert.match(page, / · phone · /);
  assert.equal(await dash.evaluate(() => window.__pwned), undefined);
  const detail = (await api(dash, 'GET', `/v1/agent/tickets/${id}`)).json;
  assert.equal(detail.ticket.assignee, me.id, 'assigned to the agent who logged it');
  assert.equal(detail.channel, 'phone');
  const found = (await api(dash, 'GET', `/v1/agent/tickets?status=all&q=${marker}`)).json;
  assert.deepEqual(found.map((t) => t.id), [id], 'one ticket');
  // The queue marks it as a phone call.
  await dash.goto(`${url}/dashboard/#/queue`);
  await dash.locator('#f-q').fill(marker);
  await dash.locator('#f-q').press('Enter');
  const row = dash.locator('tr', { has: dash.locator(`a.subject[href="#/ticket/${id}"]`) });
  assert.equal((await row.locator('.tag.channel').innerText()).trim(), 'phone');

  // Later she writes an e-mail: logged from her record, already filled in.
  await dash.goto(`${url}/dashboard/#/customer/${detail.customer.id}`);
  await dash.getByRole('button', { name: 'Log a call or e-mail from this customer' }).click();
  const again = dash.getByRole('form', { name: 'Log a ticket for a customer' });
  assert.equal(await again.getByLabel('Their e-mail').inputValue(), `${marker}@example.com`);
  assert.equal(await again.getByLabel('Their name').inputValue(), `Carla ${HOSTILE}`);
  assert.equal(await again.getByLabel('Their phone').inputValue(), '+1 555 0100');
  await again.getByLabel('They', { exact: true }).selectOption('email');
  await again.getByLabel('What they asked').fill(`Friday is fine after all ${marker}`);
  await again.getByRole('button', { name: 'Log the ticket' }).click();
  await dash.waitForURL((u) => /#\/ticket\/[\w-]+$/.test(u.toString()) && !u.toString().endsWith(id));
  await dash.getByText(`Friday is fine after all ${marker}`).first().waitFor();
  assert.match(await dash.locator('body').innerText(), / · email · /);
  const record = (await api(dash, 'GET', `/v1/agent/customers/${detail.customer.id}`)).json;
  assert.equal(record.tickets.length, 2, 'both on her record');
  assert.deepEqual(problems, []);
  await staff.close();
});

test('an unanswered question becomes a new article, or its wordings join the closest article', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const [m1, m2] = [unique('shells').toLowerCase(), unique('pw').toLowerCase()];
  // The log keeps questions folded (lower case).
  const seashells = `can i pay my invoice with seashells ${m1}`;
  const password = `how do i reset my password ${m2}`;
  for (const question of [seashells, seashells, password]) {
    const r = await dash.evaluate(async (question) => (await fetch('/v1/events', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ site: 'demo', session: `s-${Math.random().toString(36).slice(2)}`, kind: 'no_answer', question }),
    })).status, question);
    assert.equal(r, 202);
  }
  const before = (await api(dash, 'GET', '/v1/agent/articles/reset-password')).json;

  await dash.goto(`${url}/dashboard/#/kb`);
  // A group holds similar questions asked before too (its example may be one of those).
  const group = (text) => dash.locator('ol.gaps > li').filter({ hasText: text });
  // Seashells were asked twice (and maybe before): "asked N times"; never "1 times".
  assert.match(await group(m1).innerText(), /— asked ([2-9]|\d\d+) times/);
  for (const text of await dash.locator('ol.gaps > li').allInnerTexts()) assert.match(text, /— asked (1 time|([2-9]|\d\d+) times)\b/);
  await group(m1).locator('button.write-article').click();
  // The group's example is the title, and its wordings (similar questions
  // asked before, if any) the phrasings.
  assert.equal(await dash.locator('#a-title').inputValue(), seashells);
  const wordings = (await dash.locator('#a-phrasings').inputValue()).split('\n');
  assert.ok(wordings.includes(seashells), wordings.join(' | '));
  await dash.locator('#a-body').fill('We take cards and bank transfers, not seashells.');
  await dash.getByRole('button', { name: 'Save', exact: true }).click();
  await dash.locator('p.notice').getByText(`Saved “${seashells}”`).waitFor();
  const made = (await api(dash, 'GET', '/v1/agent/articles')).json.find((a) => a.title === seashells);
  assert.deepEqual(made.phrasings, wordings);

  await group(m2).getByRole('button', { name: 'Add the wordings to “Reset your password”' }).click();
  await dash.locator('p.notice').getByText(/^Added \d+ wordings? to “Reset your password”\. Publish to update the widget\.$/).waitFor();
  const after = (await api(dash, 'GET', '/v1/agent/articles/reset-password')).json;
  assert.deepEqual(after.phrasings.slice(0, before.phrasings.length), before.phrasings);
  assert.ok(after.phrasings.includes(password), after.phrasings.join(' | '));
  assert.equal(after.revision, before.revision + 1);
  assert.equal(after.category, before.category, 'the article stays in its category');
  // Twice adds nothing.
  await group(m2).getByRole('button', { name: 'Add the wordings to “Reset your password”' }).click();
  await dash.locator('p.notice').getByText('“Reset your password” has these wordings already.').waitFor();

  const { id, ...unchanged } = before;
  assert.equal((await api(dash, 'PUT', `/v1/admin/articles/${id}`, { title: unchanged.title, body: unchanged.body, tags: unchanged.tags, phrasings: unchanged.phrasings, locale: unchanged.locale, category: unchanged.category })).status, 200);
  assert.equal((await api(dash, 'DELETE', `/v1/admin/articles/${made.id}`)).status, 204);
  assert.deepEqual(problems, []);
  await staff.close();
});

test('an admin files an article under a category, which the knowledge base page and the help centre list it under', async () => {
  const { url } = dashEdge();
  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  const title = `Gift cards ${unique('gift')}`;
  const category = `Gifts ${unique('shelf')}`;
  await dash.goto(`${url}/dashboard/#/kb`);
  // The demo's articles are listed under their categories.
  await dash.locator('.two-col h3.category', { hasText: 'Billing' }).waitFor();
  await dash.getByRole('button', { name: 'New article', exact: true }).click();
  await dash.locator('#a-title').fill(title);
  await dash.locator('#a-body').fill('Gift cards never expire.');
  // The field offers the categories there are.
  const offered = await dash.locator('#kb-categories option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(offered.includes('Billing'), offered.join(' | '));
  await dash.locator('#a-category').fill(`  ${category} `);
  await dash.getByRole('button', { name: 'Save', exact: true }).click();
  await dash.locator('p.notice').getByText(`Saved “${title}”`).waitFor();
  const made = (await api(dash, 'GET', '/v1/agent/articles')).json.find((a) => a.title === title);
  assert.equal(made.category, category, 'kept trimmed');

  // The list of articles is grouped under headings, the new one under its own.
  const heading = dash.locator('h3.category', { hasText: category });
  await heading.waitFor();
  const under = await heading.evaluate((h) => [...h.nextElementSibling.querySelectorAll('li')].map((li) => li.innerText));
  assert.deepEqual(under, [`${title} (en)`]);
  // (As written: the style sheet shows them in capitals.)
  const headings = await dash.locator('.two-col h3.category').allTextContents();
  assert.equal(headings.at(-1), 'No category', headings.join(' | '));
  await dash.locator('ul.articles').getByRole('button', { name: `${title} (en)` }).click();
  assert.equal(await dash.locator('#a-category').inputValue(), category);
  await dash.locator('#show-history').click();
  assert.match(await dash.locator('ol.revisions li.revision').first().innerText(), new RegExp(`Revision 1 — created by .+: “${title}” in ${category}`));
  assert.ok((await dash.locator('#kb-categories option').evaluateAll((os) => os.map((o) => o.value))).includes(category));

  // The KB downloads as a file the import takes back.
  const [download] = await Promise.all([dash.waitForEvent('download'), dash.getByRole('link', { name: 'Export all articles' }).click()]);
  assert.equal(download.suggestedFilename(), 'deflect-kb-demo.json');
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.deepEqual(exported.articles.find((a) => a.title === title), { id: made.id, title, body: 'Gift cards never expire.', tags: [], phrasings: [], locale: 'en', category });
  // Or as Markdown files in a zip (the HTTP tests read it back).
  const [zip] = await Promise.all([dash.waitForEvent('download'), dash.getByRole('link', { name: 'Export as Markdown files' }).click()]);
  assert.equal(zip.suggestedFilename(), 'deflect-kb-demo.zip');
  const archive = readFileSync(await zip.path());
  assert.equal(archive.subarray(0, 4).toString('latin1'), 'PK\x03\x04', 'a zip archive');
  assert.ok(archive.includes(`# ${title}\n\nGift cards never expire.`), 'with the article as Markdown');

  // The help centre lists the published demo articles under their categories.
  const help = await staff.newPage();
  await help.goto(`${url}/help/demo?lang=en`);
  await help.screenshot({ path: screenshotPath('help-centre.png'), fullPage: true });
  const shelves = await help.locator('h3.category').allInnerTexts();
  const at = (name) => shelves.indexOf(name);
  assert.ok(at('Account and security') >= 0 && at('Account and security') < at('Billing') && at('Billing') < at('Data and developers'), shelves.join(' | '));
  assert.equal(shelves.at(-1), 'Other articles');
  await help.getByRole('link', { name: 'Refunds', exact: true }).click();
  assert.equal(await help.locator('p.category').innerText(), 'BILLING', 'shown in capitals by the style sheet');
  const more = await help.locator('section.more li').allInnerTexts();
  assert.ok(more.includes('Invoices and receipts') && !more.includes('Refunds'), more.join(' | '));
  // The category leads back to its heading in the list.
  await help.locator('p.category a').click();
  await help.waitForURL(/\/help\/demo\?lang=en#category-\d+$/);
  assert.equal(await help.locator('h3.category:target').textContent(), 'Billing');

  // The admin puts Billing first, then Account and security: the list and
  // the help centre follow at once, the rest alphabetically.
  await dash.locator('details.category-order summary').click();
  await dash.waitForFunction(() => document.querySelector('#category-order').value !== '');
  const shown = (await dash.locator('#category-order').inputValue()).split('\n');
  assert.deepEqual(shown.slice(0, 3), ['Account and security', 'Billing', 'Data and developers'], 'it starts from the list as shown');
  await dash.locator('#category-order').fill('Billing\naccount and security');
  await dash.locator('#save-category-order').click();
  await dash.locator('p.notice').getByText('Saved: the help centre lists the categories in this order.').waitFor();
  await dash.waitForFunction(() => document.querySelector('.two-col h3.category')?.textContent === 'Billing');
  const listed = await dash.locator('.two-col h3.category').allTextContents();
  assert.deepEqual(listed.slice(0, 3), ['Billing', 'Account and security', 'Data and developers'], listed.join(' | '));
  // (Reloaded: the browser may keep the help centre's pages for a minute.)
  await help.goto(`${url}/help/demo?lang=en`);
  await help.reload();
  const reordered = await help.locator('h3.category').allInnerTexts();
  assert.deepEqual(reordered.slice(0, 3), ['Billing', 'Account and security', 'Data and developers'], reordered.join(' | '));
  // A category twice is refused in words.
  await dash.locator('#category-order').fill('Billing\nbilling');
  await dash.locator('#save-category-order').click();
  await dash.locator('p.notice').getByText(/order\[1\]: names "billing" a second time/).waitFor();
  assert.equal((await api(dash, 'PUT', '/v1/admin/kb/categories', { order: [] })).status, 200);

  assert.equal((await api(dash, 'DELETE', `/v1/admin/articles/${made.id}`)).status, 204);
  assert.deepEqual(problems, []);
  await staff.close();
});

test('an admin sets business hours, a retention limit, the reply address and rating requests in Settings; bad values are refused in words', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const before = (await api(page, 'GET', '/v1/admin/settings')).json;
  await page.goto(`${url}/dashboard/#/settings`);
  await page.locator('#bh-on').waitFor();
  assert.equal(await page.locator('#bh-open').count(), 0, 'off: no hours to edit');
  await page.locator('#bh-on').check();
  assert.equal(await page.locator('#bh-open').inputValue(), '09:00');
  assert.equal(await page.locator('#bh-fri').isChecked(), true);
  assert.equal(await page.locator('#bh-sat').isChecked(), false);
  await page.locator('#bh-close').fill('24:30');
  await page.locator('#bh-close').blur();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').getByText('sla.business_hours.close: "24:30" is not a time of day such as 09:00').waitFor();
  await page.locator('#bh-close').fill('17:30');
  await page.locator('#bh-close').blur();
  await page.locator('#bh-offset').fill('60');
  await page.locator('#bh-offset').blur();
  await page.locator('#bh-sat').check();
  await page.locator('#bh-holidays').fill('2026-12-25\n2027-01-01');
  await page.locator('#bh-holidays').blur();
  await page.locator('#bh-summer').selectOption('eu');
  await page.locator('#retention-days').fill('10');
  await page.locator('#retention-days').blur();
  await page.getByRole('button', { name: 'Save settings' }).click();
  // The browser itself refuses a value under the minimum, in words.
  assert.match(await page.locator('#retention-days').evaluate((e) => e.validationMessage), /30/);
  assert.equal((await api(page, 'GET', '/v1/admin/settings')).json.retention_days ?? null, before.retention_days ?? null, 'nothing was saved');
  await page.locator('#retention-days').fill('365');
  await page.locator('#retention-days').blur();
  // Replies mailed to the site's customers: the browser refuses what is
  // not an address, in words, before the edge would.
  await page.getByLabel("Mail replies to this site's customers from").fill('help at example');
  await page.getByRole('button', { name: 'Save settings' }).click();
  assert.match(await page.locator('#reply-address').evaluate((e) => e.validationMessage), /@/);
  await page.getByLabel("Mail replies to this site's customers from").fill('Help@Example.com');
  // Asking solved tickets' customers for a rating by mail: on until turned off.
  const rating = page.getByLabel(/Ask customers by mail to rate our help/);
  assert.equal(await rating.isChecked(), true);
  await rating.uncheck();
  // Only customers the site signed in may write from the widget: off until
  // turned on.
  const signedIn = page.getByLabel(/Only customers our site has signed in may write from the widget/);
  assert.equal(await signedIn.isChecked(), false);
  await signedIn.check();
  // Signatures that hold no longer than a day: empty (any) until set.
  const lifetime = page.getByLabel(/Take only sign-in signatures that expire within this many hours/);
  assert.equal(await lifetime.inputValue(), '');
  await lifetime.fill('24');
  await lifetime.blur();
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').getByText('Settings saved.').waitFor();
  // A visitor the page did not sign in is told so in the widget, and
  // nothing is kept.
  const visitor = await browser.newContext();
  const shop = await visitor.newPage();
  await shop.goto(`${url}/demo/`);
  await openWidget(shop);
  await w(shop).person.click();
  const marker = unique('anonymous');
  await leaveTicket(shop, { email: `${marker}@example.com`, message: `Who am I? ${marker}` });
  await shop.locator('deflect-widget .dfl-form').getByText(/only customers signed in on this site can write from its widget/).waitFor();
  assert.deepEqual(d1(dashEdge().persist, `SELECT id FROM messages WHERE body LIKE '%${marker}%'`), []);
  await visitor.close();

  const saved = (await api(page, 'GET', '/v1/admin/settings')).json;
  assert.deepEqual(saved.sla.business_hours, {
    utc_offset_minutes: 60, open: '09:00', close: '17:30',
    days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], holidays: ['2026-12-25', '2027-01-01'], summer_time: 'eu',
  });
  assert.equal(saved.retention_days, 365);
  assert.equal(saved.sites[0].reply_address, 'help@example.com');
  assert.equal(saved.sites[0].rating_by_mail, false);
  // The page shows what was saved after a reload.
  await page.reload();
  await page.locator('#bh-close').waitFor();
  assert.equal(await page.locator('#bh-close').inputValue(), '17:30');
  assert.equal(await page.locator('#retention-days').inputValue(), '365');
  assert.equal(await page.locator('#bh-summer').inputValue(), 'eu');
  assert.equal(await page.locator('#reply-address').inputValue(), 'help@example.com');
  assert.equal(await page.locator('#rating-by-mail').isChecked(), false);
  assert.equal(await page.locator('#require-identity').isChecked(), true);
  assert.equal(saved.sites[0].require_identity, true);
  assert.equal(saved.sites[0].signature_max_hours, 24);
  assert.equal(await page.locator('#signature-max-hours').inputValue(), '24');
  assert.equal((await api(page, 'PUT', '/v1/admin/settings', before)).status, 200);
  await context.close();
});

test('a save from a Settings page opened before a colleague saved is refused in words, and changes nothing', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const before = (await api(page, 'GET', '/v1/admin/settings')).json;
  const save = async (tab, days) => {
    await tab.locator('#retention-days').fill(String(days));
    await tab.locator('#retention-days').blur();
    await tab.getByRole('button', { name: 'Save settings' }).click();
  };
  try {
    await page.goto(`${url}/dashboard/#/settings`);
    await page.locator('#retention-days').waitFor();
    // A colleague (here, another tab) saves meanwhile.
    const other = await context.newPage();
    await other.goto(`${url}/dashboard/#/settings`);
    await other.locator('#retention-days').waitFor();
    await save(other, 400);
    await other.getByRole('status').getByText('Settings saved.').waitFor();
    // This page's copy is older: saving it would undo their change.
    await save(page, 500);
    await page.getByText(/the settings were changed after you opened them/).first().waitFor();
    assert.equal((await api(page, 'GET', '/v1/admin/settings')).json.retention_days, 400);
    // Reloaded, the page saves; and saves again from what it saved.
    await page.reload();
    await page.locator('#retention-days').waitFor();
    assert.equal(await page.locator('#retention-days').inputValue(), '400');
    await save(page, 500);
    await page.getByRole('status').getByText('Settings saved.').waitFor();
    await save(page, 600);
    await page.waitForFunction(async () => (await (await fetch('/v1/admin/settings')).json()).retention_days === 600);
  } finally {
    assert.equal((await api(page, 'PUT', '/v1/admin/settings', before)).status, 200);
    await context.close();
  }
});

test('an admin writes an automation rule with the form: a matching ticket is made urgent and tagged; a wrong value is refused in words', async () => {
  const { url } = dashEdge();
  // axe needs its script, so this context skips the CSP.
  const context = await staffContext({ bypassCSP: true });
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const before = (await api(page, 'GET', '/v1/admin/settings')).json;
  try {
    await writeRule(page, url, before, problems);
  } finally {
    assert.equal((await api(page, 'PUT', '/v1/admin/settings', before)).status, 200);
    await context.close();
  }
});

async function writeRule(page, url, before, problems) {
  const marker = unique('kettle');
  await page.goto(`${url}/dashboard/#/settings`);
  await page.getByRole('button', { name: 'Add a rule' }).click();
  const n = before.rules.length + 1;
  const rule = page.locator('fieldset.rule').nth(n - 1);
  await rule.getByLabel('Name').fill(`Outages ${marker}`);
  assert.equal(await rule.getByLabel('a ticket is created').isChecked(), true, 'a new rule runs on new tickets');
  // The new rule's first condition: the text holds any of two words.
  await page.getByLabel(`Rule ${n} all condition 1 operator`).selectOption('contains_any');
  await page.getByLabel(`Rule ${n} all condition 1 value`).fill(`${marker}, 宕机`);
  await page.getByLabel(`Rule ${n} action 1 type`).selectOption('set_priority');
  await page.getByLabel(`Rule ${n} action 1 value`).selectOption('urgent');
  await page.getByRole('button', { name: `Add an action to rule ${n}` }).click();
  await page.getByLabel(`Rule ${n} action 2 value`).fill('kettle');
  // A number field offers the number operators; a word where a number
  // goes is refused by the edge, in words, and nothing is saved.
  await page.getByRole('button', { name: `Add an “all” condition to rule ${n}` }).click();
  await page.getByLabel(`Rule ${n} all condition 2 field`).selectOption('hours_since_update');
  const ops = await page.getByLabel(`Rule ${n} all condition 2 operator`).locator('option').allInnerTexts();
  assert.ok(ops.includes('is more than') && !ops.includes('contains'), ops.join(', '));
  await page.getByLabel(`Rule ${n} all condition 2 operator`).selectOption('gt');
  await page.getByLabel(`Rule ${n} all condition 2 value`).fill('lots');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('alert').getByText(/all\[1\]: operator "gt" needs a number/).waitFor();
  assert.equal((await api(page, 'GET', '/v1/admin/settings')).json.rules.length, before.rules.length, 'nothing was saved');
  await page.getByRole('button', { name: 'Remove all condition 2' }).click();
  await page.getByRole('button', { name: 'Check rules' }).click();
  await page.getByRole('alert').getByText(`The rules are valid (${n} rules).`).waitFor();
  assert.deepEqual(await axeViolations(page, 'form.settings'), []);
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByRole('status').getByText('Settings saved.').waitFor();

  // Saved as the engine's JSON, with an id made from the name.
  const saved = (await api(page, 'GET', '/v1/admin/settings')).json;
  assert.deepEqual(saved.rules.at(-1), {
    id: `outages-${marker}`, name: `Outages ${marker}`, enabled: true, on: ['ticket_created'],
    all: [{ field: 'text', op: 'contains_any', value: [marker, '宕机'] }], any: [],
    actions: [{ type: 'set_priority', level: 'urgent' }, { type: 'add_tag', tag: 'kettle' }], stop: false,
  });
  // It acts on the next ticket that matches.
  const created = await createTicket(page, { email: `${marker}@example.com`, name: 'Kim Kettle' }, `Kettle ${marker}`, `My kettle ${marker} will not boil`);
  const t = (await api(page, 'GET', `/v1/agent/tickets/${created.ticket.id}`)).json;
  assert.equal(t.ticket.priority_override ?? t.ticket.priority, 'urgent', JSON.stringify(t.ticket));
  assert.ok(t.ticket.tags.includes('kettle'), JSON.stringify(t.ticket));

  // The same rules as JSON, to copy; and in the form after a reload.
  await page.getByText('Edit as JSON').click();
  // (The text is filled as the section opens, a moment after the click.)
  await page.waitForFunction((id) => document.querySelector('#rules')?.value.includes(`"id": "${id}"`), `outages-${marker}`);
  await page.reload();
  await page.getByLabel(`Rule ${n} all condition 1 value`).waitFor();
  assert.equal(await page.getByLabel(`Rule ${n} all condition 1 value`).inputValue(), `${marker}, 宕机`);
  assert.equal(await page.getByLabel(`Rule ${n} action 1 value`).inputValue(), 'urgent');
  assert.deepEqual(problems, []);
}

test('a customer asks to be forgotten: an admin downloads their data, erases it, and the widget forgets the conversation', async () => {
  const { url } = dashEdge();
  const marker = unique('forget');
  const email = `${marker.toLowerCase()}@privacy.example`;
  const { customer, page, problems: customerProblems, created: [ticket] } =
    await customerWithTickets(url, [{ email, name: `Ada ${marker}`, message: `Please delete my account ${marker}` }]);

  const staff = await staffContext({ acceptDownloads: true });
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  await dash.goto(`${url}/dashboard/#/ticket/${ticket.id}`);
  await dash.locator('a.customer-link').click();
  await dash.getByRole('heading', { name: `Ada ${marker}`, level: 1 }).waitFor();

  // The copy of their data is a JSON file with their address and words.
  const [download] = await Promise.all([dash.waitForEvent('download'), dash.locator('#export-customer').click()]);
  assert.match(download.suggestedFilename(), /^deflect-customer-[\w-]+\.json$/);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(exported.customer.email, email);
  assert.ok(exported.tickets[0].messages.some((m) => m.body.includes(marker)), JSON.stringify(exported));

  // Erasing is asked twice; Cancel keeps everything.
  await dash.locator('#erase-customer').click();
  await dash.getByText(/for good/).first().waitFor();
  await dash.getByRole('button', { name: 'Cancel' }).click();
  await dash.locator('#erase-customer').click();
  await dash.locator('#erase-confirm').click();
  await dash.getByRole('status').getByText("The customer's personal data was erased.").waitFor();
  await dash.getByRole('heading', { name: 'Erased customer', level: 1 }).waitFor();
  await dash.locator('#erased-notice').waitFor();
  assert.equal(await dash.locator('#cu-name').count(), 0, 'an erased record cannot be edited');
  assert.ok(!(await dash.locator('body').innerText()).includes(marker), 'nothing of theirs is shown');
  await dash.locator('ul.history a').first().click();
  await dash.locator('.ticket-grid #erased-notice').waitFor();
  assert.ok(!(await dash.locator('body').innerText()).includes(marker), 'the ticket shows none of their words');

  // The customer's widget: the conversation is gone, and so is its copy.
  await page.locator('deflect-widget .dfl-head .dfl-text-btn').click();
  await page.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: marker }).click();
  await page.locator('deflect-widget').getByText('This conversation was erased at your request.').waitFor();
  assert.ok(!(await page.evaluate(() => JSON.stringify(window.localStorage))).includes(marker), 'the browser keeps no copy');
  await page.locator('deflect-widget .dfl-pane .dfl-text-btn').first().click();
  await page.locator('deflect-widget .dfl-pane h3').first().waitFor();
  assert.equal(await page.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: marker }).count(), 0);

  assert.deepEqual(problems, []);
  assert.deepEqual(customerProblems, []);
  await staff.close();
  await customer.close();
});

test('an agent closes a ticket as spam, which blocks its sender, and unblocks them on their record', async () => {
  const { url } = dashEdge();
  const context = await staffContext();
  const page = await context.newPage();
  const problems = watch(page);
  await login(page, url, ADMIN_EMAIL, adminPassword());
  const marker = unique('pills');
  const email = `${marker}@spam.example`;
  const created = await createTicket(page, { email, name: 'Spam Sender' }, `Pills ${marker}`, `Cheap pills ${marker}`);
  await page.goto(`${url}/dashboard/#/ticket/${created.ticket.id}`);
  // Two clicks, the second saying what it does.
  await page.locator('#mark-spam').click();
  assert.match(await page.locator('#spam-explain').innerText(), /blocks its sender/);
  await page.locator('#spam-confirm').click();
  // The queue shows, without the ticket.
  await page.locator('#f-q').waitFor();
  await page.locator('#f-q').fill(marker);
  await page.locator('#f-q').press('Enter');
  await page.getByText(/No tickets/).first().waitFor();
  const t = (await api(page, 'GET', `/v1/agent/tickets/${created.ticket.id}`)).json;
  assert.equal(t.ticket.status, 'closed');
  assert.deepEqual(t.ticket.tags, ['spam']);
  // The sender's record says they are blocked; an agent unblocks them.
  await page.goto(`${url}/dashboard/#/ticket/${created.ticket.id}`);
  assert.equal(await page.locator('#mark-spam').count(), 0, 'a spam ticket offers no second marking');
  await page.locator('a.customer-link').click();
  await page.locator('#blocked-notice').waitFor();
  assert.match(await page.locator('#blocked-notice').innerText(), /Blocked as a sender of spam since/);
  await page.locator('#unblock-customer').click();
  await page.locator('#block-customer').waitFor();
  assert.equal((await api(page, 'GET', `/v1/agent/customers/${t.customer.id}`)).json.blocked_at ?? null, null);
  // The metrics leave spam out, and say so.
  await page.goto(`${url}/dashboard/#/metrics`);
  assert.match(await page.locator('#spam-left-out').innerText(), /^Left out of these figures: \d+ tickets? closed as spam\.$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an agent merges a duplicate ticket; the customer follows the old conversation to the merged one', async () => {
  const { url } = dashEdge();
  const marker = unique('dup');
  const email = `${marker.toLowerCase()}@merge.example`;
  const { customer, page, problems: customerProblems, created: [first, second] } = await customerWithTickets(url, [
    { email, name: 'Dee Duplicate', message: `My parcel is late ${marker}` },
    { email, message: `Any news on my parcel? ${marker}` },
  ]);

  const staff = await staffContext();
  const dash = await staff.newPage();
  const problems = watch(dash);
  await login(dash, url, ADMIN_EMAIL, adminPassword());
  await dash.goto(`${url}/dashboard/#/ticket/${second.id}`);
  await dash.locator('#merge-into').selectOption(first.id);
  await dash.locator('#merge-go').click();
  // The dashboard moves to the ticket it was merged into: both messages, and the note.
  await dash.waitForFunction((id) => location.hash === `#/ticket/${id}`, first.id);
  await dash.getByText(`Any news on my parcel? ${marker}`, { exact: true }).first().waitFor();
  await dash.getByText(/was merged into this conversation/).waitFor();
  await dash.goto(`${url}/dashboard/#/ticket/${second.id}`);
  await dash.locator('#merged-notice').waitFor();
  assert.equal(await dash.locator('#merge-into').count(), 0, 'a merged ticket offers no second merge');

  // The customer opens the old conversation and follows it.
  await page.locator('deflect-widget .dfl-head .dfl-text-btn').click();
  await page.locator('deflect-widget .dfl-pane .dfl-choice', { hasText: `Any news on my parcel? ${marker}` }).click();
  const next = page.locator('deflect-widget .dfl-continued');
  await next.waitFor();
  assert.equal(await page.locator('deflect-widget .dfl-star').count(), 0, 'a merged ticket is rated where it continues');
  await next.click();
  await page.locator('deflect-widget .dfl-thread').getByText(`My parcel is late ${marker}`, { exact: true }).waitFor();
  await page.locator('deflect-widget .dfl-thread').getByText(`Any news on my parcel? ${marker}`, { exact: true }).waitFor();

  assert.deepEqual(problems, []);
  assert.deepEqual(customerProblems, []);
  await staff.close();
  await customer.close();
});

test('axe-core finds no accessibility violations on the dashboard pages', async () => {
  const { url } = dashEdge();
  // axe is injected as a script, which the dashboard's CSP would block.
  const context = await staffContext({ bypassCSP: true });
  const page = await context.newPage();
  const found = [];
  const check = async (route) => {
    await page.waitForLoadState('networkidle');
    found.push(...(await axeViolations(page)).map((v) => `${route}: ${v}`));
  };
  await page.goto(`${url}/dashboard/#/login`);
  await page.locator('#password').waitFor();
  await check('#/login');
  await page.goto(`${url}/dashboard/#/forgot`);
  await page.locator('#reset-email').waitFor();
  await check('#/forgot');
  await page.goto(`${url}/dashboard/#/reset/a-link-token`);
  await page.locator('#new-password-again').waitFor();
  await check('#/reset/…');
  await login(page, url, ADMIN_EMAIL, adminPassword());
  // A ticket of this test's own to open.
  const subject = unique('Accessibility check');
  const created = await createTicket(page, { email: 'axe@example.com' }, subject, 'The export button does nothing.');
  const [customer] = (await api(page, 'GET', '/v1/agent/customers?q=axe@example.com')).json;
  // Each page with its heading and a part it loads from the API.
  const pages = [
    ['#/queue', 'Queue', 'table.queue tr.ticket-row'],
    [`#/ticket/${created.ticket.id}`, subject, '#t-status'],
    ['#/customers', 'Customers', 'table.customers tr.customer-row'],
    [`#/customer/${customer.id}`, 'axe@example.com', '#cu-plan'],
    ['#/kb', 'Knowledge base', 'ul.articles li'],
    ['#/metrics', 'Metrics', 'figure.chart'],
    ['#/settings', 'Settings', '#sla-urgent-first'],
    ['#/audit', 'Audit log', 'table.audit tr.audit-line'],
    ['#/account', 'Your account', '#current-password'],
  ];
  for (const [route, heading, loaded] of pages) {
    await page.goto(`${url}/dashboard/${route}`);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    await page.locator(loaded).first().waitFor();
    await check(route);
  }
  assert.deepEqual(found, []);
  await context.close();
});
