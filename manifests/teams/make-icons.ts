/** Draws the Teams app icons (color.png 192×192, outline.png 32×32 white on transparent): `npx tsx manifests/teams/make-icons.ts`. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePng, type RgbaImage } from './png.js';

type Rgb = [number, number, number];

/** The key symbol in unit coordinates (simple enough to read at 32 px): ring, shaft, two teeth. */
function insideKey(x: number, y: number): boolean {
  const d = Math.hypot(x - 0.33, y - 0.5);
  const ring = d <= 0.17 && d >= 0.08;
  const shaft = x >= 0.47 && x <= 0.86 && y >= 0.455 && y <= 0.545;
  const teeth = (x >= 0.7 && x <= 0.76 && y >= 0.545 && y <= 0.67) || (x >= 0.8 && x <= 0.86 && y >= 0.545 && y <= 0.63);
  return ring || shaft || teeth;
}

/** Renders with 4×4 supersampling: the key's coverage of each pixel blends `fg` over `bg` (null = transparent). */
function draw(size: number, fg: Rgb, bg: Rgb | null, scale = 1): RgbaImage {
  const pixels = Buffer.alloc(size * size * 4);
  const n = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let hits = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const u = ((px + (sx + 0.5) / n) / size - 0.5) / scale + 0.5;
          const v = ((py + (sy + 0.5) / n) / size - 0.5) / scale + 0.5;
          if (insideKey(u, v)) hits++;
        }
      }
      const a = hits / (n * n);
      const i = (py * size + px) * 4;
      if (bg) {
        for (let c = 0; c < 3; c++) pixels[i + c] = Math.round(fg[c]! * a + bg[c]! * (1 - a));
        pixels[i + 3] = 255;
      } else {
        pixels.set([fg[0], fg[1], fg[2], Math.round(a * 255)], i);
      }
    }
  }
  return { width: size, height: size, pixels };
}

const dir = path.dirname(fileURLToPath(import.meta.url));
writeFileSync(path.join(dir, 'color.png'), encodePng(draw(192, [255, 255, 255], [0x2f, 0x5d, 0x8a], 0.8)));
writeFileSync(path.join(dir, 'outline.png'), encodePng(draw(32, [255, 255, 255], null)));
console.log('wrote color.png (192×192) and outline.png (32×32, transparent)');
