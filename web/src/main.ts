// Vessel's dashboard: the servers vesseld manages, live figures, actions and a serial console.
// Everything goes through the REST API on the same origin (docs/api/openapi.yaml); the console
// is the API's console attach over a WebSocket.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import "@xterm/xterm/css/xterm.css";
import "./style.css";
import { Graph } from "./graph";
import { parseMetrics, Sample } from "./metrics";

type Server = {
  name: string;
  kind: "vm" | "container";
  state: string;
  host?: string;
  pid?: number;
  uptime_seconds?: number;
  rss_bytes?: number;
  vcpu_seconds?: number;
  memory_bytes?: number;
  config?: Record<string, unknown>;
};

const $ = <T extends HTMLElement>(sel: string) => document.querySelector(sel) as T;

async function api(method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const json = text && r.headers.get("content-type")?.startsWith("application/json") ? JSON.parse(text) : text;
  if (!r.ok) throw new Error(json?.error?.message ?? `${method} ${path}: HTTP ${r.status}`);
  return json;
}

function showError(message: string | null) {
  const e = $("#error");
  e.hidden = message === null;
  e.textContent = message ?? "";
}

async function act(what: () => Promise<unknown>) {
  try {
    await what();
    showError(null);
  } catch (err) {
    showError((err as Error).message);
  }
  await refresh();
}

function fmtBytes(b?: number) {
  if (b === undefined) return "-";
  const units = ["B", "KiB", "MiB", "GiB"];
  let u = 0;
  while (b >= 1024 && u < units.length - 1) { b /= 1024; u++; }
  return `${b.toFixed(u ? 1 : 0)} ${units[u]}`;
}

function fmtUptime(s?: number) {
  if (s === undefined) return "-";
  return s < 120 ? `${Math.round(s)}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
}

// CPU share since the previous poll, from the cumulative vCPU seconds.
const lastCpu = new Map<string, { t: number; v: number }>();
function cpuPercent(s: Server): string {
  if (s.vcpu_seconds === undefined) return "-";
  const now = performance.now() / 1000;
  const prev = lastCpu.get(s.name);
  lastCpu.set(s.name, { t: now, v: s.vcpu_seconds });
  if (!prev || now <= prev.t) return "…";
  return `${Math.max(0, (100 * (s.vcpu_seconds - prev.v)) / (now - prev.t)).toFixed(0)}%`;
}

function actionsFor(s: Server): [string, () => Promise<unknown>][] {
  const base = s.kind === "vm" ? `/v1/vms/${s.name}` : `/v1/containers/${s.name}`;
  const post = (a: string, body: unknown = {}) => () => api("POST", `${base}/${a}`, body);
  const out: [string, () => Promise<unknown>][] = [];
  if (s.state === "stopped") out.push(["start", post("start")]);
  if (s.state === "running") out.push(["pause", post("pause")], ["stop", post("stop", { timeout_seconds: 10 })]);
  if (s.state === "paused") out.push(["resume", post("resume")]);
  if (s.state !== "stopped") out.push(["kill", post("kill")]);
  if (s.kind === "vm" && s.state !== "stopped") {
    out.push(["snapshot", async () => {
      const path = prompt("Snapshot file (absolute path on the host)", `/var/tmp/${s.name}.snap`);
      if (path) await api("POST", `${base}/snapshot`, { path });
    }]);
  }
  if (s.kind === "vm") {
    out.push(["restore", async () => {
      const path = prompt("Snapshot to restore (absolute path on the host)", `/var/tmp/${s.name}.snap`);
      const name = path && prompt("Name of the restored VM", `${s.name}-restored`);
      if (path && name) await api("POST", `/v1/vms/${name}/restore`, { path });
    }]);
  }
  if (s.state === "stopped") out.push(["delete", () => api("DELETE", base)]);
  return out;
}

let selected: Server | null = null;

function renderList(servers: Server[]) {
  const body = $("#list tbody");
  body.replaceChildren();
  for (const s of servers) {
    const tr = document.createElement("tr");
    tr.dataset.name = s.name;
    tr.dataset.state = s.state;
    if (selected?.name === s.name && selected.kind === s.kind) tr.classList.add("selected");
    const cells = [s.name, s.kind, s.state, s.host ?? "this host", cpuPercent(s),
                   fmtBytes(s.rss_bytes ?? s.memory_bytes), fmtUptime(s.uptime_seconds)];
    for (const c of cells) {
      const td = document.createElement("td");
      td.textContent = c;
      tr.append(td);
    }
    tr.children[2].className = `state ${s.state}`;
    const td = document.createElement("td");
    for (const [label, run] of actionsFor(s)) {
      const b = document.createElement("button");
      b.textContent = label;
      b.dataset.action = label;
      b.onclick = (ev) => { ev.stopPropagation(); act(run); };
      td.append(b);
    }
    tr.append(td);
    tr.onclick = () => select(s);
    body.append(tr);
  }
}

// Live figures of the selected VM, from /metrics (rates from successive counters).
const graphs = {
  cpu: new Graph($("#g-cpu"), ["#2f7ed8"]),
  mem: new Graph($("#g-mem"), ["#8bbc21"]),
  disk: new Graph($("#g-disk"), ["#0d233a", "#f28f43"]),
  net: new Graph($("#g-net"), ["#910000", "#1aadce"]),
};
let previous: { t: number; sample: Sample } | null = null;

async function pollMetrics() {
  if (!selected || selected.kind !== "vm") return;
  const text: string = await api("GET", "/metrics");
  const sample = parseMetrics(text, selected.name);
  const t = performance.now() / 1000;
  if (previous) {
    const dt = Math.max(1e-3, t - previous.t);
    const rate = (k: keyof Sample) => Math.max(0, (sample[k] - previous!.sample[k]) / dt);
    graphs.cpu.push([100 * rate("vcpuSeconds")]);
    graphs.mem.push([sample.rssBytes / 1048576]);
    graphs.disk.push([rate("diskRead") / 1024, rate("diskWrite") / 1024]);
    graphs.net.push([rate("netRx") / 1024, rate("netTx") / 1024]);
  }
  previous = { t, sample };
}

let term: Terminal | null = null;
let socket: WebSocket | null = null;

function openConsole(s: Server) {
  socket?.close();
  term?.dispose();
  const box = $("#console");
  box.replaceChildren();
  term = new Terminal({ convertEol: false, fontSize: 13, scrollback: 5000 });
  const fit = new FitAddon();
  term.loadAddon(fit);
  term.open(box);
  fit.fit();
  const kind = s.kind === "vm" ? "vms" : "containers";
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/${kind}/${s.name}/console`);
  ws.binaryType = "arraybuffer";
  ws.onmessage = (m) => term?.write(new Uint8Array(m.data as ArrayBuffer));
  ws.onclose = () => term?.write("\r\n[console closed]\r\n");
  const encoder = new TextEncoder();
  term.onData((d) => ws.readyState === WebSocket.OPEN && ws.send(encoder.encode(d)));
  socket = ws;
}

