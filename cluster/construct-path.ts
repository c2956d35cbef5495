import type { IConstruct } from "constructs";

/** The construct at `path` (ids joined by "/") below `root`; throws if a part is missing. */
export function at(root: IConstruct, path: string): IConstruct {
  const found = path.split("/").reduce<IConstruct | undefined>((node, part) => node?.node.tryFindChild(part), root);
  if (!found) throw new Error(`no construct at ${root.node.path}/${path}`);
  return found;
}
