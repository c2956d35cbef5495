import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { GenerationPoolApi as Api, type GenerationPoolStatus } from "../resource/index.ts";
import { httpStatus } from "./client.ts";

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

/** Reads GenerationPools and writes their status subresource. */
export class PoolClient {
  private readonly api: CustomObjectsApi;
  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  /** The raw object (parse it with parseGenerationPool), or undefined when it no longer exists. */
  async get(namespace: string, name: string): Promise<unknown> {
    try {
      return await this.api.getNamespacedCustomObject({ group: Api.group, version: Api.version, plural: Api.plural, namespace, name });
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
  }

  /** Replaces the whole status (a merge patch of `status`; lists such as conditions are replaced). */
  async writeStatus(namespace: string, name: string, status: GenerationPoolStatus): Promise<void> {
    await this.api.patchNamespacedCustomObjectStatus(
      { group: Api.group, version: Api.version, plural: Api.plural, namespace, name, body: { status } },
      mergePatch,
    );
  }
}
