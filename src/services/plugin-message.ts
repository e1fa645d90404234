import { create } from "@bufbuild/protobuf";
import type { CatalogueEntry } from "../catalogue/catalogue.js";
import { PluginMetadataSchema, PluginSchema } from "../gen/idp/plugins/v1/plugins_pb.js";
import type { Plugin, PluginStatus } from "../gen/idp/plugins/v1/plugins_pb.js";

/** A plugin's state in one workspace, as far as the API may show it. */
export interface PluginView {
  readonly enabled: boolean;
  /** Non-secret configuration only. */
  readonly config: Readonly<Record<string, string>>;
  /** Names of the secrets that are set; values never leave the store. */
  readonly secretKeysSet: readonly string[];
  readonly version: number;
  readonly status?: PluginStatus;
}

export function toPluginMessage(entry: CatalogueEntry, view: PluginView): Plugin {
  return create(PluginSchema, {
    id: entry.id,
    name: entry.name,
    description: entry.description,
    category: entry.category,
    enabled: view.enabled,
    apiBasePath: entry.apiBasePath,
    config: { ...view.config },
    metadata: create(PluginMetadataSchema, {
      version: entry.version,
      documentationUrl: entry.documentationUrl,
      backstagePackage: entry.backstagePackage,
      requiredConfigKeys: entry.requiredConfigKeys,
      supportedFeatures: entry.supportedFeatures,
    }),
    secretKeysSet: [...view.secretKeysSet],
    configVersion: view.version,
    ...(view.status ? { status: view.status } : {}),
  });
}