function select(s: Server) {
  const changed = selected?.name !== s.name || selected?.kind !== s.kind;
  selected = s;
  $("#detail").hidden = false;
  $("#detail-title").textContent = `${s.kind === "vm" ? "VM" : "Container"} ${s.name}`;
  if (changed) {
    previous = null;
    Object.values(graphs).forEach((g) => g.clear());
    if (s.state === "running" || s.state === "paused") openConsole(s);
  }
}

async function refresh() {
  try {
    const [vms, containers] = await Promise.all([
      api("GET", "/v1/vms"),
      api("GET", "/v1/containers").catch(() => []),
    ]);
    const servers: Server[] = [
      ...vms.vms.map((v: Server) => ({ ...v, kind: "vm" as const })),
      ...(containers as Server[]).map((c) => ({ ...c, kind: "container" as const })),
    ];
    renderList(servers);
    if (selected) {
      const now = servers.find((x) => x.name === selected!.name && x.kind === selected!.kind);
      if (now && now.state !== selected.state && now.state === "running" && !socket) openConsole(now);
      if (now) selected = now;
    }
    await pollMetrics();
  } catch (err) {
    showError((err as Error).message);
  }
}

$("#create-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target as HTMLFormElement);
  const body: Record<string, unknown> = { name: f.get("name"), kernel: f.get("kernel"), memory: f.get("memory") };
  for (const k of ["initrd", "cmdline"]) if (f.get(k)) body[k] = f.get(k);
  const cpus = String(f.get("cpus") ?? "1");
  body.cpus = /^\d+$/.test(cpus) ? Number(cpus) : cpus;  // a bad value goes as typed: the API words the error
  body.start = f.get("start") === "on";
  act(() => api("POST", "/v1/vms", body));
});

$("#host").textContent = location.host;
refresh();
setInterval(refresh, 1500);
