# syntax=docker/dockerfile:1
#
# Orbit plugins gateway. Build from the repository root:
#
#   docker build -t orbit-plugins-gateway .
#
# Stage 1 installs every dependency and compiles src/ to dist/src/ (tsc also copies
# src/catalogue/plugins.json into dist/src/catalogue/), together with the plugins'
# contract modules (sidecar/plugins/*-common/src: types, route tables, field
# rules and header names, no dependencies) and the egress policy (ipaddr.js only) into dist/sidecar/. Stage 2 holds production
# dependencies and dist/ only: no TypeScript, no tsx, no proto/, no tests.

ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install script is needed to compile (tsc is plain JavaScript).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY sidecar/plugins/deployment-common/src ./sidecar/plugins/deployment-common/src
COPY sidecar/plugins/jira-common/src ./sidecar/plugins/jira-common/src
COPY sidecar/plugins/workspace-isolation-common/src ./sidecar/plugins/workspace-isolation-common/src
COPY sidecar/plugins/egress-common/src ./sidecar/plugins/egress-common/src
RUN npm run build \
 && test -f dist/src/main.js \
 && test -f dist/src/catalogue/plugins.json \
 && test -f dist/sidecar/plugins/deployment-common/src/routes.js

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=50053
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only; none of them needs an install script
# (PGlite is WebAssembly, pg and ioredis are plain JavaScript).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && mkdir -p /app/.data \
 && chown 1000:1000 /app/.data
COPY --from=build /app/dist ./dist

# The image's "node" user, by number so that Kubernetes can check runAsNonRoot.
# The application files stay owned by root (read-only for the process); only
# /app/.data (embedded PGlite when DATABASE_URL is unset) is writable.
USER 1000:1000

EXPOSE 50053
STOPSIGNAL SIGTERM

# Liveness with node itself (slim images have no curl). Uses HTTPS when the
# gateway serves TLS (TLS_CERT_FILE set); the certificate is not checked here.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const tls=!!process.env.TLS_CERT_FILE;require(tls?'node:https':'node:http').get({host:'127.0.0.1',port:Number(process.env.PORT||50053),path:'/healthz',timeout:2500,rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('timeout',()=>process.exit(1)).on('error',()=>process.exit(1))"]

CMD ["node", "dist/src/main.js"]
