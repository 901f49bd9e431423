/**
 * Debian's nginx (`apt-get install nginx`) in front of test instances, running the
 * site file the deployment uses (`deploy/nginx/consistencygrid.conf`) with its ports
 * rewritten: loopback on a free port, the upstream lines pointing at the instances.
 *
 * Returns `null` when nginx is not installed; under `CI=true` that throws instead.
 *
 * @example
 * ```ts
 * await using proxy = (await startNginx([app1.port, app2.port, app3.port]))!;
 * await fetch(`${proxy.url}/api/health`);
 * ```
 */
import { freePort, waitForPort } from "./throwaway_postgres.ts";

/** The deployment's site file. */
export const SITE_FILE = new URL("../../deploy/nginx/consistencygrid.conf", import.meta.url);

export interface Nginx extends AsyncDisposable {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** The site configuration as nginx runs it. */
  readonly site: string;
  /** nginx's error log so far. */
  errors(): Promise<string>;
}

const NGINX = "/usr/sbin/nginx";

/** True when nginx is installed; throws under `CI=true` when it is not. */
export function nginxInstalled(): boolean {
  try {
    Deno.statSync(NGINX);
    return true;
  } catch {
    if (Deno.env.get("CI") === "true") throw new Error(`${NGINX} is missing on CI: apt-get install -y nginx`);
    return false;
  }
}

/**
 * The site file with its `listen` lines replaced by `127.0.0.1:port` and its three
 * upstream servers by `upstreamPorts`. Throws when the file no longer has the shape this
 * rewrite expects (so the test cannot silently run some other configuration).
 */
export function rewriteSite(site: string, port: number, upstreamPorts: number[]): string {
  const replace = (text: string, from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`${SITE_FILE.pathname} no longer contains "${from}"`);
    return text.replace(from, to);
  };
  let out = replace(site, "    listen 80;\n", `    listen 127.0.0.1:${port};\n`);
  out = replace(out, "    listen [::]:80;\n", "");
  [8001, 8002, 8003].forEach((defaultPort, i) => {
    out = replace(out, `server 127.0.0.1:${defaultPort};`, `server 127.0.0.1:${upstreamPorts[i]};`);
  });
  return out;
}

/**
 * Starts nginx with the deployment's site in front of three instances, on `port` (the
 * instances' APP_ORIGIN names it, so it is chosen first) or a free one.
 */
export async function startNginx(upstreamPorts: number[], port = freePort()): Promise<Nginx | null> {
  if (!nginxInstalled()) return null;
  const dir = await Deno.makeTempDir({ prefix: "cg-nginx-" });
  await Deno.chmod(dir, 0o755);
  const site = rewriteSite(await Deno.readTextFile(SITE_FILE), port, upstreamPorts);
  await Deno.writeTextFile(`${dir}/site.conf`, site);
  // Workers run as an unprivileged user when nginx starts as root: their temp folders
  // must be theirs to write.
  for (const name of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) {
    await Deno.mkdir(`${dir}/${name}`);
    await Deno.chmod(`${dir}/${name}`, 0o777);
  }
  await Deno.writeTextFile(
    `${dir}/nginx.conf`,
    [
      "worker_processes 1;",
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      "events { worker_connections 1024; }",
      "http {",
      `  access_log ${dir}/access.log;`,
      `  client_body_temp_path ${dir}/body;`,
      `  proxy_temp_path ${dir}/proxy;`,
      `  fastcgi_temp_path ${dir}/fastcgi;`,
      `  uwsgi_temp_path ${dir}/uwsgi;`,
      `  scgi_temp_path ${dir}/scgi;`,
      `  include ${dir}/site.conf;`,
      "}",
      "",
    ].join("\n"),
  );
  const test = await new Deno.Command(NGINX, {
    args: ["-t", "-q", "-p", dir, "-c", `${dir}/nginx.conf`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!test.success) throw new Error(`nginx -t refused the site:\n${new TextDecoder().decode(test.stderr)}\n${site}`);
  const child = new Deno.Command(NGINX, {
    args: ["-p", dir, "-c", `${dir}/nginx.conf`, "-g", "daemon off;"],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  try {
    await waitForPort(port);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`nginx did not listen on ${port}: ${await stderr}`, { cause: error });
  }
  const dispose = async () => {
    try {
      child.kill("SIGQUIT");
    } catch {
      // Exited already.
    }
    await child.status;
    await stderr;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    site,
    errors: () => Deno.readTextFile(`${dir}/error.log`).catch(() => ""),
    [Symbol.asyncDispose]: dispose,
  };
}
