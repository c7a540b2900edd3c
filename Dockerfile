# fsjournal: one image for every role (primary, replica) and the tools
# (status, wait, log, restore, ...). Multi-stage: the first stage builds the
# TypeScript with the dev dependencies, the second holds only the runtime
# dependencies and the built packages, and runs as the unprivileged `node`
# user (uid 1000).
#
#   docker build -t fsjournal .
#   docker run --rm fsjournal --help
#   docker compose up -d            # one primary, two replicas: docker-compose.yml
#
# Watch mode (the default) needs nothing special. Mount mode (--mode mount,
# FUSE) is not in this image: its binding builds at `npm ci` only with
# libfuse3-dev, pkg-config, make, g++ and python3 in the build stage, and runs
# with libfuse3-3 in the runtime stage, as root, in a container started with
#   --device /dev/fuse --cap-add SYS_ADMIN
# (often also --security-opt apparmor:unconfined).

ARG NODE_IMAGE=node:20-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY packages ./packages
# `npm ci` runs the root `prepare` script (tsc -b), which builds every package.
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /opt/fsjournal
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/packages ./packages
# Runtime dependencies only; scripts off, since the build is already done
# (and TypeScript is a dev dependency).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force \
 && ln -s /opt/fsjournal/packages/cli/bin/fsjournal.js /usr/local/bin/fsjournal \
 && mkdir -p /var/lib/fsjournal/source /var/lib/fsjournal/journal \
             /var/lib/fsjournal/replica /var/lib/fsjournal/state \
 && chown -R node:node /var/lib/fsjournal
# New named volumes mounted on these folders start owned by `node`.
VOLUME ["/var/lib/fsjournal"]
USER node
# 7070: primary REST and stream; 7071: replica status.
EXPOSE 7070 7071
ENTRYPOINT ["fsjournal"]
CMD ["--help"]
