/** Card text with realistic lengths (fronts ≈ a sentence or two, backs ≈ a short paragraph with bullets). */
import { intIn, type Rng } from "./rng.ts";

const WORDS = (
  "tensor gradient backward optimizer layer module parameter batch epoch loss function activation dropout " +
  "normalization embedding attention transformer convolution kernel stride padding channel dimension shape " +
  "device memory cuda autograd graph node leaf view reshape broadcast dtype float precision mixed scaler " +
  "scheduler learning rate momentum weight decay checkpoint state dict inference evaluation training mode " +
  "dataset loader sampler worker collate shuffle pin distributed process group rank world size gather " +
  "reduce scatter sequence token vocabulary logits softmax entropy label smoothing residual connection " +
  "the a of to in is for with that when which how why what returns computes stores keeps uses"
).split(" ");

function words(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(WORDS[Math.floor(rng() * WORDS.length)] ?? "tensor");
  return out.join(" ");
}

function sentence(rng: Rng, lo: number, hi: number): string {
  const s = words(rng, intIn(rng, lo, hi));
  return `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
}

/** A question: 6–30 words (≈ 40–220 characters), ending with "?". */
export function cardFront(rng: Rng): string {
  return `${sentence(rng, 6, 30)}?`;
}

/** An answer: a sentence, then 0–5 bullets, sometimes with **bold** (≈ 60–700 characters). */
export function cardBack(rng: Rng): string {
  const lines = [`${sentence(rng, 8, 25)}.`];
  const bullets = intIn(rng, 0, 5);
  for (let k = 0; k < bullets; k++) {
    const b = sentence(rng, 4, 14);
    lines.push(rng() < 0.3 ? `• **${b}**` : `• ${b}`);
  }
  return lines.join("\n");
}
