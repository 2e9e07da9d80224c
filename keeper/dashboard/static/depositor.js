// The depositor page: one address's position in the vault, polled so it updates without a reload, and deposits and
// withdrawals signed by the browser's own wallet (an EIP-1193 provider at window.ethereum). The server prepares and
// simulates each transaction and never signs; the wallet signs what the server prepared, nothing else.
"use strict";

const POLL_MS = 2000;
const RECEIPT_POLL_MS = 500;
const BPS_PER_PERCENT = 100;
let vault = null;
let account = null;   // the address shown
let wallet = false;   // whether `account` is the connected wallet's (it can sign) or only watched
let busy = false;

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function api(path, body) {
  const response = await fetch(path, body === undefined ? { cache: "no-store" }
    : { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const payload = await response.json();
  if (!response.ok) throw new Error(payload.error || response.statusText);
  return payload;
}

function say(message, level = "warning") {
  $("alerts").replaceChildren(...(message ? [el("div", { class: `alert ${level}` }, message)] : []));
}

function result(message, kind) {
  $("tx-result").replaceChildren(el("div", { class: `result ${kind}` }, message));
  $("tx-result").dataset.kind = kind;
}

// ------------------------------------------------------------------ the wallet

async function connect() {
  const eth = window.ethereum;
  if (!eth) {
    say("No wallet found in this browser: install an EIP-1193 wallet to deposit or withdraw, or watch an address.");
    return;
  }
  try {
    const accounts = await eth.request({ method: "eth_requestAccounts" });
    if (!accounts.length) throw new Error("the wallet shared no account");
    await ensureChain(eth);
    account = accounts[0];
    wallet = true;
    say("");
    if (eth.on && !eth.__alpListening) {
      eth.__alpListening = true;
      eth.on("accountsChanged", (list) => { account = list[0] || null; wallet = Boolean(account); refresh(); });
      eth.on("chainChanged", () => ensureChain(eth).catch((err) => say(err.message)));
    }
    await refresh();
  } catch (err) {
    say(err.code === 4001 ? "You declined the connection in your wallet." : `Could not connect: ${err.message}`);
  }
}

async function ensureChain(eth) {
  if (!vault) throw new Error("the vault's details have not loaded yet: try again in a moment");
  const chainId = parseInt(await eth.request({ method: "eth_chainId" }), 16);
  if (chainId === vault.chain_id) return;
  try {
    await eth.request({ method: "wallet_switchEthereumChain", params: [{ chainId: "0x" + vault.chain_id.toString(16) }] });
  } catch {
    throw new Error(`your wallet is on chain ${chainId}, this vault is on chain ${vault.chain_id} (${vault.chain}): `
      + "switch networks in your wallet, then connect again");
  }
}

function watch() {
  const address = $("watch-address").value.trim();
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) { say(`"${address}" is not an address: 0x followed by 40 hex digits.`); return; }
  account = address;
  wallet = false;
  say("");
  refresh();
}

// Sends one prepared transaction from the wallet and waits for its receipt; throws with a reason a person can act on.
async function send(tx) {
  await ensureChain(window.ethereum);  // the wallet may have switched networks since it connected
  let hash;
  try {
    hash = await window.ethereum.request({ method: "eth_sendTransaction", params: [{ from: account, to: tx.to, data: tx.data, gas: tx.gas }] });
  } catch (err) {
    throw new Error(err.code === 4001 ? "you declined it in your wallet" : `the wallet could not send it: ${err.message}`);
  }
  result(`${tx.what}: sent ${hash.slice(0, 10)}…, waiting for it to be mined`, "pending");
  for (;;) {
    const receipt = await window.ethereum.request({ method: "eth_getTransactionReceipt", params: [hash] });
    if (receipt) {
      if (receipt.status !== "0x1") throw new Error(`${tx.what} reverted on chain (${hash.slice(0, 10)}…)`);
      return hash;
    }
    await sleep(RECEIPT_POLL_MS);
  }
}

// ------------------------------------------------------------------ moving money

function exitRequest() {
  const loss = $("max-loss").value.trim();
  const percent = Number(loss);
  const body = { action: "withdraw", owner: account, amount: $("withdraw-amount").value.trim(),
    max_loss_bps: loss === "" ? null : Math.round(percent * BPS_PER_PERCENT) };
  if (loss !== "" && !(Number.isFinite(percent) && percent >= 0 && percent <= 100)) {
    body.invalid = `max loss "${loss}" is not a percentage from 0 to 100`;
  }
  return body;
}

const depositRequest = () => ({ action: "deposit", owner: account, amount: $("deposit-amount").value.trim() });

async function run(label, request) {
  if (busy) return;
  busy = true;
  try {
    const body = request();  // read once: what the depositor typed when they clicked is what is sent
    if (body.invalid) { result(`${label}: ${body.invalid}`, "refused"); return; }
    let prepared = await api("/api/prepare", body);
    if (prepared.refused) { result(`${label} refused before sending: ${prepared.refused}`, "refused"); return; }
    if (prepared.approve) {
      await send(prepared.approve);
      prepared = await api("/api/prepare", body);  // now simulated with the allowance in place
      if (prepared.refused) { result(`${label} refused before sending: ${prepared.refused}`, "refused"); return; }
      if (prepared.approve) { result(`${label}: the approval did not take; nothing else was sent`, "refused"); return; }
    }
    const hash = await send(prepared.tx);
    result(`${label} confirmed (${hash.slice(0, 10)}…): ${prepared.preview}. What it paid is in your activity.`, "ok");
    $("deposit-preview").textContent = $("withdraw-preview").textContent = "";
    await refresh();
  } catch (err) {
    result(`${label}: ${err.message}`, "refused");
  } finally {
    busy = false;
  }
}

// The contract's preview as the depositor types, and whether it would go through.
let previewTimer = null;
function previewSoon(request, box) {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(async () => {
    const body = request();
    if (!account || !body.amount) { $(box).textContent = ""; return; }
    if (body.invalid) { $(box).textContent = body.invalid; return; }
    try {
      const p = await api("/api/prepare", body);
      $(box).textContent = p.refused ? `would fail: ${p.refused}`
        : `${p.preview}${p.approve ? " (your wallet will first ask to approve the amount)" : ""}`;
    } catch (err) {
      $(box).textContent = err.message;
    }
  }, 300);
}

// ------------------------------------------------------------------ drawing

function card(label, value, raw, id, note) {
  const node = el("div", { class: "card", id });
  const v = el("div", { class: "value" }, value);
  if (raw !== undefined) v.dataset.raw = raw;
  node.append(el("div", { class: "label" }, label), v);
  if (note) node.append(el("div", { class: "muted note" }, note));
  return node;
}

function drawPosition(p) {
  const a = p.asset;
  $("position").replaceChildren(
    card("Your shares", fmt(p.shares, 6), p.shares_raw, "pos-shares"),
    card("Worth", `${fmt(p.value)} ${a}`, p.value_raw, "pos-value", `at ${fmt(p.share_price, 6)} ${a} per share`),
    card("Profit since your first deposit", `${p.profit >= 0 ? "+" : ""}${fmt(p.profit)} ${a}`, undefined, "pos-profit",
      `deposited ${fmt(p.deposited)}, withdrawn ${fmt(p.withdrawn)}`),
    card("Vault fees your shares paid", `${fmt(p.fees_paid)} ${a}`, p.fees_paid_raw, "pos-fees",
      vault ? `${vault.fees.performance_bps / 100} % of gains, ${vault.fees.management_bps / 100} %/yr of assets` : ""),
    card("Withdrawable now, no loss", `${fmt(p.withdrawable_now)} ${a}`, p.withdrawable_now_raw, "pos-now"),
    card("By unwinding strategies", `${fmt(p.withdrawable_unwinding)} ${a}`, p.withdrawable_unwinding_raw, "pos-unwind",
      "needs a max loss: the swaps back to the asset cost a little"),
  );
  $("position").dataset.block = String(p.block);
  $("why").replaceChildren(...(p.why_not_more.length ? p.why_not_more : [
    p.value > 0 ? "All of it: idle and liquid balances cover your position." : "You hold no shares in this vault."])
    .map((w) => el("li", {}, w)));
  $("sources").querySelector("tbody").replaceChildren(...p.sources.map((s) => {
    const tr = el("tr");
    tr.append(el("td", {}, s.name), el("td", {}, `${fmt(s.available)} ${a}`),
      el("td", {}, s.debt === undefined ? "–" : `${fmt(s.debt)} ${a}`),
      el("td", { class: "muted" }, s.price_guard ? s.price_guard.note : ""));
    return tr;
  }));
  $("activity").querySelector("tbody").replaceChildren(...p.activity.slice().reverse().map((e) => {
    const tr = el("tr", { class: `activity-${e.kind}` });
    tr.append(el("td", {}, when(e.t)), el("td", { class: "market-time" }, vault && vault.replay ? when(e.t - replayOffset()) : ""),
      el("td", {}, e.text), el("td", {}, ""));
    tr.lastChild.append(el("code", {}, e.tx_hash.slice(0, 10) + "…"));
    return tr;
  }));
  document.body.dataset.positionUpdates = String(Number(document.body.dataset.positionUpdates || 0) + 1);
}

const replayOffset = () => vault.chain_time - vault.replay.market_time;

function drawVault(v) {
  $("vault-name").textContent = `${v.name} · ${v.chain}`;
  document.body.classList.toggle("replay", Boolean(v.replay));
  $("clock").textContent = v.replay
    ? `Chain time ${when(v.chain_time)} UTC is a local chain's clock replaying recorded market history `
      + `(${v.replay.series}); the market was at ${when(v.replay.market_time)} UTC.`
    : `Chain time ${when(v.chain_time)} UTC, block ${v.block}.`;
  const colors = { "ALP vault": "#4cc38a", "static control": "#8b98a5", "holding the asset": "#e3b341" };
  lineChart("chart-share", "legend-share", v.price_history.map((line) => ({
    name: line.name, color: colors[line.name] || "#388bfd", digits: 6, dash: line.name === "ALP vault" ? "" : "4 3",
    points: line.points.map((p) => [p.t, p.price]) })));
  $("strategies").replaceChildren(...v.strategies.map((s) => el("li", {}, `${s.name} (${s.kind})`)));
  $("fees").textContent = `Fees: ${v.fees.performance_bps / 100} % of gains above the share price's high-water mark, `
    + `${v.fees.management_bps / 100} % a year of assets, taken as new shares at each report. Gains unlock into the `
    + `share price over ${v.fees.profit_unlock_hours} h.`;
  const state = v.shutdown ? "The vault is shut down: it takes no deposits; withdrawals stay open."
    : v.paused ? "The vault is paused: deposits and keeper moves are stopped; withdrawals stay open." : "";
  $("vault-state").replaceChildren(...(state ? [el("div", { class: "alert info" }, state)] : []));
  const canSign = wallet && Boolean(account);
  $("deposit-button").disabled = !canSign || v.paused || v.shutdown;
  $("withdraw-button").disabled = !canSign;
  $("move-note").hidden = canSign;
  $("account").textContent = account ? `${wallet ? "connected" : "watching"} ${account}` : "not connected";
  $("deposit-amount").placeholder = `amount in ${v.asset.symbol}`;
}

let refreshes = 0;

async function refresh() {
  const status = $("status");
  const mine = ++refreshes;  // a slower, older refresh must not draw over a newer one
  const shown = account;
  try {
    const info = await api("/api/vault");
    if (mine !== refreshes) return;
    vault = info;
    drawVault(vault);
    if (shown) {
      const p = await api(`/api/position?address=${shown}`);
      if (mine !== refreshes || shown !== account) return;
      drawPosition(p);
    }
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
  } catch (err) {
    status.textContent = `data unavailable: ${err.message} (retrying)`;
  }
}

async function poll() {
  await refresh();
  setTimeout(poll, POLL_MS);
}

$("connect").addEventListener("click", connect);
$("watch").addEventListener("click", watch);
$("deposit-button").addEventListener("click", () => run("Deposit", depositRequest));
$("withdraw-button").addEventListener("click", () => run("Withdrawal", exitRequest));
$("deposit-amount").addEventListener("input", () => previewSoon(depositRequest, "deposit-preview"));
for (const id of ["withdraw-amount", "max-loss"]) $(id).addEventListener("input", () => previewSoon(exitRequest, "withdraw-preview"));
if (!window.ethereum) $("connect").title = "no EIP-1193 wallet in this browser";
poll();
