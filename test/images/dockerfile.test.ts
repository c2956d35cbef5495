import test from "ava";
import { parseDockerfile } from "./dockerfile.ts";

test("Dockerfile reader: stages, ENV pairs, COPY --from, continued lines, exec-form CMD and HEALTHCHECK", (t) => {
  const stages = parseDockerfile([
    "# comment",
    "FROM node:20.20-bookworm-slim AS build",
    "WORKDIR /src",
    "COPY package.json package-lock.json ./",
    "RUN npm ci \\",
    "    --ignore-scripts",
    "FROM node:20.20-bookworm-slim",
    "ENV NODE_ENV=production PORT=9090",
    "WORKDIR /app",
    "COPY --from=build /src/build/api/ ./",
    "USER node",
    "EXPOSE 9090",
    'HEALTHCHECK --interval=30s CMD ["node", "-e", "1"]',
    'CMD ["node", "main.mjs"]',
  ].join("\n"));
  t.is(stages.length, 2);
  t.like(stages[0], { from: "node:20.20-bookworm-slim", name: "build", workdir: "/src", runs: ["npm ci  --ignore-scripts"], copies: [{ from: undefined, sources: ["package.json", "package-lock.json"], dest: "./" }] });
  t.like(stages[1], {
    name: undefined, workdir: "/app", env: { NODE_ENV: "production", PORT: "9090" }, user: "node",
    copies: [{ from: "build", sources: ["/src/build/api/"], dest: "./" }], cmd: ["node", "main.mjs"], healthcheck: ["node", "-e", "1"],
  });
});

test("Dockerfile reader: a shell-form CMD, an instruction before FROM and an unknown instruction are errors", (t) => {
  t.throws(() => parseDockerfile("FROM x\nCMD node main.mjs"), { message: /CMD must be in exec form/ });
  t.throws(() => parseDockerfile("WORKDIR /app"), { message: /WORKDIR before any FROM/ });
  t.throws(() => parseDockerfile("FROM x\nONBUILD RUN true"), { message: /unknown instruction ONBUILD/ });
});
