/**
 * The egress policy, owned by the sidecar's egress library
 * (`sidecar/plugins/egress-common/src/policy.ts`, which enforces it on every
 * connection). The gateway checks URL settings with the same code at
 * EnablePlugin/UpdatePluginConfig; like the plugins' contracts, the file is
 * compiled into the gateway's build (tsconfig.build.json) and needs only
 * `ipaddr.js` from the gateway's own dependencies.
 */
export * from "../../sidecar/plugins/egress-common/src/policy.js";
