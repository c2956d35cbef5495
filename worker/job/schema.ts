/**
 * The generation job: one zod schema shared by api/ (request validation, enqueue) and worker/
 * (validation of what it dequeues). Every message names the field, the value and what is allowed.
 */
import { z } from "zod";

/** Schedulers InvokeAI v6.13 accepts on `denoise_latents.scheduler`. */
export const SCHEDULERS = [
  "ddim", "ddpm", "deis", "deis_k", "lms", "lms_k", "pndm", "heun", "heun_k", "euler", "euler_k",
  "euler_a", "kdpm_2", "kdpm_2_k", "kdpm_2_a", "kdpm_2_a_k", "dpmpp_2s", "dpmpp_2s_k", "dpmpp_2m",
  "dpmpp_2m_k", "dpmpp_2m_sde", "dpmpp_2m_sde_k", "dpmpp_3m", "dpmpp_3m_k", "dpmpp_sde",
  "dpmpp_sde_k", "er_sde", "unipc", "unipc_k", "lcm", "tcd",
] as const;
export type Scheduler = (typeof SCHEDULERS)[number];

/** Bounds of the generation parameters. */
export const LIMITS = {
  promptMaxChars: 2000,
  sizeMin: 64,
  sizeMax: 2048,
  sizeMultiple: 8,
  stepsMin: 1,
  stepsMax: 150,
  cfgScaleMin: 1,
  cfgScaleMax: 30,
  seedMax: 4294967295,
} as const;

/** Ids that end up in S3 keys and Redis keys: no slashes, no dots-only names. */
const SAFE_ID = /^[A-Za-z0-9_|@:+-][A-Za-z0-9._|@:+-]{0,199}$/;
const CATEGORY = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const IMAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const show = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

const text = (field: string, min: number, max: number): z.ZodString =>
  z
    .string({ error: (i) => `${field} must be a string of ${min} to ${max} characters, got ${show(i.input)}` })
    .trim()
    .min(min, { error: () => `${field} must not be empty (${min} to ${max} characters allowed)` })
    .max(max, { error: (i) => `${field} must be at most ${max} characters, got ${String((i.input as string).length)}` })
    // eslint-disable-next-line no-control-regex -- PostgreSQL text and jsonb cannot hold U+0000
    .regex(/^[^\u0000]*$/, { error: (i) => `${field} must not contain the NUL character (\\u0000), got ${show(i.input)}` });

const number = (field: string, min: number, max: number, opts: { int: boolean; multipleOf?: number }): z.ZodNumber => {
  const allowed = `${opts.int ? "an integer" : "a number"} from ${min} to ${max}${opts.multipleOf ? ` and a multiple of ${opts.multipleOf}` : ""}`;
  const error = (i: { input?: unknown }): string => `${field} must be ${allowed}, got ${show(i.input)}`;
  let schema = z.number({ error }).min(min, { error }).max(max, { error });
  if (opts.int) schema = schema.int({ error });
  if (opts.multipleOf) schema = schema.multipleOf(opts.multipleOf, { error });
  return schema;
};

const pattern = (field: string, re: RegExp, allowed: string): z.ZodString =>
  z
    .string({ error: (i) => `${field} must be ${allowed}, got ${show(i.input)}` })
    .regex(re, { error: (i) => `${field} must be ${allowed}, got ${show(i.input)}` });

const size = (field: string): z.ZodNumber =>
  number(field, LIMITS.sizeMin, LIMITS.sizeMax, { int: true, multipleOf: LIMITS.sizeMultiple });

const schedulerSchema = z.enum(SCHEDULERS, {
  error: (i) => `scheduler must be one of ${SCHEDULERS.join(", ")}, got ${show(i.input)}`,
});

/** Fields common to the request body and the job parameters. */
const paramFields = {
  prompt: text("prompt", 1, LIMITS.promptMaxChars),
  negativePrompt: text("negativePrompt", 0, LIMITS.promptMaxChars).default(""),
  width: size("width").default(1024),
  height: size("height").default(1024),
  steps: number("steps", LIMITS.stepsMin, LIMITS.stepsMax, { int: true }).default(30),
  cfgScale: number("cfgScale", LIMITS.cfgScaleMin, LIMITS.cfgScaleMax, { int: false }).default(7.5),
  scheduler: schedulerSchema.default("euler"),
};

const seed = number("seed", 0, LIMITS.seedMax, { int: true });
const modelName = pattern("model", /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "a model name of letters, digits, '.', '_' or '-'");

/** Generation parameters as they travel in a job: the seed is always fixed. */
export const generationParamsSchema = z.strictObject(
  { ...paramFields, model: modelName, seed },
  { error: (i) => (i.code === "unrecognized_keys" ? `unknown field(s) ${i.keys.join(", ")}` : `params must be an object, got ${show(i.input)}`) },
);
export type GenerationParams = z.infer<typeof generationParamsSchema>;

export const userIdSchema = pattern("userId", SAFE_ID, "1 to 200 characters of letters, digits or ._|@:+- not starting with '.'");
export const categorySchema = pattern("category", CATEGORY, "1 to 64 lowercase letters, digits, '_' or '-'");
export const imageNameSchema = pattern("imageName", IMAGE_NAME, "1 to 128 letters, digits, '_' or '-'");

/** Data of one BullMQ generation job (the job id is the generation id). */
export const jobDataSchema = z.strictObject({
  userId: userIdSchema,
  generationId: z.uuid({ error: (i) => `generationId must be a UUID, got ${show(i.input)}` }),
  imageName: imageNameSchema,
  category: categorySchema,
  params: generationParamsSchema,
});
export type JobData = z.infer<typeof jobDataSchema>;

/** Shape of the POST /api/v1/generations body schema. */
export type GenerationRequestSchema = z.ZodObject<
  typeof paramFields & {
    model: z.ZodEnum<{ [k: string]: string }>;
    seed: z.ZodOptional<z.ZodNumber>;
    category: z.ZodDefault<z.ZodString>;
  },
  z.core.$strict
>;

/**
 * Body of POST /api/v1/generations. `model` must be on the allow-list; the seed is optional
 * (the API picks one so that a retried job reproduces the same image).
 */
export function generationRequestSchema(allowedModels: readonly [string, ...string[]]): GenerationRequestSchema {
  const model = z.enum(allowedModels, {
    error: (i) => `model must be one of ${allowedModels.join(", ")}, got ${show(i.input)}`,
  });
  return z.strictObject(
    { ...paramFields, model, seed: seed.optional(), category: categorySchema.default("general") },
    {
      error: (i) =>
        i.code === "unrecognized_keys"
          ? `unknown field(s) ${i.keys.join(", ")}; allowed: prompt, negativePrompt, model, width, height, steps, cfgScale, seed, scheduler, category`
          : `body must be a JSON object, got ${show(i.input)}`,
    },
  );
}
export type GenerationRequest = z.infer<GenerationRequestSchema>;

/** One field-level problem, as returned in 400 bodies and thrown by the worker. */
export interface FieldError {
  field: string;
  message: string;
}

/** Flattens zod issues into field errors ("" is the body itself). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => {
    const field = issue.path.join(".");
    const keys = issue.code === "unrecognized_keys" ? issue.keys.join(",") : "";
    return { field: field || keys, message: issue.message };
  });
}
