# syntax=docker/dockerfile:1

# Build: compile TypeScript with SWC (dev dependencies, node-gyp fallbacks) and the web console with Vite (from the
# SDK generated from openapi.json); type-checking is CI's job.
FROM node:24 AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY console/package.json ./console/
RUN npm ci --no-audit --no-fund
COPY .swcrc openapi.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
COPY migrations ./migrations
COPY verifier ./verifier
COPY console ./console
RUN npm run build

# Runtime: production dependencies and the compiled output only, as an unprivileged user.
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app
COPY package.json package-lock.json ./
# The console is a workspace of dev dependencies only: its built bundle comes with dist/.
COPY console/package.json ./console/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# DATA_DIR keeps generated secrets when JWT_SECRET / SIGNING_MASTER_KEY are not given: mount a volume there.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
