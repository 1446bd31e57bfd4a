# kms-report as a container: the package as published, run as the unprivileged `node` user (1000).
#   docker build -t kms-report .
#   docker run --rm --user "$(id -u):$(id -g)" -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY \
#     -e AWS_SESSION_TOKEN -e AWS_REGION -v "$PWD/reports:/work/reports" kms-report --month --regions all

# Build: the dev dependencies compile TypeScript; `npm pack` builds (prepack) and packs.
FROM node:20-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json README.md ./
COPY bin ./bin
COPY src ./src
COPY schema ./schema
COPY pricing ./pricing
COPY iam ./iam
RUN npm pack --pack-destination /tmp \
  && mv /tmp/kms-report-*.tgz /tmp/kms-report.tgz

# Runtime: Node and the packed package with its production dependencies, nothing else.
FROM node:20-slim
ENV NODE_ENV=production \
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
COPY --from=build /tmp/kms-report.tgz /tmp/kms-report.tgz
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/kms-report.tgz \
  && rm /tmp/kms-report.tgz \
  && npm cache clean --force \
  && mkdir -p /work/reports \
  && chown -R node:node /work
# kms-report writes report sets, snapshots and usage files under reports/ of its working
# folder by default: mount a host folder there. A configuration file can be mounted beside it.
WORKDIR /work
VOLUME /work/reports
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can check it.
USER 1000:1000
ENTRYPOINT ["kms-report"]
CMD ["--help"]
