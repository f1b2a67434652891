// The figures of one VM in vesseld's Prometheus text (GET /metrics), summed over its devices.
export type Sample = { vcpuSeconds: number; rssBytes: number; diskRead: number; diskWrite: number; netRx: number; netTx: number };

const names: Record<string, keyof Sample> = {
  vessel_vm_vcpu_seconds_total: "vcpuSeconds",
  vessel_vm_rss_bytes: "rssBytes",
  vessel_vm_drive_read_bytes_total: "diskRead",
  vessel_vm_drive_write_bytes_total: "diskWrite",
  vessel_vm_net_rx_bytes_total: "netRx",
  vessel_vm_net_tx_bytes_total: "netTx",
};

export function parseMetrics(text: string, vm: string): Sample {
  const out: Sample = { vcpuSeconds: 0, rssBytes: 0, diskRead: 0, diskWrite: 0, netRx: 0, netTx: 0 };
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)\{([^}]*)\}\s+([0-9.eE+-]+)$/.exec(line);
    if (!m || !(m[1] in names) || !m[2].split(",").includes(`vm="${vm}"`)) continue;
    out[names[m[1]]] += Number(m[3]);
  }
  return out;
}
