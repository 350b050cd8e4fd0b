/** The kernel's logos, drawn pixel by pixel (the library's small PNG encoder writes them). */
import { encodePNG } from "../lib/plot/png";

/**
 * The gradbook logo: a rounded blue square with a white descending curve (a loss curve)
 * and a dot at its minimum.
 */
export function logo(size: number): Buffer {
  const px = new Uint8Array(size * size * 4);
  const r = size * 0.18;
  const set = (x: number, y: number, c: [number, number, number, number]) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    px.set(c, (y * size + x) * 4);
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = Math.max(r - x, 0, x - (size - 1 - r));
      const dy = Math.max(r - y, 0, y - (size - 1 - r));
      if (dx * dx + dy * dy <= r * r) set(x, y, [49, 120, 198, 255]);
    }
  }
  const w = Math.max(1, Math.round(size / 16));
  for (let i = 0; i <= size * 4; i++) {
    const t = i / (size * 4);
    const x = size * (0.18 + 0.64 * t);
    const y = size * (0.22 + 0.56 * (1 - Math.exp(-4 * t)) / (1 - Math.exp(-4)));
    for (let a = -w; a <= w; a++) for (let b = -w; b <= w; b++) set(Math.round(x + a), Math.round(y + b), [255, 255, 255, 255]);
  }
  const cx = size * 0.82;
  const cy = size * 0.78;
  const dr = size * 0.09;
  for (let y = Math.floor(cy - dr); y <= cy + dr; y++) for (let x = Math.floor(cx - dr); x <= cx + dr; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= dr * dr) set(x, y, [255, 196, 0, 255]);
  return encodePNG(size, size, px, 4);
}
