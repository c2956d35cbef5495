/**
 * One generation job, end to end: validate, generate, upload to the deterministic S3 key,
 * upsert the image row, complete the generation. Every step is safe to repeat, so a job that
 * is re-delivered (retry, stalled worker) stores one object and one row.
 */
import type { Logger } from "pino";
import type { Backend } from "../backend.ts";
import { HandBack, PermanentError, TransientError } from "../errors.ts";
import { imageKey } from "../job/keys.ts";
import { fieldErrors, jobDataSchema, type JobData } from "../job/schema.ts";
import { pngSize } from "../png.ts";
import type { GenerationState, StoredImage } from "../store.ts";

/** One attempt of a job, as the BullMQ glue hands it over. */
export interface JobRun {
  id: string;
  data: unknown;
  /** Failed attempts before this one. */
  attemptsMade: number;
  maxAttempts: number;
  /** Aborted when the worker shuts down and must give the job back. */
  signal: AbortSignal;
  reportProgress: (percent: number) => Promise<void>;
}

/** Persistence the processor needs (GenerationStore). */
export interface GenerationRecords {
  begin(generationId: string): Promise<GenerationState>;
  /** Waits for the API's transaction on the row to end; true when the row is committed. */
  awaitCommitted(job: JobData): Promise<boolean>;
  progress(generationId: string, percent: number): Promise<void>;
  complete(job: JobData, image: StoredImage): Promise<void>;
  fail(generationId: string, reason: string): Promise<void>;
  hasImage(imageName: string): Promise<boolean>;
}

/** Object storage the processor needs (S3). */
export interface ObjectStore {
  put(key: string, body: Buffer, metadata: Record<string, string>): Promise<void>;
  size(key: string): Promise<number | null>;
}

/** Everything processGeneration talks to. */
export interface ProcessorPorts {
  records: GenerationRecords;
  objects: ObjectStore;
  backend: Backend;
  log: Logger;
}

/** What a completed job returns (stored as the BullMQ return value). */
export interface JobResult {
  imageName: string;
  s3Key: string;
  sizeBytes: number;
  skipped: boolean;
}

function parse(run: JobRun): JobData {
  const parsed = jobDataSchema.safeParse(run.data);
  if (!parsed.success) {
    const problems = fieldErrors(parsed.error).map((e) => `${e.field}: ${e.message}`).join("; ");
    throw new PermanentError(`invalid job data: ${problems}`);
  }
  if (parsed.data.generationId !== run.id) throw new PermanentError(`job id ${run.id} differs from generationId ${parsed.data.generationId}`);
  return parsed.data;
}

/** Serializes progress writes so they land in order; progress is advisory and never fails a job. */
function progressReporter(run: JobRun, ports: ProcessorPorts, generationId: string): { report: (p: number) => void; flush: () => Promise<void> } {
  let chain = Promise.resolve();
  let last = -1;
  return {
    report: (p) => {
      if (p <= last) return;
      last = p;
      chain = chain
        .then(() => Promise.all([run.reportProgress(p), ports.records.progress(generationId, p)]))
        .then(() => undefined, (err: unknown) => ports.log.warn({ generationId, err: String(err) }, "Progress update failed"));
    },
    flush: () => chain,
  };
}

async function alreadyStored(job: JobData, key: string, ports: ProcessorPorts): Promise<JobResult | null> {
  if (!(await ports.records.hasImage(job.imageName))) return null;
  const size = await ports.objects.size(key);
  return size === null ? null : { imageName: job.imageName, s3Key: key, sizeBytes: size, skipped: true };
}

async function run(job: JobData, jobRun: JobRun, ports: ProcessorPorts): Promise<JobResult> {
  const key = imageKey(job.userId, job.category, job.imageName);
  let state = await ports.records.begin(job.generationId);
  if (state === "missing") {
    // The job can be seen before the API commits its row: wait for that commit, not a retry.
    if (!(await ports.records.awaitCommitted(job))) {
      throw new PermanentError("generation row was never committed (the API rolled it back and answered the request with an error)");
    }
    state = await ports.records.begin(job.generationId);
    if (state === "missing") throw new TransientError("generation row not found");
  }
  if (state === "completed") {
    const done = await alreadyStored(job, key, ports);
    if (done) return done;
  }
  const progress = progressReporter(jobRun, ports, job.generationId);
  const generated = await ports.backend.generate({ jobKey: job.generationId, params: job.params, signal: jobRun.signal, onProgress: progress.report });
  const size = pngSize(generated.png);
  if (!size) throw new TransientError("generator returned bytes that are not a PNG");
  const p = job.params;
  await ports.objects.put(key, generated.png, {
    "user-id": job.userId,
    "generation-id": job.generationId,
    model: p.model,
    seed: String(p.seed),
    width: String(size.width),
    height: String(size.height),
  });
  await progress.flush();
  await ports.records.complete(job, { s3Key: key, contentType: "image/png", sizeBytes: generated.png.length, ...size });
  await generated.cleanup();
  return { imageName: job.imageName, s3Key: key, sizeBytes: generated.png.length, skipped: false };
}

/** Processes one attempt; records the failure on the generation when no retry will follow. */
export async function processGeneration(jobRun: JobRun, ports: ProcessorPorts): Promise<JobResult> {
  let job: JobData | null = null;
  try {
    job = parse(jobRun);
    const result = await run(job, jobRun, ports);
    ports.log.info({ generationId: job.generationId, key: result.s3Key, bytes: result.sizeBytes, skipped: result.skipped }, "Generation stored");
    return result;
  } catch (err) {
    if (err instanceof HandBack) throw err;
    const final = err instanceof PermanentError || jobRun.attemptsMade + 1 >= jobRun.maxAttempts;
    const message = err instanceof Error ? err.message : String(err);
    ports.log.warn({ jobId: jobRun.id, attempt: jobRun.attemptsMade + 1, of: jobRun.maxAttempts, final, reason: message }, "Generation attempt failed");
    if (final && job) {
      // Without valid data there is no generation to mark; the job itself carries the reason.
      const reason = err instanceof PermanentError ? message : `failed after ${jobRun.attemptsMade + 1} attempt(s): ${message}`;
      // If the row cannot be marked now, the job still fails with its own reason, and the API's
      // recovery sweep marks the row from it later.
      await ports.records.fail(job.generationId, reason).catch((dbErr: unknown) => {
        ports.log.error({ generationId: job?.generationId, err: String(dbErr), reason }, "Could not record the failure; the API's recovery sweep will");
      });
    }
    throw err;
  }
}
