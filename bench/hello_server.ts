/**
 * The baseline: a bare `Deno.serve` hello world, announcing itself like the app does.
 */
Deno.serve({
  port: Number(Deno.env.get("PORT") ?? 0),
  hostname: "127.0.0.1",
  onListen: ({ hostname, port }) =>
    console.log(JSON.stringify({ msg: "server.listening", url: `http://${hostname}:${port}` })),
}, () => new Response("Hello, world"));
