// A small line graph on a canvas: the last `capacity` samples of one or more series.
export class Graph {
  private series: number[][];
  constructor(private canvas: HTMLCanvasElement, private colors: string[], private capacity = 80) {
    this.series = colors.map(() => []);
  }
  clear() {
    this.series = this.colors.map(() => []);
    this.draw();
  }
  push(values: number[]) {
    values.forEach((v, i) => {
      const s = this.series[i];
      s.push(Number.isFinite(v) ? v : 0);
      if (s.length > this.capacity) s.shift();
    });
    this.canvas.dataset.samples = String(this.series[0].length);  // for tests and tools
    this.canvas.dataset.last = String(this.series[0][this.series[0].length - 1]);
    this.draw();
  }
  private draw() {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    const { width: w, height: h } = this.canvas;
    ctx.clearRect(0, 0, w, h);
    const max = Math.max(1, ...this.series.flat());
    ctx.fillStyle = "#666";
    ctx.font = "10px sans-serif";
    ctx.fillText(max.toFixed(max < 10 ? 1 : 0), 2, 10);
    this.series.forEach((s, i) => {
      ctx.strokeStyle = this.colors[i];
      ctx.beginPath();
      s.forEach((v, x) => {
        const px = (x / (this.capacity - 1)) * w;
        const py = h - (v / max) * (h - 14);
        x === 0 ? ctx.moveTo(px, py) : ctx.lineTo(px, py);
      });
      ctx.stroke();
    });
  }
}
