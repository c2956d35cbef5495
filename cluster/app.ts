/**
 * The CDK app: `cdk deploy` runs it through cdk.json; `npm run synth:cluster` runs it directly
 * (offline: context from cdk.json and cdk.context.json, no AWS credentials or CLI needed).
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { acknowledgeNagFindings } from "./nag-acknowledgements.ts";
import { GenpoolClusterStack, type GenpoolClusterStackProps } from "./stack.ts";

/** Context keys read from cdk.json (override with `cdk deploy -c genpool:account=…`). */
export const ContextKey = { account: "genpool:account", region: "genpool:region", stackName: "genpool:stackName", props: "genpool:props" } as const;

function readJson(path: URL): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

/** Context for a run without the CDK CLI: cdk.json's context plus the cached lookups. */
export function standaloneContext(): Record<string, unknown> {
  const root = new URL("../", import.meta.url);
  const cdkJson = readJson(new URL("cdk.json", root)) as { context?: Record<string, unknown> };
  return { ...cdkJson.context, ...readJson(new URL("cdk.context.json", root)) };
}

/**
 * Context that keeps assets where they are instead of copying them into the assembly (the kubectl
 * and AWS CLI layers are about 58 MB). For tests that read the template only: such an assembly
 * cannot be deployed.
 */
export const UNSTAGED_ASSETS: Readonly<Record<string, unknown>> = { "aws:cdk:disable-asset-staging": true };

/** How {@link buildApp} runs. */
export interface BuildOptions {
  /** Run by the CDK CLI (context and outdir come from it). @default false */
  readonly underCli?: boolean;
  /** Cloud assembly folder when not under the CLI. @default "cdk.out" */
  readonly outdir?: string;
  /** Record the cdk-nag acknowledgements; false shows what the plugin finds without them. @default true */
  readonly acknowledge?: boolean;
  /** Copy assets into the assembly; false for tests ({@link UNSTAGED_ASSETS}). Ignored under the CLI. @default true */
  readonly stageAssets?: boolean;
}

/** Builds the app with the cdk-nag AwsSolutions pack as a validation plugin. */
export function buildApp(options: BuildOptions = {}): { app: App; stack: GenpoolClusterStack } {
  const app = options.underCli ? new App() : new App({
        outdir: options.outdir ?? "cdk.out",
        context: { ...standaloneContext(), ...(options.stageAssets === false ? UNSTAGED_ASSETS : {}) },
      });
  const str = (key: string, fallback: string): string => {
    const v: unknown = app.node.tryGetContext(key);
    return typeof v === "string" ? v : fallback;
  };
  const stack = new GenpoolClusterStack(app, str(ContextKey.stackName, "GenpoolCluster"), {
    ...(app.node.tryGetContext(ContextKey.props) as GenpoolClusterStackProps | undefined),
    env: { account: str(ContextKey.account, "123456789012"), region: str(ContextKey.region, "us-east-1") },
    description: "Genpool: InvokeAI as a multi-user service on EKS (network, data, EKS, GPU node groups)",
  });
  if (options.acknowledge ?? true) acknowledgeNagFindings(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp({ underCli: process.env.CDK_OUTDIR !== undefined }).app.synth();
}
