// The components Orbit embeds; see web/README.md.
export { OrbitGatewayProvider, useGateway } from "./api/context.js";
export type { OrbitGatewayProviderProps } from "./api/context.js";
export { createGatewayClients } from "./api/clients.js";
export type { GatewayConnection, TokenSource } from "./api/clients.js";
export { explainError } from "./api/errors.js";
export { DeploymentsPage } from "./components/DeploymentsPage.js";
export { DeploymentDashboard } from "./components/DeploymentDashboard.js";
export { EnvironmentSettings } from "./components/EnvironmentSettings.js";
export { PluginsAdmin } from "./components/PluginsAdmin.js";
export { PipelineView } from "./components/PipelineView.js";
export { VersionPicker } from "./components/VersionPicker.js";
export { HistoryTimeline } from "./components/HistoryTimeline.js";
