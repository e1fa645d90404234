/** The ids ListPlugins answers, in the catalogue's order (src/catalogue/plugins.json): one list for every test that checks it. */
export const LISTED_PLUGIN_IDS = ["deployment", "jira", "sonarqube", "jenkins", "argocd", "kubernetes", "github-actions"] as const;
