# syntax=docker/dockerfile:1.7
# One image for all four services; the container command picks the app:
#   node dist/apps/<ingress|sequencer|dispatcher|outbound>/src/main.js
#   node dist/scripts/migrate.js           (the migration job)
#   node dist/apps/cli/src/main.js …       (the operator CLI, run inside a service's container)
# Build: docker build -t tg-genesys-bridge:local .   (docs/deployment.md)
# The `sandbox` target adds the Telegram/Genesys emulators for compose's no-credentials sandbox; the
# default (last) target, `runtime`, never contains emulators, test helpers or the benchmark.

# Node 22 LTS (Node 20 is end of life); the code also runs on Node >= 20.19. Pin by digest in CI
# (node:22.20.0-bookworm-slim@sha256:…). Compose's services use --env-file-if-exists (Node >= 22.9).
ARG NODE_IMAGE=node:22.20.0-bookworm-slim

# ---- deps: the full dependency tree, cached as long as the lockfile does not change ----
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: no package needs its install script (package.json "allowScripts" denies them all), and
# Prisma's would try to download native engines from outside the npm registry (SPEC §2).
RUN --mount=type=cache,target=/root/.npm \
    npm ci --ignore-scripts --no-audit --no-fund

# ---- build: swc compiles apps, libs and scripts into dist/ (the Prisma client is generated into it) ----
FROM deps AS build
COPY . .
# `prisma generate` does not use the schema engine, but the CLI insists on finding one; a dummy
# executable keeps the build offline (docs/adr/0002-prisma-offline.md).
ENV PRISMA_SCHEMA_ENGINE_BINARY=/bin/true \
    PRISMA_HIDE_UPDATE_MESSAGE=1 \
    CHECKPOINT_DISABLE=1
RUN npm run build \
 && test -f dist/apps/ingress/src/main.js \
 && test -f dist/apps/sequencer/src/main.js \
 && test -f dist/apps/dispatcher/src/main.js \
 && test -f dist/apps/outbound/src/main.js \
 && test -f dist/scripts/migrate.js \
 && test -f dist/apps/cli/src/main.js
# dist/ is plain JS importing only runtime dependencies, so the dev tree (swc, jest, prisma CLI, nx) goes.
# --omit=optional as well: @prisma/client lists the prisma CLI and typescript as optional peers, which
# `--omit=dev` alone keeps (~250 MB). Nothing at run time needs an optional package (msgpackr, used by
# BullMQ, falls back from its native extension to plain JS).
RUN npm prune --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund
# The runtime copy of dist/ leaves out the emulators, the test helpers (the CLI's test harness among
# them), the benchmark and the scripts that use them (npm start's orchestrator, the sandbox emulators),
# and proves that nothing left imports them.
RUN cp -a dist dist-runtime \
 && rm -rf dist-runtime/libs/emulators dist-runtime/libs/testing dist-runtime/bench \
           dist-runtime/scripts/start.js dist-runtime/scripts/sandbox-emulators.js \
 && ! grep -rlE "libs/(emulators|testing)/|/bench/" dist-runtime

# ---- sandbox: the emulators for compose's no-credentials sandbox (service `emulators`); never deployed ----
FROM ${NODE_IMAGE} AS sandbox
RUN groupadd --gid 10001 tgg \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tgg \
 && mkdir /sandbox && chown 10001:10001 /sandbox
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 10001:10001
ENTRYPOINT []
CMD ["node", "dist/scripts/sandbox-emulators.js"]

# ---- runtime: Node + production node_modules + dist + SQL migrations, nothing else ----
FROM ${NODE_IMAGE} AS runtime
# npm, npx, yarn and corepack are never used at runtime; removing them removes their CVEs too.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack /opt/yarn-* \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/yarn /usr/local/bin/yarnpkg /usr/local/bin/corepack \
 && groupadd --gid 10001 tgg \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tgg
WORKDIR /app
ENV NODE_ENV=production
# Files stay owned by root: the app cannot rewrite its own code (the pods also mount the root fs read-only).
# package.json carries "type": "module", which makes dist/**/*.js ESM.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist-runtime ./dist
# dist/scripts/migrate.js reads the SQL migrations from prisma/migrations at run time.
COPY --from=build /app/prisma ./prisma
USER 10001:10001
EXPOSE 3000 3001 3002 3003
# Exec form with the base image's entrypoint script cleared: no shell in between, so node runs as PID 1,
# receives SIGTERM itself and its shutdown hooks drain the workers.
ENTRYPOINT []
CMD ["node", "dist/apps/ingress/src/main.js"]
