# syntax=docker/dockerfile:1
# Circlework: an LTI 1.3 tool. Build: docker build -t circlework .
# Run with DATABASE_URL, PUBLIC_URL (https), SESSION_SECRET and LTI_ENCRYPTION_KEY; see README.md.

# --- deps: production dependencies only ---------------------------------------------------------
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# package.json's allowScripts lets embedded-postgres run its install script (it links its libraries).
# No build step: Node 24 runs our .ts files by stripping their types (tsconfig: erasableSyntaxOnly).
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime -------------------------------------------------------------------------------------
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app

# Code and dependencies stay owned by root (read-only for the app); only DATA_DIR is writable.
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 3000

# No curl in the slim image: Node's own fetch asks /healthz (200 when the database answers).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself is the main process (not npm), so SIGTERM reaches the app's graceful shutdown.
# The same heap flags as npm start (README.md says why).
CMD ["node", "--max-semi-space-size=8", "--max-old-space-size=192", "server/main.ts"]
