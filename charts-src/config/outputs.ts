import { readFileSync } from "node:fs";
import { z } from "zod";
import type { OutputKey } from "../../cluster/contract.ts";

/** `cdk deploy --outputs-file` shape: `{ [stackName]: { [OutputKey]: value } }`. */
const OutputsFile = z.record(z.string(), z.record(z.string(), z.union([z.string(), z.number()])));

/** The outputs of every stack in one file, looked up by key. */
export class CdkOutputs {
  /** Reads and validates an outputs file; the error names the file and what is wrong. */
  static fromFile(file: string): CdkOutputs {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new Error(`Cannot read CDK outputs file "${file}" (GENPOOL_OUTPUTS): ${(error as Error).message}`, { cause: error });
    }
    return CdkOutputs.fromJson(JSON.parse(text) as unknown, file);
  }

  /** Validates an already parsed outputs object. */
  static fromJson(json: unknown, source: string): CdkOutputs {
    const parsed = OutputsFile.safeParse(json);
    if (!parsed.success) {
      throw new Error(
        `CDK outputs file "${source}" must be { [stackName]: { [outputKey]: string } } as written by cdk deploy --outputs-file: ${z.prettifyError(parsed.error)}`,
      );
    }
    return new CdkOutputs(parsed.data, source);
  }

  private constructor(
    private readonly stacks: Record<string, Record<string, string | number>>,
    private readonly source: string,
  ) {}

  /** The value of `key` in whichever stack defines it; throws naming the key when none or two disagree. */
  get(key: OutputKey): string {
    const found = Object.entries(this.stacks).flatMap(([stack, outputs]) =>
      key in outputs ? [{ stack, value: String(outputs[key]) }] : [],
    );
    const values = new Set(found.map((f) => f.value));
    if (found.length === 0 || found.every((f) => f.value.trim() === "")) {
      const stacks = Object.keys(this.stacks).join(", ") || "none";
      throw new Error(
        `Missing CDK output "${key}" in "${this.source}" (stacks: ${stacks}); deploy the cluster/ stack that defines it and pass the file written by cdk deploy --outputs-file`,
      );
    }
    if (values.size > 1) {
      const where = found.map((f) => `${f.stack}=${f.value}`).join(", ");
      throw new Error(`CDK output "${key}" has different values in "${this.source}" (${where}); keep one stack per outputs file`);
    }
    return found[0]!.value;
  }
}
