/**
 * The procedural backend's picture: a real PNG drawn from prompt and seed without a GPU.
 * Same prompt, seed and size give the same bytes, so a retried job stores the same image.
 */
import { PNG } from "pngjs";

/** 32-bit FNV-1a hash of a string. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rgb = [number, number, number];

interface Blob {
  x: number;
  y: number;
  r2: number;
  color: Rgb;
}

const color = (rand: () => number): Rgb => [rand() * 255, rand() * 255, rand() * 255];

/** Pixel at (x, y): vertical gradient, then soft blobs blended over it. */
function shade(x: number, y: number, scene: { height: number; bg: [Rgb, Rgb]; blobs: Blob[] }): Rgb {
  const { bg, blobs } = scene;
  const t = y / Math.max(1, scene.height - 1);
  const px: Rgb = [0, 1, 2].map((c) => bg[0][c]! * (1 - t) + bg[1][c]! * t) as Rgb;
  for (const b of blobs) {
    const d2 = (x - b.x) ** 2 + (y - b.y) ** 2;
    if (d2 >= b.r2) continue;
    const alpha = 0.65 * (1 - d2 / b.r2);
    for (let c = 0; c < 3; c++) px[c] = px[c]! * (1 - alpha) + b.color[c]! * alpha;
  }
  return px;
}

/** Draws a width×height RGBA PNG for (prompt, seed). */
export function drawPng(prompt: string, seed: number, width: number, height: number): Buffer {
  const rand = prng(hash(prompt) ^ seed);
  const bg: [Rgb, Rgb] = [color(rand), color(rand)];
  const blobs: Blob[] = Array.from({ length: 4 + Math.floor(rand() * 8) }, () => {
    const r = (0.05 + rand() * 0.25) * Math.min(width, height);
    return { x: rand() * width, y: rand() * height, r2: r * r, color: color(rand) };
  });
  const scene = { height, bg, blobs };
  const png = new PNG({ width, height, colorType: 6 });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = shade(x, y, scene);
      const i = (y * width + x) * 4;
      png.data[i] = r;
      png.data[i + 1] = g;
      png.data[i + 2] = b;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
