import test from "ava";
import { fieldErrors, generationRequestSchema, jobDataSchema } from "./schema.ts";
import { busyHashKey, imageKey } from "./keys.ts";

const schema = generationRequestSchema(["sdxl-base"]);
const valid = { prompt: "a fox", model: "sdxl-base" };

// Each row: input, the field named, and fragments the message must contain (field, value, allowed).
const rows: { why: string; body: Record<string, unknown>; field: string; mentions: string[] }[] = [
  { why: "steps above range", body: { ...valid, steps: 10000 }, field: "steps", mentions: ["steps", "10000", "1 to 150"] },
  { why: "fractional steps", body: { ...valid, steps: 2.5 }, field: "steps", mentions: ["2.5", "integer"] },
  { why: "width not a multiple of 8", body: { ...valid, width: 1001 }, field: "width", mentions: ["1001", "multiple of 8"] },
  { why: "width below minimum", body: { ...valid, width: 8 }, field: "width", mentions: ["8", "64 to 2048"] },
  { why: "model not allowed", body: { ...valid, model: "x" }, field: "model", mentions: ['"x"', "sdxl-base"] },
  { why: "prompt missing", body: { model: "sdxl-base" }, field: "prompt", mentions: ["prompt"] },
  { why: "prompt too long", body: { ...valid, prompt: "a".repeat(2001) }, field: "prompt", mentions: ["2000", "2001"] },
  { why: "cfgScale too high", body: { ...valid, cfgScale: 31 }, field: "cfgScale", mentions: ["31", "1 to 30"] },
  { why: "seed too large", body: { ...valid, seed: 2 ** 32 }, field: "seed", mentions: ["4294967296"] },
  { why: "scheduler unknown", body: { ...valid, scheduler: "x" }, field: "scheduler", mentions: ["euler", '"x"'] },
  { why: "width as a string", body: { ...valid, width: "512" }, field: "width", mentions: ['"512"'] },
];

for (const row of rows) {
  test(`request schema: ${row.why}`, (t) => {
    const r = schema.safeParse(row.body);
    t.false(r.success);
    const errors = fieldErrors(r.error!);
    const e = errors.find((x) => x.field === row.field);
    t.truthy(e, JSON.stringify(errors));
    for (const m of row.mentions) t.true(e!.message.includes(m), `"${e!.message}" should mention ${m}`);
  });
}

test("request schema applies defaults and leaves the seed to the API", (t) => {
  const r = schema.parse(valid);
  t.like(r, { width: 1024, height: 1024, steps: 30, cfgScale: 7.5, scheduler: "euler", negativePrompt: "", category: "general" });
  t.is(r.seed, undefined);
});

test("job schema requires a fixed seed and a UUID generation id", (t) => {
  const params = { prompt: "p", negativePrompt: "", model: "m", width: 64, height: 64, steps: 1, cfgScale: 1, scheduler: "euler" };
  const base = { userId: "u1", generationId: "0b7c2d36-3a4b-4c5d-8e9f-0a1b2c3d4e5f", imageName: "img1", category: "art" };
  t.false(jobDataSchema.safeParse({ ...base, params }).success);
  t.true(jobDataSchema.safeParse({ ...base, params: { ...params, seed: 1 } }).success);
  const bad = jobDataSchema.safeParse({ ...base, generationId: "nope", params: { ...params, seed: 1 } });
  t.regex(fieldErrors(bad.error!)[0]!.message, /generationId must be a UUID, got "nope"/);
});

test("S3 keys and the busy hash follow the documented layout", (t) => {
  t.is(imageKey("u1", "art", "abc"), "users/u1/images/art/abc.png");
  t.is(busyHashKey("gpu-generation"), "bull:gpu-generation:genpool:busy");
  t.is(busyHashKey("q", "p"), "p:q:genpool:busy");
});
